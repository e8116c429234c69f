#!/usr/bin/env python3
"""make_cases.py - inputs for the ICP benchmark, the issue-4 accuracy protocol.

For each seed: the Stanford bunny in mm (fixed), and a moving point cloud of
25,000 points drawn uniformly by area on the bunny's triangles (a sampling
unrelated to its vertices), Gaussian noise of 0.1-0.2 mm per coordinate, 30 %
cut away by a random plane, then moved by a random rigid transform G (rotation
up to 30 degrees, translation up to 20 mm). The true registration is G^-1.

usage: make_cases.py BUNNY.ply OUTDIR NCASES
writes OUTDIR/fixed.ply (mesh, mm), OUTDIR/moving_K.ply, OUTDIR/truth_K.json
"""
import json
import sys

import numpy as np


def read_ascii_ply(path):
    with open(path) as f:
        nv = nf = 0
        while True:
            line = f.readline().split()
            if line[:2] == ["element", "vertex"]:
                nv = int(line[2])
            elif line[:2] == ["element", "face"]:
                nf = int(line[2])
            elif line and line[0] == "end_header":
                break
        v = np.array([[float(x) for x in f.readline().split()[:3]] for _ in range(nv)])
        t = np.array([[int(x) for x in f.readline().split()[1:4]] for _ in range(nf)])
    return v, t


def write_ply(path, v, t=None):
    with open(path, "wb") as f:
        head = ["ply", "format binary_little_endian 1.0", "element vertex %d" % len(v),
                "property double x", "property double y", "property double z"]
        if t is not None:
            head += ["element face %d" % len(t), "property list uchar int vertex_indices"]
        f.write(("\n".join(head + ["end_header"]) + "\n").encode())
        f.write(np.asarray(v, dtype="<f8").tobytes())
        if t is not None:
            rec = np.zeros(len(t), dtype=[("n", "u1"), ("i", "<i4", 3)])
            rec["n"] = 3
            rec["i"] = t
            f.write(rec.tobytes())


def rotation(axis, ang):
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(ang) * k + (1 - np.cos(ang)) * k @ k


def main():
    bunny, out, ncases = sys.argv[1], sys.argv[2], int(sys.argv[3])
    v, t = read_ascii_ply(bunny)
    v = v * 1000.0
    write_ply("%s/fixed.ply" % out, v, t)
    a, b, c = v[t[:, 0]], v[t[:, 1]], v[t[:, 2]]
    area = 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)
    for k in range(ncases):
        rng = np.random.default_rng(1000 + k)
        tri = rng.choice(len(t), size=25000, p=area / area.sum())
        s, u = rng.random(25000), rng.random(25000)
        flip = s + u > 1
        s[flip], u[flip] = 1 - s[flip], 1 - u[flip]
        p = a[tri] + s[:, None] * (b[tri] - a[tri]) + u[:, None] * (c[tri] - a[tri])
        p += rng.normal(0, rng.uniform(0.1, 0.2), p.shape)
        d = rng.normal(size=3)
        h = p @ (d / np.linalg.norm(d))
        p = p[h <= np.quantile(h, 0.7)]
        R = rotation(rng.normal(size=3), np.radians(30) * rng.random())
        tr = rng.normal(size=3)
        tr *= 20 * rng.random() ** (1 / 3) / np.linalg.norm(tr)
        write_ply("%s/moving_%d.ply" % (out, k), p @ R.T + tr)
        G = np.eye(4)
        G[:3, :3], G[:3, 3] = R, tr
        with open("%s/truth_%d.json" % (out, k), "w") as f:
            json.dump({"matrix": np.linalg.inv(G).flatten().tolist()}, f)


if __name__ == "__main__":
    main()

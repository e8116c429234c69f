#!/usr/bin/python3
"""vtk_single_cubes.py - how VTK 9.1 vtkFlyingEdges3D cuts each of the 256
single-cube cases, compared with fxaudit's case table (docs/isosurface.md).

usage: /usr/bin/python3 vtk_single_cubes.py BUILD/bench/isosurface/mc_cases > vtk_single_cubes.txt

For every case a 2x2x2 image (corner c at x = c & 1, y = c >> 1 & 1,
z = c >> 2 & 1) with inside corners 1 and outside 0 is cut at 0.5, and again
with random values on both sides (VTK's cut must not depend on them). The
script reports, per loop length: whether VTK joins the same crossings as
fxaudit (the loops), how many loops VTK cuts as fxaudit's fixed fan
(--cut vtk) and whether VTK's cut of a class of cases (the 24 rotations of
the cube) is the same cut rotated, which is what a rule can reproduce. It
prints counts only; VTK's cuts themselves are not stored.
"""
import collections
import itertools
import json
import random
import subprocess
import sys

import numpy as np
import vtk
from vtkmodules.util.numpy_support import numpy_to_vtk, vtk_to_numpy

EDGES = [(0, 1), (2, 3), (4, 5), (6, 7), (0, 2), (1, 3), (4, 6), (5, 7), (0, 4), (1, 5),
         (2, 6), (3, 7)]


def corner(c):
    return np.array([c & 1, (c >> 1) & 1, (c >> 2) & 1], float)


def vtk_cut(values):
    """Triangles of one cube as triples of cube edge numbers."""
    img = vtk.vtkImageData()
    img.SetDimensions(2, 2, 2)
    img.GetPointData().SetScalars(numpy_to_vtk(np.array(values, float), deep=1))
    fe = vtk.vtkFlyingEdges3D()
    fe.SetInputData(img)
    fe.SetValue(0, 0.5)
    fe.ComputeNormalsOff()
    fe.Update()
    out = fe.GetOutput()
    if out.GetNumberOfPoints() == 0:
        return []
    pts = vtk_to_numpy(out.GetPoints().GetData()).astype(float)
    tris = vtk_to_numpy(out.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    edge_of = []
    for p in pts:  # the point lies on exactly one cube edge
        for e, (a, b) in enumerate(EDGES):
            d = corner(b) - corner(a)
            t = np.dot(p - corner(a), d)
            if np.allclose(corner(a) + t * d, p, atol=1e-6) and -1e-6 <= t <= 1 + 1e-6:
                edge_of.append(e)
                break
    return [tuple(edge_of[i] for i in t) for t in tris]


def rotations():
    """The 24 proper rotations of the cube as corner and edge permutations."""
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product([1, -1], repeat=3):
            m = np.zeros((3, 3), int)
            for i in range(3):
                m[i, perm[i]] = signs[i]
            if round(np.linalg.det(m)) != 1:
                continue
            cm = []
            for c in range(8):
                q = (m @ (corner(c) * 2 - 1) + 1) // 2
                cm.append(int(q[0] + 2 * q[1] + 4 * q[2]))
            em = [[f for f, ab in enumerate(EDGES) if set(ab) == {cm[a], cm[b]}][0]
                  for a, b in EDGES]
            out.append((cm, em))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    table = json.loads(subprocess.run([sys.argv[1]], check=True, capture_output=True,
                                      text=True).stdout)
    rng = random.Random(1)
    cuts, stable = {}, 0
    for cs in range(256):
        inside = [(cs >> c) & 1 for c in range(8)]
        cuts[cs] = vtk_cut([float(x) for x in inside])
        noisy = vtk_cut([0.5 + (0.05 + 0.4 * rng.random()) * (1 if x else -1) for x in inside])
        stable += {frozenset(t) for t in noisy} == {frozenset(t) for t in cuts[cs]}
    print("VTK %s vtkFlyingEdges3D, 256 single cubes" % vtk.vtkVersion.GetVTKVersion())
    print("cases cut the same with 0/1 and with random corner values: %d of 256" % stable)

    stats = collections.Counter()
    for cs in range(256):
        vt = {frozenset(t) for t in cuts[cs]}
        entry = table[str(cs)]
        # Loops: VTK's boundary edges per case equal fxaudit's loop sides.
        ours = collections.Counter()
        for loop in entry["loops"]:
            for i in range(len(loop)):
                ours[frozenset((loop[i], loop[(i + 1) % len(loop)]))] += 1
        theirs = collections.Counter()
        for t in cuts[cs]:
            for i in range(3):
                theirs[frozenset((t[i], t[(i + 1) % 3]))] += 1
        boundary = {e for e, n in theirs.items() if n == 1}
        stats["cases with the same loops"] += boundary == set(ours)
        for loop, apex in zip(entry["loops"], entry["apex"]):
            n = len(loop)
            if n < 4:
                continue
            if apex < 0:
                stats[(n, "not fixed (interpolant)")] += 1
                continue
            fan = {frozenset((loop[apex], loop[(apex + i) % n], loop[(apex + i + 1) % n]))
                   for i in range(1, n - 1)}
            stats[(n, "fan = VTK" if fan <= vt else "fan != VTK")] += 1
    print("cases whose loops (crossings joined) are fxaudit's: %d of 256"
          % stats.pop("cases with the same loops"))
    print("\nloops of 4+ crossings, by length: fxaudit's fixed fan (--cut vtk) against VTK")
    for key in sorted(stats):
        print("  %d crossings, %-24s %3d" % (key[0], key[1], stats[key]))

    print("\nclasses of cases under the 24 rotations: is VTK's cut rotated with the case?")
    rots = rotations()
    classes = {}
    for cs in range(256):
        rep = min(sum(1 << cm[c] for c in range(8) if (cs >> c) & 1) for cm, _ in rots)
        classes.setdefault(rep, []).append(cs)
    print("  class  cases  loop lengths  rotations that carry VTK's cut along (of 24)")
    for rep in sorted(classes):
        lens = sorted(len(loop) for loop in table[str(rep)]["loops"])
        if max(lens, default=0) < 4:
            continue
        base = {frozenset(t) for t in cuts[rep]}
        same = 0
        for cm, em in rots:
            img = sum(1 << cm[c] for c in range(8) if (rep >> c) & 1)
            moved = {frozenset(em[e] for e in t) for t in base}
            same += moved == {frozenset(t) for t in cuts[img]}
        print("  %5d  %5d  %-12s  %d" % (rep, len(classes[rep]), lens, same))


if __name__ == "__main__":
    main()

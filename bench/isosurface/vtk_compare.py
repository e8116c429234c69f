#!/usr/bin/python3
"""vtk_compare.py - where fxaudit's isosurface and VTK 9.1 vtkFlyingEdges3D
differ on a NIfTI CT, cube by cube (docs/isosurface.md, "Against VTK").

usage: /usr/bin/python3 vtk_compare.py FXAUDIT CT.nii.gz ISO [interpolant|vtk]

Checks, in order: the NIfTI scaling; VTK's surface with and without the
one-voxel padding (closed? its vtkMassProperties volume against the
divergence-theorem sum); both surfaces' edges (boundary, non-manifold,
misoriented) and zero-area triangles; that every fxaudit vertex is a VTK
vertex on the same grid edge at the same place (NIfTI orientation and edge
interpolation); then, per cube, whether both join the same crossings (the
loops, i.e. the ambiguous-face decisions) and cut them into the same
triangles, and where the volume difference sits: by loop length and by class
of cases (the 24 rotations of the cube). Per-cube volumes are taken about the
cube's centre; where both surfaces have the same loops the difference does
not depend on that point.
"""
import collections
import gzip
import itertools
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import vtk
from vtkmodules.util.numpy_support import vtk_to_numpy

DTYPES = {2: "u1", 4: "<i2", 8: "<i4", 16: "<f4", 64: "<f8", 256: "i1", 512: "<u2"}


def read_nifti(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    dim = struct.unpack("<8h", raw[40:56])
    datatype = struct.unpack("<h", raw[70:72])[0]
    offset, slope, inter = struct.unpack("<3f", raw[108:120])
    srow = np.array(struct.unpack("<12f", raw[280:328])).reshape(3, 4)
    n = dim[1] * dim[2] * dim[3]
    data = np.frombuffer(raw[int(offset):], dtype=DTYPES[datatype], count=n)
    vol = data.reshape(dim[3], dim[2], dim[1]).transpose(2, 1, 0).astype(float)
    return vol, srow, datatype, slope, inter


def vtk_surface(path, iso, pad_value):
    reader = vtk.vtkNIFTIImageReader()
    reader.SetFileName(path)
    reader.Update()
    image = reader.GetOutput()
    source = reader.GetOutputPort()
    if pad_value is not None:
        ext = image.GetExtent()
        pad = vtk.vtkImageConstantPad()
        pad.SetInputConnection(source)
        pad.SetOutputWholeExtent(ext[0] - 1, ext[1] + 1, ext[2] - 1, ext[3] + 1, ext[4] - 1,
                                 ext[5] + 1)
        pad.SetConstant(pad_value)
        source = pad.GetOutputPort()
    fe = vtk.vtkFlyingEdges3D()
    fe.SetInputConnection(source)
    fe.SetValue(0, iso)
    fe.ComputeNormalsOff()
    fe.Update()
    mp = vtk.vtkMassProperties()
    mp.SetInputData(fe.GetOutput())
    mp.Update()
    out = fe.GetOutput()
    pts = vtk_to_numpy(out.GetPoints().GetData()).astype(float)
    tris = vtk_to_numpy(out.GetPolys().GetConnectivityArray()).reshape(-1, 3).astype(np.int64)
    idx = (pts - np.array(image.GetOrigin())) / np.array(image.GetSpacing())
    return idx, tris, mp.GetVolume(), np.prod(image.GetSpacing())


def read_ply(path):
    raw = open(path, "rb").read()
    end = raw.index(b"end_header\n") + len(b"end_header\n")
    head = raw[:end].decode().split("\n")
    nv = int([h for h in head if h.startswith("element vertex")][0].split()[-1])
    nf = int([h for h in head if h.startswith("element face")][0].split()[-1])
    nprop = sum(1 for h in head if h.startswith("property float"))
    v = np.frombuffer(raw[end:end + 4 * nv * nprop], "<f4").reshape(nv, nprop)[:, :3]
    f = np.frombuffer(raw[end + 4 * nv * nprop:], np.dtype([("n", "u1"), ("i", "<i4", 3)]),
                      count=nf)
    assert (f["n"] == 3).all(), "not a triangle mesh"
    return v.astype(float), f["i"].astype(np.int64)


def edges_report(tris):
    e = np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]])
    _, count = np.unique(np.sort(e, axis=1), axis=0, return_counts=True)
    _, dcount = np.unique(e, axis=0, return_counts=True)
    return "%d boundary, %d non-manifold, %d misoriented edges" % (
        (count == 1).sum(), (count > 2).sum(), (dcount > 1).sum())


def signed_volume(p, t):
    return np.einsum("ij,ij->i", p[t[:, 0]], np.cross(p[t[:, 1]], p[t[:, 2]])).sum() / 6


def zero_area(p, t):
    a = np.cross(p[t[:, 1]] - p[t[:, 0]], p[t[:, 2]] - p[t[:, 0]])
    return int((np.linalg.norm(a, axis=1) < 1e-9).sum())


def vertex_keys(p):
    """The grid edge a vertex lies on (axis, lower corner), or ('c', corner)."""
    r = np.round(p)
    near = np.abs(p - r) < 2e-4
    keys = []
    for q, s, m in zip(p, r, near):
        if m.all():
            keys.append(("c",) + tuple(int(x) for x in s))
        else:
            ax = int(np.argmin(m))
            lo = [int(x) for x in s]
            lo[ax] = int(np.floor(q[ax]))
            keys.append((ax,) + tuple(lo))
    return keys


def per_cube(p, t, keys):
    """Per cube (by triangle centroid): its loops' directed sides, its
    triangles (as vertex-key sets) and its volume about the cube centre."""
    a, b, c = p[t[:, 0]], p[t[:, 1]], p[t[:, 2]]
    cube = np.floor((a + b + c) / 3).astype(int)
    centre = cube + 0.5
    vol = np.einsum("ij,ij->i", a - centre, np.cross(b - centre, c - centre)) / 6
    sides = collections.defaultdict(collections.Counter)
    tris = collections.defaultdict(set)
    volume = collections.defaultdict(float)
    for tri, k, v in zip(t, map(tuple, cube), vol):
        tris[k].add(frozenset(keys[x] for x in tri))
        volume[k] += v
        for u, w in ((0, 1), (1, 2), (2, 0)):
            sides[k][(keys[tri[u]], keys[tri[w]])] += 1
            sides[k][(keys[tri[w]], keys[tri[u]])] -= 1
    loops = {k: frozenset(e for e, n in s.items() if n > 0) for k, s in sides.items()}
    return loops, tris, volume


def rotation_classes():
    def corner(c):
        return np.array([c & 1, (c >> 1) & 1, (c >> 2) & 1])
    perms = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product([1, -1], repeat=3):
            m = np.zeros((3, 3), int)
            for i in range(3):
                m[i, perm[i]] = signs[i]
            if round(np.linalg.det(m)) == 1:
                perms.append([int(q[0] + 2 * q[1] + 4 * q[2])
                              for q in ((m @ (corner(c) * 2 - 1) + 1) // 2 for c in range(8))])
    return {cs: min(sum(1 << cm[c] for c in range(8) if (cs >> c) & 1) for cm in perms)
            for cs in range(256)}


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    fxaudit, path, iso = sys.argv[1], sys.argv[2], float(sys.argv[3])
    cut = sys.argv[4] if len(sys.argv) == 5 else "interpolant"
    vol, srow, datatype, slope, inter = read_nifti(path)
    print("%s at %g HU, fxaudit --cut %s" % (os.path.basename(path), iso, cut))
    print("NIfTI: datatype %d, scl_slope %g, scl_inter %g, dims %s, sform %s"
          % (datatype, slope, inter, vol.shape, srow.tolist()))
    lo, hi = vol.min(), vol.max()
    pad_value = lo if lo < iso else (2 * iso - hi if hi > iso else iso - 1)
    print("voxels %g .. %g; padding value %g; voxels exactly at the iso-value: %d"
          % (lo, hi, pad_value, int((vol == iso).sum())))

    pv, tv, mass, voxel = vtk_surface(path, iso, None)
    print("\nVTK without padding: %d points, %d triangles, %s; vtkMassProperties %.1f mm3,"
          " divergence sum %.1f mm3" % (len(pv), len(tv), edges_report(tv), mass,
                                        signed_volume(pv, tv) * voxel))
    pv, tv, mass, voxel = vtk_surface(path, iso, pad_value)
    vtk_volume = signed_volume(pv, tv) * voxel
    print("VTK padded like fxaudit: %d points, %d triangles, %s, %d zero-area triangles;"
          " vtkMassProperties %.1f mm3, divergence sum %.1f mm3"
          % (len(pv), len(tv), edges_report(tv), zero_area(pv, tv), mass, vtk_volume))

    with tempfile.TemporaryDirectory() as tmp:
        ply = os.path.join(tmp, "fx.ply")
        subprocess.run([fxaudit, "mesh", path, "--threshold", "%g" % iso, "--cut", cut, "-o",
                        ply], check=True, stdout=subprocess.DEVNULL)
        world, tf = read_ply(ply)
    lps_to_ras = np.array([-1.0, -1.0, 1.0])
    pf = np.linalg.solve(srow[:, :3], (world * lps_to_ras - srow[:, 3]).T).T
    fx_volume = signed_volume(pf, tf) * abs(np.linalg.det(srow[:, :3]))
    print("fxaudit: %d vertices, %d triangles, %s, %d zero-area triangles; volume %.1f mm3"
          " (%+.3f %% against VTK)" % (len(pf), len(tf), edges_report(tf), zero_area(pf, tf),
                                       fx_volume, 100 * (fx_volume / vtk_volume - 1)))

    kv, kf = vertex_keys(pv), vertex_keys(pf)
    where = {}
    for k, q in zip(kv, pv):
        where.setdefault(k, q)
    matched = [k in where for k in kf]
    gap = max((np.abs(where[k] - q).max() for k, q in zip(kf, pf) if k in where), default=0)
    print("fxaudit vertices on a VTK vertex's grid edge: %d of %d; largest distance %.2e voxel"
          " (float32 output)" % (sum(matched), len(kf), gap))

    lv, tvc, vv = per_cube(pv, tv, kv)
    lf, tfc, vf = per_cube(pf, tf, kf)
    pad = np.pad(vol, 1, constant_values=pad_value)

    def corners(k):
        return [pad[k[0] + 1 + (c & 1), k[1] + 1 + ((c >> 1) & 1), k[2] + 1 + ((c >> 2) & 1)]
                for c in range(8)]

    classes = rotation_classes()
    cubes = set(lv) | set(lf)
    degenerate = {k for k in cubes if iso in corners(k)}
    rest = cubes - degenerate
    same_loops = [k for k in rest if lv.get(k) == lf.get(k)]
    same_tris = [k for k in same_loops if tvc[k] == tfc[k]]
    print("\ncubes cut: %d, of which %d have a corner exactly at the iso-value (vertices"
          " shared by several edges; left out below)" % (len(cubes), len(degenerate)))
    print("cubes where both join the same crossings (loops): %d of %d" % (len(same_loops),
                                                                        len(rest)))
    print("... and cut them into the same triangles: %d" % len(same_tris))
    by_len = collections.defaultdict(lambda: [0, 0.0])
    by_class = collections.defaultdict(lambda: [0, 0, 0.0])
    for k in same_loops:
        cs = sum(1 << c for c, x in enumerate(corners(k)) if x >= iso)
        d = (vf.get(k, 0.0) - vv.get(k, 0.0)) * voxel
        row = by_class[classes[cs]]
        row[0] += 1
        if tvc[k] != tfc[k]:
            row[1] += 1
            row[2] += d
            crossings = len({v for t in tvc[k] for v in t})
            loops = (crossings - len(tvc[k])) // 2
            n = (crossings, loops)
            by_len[n][0] += 1
            by_len[n][1] += d
    total = sum((vf.get(k, 0.0) - vv.get(k, 0.0)) * voxel for k in cubes)
    print("volume difference fxaudit - VTK: %.1f mm3 (%+.3f %%), of which in cubes with a"
          " corner at the iso-value %.1f mm3" % (total, 100 * total / vtk_volume,
                                                 sum((vf.get(k, 0.0) - vv.get(k, 0.0)) * voxel
                                                     for k in degenerate)))
    print("\ncubes cut differently, by crossings and loops in the cube:")
    for n in sorted(by_len):
        print("  %2d crossings in %d loop(s): %6d cubes, %+9.1f mm3 (%+.3f %%)"
              % (n[0], n[1], by_len[n][0], by_len[n][1], 100 * by_len[n][1] / vtk_volume))
    print("\nby class of cases (smallest case number of the 24 rotations; 255 - class is"
          " the complement):")
    print("  class  inside  cubes  cut differently  difference mm3      %")
    for rep, (n, nd, d) in sorted(by_class.items(), key=lambda kv: -abs(kv[1][2])):
        if nd:
            print("  %5d  %6d  %5d  %15d  %+14.1f  %+.3f" % (rep, bin(rep).count("1"), n, nd, d,
                                                        100 * d / vtk_volume))


if __name__ == "__main__":
    main()

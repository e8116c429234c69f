#!/usr/bin/env python3
"""open3d_icp.py - the Open3D 0.16 side of the ICP benchmark.

A careful user's coarse-to-fine point-to-plane ICP: the fixed bunny mesh's
vertices with its area-weighted vertex normals as the target; the moving cloud
voxel-downsampled at 4 mm, 2 mm, then used whole, with correspondence distances
of 10, 4 and 1.5 mm, and Tukey's robust loss at the finest level. Only the
registration is timed (the target's k-d tree is built inside each
registration_icp call, as Open3D does). Threads: set OMP_NUM_THREADS.

usage: open3d_icp.py CASEDIR NCASES REPEATS
prints one line per case: case wall_s cpu_s rot_err_deg trans_err_mm
(medians of the repeats; cpu_s is the process CPU time)
"""
import json
import statistics
import sys
import time

import numpy as np
import open3d as o3d

reg = o3d.pipelines.registration


def register(src, tgt):
    T = np.eye(4)
    levels = [(4.0, 10.0, 50, None), (2.0, 4.0, 30, None), (None, 1.5, 30, 0.5)]
    for voxel, maxd, iters, tukey in levels:
        s = src.voxel_down_sample(voxel) if voxel else src
        est = reg.TransformationEstimationPointToPlane(reg.TukeyLoss(k=tukey)) if tukey \
            else reg.TransformationEstimationPointToPlane()
        crit = reg.ICPConvergenceCriteria(relative_fitness=1e-7, relative_rmse=1e-7,
                                          max_iteration=iters)
        T = reg.registration_icp(s, tgt, maxd, T, est, crit).transformation
    return T


def errors(T, truth):
    dR = truth[:3, :3].T @ T[:3, :3]
    ang = np.degrees(np.arccos(np.clip((np.trace(dR) - 1) / 2, -1, 1)))
    return ang, np.linalg.norm(T[:3, 3] - truth[:3, 3])


def main():
    d, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mesh = o3d.io.read_triangle_mesh("%s/fixed.ply" % d)
    mesh.compute_vertex_normals()
    tgt = o3d.geometry.PointCloud(mesh.vertices)
    tgt.normals = mesh.vertex_normals
    for k in range(n):
        src = o3d.io.read_point_cloud("%s/moving_%d.ply" % (d, k))
        truth = np.array(json.load(open("%s/truth_%d.json" % (d, k)))["matrix"]).reshape(4, 4)
        wall, cpu = [], []
        for _ in range(reps):
            t0, c0 = time.perf_counter(), time.process_time()
            T = register(src, tgt)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        er, et = errors(T, truth)
        print("%d %.4f %.4f %.5f %.5f" % (k, statistics.median(wall), statistics.median(cpu),
                                          er, et), flush=True)


if __name__ == "__main__":
    main()

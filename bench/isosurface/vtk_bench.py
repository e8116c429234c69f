#!/usr/bin/python3
"""vtk_bench.py - VTK's side of the isosurface benchmark: vtkFlyingEdges3D on
the same NRRD phantom and iso-value as bench_iso, timed with 1 and 2 SMP
threads (median of runs), then vtkWindowedSincPolyDataFilter (VTK's
non-shrinking smoother) for the same number of iterations.

usage: /usr/bin/python3 vtk_bench.py PHANTOM.nrrd ISO RUNS SMOOTH_ITERATIONS
Prints one JSON object. Reading the file is not timed.
"""
import json
import os
import statistics
import sys
import time

import vtk
from vtkmodules.vtkCommonCore import vtkSMPTools

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrrd_vtk import read_nrrd  # noqa: E402


def extract(image, iso):
    fe = vtk.vtkFlyingEdges3D()
    fe.SetInputData(image)
    fe.SetValue(0, iso)
    fe.ComputeNormalsOff()
    fe.ComputeGradientsOff()
    fe.ComputeScalarsOff()
    t0 = time.perf_counter()
    fe.Update()
    return time.perf_counter() - t0, fe.GetOutput()


def smooth(mesh, iterations):
    ws = vtk.vtkWindowedSincPolyDataFilter()
    ws.SetInputData(mesh)
    ws.SetNumberOfIterations(iterations)
    ws.SetPassBand(0.1)
    ws.NormalizeCoordinatesOn()
    t0 = time.perf_counter()
    ws.Update()
    return time.perf_counter() - t0, ws.GetOutput()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    path, iso, runs, iterations = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    image = read_nrrd(path)
    result = {"tool": "VTK %s (SMP backend %s)" % (vtk.vtkVersion.GetVTKVersion(),
                                                   vtkSMPTools.GetBackend()),
              "dims": list(image.GetDimensions()), "iso": iso, "runs": runs,
              "smooth_iterations": iterations}
    for threads in (1, 2):
        vtkSMPTools.Initialize(threads)
        te, ts = [], []
        for _ in range(runs):
            t, mesh = extract(image, iso)
            te.append(t)
            t, smoothed = smooth(mesh, iterations)
            ts.append(t)
        result["extract_%dt_s" % threads] = statistics.median(te)
        result["smooth_%dt_s" % threads] = statistics.median(ts)
    mp = vtk.vtkMassProperties()
    mp.SetInputData(mesh)
    mp.Update()
    result.update({"points": mesh.GetNumberOfPoints(), "triangles": mesh.GetNumberOfCells(),
                   "volume_mm3": mp.GetVolume(), "area_mm2": mp.GetSurfaceArea()})
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

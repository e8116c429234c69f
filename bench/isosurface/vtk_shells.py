#!/usr/bin/python3
"""vtk_shells.py - VTK 9.1 vtkFlyingEdges3D volumes of the thin-shell phantoms
written by shell_phantoms (padded with 0 as fxaudit pads a 0..1 volume, iso 0.5),
stored in tests/fixtures/vtk/thin_shells.json for test_isosurface.

usage: /usr/bin/python3 vtk_shells.py DIR > thin_shells.json
"""
import json
import os
import sys

import vtk

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nrrd_vtk import read_nrrd  # noqa: E402


def volume(path):
    image = read_nrrd(path)
    ext = image.GetExtent()
    pad = vtk.vtkImageConstantPad()
    pad.SetInputData(image)
    pad.SetOutputWholeExtent(ext[0] - 1, ext[1] + 1, ext[2] - 1, ext[3] + 1, ext[4] - 1, ext[5] + 1)
    pad.SetConstant(0.0)
    fe = vtk.vtkFlyingEdges3D()
    fe.SetInputConnection(pad.GetOutputPort())
    fe.SetValue(0, 0.5)
    fe.Update()
    mp = vtk.vtkMassProperties()
    mp.SetInputData(fe.GetOutput())
    mp.Update()
    return {"file": os.path.basename(path), "triangles": fe.GetOutput().GetNumberOfCells(),
            "volume_mm3": mp.GetVolume(), "area_mm2": mp.GetSurfaceArea()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    shells = [volume(os.path.join(sys.argv[1], "shell%d.nrrd" % c)) for c in range(4)]
    json.dump({"tool": "VTK %s vtkFlyingEdges3D + vtkMassProperties" % vtk.vtkVersion.GetVTKVersion(),
               "shells": shells}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

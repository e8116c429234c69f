#!/usr/bin/python3
"""vtk_reference.py - VTK 9.1 vtkFlyingEdges3D reference numbers for fxaudit's
isosurface tests (VTK is a reference only; the tests read the stored output).

usage: /usr/bin/python3 bench/isosurface/vtk_reference.py VOLUME.nii.gz ISO... > OUT.json

For each iso-value the volume is padded by one voxel of the value fxaudit pads
with (fx_isosurface_pad_value: the volume minimum when below iso, else
2 iso - max), so that both programs extract the same closed surface; the
enclosed volume and area come from vtkMassProperties. Scaling by the voxel
spacing is done by the reader; the direction matrix does not change volume or
area, so it is left out.
"""
import json
import sys

import vtk
from vtkmodules.util.numpy_support import vtk_to_numpy


def pad_value(lo, hi, iso):
    if lo < iso:
        return lo
    return 2 * iso - hi if hi > iso else iso - 1


def surface(image, iso):
    lo, hi = image.GetScalarRange()
    ext = list(image.GetExtent())
    pad = vtk.vtkImageConstantPad()
    pad.SetInputData(image)
    pad.SetOutputWholeExtent(ext[0] - 1, ext[1] + 1, ext[2] - 1, ext[3] + 1, ext[4] - 1,
                             ext[5] + 1)
    pad.SetConstant(pad_value(lo, hi, iso))
    fe = vtk.vtkFlyingEdges3D()
    fe.SetInputConnection(pad.GetOutputPort())
    fe.SetValue(0, iso)
    fe.ComputeNormalsOff()
    fe.ComputeGradientsOff()
    fe.ComputeScalarsOff()
    fe.Update()
    mp = vtk.vtkMassProperties()
    mp.SetInputData(fe.GetOutput())
    mp.Update()
    out = fe.GetOutput()
    return {
        "iso": iso,
        "pad_value": pad_value(lo, hi, iso),
        "points": out.GetNumberOfPoints(),
        "triangles": out.GetNumberOfCells(),
        "volume_mm3": mp.GetVolume(),
        "area_mm2": mp.GetSurfaceArea(),
    }


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    reader = vtk.vtkNIFTIImageReader()
    reader.SetFileName(sys.argv[1])
    reader.Update()
    if reader.GetRescaleSlope() not in (0.0, 1.0) or reader.GetRescaleIntercept() != 0.0:
        sys.exit("this script expects unscaled voxel values")
    image = reader.GetOutput()
    values = vtk_to_numpy(image.GetPointData().GetScalars())
    result = {
        "tool": "VTK %s vtkFlyingEdges3D + vtkMassProperties" % vtk.vtkVersion.GetVTKVersion(),
        "input": sys.argv[1].split("/")[-1],
        "dims": list(image.GetDimensions()),
        "spacing": list(image.GetSpacing()),
        "voxel_min": float(values.min()),
        "voxel_max": float(values.max()),
        "surfaces": [surface(image, float(a)) for a in sys.argv[2:]],
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

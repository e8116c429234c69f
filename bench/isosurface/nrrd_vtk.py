"""nrrd_vtk.py - read a NRRD volume as written by fxaudit (raw or gzip, one
attached data block) into a vtkImageData with the spacing of its axes, for the
VTK reference scripts. (Debian's vtkNrrdReader is the MPI one and needs a
controller.)"""
import gzip
import re

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonDataModel import vtkImageData

TYPES = {"short": np.int16, "int16": np.int16, "float": np.float32,
         "uchar": np.uint8, "uint8": np.uint8, "ushort": np.uint16, "uint16": np.uint16}


def read_nrrd(path):
    with open(path, "rb") as f:
        raw = f.read()
    head, _, data = raw.partition(b"\n\n")
    fields = {}
    for line in head.decode("ascii").splitlines()[1:]:
        if line.startswith("#") or ":" not in line:
            continue
        key, value = line.split(":", 1)
        fields[key.strip()] = value.strip()
    sizes = [int(s) for s in fields["sizes"].split()]
    vectors = re.findall(r"\(([^)]*)\)", fields["space directions"])
    spacing = [float(np.linalg.norm([float(x) for x in v.split(",")])) for v in vectors]
    if fields.get("encoding", "raw") in ("gzip", "gz"):
        data = gzip.decompress(data)
    dtype = np.dtype(TYPES[fields["type"]])
    if fields.get("endian", "little") == "big":
        dtype = dtype.newbyteorder(">")
    values = np.frombuffer(data, dtype=dtype, count=int(np.prod(sizes))).astype(dtype.newbyteorder("="))
    image = vtkImageData()
    image.SetDimensions(*sizes)
    image.SetSpacing(*spacing)
    image.GetPointData().SetScalars(numpy_to_vtk(values, deep=True))
    return image

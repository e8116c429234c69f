/*
 * isosurface.h - surface models from volumes: marching cubes with a case table
 * that is consistent across cube faces (no cracks), vertices shared between
 * cubes (an indexed, watertight mesh), in world millimetres (LPS).
 *
 * The grid is always padded by one voxel of a value below the iso-value, so a
 * solid that touches the edge of the volume gives a closed surface, capped at
 * the border. Inside is value >= iso; triangles are counter-clockwise seen from
 * outside, so normals point out of the solid (also when the direction matrix
 * has a negative determinant).
 */
#ifndef FXAUDIT_ISOSURFACE_H
#define FXAUDIT_ISOSURFACE_H

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/volume.h"

/* How a loop of four or more crossings in one cube is cut into triangles
 * (the crossings and which of them are joined do not change). */
typedef enum fx_iso_cut {
    FX_ISO_CUT_INTERPOLANT = 0, /* per cube, chords closest to the trilinear
                                 * iso-surface: closest to the truth on thin walls */
    FX_ISO_CUT_VTK = 1          /* fixed fans that reproduce VTK's flying edges
                                 * (hexagons still along the interpolant) */
} fx_iso_cut;

typedef struct fx_iso_opts {
    double iso; /* in the volume's units (HU for CT, 0.5 for masks) */
    int threads; /* OpenMP threads; 0 means the OpenMP default */
    fx_iso_cut cut; /* default (0): FX_ISO_CUT_INTERPOLANT */
} fx_iso_opts;

/* The value the border padding takes: the volume minimum when it is below
 * `iso`, else the maximum mirrored about iso (2 iso - max; iso - 1 when the
 * volume is constant at iso). Reference tools pad with this to reproduce our result. */
double fx_isosurface_pad_value(const fx_volume *v, double iso);

/* Extract the iso-surface of `v` at opts->iso. On success *out owns a new mesh
 * (free with fx_mesh_free), possibly empty. */
int fx_isosurface_extract(const fx_volume *v, const fx_iso_opts *opts, fx_mesh **out,
                          fx_error *err);

/* Surface of one label of a label or mask volume (voxels equal to `label`;
 * label 0 means every non-zero voxel): the mask is smoothed by a Gaussian of
 * `sigma_mm` (0 for none; per-axis in voxels from the spacing) and cut at 0.5. */
int fx_isosurface_label(const fx_volume *labels, unsigned label, double sigma_mm,
                        const fx_iso_opts *opts, fx_mesh **out, fx_error *err);

#endif

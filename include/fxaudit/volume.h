/*
 * volume.h - a 3-D image on a regular grid with its place in the patient.
 *
 * Voxel (i, j, k) has world position origin + D * (i*sx, j*sy, k*sz) in
 * millimetres, LPS, where D is the 3x3 direction matrix (row-major; column c is
 * the world direction of index axis c) and s the spacing. These two functions
 * are the only place in fxaudit that knows this mapping. Data are stored with i
 * fastest: index = i + dims[0] * (j + dims[1] * k). CT volumes hold Hounsfield
 * units as int16; label volumes hold uint16 labels (0 is background).
 */
#ifndef FXAUDIT_VOLUME_H
#define FXAUDIT_VOLUME_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

typedef enum fx_voxel_type {
    FX_VOX_I16 = 1, /* Hounsfield units */
    FX_VOX_U8 = 2,  /* masks */
    FX_VOX_U16 = 3, /* labels */
    FX_VOX_F32 = 4, /* distances, probabilities */
} fx_voxel_type;

typedef struct fx_volume {
    int dims[3];
    double spacing[3]; /* mm */
    double origin[3];  /* mm, LPS, centre of voxel (0,0,0) */
    double dir[9];     /* row-major direction cosines; columns are axes */
    fx_voxel_type type;
    void *data;        /* owned; dims[0]*dims[1]*dims[2] voxels of `type` */
} fx_volume;

/* Allocate a zero-filled volume with identity direction, zero origin and unit
 * spacing. On success *out owns it (free with fx_volume_free). */
int fx_volume_new(const int dims[3], fx_voxel_type type, fx_volume **out, fx_error *err);
/* A zero-filled volume with the same grid as `like` and voxels of `type`. */
int fx_volume_new_like(const fx_volume *like, fx_voxel_type type, fx_volume **out,
                       fx_error *err);
void fx_volume_free(fx_volume *v); /* NULL is a no-op */

size_t fx_volume_count(const fx_volume *v);
size_t fx_voxel_size(fx_voxel_type type);
const char *fx_voxel_type_name(fx_voxel_type type);

/* Continuous index (i, j, k) to world mm, and back. */
fx_vec3 fx_volume_index_to_world(const fx_volume *v, fx_vec3 ijk);
fx_vec3 fx_volume_world_to_index(const fx_volume *v, fx_vec3 world);

/* Value of voxel (i, j, k) as a double, whatever the type; no bounds check. */
double fx_volume_get(const fx_volume *v, int i, int j, int k);
/* Trilinear interpolation at a continuous index; `outside` beyond the grid. */
double fx_volume_sample(const fx_volume *v, fx_vec3 ijk, double outside);

/* Minimum and maximum voxel value. */
void fx_volume_range(const fx_volume *v, double *lo, double *hi);

/* Check that the direction matrix is orthonormal (tolerance 1e-4) and the
 * spacing positive; say which is wrong otherwise. */
int fx_volume_check_geometry(const fx_volume *v, fx_error *err);

#endif

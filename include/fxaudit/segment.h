/*
 * segment.h - from CT to labelled bone: threshold ranges, connected parts,
 * morphology in millimetres, hole filling and the splitting of touching
 * fragments. Masks are FX_VOX_U8 volumes holding 0 or 1; label volumes are
 * FX_VOX_U16 with 0 for background. Every result has the input's grid
 * (spacing, origin, direction); distances honour anisotropic spacing.
 */
#ifndef FXAUDIT_SEGMENT_H
#define FXAUDIT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

/* Presets in Hounsfield units. */
#define FX_BONE_HU_MIN 226.0
#define FX_BONE_HU_MAX 3071.0
#define FX_METAL_HU_MIN 2500.0

/* A mask of the voxels with lo <= value <= hi. *out owns it. */
int fx_segment_threshold(const fx_volume *v, double lo, double hi, fx_volume **out,
                         fx_error *err);

/* One labelled part. */
typedef struct fx_segment_part {
    uint16_t label;    /* 1 is the largest */
    size_t voxels;
    double volume_mm3; /* voxels x voxel volume */
} fx_segment_part;

/* Connected parts of `mask` (any non-zero voxel) under 6-, 18- or
 * 26-connectivity. Parts smaller than min_mm3 are dropped; the rest are
 * numbered 1, 2, ... by decreasing size (ties by first voxel in scan order).
 * At most 65535 parts are kept (the largest). On success *labels owns a U16
 * volume and *parts an array of *nparts records (free with free()). */
int fx_segment_components(const fx_volume *mask, int connectivity, double min_mm3,
                          fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                          fx_error *err);

/* Squared Euclidean distance in mm^2 from every voxel to the nearest voxel
 * where `feature` is non-zero (exact, Felzenszwalb-Huttenlocher, separable
 * with the grid spacing). A float volume; a huge value when there is no
 * feature voxel at all. */
int fx_segment_distance2(const fx_volume *feature, int invert, fx_volume **out,
                         fx_error *err);

/* Morphology with a ball of radius_mm (a true ball in millimetres on
 * anisotropic grids), in place on a U8 mask. Outside the grid counts as
 * neither: objects touching the border are not eroded by it. */
int fx_segment_dilate(fx_volume *mask, double radius_mm, fx_error *err);
int fx_segment_erode(fx_volume *mask, double radius_mm, fx_error *err);
int fx_segment_open(fx_volume *mask, double radius_mm, fx_error *err);  /* erode, dilate */
int fx_segment_close(fx_volume *mask, double radius_mm, fx_error *err); /* dilate, erode */

/* Fill background that cannot reach the grid border (6-connected), in place.
 * `per_slice` fills each axial slice (constant k) on its own (4-connected),
 * which also closes marrow cavities open at the slice's top or bottom. */
int fx_segment_fill_holes(fx_volume *mask, int per_slice, fx_error *err);

/* Split `mask` into fragments: seeds are the connected parts (26-) of the mask
 * eroded by erode_mm that hold at least min_seed_mm3; the seeds then grow back
 * over the mask in order of decreasing distance to the background (a watershed
 * on the distance map), so touching fragments part along their neck. Result as
 * fx_segment_components (labels by size), without min-size filtering. */
int fx_segment_split(const fx_volume *mask, double erode_mm, double min_seed_mm3,
                     fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                     fx_error *err);

/* Region growing from user seeds (world points, LPS mm): seed s gets label
 * s+1 and grows over the mask in the same watershed order. A seed outside the
 * grid or outside the mask is an error naming it. */
int fx_segment_grow(const fx_volume *mask, const fx_vec3 *seeds, size_t nseeds,
                    fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                    fx_error *err);

/* Voxel counts and volumes of labels 1..max in a U16 volume, one record per
 * label present. */
int fx_segment_count(const fx_volume *labels, fx_segment_part **parts, size_t *nparts,
                     fx_error *err);

#endif

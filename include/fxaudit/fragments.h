/*
 * fragments.h - bone parts of a pre-op CT: the connected pieces of bone
 * (threshold, hole filling, components), each with a solid surface model.
 *
 * Surfaces are cut at the half-way value between cortical bone and soft
 * tissue (where partial volume puts the true boundary), not at the bone
 * threshold, which would inflate every model by about a third of a voxel.
 * Inside each part the marrow is filled to cortical HU first, so that a model
 * is one solid (outer cortex) and rays through it see bone all the way.
 */
#ifndef FXAUDIT_FRAGMENTS_H
#define FXAUDIT_FRAGMENTS_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/progress.h"
#include "fxaudit/segment.h"
#include "fxaudit/volume.h"

typedef struct fx_parts_opts {
    double lo_hu, hi_hu;  /* bone threshold: 226..3071 ("Bone (CT)" preset) */
    double min_mm3;       /* smaller parts are dropped: 500 */
    int connectivity;     /* 6, 18 or 26: 6, so that fragments a voxel apart separate */
    /* Automatic separation of touching parts (without seeds or labels): a
     * watershed on the distance map from cores eroded by split_erode_mm (NAN:
     * 4 mm, at least two voxels), regions merged again where no neck divides
     * them (split_neck_ratio, 0.3; src/image/splitmerge.c). split 0 (the
     * default here; the plan's default is 1): plain connected components. */
    int split;
    double split_erode_mm, split_neck_ratio;
    double iso_hu;        /* surface value; NAN: half-way between cortex and soft tissue */
    /* User corrections: one point per part (LPS mm). When given, parts are grown
     * from them over the bone mask (a watershed on the distance map, so touching
     * parts divide along their neck) instead of taken as connected components;
     * part k is grown from seed k, and bone no seed reaches is left out. */
    const fx_vec3 *seeds;
    size_t nseeds;
    /* Or a label map made elsewhere (e.g. in 3D Slicer) on the CT's grid: its
     * labels are the parts, as they are. */
    const fx_volume *labels;
} fx_parts_opts;

typedef struct fx_bone_part {
    unsigned label;       /* in the label volume: 1 is the largest */
    double volume_mm3;    /* voxel count x voxel volume */
    fx_vec3 centroid;     /* of the model's surface, mm */
    fx_mesh *mesh;        /* owned: solid, closed, outward-oriented */
} fx_bone_part;

typedef struct fx_bone_parts {
    fx_volume *labels;    /* owned, U16 */
    fx_bone_part *parts;  /* owned; n of them, by decreasing size */
    size_t n;
    double iso_hu, cortex_hu, soft_hu; /* as used */
} fx_bone_parts;

void fx_parts_opts_default(fx_parts_opts *o);

/* Segment `hu` (int16 HU) into bone parts with surface models. On success
 * *out owns the result (free with fx_bone_parts_free). */
int fx_bone_parts_extract(const fx_volume *hu, const fx_parts_opts *o, const fx_progress *pg,
                          fx_bone_parts **out, fx_error *err);
void fx_bone_parts_free(fx_bone_parts *bp); /* NULL is a no-op */

/* The automatic parts alone (threshold, holes filled, split or components as
 * o says; seeds and labels ignored), as a U16 label map *labels (1 the
 * largest) with *sp records; the caller frees both. */
int fx_parts_auto_labels(const fx_volume *hu, const fx_parts_opts *o, fx_volume **labels,
                         fx_segment_part **sp, size_t *n, fx_error *err);

/* The half-way value: cortex = 90th percentile of voxels >= lo_hu, soft
 * tissue = median of voxels in [-200, 200] HU. */
void fx_parts_levels(const fx_volume *hu, double lo_hu, double *cortex_hu, double *soft_hu);

#endif

/*
 * labelmap.c - the true label map of a phantom series: which bone part each
 * voxel centre lies in. It plays the part of the label map a clinical 3-D lab
 * draws by hand (e.g. in 3D Slicer) where fragments touch, so that the rest of
 * the planning pipeline can be validated on a correct segmentation.
 */
#include "config.h"

#include <math.h>

#include "fxaudit/phantom.h"
#include "model.h"

/* truth.json's labels: 1 the intact pelvis (the stable part of the injured
 * hemipelvis, the other hemipelvis and the sacrum), 2.. the moving fragments,
 * then the injured side's femur and the other femur. */
static uint16_t label_of(const fx_phantom *p, int part)
{
    if (part < p->nfrag)
        return (uint16_t)(part + 1);
    if (part == PH_PART_HEMI || part == PH_PART_SACRUM)
        return 1;
    if (part == PH_PART_FEMUR_INJ)
        return (uint16_t)(p->nfrag + 1);
    if (part == PH_PART_FEMUR)
        return (uint16_t)(p->nfrag + 2);
    return 0;
}

int fx_phantom_render_labels(const fx_phantom *p, fx_phantom_series s, fx_volume **out,
                             fx_error *err)
{
    fx_volume *v = NULL;
    int rc = fx_volume_new(p->dims, FX_VOX_U16, &v, err);
    if (rc)
        return rc;
    for (int a = 0; a < 3; a++)
        v->spacing[a] = p->spacing[a], v->origin[a] = p->origin[s][a];
    uint16_t *d = v->data;
#pragma omp parallel for schedule(dynamic, 4)
    for (int k = 0; k < v->dims[2]; k++)
        for (int j = 0; j < v->dims[1]; j++)
            for (int i = 0; i < v->dims[0]; i++) {
                ph_bc part[PH_NPARTS];
                fx_vec3 a = fx_rigid_apply(&p->pinv[s], fx_volume_index_to_world(v, fx_v3(i, j, k)));
                ph_scene_parts(p, (int)s, a, ~(1u << PH_PART_METAL), part);
                int best = -1;
                for (int q = 0; q < PH_PART_METAL; q++)
                    if (part[q].b <= 0 && (best < 0 || part[q].b < part[best].b))
                        best = q;
                d[(size_t)i + (size_t)v->dims[0] * ((size_t)j + (size_t)v->dims[1] * k)] =
                    best < 0 ? 0 : label_of(p, best);
            }
    *out = v;
    return FX_OK;
}

/*
 * validate_parts.c - for `fxaudit validate --stage plan`: how well the
 * automatic bone parts (no seeds, no label map) match the phantom's true
 * pre-op label map, part by part (Dice), by plain connected components and by
 * the automatic split of touching parts (src/image/splitmerge.c).
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/fragments.h"
#include "validate.h"

#define MAX_LABELS 64

/* Dice of every true label with the automatic part that overlaps it most. */
static int dice_per_label(const fx_volume *hu, const fx_volume *truth, int split,
                          double dice[MAX_LABELS], fx_error *err)
{
    fx_parts_opts o;
    fx_volume *lab = NULL;
    fx_segment_part *sp = NULL;
    size_t n, *c = calloc((size_t)MAX_LABELS * MAX_LABELS, sizeof(*c));
    size_t na[MAX_LABELS] = {0}, nt[MAX_LABELS] = {0};
    int rc;

    fx_parts_opts_default(&o);
    o.split = split;
    if (!c)
        return fx_fail(err, FX_ENOMEM, "cannot allocate the part overlaps");
    if (!(rc = fx_parts_auto_labels(hu, &o, &lab, &sp, &n, err))) {
        const uint16_t *a = lab->data;
        for (size_t i = 0, nv = fx_volume_count(lab); i < nv; i++) {
            unsigned x = a[i] < MAX_LABELS ? a[i] : 0;
            int X = (int)(i % (size_t)lab->dims[0]);
            int Y = (int)(i / (size_t)lab->dims[0] % (size_t)lab->dims[1]);
            int Z = (int)(i / ((size_t)lab->dims[0] * (size_t)lab->dims[1]));
            double tv = fx_volume_get(truth, X, Y, Z);
            unsigned y = tv > 0 && tv < MAX_LABELS ? (unsigned)tv : 0;
            c[x * MAX_LABELS + y]++, na[x]++, nt[y]++;
        }
        for (unsigned y = 0; y < MAX_LABELS; y++) {
            dice[y] = 0;
            for (unsigned x = 1; y && nt[y] && x < MAX_LABELS; x++) {
                double d = 2.0 * (double)c[x * MAX_LABELS + y] / (double)(na[x] + nt[y]);
                dice[y] = d > dice[y] ? d : dice[y];
            }
        }
    }
    fx_volume_free(lab);
    free(sp);
    free(c);
    return rc;
}

json_t *validate_plan_auto_parts(const fx_volume *hu, const fx_volume *truth_labels,
                                 json_t *truth, struct parts_maxima *mx, fx_error *err)
{
    double comp[MAX_LABELS], split[MAX_LABELS];
    json_t *out, *o;
    size_t i;

    if (truth_labels->dims[0] != hu->dims[0] || truth_labels->dims[1] != hu->dims[1] ||
        truth_labels->dims[2] != hu->dims[2]) {
        fx_fail(err, FX_EINVAL, "the true label map is not on the CT's grid");
        return NULL;
    }
    if (dice_per_label(hu, truth_labels, 0, comp, err) ||
        dice_per_label(hu, truth_labels, 1, split, err))
        return NULL;
    out = json_array();
    json_array_foreach(json_object_get(truth, "fragments"), i, o) {
        json_int_t l = json_integer_value(json_object_get(o, "label"));
        if (l <= 0 || l >= MAX_LABELS)
            continue;
        mx->parts++;
        mx->right_components += comp[l] >= 0.8;
        mx->right_split += split[l] >= 0.8;
        mx->min_split = mx->parts == 1 ? split[l] : (split[l] < mx->min_split ? split[l]
                                                                              : mx->min_split);
        json_array_append_new(out, json_pack("{s:I, s:s, s:f, s:f}", "label", l, "name",
                                             json_string_value(json_object_get(o, "name")),
                                             "dice_components", comp[l], "dice", split[l]));
    }
    return out;
}

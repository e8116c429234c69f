/*
 * landmarks.h - paired landmarks (the same anatomical point picked on the
 * moving and on the fixed model), read from CSV or JSON. Coordinates in mm,
 * LPS.
 *
 * CSV: a header row naming the columns moving_x, moving_y, moving_z, fixed_x,
 * fixed_y, fixed_z, and optionally name and weight, in any order; one pair per
 * row. JSON: {"pairs": [{"name": "...", "moving": [x, y, z], "fixed": [x, y, z],
 * "weight": w}, ...]} (or the array alone); name and weight are optional.
 */
#ifndef FXAUDIT_LANDMARKS_H
#define FXAUDIT_LANDMARKS_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"

typedef struct fx_landmarks {
    size_t n;
    fx_vec3 *moving, *fixed; /* n each, owned */
    double *weight;          /* n, owned; 1 when not given */
    char **name;             /* n owned strings ("" when not given) */
} fx_landmarks;

/* Read `path` (JSON when it starts with '{' or '[', CSV otherwise). On success
 * *out owns its arrays (release with fx_landmarks_release); on failure it is
 * empty. */
int fx_landmarks_read(const char *path, fx_landmarks *out, fx_error *err);
void fx_landmarks_release(fx_landmarks *l);

#endif

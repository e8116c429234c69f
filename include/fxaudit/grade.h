/*
 * grade.h - grading the quality of a fracture reduction from its residual gap
 * and step-off (millimetres) by a scheme read from a data file.
 *
 * A scheme is an ordered list of grades, each with the conditions under which
 * it applies; the first grade whose conditions all hold is the result, and the
 * last grade has no conditions ("otherwise"), so every reduction gets a grade.
 * The built-in schemes (data/schemes/matta.json, data/schemes/ct.json) and
 * user-defined ones share one format, described in docs/grading.md. A scheme
 * carries its name, title, source and a note; every grade reports them, so
 * that no grade is shown without the definition it came from.
 */
#ifndef FXAUDIT_GRADE_H
#define FXAUDIT_GRADE_H

#include <stdbool.h>

#include "fxaudit/error.h"

typedef struct fx_scheme fx_scheme; /* opaque; free with fx_scheme_free */

/* Read a scheme file. On success *out owns a new scheme and FX_OK is returned;
 * on failure *out is NULL and `err` names the file and the problem (FX_EIO
 * when it cannot be read, FX_EFORMAT when it is not a valid scheme). A user
 * file may not take the name of a built-in scheme (matta, ct). */
int fx_scheme_load(const char *path, fx_scheme **out, fx_error *err);

/* Load the built-in scheme `name` ("matta" or "ct") from the data folder
 * (found with fx_data_path("schemes/<name>.json")). FX_ENOTFOUND when there is
 * no such built-in scheme. */
int fx_scheme_load_builtin(const char *name, fx_scheme **out, fx_error *err);

/* Parse a scheme from JSON text; `origin` names it in messages (a file name).
 * `builtin` allows the reserved names. Same ownership as fx_scheme_load. */
int fx_scheme_parse(const char *text, const char *origin, bool builtin, fx_scheme **out,
                    fx_error *err);

void fx_scheme_free(fx_scheme *s); /* NULL is a no-op */

/* Whether `name` is one of the built-in schemes. */
bool fx_scheme_is_builtin_name(const char *name);

/* The scheme's fields; the strings belong to the scheme. `title`, `source` and
 * `note` may be "" but are never NULL; `path` is the file it was read from. */
const char *fx_scheme_name(const fx_scheme *s);
const char *fx_scheme_title(const fx_scheme *s);
const char *fx_scheme_source(const fx_scheme *s);
const char *fx_scheme_note(const fx_scheme *s);
const char *fx_scheme_path(const fx_scheme *s);
bool fx_scheme_is_builtin(const fx_scheme *s);

/* One grading. The strings belong to the scheme and live as long as it does. */
typedef struct fx_grade {
    const char *grade;      /* lower case, e.g. "anatomical" */
    const char *rule;       /* the conditions that selected it, e.g. "displacement_mm <= 1" */
    double gap_mm;          /* the input */
    double step_mm;         /* the input */
    double displacement_mm; /* max(gap_mm, step_mm) */
} fx_grade;

/* Grade a reduction with residual gap `gap_mm` and step-off `step_mm`. Both
 * must be finite and >= 0 (FX_EINVAL otherwise). */
int fx_grade_apply(const fx_scheme *s, double gap_mm, double step_mm, fx_grade *out, fx_error *err);

#endif

/*
 * tfm.c - ITK transform files and JSON matrices (see tfm.h for which
 * direction each holds, and why).
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fxaudit/file.h"
#include "fxaudit/tfm.h"
#include "meshio_int.h"

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

static int write_json(FILE *fp, const fx_rigid *T)
{
    fx_rigid inv = fx_rigid_inverse(T);
    double m[16], mi[16];
    fx_rigid_to_matrix(T, m);
    fx_rigid_to_matrix(&inv, mi);
    json_t *j = json_object(), *a = json_array(), *b = json_array();
    for (int i = 0; i < 16; i++) {
        json_array_append_new(a, json_real(m[i]));
        json_array_append_new(b, json_real(mi[i]));
    }
    json_object_set_new(j, "matrix", a);
    json_object_set_new(j, "direction", json_string("moving_to_fixed"));
    json_object_set_new(j, "matrix_fixed_to_moving", b);
    json_object_set_new(j, "units", json_string("mm, LPS"));
    int rc = json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    fputc('\n', fp);
    json_decref(j);
    return rc;
}

int fx_transform_write(const char *path, const fx_rigid *moving_to_fixed, fx_error *err)
{
    bool json = ends_with(path, ".json");
    if (!json && !ends_with(path, ".tfm") && !ends_with(path, ".txt"))
        return fx_fail(err, FX_EINVAL, "'%s': a transform file must end in .tfm, .txt or .json",
                       path);
    fx_outfile out;
    int rc = fx_outfile_open(&out, path, err);
    if (rc)
        return rc;
    if (json) {
        if (write_json(out.fp, moving_to_fixed)) {
            fx_outfile_abort(&out);
            return fx_fail(err, FX_EIO, "cannot write '%s'", path);
        }
    } else {
        fx_rigid inv = fx_rigid_inverse(moving_to_fixed); /* ITK: fixed -> moving */
        fprintf(out.fp, "#Insight Transform File V1.0\n#Transform 0\n"
                "Transform: AffineTransform_double_3_3\nParameters:");
        for (int i = 0; i < 9; i++)
            fprintf(out.fp, " %.17g", inv.r[i]);
        for (int i = 0; i < 3; i++)
            fprintf(out.fp, " %.17g", inv.t[i]);
        fprintf(out.fp, "\nFixedParameters: 0 0 0\n");
    }
    return fx_outfile_commit(&out, err);
}

static int read_numbers(mio_text *t, double *x, int n, const char *what, fx_error *err)
{
    for (int i = 0; i < n; i++) {
        int rc = mio_double(t, what, &x[i], err);
        if (rc)
            return rc;
    }
    return FX_OK;
}

int fx_tfm_read(const char *path, fx_rigid *moving_to_fixed, fx_error *err)
{
    mio_buf b;
    int rc = mio_slurp(path, &b, err);
    if (rc)
        return rc;
    mio_text t = {path, b.data, b.data + b.len, 1};
    double p[12] = {0}, c[3] = {0, 0, 0};
    bool have_p = false, affine = false;
    while (!rc && mio_skip_blank_lines(&t, false)) {
        const char *w;
        size_t n;
        mio_word(&t, &w, &n);
        if (n == 10 && !memcmp(w, "Transform:", 10)) {
            mio_word(&t, &w, &n);
            affine = (n >= 15 && !memcmp(w, "AffineTransform", 15)) ||
                     (n >= 27 && !memcmp(w, "MatrixOffsetTransformBase", 25));
            if (!affine)
                rc = fx_fail(err, FX_EUNSUPPORTED, "'%s' line %zu: only affine transforms are "
                             "read, not '%.*s'", path, t.line, (int)(n > 60 ? 60 : n), w);
        } else if (n == 11 && !memcmp(w, "Parameters:", 11)) {
            rc = read_numbers(&t, p, 12, "parameters", err);
            have_p = true;
        } else if (n == 16 && !memcmp(w, "FixedParameters:", 16)) {
            rc = read_numbers(&t, c, 3, "fixed parameters", err);
        }
        mio_next_line(&t);
    }
    mio_buf_release(&b);
    if (!rc && (!have_p || !affine))
        rc = fx_fail(err, FX_EFORMAT, "'%s' holds no affine transform parameters", path);
    if (rc)
        return rc;
    /* ITK: y = A (x - c) + c + t, so the offset is t + c - A c */
    double m[16] = {0};
    for (int i = 0; i < 3; i++) {
        double off = p[9 + i] + c[i];
        for (int j = 0; j < 3; j++) {
            m[4 * i + j] = p[3 * i + j];
            off -= p[3 * i + j] * c[j];
        }
        m[4 * i + 3] = off;
    }
    m[15] = 1;
    fx_rigid stored;
    if (fx_rigid_from_matrix(m, &stored))
        return fx_fail(err, FX_EFORMAT, "'%s': the transform is not rigid (a rotation and a "
                       "translation)", path);
    *moving_to_fixed = fx_rigid_inverse(&stored);
    return FX_OK;
}

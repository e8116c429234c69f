/*
 * consensus_export.c - the readings of every case that all its observers have
 * finished, as a wide CSV table (one row per patient, time point and plane,
 * two columns per observer and repeat), so that inter- and intra-observer
 * agreement can be computed with `fxaudit stats icc` / `bland-altman` or any
 * statistics program. Cases still blinded are left out.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/consensus.h"

#define MAX_COLS 256

struct layout {
    const char *observer[MAX_COLS / 2];
    int repeats[MAX_COLS / 2];
    size_t n_obs;
};

static bool is_ready(json_t *status, const char *patient, const char *timepoint)
{
    size_t i;
    json_t *r;
    json_t *ready = json_object_get(status, "ready");
    for (i = 0; i < json_array_size(ready); i++) {
        r = json_array_get(ready, i);
        if (!strcmp(json_string_value(json_object_get(r, "patient")), patient) &&
            !strcmp(json_string_value(json_object_get(r, "timepoint")), timepoint))
            return true;
    }
    return false;
}

/* Column of (observer, repeat): 2 per repeat, gap then step. */
static int column_of(const struct layout *l, const char *obs, int rep)
{
    int c = 0;
    for (size_t i = 0; i < l->n_obs; i++) {
        if (!strcmp(l->observer[i], obs))
            return c + 2 * (rep - 1);
        c += 2 * l->repeats[i];
    }
    return -1;
}

static int plan_layout(json_t *rows, struct layout *l, int *ncols, fx_error *err)
{
    size_t i;
    json_t *r;
    *ncols = 0;
    for (i = 0; i < json_array_size(rows); i++) {
        r = json_array_get(rows, i);
        const char *o = json_string_value(json_object_get(r, "observer"));
        int rep = (int)json_integer_value(json_object_get(r, "repeat_no"));
        size_t k = 0;
        while (k < l->n_obs && strcmp(l->observer[k], o))
            k++;
        if (k == l->n_obs) {
            if (l->n_obs == MAX_COLS / 2)
                return fx_fail(err, FX_EUNSUPPORTED, "too many observers to export");
            l->observer[l->n_obs] = o, l->repeats[l->n_obs++] = 0;
        }
        l->repeats[k] = rep > l->repeats[k] ? rep : l->repeats[k];
    }
    for (size_t k = 0; k < l->n_obs; k++)
        *ncols += 2 * l->repeats[k];
    if (*ncols > MAX_COLS)
        return fx_fail(err, FX_EUNSUPPORTED, "too many observers and repeats to export");
    return FX_OK;
}

static void write_header(FILE *out, const struct layout *l)
{
    fputs("patient,timepoint,plane", out);
    for (size_t k = 0; k < l->n_obs; k++)
        for (int rep = 1; rep <= l->repeats[k]; rep++) {
            if (rep == 1)
                fprintf(out, ",%s_gap,%s_step", l->observer[k], l->observer[k]);
            else
                fprintf(out, ",%s_gap_r%d,%s_step_r%d", l->observer[k], rep, l->observer[k], rep);
        }
    fputc('\n', out);
}

static void write_row(FILE *out, json_t *first, const double *v, int ncols)
{
    fprintf(out, "%s,%s,%s", json_string_value(json_object_get(first, "patient")),
            json_string_value(json_object_get(first, "timepoint")),
            json_string_value(json_object_get(first, "plane")));
    for (int c = 0; c < ncols; c++)
        isnan(v[c]) ? fputs(",", out) : fprintf(out, ",%.15g", v[c]);
    fputc('\n', out);
}

static bool same_group(json_t *a, json_t *b)
{
    static const char *const keys[] = {"patient", "timepoint", "plane"};
    for (int i = 0; i < 3; i++)
        if (strcmp(json_string_value(json_object_get(a, keys[i])),
                   json_string_value(json_object_get(b, keys[i]))))
            return false;
    return true;
}

static double value(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int write_table(FILE *out, json_t *rows, fx_error *err)
{
    struct layout l = {0};
    int ncols;
    double v[MAX_COLS];
    int rc = plan_layout(rows, &l, &ncols, err);
    if (rc)
        return rc;
    write_header(out, &l);
    for (size_t i = 0; i < json_array_size(rows);) {
        json_t *first = json_array_get(rows, i);
        for (int c = 0; c < ncols; c++)
            v[c] = NAN;
        for (; i < json_array_size(rows) && same_group(first, json_array_get(rows, i)); i++) {
            json_t *r = json_array_get(rows, i);
            int c = column_of(&l, json_string_value(json_object_get(r, "observer")),
                              (int)json_integer_value(json_object_get(r, "repeat_no")));
            v[c] = value(json_object_get(r, "gap_mm"));
            v[c + 1] = value(json_object_get(r, "step_mm"));
        }
        write_row(out, first, v, ncols);
    }
    return ferror(out) ? fx_fail(err, FX_EIO, "cannot write the export") : FX_OK;
}

int fx_consensus_export(fx_store *s, FILE *out, fx_error *err)
{
    json_t *status = NULL, *all = NULL, *ready = json_array();
    int rc = fx_consensus_status(s, &status, err);
    if (!rc)
        rc = fx_store_query(
            s,
            "SELECT p.code AS patient, c.timepoint, m.plane, o.code AS observer, m.repeat_no, "
            "m.gap_mm, m.step_mm FROM measurements m JOIN blinded_cases c ON c.id = m.case_id "
            "JOIN observers o ON o.id = m.observer_id JOIN patients p ON p.id = c.patient_id "
            "WHERE NOT EXISTS (SELECT 1 FROM measurements n WHERE n.amends_id = m.id) "
            "ORDER BY p.code, c.timepoint DESC, m.plane, o.code, m.repeat_no",
            NULL, 0, &all, err);
    for (size_t i = 0; !rc && i < json_array_size(all); i++) {
        json_t *r = json_array_get(all, i);
        if (is_ready(status, json_string_value(json_object_get(r, "patient")),
                     json_string_value(json_object_get(r, "timepoint"))))
            json_array_append(ready, r);
    }
    if (!rc)
        rc = write_table(out, ready, err);
    json_decref(status);
    json_decref(all);
    json_decref(ready);
    return rc;
}

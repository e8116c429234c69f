/*
 * readings_table.c - the finished readings as a table (readings_table.h).
 * Readiness is decided by fx_consensus_status, the one place that knows it,
 * so that a case still blinded can never reach an export or a statistic.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/consensus.h"
#include "readings_table.h"

static const char readings_sql[] =
    "SELECT p.code AS patient, c.timepoint, m.plane, o.code AS observer, m.repeat_no, "
    "m.gap_mm, m.step_mm FROM measurements m JOIN blinded_cases c ON c.id = m.case_id "
    "JOIN observers o ON o.id = m.observer_id JOIN patients p ON p.id = c.patient_id "
    "WHERE NOT EXISTS (SELECT 1 FROM measurements n WHERE n.amends_id = m.id) "
    "ORDER BY p.code, c.timepoint DESC, m.plane, o.code, m.repeat_no";

static const char *str(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static bool is_ready(json_t *status, json_t *row)
{
    json_t *ready = json_object_get(status, "ready");
    for (size_t i = 0; i < json_array_size(ready); i++) {
        json_t *r = json_array_get(ready, i);
        if (!strcmp(str(r, "patient"), str(row, "patient")) &&
            !strcmp(str(r, "timepoint"), str(row, "timepoint")))
            return true;
    }
    return false;
}

/* The current readings of ready cases only, into t->readings. */
static int ready_readings(fx_store *s, rt_table *t, fx_error *err)
{
    json_t *status = NULL, *all = NULL;
    int rc = fx_consensus_status(s, &status, err);
    if (!rc)
        rc = fx_store_query(s, readings_sql, NULL, 0, &all, err);
    t->readings = json_array();
    for (size_t i = 0; !rc && i < json_array_size(all); i++)
        if (is_ready(status, json_array_get(all, i)))
            json_array_append(t->readings, json_array_get(all, i));
    json_decref(status);
    json_decref(all);
    return rc;
}

static int plan_columns(rt_table *t, fx_error *err)
{
    for (size_t i = 0; i < json_array_size(t->readings); i++) {
        json_t *r = json_array_get(t->readings, i);
        const char *o = str(r, "observer");
        int rep = (int)json_integer_value(json_object_get(r, "repeat_no"));
        size_t k = 0;
        while (k < t->n_obs && strcmp(t->observer[k], o))
            k++;
        if (k == t->n_obs) {
            if (t->n_obs == RT_MAX_OBSERVERS)
                return fx_fail(err, FX_EUNSUPPORTED, "more than %d observers", RT_MAX_OBSERVERS);
            t->observer[t->n_obs] = o, t->repeats[t->n_obs++] = 0;
        }
        t->repeats[k] = rep > t->repeats[k] ? rep : t->repeats[k];
    }
    /* Observers in code order, so that columns do not depend on reading order. */
    for (size_t a = 1; a < t->n_obs; a++)
        for (size_t b = a; b > 0 && strcmp(t->observer[b - 1], t->observer[b]) > 0; b--) {
            const char *o = t->observer[b];
            int r = t->repeats[b];
            t->observer[b] = t->observer[b - 1], t->repeats[b] = t->repeats[b - 1];
            t->observer[b - 1] = o, t->repeats[b - 1] = r;
        }
    for (size_t k = 0; k < t->n_obs; k++)
        t->n_cols += 2 * t->repeats[k];
    if (t->n_cols > RT_MAX_COLS)
        return fx_fail(err, FX_EUNSUPPORTED, "too many observers and repeats for one table");
    return FX_OK;
}

int rt_column(const rt_table *t, size_t obs, int rep, int quantity)
{
    int c = 0;
    if (obs >= t->n_obs || rep < 1 || rep > t->repeats[obs])
        return -1;
    for (size_t i = 0; i < obs; i++)
        c += 2 * t->repeats[i];
    return c + 2 * (rep - 1) + quantity;
}

static bool same_row(json_t *a, json_t *b)
{
    return !strcmp(str(a, "patient"), str(b, "patient")) &&
           !strcmp(str(a, "timepoint"), str(b, "timepoint")) &&
           !strcmp(str(a, "plane"), str(b, "plane"));
}

static double value(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static size_t obs_index(const rt_table *t, const char *o)
{
    size_t k = 0;
    while (k < t->n_obs && strcmp(t->observer[k], o))
        k++;
    return k;
}

static int fill(rt_table *t, fx_error *err)
{
    size_t n = json_array_size(t->readings), cols = t->n_cols ? (size_t)t->n_cols : 1;
    t->v = malloc((n ? n : 1) * cols * sizeof(*t->v));
    t->patient = calloc(n ? n : 1, sizeof(char *));
    t->timepoint = calloc(n ? n : 1, sizeof(char *));
    t->plane = calloc(n ? n : 1, sizeof(char *));
    if (!t->v || !t->patient || !t->timepoint || !t->plane)
        return fx_fail(err, FX_ENOMEM, "out of memory building the readings table");
    for (size_t i = 0; i < n;) {
        json_t *first = json_array_get(t->readings, i);
        double *row = t->v + t->n_rows * cols;
        for (size_t c = 0; c < cols; c++)
            row[c] = NAN;
        t->patient[t->n_rows] = str(first, "patient");
        t->timepoint[t->n_rows] = str(first, "timepoint");
        t->plane[t->n_rows] = str(first, "plane");
        for (; i < n && same_row(first, json_array_get(t->readings, i)); i++) {
            json_t *r = json_array_get(t->readings, i);
            size_t k = obs_index(t, str(r, "observer"));
            int rep = (int)json_integer_value(json_object_get(r, "repeat_no"));
            row[rt_column(t, k, rep, 0)] = value(json_object_get(r, "gap_mm"));
            row[rt_column(t, k, rep, 1)] = value(json_object_get(r, "step_mm"));
        }
        t->n_rows++;
    }
    return FX_OK;
}

int rt_build(fx_store *s, rt_table *t, fx_error *err)
{
    memset(t, 0, sizeof(*t));
    int rc = ready_readings(s, t, err);
    if (!rc)
        rc = plan_columns(t, err);
    if (!rc)
        rc = fill(t, err);
    return rc;
}

void rt_release(rt_table *t)
{
    json_decref(t->readings);
    free(t->v);
    free(t->patient);
    free(t->timepoint);
    free(t->plane);
    memset(t, 0, sizeof(*t));
}

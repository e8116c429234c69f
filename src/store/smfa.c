/*
 * smfa.c - SMFA questionnaires: one form per patient and occasion, its
 * answers item by item (1..5, enforced by the schema too) and its scores.
 * Scoring itself belongs to the outcomes module; this stores what it found.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

int fx_store_smfa_form_add(fx_store *s, const char *patient, const char *occasion,
                           double months_after_surgery, int64_t *form_id, fx_error *err)
{
    fx_patient p;
    char now[32], what[128];
    int rc = fx_store_enum_check("occasion", occasion, err);

    if (!rc && months_after_surgery < 0)
        rc = fx_fail(err, FX_EINVAL, "SMFA form: months after surgery must be >= 0");
    if (!rc)
        rc = fx_store_patient_get(s, patient, &p, err);
    if (rc)
        return rc;
    st_utc_now(now);
    fx_store_field f[] = {fx_sf_int("patient_id", p.id), fx_sf_text("occasion", occasion),
                          fx_sf_real("months_after_surgery", months_after_surgery),
                          fx_sf_text("created_utc", now)};
    snprintf(what, sizeof(what), "smfa form add %s %s", patient, occasion);
    rc = fx_store_insert(s, "smfa_forms", f, 4, what, form_id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc, "patient '%s' already has an SMFA form for '%s'", patient,
                       occasion);
    return rc;
}

int fx_store_smfa_answers_set(fx_store *s, int64_t form_id, const int answers[46], fx_error *err)
{
    char what[96];
    int rc = FX_OK;

    for (int i = 0; i < 46; i++)
        if (answers[i] < 0 || answers[i] > 5)
            return fx_fail(err, FX_EINVAL, "SMFA item %d: answer %d is not 1 to 5 (0: missing)",
                           i + 1, answers[i]);
    rc = fx_store_tx_begin(s, err);
    for (int i = 0; !rc && i < 46; i++) {
        if (!answers[i])
            continue;
        fx_store_field f[] = {fx_sf_int("form_id", form_id), fx_sf_int("item", i + 1),
                              fx_sf_int("answer", answers[i])};
        snprintf(what, sizeof(what), "smfa answer form %lld item %d", (long long)form_id, i + 1);
        rc = fx_store_insert(s, "smfa_answers", f, 3, what, NULL, err);
    }
    if (rc) {
        fx_store_tx_rollback(s);
        return rc;
    }
    return fx_store_tx_commit(s, err);
}

int fx_store_smfa_score_add(fx_store *s, int64_t form_id, const char *scale, double score,
                            int items_used, const char *key_name, const char *key_sha256,
                            fx_error *err)
{
    char what[160];

    if (!scale || !*scale)
        return fx_fail(err, FX_EINVAL, "SMFA score without a scale name");
    if (score < 0 || score > 100 || items_used < 0 || items_used > 46)
        return fx_fail(err, FX_EINVAL, "SMFA %s score %g (%d items) is outside 0..100", scale,
                       score, items_used);
    fx_store_field f[] = {fx_sf_int("form_id", form_id),    fx_sf_text("scale", scale),
                          fx_sf_real("score", score),       fx_sf_int("items_used", items_used),
                          fx_sf_text("key_name", key_name), fx_sf_text("key_sha256", key_sha256)};
    snprintf(what, sizeof(what), "smfa score form %lld %s", (long long)form_id, scale);
    return fx_store_insert(s, "smfa_scores", f, 6, what, NULL, err);
}

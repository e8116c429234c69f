/*
 * smfastore.h - SMFA forms kept in the study: a form is validated, stored
 * item by item (smfa_forms, smfa_answers), scored with the rules of smfa.h
 * and its scores stored beside it (smfa_scores), all in one transaction and
 * through the audit log. Rules and formats: docs/outcomes.md.
 *
 * The study stores no calendar dates (docs/study-store.md, privacy): a form's
 * date is turned into months after surgery, and only those are stored.
 */
#ifndef FXAUDIT_SMFASTORE_H
#define FXAUDIT_SMFASTORE_H

#include <jansson.h>
#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/smfa.h"
#include "fxaudit/store.h"

/* One form to store. */
typedef struct fx_smfa_entry {
    char patient[FX_STORE_CODE_MAX]; /* study code */
    char occasion[16];               /* one of fx_store_enum_values("occasion") */
    double months_after_surgery;     /* NAN when not given; required for "other" */
    int answers[FX_SMFA_ITEMS];      /* answers[i] is item i + 1: 1..5, 0 = missing */
} fx_smfa_entry;

/* How forms are scored: the missing-item rule and an optional subscale key. */
typedef struct fx_smfa_scoring {
    double min_percent;     /* a scale scores with >= this % of its items answered */
    const fx_smfa_key *key; /* NULL: function and bother index only */
    const char *key_name;   /* the key file's name as recorded (basename) */
    char key_sha256[65];    /* the key file's SHA-256 */
} fx_smfa_scoring;

/* Months after surgery (days / (365.25 / 12)) from two dates YYYY-MM-DD.
 * Fails for a malformed date or a form dated before the surgery. */
int fx_smfastore_months(const char *form_date, const char *surgery_date, double *months,
                        fx_error *err);

/* Check `e` (occasion, months, answers) before anything is written. */
int fx_smfastore_check(const fx_smfa_entry *e, fx_error *err);

/* Store one form, its answers and its scores in one transaction (joining the
 * caller's when one is open). On success *out (may be NULL) owns a JSON
 * object describing the stored form and its scores (free with json_decref). */
int fx_smfastore_add(fx_store *s, const fx_smfa_entry *e, const fx_smfa_scoring *sc, json_t **out,
                     fx_error *err);

/* Import every form of a CSV file (columns patient, occasion, optional months
 * or date + surgery_date, item1..item46) in one transaction: any bad row
 * (answer, occasion, unknown patient, form already stored) fails naming the
 * file, line and problem, and nothing is stored. *out (may be NULL) owns a
 * JSON object: file, n_forms and the forms. */
int fx_smfastore_import(fx_store *s, const char *path, const fx_smfa_scoring *sc, json_t **out,
                        fx_error *err);

/* The stored forms (all, or one patient's when `patient` is not NULL), each
 * with its answers and scores. *out owns a JSON object with "forms". */
int fx_smfastore_list(fx_store *s, const char *patient, json_t **out, fx_error *err);

#endif

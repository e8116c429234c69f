/*
 * observers.h - the blinded observer workflow on the study store: observers,
 * their reading lists of blinded cases, and the gap and step-off they record.
 *
 * Blinding is enforced here, not left to good intentions: everything these
 * functions return to an observer names cases by that observer's random case
 * code, never by study code, and holds only that observer's own values. Each
 * observer reads the pre-op and post-op CT of every patient, in an order of
 * their own. A value is never overwritten: a correction is a new measurement
 * that names the one it amends and why (the store's audit log keeps both), and
 * a repeated measurement for intra-observer agreement is marked as a repeat.
 *
 * This module sits above the study store (include/fxaudit/store.h); unblinding
 * for consensus is in consensus.h. JSON results are new references owned by the
 * caller (json_decref).
 */
#ifndef FXAUDIT_OBSERVERS_H
#define FXAUDIT_OBSERVERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/store.h"

/* The planes every case is measured in, and the time points that are read. */
extern const char *const fx_observer_planes[3];     /* axial, coronal, sagittal */
extern const char *const fx_observer_timepoints[2]; /* preop, postop */

/* Add observer `code` (`role` may be NULL; `experience_years` -1 when unknown)
 * and give them a reading list (fx_observers_assign) in the same transaction.
 * *n_cases (may be NULL) gets the number of cases on the list. */
int fx_observers_add(fx_store *s, const char *code, const char *role, int experience_years,
                     size_t *n_cases, fx_error *err);

/* Give `observer` a blinded case for every patient's pre-op and post-op CT that
 * they do not have yet, each with a new random code (unique in the study and
 * unlike any study code) and at a random position after their existing cases.
 * *n_added (may be NULL) gets how many were added. */
int fx_observers_assign(fx_store *s, const char *observer, size_t *n_added, fx_error *err);

/* The observer's reading list, in their order: a JSON array of objects
 * {order, case, timepoint, planes [3], measured [planes done], done}. */
int fx_observers_worklist(fx_store *s, const char *observer, json_t **out, fx_error *err);

/* The observer's reading folder: for each case with a CT series in the study,
 * a copy of the newest one as `dir`/<case code><ext> (NRRD or NIfTI), and
 * `dir`/worklist.json, the worklist with "image" (the file name, or null when
 * the case has no CT yet) added to each case. `dir` is created when absent; an
 * existing file is never replaced. A volume whose header holds the patient's
 * study code is refused (FX_ECONFLICT), and on any failure the files made are
 * removed. On success *worklist owns that list. */
int fx_observers_export(fx_store *s, const char *observer, const char *dir, json_t **worklist,
                        fx_error *err);

/* One recorded reading. */
typedef struct fx_reading {
    const char *observer;  /* observer code */
    const char *case_code; /* the observer's blinded case code */
    const char *timepoint; /* preop | postop: must be the case's (a check on mix-ups) */
    const char *plane;     /* axial | coronal | sagittal */
    double gap_mm;         /* >= 0 */
    double step_mm;        /* >= 0 */
    const char *points;    /* NULL, or a JSON array of points [x, y(, z)] */
    const char *remark;    /* NULL or free text */
    bool repeat;           /* a repeated reading (intra-observer agreement) */
    int64_t amends_id;     /* 0, or the observer's own measurement this corrects */
    const char *reason;    /* why; required with amends_id */
} fx_reading;

/* Validate and record a reading. A second reading of the same case and plane
 * must be marked as a repeat or as an amendment (FX_ECONFLICT otherwise). On
 * success *id and *repeat_no (either may be NULL) describe the new row. */
int fx_observers_record(fx_store *s, const fx_reading *r, int64_t *id, int *repeat_no,
                        fx_error *err);

/* The observer's own measurements, in reading-list order: a JSON array of
 * {id, case, timepoint, plane, gap_mm, step_mm, repeat_no, amends_id,
 * amend_reason, remark, measured_utc, current}. */
int fx_observers_readings(fx_store *s, const char *observer, json_t **out, fx_error *err);

#endif

/*
 * store.h - the study store: one SQLite database (study.db) per study folder,
 * beside the volumes/, meshes/, plans/ and reports/ it refers to.
 *
 * SQLite is used only behind this header. Every write is a transaction and
 * appends an entry to the hash-chained audit log in that same transaction, so
 * a row and its log entry are committed together or not at all. Callers that
 * write several rows wrap them in fx_store_tx_begin/commit; the functions below
 * then join that transaction (as a savepoint) instead of committing alone.
 * The database holds pseudonymised data only: study codes, never names,
 * hospital IDs, birth dates or DICOM UIDs. See docs/study-store.md.
 *
 * Strings in records are copied; records returned by the store are owned by
 * the caller. Lengths are millimetres, angles degrees; NAN means "not given"
 * for optional numbers, an empty string for optional text.
 */
#ifndef FXAUDIT_STORE_H
#define FXAUDIT_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"

#define FX_STORE_SCHEMA_VERSION 3 /* the newest schema this build knows */
#define FX_STORE_DB_NAME "study.db"
#define FX_STORE_CODE_MAX 33 /* study codes: 1..32 of [A-Za-z0-9_-] */

typedef struct fx_store fx_store;

/* ---- opening, closing, transactions -------------------------------------- */

/* Create the study folder `dir` (absent or empty; an existing study or any other
 * content is refused with FX_ECONFLICT) with study.db, volumes/, meshes/, plans/
 * and reports/. On failure nothing is left behind. On success *out owns the
 * open store (close with fx_store_close); `out` may be NULL to just create. */
int fx_store_init(const char *dir, const char *title, fx_store **out, fx_error *err);

/* Open the study in `dir` (or `dir` itself when it names a study.db file),
 * migrating an older schema forward (each step logged). Refuses a database
 * written by a newer fxaudit (FX_EVERSION, naming the file and both versions)
 * and a file that is not an fxaudit study (FX_EFORMAT). */
int fx_store_open(const char *dir, fx_store **out, fx_error *err);
void fx_store_close(fx_store *s); /* NULL is a no-op; rolls back an open transaction */

const char *fx_store_dir(const fx_store *s);    /* the study folder */
const char *fx_store_dbpath(const fx_store *s); /* its study.db */
int fx_store_schema_version(const fx_store *s); /* as read from the file */

/* A write transaction (BEGIN IMMEDIATE; nested calls become savepoints).
 * Every begin is matched by exactly one commit or rollback. */
int fx_store_tx_begin(fx_store *s, fx_error *err);
int fx_store_tx_commit(fx_store *s, fx_error *err);
void fx_store_tx_rollback(fx_store *s);

/* ---- generic rows, for modules that store their own results -------------- */

typedef enum fx_store_type { FX_SV_NULL, FX_SV_INT, FX_SV_REAL, FX_SV_TEXT } fx_store_type;

/* One column = value pair. Build with the helpers below; a NULL text or a NAN
 * real is stored as SQL NULL. */
typedef struct fx_store_field {
    const char *col;
    fx_store_type type;
    int64_t i;
    double d;
    const char *s;
} fx_store_field;

fx_store_field fx_sf_int(const char *col, int64_t v);
fx_store_field fx_sf_real(const char *col, double v);
fx_store_field fx_sf_text(const char *col, const char *v); /* "" is stored as NULL */
fx_store_field fx_sf_null(const char *col);

/* Insert one row into `table` (a schema table other than audit_log) and log it
 * with the sentence `what` ("patient add P01"). CHECK and foreign-key failures
 * come back as FX_EINVAL, uniqueness as FX_ECONFLICT. *id (may be NULL) gets the
 * new row's id. */
int fx_store_insert(fx_store *s, const char *table, const fx_store_field *f, size_t n,
                    const char *what, int64_t *id, fx_error *err);
/* Change columns of row `id`; logged as an update with the new content hash. */
int fx_store_update(fx_store *s, const char *table, int64_t id, const fx_store_field *f, size_t n,
                    const char *what, fx_error *err);

/* Delete row `id` (rarely right: measurements are amended, not deleted);
 * logged as a delete, after which verify expects the row to stay absent. */
int fx_store_delete(fx_store *s, const char *table, int64_t id, const char *what, fx_error *err);

/* Run one read-only SELECT with `n` positional parameters (?1, ?2, ...). On
 * success *rows owns a JSON array of objects, one per row, keys = column names
 * (free with json_decref). A statement that writes is refused. */
int fx_store_query(fx_store *s, const char *sql, const fx_store_field *params, size_t n,
                   json_t **rows, fx_error *err);

/* Append an event (no row) to the audit log: "import of 'x' skipped 3 files". */
int fx_store_log_event(fx_store *s, const char *what, fx_error *err);

/* ---- files in the study folder ------------------------------------------- */

/* A file being added: staged under a temporary name in its folder, hashed,
 * then published under its final name (never replacing an existing file). */
typedef struct fx_store_file {
    char tmp[4096]; /* absolute temporary path; "" once published or discarded */
    char rel[256];  /* final path relative to the study folder */
    char sha256[65];
    int64_t bytes;
    char src[4096]; /* source removed after publishing when moved */
    bool move;
    bool published;
} fx_store_file;

/* Copy (or, when `move`, rename where possible) `src` to a temporary file in
 * `subdir` ("volumes") of the study, synced and hashed; `rel` is to become
 * subdir/name. Nothing is visible under the final name yet. */
int fx_store_file_stage(fx_store *s, const char *src, const char *subdir, const char *name,
                        bool move, fx_store_file *f, fx_error *err);
/* Give the staged file its final name f->rel (the caller may change rel after
 * staging, e.g. to a name chosen under the write lock; it must stay in the
 * same folder). Fails with FX_ECONFLICT if the name is taken.
 * Call inside the transaction that records it, just before committing. */
int fx_store_file_publish(fx_store *s, fx_store_file *f, fx_error *err);
/* After the commit: remove a moved source. Before it (on failure): remove the
 * staged or published copy. */
void fx_store_file_finish(fx_store *s, fx_store_file *f, bool committed);

/* ---- enumerations --------------------------------------------------------- */

/* The allowed values of an enumerated field ("sex", "age_band", "side",
 * "fracture_type", "approach", "mechanism", "plates", "timepoint", "kind",
 * "plane", "occasion", "role", "return_to_work"), NULL-terminated; NULL for an
 * unknown field. They are the schema's CHECK lists (a unit test keeps them so). */
const char *const *fx_store_enum_values(const char *field);
/* FX_OK when `value` is allowed for `field`; otherwise FX_EINVAL with a message
 * listing the allowed values. */
int fx_store_enum_check(const char *field, const char *value, fx_error *err);
/* FX_OK when `code` is a valid study, observer or case code. */
int fx_store_code_check(const char *what, const char *code, fx_error *err);

/* ---- patients ------------------------------------------------------------ */

typedef struct fx_patient {
    int64_t id;
    char code[FX_STORE_CODE_MAX];
    char sex[16];               /* female | male | other | unknown | "" */
    char age_band[16];          /* 0-17, 18-29, ..., 80-89, 90+, unknown | "" */
    char side[16];              /* left | right | bilateral | "" */
    char fracture_type[48];     /* Letournel type, e.g. both-column | "" */
    char approach[32];          /* stoppa, ilioinguinal, ... | "" */
    char mechanism[32];         /* traffic, fall-from-height, ... | "" */
    char plates[32];            /* none | anterior | posterior | anterior-posterior | "" */
    int injury_to_surgery_days; /* -1 when unknown */
    char remark[256];
    char created_utc[32];
} fx_patient;

/* Set every field of `p` to "not given". */
void fx_patient_init(fx_patient *p);
/* Add a patient (code unique; enumerations validated); p->id is set. */
int fx_store_patient_add(fx_store *s, fx_patient *p, fx_error *err);
/* Find a patient by study code (FX_ENOTFOUND when absent). */
int fx_store_patient_get(fx_store *s, const char *code, fx_patient *out, fx_error *err);
/* All patients ordered by code; *out owns an array of *n (free()). */
int fx_store_patient_list(fx_store *s, fx_patient **out, size_t *n, fx_error *err);

/* ---- series (volumes) ---------------------------------------------------- */

typedef struct fx_series_rec {
    int64_t id;                      /* out */
    char patient[FX_STORE_CODE_MAX]; /* the patient's study code */
    int64_t patient_id;              /* out */
    char timepoint[16];              /* preop | postop | followup */
    char kind[8];                    /* ct | labels | mask; "" is ct */
    char modality[16];               /* "CT" or "" */
    double months_after_surgery;     /* NAN when not given */
    int dims[3];
    double spacing_mm[3];
    double origin_mm[3];    /* LPS */
    double dir[9];          /* row-major direction cosines */
    double gantry_tilt_deg; /* NAN when not given */
    int resampled;          /* 0 or 1 */
    char notes[512];        /* "uneven spacing resampled to 1.0 mm", ... */
    char path[256];         /* out: relative to the study folder */
    char sha256[65];        /* out */
    int64_t bytes;          /* out */
} fx_series_rec;

void fx_series_rec_init(fx_series_rec *r);
/* Copy (or move) `file` into the study's volumes/ folder as
 * <patient>_<timepoint>_<n><ext> and record it with its SHA-256, atomically:
 * either the row and the file are both there, or neither is. Fills id, path,
 * sha256 and bytes. */
int fx_store_series_add(fx_store *s, fx_series_rec *r, const char *file, bool move, fx_error *err);

/* ---- observers, blinded cases, measurements ------------------------------ */

int fx_store_observer_add(fx_store *s, const char *code, const char *role, int experience_years,
                          int64_t *id, fx_error *err);
int fx_store_observer_id(fx_store *s, const char *code, int64_t *id, fx_error *err);

/* Give `observer` the case `case_code` for one patient's time point, shown in
 * position `order_index` (1-based) of that observer's reading list. */
int fx_store_case_add(fx_store *s, const char *observer, const char *case_code, const char *patient,
                      const char *timepoint, int order_index, int64_t *id, fx_error *err);

typedef struct fx_measurement {
    const char *observer;       /* observer code */
    const char *case_code;      /* that observer's blinded case code */
    const char *plane;          /* axial | coronal | sagittal */
    double gap_mm;              /* NAN when not measured; >= 0 */
    double step_mm;             /* NAN when not measured; >= 0 */
    const char *landmarks_json; /* NULL or a JSON value of points, LPS mm */
    const char *remark;         /* NULL or free text (never patient identity) */
    int repeat_no;              /* 1 for the first reading; 0 is taken as 1 */
    int64_t amends_id;          /* 0, or the measurement this one corrects */
    const char *amend_reason;   /* required with amends_id */
} fx_measurement;

int fx_store_measurement_add(fx_store *s, const fx_measurement *m, int64_t *id, fx_error *err);

/* ---- SMFA ---------------------------------------------------------------- */

int fx_store_smfa_form_add(fx_store *s, const char *patient, const char *occasion,
                           double months_after_surgery, int64_t *form_id, fx_error *err);
/* Store the answers of a form: answers[i] for item i + 1, 1..5, 0 = missing. */
int fx_store_smfa_answers_set(fx_store *s, int64_t form_id, const int answers[46], fx_error *err);
/* A transformed score 0..100 (NAN when too few items) of `scale`. */
int fx_store_smfa_score_add(fx_store *s, int64_t form_id, const char *scale, double score,
                            int items_used, const char *key_name, const char *key_sha256,
                            fx_error *err);

/* ---- the key file (outside the study) ------------------------------------ */

/* The link from study code to hospital patient ID lives in a separate CSV
 * ("code,hospital_id", mode 0600) that the study never needs. Adding refuses a
 * key file inside a study folder, a file others can read, and a code or
 * hospital ID already linked (FX_ECONFLICT); the file is created when absent.
 * Messages never quote a hospital ID. */
int fx_store_keyfile_add(const char *path, const char *code, const char *hospital_id,
                         fx_error *err);
/* The hospital ID of `code` into out[n] (FX_ENOTFOUND when not linked). */
int fx_store_keyfile_find(const char *path, const char *code, char *hospital_id, size_t n,
                          fx_error *err);
/* The code linked to `hospital_id` into out[n]. */
int fx_store_keyfile_code(const char *path, const char *hospital_id, char *code, size_t n,
                          fx_error *err);

/* ---- verification and summary -------------------------------------------- */

typedef struct fx_store_problem {
    char check[16]; /* integrity | foreign_keys | triggers | chain | rows | files */
    char table[40];
    int64_t row; /* row id (audit_log: seq); 0 when not about one row */
    char msg[320];
} fx_store_problem;

typedef struct fx_store_verify_result {
    size_t log_rows, rows_checked, files_checked;
    char head_hash[65]; /* hash of the last log entry */
    size_t n_problems;
    fx_store_problem *problems; /* owned; release with fx_store_verify_release */
    size_t n_warnings;
    fx_store_problem *warnings; /* e.g. files in the study folder nobody recorded */
} fx_store_verify_result;

/* Check the study: PRAGMA integrity_check, foreign keys, the append-only
 * triggers, the audit-log hash chain, every row against its last log entry
 * and every recorded file against its SHA-256. Returns FX_OK when the checks
 * ran (problems are in *r); an error only when they could not run. */
int fx_store_verify(fx_store *s, fx_store_verify_result *r, fx_error *err);
void fx_store_verify_release(fx_store_verify_result *r);

/* Is `hash` (a head hash written down earlier) still an entry of the log? A
 * verified chain that contains it proves every entry up to it unchanged, even
 * against someone who recomputed the chain. *seq (may be NULL) gets its row;
 * FX_ENOTFOUND when the log no longer has it. */
int fx_store_verify_anchor(fx_store *s, const char *hash, int64_t *seq, fx_error *err);

/* A summary: study title, creation, schema version, rows per table, log
 * length and head hash. *out owns a JSON object. */
int fx_store_info(fx_store *s, json_t **out, fx_error *err);

#endif

/*
 * test_store.c - the study store against independent truths: the SQLite file
 * format's header fields, the published SHA-256 test vector, the canonical
 * forms documented in docs/study-store.md rebuilt here by hand, and the
 * schema's own CHECK constraints reached without the C-side validation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fxaudit/datapath.h"
#include "fxaudit/hash.h"
#include "fxaudit/store.h"

/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

typedef struct fixture {
    char root[256]; /* a fresh temporary folder */
    char dir[300];  /* root/study */
    fx_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    snprintf(f->root, sizeof(f->root), "%s/fxstoreXXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->root))
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/study", f->root);
    fx_error err;
    if (fx_store_init(f->dir, "unit", &f->s, &err)) {
        fprintf(stderr, "# %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[300];
    fx_store_close(f->s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static fx_patient patient(const char *code)
{
    fx_patient p;
    fx_patient_init(&p);
    snprintf(p.code, sizeof(p.code), "%s", code);
    return p;
}

static int64_t count(fx_store *s, const char *sql)
{
    json_t *rows = NULL;
    assert_int_equal(fx_store_query(s, sql, NULL, 0, &rows, NULL), FX_OK);
    int64_t n = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
    json_decref(rows);
    return n;
}

/* Read 4 big-endian bytes at `off` of a file (SQLite header fields). */
static uint32_t header_u32(const char *path, long off)
{
    unsigned char b[4] = {0};
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fread(b, 1, 4, fp), 4);
    fclose(fp);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void write_header_u32(const char *path, long off, uint32_t v)
{
    unsigned char b[4] = {v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255};
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, off, SEEK_SET), 0);
    assert_int_equal(fwrite(b, 1, 4, fp), 4);
    fclose(fp);
}

static void a_new_study_has_its_folders_and_the_newest_schema_version_in_the_file_header(void **state)
{
    fixture *f = *state;
    char path[400];
    struct stat sb;
    static const char *const subs[] = {"volumes", "meshes", "plans", "reports"};

    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, subs[i]);
        assert_int_equal(stat(path, &sb), 0);
        assert_true(S_ISDIR(sb.st_mode));
    }
    fx_store_close(f->s);
    f->s = NULL;
    snprintf(path, sizeof(path), "%s/study.db", f->dir);
    /* SQLite file format: user_version at byte 60, application_id at byte 68. */
    assert_int_equal(header_u32(path, 60), FX_STORE_SCHEMA_VERSION);
    assert_int_equal(FX_STORE_SCHEMA_VERSION, 3);
    assert_int_equal(header_u32(path, 68), 0x46584155); /* 'FXAU' */
}

static void init_refuses_an_existing_study_and_a_non_empty_folder(void **state)
{
    fixture *f = *state;
    fx_error err;
    char other[300];

    assert_int_equal(fx_store_init(f->dir, NULL, NULL, &err), FX_ECONFLICT);
    assert_non_null(strstr(err.msg, "already a study"));
    assert_int_equal(fx_store_init(f->root, NULL, NULL, &err), FX_ECONFLICT);
    assert_non_null(strstr(err.msg, "not empty"));
    snprintf(other, sizeof(other), "%s/study/plans", f->root); /* exists, empty: allowed */
    assert_int_equal(fx_store_init(other, NULL, NULL, &err), FX_OK);
}

static void a_database_of_a_newer_schema_version_is_refused_naming_file_and_versions(void **state)
{
    fixture *f = *state;
    fx_error err;
    char path[400];
    fx_store *s = NULL;

    fx_store_close(f->s);
    f->s = NULL;
    snprintf(path, sizeof(path), "%s/study.db", f->dir);
    write_header_u32(path, 60, 4);
    assert_int_equal(fx_store_open(f->dir, &s, &err), FX_EVERSION);
    assert_null(s);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "schema version 4"));
    assert_non_null(strstr(err.msg, "up to 3"));
    assert_int_equal(header_u32(path, 60), 4); /* never silently downgraded */
}

static void a_file_that_is_not_an_fxaudit_study_is_refused(void **state)
{
    fixture *f = *state;
    fx_error err;
    char path[400];
    fx_store *s = NULL;

    fx_store_close(f->s);
    f->s = NULL;
    snprintf(path, sizeof(path), "%s/study.db", f->dir);
    write_header_u32(path, 68, 0x12345678); /* another application's SQLite file */
    assert_int_equal(fx_store_open(f->dir, &s, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, "not an fxaudit study"));
    FILE *fp = fopen(path, "w");
    fputs("patient list, not a database\n", fp);
    fclose(fp);
    assert_int_equal(fx_store_open(f->dir, &s, &err), FX_EFORMAT);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "not an fxaudit study"));
}

static void the_schema_rejects_an_smfa_answer_of_7(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    int64_t form = 0;
    fx_error err;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    assert_int_equal(fx_store_smfa_form_add(f->s, "P01", "3-months", 3, &form, NULL), FX_OK);
    /* Straight to SQL, past the C checks: the CHECK constraint itself refuses. */
    fx_store_field row[] = {fx_sf_int("form_id", form), fx_sf_int("item", 12),
                            fx_sf_int("answer", 7)};
    assert_int_equal(fx_store_insert(f->s, "smfa_answers", row, 3, "test", NULL, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "CHECK"));
    row[2] = fx_sf_int("answer", 5);
    row[1] = fx_sf_int("item", 47);
    assert_int_equal(fx_store_insert(f->s, "smfa_answers", row, 3, "test", NULL, NULL), FX_EINVAL);
    int answers[46] = {0};
    answers[0] = 7;
    assert_int_equal(fx_store_smfa_answers_set(f->s, form, answers, NULL), FX_EINVAL);
    for (int i = 0; i < 46; i++)
        answers[i] = 1 + i % 5;
    assert_int_equal(fx_store_smfa_answers_set(f->s, form, answers, NULL), FX_OK);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM smfa_answers"), 46);
    assert_int_equal(count(f->s, "SELECT sum(answer) AS n FROM smfa_answers"), 9 * 15 + 1);
}

static void measure_setup(fx_store *s)
{
    fx_patient p = patient("P01");
    assert_int_equal(fx_store_patient_add(s, &p, NULL), FX_OK);
    assert_int_equal(fx_store_observer_add(s, "OBS1", "surgeon", 12, NULL, NULL), FX_OK);
    assert_int_equal(fx_store_case_add(s, "OBS1", "C07", "P01", "postop", 1, NULL, NULL), FX_OK);
}

static void the_schema_rejects_a_negative_gap(void **state)
{
    fixture *f = *state;
    fx_error err;

    measure_setup(f->s);
    fx_store_field row[] = {fx_sf_int("observer_id", 1), fx_sf_int("case_id", 1),
                            fx_sf_text("plane", "axial"), fx_sf_real("gap_mm", -0.5),
                            fx_sf_text("measured_utc", "2026-01-01T00:00:00.000Z")};
    assert_int_equal(fx_store_insert(f->s, "measurements", row, 5, "test", NULL, &err), FX_EINVAL);
    assert_non_null(strstr(err.msg, "CHECK"));
    fx_measurement m = {
        .observer = "OBS1", .case_code = "C07", .plane = "axial", .gap_mm = -0.5, .step_mm = NAN};
    assert_int_equal(fx_store_measurement_add(f->s, &m, NULL, NULL), FX_EINVAL);
    m.gap_mm = 2.5;
    assert_int_equal(fx_store_measurement_add(f->s, &m, NULL, NULL), FX_OK);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM measurements"), 1);
}

static void an_amendment_needs_a_reason_and_replaces_the_current_value(void **state)
{
    fixture *f = *state;
    int64_t first = 0;

    measure_setup(f->s);
    fx_measurement m = {
        .observer = "OBS1", .case_code = "C07", .plane = "coronal", .gap_mm = 4, .step_mm = 1};
    assert_int_equal(fx_store_measurement_add(f->s, &m, &first, NULL), FX_OK);
    assert_int_equal(fx_store_measurement_add(f->s, &m, NULL, NULL), FX_ECONFLICT);
    m.amends_id = first;
    m.gap_mm = 3;
    assert_int_equal(fx_store_measurement_add(f->s, &m, NULL, NULL), FX_EINVAL);
    m.amend_reason = "measured on the wrong slice";
    assert_int_equal(fx_store_measurement_add(f->s, &m, NULL, NULL), FX_OK);
    assert_int_equal(count(f->s, "SELECT CAST(sum(gap_mm) AS INTEGER) AS n FROM measurement_view "
                                 "WHERE current "
                                 "AND patient = 'P01' AND timepoint = 'postop'"),
                     3);
}

/* Every value the C lists allow passes the schema's CHECK, and a wrong one fails. */
static void the_enumeration_lists_agree_with_the_schema(void **state)
{
    fixture *f = *state;
    static const char *const fields[] = {"sex",      "age_band",  "side",  "fracture_type",
                                         "approach", "mechanism", "plates"};
    char code[32];
    int n = 0;

    for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        const char *const *v = fx_store_enum_values(fields[i]);
        assert_non_null(v);
        for (; *v; v++) {
            snprintf(code, sizeof(code), "E%d", n++);
            fx_store_field row[] = {fx_sf_text("code", code), fx_sf_text(fields[i], *v),
                                    fx_sf_text("created_utc", "x")};
            assert_int_equal(fx_store_insert(f->s, "patients", row, 3, "t", NULL, NULL), FX_OK);
        }
        fx_store_field bad[] = {fx_sf_text("code", "BAD"), fx_sf_text(fields[i], "bogus"),
                                fx_sf_text("created_utc", "x")};
        assert_int_equal(fx_store_insert(f->s, "patients", bad, 3, "t", NULL, NULL), FX_EINVAL);
    }
    assert_int_equal(fx_store_enum_values("fracture_type")[10], NULL); /* 5 + 5 Letournel */
    const char *const *t = fx_store_enum_values("timepoint");
    for (int k = 0; t[k]; k++) {
        fx_store_field row[] = {fx_sf_int("patient_id", 1), fx_sf_text("timepoint", t[k]),
                                fx_sf_text("plane", "max"), fx_sf_text("method", "mean"),
                                fx_sf_text("created_utc", "x")};
        assert_int_equal(fx_store_insert(f->s, "consensus", row, 5, "t", NULL, NULL), FX_OK);
    }
    const char *const *r = fx_store_enum_values("role");
    for (int k = 0; r[k]; k++) {
        snprintf(code, sizeof(code), "O%d", k);
        assert_int_equal(fx_store_observer_add(f->s, code, r[k], -1, NULL, NULL), FX_OK);
    }
    const char *const *o = fx_store_enum_values("occasion");
    for (int k = 0; o[k]; k++)
        assert_int_equal(fx_store_smfa_form_add(f->s, "E0", o[k], NAN, NULL, NULL), FX_OK);
    const char *const *w = fx_store_enum_values("return_to_work");
    for (int k = 0; w[k]; k++) {
        fx_store_field row[] = {fx_sf_int("patient_id", 1), fx_sf_real("months_after_surgery", k),
                                fx_sf_text("return_to_work", w[k]), fx_sf_text("created_utc", "x")};
        assert_int_equal(fx_store_insert(f->s, "outcomes", row, 4, "t", NULL, NULL), FX_OK);
    }
}

/* <length>:<bytes>, as docs/study-store.md describes. */
static size_t lp(char *out, size_t at, const char *s)
{
    return at + (size_t)snprintf(out + at, 2048 - at, "%zu:%s", strlen(s), s);
}

static void log_entries_hash_the_documented_canonical_forms(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P09");
    char buf[2048], hex[FX_SHA256_HEX];
    size_t n = 0;

    snprintf(p.sex, sizeof(p.sex), "male");
    p.injury_to_surgery_days = 4;
    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    /* The row: table, then each non-NULL column as name, type letter, value. */
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)p.id);
    n = lp(buf, n, "patients");
    n = lp(buf, n, "id"), buf[n++] = 'i', n = lp(buf, n, id);
    n = lp(buf, n, "code"), buf[n++] = 't', n = lp(buf, n, "P09");
    n = lp(buf, n, "sex"), buf[n++] = 't', n = lp(buf, n, "male");
    n = lp(buf, n, "injury_to_surgery_days"), buf[n++] = 'i', n = lp(buf, n, "4");
    n = lp(buf, n, "created_utc"), buf[n++] = 't', n = lp(buf, n, p.created_utc);
    fx_sha256_buf(buf, n, hex);

    json_t *rows = NULL;
    assert_int_equal(fx_store_query(f->s, "SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1", NULL,
                                    0, &rows, NULL),
                     FX_OK);
    json_t *e = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(e, "content_hash")), hex);
    assert_string_equal(json_string_value(json_object_get(e, "what")), "patient add P09");

    /* The entry: a tag, then its fields in order, then prev_hash. */
    char seq[24], row_id[24];
    snprintf(seq, sizeof(seq), "%lld", (long long)json_integer_value(json_object_get(e, "seq")));
    snprintf(row_id, sizeof(row_id), "%lld", (long long)p.id);
    n = 0;
    n = lp(buf, n, "fxaudit-log-1");
    n = lp(buf, n, seq);
    n = lp(buf, n, json_string_value(json_object_get(e, "at_utc")));
    n = lp(buf, n, json_string_value(json_object_get(e, "who")));
    n = lp(buf, n, "insert");
    n = lp(buf, n, "patients");
    n = lp(buf, n, row_id);
    n = lp(buf, n, "patient add P09");
    n = lp(buf, n, hex);
    n = lp(buf, n, json_string_value(json_object_get(e, "prev_hash")));
    fx_sha256_buf(buf, n, hex);
    assert_string_equal(json_string_value(json_object_get(e, "hash")), hex);
    json_decref(rows);
}

static void a_rolled_back_transaction_leaves_neither_row_nor_log_entry(void **state)
{
    fixture *f = *state;
    fx_patient a = patient("A1"), b = patient("B1"), dup = patient("A1");
    int64_t log0 = count(f->s, "SELECT count(*) AS n FROM audit_log");

    assert_int_equal(fx_store_tx_begin(f->s, NULL), FX_OK);
    assert_int_equal(fx_store_patient_add(f->s, &a, NULL), FX_OK);
    /* A failed write inside the caller's transaction undoes only itself. */
    assert_int_equal(fx_store_patient_add(f->s, &dup, NULL), FX_ECONFLICT);
    assert_int_equal(fx_store_patient_add(f->s, &b, NULL), FX_OK);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM patients"), 2);
    fx_store_tx_rollback(f->s);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM patients"), 0);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM audit_log"), log0);
    fx_patient got;
    assert_int_equal(fx_store_patient_get(f->s, "A1", &got, NULL), FX_ENOTFOUND);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static fx_series_rec series_for(const char *code)
{
    fx_series_rec r;
    fx_series_rec_init(&r);
    snprintf(r.patient, sizeof(r.patient), "%s", code);
    snprintf(r.timepoint, sizeof(r.timepoint), "postop");
    r.dims[0] = 512, r.dims[1] = 512, r.dims[2] = 300;
    r.spacing_mm[0] = r.spacing_mm[1] = 0.7, r.spacing_mm[2] = 1.0;
    r.gantry_tilt_deg = 18.5;
    r.resampled = 1;
    return r;
}

static void series_add_moves_the_file_into_volumes_with_its_sha256(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    fx_series_rec r = series_for("P01");
    char src[300], dst[600];
    fx_store_verify_result v;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    snprintf(src, sizeof(src), "%s/ct.nrrd", f->root);
    write_file(src, "abc");
    assert_int_equal(fx_store_series_add(f->s, &r, src, true, NULL), FX_OK);
    assert_string_equal(r.path, "volumes/P01_postop_1.nrrd");
    assert_string_equal(r.sha256, SHA_ABC);
    assert_int_equal(r.bytes, 3);
    assert_int_equal(access(src, F_OK), -1); /* moved */
    snprintf(dst, sizeof(dst), "%s/%s", f->dir, r.path);
    assert_int_equal(access(dst, R_OK), 0);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0);
    assert_int_equal(v.files_checked, 1);
    fx_store_verify_release(&v);
    write_file(dst, "abd"); /* a changed volume is found */
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 1);
    assert_string_equal(v.problems[0].check, "files");
    assert_string_equal(v.problems[0].table, "series");
    fx_store_verify_release(&v);
}

static void a_failed_series_add_leaves_no_file_and_no_row(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    fx_series_rec r = series_for("P01");
    char src[320], vol[320];

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    snprintf(src, sizeof(src), "%s/ct.nrrd", f->root);
    write_file(src, "abc");
    r.spacing_mm[2] = 0; /* refused before anything is written */
    assert_int_equal(fx_store_series_add(f->s, &r, src, false, NULL), FX_EINVAL);
    r = series_for("NOPE");
    assert_int_equal(fx_store_series_add(f->s, &r, src, false, NULL), FX_ENOTFOUND);
    /* A CHECK failure after the file was staged: the copy is removed again. */
    r = series_for("P01");
    r.gantry_tilt_deg = 120;
    assert_int_equal(fx_store_series_add(f->s, &r, src, false, NULL), FX_EINVAL);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM series"), 0);
    snprintf(vol, sizeof(vol), "%s/volumes", f->dir);
    int files = 0;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"", vol);
    files = system(cmd);
    assert_int_equal(files, 0);
    assert_int_equal(access(src, F_OK), 0); /* a copy never touches its source */
}

static void a_logged_update_verifies_and_the_log_cannot_be_written_directly(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    fx_store_verify_result v;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    fx_store_field sex[] = {fx_sf_text("sex", "female")};
    assert_int_equal(fx_store_update(f->s, "patients", p.id, sex, 1, "patient set sex", NULL),
                     FX_OK);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0);
    assert_int_equal(v.rows_checked, 2); /* study + patient */
    fx_store_verify_release(&v);
    fx_store_field audit[] = {fx_sf_text("who", "mallory")};
    fx_error err;
    assert_int_equal(fx_store_update(f->s, "audit_log", 1, audit, 1, "t", &err), FX_EINVAL);
}

static void a_logged_delete_verifies_and_the_row_must_stay_gone(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01"), q = patient("P02");
    fx_store_verify_result v;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    assert_int_equal(fx_store_patient_add(f->s, &q, NULL), FX_OK);
    assert_int_equal(fx_store_delete(f->s, "patients", p.id, "patient delete P01", NULL), FX_OK);
    assert_int_equal(fx_store_delete(f->s, "patients", p.id, "again", NULL), FX_ENOTFOUND);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0);
    fx_store_verify_release(&v);
}

/* Fork a child that adds a series with FXAUDIT_TEST_SLOW_WRITE set, kill -9 it
 * inside its transaction, and look at what is left. */
static void a_kill_during_series_add_leaves_the_database_as_it_was(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    char src[320], mark[320];
    fx_store_verify_result v;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    int64_t log0 = count(f->s, "SELECT count(*) AS n FROM audit_log");
    snprintf(src, sizeof(src), "%s/ct.nrrd", f->root);
    snprintf(mark, sizeof(mark), "%s/inside", f->root);
    write_file(src, "abc");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fx_store *s = NULL;
        fx_series_rec r = series_for("P01");
        setenv("FXAUDIT_TEST_SLOW_WRITE", "30", 1);
        setenv("FXAUDIT_TEST_SLOW_WRITE_MARK", mark, 1);
        if (fx_store_open(f->dir, &s, NULL) || fx_store_series_add(s, &r, src, false, NULL))
            _exit(3);
        _exit(0); /* not reached within 30 s */
    }
    for (int i = 0; i < 200 && access(mark, F_OK) != 0; i++)
        usleep(50000);
    assert_int_equal(access(mark, F_OK), 0);
    kill(pid, SIGKILL);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    fx_store_close(f->s);
    assert_int_equal(fx_store_open(f->dir, &f->s, NULL), FX_OK);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM series"), 0);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM audit_log"), log0);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0);
    assert_int_equal(v.n_warnings, 1); /* the copy that was never recorded */
    assert_non_null(strstr(v.warnings[0].msg, "'volumes/P01_postop_1.nrrd' is not recorded"));
    fx_store_verify_release(&v);
    /* The unrecorded copy does not block the next add. */
    fx_series_rec r = series_for("P01");
    assert_int_equal(fx_store_series_add(f->s, &r, src, false, NULL), FX_OK);
    assert_string_equal(r.path, "volumes/P01_postop_2.nrrd");
}

/* Internal (src/store/store_int.h): migrate beyond FX_STORE_SCHEMA_VERSION, so
 * that the migration mechanism is tested on a step this build does not know. */
int st_migrate_to(fx_store *s, int target, fx_error *err);

/* A data folder holding the real schema steps up to this build's version and a
 * test step after them. */
static void data_dir_with_test_step(const fixture *f, const char *sql, char *dir, size_t n)
{
    static const char *const real[] = {"001_initial.sql", "002_audit_results.sql",
                                       "003_dome_methods.sql"};
    char src[600], link_to[800], sub[700];
    snprintf(dir, n, "%s/data", f->root);
    snprintf(sub, sizeof(sub), "%s/schema", dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(mkdir(sub, 0777), 0);
    for (int i = 0; i < FX_STORE_SCHEMA_VERSION; i++) {
        snprintf(link_to, sizeof(link_to), "schema/%s", real[i]);
        assert_int_equal(fx_data_path(link_to, src, sizeof(src), NULL), FX_OK);
        snprintf(link_to, sizeof(link_to), "%s/%s", sub, real[i]);
        assert_int_equal(symlink(src, link_to), 0);
    }
    snprintf(sub, sizeof(sub), "%s/schema/%03d_test.sql", dir, FX_STORE_SCHEMA_VERSION + 1);
    write_file(sub, sql);
    setenv("FXAUDIT_DATA_DIR", dir, 1);
}

static void a_migration_adds_a_column_without_changing_old_rows_hashes(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    char dir[400];
    fx_store_verify_result v;
    fx_error err;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    data_dir_with_test_step(f,
                         "ALTER TABLE patients ADD COLUMN bmi_band TEXT "
                         "CHECK (bmi_band IN ('<25', '25-30', '>30'));\n",
                         dir, sizeof(dir));
    assert_int_equal(st_migrate_to(f->s, 4, &err), FX_OK);
    assert_int_equal(fx_store_schema_version(f->s), 4);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM audit_log WHERE what LIKE "
                                 "'schema migrated to version 4 (004_test.sql, sha256 %'"),
                     1);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0); /* P01's hash is what it was */
    fx_store_verify_release(&v);
    fx_store_field row[] = {fx_sf_text("code", "P02"), fx_sf_text("bmi_band", "25-30"),
                            fx_sf_text("created_utc", "x")};
    assert_int_equal(fx_store_insert(f->s, "patients", row, 3, "t", NULL, NULL), FX_OK);
    fx_store_close(f->s);
    f->s = NULL;
    /* This build knows up to version 3: the migrated study is now "newer". */
    assert_int_equal(fx_store_open(f->dir, &f->s, &err), FX_EVERSION);
    unsetenv("FXAUDIT_DATA_DIR");
}

static void a_failing_migration_leaves_the_study_at_its_version(void **state)
{
    fixture *f = *state;
    char dir[400];
    fx_error err;

    data_dir_with_test_step(f,
                         "ALTER TABLE patients ADD COLUMN half_done TEXT;\n"
                         "INSERT INTO no_such_table VALUES (1);\n",
                         dir, sizeof(dir));
    int64_t log0 = count(f->s, "SELECT count(*) AS n FROM audit_log");
    assert_int_equal(st_migrate_to(f->s, 4, &err), FX_EIO);
    assert_non_null(strstr(err.msg, "004_test.sql"));
    assert_int_equal(fx_store_schema_version(f->s), 3);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM pragma_table_info('patients') "
                                 "WHERE name = 'half_done'"),
                     0);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM audit_log"), log0);
    unsetenv("FXAUDIT_DATA_DIR");
}

/* A study written by a version-1 build: the tables of step 2 dropped and the
 * header set back to 1 behind the store's back, as that build left it. */
static void make_version_1(const char *dbpath)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE fragment_deviations; DROP TABLE plate_deviations;"
                                  "DROP TABLE registration_residuals; DROP TABLE dome_estimates;"
                                  "PRAGMA user_version = 1;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

static void a_version_1_study_is_upgraded_on_open_keeping_its_rows(void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    char path[400];
    fx_store_verify_result v;
    fx_error err;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    fx_store_close(f->s);
    f->s = NULL;
    snprintf(path, sizeof(path), "%s/study.db", f->dir);
    make_version_1(path);
    assert_int_equal(header_u32(path, 60), 1);
    assert_int_equal(fx_store_open(f->dir, &f->s, &err), FX_OK);
    assert_int_equal(fx_store_schema_version(f->s), 3);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' "
                                 "AND name IN ('fragment_deviations', 'plate_deviations', "
                                 "'registration_residuals', 'dome_estimates')"),
                     4);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM patients WHERE code = 'P01'"), 1);
    assert_int_equal(fx_store_verify(f->s, &v, NULL), FX_OK);
    assert_int_equal(v.n_problems, 0);
    fx_store_verify_release(&v);
}

/* A study written by a version-2 build: dome_estimates as step 2 made it (one
 * row per patient, time point and plane), holding two rows, and the header set
 * back to 2 behind the store's back. */
static void make_version_2(const char *dbpath)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DROP TABLE dome_estimates;"
                     "CREATE TABLE dome_estimates (id INTEGER PRIMARY KEY, patient_id INTEGER "
                     "NOT NULL REFERENCES patients(id), series_id INTEGER REFERENCES series(id), "
                     "timepoint TEXT NOT NULL, plane TEXT NOT NULL, gap_mm REAL, step_mm REAL, "
                     "gap_area_mm2 REAL, method TEXT NOT NULL, created_utc TEXT NOT NULL, "
                     "UNIQUE (patient_id, timepoint, plane));"
                     "INSERT INTO dome_estimates VALUES (7, 1, NULL, 'postop', 'axial', 1.5, "
                     "0.25, 40, 'ct method', 'x'), (9, 1, NULL, 'postop', 'max', 2, 0.5, 40, "
                     "'ct method', 'x');"
                     "PRAGMA user_version = 2;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
}

static void a_version_2_study_is_upgraded_keeping_its_dome_estimates_and_takes_a_second_method(
    void **state)
{
    fixture *f = *state;
    fx_patient p = patient("P01");
    char path[400];
    fx_error err;

    assert_int_equal(fx_store_patient_add(f->s, &p, NULL), FX_OK);
    fx_store_close(f->s);
    f->s = NULL;
    snprintf(path, sizeof(path), "%s/study.db", f->dir);
    make_version_2(path);
    assert_int_equal(fx_store_open(f->dir, &f->s, &err), FX_OK);
    assert_int_equal(fx_store_schema_version(f->s), 3);
    assert_int_equal(count(f->s, "SELECT count(*) AS n FROM dome_estimates WHERE (id = 7 AND "
                                 "plane = 'axial' AND gap_mm = 1.5 AND step_mm = 0.25 AND "
                                 "method = 'ct method') OR (id = 9 AND plane = 'max' AND "
                                 "gap_mm = 2)"),
                     2);
    fx_store_field row[] = {fx_sf_int("patient_id", 1),        fx_sf_text("timepoint", "postop"),
                            fx_sf_text("plane", "axial"),       fx_sf_real("gap_mm", 1.4),
                            fx_sf_text("method", "plan method"), fx_sf_text("created_utc", "y")};
    assert_int_equal(fx_store_insert(f->s, "dome_estimates", row, 6, "t", NULL, NULL), FX_OK);
    /* the same method twice for one plane is still refused */
    assert_int_equal(fx_store_insert(f->s, "dome_estimates", row, 6, "t", NULL, NULL),
                     FX_ECONFLICT);
    /* the new table's CHECKs hold */
    fx_store_field bad[] = {fx_sf_int("patient_id", 1),      fx_sf_text("timepoint", "postop"),
                            fx_sf_text("plane", "oblique"),   fx_sf_real("gap_mm", 1),
                            fx_sf_text("method", "m"),        fx_sf_text("created_utc", "y")};
    assert_int_not_equal(fx_store_insert(f->s, "dome_estimates", bad, 6, "t", NULL, NULL), FX_OK);
}

static void a_query_that_writes_is_refused(void **state)
{
    fixture *f = *state;
    json_t *rows = NULL;
    assert_int_equal(fx_store_query(f->s, "DELETE FROM patients", NULL, 0, &rows, NULL), FX_EINVAL);
    assert_null(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_new_study_has_its_folders_and_the_newest_schema_version_in_the_file_header, setup, teardown),
        cmocka_unit_test_setup_teardown(init_refuses_an_existing_study_and_a_non_empty_folder,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_database_of_a_newer_schema_version_is_refused_naming_file_and_versions, setup,
            teardown),
        cmocka_unit_test_setup_teardown(a_file_that_is_not_an_fxaudit_study_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_schema_rejects_an_smfa_answer_of_7, setup, teardown),
        cmocka_unit_test_setup_teardown(the_schema_rejects_a_negative_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(an_amendment_needs_a_reason_and_replaces_the_current_value,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(the_enumeration_lists_agree_with_the_schema, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(log_entries_hash_the_documented_canonical_forms, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_rolled_back_transaction_leaves_neither_row_nor_log_entry,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(series_add_moves_the_file_into_volumes_with_its_sha256,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_failed_series_add_leaves_no_file_and_no_row, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_logged_update_verifies_and_the_log_cannot_be_written_directly, setup, teardown),
        cmocka_unit_test_setup_teardown(a_logged_delete_verifies_and_the_row_must_stay_gone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_kill_during_series_add_leaves_the_database_as_it_was,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_migration_adds_a_column_without_changing_old_rows_hashes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_failing_migration_leaves_the_study_at_its_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_version_2_study_is_upgraded_keeping_its_dome_estimates_and_takes_a_second_method,
            setup, teardown),
        cmocka_unit_test_setup_teardown(a_version_1_study_is_upgraded_on_open_keeping_its_rows,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_query_that_writes_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

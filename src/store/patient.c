/*
 * patient.c - patients: a study code and the clinical classification the
 * study analyses, and nothing that identifies the person.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define PATIENT_COLS                                                                               \
    "id, code, sex, age_band, side, fracture_type, approach, mechanism, plates, "                  \
    "injury_to_surgery_days, remark, created_utc"

void fx_patient_init(fx_patient *p)
{
    memset(p, 0, sizeof(*p));
    p->injury_to_surgery_days = -1;
}

static int validate(const fx_patient *p, fx_error *err)
{
    static const char *const fields[] = {"sex",      "age_band",  "side",  "fracture_type",
                                         "approach", "mechanism", "plates"};
    const char *values[] = {p->sex,      p->age_band,  p->side,  p->fracture_type,
                            p->approach, p->mechanism, p->plates};
    int rc = fx_store_code_check("patient", p->code, err);

    for (size_t i = 0; !rc && i < sizeof(fields) / sizeof(*fields); i++)
        if (values[i][0])
            rc = fx_store_enum_check(fields[i], values[i], err);
    if (!rc && p->injury_to_surgery_days < -1)
        rc = fx_fail(err, FX_EINVAL, "injury to surgery days must be >= 0, not %d",
                     p->injury_to_surgery_days);
    return rc;
}

int fx_store_patient_add(fx_store *s, fx_patient *p, fx_error *err)
{
    char what[96];
    int rc = validate(p, err);

    if (rc)
        return rc;
    st_utc_now(p->created_utc);
    fx_store_field f[] = {
        fx_sf_text("code", p->code),
        fx_sf_text("sex", p->sex),
        fx_sf_text("age_band", p->age_band),
        fx_sf_text("side", p->side),
        fx_sf_text("fracture_type", p->fracture_type),
        fx_sf_text("approach", p->approach),
        fx_sf_text("mechanism", p->mechanism),
        fx_sf_text("plates", p->plates),
        p->injury_to_surgery_days >= 0
            ? fx_sf_int("injury_to_surgery_days", p->injury_to_surgery_days)
            : fx_sf_null("injury_to_surgery_days"),
        fx_sf_text("remark", p->remark),
        fx_sf_text("created_utc", p->created_utc),
    };
    snprintf(what, sizeof(what), "patient add %s", p->code);
    rc = fx_store_insert(s, "patients", f, sizeof(f) / sizeof(*f), what, &p->id, err);
    if (rc == FX_ECONFLICT)
        return fx_fail(err, rc, "patient '%s' already exists in '%s'", p->code, s->dbpath);
    return rc;
}

static void copy_text(char *dst, size_t n, sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static void read_patient(sqlite3_stmt *st, fx_patient *p)
{
    fx_patient_init(p);
    p->id = sqlite3_column_int64(st, 0);
    copy_text(p->code, sizeof(p->code), st, 1);
    copy_text(p->sex, sizeof(p->sex), st, 2);
    copy_text(p->age_band, sizeof(p->age_band), st, 3);
    copy_text(p->side, sizeof(p->side), st, 4);
    copy_text(p->fracture_type, sizeof(p->fracture_type), st, 5);
    copy_text(p->approach, sizeof(p->approach), st, 6);
    copy_text(p->mechanism, sizeof(p->mechanism), st, 7);
    copy_text(p->plates, sizeof(p->plates), st, 8);
    if (sqlite3_column_type(st, 9) != SQLITE_NULL)
        p->injury_to_surgery_days = sqlite3_column_int(st, 9);
    copy_text(p->remark, sizeof(p->remark), st, 10);
    copy_text(p->created_utc, sizeof(p->created_utc), st, 11);
}

int fx_store_patient_get(fx_store *s, const char *code, fx_patient *out, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = st_prepare(s, "SELECT " PATIENT_COLS " FROM patients WHERE code = ?1", &st, err);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read_patient(st, out);
    else if (step == SQLITE_DONE)
        rc = fx_fail(err, FX_ENOTFOUND, "no patient '%s' in '%s'", code, s->dbpath);
    else
        rc = st_fail(s, err, "cannot read patients");
    sqlite3_finalize(st);
    return rc;
}

int fx_store_patient_list(fx_store *s, fx_patient **out, size_t *n, fx_error *err)
{
    sqlite3_stmt *st = NULL;
    fx_patient *v = NULL;
    size_t cap = 0, k = 0;
    int rc = st_prepare(s, "SELECT " PATIENT_COLS " FROM patients ORDER BY code", &st, err);
    int step = SQLITE_DONE;

    *out = NULL;
    *n = 0;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            fx_patient *w = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
            if (!w) {
                rc = fx_fail(err, FX_ENOMEM, "out of memory listing patients");
                break;
            }
            v = w;
        }
        read_patient(st, &v[k++]);
    }
    if (!rc && step != SQLITE_DONE)
        rc = st_fail(s, err, "cannot list patients");
    sqlite3_finalize(st);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = k;
    return FX_OK;
}

/*
 * series.c - CT and label volumes of a study: the file in volumes/, its
 * SHA-256, and the grid it was stored on (with notes on any resampling).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_int.h"

void fx_series_rec_init(fx_series_rec *r)
{
    memset(r, 0, sizeof(*r));
    r->months_after_surgery = NAN;
    r->gantry_tilt_deg = NAN;
    for (int i = 0; i < 3; i++)
        r->spacing_mm[i] = 1, r->dir[4 * i] = 1;
}

/* The extension of `file` from its first dot (".nrrd", ".nii.gz"), if sane. */
static void file_ext(const char *file, char *ext, size_t n)
{
    const char *base = strrchr(file, '/');
    const char *dot = strchr(base ? base + 1 : file, '.');

    ext[0] = '\0';
    if (!dot || strlen(dot) >= n || strlen(dot) > 16)
        return;
    for (const char *c = dot; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.'))
            return;
    snprintf(ext, n, "%s", dot);
}

static int validate(const fx_series_rec *r, fx_error *err)
{
    int rc = fx_store_enum_check("timepoint", r->timepoint, err);

    if (!rc && r->kind[0])
        rc = fx_store_enum_check("kind", r->kind, err);
    for (int i = 0; !rc && i < 3; i++)
        if (r->dims[i] <= 0 || !(r->spacing_mm[i] > 0) || !isfinite(r->origin_mm[i]))
            rc = fx_fail(err, FX_EINVAL,
                         "series of patient '%s': dims must be > 0, spacing > 0 "
                         "mm and origin finite",
                         r->patient);
    return rc;
}

/* A free name <code>_<timepoint>_<n><ext> in volumes/. */
static void pick_name(fx_store *s, const fx_series_rec *r, const char *ext, char *name, size_t n)
{
    char path[PATH_MAX + 300];

    for (int k = 1; k < 10000; k++) {
        snprintf(name, n, "%s_%s_%d%s", r->patient, r->timepoint, k, ext);
        snprintf(path, sizeof(path), "%s/volumes/%s", s->dir, name);
        if (access(path, F_OK) != 0)
            return;
    }
}

static int insert_row(fx_store *s, fx_series_rec *r, fx_error *err)
{
    char dir[512], now[32], what[320];
    size_t len = 0;

    for (int i = 0; i < 9; i++)
        len += (size_t)snprintf(dir + len, sizeof(dir) - len, "%s%.17g", i ? "," : "[", r->dir[i]);
    snprintf(dir + len, sizeof(dir) - len, "]");
    st_utc_now(now);
    fx_store_field f[] = {
        fx_sf_int("patient_id", r->patient_id),
        fx_sf_text("timepoint", r->timepoint),
        fx_sf_text("kind", r->kind[0] ? r->kind : "ct"),
        fx_sf_text("modality", r->modality),
        fx_sf_real("months_after_surgery", r->months_after_surgery),
        fx_sf_int("dim_i", r->dims[0]),
        fx_sf_int("dim_j", r->dims[1]),
        fx_sf_int("dim_k", r->dims[2]),
        fx_sf_real("spacing_x_mm", r->spacing_mm[0]),
        fx_sf_real("spacing_y_mm", r->spacing_mm[1]),
        fx_sf_real("spacing_z_mm", r->spacing_mm[2]),
        fx_sf_real("origin_x_mm", r->origin_mm[0]),
        fx_sf_real("origin_y_mm", r->origin_mm[1]),
        fx_sf_real("origin_z_mm", r->origin_mm[2]),
        fx_sf_text("direction", dir),
        fx_sf_real("gantry_tilt_deg", r->gantry_tilt_deg),
        fx_sf_int("resampled", r->resampled ? 1 : 0),
        fx_sf_text("notes", r->notes),
        fx_sf_text("path", r->path),
        fx_sf_text("sha256", r->sha256),
        fx_sf_int("bytes", r->bytes),
        fx_sf_text("created_utc", now),
    };
    snprintf(what, sizeof(what), "series add %s %s %s", r->patient, r->timepoint, r->path);
    return fx_store_insert(s, "series", f, sizeof(f) / sizeof(*f), what, &r->id, err);
}

int fx_store_series_add(fx_store *s, fx_series_rec *r, const char *file, bool move, fx_error *err)
{
    fx_store_file f;
    fx_patient p;
    char ext[24], name[200];
    int rc = validate(r, err);

    if (!rc)
        rc = fx_store_patient_get(s, r->patient, &p, err);
    if (rc)
        return rc;
    r->patient_id = p.id;
    file_ext(file, ext, sizeof(ext));
    /* Copy and hash before taking the write lock: a large volume would
     * otherwise keep every other writer waiting. */
    rc = fx_store_file_stage(s, file, "volumes", "pending", move, &f, err);
    if (rc)
        return rc;
    rc = fx_store_tx_begin(s, err);
    if (rc) {
        fx_store_file_finish(s, &f, false);
        return rc;
    }
    pick_name(s, r, ext, name, sizeof(name));
    snprintf(f.rel, sizeof(f.rel), "volumes/%s", name);
    snprintf(r->path, sizeof(r->path), "%s", f.rel);
    snprintf(r->sha256, sizeof(r->sha256), "%s", f.sha256);
    r->bytes = f.bytes;
    rc = insert_row(s, r, err);
    if (!rc)
        rc = fx_store_file_publish(s, &f, err);
    if (!rc)
        rc = fx_store_tx_commit(s, err); /* rolls back itself on failure */
    else
        fx_store_tx_rollback(s);
    fx_store_file_finish(s, &f, rc == FX_OK);
    return rc;
}

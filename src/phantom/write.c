/*
 * write.c - a phantom cohort on disk: DIR/Pnn/{preop,postop}/ as CT series
 * written through fx_dicom_write_series, DIR/Pnn/truth.json and
 * DIR/cohort.json. Study and series UIDs are derived from the seed (2.25.
 * UUID-style roots), so a cohort is the same for the same seed apart from
 * the SOP instance UIDs the writer makes.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fxaudit/dicom.h"
#include "fxaudit/jsonfile.h"
#include "fxaudit/volio.h"
#include "model.h"


static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int make_dir(const char *dir, fx_error *err)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return FX_OK;
    return fx_fail(err, FX_EIO, "cannot create folder '%s': %s", dir, strerror(errno));
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void uid(char out[65], uint64_t seed, int patient, int what)
{
    uint64_t a = mix(seed ^ mix((uint64_t)patient * 131 + (uint64_t)what));
    snprintf(out, 65, "2.25.%llu%llu", (unsigned long long)(a >> 1),
             (unsigned long long)(mix(a) % 1000000ULL));
}

static int write_series(const fx_phantom *p, int s, const char *pdir, fx_phantom_stats *st,
                        const fx_progress *pr, fx_error *err)
{
    char dir[4096], name[64], id[64], study[65], series[65];
    fx_volume *v = NULL;
    double t0 = now_s();
    int rc = fx_phantom_render(p, (fx_phantom_series)s, &v, err);
    double t1 = now_s();
    st->render_s += t1 - t0;
    if (rc)
        return rc;
    if (snprintf(dir, sizeof(dir), "%s/%s", pdir, s ? "postop" : "preop") >= (int)sizeof(dir)) {
        fx_volume_free(v);
        return fx_fail(err, FX_EINVAL, "folder name '%s' is too long", pdir);
    }
    snprintf(name, sizeof(name), "PHANTOM^%s", p->code);
    snprintf(id, sizeof(id), "FXPH%llu-%s", (unsigned long long)p->opts.seed, p->code);
    uid(study, p->opts.seed, p->index, 2 * s);
    uid(series, p->opts.seed, p->index, 2 * s + 1);
    fx_dicom_write_meta meta = {name, id, study, series,
                                s ? "phantom post-op CT" : "phantom pre-op CT",
                                s ? "20250312" : "20250301", s + 1, 0.0};
    rc = fx_dicom_write_series(dir, v, &meta, pr, err);
    st->write_s += now_s() - t1;
    fx_volume_free(v);
    return rc;
}

/* The pre-op series' true label map, as a clinical lab would draw it. */
static int write_labels(const fx_phantom *p, const char *pdir, fx_error *err)
{
    char path[4200];
    fx_volume *lab = NULL;
    int rc = fx_phantom_render_labels(p, FX_PHANTOM_PREOP, &lab, err);
    snprintf(path, sizeof(path), "%s/preop_labels.nrrd", pdir);
    if (!rc)
        rc = fx_nrrd_write(path, lab, 1, err);
    fx_volume_free(lab);
    return rc;
}

static json_t *cohort_entry(const fx_phantom *p)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "code", p->code, "folder", p->code,
                     "fracture_type", p->pattern == PH_T_SHAPED ? "t-shaped" : "both-column",
                     "plates", p->nplates, "injured_side", p->side > 0 ? "left" : "right",
                     "truth", "truth.json");
}

static int write_patient(const char *dir, const fx_phantom_opts *o, int i, json_t *list,
                         const fx_progress *pr, fx_phantom_stats *st, fx_error *err)
{
    char pdir[4000], path[4200];
    fx_phantom *p = NULL;
    int rc = fx_phantom_make(o, i, &p, err);
    if (rc)
        return rc;
    if (snprintf(pdir, sizeof(pdir), "%s/%s", dir, p->code) >= (int)sizeof(pdir)) {
        fx_phantom_free(p);
        return fx_fail(err, FX_EINVAL, "folder name '%s' is too long", dir);
    }
    rc = make_dir(pdir, err);
    for (int s = 0; s < 2 && !rc; s++)
        rc = write_series(p, s, pdir, st, pr, err);
    if (!rc) {
        double t0 = now_s();
        snprintf(path, sizeof(path), "%s/truth.json", pdir);
        rc = fx_phantom_write_truth(p, path, err);
        if (!rc)
            rc = write_labels(p, pdir, err);
        st->truth_s += now_s() - t0;
    }
    if (!rc)
        json_array_append_new(list, cohort_entry(p));
    fx_phantom_free(p);
    return rc;
}

int fx_phantom_cohort_write(const char *dir, const fx_phantom_opts *o, const fx_progress *pr,
                            fx_phantom_stats *stats, fx_error *err)
{
    fx_phantom_stats st = {0};
    double t0 = now_s();
    char path[4200];
    int rc = make_dir(dir, err);
    json_t *list = json_array();

    for (int i = 0; i < o->patients && !rc; i++) {
        rc = write_patient(dir, o, i, list, pr, &st, err);
        fx_progress_report(pr, "phantom cohort", (i + 1.0) / o->patients);
        st.patients = i + 1;
    }
    if (!rc) {
        json_t *j = json_pack("{s:s,s:i,s:I,s:s,s:b,s:i,s:o}", "format", "fxaudit-phantom-cohort",
                              "version", 1, "seed", (json_int_t)o->seed, "size",
                              o->size == FX_PHANTOM_CLINICAL ? "clinical" : "small", "streaks",
                              o->streaks, "count", o->patients, "patients", list);
        list = NULL;
        snprintf(path, sizeof(path), "%s/cohort.json", dir);
        rc = fx_json_write_atomic(
            path, j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), err);
        json_decref(j);
    }
    json_decref(list);
    st.total_s = now_s() - t0;
    if (stats)
        *stats = st;
    return rc;
}

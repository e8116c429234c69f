/*
 * phantom.h - synthetic pelvic fracture phantoms with exact ground truth.
 *
 * A phantom patient is an analytic model (signed distance functions) of a
 * pelvis with both hemipelves, a sacrum and proximal femora, fractured on one
 * side into 2-4 fragments, displaced (pre-op), then reduced with small
 * residual errors and fixed with plates and screws (post-op). Each scan has
 * its own rigid patient pose. The model is voxelised into int16 HU volumes
 * with partial-volume ramps and deterministic noise; truth.json records every
 * pose, measure and implant in the DICOM patient coordinates (LPS, mm) of the
 * series it refers to. docs/phantom.md defines every frame and key.
 */
#ifndef FXAUDIT_PHANTOM_H
#define FXAUDIT_PHANTOM_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/progress.h"
#include "fxaudit/volume.h"

typedef enum fx_phantom_size {
    FX_PHANTOM_SMALL = 0,    /* 168 x 128 x 108 voxels at 2 mm, for tests */
    FX_PHANTOM_CLINICAL = 1, /* 512 x 512 x 240 at 0.74 x 0.74 x 1 mm */
} fx_phantom_size;

typedef enum fx_phantom_series {
    FX_PHANTOM_PREOP = 0,
    FX_PHANTOM_POSTOP = 1,
} fx_phantom_series;

typedef struct fx_phantom_opts {
    int patients;         /* cohort size, >= 1 */
    uint64_t seed;        /* everything follows from it */
    fx_phantom_size size;
    int streaks;          /* metal streak artefacts in post-op series (0/1) */
} fx_phantom_opts;

/* The defaults: 10 patients, seed 1, small, streaks on. */
fx_phantom_opts fx_phantom_opts_default(void);

/* One phantom patient (opaque). */
typedef struct fx_phantom fx_phantom;

/* Make patient `index` (0-based) of the cohort described by `o`. Cohorts of
 * 10 follow the seed study (8 both-column, 2 T-shaped; 5 anterior plate only,
 * 5 anterior + posterior). On success *out owns it (fx_phantom_free). */
int fx_phantom_make(const fx_phantom_opts *o, int index, fx_phantom **out, fx_error *err);
void fx_phantom_free(fx_phantom *p); /* NULL is a no-op */

/* Pseudonymous code, "P01" etc. */
const char *fx_phantom_code(const fx_phantom *p);

/* Voxelise one series. On success *out owns a new int16 HU volume (free with
 * fx_volume_free) whose geometry is the one truth.json records. Uses OpenMP
 * threads when built with them; the result does not depend on their number. */
int fx_phantom_render(const fx_phantom *p, fx_phantom_series s, fx_volume **out,
                      fx_error *err);

/* The true label map of a series (uint16, the series' grid): the bone part
 * each voxel centre lies in, numbered as truth.json's fragments[].label (1 the
 * intact pelvis, then the moving fragments, then the injured side's femur and
 * the other femur), 0 elsewhere; metal is not a part. *out owns it. */
int fx_phantom_render_labels(const fx_phantom *p, fx_phantom_series s, fx_volume **out,
                             fx_error *err);

/* The true bone corridor (mm) along a screw planned at `entry` in direction
 * `dir` (pre-op series coordinates, pelvis in its anatomical, reduced
 * position): from the entry along the axis until it leaves the pelvis for good,
 * over clefts narrower than bridge_mm, as docs/planning.md defines a corridor;
 * femora left out. Found on the model itself to 1e-6 mm (0.05 mm steps, then
 * bisection). */
int fx_phantom_corridor(const fx_phantom *p, fx_vec3 entry, fx_vec3 dir, double bridge_mm,
                        double *corridor_mm, fx_error *err);

/* The surgeon's inputs a patient's truth.json implies, for `plan create`: its
 * planned screws as a screw list (screws_path) and its planned plate paths as
 * plate specifications (plates_path), written atomically, and the roles of the
 * true label map's labels in `roles` ("1:reference,2:fragment,...", as
 * --roles takes them). */
int fx_phantom_plan_inputs(const json_t *truth, const char *screws_path,
                           const char *plates_path, char *roles, size_t nroles, fx_error *err);

/* True bone volume (mm^3) of the series inside its voxel grid's box (the
 * voxels' extent), by adaptive integration of the model; metal excluded. */
double fx_phantom_bone_volume_in_grid(const fx_phantom *p, fx_phantom_series s);

/* Write the patient's truth.json (complete or not at all): the grids that
 * fx_phantom_render produces, poses, gap and step-off, implants, SMFA. */
int fx_phantom_write_truth(const fx_phantom *p, const char *path, fx_error *err);

/* Cortical and soft-tissue HU of the patient (what a partial-volume volume
 * estimate needs to know). */
void fx_phantom_hu(const fx_phantom *p, double *cortex_hu, double *soft_hu);

/* Timings of a cohort run, seconds of wall-clock time. */
typedef struct fx_phantom_stats {
    int patients;
    double render_s;   /* voxelisation of all series */
    double truth_s;    /* truth integration and truth.json */
    double write_s;    /* DICOM writing */
    double total_s;
} fx_phantom_stats;

/* Write the whole cohort: DIR/Pnn/{preop,postop}/ DICOM series, DIR/Pnn/
 * truth.json and DIR/cohort.json. `stats` (may be NULL) receives timings. */
int fx_phantom_cohort_write(const char *dir, const fx_phantom_opts *o, const fx_progress *pr,
                            fx_phantom_stats *stats, fx_error *err);

#endif

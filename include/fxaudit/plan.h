/*
 * plan.h - the surgical plan: the original that the post-op audit compares
 * against.
 *
 * Frame: every coordinate in a plan is in millimetres in the DICOM patient
 * coordinates (LPS) of the pre-op series the plan was made on ("plan
 * coordinates"). A fragment's pose maps its pre-op position to its planned
 * (reduced) position: x_planned = R * x_preop + t. Screws, plates and guides
 * are defined on the reduced model, so they are in plan coordinates as they
 * stand. The fragment that surgery does not move (the intact side) has the
 * identity pose and `fixed` set.
 */
#ifndef FXAUDIT_PLAN_H
#define FXAUDIT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/hash.h"
#include "fxaudit/vec3.h"

#define FX_PLAN_NAME 64
#define FX_PLAN_PATH 512

typedef struct fx_plan_fragment {
    char name[FX_PLAN_NAME];  /* stable, e.g. "anterior-column" */
    int label;                /* value in the fragment label map */
    uint8_t rgb[3];           /* display colour */
    char mesh[FX_PLAN_PATH];  /* model file, relative to the plan file's folder */
    char mesh_sha256[FX_SHA256_HEX];
    fx_rigid pose;            /* pre-op -> planned position */
    int fixed;                /* 1: not moved by surgery (reference) */
    double residual_rms_mm;   /* to the mirrored template; NAN when not computed */
    double residual_max_mm;   /* NAN when not computed */
} fx_plan_fragment;

typedef struct fx_plan_screw {
    char name[FX_PLAN_NAME];
    fx_vec3 entry;            /* mm, where the screw enters bone (under the plate) */
    fx_vec3 dir;              /* unit, from entry towards the tip */
    double diameter_mm;
    double length_mm;         /* planned length, entry to tip */
    char plate[FX_PLAN_NAME]; /* plate it passes through, or "" */
    /* computed by fx_plan_check_screws; NAN / 0 until then */
    double corridor_mm;       /* bone along the axis from the entry until it leaves bone */
    double suggested_mm;      /* corridor rounded down to the screw set */
    double clearance_mm;      /* smallest distance from the screw's surface to the bone
                                 surface along its planned length (negative: breaches) */
    double joint_distance_mm; /* smallest distance from the axis to the joint surface */
    int joint_warning;        /* 1 when closer to the joint than the safety margin */
} fx_plan_screw;

typedef struct fx_plan_plate {
    char name[FX_PLAN_NAME];  /* e.g. "anterior" */
    double width_mm, thickness_mm, offset_mm;
    fx_vec3 *path;            /* npath points on the reduced bone surface, owned */
    size_t npath;
    char mesh[FX_PLAN_PATH];
    char mesh_sha256[FX_SHA256_HEX];
} fx_plan_plate;

typedef struct fx_plan_guide {
    char name[FX_PLAN_NAME];
    char plate[FX_PLAN_NAME];
    char mesh[FX_PLAN_PATH];
    char mesh_sha256[FX_SHA256_HEX];
} fx_plan_guide;

/* How far two bone parts of the reduced model run into each other
 * (src/plan/overlap.c): after each fragment's own registration, and in the
 * plan (after the joint refinement). NAN when not computed. */
typedef struct fx_plan_overlap {
    char a[FX_PLAN_NAME], b[FX_PLAN_NAME]; /* fragment names */
    double depth_before_mm;   /* deepest vertex of either inside the other */
    double volume_before_mm3; /* volume inside both */
    double depth_mm, volume_mm3;
} fx_plan_overlap;

typedef struct fx_plan_input {
    char role[FX_PLAN_NAME];  /* "preop-volume", "labels", ... */
    char path[FX_PLAN_PATH];
    char sha256[FX_SHA256_HEX];
} fx_plan_input;

typedef struct fx_plan {
    char patient[FX_PLAN_NAME]; /* study code, never a hospital identifier */
    char side[8];               /* fractured side: "left" or "right" */
    fx_vec3 plane_normal;       /* mid-sagittal symmetry plane: n.x = d, |n| = 1 */
    double plane_d_mm;
    int has_plane;
    fx_plan_fragment *frags;
    size_t nfrags;
    fx_plan_screw *screws;
    size_t nscrews;
    fx_plan_plate *plates;
    size_t nplates;
    fx_plan_guide *guides;
    size_t nguides;
    fx_plan_input *inputs;
    size_t ninputs;
    fx_plan_overlap *overlaps;  /* pairs of parts that meet (boxes overlap) */
    size_t noverlaps;
    char created_utc[32];       /* ISO 8601 */
    char software[64];          /* "fxaudit 0.1.0" */
} fx_plan;

/* An empty plan; *out owns it (free with fx_plan_free). */
int fx_plan_new(fx_plan **out, fx_error *err);
void fx_plan_free(fx_plan *p); /* NULL is a no-op */

/* Append a copy of an element; the plan grows. Plates' paths are copied. */
int fx_plan_add_fragment(fx_plan *p, const fx_plan_fragment *f, fx_error *err);
int fx_plan_add_screw(fx_plan *p, const fx_plan_screw *s, fx_error *err);
int fx_plan_add_plate(fx_plan *p, const fx_plan_plate *pl, fx_error *err);
int fx_plan_add_guide(fx_plan *p, const fx_plan_guide *g, fx_error *err);
int fx_plan_add_overlap(fx_plan *p, const fx_plan_overlap *o, fx_error *err);
int fx_plan_add_input(fx_plan *p, const char *role, const char *path, const char *sha256,
                      fx_error *err);

/* A screw with computed fields unset (NAN) and the direction normalised. */
fx_plan_screw fx_plan_screw_make(const char *name, fx_vec3 entry, fx_vec3 dir,
                                 double diameter_mm, double length_mm);
/* The screw's tip: entry + length * dir. */
fx_vec3 fx_plan_screw_tip(const fx_plan_screw *s);
/* Largest length of the screw set not longer than `corridor_mm`: sets run
 * from `min_mm` in steps of `step_mm` up to `max_mm` (e.g. 10, 2, 110 for
 * 3.5 mm pelvic screws). 0 when even the shortest does not fit. */
double fx_plan_round_length(double corridor_mm, double min_mm, double step_mm, double max_mm);

/* Find by name; NULL when absent. */
const fx_plan_fragment *fx_plan_find_fragment(const fx_plan *p, const char *name);
const fx_plan_screw *fx_plan_find_screw(const fx_plan *p, const char *name);
const fx_plan_plate *fx_plan_find_plate(const fx_plan *p, const char *name);
/* The plate a screw's head sits on: its named plate, else the first plate
 * whose path passes within 5 mm of its entry; NULL for none. Owned by p. */
const fx_plan_plate *fx_plan_plate_of_screw(const fx_plan *p, const fx_plan_screw *s);

/* Plan file (JSON). Writing is atomic (temporary name, then rename). Reading
 * checks units ("mm"), coordinate system ("LPS"), the format version (a newer
 * one is FX_EVERSION) and that every rotation is proper; errors name the file
 * and the JSON path. */
int fx_plan_write(const fx_plan *p, const char *path, fx_error *err);
int fx_plan_read(const char *path, fx_plan **out, fx_error *err);

#endif

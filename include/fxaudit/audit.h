/*
 * audit.h - the post-op audit: how accurately was the plan carried out.
 *
 * From the post-op CT: a bone model with the metal cut out, registered onto
 * the plan's reference region (post-op -> plan coordinates); the actual screws
 * found in the metal (>= 2500 HU) by searching around each planned screw mapped
 * into the post-op scan; actual screws matched to planned ones by optimal
 * assignment; the deviations of each screw in plan coordinates; metal that no
 * plan explains (e.g. a hip implant) reported apart. Lengths mm, angles
 * degrees, CT values HU. Method and measured accuracy: docs/audit.md.
 */
#ifndef FXAUDIT_AUDIT_H
#define FXAUDIT_AUDIT_H

#include <stddef.h>

#include "fxaudit/error.h"
#include "fxaudit/icp.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"
#include "fxaudit/progress.h"
#include "fxaudit/volume.h"

typedef struct fx_audit_opts {
    double metal_hu;         /* metal threshold: 2500 */
    double capture_mm;       /* radius around a planned screw for the bone level: 6 */
    double cone_deg;         /* directions searched around the planned one: 15 */
    double offset_mm;        /* entries searched around the planned one: 3 */
    double fit_mm;           /* the axis fit reaches radius + half a voxel + this: -0.1 */
    double head_height_mm;   /* screw head above the plate: 2.5 */
    double head_diameter_mm; /* screw head across: 6 (a 3.5 mm cortex screw's; 0: not known) */
    double min_fill;         /* mean metal coverage along the best ray to accept a screw: 0.55 */
    double exclude_metal_mm; /* metal dilated by this is cut from the bone model: 1.5 */
    double match_angle_deg;  /* an actual screw further than this ... 20 */
    double match_entry_mm;   /* ... or this from a planned one cannot match it: 10 */
    double min_metal_mm3;    /* smaller metal components are ignored: 30 */
    int register_postop;     /* 0: take the post-op scan as in plan coordinates */
    /* the acetabular joint surface as a sphere in plan mm (joint_radius_mm 0:
     * not known, no joint check); a screw whose surface comes closer to it
     * than joint_margin_mm (2, as the plan's screw check) penetrates */
    fx_vec3 joint_centre;
    double joint_radius_mm, joint_margin_mm;
    fx_progress progress;
} fx_audit_opts;

void fx_audit_opts_default(fx_audit_opts *o);

/* One actual screw in the post-op scan's coordinates. */
typedef struct fx_audit_screw {
    int planned;             /* index of the planned screw that led to it */
    fx_vec3 entry, tip, dir; /* post-op mm; dir unit, entry -> tip */
    double length_mm;
    double fill;       /* metal found / metal expected near the entry */
    double fit_rms_mm; /* weighted RMS distance of the metal to the axis */
    double bone_hu, metal_level_hu; /* the levels its coverage weights used */
    int from_plan;     /* bit 1: the head was not told from the plate along the
                          axis, the entry is the planned one's depth on it;
                          bit 2: metal runs on past the tip (another implant
                          on the line), the planned length is kept;
                          bit 3: the tip ends inside another screw's metal
                          (shaft, head or plate hole): the end of the metal
                          is reported, an upper bound */
} fx_audit_screw;

/* Per planned screw, in plan coordinates. actual = -1: not placed (NANs). */
typedef struct fx_audit_dev {
    int actual;         /* index into screws[], or -1 */
    fx_vec3 entry, tip; /* the actual screw in plan coordinates */
    double angle_deg;   /* acos(|u.v|) */
    double entry_mm, tip_mm;
    double length_mm; /* actual - planned */
    double joint_mm;  /* smallest distance from the screw's surface out to the joint
                         surface (negative: into the joint space); NAN: no joint */
    int joint_penetration; /* 1: joint_mm < joint_margin_mm; 0: not; -1: unknown */
} fx_audit_dev;

/* A metal component that no planned screw or plate explains. */
typedef struct fx_audit_metal {
    double volume_mm3;
    fx_vec3 centroid, lo, hi; /* post-op mm */
} fx_audit_metal;

typedef struct fx_audit_result {
    int registered;         /* 1 when reg holds a registration */
    char region[64];        /* the plan's reference region (fragment name) */
    fx_icp_result reg;      /* reg.T: post-op -> plan */
    fx_audit_screw *screws; /* owned; nscrews, matched to a planned screw */
    size_t nscrews;
    fx_audit_dev *dev; /* owned; one per planned screw */
    size_t ndev;
    size_t unmatched; /* candidates found but matched to no planned screw */
    fx_audit_metal *unplanned;
    size_t nunplanned;
    struct fx_audit_poses *poses; /* owned or NULL: residuals, fragments, plates (auditposes.h) */
    double metal_mm3;  /* all metal (>= metal_hu) */
    double seconds[4]; /* wall: [1] post-op bone model and registration, [2] screws,
                          [3] matching and unplanned metal; [0] for the caller */
} fx_audit_result;

/* Find one screw near the planned axis `entry` + t `dir` (post-op mm) of
 * planned length `length_mm` and diameter `diameter_mm`; `plate_mm` is the thickness of the plate
 * its head sits on (0 for none). FX_OK and *found = 0 when there is not enough metal. */
int fx_audit_find_screw(const fx_volume *hu, fx_vec3 entry, fx_vec3 dir, double length_mm,
                        double diameter_mm, double plate_mm, const fx_audit_opts *o,
                        fx_audit_screw *out, int *found, fx_error *err);

/* Another screw's metal kept out of a search: its shaft (radius shaft_r_mm,
 * entry to tip) and its head (head_r_mm, head_mm before the entry), each
 * widened by pv_mm of partial volume. Borrowed pointer. */
typedef struct fx_audit_mask {
    const fx_audit_screw *screw;
    double shaft_r_mm, head_r_mm, head_mm, pv_mm;
} fx_audit_mask;

/* fx_audit_find_screw with the ray search scoring the metal of `mask` (NULL:
 * none) as no metal. */
int fx_audit_find_screw_masked(const fx_volume *hu, fx_vec3 entry, fx_vec3 dir, double length_mm,
                               double diameter_mm, double plate_mm, const fx_audit_mask *mask,
                               const fx_audit_opts *o, fx_audit_screw *out, int *found,
                               fx_error *err);

/* A planned screw mapped into the post-op scan (mm), as the search takes it. */
typedef struct fx_audit_prior {
    fx_vec3 entry, dir;
    double length_mm, diameter_mm, plate_mm;
} fx_audit_prior;

/* How far a found screw lies from its own plan: the angle between their
 * axes in degrees + the distance between their entries in mm (the matching
 * cost, as the duplicate rules and fx_audit_separate_shared weigh it). */
double fx_audit_plan_cost(const fx_audit_screw *a, const fx_audit_prior *p);

/* Screws found on the same metal: where a quarter of one's axis runs inside
 * another's shaft, each of the two is searched again with the other's metal
 * masked out (a new screw counts only where it runs inside no other found
 * screw), and of the two outcomes the pair with the lower summed plan cost
 * is kept; the nearer one's new screw only where it is nearer its plan than
 * its old one. prior[] is indexed by screws[k].planned.
 * src/audit/screwshare.c; docs/audit.md. */
int fx_audit_separate_shared(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                             const fx_audit_prior *prior, const fx_audit_opts *o, fx_error *err);

/* Refit the axis of a found screw over its shaft in bone (4 mm past the entry
 * to 3 mm before the tip), keeping the entry's and the tip's depths. */
int fx_audit_refit_axis(const fx_volume *hu, fx_audit_screw *s, double diameter_mm,
                        const fx_audit_opts *o, fx_error *err);

/* Refit the tips of screws[0..n) that end beside another screw's metal (a
 * tip next to a crossing or converging screw): the profile near the tip is
 * modelled with the others' metal (capped cylinders of diameter_mm[k]) known.
 * Updates tip, length_mm and, where a tip moved, the axis; docs/audit.md. */
int fx_audit_resolve_tips(const fx_volume *hu, fx_audit_screw *screws, size_t n,
                          const double *diameter_mm, const fx_audit_opts *o, fx_error *err);

/* Smallest distance (mm) from the surface of the screw entry..tip of radius
 * radius_mm out to the sphere (centre, joint_radius_mm); negative where the
 * screw reaches into the sphere. src/audit/joint.c. */
double fx_audit_joint_clearance(fx_vec3 entry, fx_vec3 tip, double radius_mm, fx_vec3 centre,
                                double joint_radius_mm);

/* Fills d->joint_mm and d->joint_penetration of a placed screw of diameter
 * diameter_mm from o's joint sphere (unknown without one). */
void fx_audit_joint_check(fx_audit_dev *d, double diameter_mm, const fx_audit_opts *o);

/* Optimal assignment of n rows to m columns minimising the summed cost; a
 * cost >= `forbid` is never used. assign[i] = column of row i, or -1. At most
 * 16 rows or columns (exhaustive search over the smaller side). */
int fx_audit_assign(const double *cost, size_t n, size_t m, double forbid, int *assign,
                    fx_error *err);

/* Register the post-op bone (metal excluded) onto `reference` (plan mm).
 * *T maps post-op into plan coordinates. */
int fx_audit_register(const fx_volume *hu, const fx_mesh *reference, const fx_audit_opts *o,
                      fx_icp_result *out, fx_error *err);

/* Metal components not explained by the screws found or by the planned
 * plates (`plan_to_post` maps plan into post-op coordinates). */
int fx_audit_unplanned_metal(const fx_volume *hu, const fx_plan *plan, const fx_rigid *plan_to_post,
                             const fx_audit_screw *screws, size_t nscrews, const fx_audit_opts *o,
                             fx_audit_result *r, fx_error *err);

/* The workflow's CT has slices of 1 mm or less (docs: domain.md), and the
 * screw accuracy targets were measured on such scans (docs/audit.md): a
 * coarser scan is audited all the same, but the user is told. */
#define FX_AUDIT_ACCURACY_VOXEL_MM 1.0
/* 1 when a side of the voxel (spacing, mm) is coarser than that. */
int fx_audit_scan_is_coarse(const double spacing_mm[3]);

/* The whole audit of `postop` against `plan`; `reference` (plan mm, may be
 * NULL: no registration) is the plan's reference region, named `region`.
 * On success *out owns the result (free with fx_audit_result_free). */
int fx_audit_run(const fx_volume *postop, const fx_plan *plan, const fx_mesh *reference,
                 const char *region, const fx_audit_opts *o, fx_audit_result **out, fx_error *err);
void fx_audit_result_free(fx_audit_result *r); /* NULL is a no-op */

#endif

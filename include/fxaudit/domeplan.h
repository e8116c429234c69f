/*
 * domeplan.h - the gap and step-off at the acetabular dome from the plan's
 * fragments and their measured displacements (not from CT intensities): the
 * fracture lines are where, on the dome of the reduced (planned) model, the
 * nearest fragment surface changes; at each line sample x the offset between
 * the two fragments' copies of x, d = D_a(x) - D_b(x), gives the 3-D gap and
 * step-off and the values seen in axial, coronal and sagittal slices, by the
 * definitions of docs/phantom.md. Method and accuracy:
 * docs/reduction-estimate.md.
 *
 * Frame: plan coordinates (LPS mm of the pre-op series). A displacement D
 * maps a part's planned position to its position in the series measured:
 * post-op, the audit's fragment pose (auditposes.h); pre-op, the inverse of
 * the plan's reduction pose. The reference (unmoved) part has the identity.
 */
#ifndef FXAUDIT_DOMEPLAN_H
#define FXAUDIT_DOMEPLAN_H

#include <stddef.h>

#include "fxaudit/domeest.h"
#include "fxaudit/domefind.h"
#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"
#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

/* One part of the reduced model (borrowed; read only during fx_domeplan_lines). */
typedef struct fx_domeplan_part {
    const fx_mesh *model; /* its surface in the planned (reduced) position, plan mm */
    int label;            /* label-map value: at a line the surface normal and the
                           * across-line direction follow the part with the lower
                           * label (the convention of docs/phantom.md) */
} fx_domeplan_part;

typedef struct fx_domeplan_opts {
    double grid_mm;     /* spacing of the dome samples (0.25) */
    double window_mm;   /* line samples within this give a sample's tangent and,
                         * by a quadratic along the line, its place (12: the
                         * fragments' faces are terraced at the voxel size) */
    double max_dist_mm; /* a dome point farther from every part is no bone (3) */
    double articular_deg; /* only a part's surface facing the joint centre (outward
                           * normal within this of the direction to it) labels
                           * the dome: the articular surface, not a fracture face
                           * or a fragment's cut face above the dome (30) */
    int face_planes;      /* 1: a line whose two parts' fracture faces under the
                           * articular surface fit one plane is put on that
                           * plane's circle (docs/reduction-estimate.md, step
                           * 4b); 0: the grid's line only (1) */
} fx_domeplan_opts;

void fx_domeplan_opts_default(fx_domeplan_opts *o);

/* The fracture lines on one dome (opaque; free with fx_domeplan_free). */
typedef struct fx_domeplan fx_domeplan;

/* Sample the dome `d` (centre, radius, height, axes L P S, opening) and find
 * the lines between the n parts. The parts need not touch the whole dome; a
 * dome without a line gives an fx_domeplan with no samples. */
int fx_domeplan_lines(const fx_dome *d, const fx_domeplan_part *parts, size_t n,
                      const fx_domeplan_opts *o, fx_domeplan **out, fx_error *err);
void fx_domeplan_free(fx_domeplan *p); /* NULL is a no-op */

/* Line samples inside the dome, and the fracture lines' length there (mm). */
size_t fx_domeplan_samples(const fx_domeplan *p);
double fx_domeplan_line_mm(const fx_domeplan *p);
/* Lines (pairs of parts) put on their fracture-face plane. */
int fx_domeplan_face_lines(const fx_domeplan *p);

#define FX_DOMEPLAN_MAX_LINES 8

/* One fracture line: the samples between two parts. */
typedef struct fx_domeplan_line {
    int label_a, label_b;       /* the higher and the lower label */
    double line_mm;             /* its length in the dome */
    double gap3d_mm, step3d_mm; /* largest over its samples */
    int samples;
} fx_domeplan_line;

typedef struct fx_domeplan_result {
    double gap_mm[3], step_mm[3]; /* axial, coronal, sagittal; NAN: no sample visible */
    double gap3d_mm, step3d_mm;   /* largest over the samples (0 without samples) */
    double gap_area_mm2;          /* the cleft's area: integral of max(0, d.u) along
                                   * the lines inside the dome */
    double line_mm;               /* the lines' length inside the dome */
    int samples;                  /* line samples measured */
    int unknown;                  /* samples skipped: a part's displacement unknown */
    int visible[3];               /* samples visible per plane */
    fx_domeplan_line lines[FX_DOMEPLAN_MAX_LINES]; /* per pair of parts (the first
                                                    * FX_DOMEPLAN_MAX_LINES pairs) */
    int nlines;
} fx_domeplan_result;

/* Measure with the displacements D[i] of parts[i] (planned -> measured
 * series). known (may be NULL: all known) marks the parts whose D was
 * measured; samples between a part not known and another are skipped. */
void fx_domeplan_measure(const fx_domeplan *p, const fx_rigid *D, const int *known,
                         fx_domeplan_result *out);

/* Both series of a plan, pre-op and post-op. */
typedef struct fx_domeplan_est {
    fx_domefind_result found;      /* the dome, found on the pre-op CT with the plan's
                                    * symmetry plane (plan coordinates) */
    fx_domeplan_result series[2];  /* 0 pre-op, 1 post-op */
    int has[2];                    /* 1: series[s] measured */
    size_t parts;                  /* parts of the reduced model used */
    size_t samples;                /* line samples in the dome */
    double line_mm;                /* the lines' length in the dome */
} fx_domeplan_est;

/* The plan-based estimate of a plan: its reference part (the first fixed
 * fragment named reference*, else the first fixed one, identity) and its
 * fragments (not fixed), models read relative to `plan_dir` and moved by
 * their poses into the reduced position; femurs and other fixed parts take no
 * part. The dome is found on `preop` (the pre-op CT the plan was made on) with
 * the plan's side and symmetry plane. Pre-op: D = each fragment's pose
 * inverted. Post-op (when post is not NULL): D = post[i] for plan fragment i
 * (x_postop = post[i] x_planned, plan mm; the audit's fragment poses), where
 * post_known[i] (may be NULL: all) is set; the reference keeps the identity. */
int fx_domeplan_from_plan(const fx_plan *plan, const char *plan_dir, const fx_volume *preop,
                          const fx_rigid *post, const int *post_known, fx_domeplan_est *out,
                          fx_error *err);

#endif

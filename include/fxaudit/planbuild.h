/*
 * planbuild.h - making a plan from a pre-op CT: bone parts, their roles,
 * the symmetry plane, the mirrored template, the virtual reduction, and the
 * screws and plates a surgeon planned on it, checked against the reduced model.
 *
 * Roles (docs/planning.md): the largest bone part is the reference (sacrum,
 * intact hemipelvis and the undisplaced part of the fractured ilium); the
 * fractured side is the side of the symmetry plane holding more of the other
 * parts' volume (unless given); the part on the intact side is the intact
 * femur; the fractured side's part most like the intact femur's mirror image
 * (volume and place) is the injured femur; every other part on the fractured
 * side is a fragment. Parts on the intact side other than the femur are kept
 * as "other" and not moved.
 */
#ifndef FXAUDIT_PLANBUILD_H
#define FXAUDIT_PLANBUILD_H

#include "fxaudit/fragments.h"
#include "fxaudit/joint.h"
#include "fxaudit/mirror.h"
#include "fxaudit/plan.h"
#include "fxaudit/progress.h"
#include "fxaudit/screwcheck.h"
#include "fxaudit/volume.h"

typedef enum fx_part_role {
    FX_ROLE_REFERENCE = 0,
    FX_ROLE_FRAGMENT,
    FX_ROLE_FEMUR_INTACT,
    FX_ROLE_FEMUR_INJURED,
    FX_ROLE_OTHER,
} fx_part_role;

const char *fx_part_role_name(fx_part_role r);
/* The role named `name` ("reference", "fragment", ...); -1 when none is. */
int fx_part_role_from_name(const char *name);
/* Roles by label from "1:reference,2:fragment,..." into roles[label] (labels
 * 1..cap-1; others untouched); *n is one past the largest label named. */
int fx_part_roles_parse(const char *spec, fx_part_role *roles, size_t cap, size_t *n,
                        fx_error *err);

typedef struct fx_plan_build_opts {
    const char *patient;      /* study code for the plan */
    const char *side;         /* "left", "right" or NULL to decide */
    const char *screws_path;  /* screw list or Slicer markups; NULL: none */
    const char *plates_path;  /* plate paths (JSON); NULL: none */
    const char *out_dir;      /* models and plan.json are written here */
    fx_parts_opts parts;
    /* With parts.seeds or parts.labels: the role of each label (roles[label];
     * seed k grows label k + 1), instead of deciding the roles; label 1 must be
     * the reference. NULL: decide them. */
    const fx_part_role *roles;
    size_t nroles;
    fx_screw_check_opts screws;
    /* After each fragment's own registration, the joint refinement that keeps
     * them from overlapping (docs/planning.md); no_joint skips it. */
    fx_joint_opts joint;
    int no_joint;
    fx_progress progress;
} fx_plan_build_opts;

void fx_plan_build_opts_default(fx_plan_build_opts *o);

/* Make the plan and write it with its models into o->out_dir (plan.json,
 * part-N.ply in pre-op position, template.ply, reduced.ply, plate-NAME.stl).
 * On success *out owns the plan (free with fx_plan_free). */
int fx_plan_build(const fx_volume *preop, const fx_plan_build_opts *o, fx_plan **out,
                  fx_error *err);

/* Roles of the parts of `bp` given the symmetry plane (normal to the
 * patient's left): fills roles[] (bp->n entries) and *fractured_left. */
int fx_plan_assign_roles(const fx_bone_parts *bp, fx_plane plane, const char *side,
                         fx_part_role *roles, int *fractured_left, fx_error *err);

/* The template: the part of `ref` on the intact side of `plane`, mirrored
 * onto the fractured side. *out owns it. */
int fx_plan_template(const fx_mesh *ref, fx_plane plane, int fractured_left, fx_mesh **out,
                     fx_error *err);

#endif

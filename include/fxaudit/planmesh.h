/*
 * planmesh.h - the models of a plan, assembled: the reduced model (every part
 * moved by its planned pose) and the planned screws as cylinders, for export
 * and for rendered views.
 */
#ifndef FXAUDIT_PLANMESH_H
#define FXAUDIT_PLANMESH_H

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/plan.h"

/* The reduced model: the parts of `p` (model files relative to `plan_dir`)
 * moved by their poses; femora ("femur-..." parts) only when `with_femora`.
 * *out owns the mesh (free with fx_mesh_free). */
int fx_plan_reduced_mesh(const fx_plan *p, const char *plan_dir, int with_femora, fx_mesh **out,
                         fx_error *err);

/* The planned screws as closed 24-sided cylinders from entry to tip. */
int fx_plan_screws_mesh(const fx_plan *p, fx_mesh **out, fx_error *err);

#endif

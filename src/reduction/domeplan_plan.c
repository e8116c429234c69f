/*
 * domeplan_plan.c - the plan-based dome estimate of a plan (domeplan.h,
 * fx_domeplan_from_plan): the reduced model's parts, the dome found on the
 * pre-op CT with the plan's symmetry plane, then the lines once and each
 * series' displacements measured on them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/domeplan.h"
#include "fxaudit/meshio.h"

/* The plan's reference region: the first fixed fragment named reference*,
 * else the first fixed one with a model (as the audit chooses it). */
static long reference_index(const fx_plan *p)
{
    for (size_t i = 0; i < p->nfrags; i++)
        if (p->frags[i].fixed && !strncmp(p->frags[i].name, "reference", 9))
            return (long)i;
    for (size_t i = 0; i < p->nfrags; i++)
        if (p->frags[i].fixed && p->frags[i].mesh[0])
            return (long)i;
    return -1;
}

/* Fragment i's model in its planned position. */
static int planned_model(const fx_plan *plan, size_t i, const char *dir, fx_mesh **out,
                         fx_error *err)
{
    const fx_plan_fragment *f = &plan->frags[i];
    char path[4200];
    int k = f->mesh[0] == '/' ? snprintf(path, sizeof(path), "%s", f->mesh)
                              : snprintf(path, sizeof(path), "%s/%s", dir, f->mesh);
    if (k < 0 || (size_t)k >= sizeof(path))
        return fx_fail(err, FX_EINVAL, "model path of fragment '%s' is too long", f->name);
    if (!f->mesh[0])
        return fx_fail(err, FX_EFORMAT, "plan fragment '%s' has no model", f->name);
    int rc = fx_mesh_read(path, NULL, out, err);
    if (!rc)
        fx_mesh_transform(*out, &f->pose);
    return rc;
}

/* The parts taking part: the reference and the fragments; idx[k] = plan index. */
static int load_parts(const fx_plan *plan, const char *dir, fx_mesh **models,
                      fx_domeplan_part *parts, size_t *idx, size_t *n, fx_error *err)
{
    long ref = reference_index(plan);
    int rc = FX_OK;
    *n = 0;
    for (size_t i = 0; i < plan->nfrags && !rc; i++) {
        if (plan->frags[i].fixed && (long)i != ref)
            continue;
        rc = planned_model(plan, i, dir, &models[*n], err);
        if (rc)
            break;
        parts[*n].model = models[*n];
        parts[*n].label = plan->frags[i].label;
        idx[(*n)++] = i;
    }
    if (!rc && *n < 2)
        rc = fx_fail(err, FX_ENOTFOUND, "the plan has no fragment besides its reference: no "
                                        "fracture line to measure");
    return rc;
}

static int find_dome(const fx_plan *plan, const fx_volume *preop, fx_domefind_result *f,
                     fx_error *err)
{
    if (strcmp(plan->side, "left") && strcmp(plan->side, "right"))
        return fx_fail(err, FX_EFORMAT, "the plan names no injured side (left or right)");
    fx_plane pl = {plan->plane_normal, plan->plane_d_mm};
    return fx_dome_find(preop, !strcmp(plan->side, "left"), plan->has_plane ? &pl : NULL, f,
                        err);
}

/* Lines on the found dome, then both series. */
static int measure(const fx_plan *plan, const fx_domeplan_part *parts, const size_t *idx,
                   size_t n, const fx_rigid *post, const int *post_known, fx_domeplan_est *out,
                   fx_error *err)
{
    fx_domeplan_opts o;
    fx_domeplan *lines = NULL;
    fx_rigid *D = calloc(n, sizeof(*D));
    int *known = calloc(n, sizeof(*known));
    int rc = D && known ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate %zu poses", n);
    fx_domeplan_opts_default(&o);
    if (!rc)
        rc = fx_domeplan_lines(&out->found.dome, parts, n, &o, &lines, err);
    if (!rc) {
        out->samples = fx_domeplan_samples(lines);
        out->line_mm = fx_domeplan_line_mm(lines);
        for (size_t k = 0; k < n; k++)
            D[k] = plan->frags[idx[k]].fixed ? fx_rigid_identity()
                                             : fx_rigid_inverse(&plan->frags[idx[k]].pose);
        fx_domeplan_measure(lines, D, NULL, &out->series[0]);
        out->has[0] = 1;
    }
    if (!rc && post) {
        for (size_t k = 0; k < n; k++) {
            int fixed = plan->frags[idx[k]].fixed;
            D[k] = fixed ? fx_rigid_identity() : post[idx[k]];
            known[k] = fixed || !post_known || post_known[idx[k]];
        }
        fx_domeplan_measure(lines, D, known, &out->series[1]);
        out->has[1] = 1;
    }
    fx_domeplan_free(lines);
    free(D);
    free(known);
    return rc;
}

int fx_domeplan_from_plan(const fx_plan *plan, const char *plan_dir, const fx_volume *preop,
                          const fx_rigid *post, const int *post_known, fx_domeplan_est *out,
                          fx_error *err)
{
    size_t n = 0, cap = plan->nfrags ? plan->nfrags : 1;
    fx_mesh **models = calloc(cap, sizeof(*models));
    fx_domeplan_part *parts = calloc(cap, sizeof(*parts));
    size_t *idx = calloc(cap, sizeof(*idx));
    int rc = models && parts && idx ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate parts");
    memset(out, 0, sizeof(*out));
    if (!rc)
        rc = load_parts(plan, plan_dir, models, parts, idx, &n, err);
    out->parts = n;
    if (!rc)
        rc = find_dome(plan, preop, &out->found, err);
    if (!rc)
        rc = measure(plan, parts, idx, n, post, post_known, out, err);
    for (size_t k = 0; models && k < cap; k++)
        fx_mesh_free(models[k]);
    free(models);
    free(parts);
    free(idx);
    return rc ? fx_error_prefix(err, "plan-based dome estimate") : FX_OK;
}

/*
 * joint.c - fragments held to the template and kept out of each other:
 * penalised point-to-plane Gauss-Newton, one part at a time, in sweeps.
 */
#include "config.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

#include "fxaudit/joint.h"

void fx_joint_opts_default(fx_joint_opts *o)
{
    o->tolerance_mm = 0.5;
    o->fit_mm = 1.0;
    o->weight = 10;
    o->max_sweeps = 8;
    o->steps = 4;
    o->max_samples = 3000;
}

/* Normal equations of a point-to-plane cost for the small motion
 * (omega, v) about c: residual r = n.(x - q), Jacobian [(x - c) x n, n]. */
typedef struct normal_eq {
    double A[36], b[6];
    fx_vec3 c;
} normal_eq;

static void add_term(normal_eq *e, fx_vec3 x, fx_vec3 q, fx_vec3 n, double w)
{
    fx_vec3 a = fx_v3_cross(fx_v3_sub(x, e->c), n);
    double J[6] = {a.x, a.y, a.z, n.x, n.y, n.z}, r = fx_v3_dot(n, fx_v3_sub(x, q));
    for (int i = 0; i < 6; i++) {
        e->b[i] -= w * J[i] * r;
        for (int j = 0; j < 6; j++)
            e->A[6 * i + j] += w * J[i] * J[j];
    }
}

/* Template terms: sampled vertices of part p within fit_mm of the template. */
static void template_terms(normal_eq *e, const fx_posed *p, const fx_mesh *tmpl,
                           const fx_bvh *tb, const fx_joint_opts *o)
{
    size_t stride = p->mesh->nv > o->max_samples ? p->mesh->nv / o->max_samples : 1;
    for (size_t i = 0; i < p->mesh->nv; i += stride) {
        fx_vec3 x = fx_rigid_apply(&p->pose, p->mesh->v[i]);
        fx_closest c;
        if (!fx_bvh_closest(tb, x, o->fit_mm * o->fit_mm, &c))
            continue;
        const uint32_t *t = &tmpl->t[3 * c.tri];
        fx_vec3 a = tmpl->v[t[0]], b = tmpl->v[t[1]], d = tmpl->v[t[2]];
        fx_vec3 n = fx_v3_cross(fx_v3_sub(b, a), fx_v3_sub(d, a));
        if (fx_v3_norm(n) > 0)
            add_term(e, x, c.point, fx_v3_unit(n), 1);
    }
}

/* Penetration terms between the moving part p and another part q: p's
 * vertices inside q go to q's surface; q's vertices inside p pull p's
 * surface back behind them. */
static int contact_terms(normal_eq *e, const fx_posed *p, const fx_posed *q, double w,
                         double target_mm, fx_error *err)
{
    fx_vec3 s, n;
    double d;
    bool in;
    int rc;
    for (size_t i = 0; i < p->mesh->nv; i++) {
        fx_vec3 x = fx_rigid_apply(&p->pose, p->mesh->v[i]);
        if ((rc = fx_posed_inside(q, x, &in, &d, &s, &n, err)))
            return rc;
        if (in && d > target_mm) /* x to target_mm inside q's surface */
            add_term(e, x, fx_v3_sub(s, fx_v3_scale(n, target_mm)), n, w);
    }
    for (size_t i = 0; i < q->mesh->nv; i++) {
        fx_vec3 y = fx_rigid_apply(&q->pose, q->mesh->v[i]);
        if (y.x < p->lo.x || y.y < p->lo.y || y.z < p->lo.z || y.x > p->hi.x ||
            y.y > p->hi.y || y.z > p->hi.z)
            continue;
        if ((rc = fx_posed_inside(p, y, &in, &d, &s, &n, err)))
            return rc;
        if (in && d > target_mm) /* p's surface s to target_mm beyond y: n.(s - y) */
            add_term(e, s, fx_v3_add(y, fx_v3_scale(n, target_mm)), n, w);
    }
    return FX_OK;
}

static int boxes_meet(const fx_posed *a, const fx_posed *b)
{
    return a->lo.x <= b->hi.x && b->lo.x <= a->hi.x && a->lo.y <= b->hi.y &&
           b->lo.y <= a->hi.y && a->lo.z <= b->hi.z && b->lo.z <= a->hi.z;
}

/* Solve the 6x6 system (with a whisper of damping) and move part p. */
static void apply_step(fx_posed *p, normal_eq *e)
{
    double A[36], x[6];
    memcpy(A, e->A, sizeof(A));
    double tr = 0;
    for (int i = 0; i < 6; i++)
        tr += A[7 * i];
    for (int i = 0; i < 6; i++)
        A[7 * i] += 1e-9 * tr + 1e-12;
    gsl_matrix_view M = gsl_matrix_view_array(A, 6, 6);
    gsl_vector_view B = gsl_vector_view_array(e->b, 6), X = gsl_vector_view_array(x, 6);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int bad = gsl_linalg_cholesky_decomp1(&M.matrix) ||
              gsl_linalg_cholesky_solve(&M.matrix, &B.vector, &X.vector);
    gsl_set_error_handler(old);
    if (bad)
        return;
    fx_vec3 w = fx_v3(x[0], x[1], x[2]);
    double ang = fx_v3_norm(w);
    fx_rigid R = ang > 0 ? fx_rigid_from_axis_angle(w, ang, fx_v3(0, 0, 0)) : fx_rigid_identity();
    fx_vec3 t = fx_v3_add(fx_v3_sub(e->c, fx_rigid_rotate(&R, e->c)), fx_v3(x[3], x[4], x[5]));
    R.t[0] = t.x, R.t[1] = t.y, R.t[2] = t.z;
    fx_rigid T = fx_rigid_compose(&R, &p->pose);
    fx_posed_update(p, &T);
}

static int refine_part(fx_posed *parts, size_t n, size_t k, const fx_mesh *tmpl,
                       const fx_bvh *tb, const fx_joint_opts *o, double w, fx_error *err)
{
    int rc;
    for (int it = 0; it < o->steps; it++) {
        normal_eq e;
        memset(&e, 0, sizeof(e));
        e.c = fx_rigid_apply(&parts[k].pose, fx_mesh_centroid(parts[k].mesh));
        template_terms(&e, &parts[k], tmpl, tb, o);
        for (size_t j = 0; j < n; j++)
            if (j != k && boxes_meet(&parts[k], &parts[j]) &&
                (rc = contact_terms(&e, &parts[k], &parts[j], w, o->tolerance_mm / 2, err)))
                return rc;
        apply_step(&parts[k], &e);
    }
    return FX_OK;
}

int fx_joint_deepest(const fx_posed *parts, const int *movable, size_t n, double *depth_mm,
                     size_t *ia, size_t *ib, fx_error *err)
{
    *depth_mm = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            fx_overlap ov;
            int rc;
            if (!(movable[a] || movable[b]) || !boxes_meet(&parts[a], &parts[b]))
                continue;
            if ((rc = fx_overlap_measure(&parts[a], &parts[b], 0, &ov, err)))
                return rc;
            if (ov.depth_mm > *depth_mm) {
                *depth_mm = ov.depth_mm;
                if (ia)
                    *ia = a;
                if (ib)
                    *ib = b;
            }
        }
    return FX_OK;
}

int fx_joint_refine(fx_posed *parts, const int *movable, size_t n, const fx_mesh *tmpl,
                    const fx_bvh *tbvh, const fx_joint_opts *opts, fx_joint_report *rep,
                    fx_error *err)
{
    fx_joint_opts def;
    double w, depth;
    int rc;

    if (!opts)
        fx_joint_opts_default(&def), opts = &def;
    memset(rep, 0, sizeof(*rep));
    w = opts->weight;
    if ((rc = fx_joint_deepest(parts, movable, n, &depth, NULL, NULL, err)))
        return rc;
    while (depth > opts->tolerance_mm && rep->sweeps < opts->max_sweeps) {
        for (size_t k = 0; k < n; k++)
            if (movable[k] && (rc = refine_part(parts, n, k, tmpl, tbvh, opts, w, err)))
                return rc;
        rep->sweeps++;
        w *= 4;
        if ((rc = fx_joint_deepest(parts, movable, n, &depth, NULL, NULL, err)))
            return rc;
    }
    rep->depth_mm = depth;
    rep->converged = depth <= opts->tolerance_mm;
    return FX_OK;
}

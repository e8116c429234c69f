/*
 * reduce.c - one fragment onto the mirrored template, from the best of
 * several coarse starts.
 */
#include "config.h"

#include <math.h>

#include "fxaudit/bvh.h"
#include "fxaudit/icp.h"
#include "fxaudit/reduce.h"

#define MAX_STARTS 13

void fx_reduce_opts_default(fx_reduce_opts *o)
{
    o->min_overlap = 0.4;
    o->multistart = 1;
    o->start_rot_deg = 15;
    o->start_trans_mm = 15;
    o->inlier_mm = 2;
    o->template_mask = NULL;
}

/* The given start, then small turns about and shifts along each axis,
 * applied about the fragment's centroid after the given start. */
static int start_poses(const fx_mesh *frag, const fx_rigid *start, const fx_reduce_opts *o,
                       fx_rigid out[MAX_STARTS])
{
    fx_vec3 c = fx_rigid_apply(start, fx_mesh_centroid(frag)), axes[3] = {{1, 0, 0}, {0, 1, 0},
                                                                            {0, 0, 1}};
    int n = 0;

    out[n++] = *start;
    if (!o->multistart)
        return n;
    for (int a = 0; a < 3; a++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            /* rotate about the centroid: x -> R(x - c) + c */
            fx_rigid R = fx_rigid_from_axis_angle(axes[a], sgn * o->start_rot_deg * M_PI / 180,
                                                  fx_v3(0, 0, 0));
            fx_vec3 t = fx_v3_sub(c, fx_rigid_rotate(&R, c));
            R.t[0] = t.x, R.t[1] = t.y, R.t[2] = t.z;
            out[n++] = fx_rigid_compose(&R, start);
            fx_rigid S = fx_rigid_identity();
            fx_vec3 d = fx_v3_scale(axes[a], sgn * o->start_trans_mm);
            S.t[0] = d.x, S.t[1] = d.y, S.t[2] = d.z;
            out[n++] = fx_rigid_compose(&S, start);
        }
    return n;
}

static void icp_opts(const fx_reduce_opts *o, const fx_rigid *start, int coarse, fx_icp_opts *io)
{
    fx_icp_opts_default(io);
    io->init = FX_ICP_INIT_NONE;
    io->start = *start;
    io->min_overlap = o->min_overlap;
    io->fixed_mask = o->template_mask;
    if (coarse) {
        io->levels = 1;
        io->max_samples = 2000;
        io->max_iterations = 30;
    }
}

int fx_reduce_residuals(const fx_mesh *frag, const fx_bvh *tb, const fx_rigid *T, double inlier,
                        fx_reduce_result *r)
{
    double ss = 0, mx = 0;
    size_t k = 0;
    for (size_t i = 0; i < frag->nv; i++) {
        fx_closest c;
        if (!fx_bvh_closest(tb, fx_rigid_apply(T, frag->v[i]), inlier * inlier, &c))
            continue;
        ss += c.d2_mm2;
        mx = fmax(mx, sqrt(c.d2_mm2));
        k++;
    }
    r->rms_mm = k ? sqrt(ss / (double)k) : NAN;
    r->max_mm = k ? mx : NAN;
    r->surface_fraction = frag->nv ? (double)k / (double)frag->nv : 0;
    return FX_OK;
}

int fx_reduce_fragment(const fx_mesh *fragment, const fx_mesh *tmpl, const fx_rigid *start,
                       const fx_reduce_opts *opts, fx_reduce_result *out, fx_error *err)
{
    fx_reduce_opts def;
    fx_rigid starts[MAX_STARTS], I = fx_rigid_identity(), best_T = I;
    fx_icp_opts io;
    fx_icp_result ir;
    fx_bvh *tb = NULL;
    double best = INFINITY;
    int n, rc;

    if (!opts)
        fx_reduce_opts_default(&def), opts = &def;
    n = start_poses(fragment, start ? start : &I, opts, starts);
    for (int k = 0; k < n; k++) {
        icp_opts(opts, &starts[k], 1, &io);
        if ((rc = fx_icp_align(fragment, tmpl, &io, &ir, err)))
            return rc;
        double score = ir.inlier_fraction > 0 ? ir.rms_mm / ir.inlier_fraction : INFINITY;
        if (score < best)
            best = score, best_T = ir.T;
    }
    icp_opts(opts, &best_T, 0, &io);
    if ((rc = fx_icp_align(fragment, tmpl, &io, &ir, err)) || (rc = fx_bvh_build(tmpl, &tb, err)))
        return rc;
    out->pose = ir.T;
    out->icp_rms_mm = ir.rms_mm;
    out->icp_inlier_fraction = ir.inlier_fraction;
    out->icp_warnings = ir.warnings;
    out->starts = n;
    rc = fx_reduce_residuals(fragment, tb, &ir.T, opts->inlier_mm, out);
    fx_bvh_free(tb);
    return rc;
}

/*
 * audit.c - the post-op audit of one patient: registration onto the plan's
 * reference region, the actual screws, their assignment to the planned ones,
 * the deviations in plan coordinates and the metal that no plan explains.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxaudit/audit.h"
#include "fxaudit/auditposes.h"
#include "fxaudit/screwfit.h"

void fx_audit_opts_default(fx_audit_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->metal_hu = 2500;
    o->capture_mm = 6;
    o->cone_deg = 15;
    o->offset_mm = 3;
    o->fit_mm = -0.1;
    o->head_height_mm = 2.5;
    o->head_diameter_mm = 6;
    o->min_fill = 0.55; /* real screws >= 0.62 (1366 on 20 cohorts), lines strung
                           through other metal 0.42-0.52 (docs/audit.md) */
    o->exclude_metal_mm = 1.5;
    o->match_angle_deg = 20;
    o->match_entry_mm = 10;
    o->min_metal_mm3 = 30;
    o->register_postop = 1;
    o->joint_margin_mm = 2;
}

void fx_audit_result_free(fx_audit_result *r)
{
    if (!r)
        return;
    free(r->screws);
    free(r->dev);
    free(r->unplanned);
    fx_audit_poses_free(r->poses);
    free(r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Thickness of the plate a planned screw's head sits on; 0 for none. */
static double plate_thickness(const fx_plan *plan, const fx_plan_screw *s)
{
    const fx_plan_plate *pl = fx_plan_plate_of_screw(plan, s);
    return pl && isfinite(pl->thickness_mm) ? pl->thickness_mm : 0.0;
}

/* Within 2 mm of b's segment? */
static int near_axis(fx_vec3 x, const fx_audit_screw *b)
{
    double t = fx_v3_dot(fx_v3_sub(x, b->entry), b->dir);
    t = t < 0 ? 0 : t > b->length_mm ? b->length_mm : t;
    return fx_v3_dist(x, fx_v3_add(b->entry, fx_v3_scale(b->dir, t))) < 2.0;
}

/* Along a's axis (every 1 mm, entry to tip): the share of points within 2 mm
 * of b's axis, and the mean metal coverage of the others (*own). */
static double shared(const fx_volume *hu, const fx_audit_screw *a, const fx_audit_screw *b,
                     double *own)
{
    int n = 0, k = 0;
    double cov = 0;
    for (double t = 0; t <= a->length_mm; t += 1.0, k++) {
        fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(a->dir, t));
        if (near_axis(x, b)) {
            n++;
            continue;
        }
        double w = (fx_volume_sample(hu, fx_volume_world_to_index(hu, x), a->bone_hu) - a->bone_hu) /
                   (a->metal_level_hu - a->bone_hu);
        cov += w < 0 ? 0 : w > 1 ? 1 : w;
    }
    *own = k > n ? cov / (k - n) : 0;
    return k ? (double)n / k : 0;
}

/* Share of a found axis (entry to tip, every 1 mm) within half a plate's width
 * + 1 mm of that plate's planned path (mapped into the post-op scan), the
 * largest over the plates. A screw crosses its plate into the bone: on the
 * small and clinical cohorts of 2026-11-24 at most 0.35 of a placed screw's
 * axis lies that near a plate's path (the truth's post-op paths, for the
 * analysis only). A search that ran along a plate instead found the plate:
 * clinical seed 73 P03, planned screw 12 not placed, "found" for 24.6 mm
 * along plate 2 (0.96 of its axis within 5 mm of the path). */
static double along_plate(const fx_plan *plan, const fx_rigid *plan_to_post,
                          const fx_audit_screw *a)
{
    double best = 0;
    for (size_t p = 0; p < plan->nplates; p++) {
        const fx_plan_plate *pl = &plan->plates[p];
        double tol = 0.5 * (isfinite(pl->width_mm) ? pl->width_mm : 10.0) + 1.0;
        int n = 0, m = 0;
        for (double t = 0; t <= a->length_mm && pl->npath > 1; t += 1.0, n++) {
            fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(a->dir, t));
            for (size_t k = 0; k + 1 < pl->npath; k++) {
                fx_vec3 p0 = fx_rigid_apply(plan_to_post, pl->path[k]);
                fx_vec3 d = fx_v3_sub(fx_rigid_apply(plan_to_post, pl->path[k + 1]), p0);
                double dd = fx_v3_dot(d, d);
                double u = dd > 0 ? fx_v3_dot(fx_v3_sub(x, p0), d) / dd : 0;
                u = u < 0 ? 0 : u > 1 ? 1 : u;
                if (fx_v3_dist(x, fx_v3_add(p0, fx_v3_scale(d, u))) < tol) {
                    m++;
                    break;
                }
            }
        }
        if (n && (double)m / n > best)
            best = (double)m / n;
    }
    return best;
}

#define ALONG_PLATE_MAX 0.6 /* share of an axis along a plate: the plate, not a screw */

/* Does a lie on b's metal (a quarter of its axis within 2 mm of b's) with too
 * little metal of its own elsewhere (mean coverage below OWN_FILL_MIN, the
 * search's acceptance gate when this rule was made)? */
#define OWN_FILL_MIN 0.4

static int on_other(const fx_volume *hu, const fx_audit_screw *a, const fx_audit_screw *b)
{
    double own;
    return shared(hu, a, b, &own) >= 0.25 && own < OWN_FILL_MIN;
}

/* One screw found by two searches: three quarters of each axis within 2 mm of
 * the other's, whatever else either reaches (a plate past one end). */
static int same_screw(const fx_volume *hu, const fx_audit_screw *a, const fx_audit_screw *b)
{
    double own;
    return shared(hu, a, b, &own) >= 0.75 && shared(hu, b, a, &own) >= 0.75;
}

/* A search that ended on another screw's metal and found no screw of its own:
 * a planned screw not placed beside one that converges on it. Screws that
 * merely cross keep their own metal and stay. When two searches found one
 * screw (e.g. two screws planned along one corridor from the two plates, the
 * other way round, one placed: small seed 53 P05 and P10, where the search
 * from the other plate took that plate for the head), the one further from its
 * own plan goes, not the one that happens to lie wholly on the other. */
static void drop_shared(const fx_volume *hu, const fx_audit_prior *pr, fx_audit_result *r)
{
    fx_audit_screw *s = r->screws;
    for (size_t i = 0; i < r->nscrews; i++)
        for (size_t j = 0; j < r->nscrews; j++) {
            if (i == j)
                continue;
            if (same_screw(hu, &s[i], &s[j])) {
                double ci = fx_audit_plan_cost(&s[i], &pr[s[i].planned]);
                double cj = fx_audit_plan_cost(&s[j], &pr[s[j].planned]);
                if (ci < cj || (ci == cj && i < j))
                    continue; /* j goes when the loop reaches it */
            } else if (!on_other(hu, &s[i], &s[j])) {
                continue;
            }
            memmove(&s[i], &s[i + 1], (r->nscrews - i - 1) * sizeof(*s));
            r->nscrews--;
            i = (size_t)-1; /* start over */
            break;
        }
}

/* Tips that end beside another screw's metal, refitted (src/audit/tips.c). */
static int resolve_tips(const fx_volume *hu, const fx_plan *plan, const fx_audit_opts *o,
                        fx_audit_result *r, fx_error *err)
{
    double *diam = malloc((r->nscrews + 1) * sizeof(double));
    if (!diam)
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screw diameters", r->nscrews);
    for (size_t k = 0; k < r->nscrews; k++) {
        double d = plan->screws[r->screws[k].planned].diameter_mm;
        diam[k] = d > 0 ? d : 3.5;
    }
    int rc = fx_audit_resolve_tips(hu, r->screws, r->nscrews, diam, o, err);
    free(diam);
    return rc;
}

/* Candidates: one search per planned screw; searches that ended on another's
 * metal once more with it masked; then drop_shared and the tips next to
 * other screws. */
static int find_all(const fx_volume *hu, const fx_plan *plan, const fx_rigid *plan_to_post,
                    const fx_audit_opts *o, fx_audit_result *r, fx_error *err)
{
    fx_audit_prior *pr = calloc(plan->nscrews ? plan->nscrews : 1, sizeof(*pr));
    int rc = FX_OK;
    r->screws = calloc(plan->nscrews ? plan->nscrews : 1, sizeof(*r->screws));
    if (!r->screws || !pr) {
        free(pr);
        return fx_fail(err, FX_ENOMEM, "cannot allocate %zu screws", plan->nscrews);
    }
    for (size_t i = 0; i < plan->nscrews; i++) {
        const fx_plan_screw *s = &plan->screws[i];
        fx_audit_prior *p = &pr[i];
        fx_audit_screw a;
        int found;
        fx_progress_report(&o->progress, "screws", (double)i / (double)plan->nscrews);
        memset(&a, 0, sizeof(a));
        *p = (fx_audit_prior){fx_rigid_apply(plan_to_post, s->entry),
                              fx_rigid_rotate(plan_to_post, s->dir), s->length_mm,
                              s->diameter_mm > 0 ? s->diameter_mm : 3.5, plate_thickness(plan, s)};
        rc = fx_audit_find_screw(hu, p->entry, p->dir, p->length_mm, p->diameter_mm, p->plate_mm, o,
                                 &a, &found, err);
        if (rc) {
            free(pr);
            return fx_error_prefix(err, "screw '%s'", s->name);
        }
        if (!found || along_plate(plan, plan_to_post, &a) >= ALONG_PLATE_MAX)
            continue;
        a.planned = (int)i;
        r->screws[r->nscrews++] = a;
    }
    /* two searches that ended on the same metal: the weaker one again, the
     * other's metal masked out (src/audit/screws.c) */
    rc = fx_audit_separate_shared(hu, r->screws, r->nscrews, pr, o, err);
    if (!rc)
        drop_shared(hu, pr, r);
    free(pr);
    if (rc)
        return rc;
    rc = resolve_tips(hu, plan, o, r, err);
    return rc ? rc : fx_audit_screwfit(hu, plan, o, r, err); /* sub-voxel, src/audit/screwfit.c */
}

static fx_audit_dev deviation(const fx_plan_screw *p, const fx_audit_screw *a, const fx_rigid *T)
{
    fx_audit_dev d;
    fx_vec3 ptip = fx_plan_screw_tip(p);
    d.joint_mm = NAN;
    d.joint_penetration = -1;
    d.entry = fx_rigid_apply(T, a->entry);
    d.tip = fx_rigid_apply(T, a->tip);
    d.angle_deg = fx_v3_axis_angle(p->dir, fx_v3_sub(d.tip, d.entry)) * 180 / M_PI;
    d.entry_mm = fx_v3_dist(p->entry, d.entry);
    d.tip_mm = fx_v3_dist(ptip, d.tip);
    d.length_mm = a->length_mm - p->length_mm;
    return d;
}

static int match_all(const fx_plan *plan, const fx_rigid *T, const fx_audit_opts *o,
                     fx_audit_result *r, fx_error *err)
{
    size_t n = plan->nscrews, m = r->nscrews;
    const double forbid = 1e6;
    double *cost = calloc(n * m + 1, sizeof(double));
    int *as = calloc(n + 1, sizeof(int));
    int rc = FX_OK;

    r->dev = calloc(n + 1, sizeof(*r->dev));
    if (!cost || !as || !r->dev) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the screw assignment");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            fx_audit_dev d = deviation(&plan->screws[i], &r->screws[j], T);
            int ok = d.angle_deg <= o->match_angle_deg && d.entry_mm <= o->match_entry_mm;
            cost[i * m + j] = ok ? d.angle_deg + d.entry_mm : 10 * forbid;
        }
    if ((rc = fx_audit_assign(cost, n, m, forbid, as, err)))
        goto out;
    r->ndev = n;
    r->unmatched = m;
    for (size_t i = 0; i < n; i++) {
        if (as[i] < 0) {
            r->dev[i] = (fx_audit_dev){-1, {NAN, NAN, NAN}, {NAN, NAN, NAN}, NAN, NAN, NAN, NAN,
                                       NAN, -1};
            continue;
        }
        r->dev[i] = deviation(&plan->screws[i], &r->screws[as[i]], T);
        r->dev[i].actual = as[i];
        fx_audit_joint_check(&r->dev[i],
                             plan->screws[i].diameter_mm > 0 ? plan->screws[i].diameter_mm : 3.5, o);
        r->unmatched--;
    }
out:
    free(cost);
    free(as);
    return rc;
}

int fx_audit_run(const fx_volume *postop, const fx_plan *plan, const fx_mesh *reference,
                 const char *region, const fx_audit_opts *o, fx_audit_result **out, fx_error *err)
{
    fx_audit_result *r = calloc(1, sizeof(*r));
    fx_rigid T = fx_rigid_identity(), Tinv;
    int rc = FX_OK;
    double t0 = now_s();

    if (!r)
        return fx_fail(err, FX_ENOMEM, "cannot allocate an audit result");
    if (reference && o->register_postop) {
        fx_progress_report(&o->progress, "registration", 0);
        if ((rc = fx_audit_register_poses(postop, reference, o, &r->reg, &r->poses, err)))
            goto fail;
        r->registered = 1;
        T = r->reg.T;
        snprintf(r->region, sizeof(r->region), "%s", region ? region : "reference");
    }
    r->seconds[1] = now_s() - t0;
    Tinv = fx_rigid_inverse(&T);
    t0 = now_s();
    if ((rc = find_all(postop, plan, &Tinv, o, r, err)))
        goto fail;
    r->seconds[2] = now_s() - t0;
    t0 = now_s();
    if ((rc = match_all(plan, &T, o, r, err)) ||
        (rc = fx_audit_unplanned_metal(postop, plan, &Tinv, r->screws, r->nscrews, o, r, err)))
        goto fail;
    r->seconds[3] = now_s() - t0;
    *out = r;
    return FX_OK;
fail:
    fx_audit_result_free(r);
    return rc;
}

int fx_audit_scan_is_coarse(const double s[3])
{
    return s[0] > FX_AUDIT_ACCURACY_VOXEL_MM || s[1] > FX_AUDIT_ACCURACY_VOXEL_MM ||
           s[2] > FX_AUDIT_ACCURACY_VOXEL_MM;
}

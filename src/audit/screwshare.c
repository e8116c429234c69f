/*
 * screwshare.c - screws whose searches ended on the same metal.
 *
 * Each planned screw is searched for on its own (screws.c), and two searches
 * can end on one screw's metal: two screws side by side, or on nearly one
 * line from the two plates. Where one found axis runs inside another's
 * shaft, both are searched again, each with the other's metal masked out,
 * and the pair lying nearer its plans is kept (docs/audit.md, "Actual
 * screws", step 5, and "Both searches of a shared screw again").
 */
#include <math.h>
#include <string.h>

#include "fxaudit/audit.h"

double fx_audit_plan_cost(const fx_audit_screw *a, const fx_audit_prior *p)
{
    return fx_v3_axis_angle(a->dir, p->dir) * 180 / M_PI + fx_v3_dist(a->entry, p->entry);
}

/* Share of a's axis (entry to tip, every 1 mm) within r_mm of b's segment. */
static double inside_share(const fx_audit_screw *a, const fx_audit_screw *b, double r_mm)
{
    int n = 0, m = 0;
    for (double t = 0; t <= a->length_mm; t += 1.0, n++) {
        fx_vec3 x = fx_v3_add(a->entry, fx_v3_scale(a->dir, t));
        double s = fx_v3_dot(fx_v3_sub(x, b->entry), b->dir);
        s = s < 0 ? 0 : s > b->length_mm ? b->length_mm : s;
        m += fx_v3_dist(x, fx_v3_add(b->entry, fx_v3_scale(b->dir, s))) < r_mm;
    }
    return n ? (double)m / n : 0;
}

#define SHARED_MIN 0.25 /* share of an axis inside another's shaft: same metal */

/* Search s[k] again around its plan with s[other]'s shaft and head masked
 * out. *cost is the new screw's distance from its plan, or INFINITY where
 * none was found or it runs inside another found screw's shaft (a search
 * that left one screw's metal for a third one's has found nothing of its
 * own: small seed 83 P05, screw 7 masked off screw 8 went to screw 10). */
static int search_masked(const fx_volume *hu, const fx_audit_screw *s, size_t n, size_t k,
                         size_t other, const fx_audit_prior *prior, const fx_audit_opts *o,
                         fx_audit_screw *a, double *cost, fx_error *err)
{
    double vox = fmax(hu->spacing[0], fmax(hu->spacing[1], hu->spacing[2]));
    const fx_audit_prior *pk = &prior[s[k].planned], *po = &prior[s[other].planned];
    fx_audit_mask m = {&s[other], 0.5 * po->diameter_mm, 0.5 * o->head_diameter_mm,
                       o->head_height_mm + po->plate_mm, 0.5 * vox};
    int found = 0;
    memset(a, 0, sizeof(*a));
    *cost = INFINITY;
    int rc = fx_audit_find_screw_masked(hu, pk->entry, pk->dir, pk->length_mm, pk->diameter_mm,
                                        pk->plate_mm, &m, o, a, &found, err);
    if (rc || !found)
        return rc;
    for (size_t q = 0; q < n; q++)
        if (q != k && inside_share(a, &s[q], 0.5 * prior[s[q].planned].diameter_mm) >= SHARED_MIN)
            return FX_OK;
    a->planned = s[k].planned;
    *cost = fx_audit_plan_cost(a, pk);
    return FX_OK;
}

/* s[i] runs inside s[j]'s shaft: one of the two searches took the other's
 * metal. Each is searched again with the other masked out, and of the two
 * outcomes the one whose pair lies nearer its plans in all is kept (s[j]'s
 * new screw only where it is nearer its plan than the old one). Only s[i],
 * the one further from its plan, was searched again before: where screws 7
 * and 8 lay on nearly one line from the two plates (small seed 83 P05), 8's
 * search had taken 7's metal at a cost just below 7's own, 7's found only a
 * third screw's, and 8 was kept on 7's metal and 7 reported not placed. */
static int separate_pair(const fx_volume *hu, fx_audit_screw *s, size_t n, size_t i, size_t j,
                         const fx_audit_prior *prior, const fx_audit_opts *o, fx_error *err)
{
    fx_audit_screw ai, aj;
    double ci, cj, cost_i = fx_audit_plan_cost(&s[i], &prior[s[i].planned]),
                   cost_j = fx_audit_plan_cost(&s[j], &prior[s[j].planned]);
    int rc = search_masked(hu, s, n, i, j, prior, o, &ai, &ci, err);
    if (!rc)
        rc = search_masked(hu, s, n, j, i, prior, o, &aj, &cj, err);
    if (rc)
        return rc;
    if (cj > cost_j)
        cj = INFINITY;
    if (isfinite(cj) && cost_i + cj < ci + cost_j)
        s[j] = aj;
    else if (isfinite(ci))
        s[i] = ai;
    return FX_OK;
}

int fx_audit_separate_shared(const fx_volume *hu, fx_audit_screw *s, size_t n,
                             const fx_audit_prior *prior, const fx_audit_opts *o, fx_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            const fx_audit_prior *pi = &prior[s[i].planned], *pj = &prior[s[j].planned];
            if (i == j || inside_share(&s[i], &s[j], 0.5 * pj->diameter_mm) < SHARED_MIN ||
                fx_audit_plan_cost(&s[i], pi) <= fx_audit_plan_cost(&s[j], pj))
                continue;
            int rc = separate_pair(hu, s, n, i, j, prior, o, err);
            if (rc)
                return rc;
        }
    return FX_OK;
}

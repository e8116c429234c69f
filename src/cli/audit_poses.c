/*
 * audit_poses.c - the JSON of the audit's residual histogram and of each
 * planned fragment's and plate's post-op pose (docs/audit.md).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "audit_poses.h"
#include "cli.h"
#include "fxaudit/auditposes.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static double inlier_share(const fx_audit_hist *h)
{
    size_t in = 0;
    for (size_t b = 0; b < h->nbins; b++)
        if ((double)(b + 1) * h->bin_mm <= h->cut_mm + 1e-9)
            in += h->count[b];
    return h->n ? (double)in / (double)h->n : 0;
}

static json_t *hist_json(const fx_audit_hist *h)
{
    json_t *a = json_array();
    for (size_t b = 0; b < h->nbins; b++) {
        int last = b + 1 == h->nbins;
        json_array_append_new(a, json_pack("{s:f,s:f,s:I,s:b}", "lo_mm", (double)b * h->bin_mm,
                                           "hi_mm", last ? h->max_mm : (double)(b + 1) * h->bin_mm,
                                           "count", (json_int_t)h->count[b], "inlier", (double)(b + 1) * h->bin_mm <= h->cut_mm + 1e-9));
    }
    return a;
}

static json_t *pose_json(const fx_audit_pose *p)
{
    json_t *j = json_pack("{s:s,s:b,s:b}", "name", p->name, "found", p->found, "reference",
                          p->reference);
    double m[16], d[3] = {p->d.x, p->d.y, p->d.z};
    fx_rigid_to_matrix(&p->pose, m);
    json_object_set_new(j, "matrix", p->found ? cli_json_doubles(m, 16) : json_null());
    json_object_set_new(j, "d_mm", p->found ? cli_json_doubles(d, 3) : json_null());
    json_object_set_new(j, "translation_mm", num(p->found ? p->translation_mm : NAN));
    json_object_set_new(j, "rotation_deg", num(p->found ? p->rotation_deg : NAN));
    json_object_set_new(j, "rms_mm", num(p->rms_mm));
    json_object_set_new(j, "inlier_fraction", num(p->inlier_fraction));
    json_object_set_new(j, "rotation_bound_deg", num(p->rotation_bound_deg));
    json_object_set_new(j, "warning", p->warning[0] ? json_string(p->warning) : json_null());
    return j;
}

static json_t *poses_json(const fx_audit_pose *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, pose_json(&p[i]));
    return a;
}

void audit_poses_json_add(json_t *j, const fx_audit_result *r, const char *why_none)
{
    const fx_audit_poses *ps = r->poses;
    if (!ps)
        json_object_set_new(j, "poses_note", json_string(why_none));
    json_t *reg = json_object_get(j, "registration");
    if (ps && ps->has_hist && json_is_object(reg)) {
        const fx_audit_hist *h = &ps->hist;
        json_object_set_new(reg, "residual_histogram", hist_json(h));
        json_object_set_new(reg, "residuals",
                            json_pack("{s:f,s:f,s:I,s:f,s:f,s:f,s:f}", "bin_mm", h->bin_mm, "cut_mm",
                                      h->cut_mm, "points", (json_int_t)h->n, "mean_mm",
                                      h->mean_mm, "rms_mm", h->rms_mm, "max_mm", h->max_mm, "range_mm", h->range_mm));
    }
    json_t *sec = json_object_get(j, "seconds");
    if (ps && json_is_object(sec)) {
        json_object_set_new(sec, "fragments", json_real(ps->seconds[0]));
        json_object_set_new(sec, "plates", json_real(ps->seconds[1]));
    }
    json_object_set_new(j, "fragments", ps ? poses_json(ps->frags, ps->nfrags) : json_array());
    json_object_set_new(j, "plates", ps ? poses_json(ps->plates, ps->nplates) : json_array());
}

static void print_poses(const char *what, const fx_audit_pose *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].found)
            printf("%s %-22s moved %6.2f mm (%+.2f, %+.2f, %+.2f), turned %5.2f deg, rms %.2f mm\n",
                   what, p[i].name, p[i].translation_mm, p[i].d.x, p[i].d.y, p[i].d.z,
                   p[i].rotation_deg, p[i].rms_mm);
        else
            printf("%s %-22s not located%s%s\n", what, p[i].name, p[i].warning[0] ? ": " : "",
                   p[i].warning);
}

void audit_poses_warn(const fx_audit_result *r)
{
    const fx_audit_poses *ps = r->poses;
    for (size_t i = 0; ps && i < ps->nfrags; i++)
        if (ps->frags[i].warning[0])
            fprintf(stderr, "fxaudit audit: warning: fragment '%s' not located: %s\n",
                    ps->frags[i].name, ps->frags[i].warning);
    for (size_t i = 0; ps && i < ps->nplates; i++)
        if (ps->plates[i].warning[0])
            fprintf(stderr, "fxaudit audit: warning: plate '%s' not located: %s\n",
                    ps->plates[i].name, ps->plates[i].warning);
}

void audit_poses_print(const fx_audit_result *r, const char *why_none)
{
    const fx_audit_poses *ps = r->poses;
    if (!ps) {
        printf("fragments and plates: %s\n", why_none);
        return;
    }
    if (ps->has_hist)
        printf("registration residuals: %zu points, %.1f %% within the %.1f mm cut, mean %.2f mm\n",
               ps->hist.n, 100.0 * inlier_share(&ps->hist), ps->hist.cut_mm, ps->hist.mean_mm);
    print_poses("fragment", ps->frags, ps->nfrags);
    print_poses("plate   ", ps->plates, ps->nplates);
}

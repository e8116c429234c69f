/*
 * audit_poses.c - the JSON of the audit's residual histogram and of each
 * planned fragment's and plate's post-op pose (docs/audit.md).
 */
#include "config.h"

#include <math.h>

#include "audit_poses.h"
#include "cli.h"
#include "fxaudit/auditposes.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
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
    return j;
}

static json_t *poses_json(const fx_audit_pose *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, pose_json(&p[i]));
    return a;
}

void audit_poses_json_add(json_t *j, const fx_audit_result *r)
{
    const fx_audit_poses *ps = r->poses;
    json_t *reg = json_object_get(j, "registration");
    if (ps && ps->has_hist && json_is_object(reg)) {
        const fx_audit_hist *h = &ps->hist;
        json_object_set_new(reg, "residual_histogram", hist_json(h));
        json_object_set_new(reg, "residuals",
                            json_pack("{s:f,s:f,s:I,s:f,s:f,s:f,s:f}", "bin_mm", h->bin_mm, "cut_mm",
                                      h->cut_mm, "points", (json_int_t)h->n, "mean_mm",
                                      h->mean_mm, "rms_mm", h->rms_mm, "max_mm", h->max_mm, "range_mm", h->range_mm));
    }
    json_object_set_new(j, "fragments", ps ? poses_json(ps->frags, ps->nfrags) : json_array());
    json_object_set_new(j, "plates", ps ? poses_json(ps->plates, ps->nplates) : json_array());
}

/*
 * planinputs.c - what a surgeon would hand to `plan create` for a phantom
 * patient, read off its truth.json: the planned screws, the planned plate
 * paths and the roles of the true label map's labels. The demo and
 * `validate --stage plan` plan from these.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fxaudit/jsonfile.h"
#include "fxaudit/phantom.h"

static int roles_of(const json_t *truth, char *out, size_t n, fx_error *err)
{
    size_t i, used = 0;
    json_t *f;
    out[0] = '\0';
    json_array_foreach(json_object_get(truth, "fragments"), i, f) {
        const char *kind = json_string_value(json_object_get(f, "kind"));
        const char *name = json_string_value(json_object_get(f, "name"));
        const char *role = !kind || !name             ? NULL
                           : !strcmp(kind, "intact")   ? "reference"
                           : !strcmp(kind, "fragment") ? "fragment"
                           : strstr(name, "injured")   ? "femur-injured"
                                                       : "femur-intact";
        if (!role)
            return fx_fail(err, FX_EFORMAT, "truth: part %zu has no kind or name", i);
        int k = snprintf(out + used, n - used, "%s%lld:%s", used ? "," : "",
                         (long long)json_integer_value(json_object_get(f, "label")), role);
        if (k < 0 || (size_t)k >= n - used)
            return fx_fail(err, FX_EINVAL, "too many parts in the truth");
        used += (size_t)k;
    }
    return FX_OK;
}

int fx_phantom_plan_inputs(const json_t *truth, const char *screws_path,
                           const char *plates_path, char *roles, size_t nroles, fx_error *err)
{
    json_t *sa = json_array(), *pa = json_array(), *x;
    size_t i;
    int rc;

    json_array_foreach(json_object_get(json_object_get(truth, "planned_screws"), "screws"), i, x) {
        char name[32];
        snprintf(name, sizeof(name), "S%lld",
                 (long long)json_integer_value(json_object_get(x, "id")));
        json_array_append_new(sa, json_pack("{s:s, s:O, s:O, s:O, s:O}", "name", name, "entry",
                                            json_object_get(x, "entry"), "target",
                                            json_object_get(x, "tip"), "diameter_mm",
                                            json_object_get(x, "diameter_mm"), "length_mm",
                                            json_object_get(x, "length_mm")));
    }
    /* the plate lies 0.5 mm off the bone, as planning tools leave room for periosteum */
    json_array_foreach(json_object_get(truth, "plates"), i, x)
        json_array_append_new(pa, json_pack("{s:O, s:O, s:O, s:f, s:O}", "name",
                                            json_object_get(x, "name"), "width_mm",
                                            json_object_get(x, "width_mm"), "thickness_mm",
                                            json_object_get(x, "thickness_mm"), "offset_mm", 0.5,
                                            "path",
                                            json_object_get(json_object_get(x, "planned"),
                                                            "path")));
    json_t *so = json_pack("{s:o}", "screws", sa), *po = json_pack("{s:o}", "plates", pa);
    rc = fx_json_write_atomic(screws_path, so, JSON_INDENT(1), err);
    if (!rc)
        rc = fx_json_write_atomic(plates_path, po, JSON_INDENT(1), err);
    json_decref(so);
    json_decref(po);
    return rc ? rc : roles_of(truth, roles, nroles, err);
}

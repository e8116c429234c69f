/*
 * planmesh.c - a plan's reduced model and screws as meshes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fxaudit/meshio.h"
#include "fxaudit/planmesh.h"
#include "fxaudit/shapes.h"

int fx_plan_reduced_mesh(const fx_plan *p, const char *plan_dir, int with_femora, fx_mesh **out,
                         fx_error *err)
{
    int rc = fx_mesh_new(out, err);
    for (size_t i = 0; !rc && i < p->nfrags; i++) {
        const fx_plan_fragment *f = &p->frags[i];
        char path[FX_PLAN_PATH * 2 + 2];
        fx_mesh *m = NULL;
        if (!with_femora && !strncmp(f->name, "femur", 5))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", plan_dir, f->mesh) >= (int)sizeof(path))
            rc = fx_fail(err, FX_EINVAL, "model path of '%s' is too long", f->name);
        if (!rc && !(rc = fx_mesh_read(path, NULL, &m, err))) {
            fx_mesh_transform(m, &f->pose);
            rc = fx_mesh_append(*out, m, err);
        }
        fx_mesh_free(m);
    }
    if (rc) {
        fx_mesh_free(*out);
        *out = NULL;
    }
    return rc;
}

int fx_plan_screws_mesh(const fx_plan *p, fx_mesh **out, fx_error *err)
{
    int rc = fx_mesh_new(out, err);
    for (size_t i = 0; !rc && i < p->nscrews; i++)
        rc = fx_shape_cylinder(*out, p->screws[i].entry, fx_plan_screw_tip(&p->screws[i]),
                               p->screws[i].diameter_mm / 2, 24, err);
    if (rc) {
        fx_mesh_free(*out);
        *out = NULL;
    }
    return rc;
}

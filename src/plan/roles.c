/*
 * roles.c - which bone part is what: reference, fragments, femora; and the
 * mirrored template of the intact side.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/planbuild.h"

const char *fx_part_role_name(fx_part_role r)
{
    static const char *const names[] = {"reference", "fragment", "femur-intact",
                                        "femur-injured", "other"};
    return r <= FX_ROLE_OTHER ? names[r] : "unknown";
}

int fx_part_role_from_name(const char *name)
{
    for (int r = FX_ROLE_REFERENCE; r <= FX_ROLE_OTHER; r++)
        if (!strcmp(name, fx_part_role_name((fx_part_role)r)))
            return r;
    return -1;
}

int fx_part_roles_parse(const char *spec, fx_part_role *roles, size_t cap, size_t *n,
                        fx_error *err)
{
    char buf[512], *save = NULL;
    if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
        return fx_fail(err, FX_EINVAL, "roles '%.40s...' are too long", spec);
    *n = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':'), *end;
        long lab = strtol(tok, &end, 10);
        int r = colon ? fx_part_role_from_name(colon + 1) : -1;
        if (!colon || end != colon || lab < 1 || (size_t)lab >= cap || r < 0)
            return fx_fail(err, FX_EINVAL, "roles are LABEL:ROLE pairs (labels 1-%zu; roles "
                           "reference, fragment, femur-intact, femur-injured, other), not '%s'",
                           cap - 1, tok);
        roles[lab] = (fx_part_role)r;
        if ((size_t)lab + 1 > *n)
            *n = (size_t)lab + 1;
    }
    return FX_OK;
}

static int side_of(fx_plane pl, fx_vec3 c) { return fx_plane_distance(pl, c) > 0 ? 1 : 0; }

int fx_plan_assign_roles(const fx_bone_parts *bp, fx_plane plane, const char *side,
                         fx_part_role *roles, int *fractured_left, fx_error *err)
{
    double vol[2] = {0, 0}; /* right (0) and left (1) of the plane */
    size_t best_intact = 0;
    int found_intact = 0;

    for (size_t k = 1; k < bp->n; k++)
        vol[side_of(plane, bp->parts[k].centroid)] += bp->parts[k].volume_mm3;
    if (side && strcmp(side, "left") && strcmp(side, "right"))
        return fx_fail(err, FX_EINVAL, "side must be left or right, not '%s'", side);
    *fractured_left = side ? !strcmp(side, "left") : vol[1] > vol[0];
    roles[0] = FX_ROLE_REFERENCE;
    for (size_t k = 1; k < bp->n; k++) {
        int on_left = side_of(plane, bp->parts[k].centroid);
        roles[k] = on_left == *fractured_left ? FX_ROLE_FRAGMENT : FX_ROLE_OTHER;
        if (roles[k] == FX_ROLE_OTHER && (!found_intact || bp->parts[k].volume_mm3 >
                                                               bp->parts[best_intact].volume_mm3))
            best_intact = k, found_intact = 1;
    }
    if (!found_intact)
        return FX_OK; /* no femur on the intact side: every fractured-side part is a fragment */
    roles[best_intact] = FX_ROLE_FEMUR_INTACT;
    /* the injured femur: like the intact one's mirror image in volume and place */
    fx_vec3 want = fx_plane_reflect(plane, bp->parts[best_intact].centroid);
    double best = INFINITY, v0 = bp->parts[best_intact].volume_mm3;
    size_t pick = 0;
    for (size_t k = 1; k < bp->n; k++) {
        if (roles[k] != FX_ROLE_FRAGMENT)
            continue;
        double s = fabs(bp->parts[k].volume_mm3 / v0 - 1) +
                   fx_v3_dist(bp->parts[k].centroid, want) / 50.0;
        if (s < best)
            best = s, pick = k;
    }
    if (pick && best < 1.0) /* within about a third in volume and 30 mm in place */
        roles[pick] = FX_ROLE_FEMUR_INJURED;
    return FX_OK;
}

int fx_plan_template(const fx_mesh *ref, fx_plane plane, int fractured_left, fx_mesh **out,
                     fx_error *err)
{
    fx_mesh *half = NULL;
    uint32_t *map = calloc(ref->nv ? ref->nv : 1, sizeof(*map));
    int rc = map ? fx_mesh_new(&half, err) : fx_fail(err, FX_ENOMEM, "cannot build template");

    for (size_t i = 0; !rc && i < ref->nv; i++)
        if (side_of(plane, ref->v[i]) != fractured_left) {
            rc = fx_mesh_add_vertex(half, ref->v[i], &map[i], err);
            map[i]++;
        }
    for (size_t t = 0; !rc && t < ref->nt; t++) {
        const uint32_t *c = ref->t + 3 * t;
        if (map[c[0]] && map[c[1]] && map[c[2]])
            rc = fx_mesh_add_triangle(half, map[c[0]] - 1, map[c[1]] - 1, map[c[2]] - 1, err);
    }
    if (!rc && half->nt == 0)
        rc = fx_fail(err, FX_ENOTFOUND, "the reference part has nothing on the intact side");
    if (!rc)
        rc = fx_mesh_mirror(half, plane, out, err);
    fx_mesh_free(half);
    free(map);
    return rc;
}

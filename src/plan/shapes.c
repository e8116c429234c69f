/*
 * shapes.c - closed meshes of simple solids.
 */
#include "config.h"

#include "fxaudit/shapes.h"

/* Two unit vectors perpendicular to `w` and to each other, so that (u, v, w) is
 * right-handed. */
static void frame(fx_vec3 w, fx_vec3 *u, fx_vec3 *v)
{
    fx_vec3 helper = fabs(w.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0);
    *u = fx_v3_unit(fx_v3_cross(helper, w));
    *v = fx_v3_cross(w, *u);
}

int fx_shape_cylinder(fx_mesh *m, fx_vec3 a, fx_vec3 b, double r_mm, int segments,
                      fx_error *err)
{
    fx_vec3 w = fx_v3_unit(fx_v3_sub(b, a)), u, v;
    uint32_t base = (uint32_t)m->nv, ca, cb;
    int rc = FX_OK;

    if (segments < 3 || !(r_mm > 0) || !(fx_v3_dist(a, b) > 0))
        return fx_fail(err, FX_EINVAL, "invalid cylinder (radius %g mm, %d sides)", r_mm,
                       segments);
    frame(w, &u, &v);
    for (int i = 0; i < segments && !rc; i++) {
        double t = 2 * M_PI * i / segments;
        fx_vec3 off = fx_v3_add(fx_v3_scale(u, r_mm * cos(t)), fx_v3_scale(v, r_mm * sin(t)));
        rc = fx_mesh_add_vertex(m, fx_v3_add(a, off), NULL, err);
        if (!rc)
            rc = fx_mesh_add_vertex(m, fx_v3_add(b, off), NULL, err);
    }
    if (!rc)
        rc = fx_mesh_add_vertex(m, a, &ca, err);
    if (!rc)
        rc = fx_mesh_add_vertex(m, b, &cb, err);
    /* Ring vertex 2i is at a, 2i+1 at b; the angle grows counter-clockwise about w. */
    for (int i = 0; i < segments && !rc; i++) {
        uint32_t a0 = base + 2 * i, b0 = a0 + 1;
        uint32_t a1 = base + 2 * ((i + 1) % segments), b1 = a1 + 1;
        if (!(rc = fx_mesh_add_triangle(m, a0, a1, b1, err)) &&
            !(rc = fx_mesh_add_triangle(m, a0, b1, b0, err)) &&
            !(rc = fx_mesh_add_triangle(m, ca, a1, a0, err)))
            rc = fx_mesh_add_triangle(m, cb, b0, b1, err);
    }
    return rc;
}

int fx_shape_ellipsoid(fx_mesh *m, fx_vec3 c0, double a, double b, double c, const fx_rigid *R,
                       int nu, int nv, fx_error *err)
{
    uint32_t base = (uint32_t)m->nv;
    int rc = FX_OK;

    if (nu < 3 || nv < 2 || !(a > 0 && b > 0 && c > 0))
        return fx_fail(err, FX_EINVAL, "invalid ellipsoid (%g, %g, %g mm; %d x %d)", a, b, c,
                       nu, nv);
    /* Poles are repeated nu times: a few degenerate triangles, but a simple,
     * closed, consistently wound surface. */
    for (int j = 0; j <= nv && !rc; j++) {
        double th = M_PI * j / nv;
        for (int i = 0; i < nu && !rc; i++) {
            double ph = 2 * M_PI * i / nu;
            fx_vec3 p = fx_v3(a * sin(th) * cos(ph), b * sin(th) * sin(ph), c * cos(th));
            rc = fx_mesh_add_vertex(m, fx_v3_add(c0, fx_rigid_rotate(R, p)), NULL, err);
        }
    }
    for (int j = 0; j < nv && !rc; j++)
        for (int i = 0; i < nu && !rc; i++) {
            uint32_t p00 = base + j * nu + i, p01 = base + j * nu + (i + 1) % nu;
            uint32_t p10 = p00 + nu, p11 = p01 + nu;
            if (!(rc = fx_mesh_add_triangle(m, p00, p10, p11, err)))
                rc = fx_mesh_add_triangle(m, p00, p11, p01, err);
        }
    return rc;
}

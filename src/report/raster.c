/*
 * raster.c - orthographic z-buffer rendering of meshes and screws for the
 * reports' 3-D views (see raster.h for the views and the shading).
 *
 * Everything is drawn into a supersampled buffer (colour, depth, coverage),
 * then box-filtered down to the output size; the legend, scale bar and labels
 * (raster_text.c) are drawn afterwards at the output resolution so that they
 * stay crisp. Opaque triangles go first and write depth; translucent ones are
 * sorted back to front and blended without writing depth.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/raster.h"
#include "raster_internal.h"

typedef struct sv { /* a screen-space vertex of the supersampled buffer */
    double x, y, z;
} sv;

typedef struct ctx {
    int w, h; /* supersampled size */
    float *z;
    uint8_t *rgb;
    uint8_t *cov;
    fx_vec3 right, up, dir, light;
    double cr, cu; /* centre of the scene on the view plane, mm */
    double ox, oy; /* where that centre lands, supersampled pixels */
    double scale;  /* supersampled pixels per mm */
    double ambient;
} ctx;

void fx_raster_opts_default(fx_raster_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->width = 1000;
    o->height = 800;
    o->view = FX_VIEW_ANTERIOR;
    o->side = FX_SIDE_LEFT;
    o->shading = FX_SHADE_GOURAUD;
    o->supersample = 3;
    o->margin = 0.06;
    o->background[0] = o->background[1] = o->background[2] = 255;
    o->ambient = 0.25;
    o->light = fx_v3(-0.35, 0.45, 1.0);
    o->scale_bar = 1;
    o->title_view = 1;
}

const char *fx_view_name(fx_view v)
{
    return v == FX_VIEW_ANTERIOR   ? "anterior"
           : v == FX_VIEW_LATERAL  ? "lateral"
           : v == FX_VIEW_SUPERIOR ? "superior"
                                   : "?";
}

int fx_view_from_name(const char *name)
{
    for (int v = 0; v <= FX_VIEW_SUPERIOR; v++)
        if (!strcmp(name, fx_view_name((fx_view)v)))
            return v;
    return -1;
}

void fx_view_basis(fx_view v, fx_side side, fx_vec3 *right, fx_vec3 *up, fx_vec3 *dir)
{
    /* right = dir x up in each case, so no view is a mirror image */
    switch (v) {
    case FX_VIEW_LATERAL:
        *dir = side == FX_SIDE_LEFT ? fx_v3(-1, 0, 0) : fx_v3(1, 0, 0);
        *up = fx_v3(0, 0, 1);
        break;
    case FX_VIEW_SUPERIOR:
        *dir = fx_v3(0, 0, -1);
        *up = fx_v3(0, 1, 0);
        break;
    default:
        *dir = fx_v3(0, 1, 0);
        *up = fx_v3(0, 0, 1);
        break;
    }
    *right = fx_v3_cross(*dir, *up);
}

static sv project(const ctx *c, fx_vec3 p)
{
    return (sv){c->ox + (fx_v3_dot(p, c->right) - c->cr) * c->scale,
                c->oy - (fx_v3_dot(p, c->up) - c->cu) * c->scale, fx_v3_dot(p, c->dir)};
}

static double edge(sv a, sv b, double px, double py)
{
    return (b.x - a.x) * (py - a.y) - (b.y - a.y) * (px - a.x);
}

static int clampi(double v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* Fill a screen triangle: depth test, colour rgb * intensity (interpolated),
 * written when alpha is 1 and blended otherwise. Either winding is drawn. */
static void fill_tri(ctx *c, const sv v[3], const double in[3], const uint8_t rgb[3], double alpha)
{
    double area = edge(v[0], v[1], v[2].x, v[2].y);
    if (!(fabs(area) >= 1e-12)) /* also NaN */
        return;
    /* clamp as doubles first: a far-off vertex must not overflow an int */
    int x0 = clampi(floor(fmin(v[0].x, fmin(v[1].x, v[2].x))), 0, c->w);
    int x1 = clampi(ceil(fmax(v[0].x, fmax(v[1].x, v[2].x))), -1, c->w - 1);
    int y0 = clampi(floor(fmin(v[0].y, fmin(v[1].y, v[2].y))), 0, c->h);
    int y1 = clampi(ceil(fmax(v[0].y, fmax(v[1].y, v[2].y))), -1, c->h - 1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double px = x + 0.5, py = y + 0.5;
            double b0 = edge(v[1], v[2], px, py) / area, b1 = edge(v[2], v[0], px, py) / area;
            double b2 = 1.0 - b0 - b1;
            if (b0 < 0 || b1 < 0 || b2 < 0)
                continue;
            size_t i = (size_t)y * (size_t)c->w + (size_t)x;
            double z = b0 * v[0].z + b1 * v[1].z + b2 * v[2].z;
            if (z >= c->z[i])
                continue;
            double s = b0 * in[0] + b1 * in[1] + b2 * in[2];
            for (int k = 0; k < 3; k++) {
                double col = fmin(255.0, rgb[k] * s);
                double old = c->rgb[3 * i + k];
                c->rgb[3 * i + k] = (uint8_t)lround(alpha * col + (1 - alpha) * old);
            }
            if (alpha >= 1.0) {
                c->z[i] = (float)z;
                c->cov[i] = 255;
            } else {
                c->cov[i] = (uint8_t)lround(c->cov[i] + alpha * (255 - c->cov[i]));
            }
        }
}

static double lambert(const ctx *c, fx_vec3 n)
{
    double d = fx_v3_dot(n, c->light);
    return c->ambient + (1.0 - c->ambient) * (d > 0 ? d : 0);
}

/* Neighbouring faces more than 60 degrees apart meet at a crease. */
#define CREASE_COS 0.5

/* A world triangle with optional vertex normals; both faces are lit. */
static void world_tri(ctx *c, const fx_vec3 p[3], const fx_vec3 *n, const uint8_t rgb[3],
                      double alpha)
{
    fx_vec3 nf = fx_v3_unit(fx_v3_cross(fx_v3_sub(p[1], p[0]), fx_v3_sub(p[2], p[0])));
    sv v[3];
    double in[3];

    if (fx_v3_dot(nf, c->dir) > 0)
        nf = fx_v3_scale(nf, -1); /* the face seen from behind: light its back */
    for (int k = 0; k < 3; k++) {
        fx_vec3 nk = nf;
        if (n && fx_v3_dot(n[k], n[k]) > 0.5)
            nk = fx_v3_dot(n[k], nf) < 0 ? fx_v3_scale(n[k], -1) : n[k];
        in[k] = lambert(c, nk);
        v[k] = project(c, p[k]);
    }
    fill_tri(c, v, in, rgb, alpha);
}

/* Normals at the three corners of every triangle (3 * nt): at each vertex
 * the area-weighted mean of the normals of the triangles around it that lie
 * within the crease angle of this triangle, so that smooth surfaces shade
 * smoothly and cube edges or plate rims stay sharp. A mesh that carries its
 * own normals uses them. NULL when out of memory. */
static fx_vec3 *corner_normals(const fx_mesh *m)
{
    fx_vec3 *cn = malloc((m->nt ? 3 * m->nt : 1) * sizeof(*cn));
    fx_vec3 *fc = malloc((m->nt ? m->nt : 1) * sizeof(*fc)); /* |fc| = 2 x area */
    size_t *start = calloc(m->nv + 1, sizeof(*start)),
           *list = malloc((3 * m->nt + 1) * sizeof(*list));
    size_t *fill = calloc(m->nv + 1, sizeof(*fill));
    int ok = cn && fc && start && list && fill;

    for (size_t t = 0; ok && t < m->nt; t++) {
        const uint32_t *i = m->t + 3 * t;
        fc[t] = fx_v3_cross(fx_v3_sub(m->v[i[1]], m->v[i[0]]), fx_v3_sub(m->v[i[2]], m->v[i[0]]));
        for (int k = 0; k < 3; k++)
            start[i[k] + 1]++;
    }
    for (size_t v = 0; ok && v < m->nv; v++)
        start[v + 1] += start[v];
    for (size_t t = 0; ok && t < m->nt; t++)
        for (int k = 0; k < 3; k++) {
            uint32_t v = m->t[3 * t + k];
            list[start[v] + fill[v]++] = t;
        }
    for (size_t t = 0; ok && t < m->nt; t++) {
        fx_vec3 ft = fx_v3_unit(fc[t]);
        for (int k = 0; k < 3; k++) {
            uint32_t v = m->t[3 * t + k];
            fx_vec3 sum = fx_v3(0, 0, 0);
            if (m->n) {
                cn[3 * t + k] = m->n[v];
                continue;
            }
            for (size_t j = start[v]; j < start[v + 1]; j++)
                if (fx_v3_dot(fx_v3_unit(fc[list[j]]), ft) >= CREASE_COS)
                    sum = fx_v3_add(sum, fc[list[j]]);
            cn[3 * t + k] = fx_v3_unit(sum);
        }
    }
    free(fc);
    free(start);
    free(list);
    free(fill);
    if (!ok) {
        free(cn);
        return NULL;
    }
    return cn;
}

static void mesh_tri(ctx *c, const fx_render_mesh *rm, const fx_vec3 *normals, size_t t,
                     double alpha)
{
    const fx_mesh *m = rm->mesh;
    const uint32_t *i = m->t + 3 * t;
    fx_vec3 p[3] = {m->v[i[0]], m->v[i[1]], m->v[i[2]]};

    world_tri(c, p, normals ? normals + 3 * t : NULL, rm->rgb, alpha);
}

typedef struct tri_ref {
    size_t mesh, tri;
    double depth;
} tri_ref;

static int farther_first(const void *a, const void *b)
{
    double da = ((const tri_ref *)a)->depth, db = ((const tri_ref *)b)->depth;
    return da < db ? 1 : da > db ? -1 : 0;
}

/* Corner normals for Gouraud shading (*owned, to be freed), or NULL for flat
 * shading; see lost_normals() for running out of memory. */
static const fx_vec3 *normals_for(const fx_render_mesh *rm, fx_shading sh, fx_vec3 **owned)
{
    *owned = sh == FX_SHADE_FLAT ? NULL : corner_normals(rm->mesh);
    return *owned;
}

static int lost_normals(const fx_render_mesh *rm, fx_shading sh, const fx_vec3 *nrm, fx_error *err)
{
    if (sh == FX_SHADE_FLAT || nrm || rm->mesh->nt == 0)
        return FX_OK;
    return fx_fail(err, FX_ENOMEM, "cannot allocate normals for %zu triangles", rm->mesh->nt);
}

static int draw_meshes(ctx *c, const fx_render_scene *s, fx_shading sh, fx_error *err)
{
    size_t n_trans = 0, k = 0;
    tri_ref *refs;

    for (size_t m = 0; m < s->n_meshes; m++) {
        const fx_render_mesh *rm = &s->meshes[m];
        fx_vec3 *own;
        if (rm->opacity < 1.0) {
            n_trans += rm->mesh->nt;
            continue;
        }
        const fx_vec3 *nrm = normals_for(rm, sh, &own);
        if (lost_normals(rm, sh, nrm, err))
            return FX_ENOMEM;
        for (size_t t = 0; t < rm->mesh->nt; t++)
            mesh_tri(c, rm, nrm, t, 1.0);
        free(own);
    }
    if (n_trans == 0)
        return FX_OK;
    refs = malloc(n_trans * sizeof(*refs));
    if (!refs)
        return fx_fail(err, FX_ENOMEM, "cannot sort %zu translucent triangles", n_trans);
    for (size_t m = 0; m < s->n_meshes; m++) {
        const fx_mesh *me = s->meshes[m].mesh;
        if (s->meshes[m].opacity >= 1.0)
            continue;
        for (size_t t = 0; t < me->nt; t++) {
            const uint32_t *i = me->t + 3 * t;
            fx_vec3 g = fx_v3_add(fx_v3_add(me->v[i[0]], me->v[i[1]]), me->v[i[2]]);
            refs[k++] = (tri_ref){m, t, fx_v3_dot(g, c->dir)};
        }
    }
    qsort(refs, n_trans, sizeof(*refs), farther_first);
    fx_vec3 **own = calloc(s->n_meshes, sizeof(*own));
    const fx_vec3 **nrm = calloc(s->n_meshes, sizeof(*nrm));
    int ok = own && nrm;
    for (size_t m = 0; ok && m < s->n_meshes; m++)
        if (s->meshes[m].opacity < 1.0) {
            nrm[m] = normals_for(&s->meshes[m], sh, &own[m]);
            ok = !lost_normals(&s->meshes[m], sh, nrm[m], NULL);
        }
    for (size_t r = 0; ok && r < n_trans; r++) {
        const fx_render_mesh *rm = &s->meshes[refs[r].mesh];
        mesh_tri(c, rm, nrm[refs[r].mesh], refs[r].tri, rm->opacity > 0 ? rm->opacity : 0);
    }
    for (size_t m = 0; own && m < s->n_meshes; m++)
        free(own[m]);
    free(own);
    free(nrm);
    free(refs);
    return ok ? FX_OK : fx_fail(err, FX_ENOMEM, "cannot allocate normals for rendering");
}

/* --- screws ------------------------------------------------------------------ */

#define CYL_SEGMENTS 24

static void draw_cylinder(ctx *c, const fx_render_screw *s)
{
    fx_vec3 a = fx_v3_unit(fx_v3_sub(s->tip, s->entry));
    fx_vec3 helper = fabs(a.x) < 0.9 ? fx_v3(1, 0, 0) : fx_v3(0, 1, 0);
    fx_vec3 e1 = fx_v3_unit(fx_v3_cross(a, helper)), e2 = fx_v3_cross(a, e1);
    double r = s->diameter_mm / 2;

    for (int i = 0; i < CYL_SEGMENTS; i++) {
        double t0 = 2 * M_PI * i / CYL_SEGMENTS, t1 = 2 * M_PI * (i + 1) / CYL_SEGMENTS;
        fx_vec3 n0 = fx_v3_add(fx_v3_scale(e1, cos(t0)), fx_v3_scale(e2, sin(t0)));
        fx_vec3 n1 = fx_v3_add(fx_v3_scale(e1, cos(t1)), fx_v3_scale(e2, sin(t1)));
        fx_vec3 b0 = fx_v3_add(s->entry, fx_v3_scale(n0, r)),
                b1 = fx_v3_add(s->entry, fx_v3_scale(n1, r));
        fx_vec3 t0p = fx_v3_add(s->tip, fx_v3_scale(n0, r)),
                t1p = fx_v3_add(s->tip, fx_v3_scale(n1, r));
        fx_vec3 side1[3] = {b0, b1, t1p}, side2[3] = {b0, t1p, t0p};
        fx_vec3 ns1[3] = {n0, n1, n1}, ns2[3] = {n0, n1, n0};
        fx_vec3 cap1[3] = {s->entry, b1, b0}, cap2[3] = {s->tip, t0p, t1p};
        world_tri(c, side1, ns1, s->rgb, 1.0);
        world_tri(c, side2, ns2, s->rgb, 1.0);
        world_tri(c, cap1, NULL, s->rgb, 1.0);
        world_tri(c, cap2, NULL, s->rgb, 1.0);
    }
}

/* An unlit band on screen between the projected end points. */
static void draw_line(ctx *c, const fx_render_screw *s, int ss)
{
    sv a = project(c, s->entry), b = project(c, s->tip);
    double dx = b.x - a.x, dy = b.y - a.y, len = hypot(dx, dy);
    double half = fmax(1.5 * ss, s->diameter_mm * c->scale) / 2;
    double in[3] = {1, 1, 1};

    if (len < 1e-9)
        dx = 1, dy = 0, len = 1;
    double nx = -dy / len * half, ny = dx / len * half;
    sv q[4] = {{a.x + nx, a.y + ny, a.z},
               {b.x + nx, b.y + ny, b.z},
               {b.x - nx, b.y - ny, b.z},
               {a.x - nx, a.y - ny, a.z}};
    sv t1[3] = {q[0], q[1], q[2]}, t2[3] = {q[0], q[2], q[3]};
    fill_tri(c, t1, in, s->rgb, 1.0);
    fill_tri(c, t2, in, s->rgb, 1.0);
}

/* --- framing ----------------------------------------------------------------- */

static void extend(double *lo, double *hi, double x)
{
    *lo = x < *lo ? x : *lo;
    *hi = x > *hi ? x : *hi;
}

/* Bounds of the scene on the view plane, mm; false when it is empty. */
static int view_bounds(const ctx *c, const fx_render_scene *s, double b[4])
{
    b[0] = b[2] = DBL_MAX;
    b[1] = b[3] = -DBL_MAX;
    for (size_t m = 0; m < s->n_meshes; m++)
        for (size_t v = 0; v < s->meshes[m].mesh->nv; v++) {
            extend(&b[0], &b[1], fx_v3_dot(s->meshes[m].mesh->v[v], c->right));
            extend(&b[2], &b[3], fx_v3_dot(s->meshes[m].mesh->v[v], c->up));
        }
    for (size_t k = 0; k < s->n_screws; k++) {
        double r = s->screws[k].diameter_mm / 2;
        fx_vec3 e[2] = {s->screws[k].entry, s->screws[k].tip};
        for (int j = 0; j < 2; j++) {
            extend(&b[0], &b[1], fx_v3_dot(e[j], c->right) - r);
            extend(&b[0], &b[1], fx_v3_dot(e[j], c->right) + r);
            extend(&b[2], &b[3], fx_v3_dot(e[j], c->up) - r);
            extend(&b[2], &b[3], fx_v3_dot(e[j], c->up) + r);
        }
    }
    return b[0] <= b[1];
}

/* Place the scene: the centre of its bounds at the centre of the free area
 * (the image less the top and bottom bands), scaled to fit or as asked. */
static int frame(ctx *c, const fx_render_scene *s, const fx_raster_opts *o, int top_px,
                 int bottom_px, fx_error *err)
{
    double b[4], ss = o->supersample;
    int have = view_bounds(c, s, b);
    double free_w = o->width * (1 - 2 * o->margin);
    double free_h = (o->height - top_px - bottom_px) - 2 * o->margin * o->height;

    if (!have && o->px_per_mm <= 0)
        return fx_fail(err, FX_EINVAL, "nothing to render: the scene has no meshes or screws");
    if (!have)
        b[0] = b[1] = b[2] = b[3] = 0;
    c->cr = (b[0] + b[1]) / 2;
    c->cu = (b[2] + b[3]) / 2;
    double px_per_mm = o->px_per_mm;
    if (px_per_mm <= 0) {
        double du = fmax(b[1] - b[0], 1e-6), dv = fmax(b[3] - b[2], 1e-6);
        px_per_mm = fmin(free_w / du, fmax(free_h, 1.0) / dv);
    }
    c->scale = px_per_mm * ss;
    c->ox = o->width * ss / 2;
    c->oy = (top_px + (o->height - top_px - bottom_px) / 2.0) * ss;
    return FX_OK;
}

/* --- the render ---------------------------------------------------------------- */

static int check_opts(const fx_raster_opts *o, fx_error *err)
{
    if (o->width < 16 || o->height < 16 || o->width > 8000 || o->height > 8000)
        return fx_fail(err, FX_EINVAL, "image size %d x %d is outside 16..8000 pixels", o->width,
                       o->height);
    if (o->supersample < 1 || o->supersample > 4)
        return fx_fail(err, FX_EINVAL, "supersampling %d is outside 1..4", o->supersample);
    if (o->view < FX_VIEW_ANTERIOR || o->view > FX_VIEW_SUPERIOR)
        return fx_fail(err, FX_EINVAL, "unknown view %d", (int)o->view);
    return FX_OK;
}

static int finite3(fx_vec3 p)
{
    return isfinite(p.x) && isfinite(p.y) && isfinite(p.z);
}

static int check_scene(const fx_render_scene *s, fx_error *err)
{
    for (size_t m = 0; m < s->n_meshes; m++) {
        int rc = fx_mesh_validate(s->meshes[m].mesh, "rendered mesh", err);
        if (rc)
            return rc;
    }
    for (size_t k = 0; k < s->n_screws; k++) {
        const fx_render_screw *sc = &s->screws[k];
        if (!finite3(sc->entry) || !finite3(sc->tip) || !(sc->diameter_mm > 0) ||
            !isfinite(sc->diameter_mm))
            return fx_fail(err, FX_EINVAL,
                           "screw %zu has a coordinate or a diameter that is not a finite "
                           "positive number",
                           k + 1);
    }
    return FX_OK;
}

static void downsample(const ctx *c, int ss, fx_image *im)
{
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            unsigned sum[4] = {0, 0, 0, 0};
            for (int j = 0; j < ss; j++)
                for (int i = 0; i < ss; i++) {
                    size_t s = (size_t)(y * ss + j) * (size_t)c->w + (size_t)(x * ss + i);
                    for (int k = 0; k < 3; k++)
                        sum[k] += c->rgb[3 * s + k];
                    sum[3] += c->cov[s];
                }
            size_t o = (size_t)y * (size_t)im->w + (size_t)x;
            unsigned n = (unsigned)(ss * ss);
            for (int k = 0; k < 3; k++)
                im->rgb[3 * o + k] = (uint8_t)((sum[k] + n / 2) / n);
            im->coverage[o] = (uint8_t)((sum[3] + n / 2) / n);
        }
}

static int alloc_buffers(ctx *c, const fx_raster_opts *o, fx_image **im, fx_error *err)
{
    size_t n = (size_t)c->w * (size_t)c->h, no = (size_t)o->width * (size_t)o->height;

    c->z = malloc(n * sizeof(*c->z));
    c->rgb = malloc(3 * n);
    c->cov = calloc(n, 1);
    *im = calloc(1, sizeof(**im));
    if (*im) {
        (*im)->rgb = malloc(3 * no);
        (*im)->coverage = malloc(no);
    }
    if (!c->z || !c->rgb || !c->cov || !*im || !(*im)->rgb || !(*im)->coverage)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a %d x %d render (x%d supersampling)",
                       o->width, o->height, o->supersample);
    for (size_t i = 0; i < n; i++) {
        c->z[i] = FLT_MAX;
        memcpy(c->rgb + 3 * i, o->background, 3);
    }
    (*im)->w = o->width;
    (*im)->h = o->height;
    return FX_OK;
}

int fx_raster_render(const fx_render_scene *s, const fx_raster_opts *o, fx_image **out,
                     fx_error *err)
{
    ctx c = {0};
    fx_image *im = NULL;
    int k = raster_text_scale(o->width, o->height);
    int rc = check_opts(o, err);

    *out = NULL;
    if (!rc)
        rc = check_scene(s, err);
    if (rc)
        return rc;
    fx_view_basis(o->view, o->side, &c.right, &c.up, &c.dir);
    fx_vec3 l = fx_v3_unit(o->light);
    c.light = fx_v3_unit(fx_v3_add(fx_v3_add(fx_v3_scale(c.right, l.x), fx_v3_scale(c.up, l.y)),
                                   fx_v3_scale(c.dir, -l.z)));
    c.ambient = fmin(fmax(o->ambient, 0.0), 1.0);
    c.w = o->width * o->supersample;
    c.h = o->height * o->supersample;
    rc = frame(&c, s, o, raster_top_band(o, k), raster_bottom_band(s, o, k), err);
    if (!rc)
        rc = alloc_buffers(&c, o, &im, err);
    if (!rc) {
        for (size_t i = 0; i < s->n_screws; i++)
            if (s->screws[i].style == FX_SCREW_CYLINDER)
                draw_cylinder(&c, &s->screws[i]);
            else
                draw_line(&c, &s->screws[i], o->supersample);
        rc = draw_meshes(&c, s, o->shading, err);
    }
    if (!rc) {
        downsample(&c, o->supersample, im);
        im->px_per_mm = c.scale / o->supersample;
        raster_annotate(im, s, o, k);
        *out = im;
        im = NULL;
    }
    free(c.z);
    free(c.rgb);
    free(c.cov);
    fx_image_free(im);
    return rc;
}

void fx_image_free(fx_image *im)
{
    if (!im)
        return;
    free(im->rgb);
    free(im->coverage);
    free(im);
}

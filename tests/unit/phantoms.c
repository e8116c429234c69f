/*
 * phantoms.c - analytic solids and their closed-form measures. The ellipsoid
 * area uses Legendre's form with incomplete elliptic integrals (GSL).
 */
#include <gsl/gsl_mode.h>
#include <gsl/gsl_sf_ellint.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "phantoms.h"

/* Negative inside; roughly a distance in mm near the surface. */
static double sdf(const ph_shape *s, fx_vec3 w)
{
    fx_vec3 p = fx_v3_sub(w, s->centre);
    switch (s->kind) {
    case PH_SPHERE: return fx_v3_norm(p) - s->a;
    case PH_ELLIPSOID: {
        double q = sqrt(p.x * p.x / (s->a * s->a) + p.y * p.y / (s->b * s->b) +
                        p.z * p.z / (s->c * s->c));
        return (q - 1) * s->c;
    }
    case PH_TORUS: {
        double rho = hypot(p.x, p.y) - s->a;
        return hypot(rho, p.z) - s->b;
    }
    case PH_SHELL: {
        double r = fx_v3_norm(p);
        return fmax(r - s->a, s->b - r);
    }
    }
    return 1;
}

static double extent(const ph_shape *s)
{
    return s->kind == PH_TORUS ? s->a + s->b : s->a;
}

void ph_rotation(fx_vec3 u, double t, double r[9])
{
    double c = cos(t), sn = sin(t), C = 1 - c;
    u = fx_v3_unit(u);
    r[0] = c + u.x * u.x * C, r[1] = u.x * u.y * C - u.z * sn, r[2] = u.x * u.z * C + u.y * sn;
    r[3] = u.y * u.x * C + u.z * sn, r[4] = c + u.y * u.y * C, r[5] = u.y * u.z * C - u.x * sn;
    r[6] = u.z * u.x * C - u.y * sn, r[7] = u.z * u.y * C + u.x * sn, r[8] = c + u.z * u.z * C;
}

static double occupancy(const ph_shape *s, const fx_volume *v, int i, int j, int k, int ss)
{
    double diag = sqrt(v->spacing[0] * v->spacing[0] + v->spacing[1] * v->spacing[1] +
                       v->spacing[2] * v->spacing[2]);
    double d = sdf(s, fx_volume_index_to_world(v, fx_v3(i, j, k)));
    if (d > 2 * diag)
        return 0;
    if (d < -2 * diag)
        return 1;
    int in = 0;
    for (int a = 0; a < ss; a++)
        for (int b = 0; b < ss; b++)
            for (int c = 0; c < ss; c++) {
                fx_vec3 q = fx_v3(i - 0.5 + (a + 0.5) / ss, j - 0.5 + (b + 0.5) / ss,
                                  k - 0.5 + (c + 0.5) / ss);
                in += sdf(s, fx_volume_index_to_world(v, q)) < 0;
            }
    return (double)in / (ss * ss * ss);
}

fx_volume *ph_voxelise(const ph_shape *s, const double spacing[3], const double dir[9], int ss,
                       double margin_mm)
{
    fx_volume *v;
    int dims[3];
    double half = extent(s) + margin_mm;
    for (int c = 0; c < 3; c++)
        dims[c] = (int)ceil(2 * half / spacing[c]) + 1;
    if (fx_volume_new(dims, FX_VOX_F32, &v, NULL))
        return NULL;
    for (int c = 0; c < 9; c++)
        v->dir[c] = dir[c];
    for (int c = 0; c < 3; c++)
        v->spacing[c] = spacing[c];
    /* Put the grid's centre on the shape's centre. */
    fx_vec3 mid = fx_volume_index_to_world(v, fx_v3((dims[0] - 1) / 2.0, (dims[1] - 1) / 2.0,
                                                    (dims[2] - 1) / 2.0));
    v->origin[0] = s->centre.x - mid.x, v->origin[1] = s->centre.y - mid.y;
    v->origin[2] = s->centre.z - mid.z;
    float *d = v->data;
    for (int k = 0; k < dims[2]; k++)
        for (int j = 0; j < dims[1]; j++)
            for (int i = 0; i < dims[0]; i++)
                d[i + (size_t)dims[0] * (j + (size_t)dims[1] * k)] =
                    (float)occupancy(s, v, i, j, k, ss);
    return v;
}

static double ellipsoid_area(double a, double b, double c)
{
    double phi = acos(c / a);
    double k = sqrt(a * a * (b * b - c * c) / (b * b * (a * a - c * c)));
    double E = gsl_sf_ellint_E(phi, k, GSL_PREC_DOUBLE);
    double F = gsl_sf_ellint_F(phi, k, GSL_PREC_DOUBLE);
    return 2 * M_PI * c * c + 2 * M_PI * a * b / sin(phi) * (E * sin(phi) * sin(phi) +
                                                              F * cos(phi) * cos(phi));
}

double ph_volume_mm3(const ph_shape *s)
{
    switch (s->kind) {
    case PH_SPHERE: return 4.0 / 3.0 * M_PI * pow(s->a, 3);
    case PH_ELLIPSOID: return 4.0 / 3.0 * M_PI * s->a * s->b * s->c;
    case PH_TORUS: return 2 * M_PI * M_PI * s->a * s->b * s->b;
    case PH_SHELL: return 4.0 / 3.0 * M_PI * (pow(s->a, 3) - pow(s->b, 3));
    }
    return 0;
}

double ph_area_mm2(const ph_shape *s)
{
    switch (s->kind) {
    case PH_SPHERE: return 4 * M_PI * s->a * s->a;
    case PH_ELLIPSOID: return ellipsoid_area(s->a, s->b, s->c);
    case PH_TORUS: return 4 * M_PI * M_PI * s->a * s->b;
    case PH_SHELL: return 4 * M_PI * (s->a * s->a + s->b * s->b);
    }
    return 0;
}

long ph_euler(const ph_shape *s)
{
    return s->kind == PH_TORUS ? 0 : s->kind == PH_SHELL ? 4 : 2;
}

void ph_fill_hu(fx_volume *v, double (*hu)(fx_vec3 x, const void *ctx), const void *ctx)
{
    const double hx = v->spacing[0], hy = v->spacing[1], hz = v->spacing[2];
    int16_t *d = v->data;
    for (int k = 0; k < v->dims[2]; k++)
        for (int j = 0; j < v->dims[1]; j++)
            for (int i = 0; i < v->dims[0]; i++) {
                fx_vec3 c = fx_volume_index_to_world(v, fx_v3(i, j, k));
                double sum = 0;
                for (int q = 0; q < 64; q++) {
                    fx_vec3 o = fx_v3(((q & 3) - 1.5) / 4 * hx, (((q >> 2) & 3) - 1.5) / 4 * hy,
                                      (((q >> 4) & 3) - 1.5) / 4 * hz);
                    sum += hu(fx_v3_add(c, o), ctx);
                }
                d[i + (size_t)v->dims[0] * (j + (size_t)v->dims[1] * k)] =
                    (int16_t)lround(sum / 64);
            }
}

fx_volume *ph_render_hu(const int dims[3], const double spacing[3], const double origin[3],
                        double (*hu)(fx_vec3 x, const void *ctx), const void *ctx)
{
    fx_volume *v = NULL;
    if (fx_volume_new(dims, FX_VOX_I16, &v, NULL) != 0) {
        fprintf(stderr, "ph_render_hu: out of memory\n");
        abort();
    }
    for (int a = 0; a < 3; a++) {
        v->spacing[a] = spacing[a];
        v->origin[a] = origin[a];
    }
    ph_fill_hu(v, hu, ctx);
    return v;
}

int ph_in_screw(fx_vec3 p, const ph_screw_truth *s)
{
    fx_vec3 rel = fx_v3_sub(p, s->entry);
    double t = fx_v3_dot(rel, s->dir);
    double r = fx_v3_norm(fx_v3_sub(rel, fx_v3_scale(s->dir, t)));
    return (t >= 0 && t <= s->length_mm && r <= 1.75) || (t >= -2.5 && t < 0 && r <= 3.0);
}

/*
 * geom_fixtures.h - shapes with known answers for the geometry tests: a unit
 * cube, a UV sphere, the Stanford bunny in millimetres, and a seeded random
 * number generator (splitmix64, Gaussian by Box-Muller). Header-only: each
 * test program includes it once.
 */
#ifndef FX_GEOM_FIXTURES_H
#define FX_GEOM_FIXTURES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/mesh.h"
#include "fxaudit/meshio.h"

typedef struct rng {
    uint64_t s;
} rng;

static inline double rng_uniform(rng *r) /* [0, 1) */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static inline double rng_gauss(rng *r)
{
    double u = rng_uniform(r), v = rng_uniform(r);
    return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

static inline fx_vec3 rng_unit_vector(rng *r)
{
    fx_vec3 v = fx_v3(rng_gauss(r), rng_gauss(r), rng_gauss(r));
    return fx_v3_unit(v);
}

/* The unit cube [0,1]^3, outward triangles; volume 1, area 6. */
static inline fx_mesh *fixture_cube(void)
{
    fx_mesh *m;
    if (fx_mesh_alloc(8, 12, &m, NULL))
        return NULL;
    for (int i = 0; i < 8; i++)
        m->v[i] = fx_v3(i & 1, (i >> 1) & 1, (i >> 2) & 1);
    static const uint32_t t[36] = {0, 2, 3, 0, 3, 1, 4, 5, 7, 4, 7, 6, 0, 1, 5, 0, 5, 4,
                                   2, 6, 7, 2, 7, 3, 0, 4, 6, 0, 6, 2, 1, 3, 7, 1, 7, 5};
    memcpy(m->t, t, sizeof(t));
    return m;
}

/* A UV sphere of radius r centred at c: nlat bands, nlon segments. */
static inline fx_mesh *fixture_sphere(fx_vec3 c, double r, int nlat, int nlon)
{
    fx_mesh *m;
    size_t nv = 2 + (size_t)(nlat - 1) * nlon;
    if (fx_mesh_alloc(nv, 2 * (size_t)nlon * (nlat - 1), &m, NULL))
        return NULL;
    m->v[0] = fx_v3(c.x, c.y, c.z + r);
    m->v[1] = fx_v3(c.x, c.y, c.z - r);
    for (int i = 1; i < nlat; i++)
        for (int j = 0; j < nlon; j++) {
            double th = M_PI * i / nlat, ph = 2 * M_PI * j / nlon;
            m->v[2 + (i - 1) * nlon + j] = fx_v3(c.x + r * sin(th) * cos(ph),
                                                 c.y + r * sin(th) * sin(ph), c.z + r * cos(th));
        }
    size_t k = 0;
#define V(i, j) ((uint32_t)(2 + ((i) - 1) * nlon + ((j) % nlon)))
    for (int j = 0; j < nlon; j++) {
        uint32_t *t = m->t + 3 * k++;
        t[0] = 0, t[1] = V(1, j), t[2] = V(1, j + 1);
        t = m->t + 3 * k++;
        t[0] = 1, t[1] = V(nlat - 1, j + 1), t[2] = V(nlat - 1, j);
    }
    for (int i = 1; i + 1 < nlat; i++)
        for (int j = 0; j < nlon; j++) {
            uint32_t *t = m->t + 3 * k++;
            t[0] = V(i, j), t[1] = V(i + 1, j), t[2] = V(i + 1, j + 1);
            t = m->t + 3 * k++;
            t[0] = V(i, j), t[1] = V(i + 1, j + 1), t[2] = V(i, j + 1);
        }
#undef V
    m->nt = k;
    return m;
}

/* The bunny scaled from metres to millimetres, or NULL (with a TAP comment)
 * when the shared data folder is absent. */
static inline fx_mesh *fixture_bunny_mm(void)
{
    const char *root = getenv("FXAUDIT_SHARED_DATA");
    char path[1024];
    snprintf(path, sizeof(path), "%s/meshes/stanford_bunny_vtkdata.ply", root ? root : "");
    fx_mesh *m;
    if (!root || access(path, R_OK) || fx_mesh_read(path, NULL, &m, NULL)) {
        printf("# skipped: '%s' is absent (set FXAUDIT_SHARED_DATA)\n", path);
        return NULL;
    }
    for (size_t i = 0; i < m->nv; i++)
        m->v[i] = fx_v3_scale(m->v[i], 1000.0);
    return m;
}

/* A random rigid transform: rotation about a random axis by up to max_deg,
 * translation uniform in a ball of radius max_mm. */
static inline fx_rigid fixture_random_rigid(rng *r, double max_deg, double max_mm)
{
    fx_vec3 axis = rng_unit_vector(r);
    double ang = max_deg * M_PI / 180 * rng_uniform(r);
    fx_vec3 t = fx_v3_scale(rng_unit_vector(r), max_mm * cbrt(rng_uniform(r)));
    return fx_rigid_from_axis_angle(axis, ang, t);
}

#endif

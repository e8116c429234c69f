/*
 * bench_iso.c - fxaudit's side of the isosurface benchmark: synthesises a
 * clinical-size CT phantom of the pelvis region (512 x 512 x 400 voxels,
 * 0.78 x 0.78 x 1 mm, int16 HU), writes it as NRRD for the VTK side, and
 * times extraction and smoothing with one and two threads (median of runs).
 *
 * usage: bench_iso (--out PHANTOM.nrrd | --in VOLUME) [--runs N] [--smooth N] [--iso HU]
 * Prints one JSON object on stdout.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxaudit/isosurface.h"
#include "fxaudit/surface.h"
#include "fxaudit/volio.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double sd_capsule(double x, double y, double z, const double a[3], const double b[3],
                         double r)
{
    double ab[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    double ap[3] = {x - a[0], y - a[1], z - a[2]};
    double t = (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) /
               (ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2]);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(hypot(ap[0] - t * ab[0], ap[1] - t * ab[1]), ap[2] - t * ab[2]) - r;
}

/* Signed distance (mm) to the bones: pelvic ring (a torus tilted 20 degrees),
 * two femoral heads with necks and shafts, and the lumbar spine. */
static double sd_bone(double x, double y, double z)
{
    double c = cos(0.35), s = sin(0.35);
    double py = y * c - (z - 250) * s, pz = y * s + (z - 250) * c;
    double ring = hypot(hypot(x / 1.25, py) - 85, pz) - 16;
    double d = ring;
    for (int side = -1; side <= 1; side += 2) {
        double head = hypot(hypot(x - side * 95.0, y + 5), z - 210) - 24;
        double neck[2][3] = {{side * 95.0, -5, 210}, {side * 125.0, -5, 180}};
        double shaft[2][3] = {{side * 125.0, -5, 180}, {side * 115.0, 5, -20}};
        d = fmin(d, head);
        d = fmin(d, sd_capsule(x, y, z, neck[0], neck[1], 14));
        d = fmin(d, sd_capsule(x, y, z, shaft[0], shaft[1], 15));
    }
    double spine[2][3] = {{0, 60, 290}, {0, 70, 420}};
    return fmin(d, sd_capsule(x, y, z, spine[0], spine[1], 22));
}

/* HU at a point: air, soft tissue in an elliptic body, cortical shell and
 * cancellous core, with a partial-volume ramp one voxel wide. */
static double hu_at(double x, double y, double z)
{
    double body = (hypot(x / 180, y / 125) - 1) * 125;
    double bone = sd_bone(x, y, z);
    double ramp = 0.6;
    double wt = fmin(1, fmax(0, 0.5 - body / ramp));
    double v = -1000 + wt * 1040;
    double wc = fmin(1, fmax(0, 0.5 - bone / ramp));         /* inside bone */
    double wm = fmin(1, fmax(0, 0.5 - (bone + 2.5) / ramp)); /* inside the marrow */
    return v + wc * (1300 - 40) + wm * (350 - 1300);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33, x *= 0xff51afd7ed558ccdULL, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static fx_volume *make_phantom(void)
{
    int dims[3] = {512, 512, 400};
    fx_volume *v;
    if (fx_volume_new(dims, FX_VOX_I16, &v, NULL))
        return NULL;
    v->spacing[0] = v->spacing[1] = 0.78125, v->spacing[2] = 1.0;
    v->origin[0] = v->origin[1] = -0.78125 * 255.5, v->origin[2] = 0;
    int16_t *d = v->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 4)
#endif
    for (int k = 0; k < dims[2]; k++)
        for (int j = 0; j < dims[1]; j++)
            for (int i = 0; i < dims[0]; i++) {
                size_t idx = (size_t)i + 512 * ((size_t)j + 512 * (size_t)k);
                fx_vec3 w = fx_volume_index_to_world(v, fx_v3(i, j, k));
                /* Noise: the sum of four uniforms, about normal, SD 20 HU. */
                uint64_t r = mix(idx * 0x9e3779b97f4a7c15ULL + 1);
                double n = 0;
                for (int q = 0; q < 4; q++)
                    n += (double)((r >> (16 * q)) & 0xffff) / 65535.0 - 0.5;
                d[idx] = (int16_t)lround(hu_at(w.x, w.y, w.z) + n * 20 * sqrt(3.0));
            }
    return v;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(*t), cmp_d);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* Median extraction and smoothing times with `threads` threads. */
static int time_runs(const fx_volume *v, double iso, int threads, int runs, int smooth,
                     double *ext_s, double *smo_s, fx_mesh **keep)
{
    double te[64], ts[64];
    fx_iso_opts o = {.iso = iso, .threads = threads};
    fx_error err;
    for (int r = 0; r < runs; r++) {
        fx_mesh *m;
        double t0 = now_s();
        if (fx_isosurface_extract(v, &o, &m, &err))
            return fprintf(stderr, "bench_iso: %s\n", err.msg), 1;
        double t1 = now_s();
        if (fx_surface_smooth_taubin(m, smooth, 0.5, -0.53, threads, &err))
            return fprintf(stderr, "bench_iso: %s\n", err.msg), 1;
        te[r] = t1 - t0, ts[r] = now_s() - t1;
        if (keep && r == runs - 1)
            *keep = m;
        else
            fx_mesh_free(m);
    }
    *ext_s = median(te, runs), *smo_s = median(ts, runs);
    return 0;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *in = NULL;
    int runs = 5, smooth = 20;
    double iso = 226;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "--in"))
            in = argv[i + 1];
        else if (!strcmp(argv[i], "--runs"))
            runs = (int)strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--smooth"))
            smooth = (int)strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--iso"))
            iso = strtod(argv[i + 1], NULL);
    }
    if (!out == !in || runs < 1 || runs > 64)
        return fprintf(stderr, "usage: bench_iso (--out PHANTOM.nrrd | --in VOLUME) "
                               "[--runs N<=64] [--smooth N] [--iso HU]\n"), 2;
    double t0 = now_s();
    fx_volume *v = NULL;
    fx_error err;
    if (in && fx_volume_read(in, &v, &err))
        return fprintf(stderr, "bench_iso: %s\n", err.msg), 1;
    if (!in && !(v = make_phantom()))
        return fprintf(stderr, "bench_iso: out of memory\n"), 1;
    double synth_s = now_s() - t0;
    if (out && fx_nrrd_write(out, v, 0, &err))
        return fprintf(stderr, "bench_iso: %s\n", err.msg), 1;
    double e1, s1, e2, s2;
    fx_mesh *m = NULL;
    fx_surface_topology topo;
    if (time_runs(v, iso, 1, runs, smooth, &e1, &s1, NULL) ||
        time_runs(v, iso, 2, runs, smooth, &e2, &s2, &m))
        return 1;
    fx_mesh *raw;
    fx_iso_opts o = {.iso = iso};
    if (fx_isosurface_extract(v, &o, &raw, &err) || fx_surface_check(raw, &topo, &err))
        return fprintf(stderr, "bench_iso: %s\n", err.msg), 1;
    printf("{\"tool\": \"fxaudit %s\", \"dims\": [%d, %d, %d], \"iso\": %g, \"runs\": %d,"
           " \"smooth_iterations\": %d, \"synthesis_s\": %.3f,\n"
           " \"points\": %zu, \"triangles\": %zu, \"volume_mm3\": %.1f, \"area_mm2\": %.1f,"
           " \"closed\": %s, \"smoothed_volume_mm3\": %.1f,\n"
           " \"extract_1t_s\": %.4f, \"extract_2t_s\": %.4f, \"smooth_1t_s\": %.4f,"
           " \"smooth_2t_s\": %.4f}\n",
           PACKAGE_VERSION, v->dims[0], v->dims[1], v->dims[2], iso, runs, smooth, synth_s, raw->nv, raw->nt, fx_mesh_volume(raw),
           fx_mesh_area(raw), topo.closed ? "true" : "false", fx_mesh_volume(m), e1, e2, s1, s2);
    fx_mesh_free(raw);
    fx_mesh_free(m);
    fx_volume_free(v);
    return 0;
}

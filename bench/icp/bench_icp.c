/*
 * bench_icp.c - the fxaudit side of the ICP benchmark: the same cases as
 * open3d_icp.py (made by make_cases.py), timing fx_icp_align alone (tree
 * builds included, file reading not), median of REPEATS runs.
 *
 * usage: bench_icp CASEDIR NCASES REPEATS THREADS [auto|none]
 * prints one line per case: case wall_s cpu_s rot_err_deg trans_err_mm iterations
 * (medians of the repeats; cpu_s is the process CPU time, which on a shared
 * machine measures the work better than the wall clock does)
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fxaudit/icp.h"
#include "fxaudit/meshio.h"

static double clock_s(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int read_truth(const char *path, fx_rigid *T)
{
    json_t *j = json_load_file(path, 0, NULL), *m = json_object_get(j, "matrix");
    double a[16];
    for (int i = 0; i < 16; i++)
        a[i] = json_number_value(json_array_get(m, (size_t)i));
    json_decref(j);
    return fx_rigid_from_matrix(a, T);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: bench_icp CASEDIR NCASES REPEATS THREADS [auto|none]\n");
        return 2;
    }
    int n = (int)strtol(argv[2], NULL, 10), reps = (int)strtol(argv[3], NULL, 10);
    if (n < 1 || reps < 1)
        return fprintf(stderr, "bench_icp: NCASES and REPEATS must be >= 1\n"), 2;
    char path[4096];
    fx_mesh *fixed, *moving;
    fx_error err;
    fx_icp_opts o;
    fx_icp_opts_default(&o);
    o.threads = (int)strtol(argv[4], NULL, 10);
    if (argc > 5 && !strcmp(argv[5], "none"))
        o.init = FX_ICP_INIT_NONE;
    snprintf(path, sizeof(path), "%s/fixed.ply", argv[1]);
    if (fx_mesh_read(path, NULL, &fixed, &err))
        return fprintf(stderr, "%s\n", err.msg), 1;
    for (int k = 0; k < n; k++) {
        fx_rigid truth;
        snprintf(path, sizeof(path), "%s/moving_%d.ply", argv[1], k);
        if (fx_mesh_read(path, NULL, &moving, &err))
            return fprintf(stderr, "%s\n", err.msg), 1;
        snprintf(path, sizeof(path), "%s/truth_%d.json", argv[1], k);
        if (read_truth(path, &truth))
            return fprintf(stderr, "cannot read %s\n", path), 1;
        double *t = malloc(2 * (size_t)reps * sizeof(double)), *c = t + reps;
        fx_icp_result r;
        for (int i = 0; i < reps; i++) {
            double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
            if (fx_icp_align(moving, fixed, &o, &r, &err))
                return fprintf(stderr, "%s\n", err.msg), 1;
            t[i] = clock_s(CLOCK_MONOTONIC) - t0;
            c[i] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        }
        qsort(t, (size_t)reps, sizeof(double), cmp);
        qsort(c, (size_t)reps, sizeof(double), cmp);
        double er = fx_rigid_rotation_distance(&r.T, &truth) * 180 / M_PI;
        double et = sqrt(pow(r.T.t[0] - truth.t[0], 2) + pow(r.T.t[1] - truth.t[1], 2) +
                         pow(r.T.t[2] - truth.t[2], 2));
        printf("%d %.4f %.4f %.5f %.5f %d\n", k, t[reps / 2], c[reps / 2], er, et, r.iterations);
        fflush(stdout);
        free(t);
        fx_mesh_free(moving);
    }
    fx_mesh_free(fixed);
    return 0;
}

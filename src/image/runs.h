/*
 * runs.h - connected parts of a binary volume as runs along x (internal to
 * src/image): rows are scanned once, runs of neighbouring rows are joined with
 * a union-find, so the work is proportional to the number of runs.
 */
#ifndef FXAUDIT_RUNS_H
#define FXAUDIT_RUNS_H

#include <stddef.h>
#include <stdint.h>

typedef struct fx_runs {
    size_t n, cap;
    int32_t *x0, *x1;  /* inclusive ends, per run */
    size_t *row_start; /* nrows + 1 entries; row = j + ny * k */
    uint32_t *comp;    /* part number per run, 0 .. ncomp-1 in scan order */
    size_t ncomp;
} fx_runs;

/* Runs of voxels that are non-zero (want == 1) or zero (want == 0), joined
 * under 6-, 18- or 26-connectivity; `planar` joins only within a slice (k),
 * where 6 means 4-connected and 18 or 26 mean 8-connected. Returns 0, or -1
 * when out of memory. */
int fx_runs_label(const uint8_t *d, const int dims[3], int want, int conn, int planar,
                  fx_runs *r);
void fx_runs_free(fx_runs *r);

#endif

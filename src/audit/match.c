/*
 * match.c - actual screws to planned ones by optimal assignment.
 *
 * Exact: dynamic programming over the subsets of the smaller side (at most 16
 * members, 2^16 states), rows taken one by one. Leaving a row unassigned
 * costs `forbid`, so the assignment pairs as many as the gate allows and, among
 * those, minimises the summed cost. The cost used by the audit is the angle
 * between the axes (degrees) plus the distance between the entries (mm).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/audit.h"

#define MAX_SIDE 16

/* rows: the larger side (nr), columns: the smaller (nc <= 16); c(r, q). */
static int assign_dp(const double *cost, size_t n, size_t m, int transposed, size_t nr, size_t nc,
                     double forbid, int *assign, fx_error *err)
{
    size_t S = (size_t)1 << nc;
    double *f = malloc(2 * S * sizeof(double));
    signed char *pick = malloc((nr + 1) * S);
    int rc = FX_OK;

    if (!f || !pick) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the screw assignment");
        goto out;
    }
    double *cur = f, *nxt = f + S;
    for (size_t s = 0; s < S; s++)
        cur[s] = s ? INFINITY : 0;
    for (size_t r = 0; r < nr; r++) {
        for (size_t s = 0; s < S; s++)
            nxt[s] = INFINITY;
        for (size_t s = 0; s < S; s++) {
            if (!isfinite(cur[s]))
                continue;
            if (cur[s] + forbid < nxt[s]) { /* row r unassigned */
                nxt[s] = cur[s] + forbid;
                pick[r * S + s] = -1;
            }
            for (size_t q = 0; q < nc; q++) {
                if (s & ((size_t)1 << q))
                    continue;
                double c = transposed ? cost[q * m + r] : cost[r * m + q];
                size_t t = s | ((size_t)1 << q);
                if (c < forbid && cur[s] + c < nxt[t]) {
                    nxt[t] = cur[s] + c;
                    pick[r * S + t] = (signed char)q;
                }
            }
        }
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    size_t best = 0;
    for (size_t s = 1; s < S; s++)
        if (cur[s] < cur[best])
            best = s;
    for (size_t i = 0; i < n; i++)
        assign[i] = -1;
    for (size_t r = nr; r-- > 0;) {
        int q = pick[r * S + best];
        if (q >= 0) {
            if (transposed)
                assign[q] = (int)r;
            else
                assign[r] = q;
            best &= ~((size_t)1 << q);
        }
    }
out:
    free(f);
    free(pick);
    return rc;
}

int fx_audit_assign(const double *cost, size_t n, size_t m, double forbid, int *assign,
                    fx_error *err)
{
    if (!n)
        return FX_OK;
    if (!m) {
        for (size_t i = 0; i < n; i++)
            assign[i] = -1;
        return FX_OK;
    }
    if (n > MAX_SIDE && m > MAX_SIDE)
        return fx_fail(err, FX_EINVAL, "cannot match %zu screws to %zu: at most %d on one side", n,
                       m, MAX_SIDE);
    /* the smaller side becomes the subset */
    if (m <= MAX_SIDE && (m <= n || n > MAX_SIDE))
        return assign_dp(cost, n, m, 0, n, m, forbid, assign, err);
    return assign_dp(cost, n, m, 1, m, n, forbid, assign, err);
}

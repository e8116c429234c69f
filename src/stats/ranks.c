/*
 * ranks.c - average ranks with the tie count that every rank test needs.
 */
#include "config.h"

#include <stdlib.h>

#include "fxaudit/stats.h"

struct keyed {
    double v;
    size_t i;
};

static int by_value(const void *a, const void *b)
{
    const struct keyed *p = a, *q = b;
    if (p->v < q->v)
        return -1;
    if (p->v > q->v)
        return 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

int fx_stats_rank(const double *x, size_t n, double *r, double *tie_sum, fx_error *err)
{
    double ties = 0;

    if (tie_sum)
        *tie_sum = 0;
    if (n == 0)
        return FX_OK;
    struct keyed *k = malloc(n * sizeof(*k));
    if (!k)
        return fx_fail(err, FX_ENOMEM, "cannot allocate ranks for %zu values", n);
    for (size_t i = 0; i < n; i++)
        k[i] = (struct keyed){x[i], i};
    qsort(k, n, sizeof(*k), by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && k[j].v == k[i].v)
            j++;
        /* positions i+1 .. j share their mean rank (i + 1 + j) / 2 */
        double avg = ((double)(i + 1) + (double)j) / 2;
        for (size_t m = i; m < j; m++)
            r[k[m].i] = avg;
        double t = (double)(j - i);
        ties += t * t * t - t;
        i = j;
    }
    free(k);
    if (tie_sum)
        *tie_sum = ties;
    return FX_OK;
}

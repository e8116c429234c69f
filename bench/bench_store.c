/*
 * bench_store.c - how fast the study store writes and verifies: N patients
 * with a complete SMFA form each (47 logged rows per patient) in one
 * transaction, then `fx_store_verify` over all of it. Usage:
 *   bench/bench_store DIR [N]     (DIR must not exist; default N = 200)
 * Prints rows written, seconds to write, seconds to verify. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fxaudit/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    fx_store *s = NULL;
    fx_error err;
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200, answers[46];
    fx_store_verify_result v;

    if (argc < 2 || n < 1 || fx_store_init(argv[1], "bench", &s, &err)) {
        fprintf(stderr, "usage: bench_store DIR [N]%s%s\n", argc < 2 ? "" : ": ",
                argc < 2 ? "" : err.msg);
        return 2;
    }
    for (int i = 0; i < 46; i++)
        answers[i] = 1 + i % 5;
    double t0 = now_s();
    int rc = fx_store_tx_begin(s, &err);
    for (int k = 0; !rc && k < n; k++) {
        fx_patient p;
        int64_t form;
        fx_patient_init(&p);
        snprintf(p.code, sizeof(p.code), "P%04d", k);
        rc = fx_store_patient_add(s, &p, &err);
        if (!rc)
            rc = fx_store_smfa_form_add(s, p.code, "1-year", 12, &form, &err);
        if (!rc)
            rc = fx_store_smfa_answers_set(s, form, answers, &err);
    }
    rc = rc ? rc : fx_store_tx_commit(s, &err);
    double t1 = now_s();
    rc = rc ? rc : fx_store_verify(s, &v, &err);
    double t2 = now_s();
    if (rc) {
        fprintf(stderr, "bench_store: %s\n", err.msg);
        fx_store_close(s);
        return 1;
    }
    printf("rows %zu, log rows %zu, write %.3f s, verify %.3f s, problems %zu\n", v.rows_checked,
           v.log_rows, t1 - t0, t2 - t1, v.n_problems);
    fx_store_verify_release(&v);
    fx_store_close(s);
    return 0;
}

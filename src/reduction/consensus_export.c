/*
 * consensus_export.c - the readings of every case that all its observers have
 * finished, as a wide CSV table (one row per patient, time point and plane,
 * two columns per observer and repeat), so that inter- and intra-observer
 * agreement can be computed with `fxaudit stats icc` / `bland-altman` or any
 * statistics program. Cases still blinded are left out (readings_table.c).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "fxaudit/consensus.h"
#include "readings_table.h"

static void write_header(FILE *out, const rt_table *t)
{
    fputs("patient,timepoint,plane", out);
    for (size_t k = 0; k < t->n_obs; k++)
        for (int rep = 1; rep <= t->repeats[k]; rep++) {
            if (rep == 1)
                fprintf(out, ",%s_gap,%s_step", t->observer[k], t->observer[k]);
            else
                fprintf(out, ",%s_gap_r%d,%s_step_r%d", t->observer[k], rep, t->observer[k], rep);
        }
    fputc('\n', out);
}

int fx_consensus_export(fx_store *s, FILE *out, fx_error *err)
{
    rt_table t;
    int rc = rt_build(s, &t, err);
    if (!rc) {
        write_header(out, &t);
        for (size_t i = 0; i < t.n_rows; i++) {
            fprintf(out, "%s,%s,%s", t.patient[i], t.timepoint[i], t.plane[i]);
            for (int c = 0; c < t.n_cols; c++) {
                double x = t.v[i * (size_t)t.n_cols + (size_t)c];
                isnan(x) ? fputs(",", out) : fprintf(out, ",%.15g", x);
            }
            fputc('\n', out);
        }
        if (ferror(out))
            rc = fx_fail(err, FX_EIO, "cannot write the export");
    }
    rt_release(&t);
    return rc;
}

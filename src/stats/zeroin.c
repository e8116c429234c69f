/*
 * zeroin.c - Brent's root finder (R. P. Brent, Algorithms for Minimization
 * without Derivatives, 1973, ch. 4: bisection safeguarding secant and inverse
 * quadratic interpolation). R's uniroot() runs this algorithm; the
 * Hodges-Lehmann intervals of wilcox.test are roots of a step function, so
 * where the search stops is the answer, and agreeing with R means taking the
 * same steps with the same tolerance rule (2 eps |b| + tol / 2).
 */
#include "config.h"

#include <float.h>
#include <math.h>

#include "fxaudit/stats.h"

/* One interpolation step from the bracket (a, fa), (b, fb), (c, fc); returns the
 * proposed step from b, or the bisection step when interpolation is unsafe. */
static double interpolate(double a, double fa, double b, double fb, double c, double fc,
                          double prev_step, double tol_act)
{
    double half = (c - b) / 2;
    if (fabs(prev_step) < tol_act || fabs(fa) <= fabs(fb))
        return half;
    double p, q, cb = c - b;
    if (a == c) { /* secant */
        double t1 = fb / fa;
        p = cb * t1;
        q = 1.0 - t1;
    } else { /* inverse quadratic */
        double qq = fa / fc, t1 = fb / fc, t2 = fb / fa;
        p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
        q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
    }
    if (p > 0)
        q = -q;
    else
        p = -p;
    if (p < (0.75 * cb * q - fabs(tol_act * q) / 2) && p < fabs(prev_step * q / 2))
        return p / q;
    return half;
}

int fx_stats_zeroin(fx_root_fn f, void *ctx, double lo, double hi, double flo, double fhi,
                    double tol, double *root, fx_error *err)
{
    double a = lo, b = hi, fa = flo, fb = fhi, c = a, fc = fa;

    if (!(lo < hi))
        return fx_fail(err, FX_EINVAL, "root search needs lower < upper (%g, %g)", lo, hi);
    if (fa * fb > 0)
        return fx_fail(err, FX_ENUMERIC, "no sign change between %g and %g", lo, hi);
    if (fa == 0) {
        *root = a;
        return FX_OK;
    }
    if (fb == 0) {
        *root = b;
        return FX_OK;
    }
    for (int it = 0; it <= 1000; it++) {
        double prev_step = b - a;
        if (fabs(fc) < fabs(fb)) { /* keep b the best guess */
            a = b, b = c, c = a;
            fa = fb, fb = fc, fc = fa;
        }
        double tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2;
        double step = (c - b) / 2;
        if (fabs(step) <= tol_act || fb == 0) {
            *root = b;
            return FX_OK;
        }
        step = interpolate(a, fa, b, fb, c, fc, prev_step, tol_act);
        if (fabs(step) < tol_act)
            step = step > 0 ? tol_act : -tol_act;
        a = b, fa = fb;
        b += step;
        fb = f(b, ctx);
        if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            c = a, fc = fa;
    }
    return fx_fail(err, FX_ENUMERIC, "root search did not converge in 1000 steps");
}

/*
 * streaks.c - metal streak artefacts in post-op slices: dark bands along the
 * lines that join two metal cross-sections in a slice (photon starvation and
 * beam hardening between dense objects) and faint bright rays from each
 * screw. Deterministic for the patient's seed. The truth does not depend on
 * them; `fxaudit phantom --no-streaks` leaves them out.
 */
#include "config.h"

#include <math.h>

#include "model.h"

enum { MAX_SRC = 6 };

typedef struct src2 {
    double i, j; /* continuous in-plane index */
} src2;

/* Add amp * exp(-(dist/sigma)^2) along the segment a-b of slice k. */
static void band(const fx_volume *v, double *hu, int k, src2 a, src2 b, double amp,
                 double sigma_px)
{
    int nx = v->dims[0], ny = v->dims[1];
    double lo_i = fmin(a.i, b.i) - 3 * sigma_px, hi_i = fmax(a.i, b.i) + 3 * sigma_px;
    double lo_j = fmin(a.j, b.j) - 3 * sigma_px, hi_j = fmax(a.j, b.j) + 3 * sigma_px;
    double ex = b.i - a.i, ey = b.j - a.j, L2 = ex * ex + ey * ey;
    if (L2 < 1e-9)
        return;
    for (int j = (int)fmax(0, lo_j); j <= (int)fmin(ny - 1, hi_j); j++)
        for (int i = (int)fmax(0, lo_i); i <= (int)fmin(nx - 1, hi_i); i++) {
            double t = ((i - a.i) * ex + (j - a.j) * ey) / L2;
            if (t < 0 || t > 1)
                continue;
            double px = a.i + t * ex - i, py = a.j + t * ey - j;
            double d2 = (px * px + py * py) / (sigma_px * sigma_px);
            if (d2 < 9)
                hu[(size_t)i + (size_t)nx * ((size_t)j + (size_t)ny * k)] += amp * exp(-d2);
        }
}

static int sources(const fx_phantom *p, int s, const fx_volume *v, int k, src2 *out)
{
    int n = 0;
    for (int i = 0; i < p->nscrews && n < MAX_SRC; i++) {
        const ph_screw *sc = &p->actual[i];
        if (!sc->placed)
            continue;
        fx_vec3 e = fx_volume_world_to_index(v, fx_rigid_apply(&p->pose[s], sc->entry));
        fx_vec3 t = fx_volume_world_to_index(v, fx_rigid_apply(&p->pose[s], sc->tip));
        if ((k - e.z) * (k - t.z) > 0 || fabs(t.z - e.z) < 1e-9)
            continue;
        double u = (k - e.z) / (t.z - e.z);
        out[n++] = (src2){e.x + u * (t.x - e.x), e.y + u * (t.y - e.y)};
    }
    return n;
}

void ph_streaks(const fx_phantom *p, int s, const fx_volume *v, double *hu);

void ph_streaks(const fx_phantom *p, int s, const fx_volume *v, double *hu)
{
    double mm = 0.5 * (v->spacing[0] + v->spacing[1]);
#pragma omp parallel for schedule(dynamic, 2)
    for (int k = 0; k < v->dims[2]; k++) {
        src2 src[MAX_SRC];
        int n = sources(p, s, v, k, src);
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
                band(v, hu, k, src[a], src[b], -220.0, 1.6 / mm);
        for (int a = 0; a < n; a++)
            for (int r = 0; r < 6; r++) {
                double ang = M_PI * r / 6 + 0.37 * (double)(p->pseed % 97) + 0.11 * a;
                double len = 70.0 / mm;
                src2 e0 = {src[a].i - len * cos(ang), src[a].j - len * sin(ang)};
                src2 e1 = {src[a].i + len * cos(ang), src[a].j + len * sin(ang)};
                band(v, hu, k, e0, e1, (r % 2 ? 90.0 : -90.0), 0.9 / mm);
            }
    }
}

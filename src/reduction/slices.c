/*
 * slices.c - axial, coronal and sagittal slices through a point as images to
 * measure on (slices.h states the display convention and the pixel mapping).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/raster.h"
#include "fxaudit/slices.h"

static const uint8_t INK[3] = {255, 255, 0};

void fx_slice_opts_default(fx_slice_opts *o)
{
    o->mm_per_px = 0.5;
    o->field_mm = 128.0;
    o->window_hu = 2000.0;
    o->level_hu = 500.0;
    o->superior = fx_v3(0, 0, 1);
}

static const char *const NAMES[3] = {"axial", "coronal", "sagittal"};

const char *fx_slice_plane_name(fx_slice_plane p)
{
    return (p >= 0 && p <= 2) ? NAMES[p] : "?";
}

int fx_slice_plane_from_name(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (name && strcmp(name, NAMES[i]) == 0)
            return i;
    return -1;
}

/* The anatomical axes L, P, S: S the given superior axis, L the volume's x
 * made orthogonal to it, P = S x L. */
static int axes(fx_vec3 sup, fx_vec3 *L, fx_vec3 *P, fx_vec3 *S, fx_error *err)
{
    double n = fx_v3_norm(sup);
    if (!(n > 0) || !isfinite(n))
        return fx_fail(err, FX_EINVAL, "slices: the superior axis must be a non-zero vector");
    *S = fx_v3_scale(sup, 1 / n);
    fx_vec3 x = fx_v3(1, 0, 0);
    if (fabs(S->x) > 0.9)
        return fx_fail(err, FX_EINVAL, "slices: the superior axis lies along left-right");
    *L = fx_v3_unit(fx_v3_sub(x, fx_v3_scale(*S, fx_v3_dot(x, *S))));
    *P = fx_v3_cross(*S, *L);
    return 0;
}

static void letters(fx_slice_map *m, const char *l, const char *r, const char *t, const char *b)
{
    m->left[0] = l[0];
    m->right[0] = r[0];
    m->top[0] = t[0];
    m->bottom[0] = b[0];
    m->left[1] = m->right[1] = m->top[1] = m->bottom[1] = '\0';
}

/* The longest 1, 2 or 5 x 10^n mm that is at most a quarter of the field. */
static double bar_length_mm(double field_mm)
{
    double best = 1;
    for (double p = 1; p < 1e4; p *= 10)
        for (int k = 0; k < 3; k++) {
            double len = p * (k == 0 ? 1 : k == 1 ? 2 : 5);
            if (len <= field_mm / 4)
                best = len;
        }
    return best;
}

int fx_slice_map_make(fx_slice_plane p, fx_vec3 point_mm, const fx_slice_opts *o, fx_slice_map *m,
                      fx_error *err)
{
    if (!(o->mm_per_px > 0.01 && o->mm_per_px <= 10) || !(o->field_mm >= 8 * o->mm_per_px) ||
        o->field_mm > 2000)
        return fx_fail(err, FX_EINVAL,
                       "slices: pixel size must be 0.01-10 mm and the field 8-2000 pixels wide");
    if (p < FX_SLICE_AXIAL || p > FX_SLICE_SAGITTAL)
        return fx_fail(err, FX_EINVAL, "slices: unknown plane");
    fx_vec3 L, P, S;
    int rc = axes(o->superior, &L, &P, &S, err);
    if (rc)
        return rc;
    memset(m, 0, sizeof(*m));
    int half = (int)lround(0.5 * o->field_mm / o->mm_per_px);
    m->width = m->height = 2 * half + 1;
    m->mm_per_px = o->mm_per_px;
    fx_vec3 c, r;
    if (p == FX_SLICE_AXIAL) { /* from the feet */
        c = L, r = P, m->normal = S;
        letters(m, "R", "L", "A", "P");
    } else if (p == FX_SLICE_CORONAL) { /* from the front */
        c = L, r = fx_v3_scale(S, -1), m->normal = P;
        letters(m, "R", "L", "S", "I");
    } else { /* from the patient's left */
        c = P, r = fx_v3_scale(S, -1), m->normal = L;
        letters(m, "A", "P", "S", "I");
    }
    m->col_mm = fx_v3_scale(c, o->mm_per_px);
    m->row_mm = fx_v3_scale(r, o->mm_per_px);
    m->origin_mm =
        fx_v3_sub(point_mm, fx_v3_add(fx_v3_scale(m->col_mm, half), fx_v3_scale(m->row_mm, half)));
    m->bar_mm = bar_length_mm(o->field_mm);
    m->bar_px = (int)lround(m->bar_mm / o->mm_per_px);
    return 0;
}

fx_vec3 fx_slice_px_to_mm(const fx_slice_map *m, double u, double v)
{
    return fx_v3_add(m->origin_mm, fx_v3_add(fx_v3_scale(m->col_mm, u), fx_v3_scale(m->row_mm, v)));
}

static void grey(const fx_volume *ct, const fx_slice_opts *o, fx_slice_image *im)
{
    const fx_slice_map *m = &im->map;
    double lo = o->level_hu - 0.5 * o->window_hu;
    for (int v = 0; v < m->height; v++)
        for (int u = 0; u < m->width; u++) {
            fx_vec3 ijk = fx_volume_world_to_index(ct, fx_slice_px_to_mm(m, u, v));
            double hu = fx_volume_sample(ct, ijk, -1000.0);
            double g = 255.0 * (hu - lo) / o->window_hu;
            /* grey levels stay below pure yellow: R = G = B always */
            uint8_t b = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : lround(g));
            uint8_t *px = im->rgb + 3 * ((size_t)v * m->width + u);
            px[0] = px[1] = px[2] = b;
        }
}

static void fill(fx_slice_image *im, int x0, int y0, int w, int h)
{
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++)
            if (x >= 0 && y >= 0 && x < im->map.width && y < im->map.height)
                memcpy(im->rgb + 3 * ((size_t)y * im->map.width + x), INK, 3);
}

/* Letters mid-edge, the scale bar bottom right with its length, the label
 * top left. Text is fx_raster_text's 5 x 9 font at scale k. */
static void annotate(fx_slice_image *im, const char *label)
{
    const fx_slice_map *m = &im->map;
    int k = m->width >= 400 ? 2 : 1, W = m->width, H = m->height, pad = 4 * k;
    fx_image ri = {W, H, im->rgb, NULL, 1.0 / m->mm_per_px};
    fx_raster_text(&ri, pad, (H - 9 * k) / 2, k, m->left, INK);
    fx_raster_text(&ri, W - pad - 5 * k, (H - 9 * k) / 2, k, m->right, INK);
    fx_raster_text(&ri, (W - 5 * k) / 2, pad, k, m->top, INK);
    fx_raster_text(&ri, (W - 5 * k) / 2, H - pad - 9 * k, k, m->bottom, INK);
    int bx = W - pad - 5 * k - pad - m->bar_px, by = H - pad - 3 * k - 2;
    fill(im, bx, by, m->bar_px, 3); /* the bar: exactly bar_px wide, 3 rows */
    char text[32];
    snprintf(text, sizeof(text), "%g mm", m->bar_mm);
    fx_raster_text(&ri, bx, by - 4 - 9 * k, k, text, INK);
    if (label && *label)
        fx_raster_text(&ri, pad, pad, k, label, INK);
}

int fx_slice_render(const fx_volume *ct, fx_slice_plane p, fx_vec3 point_mm, const fx_slice_opts *o,
                    const char *label, fx_slice_image **out, fx_error *err)
{
    int rc = fx_volume_check_geometry(ct, err);
    if (rc)
        return rc;
    if (!(o->window_hu > 0))
        return fx_fail(err, FX_EINVAL, "slices: the window width must be positive");
    fx_slice_image *im = calloc(1, sizeof(*im));
    if (!im)
        return fx_fail(err, FX_ENOMEM, "slices: out of memory");
    if ((rc = fx_slice_map_make(p, point_mm, o, &im->map, err))) {
        free(im);
        return rc;
    }
    im->rgb = malloc(3 * (size_t)im->map.width * im->map.height);
    if (!im->rgb) {
        free(im);
        return fx_fail(err, FX_ENOMEM, "slices: out of memory");
    }
    grey(ct, o, im);
    annotate(im, label);
    *out = im;
    return 0;
}

void fx_slice_image_free(fx_slice_image *im)
{
    if (!im)
        return;
    free(im->rgb);
    free(im);
}

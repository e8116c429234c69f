/*
 * slices.h - the axial, coronal and sagittal CT slices through a point (the
 * acetabular dome) as images an observer can measure on: bone window, square
 * pixels of a chosen size in millimetres, a millimetre scale bar, orientation
 * letters, and the exact pixel -> millimetre mapping of each image.
 *
 * Display convention (radiological): axial seen from the feet (image right =
 * patient's left, image down = posterior); coronal seen from the front (image
 * right = patient's left, down = inferior); sagittal seen from the patient's
 * left (image right = posterior, down = inferior). The anatomical axes are the
 * volume's LPS axes unless a superior axis is given (then x and y are
 * orthogonalised against it).
 *
 * Pixel (u, v) (column, row, 0-based, centre of the pixel) lies at world
 * origin_mm + u * col_mm + v * row_mm (LPS, mm). The slice point is the
 * centre pixel ((w-1)/2, (h-1)/2); w and h are odd.
 */
#ifndef FXAUDIT_SLICES_H
#define FXAUDIT_SLICES_H

#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/vec3.h"
#include "fxaudit/volume.h"

typedef enum fx_slice_plane {
    FX_SLICE_AXIAL = 0,
    FX_SLICE_CORONAL = 1,
    FX_SLICE_SAGITTAL = 2,
} fx_slice_plane;

typedef struct fx_slice_opts {
    double mm_per_px; /* pixel size, mm (square pixels) */
    double field_mm;  /* width and height of the image, mm */
    double window_hu; /* display window width, HU */
    double level_hu;  /* display window centre, HU */
    fx_vec3 superior; /* the anatomical superior axis, LPS; (0,0,1) by default */
} fx_slice_opts;

/* Defaults: 0.5 mm/px, 128 mm field, bone window W 2000 L 500, superior +z. */
void fx_slice_opts_default(fx_slice_opts *o);

/* Where an image's pixels are in the patient. */
typedef struct fx_slice_map {
    int width, height; /* pixels */
    double mm_per_px;
    fx_vec3 origin_mm;                         /* centre of pixel (0, 0), LPS */
    fx_vec3 col_mm, row_mm;                    /* world step of one column / one row, mm */
    fx_vec3 normal;                            /* unit, the slice normal (S, P or L) */
    char left[2], right[2], top[2], bottom[2]; /* orientation letters */
    double bar_mm;                             /* scale bar length, mm */
    int bar_px;                                /* and in pixels */
} fx_slice_map;

/* A rendered slice: RGB pixels, rows top to bottom (owned). */
typedef struct fx_slice_image {
    fx_slice_map map;
    uint8_t *rgb;
} fx_slice_image;

const char *fx_slice_plane_name(fx_slice_plane p);
int fx_slice_plane_from_name(const char *name); /* -1 when unknown */

/* The mapping of plane `p` through `point_mm` (no pixels). */
int fx_slice_map_make(fx_slice_plane p, fx_vec3 point_mm, const fx_slice_opts *o, fx_slice_map *out,
                      fx_error *err);

/* Pixel (u, v), fractional allowed, to world mm (LPS). */
fx_vec3 fx_slice_px_to_mm(const fx_slice_map *m, double u, double v);

/* Render plane `p` of `ct` (HU) through `point_mm` by trilinear
 * interpolation (air outside the grid), with the scale bar and letters drawn
 * in yellow (255, 255, 0), a colour the grey scale never takes. `label` (may
 * be NULL; ASCII) is printed top left: pass only a blinded case code. On
 * success *out owns the image (free with fx_slice_image_free). */
int fx_slice_render(const fx_volume *ct, fx_slice_plane p, fx_vec3 point_mm, const fx_slice_opts *o,
                    const char *label, fx_slice_image **out, fx_error *err);
void fx_slice_image_free(fx_slice_image *im); /* NULL is a no-op */

#endif

/*
 * raster.h - a small software rasteriser for the reports' 3-D views: triangle
 * meshes with per-mesh colour and opacity, screws as cylinders or lines, a
 * legend and a millimetre scale bar, drawn into an RGB image with a z-buffer.
 *
 * Projection is orthographic (lengths on screen are true to scale, so a scale
 * bar means something). The standard views of a pelvis in LPS coordinates
 * (x to the patient's left, y posterior, z superior):
 *
 *   anterior  seen from the front, looking posterior (+y); head up, the
 *             patient's left on the image's right (as an AP radiograph).
 *   lateral   seen from the side given by `side` (the fractured side),
 *             looking medially; head up. From the left (+x) the patient's
 *             anterior is on the image's left; from the right, on its right.
 *   superior  seen from above, looking caudal (-z), posterior up and the
 *             patient's left on the image's right (as a pelvic inlet view).
 *
 * No view is mirrored: each is what a camera at that place would see.
 * Shading is Lambert (diffuse) with a little ambient light, per triangle
 * (flat) or per vertex and interpolated (Gouraud); both faces of a triangle
 * are lit, so open or inconsistently wound meshes still read well. Edges are
 * smoothed by supersampling (`supersample`² samples per pixel, box filter).
 */
#ifndef FXAUDIT_RASTER_H
#define FXAUDIT_RASTER_H

#include <stddef.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"
#include "fxaudit/vec3.h"

typedef enum fx_view { FX_VIEW_ANTERIOR = 0, FX_VIEW_LATERAL = 1, FX_VIEW_SUPERIOR = 2 } fx_view;
typedef enum fx_side { FX_SIDE_LEFT = 0, FX_SIDE_RIGHT = 1 } fx_side;
typedef enum fx_shading { FX_SHADE_GOURAUD = 0, FX_SHADE_FLAT = 1 } fx_shading;
typedef enum fx_screw_style { FX_SCREW_CYLINDER = 0, FX_SCREW_LINE = 1 } fx_screw_style;

/* A mesh to draw (borrowed). opacity 1 is opaque; below 1 the mesh is blended
 * over what lies behind it (translucent triangles are drawn back to front). */
typedef struct fx_render_mesh {
    const fx_mesh *mesh;
    uint8_t rgb[3];
    double opacity;
} fx_render_mesh;

/* A screw from entry to tip (mm, LPS): a shaded cylinder of `diameter_mm`, or
 * an unlit line `diameter_mm` wide on screen at the image's scale (at least
 * 1.5 pixels). Both are hidden by opaque geometry in front of them. */
typedef struct fx_render_screw {
    fx_vec3 entry, tip;
    double diameter_mm;
    uint8_t rgb[3];
    fx_screw_style style;
} fx_render_screw;

/* One legend entry: a colour swatch and a label (ASCII; lower and upper case,
 * digits and common punctuation are drawn, other characters as '?'). */
typedef struct fx_render_legend {
    const char *label;
    uint8_t rgb[3];
} fx_render_legend;

typedef struct fx_render_scene {
    const fx_render_mesh *meshes;
    size_t n_meshes;
    const fx_render_screw *screws;
    size_t n_screws;
    const fx_render_legend *legend;
    size_t n_legend;
} fx_render_scene;

typedef struct fx_raster_opts {
    int width, height; /* output pixels */
    fx_view view;
    fx_side side; /* for FX_VIEW_LATERAL */
    fx_shading shading;
    int supersample;  /* samples per pixel along each axis, 1..4 */
    double px_per_mm; /* 0: fit the scene's bounds into the image */
    double margin;    /* fraction of the image kept free around the fit */
    uint8_t background[3];
    double ambient; /* 0..1, the light a face gets whatever its direction */
    fx_vec3 light;  /* towards the light, in view coordinates: x right, y up,
                     * z towards the viewer */
    int scale_bar;  /* draw a millimetre scale bar (bottom right) */
    int title_view; /* print the view's name (top left) */
} fx_raster_opts;

/* Defaults: 1000 x 800, anterior, left, Gouraud, 3x3 supersampling, fit with a
 * 6 % margin, white background, ambient 0.25, light from the upper left front,
 * scale bar and view name on. */
void fx_raster_opts_default(fx_raster_opts *o);

/* A rendered image: w x h RGB pixels (rows top to bottom) and per pixel the
 * fraction of it covered by the scene (0..255), ignoring legend and labels. */
typedef struct fx_image {
    int w, h;
    uint8_t *rgb;
    uint8_t *coverage;
    double px_per_mm; /* the scale used */
} fx_image;

/* Render `scene` with `opts`. On success *out owns a new image (free with
 * fx_image_free). A scene with nothing to draw is an error when px_per_mm is
 * 0 (there are no bounds to fit). */
int fx_raster_render(const fx_render_scene *scene, const fx_raster_opts *opts, fx_image **out,
                     fx_error *err);
void fx_image_free(fx_image *im); /* NULL is a no-op */

/* "anterior", "lateral", "superior" and back; -1 for an unknown name. */
const char *fx_view_name(fx_view v);
int fx_view_from_name(const char *name);

/* The camera of a view: unit vectors of the image's right and up, and the
 * viewing direction (into the scene), all in LPS. */
void fx_view_basis(fx_view v, fx_side side, fx_vec3 *right, fx_vec3 *up, fx_vec3 *dir);

/* Draw `text` (ASCII) into an RGB image with its top-left corner at (x, y),
 * glyphs 5 x 9 cells of `scale` pixels. Returns the width drawn in pixels. */
int fx_raster_text(fx_image *im, int x, int y, int scale, const char *text, const uint8_t rgb[3]);

#endif

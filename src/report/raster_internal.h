/*
 * raster_internal.h - what raster.c asks of raster_text.c: how much room the
 * annotations take and drawing them onto the finished image.
 */
#ifndef FXAUDIT_RASTER_INTERNAL_H
#define FXAUDIT_RASTER_INTERNAL_H

#include "fxaudit/raster.h"

/* Pixel size of one glyph cell for an image of w x h pixels. */
int raster_text_scale(int w, int h);
/* Heights in output pixels of the band above (view name) and below (legend,
 * scale bar) the scene, which the framing keeps free. */
int raster_top_band(const fx_raster_opts *o, int k);
int raster_bottom_band(const fx_render_scene *s, const fx_raster_opts *o, int k);
/* Draw the view name, the legend and the scale bar. */
void raster_annotate(fx_image *im, const fx_render_scene *s, const fx_raster_opts *o, int k);

#endif

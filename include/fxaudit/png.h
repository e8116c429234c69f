/*
 * png.h - writing 8-bit grey or RGB images as PNG (through libpng), for CT
 * slices, rendered 3-D views and test artefacts.
 */
#ifndef FXAUDIT_PNG_H
#define FXAUDIT_PNG_H

#include <stdint.h>

#include "fxaudit/error.h"

/* Write a `w` x `h` image whose rows run top to bottom, `channels` 1 (grey) or
 * 3 (RGB) bytes per pixel. The file appears complete or not at all (written
 * under a temporary name and renamed). */
int fx_png_write(const char *path, const uint8_t *pixels, int w, int h, int channels,
                 fx_error *err);

#endif

/*
 * png.c - PNG output through libpng. libpng reports errors by longjmp; the jump
 * lands here and becomes an fx_error, so nothing escapes this file.
 */
#include "config.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/file.h"
#include "fxaudit/png.h"

static int write_rows(FILE *f, const uint8_t *px, int w, int h, int channels)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    volatile int rc = -1;

    if (!png || !info)
        goto out;
    if (setjmp(png_jmpbuf(png)))
        goto out;
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, (png_const_bytep)(px + (size_t)y * (size_t)w * (size_t)channels));
    png_write_end(png, NULL);
    rc = 0;
out:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    return rc;
}

int fx_png_write(const char *path, const uint8_t *pixels, int w, int h, int channels,
                 fx_error *err)
{
    fx_outfile out;
    int rc;

    if (w <= 0 || h <= 0 || (channels != 1 && channels != 3))
        return fx_fail(err, FX_EINVAL, "cannot write '%s': invalid image %d x %d x %d", path, w,
                       h, channels);
    rc = fx_outfile_open(&out, path, err);
    if (rc)
        return rc;
    if (write_rows(out.fp, pixels, w, h, channels) != 0) {
        fx_outfile_abort(&out);
        return fx_fail(err, FX_EIO, "cannot write PNG '%s'", path);
    }
    return fx_outfile_commit(&out, err);
}

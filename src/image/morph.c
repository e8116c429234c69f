/*
 * morph.c - binary morphology with a ball in millimetres, through the exact
 * distance transform (a voxel joins the dilation when the nearest object
 * voxel is within the radius), and hole filling by labelling the background.
 */
#include "config.h"

#include <stdlib.h>

#include "fxaudit/segment.h"
#include "runs.h"

/* mask = (distance^2 to the feature `invert ? background : object`) compared
 * with r^2: dilation keeps d <= r, erosion keeps d > r (of the background). */
static int ball(fx_volume *mask, double radius_mm, int erode, fx_error *err)
{
    fx_volume *D;
    int rc;

    if (mask->type != FX_VOX_U8)
        return fx_fail(err, FX_EINVAL, "morphology needs a uint8 mask, not %s",
                       fx_voxel_type_name(mask->type));
    if (!(radius_mm >= 0))
        return fx_fail(err, FX_EINVAL, "structuring radius %g mm is not a non-negative number",
                       radius_mm);
    if (radius_mm == 0)
        return FX_OK;
    rc = fx_segment_distance2(mask, erode, &D, err);
    if (rc)
        return rc;
    /* A relative margin keeps voxels exactly on the ball's surface inside it. */
    double r2 = radius_mm * radius_mm * (1 + 1e-9);
    const float *d = D->data;
    uint8_t *m = mask->data;
    size_t n = fx_volume_count(mask);
    for (size_t i = 0; i < n; i++)
        m[i] = erode ? d[i] > r2 : d[i] <= r2;
    fx_volume_free(D);
    return FX_OK;
}

int fx_segment_dilate(fx_volume *mask, double radius_mm, fx_error *err)
{
    return ball(mask, radius_mm, 0, err);
}

int fx_segment_erode(fx_volume *mask, double radius_mm, fx_error *err)
{
    return ball(mask, radius_mm, 1, err);
}

int fx_segment_open(fx_volume *mask, double radius_mm, fx_error *err)
{
    int rc = ball(mask, radius_mm, 1, err);
    return rc ? rc : ball(mask, radius_mm, 0, err);
}

int fx_segment_close(fx_volume *mask, double radius_mm, fx_error *err)
{
    int rc = ball(mask, radius_mm, 0, err);
    return rc ? rc : ball(mask, radius_mm, 1, err);
}

int fx_segment_fill_holes(fx_volume *mask, int per_slice, fx_error *err)
{
    fx_runs r;
    uint8_t *border;
    int nx = mask->dims[0], ny = mask->dims[1], nz = mask->dims[2];

    if (mask->type != FX_VOX_U8)
        return fx_fail(err, FX_EINVAL, "hole filling needs a uint8 mask, not %s",
                       fx_voxel_type_name(mask->type));
    if (fx_runs_label(mask->data, mask->dims, 0, 6, per_slice, &r)) {
        fx_runs_free(&r);
        return fx_fail(err, FX_ENOMEM, "cannot allocate the background runs of a mask");
    }
    border = calloc(r.ncomp + 1, 1);
    if (!border) {
        fx_runs_free(&r);
        return fx_fail(err, FX_ENOMEM, "cannot allocate hole flags");
    }
    for (int k = 0; k < nz; k++)
        for (int j = 0; j < ny; j++) {
            size_t row = (size_t)j + (size_t)ny * k;
            int edge_row = j == 0 || j == ny - 1 || (!per_slice && (k == 0 || k == nz - 1));
            for (size_t i = r.row_start[row]; i < r.row_start[row + 1]; i++)
                if (edge_row || r.x0[i] == 0 || r.x1[i] == nx - 1)
                    border[r.comp[i]] = 1;
        }
    uint8_t *m = mask->data;
    size_t nrows = (size_t)ny * nz;
    for (size_t row = 0; row < nrows; row++)
        for (size_t i = r.row_start[row]; i < r.row_start[row + 1]; i++)
            if (!border[r.comp[i]])
                for (int x = r.x0[i]; x <= r.x1[i]; x++)
                    m[row * nx + x] = 1;
    free(border);
    fx_runs_free(&r);
    return FX_OK;
}

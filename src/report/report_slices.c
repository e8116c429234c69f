/*
 * report_slices.c - the patient report's CT slices at the acetabular dome:
 * axial, coronal and sagittal through the dome point, pre-op and post-op, as
 * one figure of two rows. The slices are slices.c's (the images an observer
 * measures on with `fxaudit slices`): bone window, square pixels, a
 * millimetre scale bar, orientation letters, and no label at all, so no
 * patient data. The dome point is given in pre-op (plan) coordinates; the
 * post-op slices go through its image under the inverse of the registration
 * (x_post = R^T (x_plan - t)), i.e. through the same anatomical point.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/raster.h"
#include "fxaudit/slices.h"
#include "fxaudit/volio.h"
#include "report_internal.h"

enum { GUTTER = 16, TEXT_SCALE = 2, HEAD = 9 * TEXT_SCALE + 10 };

/* x_post = R^T (x_plan - t) for the row-major post-op -> plan matrix m. */
static fx_vec3 plan_to_postop(const double m[16], const double p[3])
{
    double d[3] = {p[0] - m[3], p[1] - m[7], p[2] - m[11]};
    return (fx_vec3){m[0] * d[0] + m[4] * d[1] + m[8] * d[2],
                     m[1] * d[0] + m[5] * d[1] + m[9] * d[2],
                     m[2] * d[0] + m[6] * d[1] + m[10] * d[2]};
}

/* Render row `row` (three planes of the CT at `path`) into the composite. */
static int render_row(const char *path, fx_vec3 dome, const char *what, fx_image *comp, int row,
                      int side, fx_error *err)
{
    fx_volume *ct = NULL;
    int rc = fx_volume_read(path, &ct, err);
    fx_slice_opts so;
    fx_slice_opts_default(&so);
    static const uint8_t INK[3] = {40, 40, 40};
    for (int p = 0; p < 3 && !rc; p++) {
        fx_slice_image *im = NULL;
        rc = fx_slice_render(ct, (fx_slice_plane)p, dome, &so, NULL, &im, err);
        if (rc)
            break;
        int x0 = p * (side + GUTTER), y0 = row * (HEAD + side + GUTTER);
        char title[64];
        snprintf(title, sizeof title, "%s, %s", what, fx_slice_plane_name((fx_slice_plane)p));
        fx_raster_text(comp, x0, y0 + 2, TEXT_SCALE, title, INK);
        for (int y = 0; y < side && y < im->map.height; y++)
            memcpy(comp->rgb + 3 * ((size_t)(y0 + HEAD + y) * comp->w + x0),
                   im->rgb + 3 * (size_t)y * im->map.width, 3 * (size_t)side);
        fx_slice_image_free(im);
    }
    fx_volume_free(ct);
    return rc;
}

/* The newest CT series of each time point: paths relative to the study. */
static int series_paths(fx_store *s, const char *code, char pre[4600], char post[4600],
                        fx_error *err)
{
    json_t *rows = rp_query(s, "SELECT s.timepoint, s.path FROM series s JOIN patients p ON p.id "
                               "= s.patient_id WHERE p.code = ?1 AND s.kind = 'ct' ORDER BY s.id",
                            code, err);
    if (!rows)
        return err->code;
    pre[0] = post[0] = '\0';
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        char *to = !strcmp(rp_str(r, "timepoint"), "preop")    ? pre
                   : !strcmp(rp_str(r, "timepoint"), "postop") ? post : NULL;
        if (to)
            snprintf(to, 4600, "%s/%s", fx_store_dir(s), rp_str(r, "path"));
    }
    json_decref(rows);
    return FX_OK;
}

static void slices_caption(char *cap, size_t n, int fig, const double *pre, const fx_vec3 *post)
{
    int k = snprintf(cap, n, "Figure %d. CT slices through the acetabular dome (bone window "
                             "W 2000 / L 500 HU, 0.5 mm per pixel, 128 mm field; scale bar in mm; "
                             "axial seen from the feet, coronal from the front, sagittal from the "
                             "patient's left). Dome point (%.1f, %.1f, %.1f) mm in the pre-op CT",
                     fig, pre[0], pre[1], pre[2]);
    if (k > 0 && (size_t)k < n && post)
        snprintf(cap + k, n - (size_t)k, "; (%.1f, %.1f, %.1f) mm in the post-op CT, the same "
                                         "point carried over by the registration (x, y, z: LPS).",
                 post->x, post->y, post->z);
    else if (k > 0 && (size_t)k < n)
        snprintf(cap + k, n - (size_t)k, " (x, y, z: LPS).");
}

int rp_dome_slices(rp_ctx *c, fx_store *s, const char *code, const json_t *reg, fx_error *err)
{
    const fx_report_opts *o = c->o;
    if (!o->have_dome)
        return fx_pdf_paragraph(c->d, "No CT slices at the dome: the dome point was not given "
                                      "(fxaudit report patient --dome X,Y,Z, mm in the pre-op "
                                      "CT's coordinates).", FX_PDF_LEFT, err);
    char pre[4600], post[4600];
    int rc = series_paths(s, code, pre, post, err);
    if (rc)
        return rc;
    double m[16];
    if (reg && (rc = rp_matrix_parse(rp_str(reg, "matrix"), m, err)))
        return rc;
    int rows = (pre[0] != 0) + (post[0] && reg);
    if (rows == 0)
        return fx_pdf_paragraph(c->d, "No CT slices at the dome: the store holds no CT series "
                                      "of this patient.", FX_PDF_LEFT, err);
    fx_slice_map map;
    fx_slice_opts so;
    fx_slice_opts_default(&so);
    if ((rc = fx_slice_map_make(FX_SLICE_AXIAL, fx_v3(0, 0, 0), &so, &map, err)))
        return rc;
    int side = map.width;
    fx_image comp = {3 * side + 2 * GUTTER, rows * (HEAD + side) + (rows - 1) * GUTTER, NULL,
                     NULL, 0};
    comp.rgb = malloc(3 * (size_t)comp.w * (size_t)comp.h);
    if (!comp.rgb)
        return fx_fail(err, FX_ENOMEM, "out of memory for the dome slices");
    memset(comp.rgb, 255, 3 * (size_t)comp.w * (size_t)comp.h);
    fx_vec3 dpre = {o->dome_mm[0], o->dome_mm[1], o->dome_mm[2]}, dpost = {0, 0, 0};
    int row = 0;
    fx_error re = {0};
    if (pre[0])
        rc = render_row(pre, dpre, "pre-op", &comp, row++, side, &re);
    if (!rc && post[0] && reg) {
        dpost = plan_to_postop(m, o->dome_mm);
        rc = render_row(post, dpost, "post-op", &comp, row++, side, &re);
    }
    char cap[800];
    if (rc) { /* a CT file gone or unreadable: say so, and go on with the report */
        free(comp.rgb);
        if (rc == FX_ENOMEM)
            return fx_fail(err, rc, "%s", re.msg);
        snprintf(cap, sizeof cap, "No CT slices at the dome: %.700s.", re.msg);
        return fx_pdf_paragraph(c->d, cap, FX_PDF_LEFT, err);
    }
    slices_caption(cap, sizeof cap, rc ? 0 : rp_next_fig(c), o->dome_mm,
                   post[0] && reg ? &dpost : NULL);
    if (!rc)
        rc = fx_pdf_image_rgb(c->d, comp.rgb, comp.w, comp.h, rows == 2 ? 130 : 70, cap, err);
    free(comp.rgb);
    if (!rc && post[0] && !reg)
        rc = fx_pdf_caption(c->d, "No post-op slices: the post-op CT is not registered to the "
                                  "plan yet (fxaudit audit).", err);
    return rc;
}

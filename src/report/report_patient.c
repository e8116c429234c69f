/*
 * report_patient.c - the per-patient audit report: who (by study code; the
 * hospital ID only when a key file is given), the plan, the observers'
 * reduction values, SMFA over time, the post-operative audit, and the full
 * checksums of the inputs. Sources of every number: docs/reports.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plot.h"
#include "report_internal.h"

static int identity_block(rp_ctx *c, fx_store *s, const fx_patient *p, fx_error *err)
{
    json_t *info = NULL;
    int rc = fx_store_info(s, &info, err);
    if (rc)
        return rc;
    char hosp[128] = "";
    if (c->o->keyfile &&
        (rc = fx_store_keyfile_find(c->o->keyfile, p->code, hosp, sizeof hosp, err))) {
        json_decref(info);
        return rc;
    }
    const char *k[12], *v[12];
    size_t n = 0;
    k[n] = "Study", v[n++] = *rp_str(info, "title") ? rp_str(info, "title") : "untitled";
    k[n] = "Patient (study code)", v[n++] = p->code;
    if (c->o->keyfile)
        k[n] = "Hospital ID (key file)", v[n++] = hosp;
    k[n] = "Sex", v[n++] = p->sex;
    k[n] = "Age band (years)", v[n++] = p->age_band;
    k[n] = "Injured side", v[n++] = p->side;
    k[n] = "Fracture type (Letournel)", v[n++] = p->fracture_type;
    k[n] = "Trauma mechanism", v[n++] = p->mechanism;
    k[n] = "Approach", v[n++] = p->approach;
    k[n] = "Plates", v[n++] = p->plates;
    for (size_t i = 0; i < n; i++)
        if (!*v[i])
            v[i] = "not recorded";
    rc = rp_section(c, "1  Patient", err);
    if (!rc)
        rc = fx_pdf_keyvalues(c->d, k, v, n, err);
    if (!rc && !c->o->keyfile)
        rc = fx_pdf_paragraph(c->d, "Pseudonymised: the patient is named by study code only.",
                              FX_PDF_LEFT, err);
    json_decref(info);
    return rc;
}

/* The software's own estimates at the dome (issue 7: shown beside the
 * observers' values, never instead of them), labelled by method. */
static int estimates_table(rp_ctx *c, fx_store *s, const char *code, fx_error *err)
{
    json_t *e = rp_query(s, "SELECT d.timepoint, CASE WHEN d.method LIKE 'fxaudit domeplan%' "
                            "THEN 'plan' ELSE 'CT' END AS method, d.plane, d.gap_mm, d.step_mm, "
                            "d.gap_area_mm2 FROM dome_estimates d JOIN patients p ON p.id = "
                            "d.patient_id WHERE p.code = ?1 ORDER BY instr('preop postop "
                            "followup', d.timepoint), 2, instr('axial coronal sagittal max', "
                            "d.plane)", code, err);
    if (!e)
        return err->code;
    static const fx_pdf_column cols[] = {
        {"Time point", NULL, 1, FX_PDF_LEFT},  {"Method", NULL, 0.7, FX_PDF_LEFT},
        {"Plane", NULL, 1, FX_PDF_LEFT},       {"Gap", "mm", 0.8, FX_PDF_RIGHT},
        {"Step-off", "mm", 0.8, FX_PDF_RIGHT}, {"Cleft area", "mm2", 0.9, FX_PDF_RIGHT}};
    rp_table t = {0};
    size_t i;
    json_t *r;
    char b[40];
    int rc = FX_OK;
    json_array_foreach(e, i, r)
    {
        rp_cell(&t, rp_str(r, "timepoint"), 0);
        rp_cell(&t, rp_str(r, "method"), 0);
        rp_cell(&t, rp_str(r, "plane"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "gap_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "step_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "gap_area_mm2"), 0), 0);
    }
    if (json_array_size(e))
        rc = rp_table_put(c, &t, "Table 3a. The software's estimates at the dome, beside the "
                                 "observers' values and never instead of them (CT: from the CT "
                                 "alone; plan: from the plan and the audit's fragment poses; "
                                 "docs/reduction-estimate.md). Empty: not visible in that plane.",
                          cols, 6, err);
    rp_table_free(&t);
    json_decref(e);
    return rc;
}

static int reduction_block(rp_ctx *c, fx_store *s, const char *code, const json_t *reg,
                           fx_error *err)
{
    /* the heading stays with the slices' figure (two rows: some 140 mm) */
    int rc = c->o->have_dome ? fx_pdf_keep_together(c->d, 150, err) : FX_OK;
    if (!rc)
        rc = rp_section(c, "3  Reduction: gap and step-off", err);
    if (!rc)
        rc = fx_pdf_space(c->d, 2, err);
    if (!rc)
        rc = rp_dome_slices(c, s, code, reg, err);
    json_t *m = rp_query(s, "SELECT observer, timepoint, plane, gap_mm, step_mm FROM "
                            "measurement_view WHERE patient = ?1 AND current AND repeat_no = 1 "
                            "ORDER BY instr('preop postop followup', timepoint), plane, observer",
                         code, err);
    if (!m)
        return err->code;
    static const fx_pdf_column cols[] = {
        {"Time point", NULL, 1, FX_PDF_LEFT}, {"Plane", NULL, 1, FX_PDF_LEFT},
        {"Observer", NULL, 1, FX_PDF_LEFT},   {"Gap", "mm", 0.8, FX_PDF_RIGHT},
        {"Step-off", "mm", 0.8, FX_PDF_RIGHT}};
    rp_table t = {0};
    size_t i;
    json_t *r;
    char b[40];
    json_array_foreach(m, i, r)
    {
        rp_cell(&t, rp_str(r, "timepoint"), 0);
        rp_cell(&t, rp_str(r, "plane"), 0);
        rp_cell(&t, rp_str(r, "observer"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "gap_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "step_mm"), 1), 0);
    }
    if (!rc && json_array_size(m) == 0)
        rc = fx_pdf_paragraph(c->d, "No observer has measured this patient yet.", FX_PDF_LEFT, err);
    else if (!rc)
        rc = rp_table_put(c, &t, "Table 1. The observers' readings (current first readings).",
                          cols, 5, err);
    rp_table_free(&t);
    json_decref(m);
    json_t *cs = rp_query(s, "SELECT c.timepoint, c.plane, c.gap_mm, c.step_mm, c.method FROM "
                             "consensus c JOIN patients p ON p.id = c.patient_id WHERE p.code = ?1"
                             " ORDER BY instr('preop postop followup', c.timepoint), "
                             "instr('axial coronal sagittal max', c.plane)", code, err);
    if (!cs)
        return err->code;
    static const fx_pdf_column ccols[] = {
        {"Time point", NULL, 1, FX_PDF_LEFT}, {"Plane", NULL, 1, FX_PDF_LEFT},
        {"Gap", "mm", 0.8, FX_PDF_RIGHT},     {"Step-off", "mm", 0.8, FX_PDF_RIGHT},
        {"Method", NULL, 1.2, FX_PDF_LEFT}};
    json_array_foreach(cs, i, r)
    {
        rp_cell(&t, rp_str(r, "timepoint"), 0);
        rp_cell(&t, rp_str(r, "plane"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "gap_mm"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "step_mm"), 1), 0);
        rp_cell(&t, rp_str(r, "method"), 0);
    }
    if (!rc && json_array_size(cs) == 0)
        rc = fx_pdf_paragraph(c->d, "No consensus recorded yet.", FX_PDF_LEFT, err);
    else if (!rc)
        rc = rp_table_put(c, &t, "Table 2. Consensus (plane max: the largest over the planes, "
                                 "the patient's value).", ccols, 5, err);
    rp_table_free(&t);
    json_decref(cs);
    json_t *g = rp_query(s, "SELECT g.timepoint, g.scheme, g.grade, g.displacement_mm FROM grades "
                            "g JOIN patients p ON p.id = g.patient_id WHERE p.code = ?1 ORDER BY "
                            "instr('preop postop followup', g.timepoint), g.scheme", code, err);
    if (!g)
        return err->code;
    static const fx_pdf_column gcols[] = {
        {"Time point", NULL, 1, FX_PDF_LEFT}, {"Scheme", NULL, 1, FX_PDF_LEFT},
        {"Grade", NULL, 1.2, FX_PDF_LEFT},    {"Displacement", "mm", 1, FX_PDF_RIGHT}};
    json_array_foreach(g, i, r)
    {
        rp_cell(&t, rp_str(r, "timepoint"), 0);
        rp_cell(&t, rp_str(r, "scheme"), 0);
        rp_cell(&t, rp_str(r, "grade"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "displacement_mm"), 1), 0);
    }
    if (!rc && json_array_size(g))
        rc = rp_table_put(c, &t, "Table 3. Grades of the consensus values.", gcols, 4, err);
    rp_table_free(&t);
    json_decref(g);
    return rc ? rc : estimates_table(c, s, code, err);
}

static int smfa_block(rp_ctx *c, fx_store *s, const char *code, fx_error *err)
{
    int rc = rp_section(c, "4  SMFA over time", err);
    json_t *rows = rp_query(s, "SELECT f.occasion, f.months_after_surgery AS months, "
                               "(SELECT score FROM smfa_scores WHERE form_id = f.id AND scale = "
                               "'function') AS fn, (SELECT score FROM smfa_scores WHERE form_id = "
                               "f.id AND scale = 'bother') AS bo FROM smfa_forms f JOIN patients p "
                               "ON p.id = f.patient_id WHERE p.code = ?1 ORDER BY "
                               "f.months_after_surgery", code, err);
    if (!rows)
        return err->code;
    size_t n = json_array_size(rows);
    if (rc || n == 0) {
        json_decref(rows);
        return rc ? rc : fx_pdf_paragraph(c->d, "No SMFA forms entered yet.", FX_PDF_LEFT, err);
    }
    static const fx_pdf_column cols[] = {
        {"Occasion", NULL, 1, FX_PDF_LEFT}, {"Time after surgery", "months", 1, FX_PDF_RIGHT},
        {"Function index", "0-100", 1, FX_PDF_RIGHT}, {"Bother index", "0-100", 1, FX_PDF_RIGHT}};
    rp_table t = {0};
    double *v = calloc(3 * n, sizeof *v);
    char b[40];
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(rows, i);
        rp_cell(&t, rp_str(r, "occasion"), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "months"), 0), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "fn"), 1), 0);
        rp_cell(&t, rp_num(b, sizeof b, json_object_get(r, "bo"), 1), 0);
        v[i] = strcmp(rp_str(r, "occasion"), "pre-injury") ? rp_real(r, "months") : 0;
        v[n + i] = rp_real(r, "fn"), v[2 * n + i] = rp_real(r, "bo");
    }
    json_decref(rows);
    rc = rp_table_put(c, &t, "Table 4. SMFA indices (higher is worse).", cols, 4, err);
    fx_plot_series ser[2] = {{"function index", v, v + n, n}, {"bother index", v, v + 2 * n, n}};
    fx_plot_opts po;
    fx_plot_opts_default(&po);
    po.xlabel = "months after surgery (pre-injury recall at 0)";
    po.ylabel = "SMFA index (0-100, higher is worse)";
    char png[4400];
    rp_png(c, png, sizeof png);
    fx_error pe = {0};
    int prc = fx_plot_lines(&po, ser, 2, png, &pe);
    char cap[120];
    snprintf(cap, sizeof cap, "Figure %d. SMFA function and bother index over time.",
             rp_next_fig(c));
    if (!rc)
        rc = rp_figure(c, prc, &pe, png, 70, cap, err);
    free(v);
    return rc;
}

/* The actual screws of the deviation rows, mapped into plan coordinates by
 * each row's registration (x_plan = R x_post + t; none: already there). */
static int actual_screws(const json_t *dev, rp_actual_screw **out, size_t *n, fx_error *err)
{
    *n = 0;
    *out = calloc(json_array_size(dev) + 1, sizeof **out);
    if (!*out)
        return fx_fail(err, FX_ENOMEM, "out of memory reading the actual screws");
    size_t i;
    json_t *r;
    json_array_foreach(dev, i, r)
    {
        if (json_is_null(json_object_get(r, "actual_screw_id")))
            continue;
        double m[16], e[3] = {rp_real(r, "ex"), rp_real(r, "ey"), rp_real(r, "ez")},
                      t[3] = {rp_real(r, "tx"), rp_real(r, "ty"), rp_real(r, "tz")};
        int rc = rp_matrix_parse(json_string_value(json_object_get(r, "matrix")), m, err);
        if (rc)
            return rc;
        rp_actual_screw *a = &(*out)[(*n)++];
        for (int k = 0; k < 3; k++) {
            a->entry[k] = m[4 * k] * e[0] + m[4 * k + 1] * e[1] + m[4 * k + 2] * e[2] + m[4 * k + 3];
            a->tip[k] = m[4 * k] * t[0] + m[4 * k + 1] * t[1] + m[4 * k + 2] * t[2] + m[4 * k + 3];
        }
        a->diameter_mm = rp_real(r, "diameter_mm");
    }
    return FX_OK;
}

/* The plates that registration `reg` found post-op, with their poses; the
 * labels point into *rows (release it after use). */
static int plate_poses(fx_store *s, const json_t *reg, json_t **rows, rp_plate_pose **out,
                       size_t *n, fx_error *err)
{
    *n = 0, *out = NULL, *rows = NULL;
    if (!reg)
        return FX_OK;
    fx_store_field f = fx_sf_int("r", json_integer_value(json_object_get(reg, "id")));
    int rc = fx_store_query(s, "SELECT p.label, d.pose FROM plate_deviations d JOIN plan_plates p "
                               "ON p.id = d.plan_plate_id WHERE d.registration_id = ?1 AND "
                               "d.found = 1 ORDER BY p.id", &f, 1, rows, err);
    if (!rc && !(*out = calloc(json_array_size(*rows) + 1, sizeof **out)))
        rc = fx_fail(err, FX_ENOMEM, "out of memory reading the plates' poses");
    for (size_t i = 0; !rc && i < json_array_size(*rows); i++) {
        const json_t *r = json_array_get(*rows, i);
        (*out)[i].label = rp_str(r, "label");
        rc = rp_matrix_parse(rp_str(r, "pose"), (*out)[i].pose, err);
        *n += !rc;
    }
    return rc;
}

/* The plan's views with the post-op result beside it: actual screws and the
 * plates as found. */
static int result_views(rp_ctx *c, fx_store *s, const fx_patient *p, const json_t *reg,
                        const json_t *dev, fx_error *err)
{
    char dir[4400];
    json_t *plan = NULL, *rows = NULL;
    if (rp_plan_load(s, p->code, dir, sizeof dir, &plan))
        return FX_OK; /* the plan section has said so */
    rp_result res = {0};
    rp_actual_screw *act = NULL;
    rp_plate_pose *pl = NULL;
    int rc = actual_screws(dev, &act, &res.n_screws, err);
    if (!rc)
        rc = plate_poses(s, reg, &rows, &pl, &res.n_plates, err);
    res.screws = act, res.plates = pl;
    if (!rc && (res.n_screws || res.n_plates))
        rc = rp_views(c, dir, plan, *p->side ? p->side : rp_str(plan, "side"), &res, err);
    free(act), free(pl);
    json_decref(rows);
    json_decref(plan);
    return rc;
}

/* The registration's summary and its residual histogram. */
static int registration_block(rp_ctx *c, fx_store *s, const json_t *r, fx_error *err)
{
    char b[3][40];
    const char *k[] = {"Registration RMS (mm)", "Inlier fraction", "Reference region",
                       "Iterations", "Converged"};
    const char *v[] = {rp_num(b[0], 40, json_object_get(r, "rms_mm"), 2),
                       rp_num(b[1], 40, json_object_get(r, "inlier_fraction"), 3),
                       rp_str(r, "region"), rp_num(b[2], 40, json_object_get(r, "iterations"), 0),
                       json_integer_value(json_object_get(r, "converged")) ? "yes" : "no"};
    int rc = fx_pdf_keyvalues(c->d, k, v, 5, err);
    return rc ? rc : rp_residuals(c, s, r, err);
}

/* The post-op CT's voxels under Table 5, from the first screw found: the
 * screw accuracy was measured on scans of 1 mm slices or finer, and a reader
 * must know when the scan was coarser (docs/audit.md). */
static int scan_note(rp_ctx *c, const json_t *dev, fx_error *err)
{
    size_t i;
    json_t *r;
    json_array_foreach(dev, i, r)
    {
        double x = rp_real(r, "sx"), y = rp_real(r, "sy"), z = rp_real(r, "sz");
        if (!(x > 0 && y > 0 && z > 0))
            continue;
        char note[300];
        int coarse = x > 1.0 || y > 1.0 || z > 1.0;
        snprintf(note, sizeof note, "Post-operative CT voxels %.2f × %.2f × %.2f mm%s", x, y, z,
                 coarse ? ": coarser than the 1 mm slices the screw accuracy was measured on; "
                          "the figures above are less certain (fxaudit's docs/audit.md)."
                        : ".");
        return fx_pdf_caption(c->d, note, err);
    }
    return FX_OK;
}

/* Table 5: per planned screw its deviations, flagged beyond tolerance. */
static int screws_block(rp_ctx *c, const json_t *dev, fx_error *err)
{
    static const fx_pdf_column cols[] = {
        {"Screw", NULL, 0.8, FX_PDF_LEFT},     {"Planned length", "mm", 1, FX_PDF_RIGHT},
        {"Direction", "°", 0.9, FX_PDF_RIGHT}, {"Entry", "mm", 0.8, FX_PDF_RIGHT},
        {"Tip", "mm", 0.8, FX_PDF_RIGHT},      {"Length diff.", "mm", 1, FX_PDF_RIGHT},
        {"Joint", NULL, 0.7, FX_PDF_LEFT}};
    rp_table t = {0};
    size_t i;
    json_t *r;
    char b[40];
    const fx_report_opts *o = c->o;
    json_array_foreach(dev, i, r)
    {
        int placed = !json_is_null(json_object_get(r, "actual_screw_id"));
        rp_cell(&t, rp_str(r, "label"), 0);
        rp_cell(&t, rp_num(b, 40, json_object_get(r, "planned_mm"), 0), 0);
        rp_cell(&t, rp_num(b, 40, json_object_get(r, "angle_deg"), 1),
                rp_real(r, "angle_deg") > o->tol_angle_deg);
        rp_cell(&t, rp_num(b, 40, json_object_get(r, "entry_mm"), 1),
                rp_real(r, "entry_mm") > o->tol_entry_mm);
        rp_cell(&t, rp_num(b, 40, json_object_get(r, "tip_mm"), 1),
                rp_real(r, "tip_mm") > o->tol_tip_mm);
        rp_cell(&t, placed ? rp_num(b, 40, json_object_get(r, "length_diff_mm"), 1) : "not placed",
                !placed || fabs(rp_real(r, "length_diff_mm")) > o->tol_length_mm);
        int jp = (int)json_integer_value(json_object_get(r, "joint_penetration"));
        rp_cell(&t, jp ? "entered" : "clear", jp);
    }
    int rc = rp_table_put(c, &t, "Table 5. Planned against actual screws.", cols, 7, err);
    char note[300];
    snprintf(note, sizeof note,
             "* beyond tolerance (direction %.1f°, entry %.1f mm, tip %.1f mm, length "
             "%.1f mm), a screw not placed, or one entering the joint.",
             o->tol_angle_deg, o->tol_entry_mm, o->tol_tip_mm, o->tol_length_mm);
    if (!rc)
        rc = fx_pdf_caption(c->d, note, err);
    return rc ? rc : scan_note(c, dev, err);
}

/* `reg`: the newest registration row, or NULL. */
static int audit_block(rp_ctx *c, fx_store *s, const fx_patient *p, const json_t *reg,
                       fx_error *err)
{
    int rc = rp_section(c, "5  Post-operative audit: planned against actual", err);
    json_t *dev = rp_query(s, "SELECT ps.label, ps.length_mm AS planned_mm, d.angle_deg, d.entry_mm,"
                              " sr.spacing_x_mm AS sx, sr.spacing_y_mm AS sy, sr.spacing_z_mm AS sz,"
                              " d.tip_mm, d.length_diff_mm, d.joint_penetration, d.actual_screw_id, "
                              "a.entry_x_mm AS ex, a.entry_y_mm AS ey, a.entry_z_mm AS ez, "
                              "a.tip_x_mm AS tx, a.tip_y_mm AS ty, a.tip_z_mm AS tz, "
                              "a.diameter_mm, r.matrix FROM screw_deviations d JOIN plan_screws ps "
                              "ON ps.id = d.plan_screw_id JOIN plans pl ON pl.id = ps.plan_id JOIN "
                              "patients p ON p.id = pl.patient_id LEFT JOIN actual_screws a ON "
                              "a.id = d.actual_screw_id LEFT JOIN series sr ON sr.id = "
                              "a.series_id LEFT JOIN registrations r ON r.id = "
                              "d.registration_id WHERE p.code = ?1 AND d.id IN (SELECT max(id) FROM "
                              "screw_deviations GROUP BY plan_screw_id) ORDER BY length(ps.label), "
                              "ps.label", p->code, err);
    if (!dev)
        return err->code;
    size_t nd = json_array_size(dev);
    if (!rc && !reg && nd == 0)
        rc = fx_pdf_paragraph(c->d, "The post-operative audit has not been run for this patient: "
                                    "the store holds no registration and no screw deviations.",
                              FX_PDF_LEFT, err);
    if (!rc && reg)
        rc = registration_block(c, s, reg, err);
    if (!rc && nd)
        rc = screws_block(c, dev, err);
    if (!rc && reg)
        rc = rp_pose_deviations(c, s, reg, err);
    if (!rc && (nd || reg))
        rc = result_views(c, s, p, reg, dev, err);
    json_decref(dev);
    return rc;
}

static int trail_block(rp_ctx *c, fx_store *s, json_t *series, fx_error *err)
{
    char db[FX_SHA256_HEX];
    int rc = rp_db_sha256(s, db, err);
    size_t n = json_array_size(series);
    const char **k = calloc(n + 2, sizeof *k), **v = calloc(n + 2, sizeof *v);
    char (*lab)[300] = calloc(n + 1, sizeof *lab);
    k[0] = "Software", v[0] = c->o->software;
    k[1] = "Database study.db (SHA-256)", v[1] = db;
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(series, i);
        snprintf(lab[i], sizeof lab[i], "%s\n%s (SHA-256)", rp_str(r, "path"),
                 rp_str(r, "sha256"));
        k[i + 2] = strcmp(rp_str(r, "timepoint"), "preop") ? "Post-op CT" : "Pre-op CT";
        v[i + 2] = lab[i];
    }
    if (!rc)
        rc = rp_section(c, "6  Audit trail", err);
    if (!rc)
        rc = fx_pdf_keyvalues(c->d, k, v, n + 2, err);
    free(k), free(v), free(lab);
    static const char *const sk[] = {"Reviewed by (name, role)", "Signature", "Date"};
    static const char *const sv[] = {"______________________________",
                                     "______________________________", "______________"};
    if (!rc)
        rc = rp_section(c, "7  Review", err);
    if (!rc)
        rc = fx_pdf_paragraph(c->d, "I have reviewed this report against the images and the "
                                    "plan.", FX_PDF_LEFT, err);
    if (!rc)
        rc = fx_pdf_keyvalues(c->d, sk, sv, 3, err);
    return rc;
}

int fx_report_patient(fx_store *s, const char *code, fx_report_opts *o, const char *pdf,
                      fx_error *err)
{
    fx_patient p;
    int rc = fx_store_patient_get(s, code, &p, err);
    if (rc)
        return rc;
    json_t *series = rp_query(s, "SELECT s.timepoint, s.kind, s.path, s.sha256 FROM series s "
                                 "JOIN patients p ON p.id = s.patient_id WHERE p.code = ?1 "
                                 "ORDER BY s.id", code, err);
    if (!series)
        return err->code;
    size_t n = json_array_size(series);
    fx_pdf_input *in = calloc(n ? n : 1, sizeof *in);
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(series, i);
        in[i].name = strcmp(rp_str(r, "timepoint"), "preop") ? "post-op CT" : "pre-op CT";
        snprintf(in[i].sha256, sizeof in[i].sha256, "%s", rp_str(r, "sha256"));
    }
    rp_ctx c;
    char title[80];
    snprintf(title, sizeof title, "Audit report: patient %s", code);
    rc = rp_begin(&c, s, o, title, in, n, err);
    free(in);
    if (!rc)
        rc = fx_pdf_title(c.d, title, "Planned against achieved fixation of an acetabular "
                                      "fracture. Lengths in mm, angles in degrees.", err);
    if (!rc)
        rc = identity_block(&c, s, &p, err);
    if (!rc)
        rc = rp_plan_section(&c, s, code, p.side, err);
    json_t *reg = rp_query(s, "SELECT r.id, r.matrix, r.rms_mm, r.inlier_fraction, r.region, "
                              "r.iterations, r.converged FROM registrations r JOIN patients p ON "
                              "p.id = r.patient_id WHERE p.code = ?1 ORDER BY r.id DESC LIMIT 1",
                           code, err);
    if (!reg && !rc)
        rc = err->code;
    if (!rc)
        rc = reduction_block(&c, s, code, json_array_get(reg, 0), err);
    if (!rc)
        rc = smfa_block(&c, s, code, err);
    if (!rc)
        rc = audit_block(&c, s, &p, json_array_get(reg, 0), err);
    json_decref(reg);
    if (!rc)
        rc = trail_block(&c, s, series, err);
    json_decref(series);
    if (rc) {
        rp_free(&c);
        return rc;
    }
    return rp_end(&c, pdf, err);
}

/*
 * pipeline.c - a plan from a pre-op CT, step by step: parts, symmetry,
 * roles, template, reduction, screws, plates; models and plan.json written.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fxaudit/hash.h"
#include "fxaudit/joint.h"
#include "fxaudit/meshio.h"
#include "fxaudit/plate.h"
#include "fxaudit/planbuild.h"
#include "fxaudit/reduce.h"
#include "fxaudit/screwio.h"
#include "fxaudit/symmetry.h"

static const uint8_t PALETTE[][3] = {{230, 220, 200}, {220, 80, 60},  {60, 140, 220},
                                     {80, 190, 90},   {230, 170, 40}, {160, 90, 200},
                                     {200, 200, 200}};

void fx_plan_build_opts_default(fx_plan_build_opts *o)
{
    memset(o, 0, sizeof(*o));
    fx_parts_opts_default(&o->parts);
    o->parts.split = 1; /* touching parts divided where a neck allows */
    fx_screw_check_opts_default(&o->screws);
    fx_joint_opts_default(&o->joint);
}

struct build {
    const fx_plan_build_opts *o;
    fx_plan *plan;
    fx_bone_parts *bp;
    fx_part_role *roles;
    fx_plane plane;
    int fractured_left;
    fx_mesh *tmpl, *reduced, *joint;
    double voxel_mm; /* the CT's largest spacing */
    fx_error *err;
};

/* Write `m` as `name` in the output folder; its path and SHA-256 go to the
 * plan entry's fields. */
static int save_mesh(struct build *b, const fx_mesh *m, const char *name, char *rel, size_t nrel,
                     char sha[FX_SHA256_HEX])
{
    char path[FX_PLAN_PATH + 64];
    int rc;
    snprintf(rel, nrel, "%s", name);
    if (snprintf(path, sizeof(path), "%s/%s", b->o->out_dir, name) >= (int)sizeof(path))
        return fx_fail(b->err, FX_EINVAL, "output path for '%s' is too long", name);
    if ((rc = fx_mesh_write(path, m, NULL, b->err)))
        return rc;
    return sha ? fx_sha256_file(path, sha, b->err) : FX_OK;
}

static int add_fragment(struct build *b, size_t k, const fx_rigid *pose, double rms, double mx)
{
    fx_plan_fragment f;
    const fx_bone_part *p = &b->bp->parts[k];
    char name[40];
    int rc;

    memset(&f, 0, sizeof(f));
    if (b->roles[k] == FX_ROLE_FRAGMENT)
        snprintf(f.name, sizeof(f.name), "fragment-%zu", k);
    else
        snprintf(f.name, sizeof(f.name), "%s-%zu", fx_part_role_name(b->roles[k]), k);
    f.label = (int)p->label;
    memcpy(f.rgb, PALETTE[k < 6 ? k : 6], 3);
    f.pose = *pose;
    f.fixed = b->roles[k] != FX_ROLE_FRAGMENT;
    f.residual_rms_mm = rms;
    f.residual_max_mm = mx;
    snprintf(name, sizeof(name), "part-%zu.ply", k);
    if ((rc = save_mesh(b, p->mesh, name, f.mesh, sizeof(f.mesh), f.mesh_sha256)))
        return rc;
    return fx_plan_add_fragment(b->plan, &f, b->err);
}

/* The parts that take part in the reduced model's overlap checks: the
 * reference and the fragments (femurs are not reduced). */
static int in_model(const struct build *b, size_t k)
{
    return b->roles[k] == FX_ROLE_REFERENCE || b->roles[k] == FX_ROLE_FRAGMENT;
}

static int boxes_meet(const fx_posed *a, const fx_posed *b)
{
    return a->lo.x <= b->hi.x && b->lo.x <= a->hi.x && a->lo.y <= b->hi.y &&
           b->lo.y <= a->hi.y && a->lo.z <= b->hi.z && b->lo.z <= a->hi.z;
}

/* Overlap of every pair of model parts that meet, with a fragment among
 * them: into ov[] (pairs a < b in index order) when `before`, else into the
 * plan's list beside the figures measured before. */
static int measure_overlaps(struct build *b, const fx_posed *pp, fx_plan_overlap *ov,
                            int before)
{
    size_t n = b->bp->n, m = 0;
    double step = fmin(0.5, b->voxel_mm / 2);
    int rc = FX_OK;
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = i + 1; !rc && j < n; j++) {
            fx_overlap o = {0, 0, 0};
            fx_plan_overlap *e = &ov[m++];
            if (!in_model(b, i) || !in_model(b, j) ||
                (b->roles[i] != FX_ROLE_FRAGMENT && b->roles[j] != FX_ROLE_FRAGMENT))
                continue;
            if (boxes_meet(&pp[i], &pp[j]) &&
                (rc = fx_overlap_measure(&pp[i], &pp[j], step, &o, b->err)))
                break;
            if (before) {
                e->depth_before_mm = o.depth_mm, e->volume_before_mm3 = o.volume_mm3;
                continue;
            }
            e->depth_mm = o.depth_mm, e->volume_mm3 = o.volume_mm3;
            snprintf(e->a, sizeof(e->a), "%s", b->plan->frags[i].name);
            snprintf(e->b, sizeof(e->b), "%s", b->plan->frags[j].name);
            if (e->depth_before_mm > 0 || e->volume_before_mm3 > 0 ||
                boxes_meet(&pp[i], &pp[j]))
                rc = fx_plan_add_overlap(b->plan, e, b->err);
        }
    return rc;
}

/* Each fragment onto the template, largest first; its residual figures in
 * fit[k]. */
static int reduce_each(struct build *b, fx_rigid *pose, fx_reduce_result *fit)
{
    fx_reduce_opts ro;
    int rc = FX_OK;

    fx_reduce_opts_default(&ro);
    for (size_t k = 0; !rc && k < b->bp->n; k++) {
        fx_reduce_result r;
        pose[k] = fx_rigid_identity();
        if (b->roles[k] != FX_ROLE_FRAGMENT)
            continue;
        fx_progress_report(&b->o->progress, "reducing fragments", (double)k / (double)b->bp->n);
        if (!(rc = fx_reduce_fragment(b->bp->parts[k].mesh, b->tmpl, NULL, &ro, &r, b->err)))
            pose[k] = r.pose, fit[k] = r;
    }
    return rc;
}

/* The fragments, with residuals at their final poses, into the plan; the
 * reduced model collected. */
static int add_reduced(struct build *b, const fx_posed *pp, const fx_bvh *tb)
{
    int rc = FX_OK;
    for (size_t k = 0; !rc && k < b->bp->n; k++) {
        fx_reduce_result r = {.rms_mm = NAN, .max_mm = NAN};
        fx_mesh *moved;
        if (b->roles[k] != FX_ROLE_FRAGMENT) {
            rc = add_fragment(b, k, &pp[k].pose, NAN, NAN);
            continue;
        }
        if ((rc = fx_reduce_residuals(b->bp->parts[k].mesh, tb, &pp[k].pose, 2, &r)) ||
            (rc = add_fragment(b, k, &pp[k].pose, r.rms_mm, r.max_mm)) ||
            (rc = fx_mesh_clone(b->bp->parts[k].mesh, &moved, b->err)))
            break;
        fx_mesh_transform(moved, &pp[k].pose);
        rc = fx_mesh_append(b->reduced, moved, b->err);
        fx_mesh_free(moved);
    }
    return rc;
}

/* A fragment the joint refinement pulled off the template (its on-template
 * RMS up by a fifth and 0.1 mm, or a tenth of its surface off) overlaps in
 * its model, not in its pose (e.g. a part labelled into a neighbour): it
 * keeps its own registration. */
static int keep_fit(struct build *b, fx_posed *pp, const fx_reduce_result *fit,
                    const fx_bvh *tb)
{
    int rc = FX_OK;
    for (size_t k = 0; !rc && k < b->bp->n; k++) {
        fx_reduce_result r;
        if (b->roles[k] != FX_ROLE_FRAGMENT ||
            (rc = fx_reduce_residuals(pp[k].mesh, tb, &pp[k].pose, 2, &r)))
            continue;
        if (r.rms_mm > 1.2 * fit[k].rms_mm + 0.1 ||
            r.surface_fraction < fit[k].surface_fraction - 0.1)
            fx_posed_update(&pp[k], &fit[k].pose);
    }
    return rc;
}

/* The joint refinement over the model's parts (reference and fragments). */
static int joint_refine(struct build *b, fx_posed *pp, const int *movable,
                        const fx_reduce_result *fit)
{
    size_t n = b->bp->n, m = 0, *idx = calloc(n, sizeof(*idx));
    fx_posed *sub = calloc(n, sizeof(*sub));
    int *mv = calloc(n, sizeof(*mv)), rc = FX_OK;
    fx_bvh *tb = NULL;
    fx_joint_report rep;
    fx_joint_opts jo = b->o->joint;

    /* Each face of a fracture line in a voxel model may lie up to a voxel
     * outside the true line (partial volume at the cortical rim): two facing
     * faces, two voxels. On 2 mm phantoms the true poses overlap by up to
     * 1.85 voxels (docs/planning.md). */
    jo.tolerance_mm = fmax(jo.tolerance_mm, 2 * b->voxel_mm);

    if (!idx || !sub || !mv)
        rc = fx_fail(b->err, FX_ENOMEM, "cannot allocate the joint refinement");
    for (size_t k = 0; !rc && k < n; k++)
        if (in_model(b, k))
            idx[m] = k, sub[m] = pp[k], mv[m++] = movable[k];
    if (!rc && !(rc = fx_bvh_build(b->tmpl, &tb, b->err)) &&
        !(rc = fx_joint_refine(sub, mv, m, b->tmpl, tb, &jo, &rep, b->err)))
        for (size_t i = 0; i < m; i++)
            pp[idx[i]] = sub[i];
    if (!rc)
        rc = keep_fit(b, pp, fit, tb);
    fx_bvh_free(tb);
    free(idx), free(sub), free(mv);
    return rc;
}

/* Reduce the fragments one by one, then jointly so that they do not
 * overlap; overlaps measured before and after. */
static int reduce_all(struct build *b)
{
    size_t n = b->bp->n;
    fx_rigid *pose = calloc(n, sizeof(*pose));
    fx_posed *pp = calloc(n, sizeof(*pp));
    fx_bvh **bv = calloc(n, sizeof(*bv)), *tb = NULL;
    int *movable = calloc(n, sizeof(*movable));
    fx_plan_overlap *ov = calloc(n * n + 1, sizeof(*ov));
    fx_reduce_result *fit = calloc(n, sizeof(*fit));
    int rc = FX_OK;

    if (!pose || !pp || !bv || !movable || !ov || !fit)
        rc = fx_fail(b->err, FX_ENOMEM, "cannot allocate the reduction");
    if (!rc && !(rc = fx_mesh_clone(b->bp->parts[0].mesh, &b->reduced, b->err)) &&
        !(rc = fx_bvh_build(b->tmpl, &tb, b->err)))
        rc = reduce_each(b, pose, fit);
    for (size_t k = 0; !rc && k < n; k++) {
        pp[k].mesh = b->bp->parts[k].mesh;
        movable[k] = b->roles[k] == FX_ROLE_FRAGMENT;
        if (in_model(b, k) && !(rc = fx_bvh_build(pp[k].mesh, &bv[k], b->err)))
            pp[k].bvh = bv[k];
        fx_posed_update(&pp[k], &pose[k]);
    }
    if (!rc)
        rc = measure_overlaps(b, pp, ov, 1);
    if (!rc && !b->o->no_joint) {
        fx_progress_report(&b->o->progress, "joint refinement", 0.9);
        rc = joint_refine(b, pp, movable, fit);
    }
    if (!rc && !(rc = add_reduced(b, pp, tb)))
        rc = measure_overlaps(b, pp, ov, 0);
    for (size_t k = 0; bv && k < n; k++)
        fx_bvh_free(bv[k]);
    fx_bvh_free(tb);
    free(pose), free(pp), free(bv), free(movable), free(ov), free(fit);
    return rc;
}

static int check_screws(struct build *b)
{
    fx_bvh *bone = NULL, *joint = NULL;
    fx_screw_check_opts so = b->o->screws;
    uint32_t *solid = NULL;
    int rc;

    /* A reduced model made from voxels cannot close a cleft narrower than
     * about two of them: bridge at least that much. */
    so.bridge_mm = fmax(so.bridge_mm, 2 * b->voxel_mm);
    if (!b->o->screws_path)
        return FX_OK;
    if ((rc = fx_screws_read(b->o->screws_path, 3.5, b->plan, b->err)) ||
        (rc = fx_bvh_build(b->reduced, &bone, b->err)) ||
        (rc = fx_screw_solids(b->reduced, &solid, b->err)) ||
        (b->joint && (rc = fx_bvh_build(b->joint, &joint, b->err))))
        goto out;
    /* the fragments' separate surfaces: clefts between them are bridged */
    for (size_t i = 0; !rc && i < b->plan->nscrews; i++)
        rc = fx_screw_check_solids(&b->plan->screws[i], bone, solid, joint, &so, b->err);
out:
    free(solid);
    fx_bvh_free(bone);
    fx_bvh_free(joint);
    return rc;
}

/* Plate specifications: {"plates": [{"name", "width_mm", "thickness_mm",
 * "offset_mm", "path": [[x, y, z], ...]}]} in plan coordinates. */
static int read_plate(json_t *o, size_t i, const char *file, fx_plan_plate *pl, fx_error *err)
{
    json_t *path = json_object_get(o, "path");
    const char *name = json_string_value(json_object_get(o, "name"));
    memset(pl, 0, sizeof(*pl));
    if (!name || !json_is_array(path) || json_array_size(path) < 2)
        return fx_fail(err, FX_EFORMAT, "'%s': plate %zu needs a name and a path of at least "
                       "2 points", file, i);
    snprintf(pl->name, sizeof(pl->name), "%s", name);
    pl->width_mm = json_number_value(json_object_get(o, "width_mm"));
    pl->thickness_mm = json_number_value(json_object_get(o, "thickness_mm"));
    pl->offset_mm = json_number_value(json_object_get(o, "offset_mm"));
    pl->npath = json_array_size(path);
    pl->path = calloc(pl->npath, sizeof(*pl->path));
    if (!pl->path)
        return fx_fail(err, FX_ENOMEM, "cannot read plate '%s'", name);
    for (size_t k = 0; k < pl->npath; k++) {
        json_t *p = json_array_get(path, k);
        pl->path[k] = fx_v3(json_number_value(json_array_get(p, 0)),
                            json_number_value(json_array_get(p, 1)),
                            json_number_value(json_array_get(p, 2)));
        if (json_array_size(p) != 3 || !isfinite(pl->path[k].x) || !isfinite(pl->path[k].y) ||
            !isfinite(pl->path[k].z)) {
            free(pl->path);
            return fx_fail(err, FX_EFORMAT, "'%s': plate '%s' point %zu is not 3 numbers (mm)",
                           file, name, k);
        }
    }
    return FX_OK;
}

static int build_plates(struct build *b)
{
    json_error_t je;
    json_t *root, *o;
    fx_bvh *bone = NULL;
    size_t i;
    int rc;

    if (!b->o->plates_path)
        return FX_OK;
    if (!(root = json_load_file(b->o->plates_path, 0, &je)))
        return fx_fail(b->err, FX_EFORMAT, "cannot read plates from '%s': %s",
                       b->o->plates_path, je.text);
    rc = fx_bvh_build(b->reduced, &bone, b->err);
    json_array_foreach(json_object_get(root, "plates"), i, o) {
        fx_plan_plate pl;
        fx_mesh *m = NULL;
        char name[FX_PLAN_NAME + 16];
        if (rc || (rc = read_plate(o, i, b->o->plates_path, &pl, b->err)))
            break;
        snprintf(name, sizeof(name), "plate-%s.stl", pl.name);
        for (char *c = name; *c; c++) /* a file name without spaces or slashes */
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
                *c = '-';
        if (!(rc = fx_plate_build(&pl, b->plan, b->reduced, bone, NULL, &m, NULL, b->err)) &&
            !(rc = save_mesh(b, m, name, pl.mesh, sizeof(pl.mesh), pl.mesh_sha256)))
            rc = fx_plan_add_plate(b->plan, &pl, b->err);
        fx_mesh_free(m);
        free(pl.path);
    }
    fx_bvh_free(bone);
    json_decref(root);
    return rc;
}

/* Roles the user gave with the seeds; the fractured side is the side of the
 * fragments unless given. */
static int given_roles(struct build *b)
{
    double left = 0, right = 0;
    if (b->bp->parts[0].label != 1 || b->o->nroles < 2 || b->o->roles[1] != FX_ROLE_REFERENCE)
        return fx_fail(b->err, FX_EINVAL, "label 1 (the first seed) must be the reference part");
    for (size_t k = 0; k < b->bp->n; k++) {
        unsigned lab = b->bp->parts[k].label;
        if (lab >= b->o->nroles)
            return fx_fail(b->err, FX_EINVAL, "label %u has no role", lab);
        b->roles[k] = b->o->roles[lab];
        if (b->roles[k] == FX_ROLE_FRAGMENT) {
            if (fx_plane_distance(b->plane, b->bp->parts[k].centroid) > 0)
                left += b->bp->parts[k].volume_mm3;
            else
                right += b->bp->parts[k].volume_mm3;
        }
    }
    b->fractured_left = b->o->side ? !strcmp(b->o->side, "left") : left > right;
    return FX_OK;
}

static int models(struct build *b)
{
    fx_symmetry_result sym;
    size_t intact = 0;
    int rc;

    fx_progress_report(&b->o->progress, "symmetry plane", 0);
    if ((rc = fx_symmetry_plane(b->bp->parts[0].mesh, NULL, &sym, b->err)))
        return fx_error_prefix(b->err, "symmetry plane of the reference part");
    b->plane = sym.plane;
    b->roles = calloc(b->bp->n, sizeof(*b->roles));
    if (!b->roles)
        return fx_fail(b->err, FX_ENOMEM, "cannot allocate part roles");
    if (b->o->roles && (b->o->parts.nseeds || b->o->parts.labels))
        rc = given_roles(b);
    else
        rc = fx_plan_assign_roles(b->bp, b->plane, b->o->side, b->roles, &b->fractured_left,
                                  b->err);
    if (rc || (rc = fx_plan_template(b->bp->parts[0].mesh, b->plane, b->fractured_left, &b->tmpl,
                                     b->err)))
        return rc;
    for (size_t k = 0; k < b->bp->n; k++)
        if (b->roles[k] == FX_ROLE_FEMUR_INTACT)
            intact = k;
    if (intact && (rc = fx_mesh_mirror(b->bp->parts[intact].mesh, b->plane, &b->joint, b->err)))
        return rc;
    return FX_OK;
}

static int finish(struct build *b)
{
    char rel[FX_PLAN_PATH], sha[FX_SHA256_HEX], path[FX_PLAN_PATH + 64];
    fx_plan *p = b->plan;
    int rc;

    p->has_plane = 1;
    p->plane_normal = b->plane.n;
    p->plane_d_mm = b->plane.d_mm;
    snprintf(p->side, sizeof(p->side), "%s", b->fractured_left ? "left" : "right");
    if ((rc = save_mesh(b, b->tmpl, "template.ply", rel, sizeof(rel), sha)) ||
        (rc = fx_plan_add_input(p, "output:template", rel, sha, b->err)) ||
        (rc = save_mesh(b, b->reduced, "reduced.ply", rel, sizeof(rel), sha)) ||
        (rc = fx_plan_add_input(p, "output:reduced", rel, sha, b->err)))
        return rc;
    if (b->joint && ((rc = save_mesh(b, b->joint, "joint.ply", rel, sizeof(rel), sha)) ||
                     (rc = fx_plan_add_input(p, "output:joint", rel, sha, b->err))))
        return rc;
    snprintf(path, sizeof(path), "%s/plan.json", b->o->out_dir);
    return fx_plan_write(p, path, b->err);
}

static void stamp(fx_plan *p, const char *patient)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(p->created_utc, sizeof(p->created_utc), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(p->patient, sizeof(p->patient), "%s", patient ? patient : "");
}

int fx_plan_build(const fx_volume *preop, const fx_plan_build_opts *o, fx_plan **out,
                  fx_error *err)
{
    struct build b = {.o = o, .err = err};
    int rc;

    b.voxel_mm = fmax(preop->spacing[0], fmax(preop->spacing[1], preop->spacing[2]));
    *out = NULL;
    if (!o->out_dir)
        return fx_fail(err, FX_EINVAL, "plan: no output folder");
    if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST)
        return fx_fail(err, FX_EIO, "cannot create '%s': %s", o->out_dir, strerror(errno));
    if ((rc = fx_plan_new(&b.plan, err)))
        return rc;
    stamp(b.plan, o->patient);
    if (!(rc = fx_bone_parts_extract(preop, &o->parts, &o->progress, &b.bp, err)) &&
        !(rc = models(&b)) && !(rc = reduce_all(&b)) && !(rc = check_screws(&b)) &&
        !(rc = build_plates(&b)))
        rc = finish(&b);
    fx_bone_parts_free(b.bp);
    free(b.roles);
    fx_mesh_free(b.tmpl);
    fx_mesh_free(b.reduced);
    fx_mesh_free(b.joint);
    if (rc)
        fx_plan_free(b.plan);
    else
        *out = b.plan;
    return rc;
}

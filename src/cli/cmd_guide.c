/*
 * cmd_guide.c - `fxaudit guide`: build the drilling guide of one plate of a
 * plan on the reduced bone, write it as a mesh file and record it (path and
 * SHA-256) in the plan.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/bvh.h"
#include "fxaudit/guide.h"
#include "fxaudit/hash.h"
#include "fxaudit/meshio.h"
#include "fxaudit/plan.h"
#include "fxaudit/plate.h"

static const char *help =
    "usage: fxaudit guide --plan PLAN.json --plate NAME --bone BONE.ply -o GUIDE.stl\n"
    "                     [--thickness MM] [--margin MM] [--extension MM]\n"
    "                     [--sleeve-outer MM] [--sleeve-inner MM] [--sleeve-length MM]\n"
    "                     [--kwire MM] [--kwire-inset MM] [--name NAME]\n"
    "                     [--plate-mesh PLATE.stl] [--ascii] [--json]\n\n"
    "Build the drilling guide of a plate of the plan on the reduced bone model: a body\n"
    "over the plate (default 3 mm thick, overhanging its sides by 2 mm), extensions\n"
    "resting on the bone 10 mm beyond its ends with a 2 mm k-wire hole each 5 mm\n"
    "beyond the plate, and a sleeve along each screw through the plate (outer 7 mm,\n"
    "bore 4.5 mm, 10 mm above the body). All lengths in mm. The plate is rebuilt\n"
    "from the plan with the default plate grid. Writes the mesh (STL, PLY, OFF or\n"
    "OBJ by extension) and records in the plan the guide, with the mesh's SHA-256\n"
    "(replacing a guide of the same name; default name PLATE-guide), and among its\n"
    "inputs the bone model with its SHA-256 (role guide-bone). --plate-mesh\n"    "also writes the plate as rebuilt, to show the two together.\n";

struct guide_args {
    const char *plan, *plate, *bone, *out, *name, *plate_out;
    int json, ascii;
    fx_guide_opts o;
};

/* Options in millimetres, each setting one field of fx_guide_opts. */
static const struct {
    const char *name;
    size_t off;
} mm_opts[] = {
    {"thickness", offsetof(fx_guide_opts, thickness_mm)},
    {"margin", offsetof(fx_guide_opts, margin_mm)},
    {"extension", offsetof(fx_guide_opts, extension_mm)},
    {"sleeve-outer", offsetof(fx_guide_opts, sleeve_outer_mm)},
    {"sleeve-inner", offsetof(fx_guide_opts, sleeve_inner_mm)},
    {"sleeve-length", offsetof(fx_guide_opts, sleeve_length_mm)},
    {"kwire", offsetof(fx_guide_opts, kwire_mm)},
    {"kwire-inset", offsetof(fx_guide_opts, kwire_inset_mm)},
};
#define N_MM (sizeof(mm_opts) / sizeof(mm_opts[0]))
#define MM_CODE 1000 /* getopt code of mm_opts[0]; the others follow */

/* Options that name a file or a name, each setting one string of guide_args. */
static const struct {
    const char *name;
    int code;
    size_t off;
} str_opts[] = {
    {"plan", 'p', offsetof(struct guide_args, plan)},
    {"plate", 'P', offsetof(struct guide_args, plate)},
    {"bone", 'b', offsetof(struct guide_args, bone)},
    {"output", 'o', offsetof(struct guide_args, out)},
    {"name", 'n', offsetof(struct guide_args, name)},
    {"plate-mesh", 'M', offsetof(struct guide_args, plate_out)},
};
#define N_STR (sizeof(str_opts) / sizeof(str_opts[0]))

static int set_option(struct guide_args *a, int c)
{
    char msg[64];
    if (c >= MM_CODE && c < MM_CODE + (int)N_MM) {
        snprintf(msg, sizeof(msg), "--%s", mm_opts[c - MM_CODE].name);
        return cli_parse_double("fxaudit guide", msg, optarg,
                                (double *)((char *)&a->o + mm_opts[c - MM_CODE].off));
    }
    for (size_t i = 0; i < N_STR; i++)
        if (c == str_opts[i].code) {
            *(const char **)((char *)a + str_opts[i].off) = optarg;
            return EXIT_OK;
        }
    if (c == 'a' || c == 'j') {
        if (c == 'a')
            a->ascii = 1;
        else
            a->json = 1;
        return EXIT_OK;
    }
    if (c == 'h') {
        cli_help(help);
        return -1; /* done: exit 0 */
    }
    return cli_usage("fxaudit guide", "unknown option");
}

/* 0 when the options are good, -1 after --help, else the usage exit code. */
static int parse(int argc, char **argv, struct guide_args *a)
{
    struct option opts[N_MM + N_STR + 4];
    size_t n = 0;
    int c, rc = EXIT_OK;

    for (size_t i = 0; i < N_MM; i++)
        opts[n++] = (struct option){mm_opts[i].name, required_argument, NULL, MM_CODE + (int)i};
    for (size_t i = 0; i < N_STR; i++)
        opts[n++] = (struct option){str_opts[i].name, required_argument, NULL, str_opts[i].code};
    opts[n++] = (struct option){"ascii", no_argument, NULL, 'a'};
    opts[n++] = (struct option){"json", no_argument, NULL, 'j'};
    opts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    cli_getopt_reset();
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1)
        rc = set_option(a, c);
    if (rc)
        return rc;
    if (optind != argc)
        return cli_usage("fxaudit guide", "unexpected argument '%s'", argv[optind]);
    if (!a->plan || !a->plate || !a->bone || !a->out)
        return cli_usage("fxaudit guide", "needs --plan, --plate, --bone and -o");
    return EXIT_OK;
}

/* The guide's mesh path as the plan records it: relative to the plan's
 * folder when it lies inside it, otherwise absolute. */
static void plan_relative(const char *plan, const char *mesh, char *out, size_t n)
{
    char dir[PATH_MAX], file[PATH_MAX];
    const char *slash;

    const char *rel = mesh;
    size_t len;

    if (realpath(plan, dir) && realpath(mesh, file)) {
        slash = strrchr(dir, '/');
        if (slash)
            dir[slash - dir] = '\0';
        len = strlen(dir);
        rel = !strncmp(file, dir, len) && file[len] == '/' ? file + len + 1 : file;
    }
    if (snprintf(out, n, "%s", rel) >= (int)n)
        snprintf(out, n, "%s", mesh); /* too long to record whole: as given */
}

/* Replace the guide of the same name, or add it; and record the bone model
 * it was built on as an input (role "guide-bone"), replacing an earlier one
 * of the same path. */
static int record(fx_plan *p, const fx_plan_guide *g, const char *plan, const char *bone,
                  fx_error *err)
{
    char path[FX_PLAN_PATH], sha[FX_SHA256_HEX];
    size_t i;
    int rc;

    for (i = 0; i < p->nguides && strcmp(p->guides[i].name, g->name); i++)
        ;
    if (i < p->nguides)
        p->guides[i] = *g;
    else if ((rc = fx_plan_add_guide(p, g, err)))
        return rc;
    if ((rc = fx_sha256_file(bone, sha, err)))
        return rc;
    plan_relative(plan, bone, path, sizeof(path));
    for (i = 0; i < p->ninputs; i++)
        if (!strcmp(p->inputs[i].role, "guide-bone") && !strcmp(p->inputs[i].path, path)) {
            snprintf(p->inputs[i].sha256, sizeof(p->inputs[i].sha256), "%s", sha);
            return FX_OK;
        }
    return fx_plan_add_input(p, "guide-bone", path, sha, err);
}

struct built {
    fx_mesh *bone, *plate, *guide;
    fx_bvh *bvh;
    fx_guide parts;
    fx_guide_info info;
    double body_mm3, sleeves_mm3;
};

static int build(const struct guide_args *a, const fx_plan *p, const fx_plan_plate *spec,
                 struct built *b, fx_error *err)
{
    fx_plate_info pinfo;
    int rc;

    if ((rc = fx_mesh_read(a->bone, NULL, &b->bone, err)) ||
        (rc = fx_mesh_validate(b->bone, a->bone, err)))
        return rc;
    if (!b->bone->nt)
        return fx_fail(err, FX_EFORMAT, "bone model '%s' has no triangles", a->bone);
    if ((rc = fx_bvh_build(b->bone, &b->bvh, err)) ||
        (rc = fx_plate_build(spec, p, b->bone, b->bvh, NULL, &b->plate, &pinfo, err)) ||
        (rc = fx_guide_build(spec, p, b->plate, &pinfo, b->bone, b->bvh, &a->o, &b->parts, &b->info,
                             err)) ||
        (rc = fx_guide_merge(&b->parts, &b->guide, err)))
        return rc;
    b->body_mm3 = fx_mesh_volume(b->parts.body);
    b->sleeves_mm3 = fx_mesh_volume(b->parts.sleeves);
    return FX_OK;
}

static void release(struct built *b)
{
    fx_mesh_free(b->bone);
    fx_mesh_free(b->plate);
    fx_mesh_free(b->guide);
    fx_bvh_free(b->bvh);
    fx_guide_release(&b->parts);
}

static json_t *vec_json(fx_vec3 v)
{
    double x[3] = {v.x, v.y, v.z};
    return cli_json_doubles(x, 3);
}

static int report(const struct guide_args *a, const fx_plan_guide *g, const struct built *b)
{
    const fx_guide_info *in = &b->info;
    if (!a->json) {
        printf("guide '%s' of plate '%s': %d sleeve(s), %d k-wire hole(s), body %.1f mm3, "
               "%zu triangles -> %s\n",
               g->name, g->plate, in->sleeves, in->kwires, b->body_mm3, b->guide->nt, a->out);
        return EXIT_OK;
    }
    json_t *kw = json_array();
    for (int e = 0; e < in->kwires; e++)
        json_array_append_new(kw, json_pack("{s:o, s:o}", "point", vec_json(in->kwire_point[e]),
                                            "direction", vec_json(in->kwire_dir[e])));
    return cli_print_json(
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:i, s:i, s:i, s:i, s:f, s:f, s:f}",
                  "guide", g->name, "plate", g->plate, "mesh", a->out, "plan_mesh", g->mesh,
                  "mesh_sha256", g->mesh_sha256, "sleeves", in->sleeves, "collars", in->collars,
                  "kwire_holes", kw, "vertices", (int)b->guide->nv, "triangles", (int)b->guide->nt,
                  "rows", in->rows, "columns", in->columns, "body_volume_mm3", b->body_mm3,
                  "sleeves_volume_mm3", b->sleeves_mm3, "extension_gap_mm", in->extension_gap_mm));
}

int cmd_guide(int argc, char **argv)
{
    struct guide_args a = {0};
    struct built b = {0};
    fx_plan *p = NULL;
    fx_plan_guide g = {0};
    fx_meshio_opts mo = {0};
    fx_error err;
    const fx_plan_plate *spec;
    int rc;

    fx_guide_opts_default(&a.o);
    if ((rc = parse(argc, argv, &a)))
        return rc < 0 ? EXIT_OK : rc;
    if (fx_plan_read(a.plan, &p, &err))
        return cli_error(&err);
    if (!(spec = fx_plan_find_plate(p, a.plate))) {
        fx_plan_free(p);
        return cli_failf("plan '%s' has no plate named '%s'", a.plan, a.plate);
    }
    mo.ascii = a.ascii;
    if (snprintf(g.name, sizeof(g.name), "%s%s", a.name ? a.name : spec->name,
                 a.name ? "" : "-guide") >= (int)sizeof(g.name)) {
        fx_plan_free(p);
        return cli_usage("fxaudit guide", "a guide name has at most %d characters",
                         FX_PLAN_NAME - 1);
    }
    snprintf(g.plate, sizeof(g.plate), "%s", spec->name);
    if ((rc = build(&a, p, spec, &b, &err)) ||
        (a.plate_out && (rc = fx_mesh_write(a.plate_out, b.plate, &mo, &err))) ||
        (rc = fx_mesh_write(a.out, b.guide, &mo, &err)))
        goto out;
    plan_relative(a.plan, a.out, g.mesh, sizeof(g.mesh));
    if ((rc = fx_sha256_file(a.out, g.mesh_sha256, &err)) ||
        (rc = record(p, &g, a.plan, a.bone, &err)) || (rc = fx_plan_write(p, a.plan, &err)))
        unlink(a.out); /* the plan does not know it: leave nothing behind */
out:
    rc = rc ? cli_error(&err) : report(&a, &g, &b);
    release(&b);
    fx_plan_free(p);
    return rc;
}

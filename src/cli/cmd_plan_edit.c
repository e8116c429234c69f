/*
 * cmd_plan_edit.c - `fxaudit plan export` (models and markups for 3D Slicer
 * and printing) and `fxaudit plan pose` (a fragment's pose set by hand).
 */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fxaudit/meshio.h"
#include "fxaudit/plan.h"
#include "fxaudit/planmesh.h"
#include "fxaudit/screwio.h"
#include "fxaudit/tfm.h"
#include "plan_cli.h"

static const char export_help[] =
    "usage: fxaudit plan export PLAN.json [--markups OUT.mrk.json] [--reduced OUT.stl|ply]\n"
    "                           [--screws-mesh OUT.stl|ply] [--with-femora]\n\n"
    "Write the planned screws as 3D Slicer line markups (LPS, entry to tip), the\n"
    "reduced model (every part moved by its planned pose; femora with\n"
    "--with-femora) and the screws as cylinders, in the plan's coordinates (mm).\n";

/* The folder a plan file's model paths are relative to. */
static void plan_dir(const char *plan_path, char *dir, size_t n)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s", plan_path);
    snprintf(dir, n, "%s", dirname(tmp));
}

static int export_meshes(const fx_plan *p, const char *path, const char *reduced,
                         const char *screws, int femora, fx_error *err)
{
    char dir[4096];
    fx_mesh *m = NULL;
    int rc = FX_OK;
    plan_dir(path, dir, sizeof(dir));
    if (reduced && !(rc = fx_plan_reduced_mesh(p, dir, femora, &m, err)))
        rc = fx_mesh_write(reduced, m, NULL, err);
    fx_mesh_free(m);
    m = NULL;
    if (!rc && screws && !(rc = fx_plan_screws_mesh(p, &m, err)))
        rc = fx_mesh_write(screws, m, NULL, err);
    fx_mesh_free(m);
    return rc;
}

int plan_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"markups", required_argument, NULL, 'm'}, {"reduced", required_argument, NULL, 'r'},
        {"screws-mesh", required_argument, NULL, 's'}, {"with-femora", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit plan export", *markups = NULL, *reduced = NULL, *screws = NULL;
    int c, rc, femora = 0;
    fx_plan *p;
    fx_error err;

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': markups = optarg; break;
        case 'r': reduced = optarg; break;
        case 's': screws = optarg; break;
        case 'f': femora = 1; break;
        case 'h': return cli_help(export_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "expects one plan file");
    if (!markups && !reduced && !screws)
        return cli_usage(cmd, "say what to export (--markups, --reduced, --screws-mesh)");
    if (fx_plan_read(argv[optind], &p, &err))
        return cli_error(&err);
    rc = markups ? fx_screws_write_markups(p, markups, &err) : FX_OK;
    if (!rc)
        rc = export_meshes(p, argv[optind], reduced, screws, femora, &err);
    fx_plan_free(p);
    return rc ? cli_error(&err) : EXIT_OK;
}

static const char pose_help[] =
    "usage: fxaudit plan pose PLAN.json --fragment NAME\n"
    "                         (--matrix \"16 numbers\" | --tfm FILE.tfm | --identity)\n\n"
    "Set a fragment's planned pose by hand (pre-op to planned position, 4x4 row-major,\n"
    "mm; an ITK .tfm as 3D Slicer saves it). The fragment's residual to the template\n"
    "and its overlaps with other parts are then unknown (null) until the plan is\n"
    "checked again. The plan is rewritten\n"
    "atomically.\n";

static int parse_matrix(const char *cmd, const char *s, fx_rigid *T)
{
    double m[16];
    char *end;
    for (int i = 0; i < 16; i++) {
        m[i] = strtod(s, &end);
        if (end == s || !isfinite(m[i]))
            return cli_usage(cmd, "--matrix takes 16 numbers (row-major 4x4)");
        s = end;
        while (*s == ' ' || *s == ',')
            s++;
    }
    if (*s || fx_rigid_from_matrix(m, T))
        return cli_usage(cmd, "--matrix is not a rigid transform of 16 numbers");
    return EXIT_OK;
}

int plan_pose(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fragment", required_argument, NULL, 'f'}, {"matrix", required_argument, NULL, 'm'},
        {"tfm", required_argument, NULL, 't'}, {"identity", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit plan pose", *name = NULL, *tfm = NULL;
    fx_rigid T;
    int c, rc, have = 0;
    fx_plan *p;
    fx_error err = {0};

    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': name = optarg; break;
        case 'm':
            if ((rc = parse_matrix(cmd, optarg, &T)))
                return rc;
            have++;
            break;
        case 't': tfm = optarg, have++; break;
        case 'i': T = fx_rigid_identity(), have++; break;
        case 'h': return cli_help(pose_help);
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1 || !name || have != 1)
        return cli_usage(cmd, "expects a plan file, --fragment NAME and one pose");
    if (fx_plan_read(argv[optind], &p, &err) || (tfm && fx_tfm_read(tfm, &T, &err)))
        return cli_error(&err);
    rc = EXIT_FAIL;
    for (size_t i = 0; i < p->nfrags; i++)
        if (!strcmp(p->frags[i].name, name)) {
            p->frags[i].pose = T;
            p->frags[i].residual_rms_mm = p->frags[i].residual_max_mm = NAN;
            for (size_t k = 0; k < p->noverlaps; k++) /* the pair's overlap, as planned */
                if (!strcmp(p->overlaps[k].a, name) || !strcmp(p->overlaps[k].b, name))
                    p->overlaps[k].depth_mm = p->overlaps[k].volume_mm3 = NAN;
            rc = fx_plan_write(p, argv[optind], &err) ? cli_error(&err) : EXIT_OK;
        }
    if (rc == EXIT_FAIL && !err.msg[0])
        rc = cli_failf("plan '%s' has no fragment '%s'", argv[optind], name);
    fx_plan_free(p);
    return rc;
}

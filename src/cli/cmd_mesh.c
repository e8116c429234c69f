/*
 * cmd_mesh.c - fxaudit mesh: the surface model of a volume file (NRRD, NIfTI
 * or a DICOM folder) at an iso-value, of a HU range, or of one label.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/isosurface.h"
#include "fxaudit/meshio.h"
#include "fxaudit/segment.h"
#include "fxaudit/surface.h"
#include "fxaudit/volio.h"

static const char help[] =
    "usage: fxaudit mesh VOLUME (--threshold LO[:HI] | --label N) -o OUT.ply [options]\n"
    "\n"
    "Extracts a closed surface model (marching cubes, vertices shared between\n"
    "cells, world coordinates in LPS mm) from a NRRD, NIfTI or DICOM volume.\n"
    "The volume border is padded, so a solid touching it is capped and closed.\n"
    "\n"
    "  --threshold LO      iso-surface at value LO (HU for CT)\n"
    "  --threshold LO:HI   surface of the voxels with LO <= value <= HI (a mask)\n"
    "  --label N           VOLUME holds labels: surface of label N (0: any label)\n"
    "  --sigma MM          Gaussian pre-smoothing of a mask or label (default 0)\n"
    "  --smooth N          N iterations of Taubin smoothing (lambda 0.5, mu -0.53)\n"
    "  --decimate F        keep about the fraction F of the triangles (0 < F <= 1)\n"
    "  --largest           keep only the largest connected part\n"
    "  --cut RULE          how loops of 4+ crossings are cut into triangles:\n"
    "                      'interpolant' (default, truest on thin walls) or 'vtk'\n"
    "                      (fixed fans, the same volume as VTK's flying edges)\n"
    "  --threads N         threads to use (default: all)\n"
    "  -o, --output FILE   mesh to write (.ply, .stl, .off, .obj)\n"
    "  --json              print the result as JSON\n"
    "  -h, --help          show this help\n";

typedef struct mesh_args {
    const char *in, *out;
    double lo, hi, sigma, keep;
    int has_hi, has_threshold, smooth, largest, json, threads;
    long label;
    fx_iso_cut cut;
} mesh_args;

/* "LO" or "LO:HI". */
static int parse_range(const char *s, double *lo, double *hi, int *has_hi)
{
    char buf[128];
    const char *colon = strchr(s, ':');
    if (strlen(s) >= sizeof(buf))
        return cli_usage("fxaudit mesh", "threshold '%s' is too long", s);
    *has_hi = colon != NULL;
    if (!colon)
        return cli_parse_double("fxaudit mesh", "--threshold", s, lo);
    snprintf(buf, sizeof(buf), "%.*s", (int)(colon - s), s);
    int rc = cli_parse_double("fxaudit mesh", "--threshold LO", buf, lo);
    if (!rc)
        rc = cli_parse_double("fxaudit mesh", "--threshold HI", colon + 1, hi);
    if (!rc && *hi < *lo)
        return cli_usage("fxaudit mesh", "threshold range '%s' is empty", s);
    return rc;
}

static int parse_args(int argc, char **argv, mesh_args *a)
{
    static const struct option opts[] = {
        {"threshold", required_argument, NULL, 't'}, {"label", required_argument, NULL, 'l'},
        {"sigma", required_argument, NULL, 'g'},     {"smooth", required_argument, NULL, 's'},
        {"decimate", required_argument, NULL, 'd'},  {"largest", no_argument, NULL, 'L'},
        {"threads", required_argument, NULL, 'T'},   {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},            {"help", no_argument, NULL, 'h'},
        {"cut", required_argument, NULL, 'c'},       {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit mesh";
    int c, rc = 0;
    long n;

    memset(a, 0, sizeof(*a));
    a->label = -1, a->keep = 1;
    cli_getopt_reset();
    while (!rc && (c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 't': rc = parse_range(optarg, &a->lo, &a->hi, &a->has_hi), a->has_threshold = 1; break;
        case 'l': rc = cli_parse_int(cmd, "--label", optarg, 0, 65535, &a->label); break;
        case 'g': rc = cli_parse_double(cmd, "--sigma", optarg, &a->sigma); break;
        case 's': rc = cli_parse_int(cmd, "--smooth", optarg, 0, 10000, &n), a->smooth = (int)n; break;
        case 'd': rc = cli_parse_double(cmd, "--decimate", optarg, &a->keep); break;
        case 'L': a->largest = 1; break;
        case 'T': rc = cli_parse_int(cmd, "--threads", optarg, 1, 1024, &n), a->threads = (int)n; break;
        case 'o': a->out = optarg; break;
        case 'c':
            if (!strcmp(optarg, "interpolant") || !strcmp(optarg, "vtk"))
                a->cut = !strcmp(optarg, "vtk") ? FX_ISO_CUT_VTK : FX_ISO_CUT_INTERPOLANT;
            else
                rc = cli_usage(cmd, "--cut must be 'interpolant' or 'vtk', not '%s'", optarg);
            break;
        case 'j': a->json = 1; break;
        case 'h': return cli_help(help), -1;
        default: return EXIT_USAGE;
        }
    }
    if (rc)
        return rc;
    if (optind != argc - 1)
        return cli_usage(cmd, "give exactly one VOLUME");
    a->in = argv[optind];
    if (!a->out)
        return cli_usage(cmd, "give the output mesh with -o OUT.ply");
    if (a->has_threshold == (a->label >= 0))
        return cli_usage(cmd, "give either --threshold or --label");
    if (!(a->keep > 0 && a->keep <= 1))
        return cli_usage(cmd, "--decimate must be in (0, 1], not %g", a->keep);
    if (a->sigma < 0)
        return cli_usage(cmd, "--sigma must not be negative");
    if (fx_mesh_format_from_path(a->out) == FX_MESH_AUTO)
        return cli_usage(cmd, "'%s' has no mesh extension (.ply, .stl, .off, .obj)", a->out);
    return EXIT_OK;
}

/* The raw surface: iso-value, HU range (as a mask) or label. */
static int extract(const mesh_args *a, const fx_volume *v, fx_mesh **m, fx_error *err)
{
    fx_iso_opts o = {.iso = a->lo, .threads = a->threads, .cut = a->cut};
    fx_volume *mask = NULL;
    int rc;
    if (a->label >= 0)
        return fx_isosurface_label(v, (unsigned)a->label, a->sigma, &o, m, err);
    if (!a->has_hi)
        return fx_isosurface_extract(v, &o, m, err);
    rc = fx_segment_threshold(v, a->lo, a->hi, &mask, err);
    if (!rc)
        rc = fx_isosurface_label(mask, 1, a->sigma, &o, m, err);
    fx_volume_free(mask);
    return rc;
}

static int postprocess(const mesh_args *a, fx_mesh *m, fx_error *err)
{
    int rc = FX_OK;
    if (a->largest && m->nt)
        rc = fx_surface_keep_component(m, 0, err);
    if (!rc && a->smooth)
        rc = fx_surface_smooth_taubin(m, a->smooth, 0.5, -0.53, a->threads, err);
    if (!rc && a->keep < 1)
        rc = fx_surface_decimate(m, a->keep, err);
    if (!rc)
        rc = fx_mesh_compute_normals(m, err);
    return rc;
}

static int report(const mesh_args *a, const fx_mesh *m, const fx_surface_topology *t)
{
    double area = fx_mesh_area(m), vol = fx_mesh_volume(m);
    if (!a->json) {
        printf("%s: %zu vertices, %zu triangles, area %.2f mm^2, volume %.2f mm^3, %s, "
               "%zu part(s), Euler characteristic %ld\n",
               a->out, m->nv, m->nt, area, vol, t->closed ? "closed" : "not closed",
               t->components, t->euler);
        return EXIT_OK;
    }
    json_t *j = json_object();
    json_object_set_new(j, "output", json_string(a->out));
    json_object_set_new(j, "vertices", json_integer((json_int_t)m->nv));
    json_object_set_new(j, "triangles", json_integer((json_int_t)m->nt));
    json_object_set_new(j, "area_mm2", json_real(area));
    json_object_set_new(j, "volume_mm3", json_real(vol));
    json_object_set_new(j, "closed", json_boolean(t->closed));
    json_object_set_new(j, "components", json_integer((json_int_t)t->components));
    json_object_set_new(j, "euler", json_integer(t->euler));
    json_object_set_new(j, "boundary_edges", json_integer((json_int_t)t->boundary_edges));
    json_object_set_new(j, "nonmanifold_edges", json_integer((json_int_t)t->nonmanifold_edges));
    return cli_print_json(j);
}

int cmd_mesh(int argc, char **argv)
{
    mesh_args a;
    fx_volume *v = NULL;
    fx_mesh *m = NULL;
    fx_surface_topology topo;
    fx_error err = {0};
    int rc = parse_args(argc, argv, &a);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = fx_volume_read(a.in, &v, &err);
    if (!rc)
        rc = extract(&a, v, &m, &err);
    if (!rc)
        rc = postprocess(&a, m, &err);
    if (!rc)
        rc = fx_surface_check(m, &topo, &err);
    if (!rc && m->nt == 0)
        rc = fx_fail(&err, FX_EINVAL, "'%s': no voxel is inside the threshold or label",
                     a.in);
    if (!rc)
        rc = fx_mesh_write(a.out, m, NULL, &err);
    fx_volume_free(v);
    if (rc) {
        fx_mesh_free(m);
        return cli_error(&err);
    }
    rc = report(&a, m, &topo);
    fx_mesh_free(m);
    return rc;
}

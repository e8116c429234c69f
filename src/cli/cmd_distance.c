/*
 * cmd_distance.c - `fxaudit distance A B`: how far surface B lies from
 * surface A: signed per-vertex distances of B to A, their mean and RMS, and the
 * symmetric Hausdorff distance.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/meshio.h"
#include "fxaudit/surfdist.h"

static const char *help =
    "usage: fxaudit distance A B [-o OUT.ply] [--json]\n\n"
    "Measures every vertex of B against the surface of A (exact closest point on A's\n"
    "triangles). Signed: + where B lies outside A, - inside (A should be closed and\n"
    "outward-oriented for the sign to mean that). Also the Hausdorff distance, the\n"
    "larger of the two one-sided maxima (B's vertices to A, A's vertices to B).\n\n"
    "options:\n"
    "  -o, --output FILE  write B with its signed distances (per-vertex property\n"
    "                     'distance', mm) as PLY, for colour maps\n"
    "  --json             print mean_mm, mean_abs_mm, rms_mm, min_mm, max_mm,\n"
    "                     hausdorff_mm, max_b_to_a_mm, max_a_to_b_mm, n\n"
    "  -h, --help         this text\n";

static int measure(const char *pa, const char *pb, const char *out, bool json)
{
    fx_mesh *a = NULL, *b = NULL;
    fx_error err;
    fx_surfdist st;
    double *d = NULL, ab = 0;
    int rc = fx_mesh_read(pa, NULL, &a, &err);
    if (!rc)
        rc = fx_mesh_read(pb, NULL, &b, &err);
    if (!rc && a->nt == 0)
        rc = fx_fail(&err, FX_EINVAL, "'%s' has no triangles to measure against", pa);
    if (!rc && b->nt == 0)
        rc = fx_fail(&err, FX_EINVAL, "'%s' has no triangles to measure against", pb);
    if (!rc && !(d = malloc(b->nv * sizeof(double))))
        rc = fx_fail(&err, FX_ENOMEM, "cannot allocate %zu distances", b->nv);
    if (!rc)
        rc = fx_surface_distance(b, a, d, &st, &err);
    if (!rc)
        rc = fx_hausdorff(a, b, NULL, &ab, NULL, &err);
    if (!rc && out) {
        free(b->scalar);
        b->scalar = malloc(b->cap_v * sizeof(float));
        if (!b->scalar)
            rc = fx_fail(&err, FX_ENOMEM, "cannot allocate distances");
        for (size_t i = 0; !rc && i < b->nv; i++)
            b->scalar[i] = (float)d[i];
        fx_meshio_opts mo = {.format = FX_MESH_PLY, .scalar_name = "distance"};
        if (!rc)
            rc = fx_mesh_write(out, b, &mo, &err);
    }
    free(d);
    fx_mesh_free(a);
    fx_mesh_free(b);
    if (rc)
        return cli_error(&err);
    double h = st.max_abs_mm > ab ? st.max_abs_mm : ab;
    if (!json) {
        printf("B to A over %zu vertices: mean %.4f mm, mean |d| %.4f mm, rms %.4f mm, "
               "range %.4f to %.4f mm\nHausdorff %.4f mm (B to A %.4f, A to B %.4f)\n", st.n,
               st.mean_mm, st.mean_abs_mm, st.rms_mm, st.min_mm, st.max_mm, h, st.max_abs_mm, ab);
        return EXIT_OK;
    }
    json_t *j = json_object();
    json_object_set_new(j, "mean_mm", json_real(st.mean_mm));
    json_object_set_new(j, "mean_abs_mm", json_real(st.mean_abs_mm));
    json_object_set_new(j, "rms_mm", json_real(st.rms_mm));
    json_object_set_new(j, "min_mm", json_real(st.min_mm));
    json_object_set_new(j, "max_mm", json_real(st.max_mm));
    json_object_set_new(j, "hausdorff_mm", json_real(h));
    json_object_set_new(j, "max_b_to_a_mm", json_real(st.max_abs_mm));
    json_object_set_new(j, "max_a_to_b_mm", json_real(ab));
    json_object_set_new(j, "n", json_integer((json_int_t)st.n));
    return cli_print_json(j);
}

int cmd_distance(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    bool json = false;
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else if (c == 'j')
            json = true;
        else if (c == 'h')
            return cli_help(help);
        else
            return EXIT_USAGE;
    }
    if (optind + 2 != argc)
        return cli_usage("fxaudit distance", "give two mesh files, A and B");
    return measure(argv[optind], argv[optind + 1], out, json);
}

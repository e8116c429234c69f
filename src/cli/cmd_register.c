/*
 * cmd_register.c - `fxaudit register`: rigid surface registration of a
 * moving mesh onto a fixed one (robust trimmed point-to-plane ICP).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/icp.h"
#include "fxaudit/landmarks.h"
#include "fxaudit/meshio.h"
#include "fxaudit/paired.h"
#include "fxaudit/tfm.h"

static const char *help =
    "usage: fxaudit register --fixed A --moving B [-o T.tfm|T.json] [options]\n\n"
    "Rigidly aligns the moving surface model B onto the fixed model A (STL, PLY, OFF\n"
    "or OBJ, in mm) by robust, trimmed point-to-plane ICP, coarse to fine. The result\n"
    "maps B into A's coordinates: x_fixed = R x_moving + t.\n\n"
    "options:\n"
    "  --fixed FILE          the reference surface (needs triangles)\n"
    "  --moving FILE         the surface to move (its vertices are used)\n"
    "  -o, --output FILE     write the transform: .tfm (ITK, for 3D Slicer: holds the\n"
    "                        inverse, fixed -> moving, as ITK expects) or .json\n"
    "  --init MODE           start pose: auto (default: the identity and the principal-\n"
    "                        axes candidates, best wins), none, pca, or\n"
    "                        'landmarks FILE' (paired points, see register-points)\n"
    "  --landmarks FILE      the same as --init landmarks FILE\n"
    "  --region LABEL        use only vertices whose label equals LABEL (both meshes)\n"
    "  --label-property NAME the PLY vertex property holding labels (default 'label')\n"
    "  --samples N           moving points at the finest level (default 12000)\n"
    "  --max-iterations N    per level (default 40)\n"
    "  --threads N           OpenMP threads (default: all)\n"
    "  --seed N              seed of the random subsampling (default 1)\n"
    "  --json                print the result as JSON\n"
    "  -h, --help            this text\n\n"
    "JSON keys: matrix (16, row-major), rms_mm, inlier_fraction, iterations,\n"
    "converged, warnings (a list of sentences; empty when the result looks sound),\n"
    "rotation_deg, translation_mm, condition, samples, spacing_mm.\n";

typedef struct args {
    const char *fixed, *moving, *out, *landmarks, *label_prop;
    fx_icp_opts o;
    bool json, region;
} args;

static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"fixed", required_argument, NULL, 'f'},  {"moving", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'}, {"init", required_argument, NULL, 'i'},
        {"landmarks", required_argument, NULL, 'L'}, {"region", required_argument, NULL, 'r'},
        {"label-property", required_argument, NULL, 'P'},
        {"samples", required_argument, NULL, 's'}, {"max-iterations", required_argument, NULL, 'I'},
        {"threads", required_argument, NULL, 't'}, {"seed", required_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit register";
    long v;
    int c, rc;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': a->fixed = optarg; break;
        case 'm': a->moving = optarg; break;
        case 'o': a->out = optarg; break;
        case 'L': a->landmarks = optarg; a->o.init = FX_ICP_INIT_NONE; break;
        case 'P': a->label_prop = optarg; break;
        case 'j': a->json = true; break;
        case 'h': return cli_help(help) - 1; /* -1: done, exit 0 */
        case 'i':
            if (!strcmp(optarg, "auto"))
                a->o.init = FX_ICP_INIT_AUTO;
            else if (!strcmp(optarg, "none"))
                a->o.init = FX_ICP_INIT_NONE;
            else if (!strcmp(optarg, "pca"))
                a->o.init = FX_ICP_INIT_PCA;
            else if (!strcmp(optarg, "landmarks") && optind < argc)
                a->landmarks = argv[optind++], a->o.init = FX_ICP_INIT_NONE;
            else
                return cli_usage(cmd, "--init must be auto, none, pca or 'landmarks FILE', not "
                                 "'%s'", optarg);
            break;
        case 'r':
            if ((rc = cli_parse_int(cmd, "--region", optarg, -2147483647L, 2147483647L, &v)))
                return rc;
            a->region = true, a->o.use_label = true, a->o.label = (int)v;
            break;
        case 's':
            if ((rc = cli_parse_int(cmd, "--samples", optarg, 100, 100000000L, &v)))
                return rc;
            a->o.max_samples = (size_t)v;
            break;
        case 'I':
            if ((rc = cli_parse_int(cmd, "--max-iterations", optarg, 1, 10000, &v)))
                return rc;
            a->o.max_iterations = (int)v;
            break;
        case 't':
            if ((rc = cli_parse_int(cmd, "--threads", optarg, 1, 1024, &v)))
                return rc;
            a->o.threads = (int)v;
            break;
        case 'S':
            if ((rc = cli_parse_int(cmd, "--seed", optarg, 0, 2147483647L, &v)))
                return rc;
            a->o.seed = (uint64_t)v;
            break;
        default: return EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->fixed || !a->moving)
        return cli_usage(cmd, "--fixed and --moving are both required");
    return EXIT_OK;
}

static int read_mesh(const char *path, const args *a, fx_mesh **m, fx_error *err)
{
    fx_meshio_opts mo = {.scalar_name = a->label_prop};
    int rc = fx_mesh_read(path, &mo, m, err);
    if (!rc && a->region && !(*m)->scalar) {
        fx_mesh_free(*m);
        *m = NULL;
        rc = fx_fail(err, FX_EINVAL, "'%s' has no per-vertex '%s' property, so --region cannot "
                     "select from it", path, a->label_prop);
    }
    return rc;
}

static int landmark_start(const char *path, fx_rigid *T, fx_error *err)
{
    fx_landmarks l;
    int rc = fx_landmarks_read(path, &l, err);
    if (rc)
        return rc;
    rc = fx_paired_register(l.moving, l.fixed, l.weight, l.n, T, err);
    if (rc)
        fx_error_prefix(err, "landmarks '%s'", path);
    fx_landmarks_release(&l);
    return rc;
}

static json_t *result_json(const fx_icp_result *r)
{
    double m[16];
    fx_rigid_to_matrix(&r->T, m);
    json_t *j = json_object(), *w = json_array();
    json_object_set_new(j, "matrix", cli_json_doubles(m, 16));
    json_object_set_new(j, "rms_mm", json_real(r->rms_mm));
    json_object_set_new(j, "inlier_fraction", json_real(r->inlier_fraction));
    json_object_set_new(j, "iterations", json_integer(r->iterations));
    json_object_set_new(j, "converged", json_boolean(r->converged));
    for (int b = 0; b < FX_ICP_WARN_COUNT; b++)
        if (r->warnings & (1u << b))
            json_array_append_new(w, json_string(fx_icp_warning_text(1u << b)));
    json_object_set_new(j, "warnings", w);
    json_object_set_new(j, "rotation_deg", json_real(fx_rigid_rotation_angle(&r->T) * 180 / M_PI));
    json_object_set_new(j, "translation_mm",
                        json_real(sqrt(r->T.t[0] * r->T.t[0] + r->T.t[1] * r->T.t[1] +
                                       r->T.t[2] * r->T.t[2])));
    json_object_set_new(j, "condition", json_real(r->condition));
    json_object_set_new(j, "samples", json_integer((json_int_t)r->samples));
    json_object_set_new(j, "spacing_mm", json_real(r->spacing_mm));
    return j;
}

static void print_text(const fx_icp_result *r)
{
    printf("matrix (moving -> fixed):\n");
    for (int i = 0; i < 3; i++)
        printf("  %12.8f %12.8f %12.8f %12.6f\n", r->T.r[3 * i], r->T.r[3 * i + 1],
               r->T.r[3 * i + 2], r->T.t[i]);
    printf("  %12d %12d %12d %12d\n", 0, 0, 0, 1);
    printf("rms %.4f mm, inliers %.1f %%, %d iterations, %s\n", r->rms_mm,
           100 * r->inlier_fraction, r->iterations, r->converged ? "converged" : "not converged");
}

int cmd_register(int argc, char **argv)
{
    args a = {.label_prop = "label"};
    fx_icp_opts_default(&a.o);
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    fx_mesh *fixed = NULL, *moving = NULL;
    fx_error err;
    fx_icp_result res;
    if ((rc = read_mesh(a.fixed, &a, &fixed, &err)) || (rc = read_mesh(a.moving, &a, &moving, &err)) ||
        (a.landmarks && (rc = landmark_start(a.landmarks, &a.o.start, &err))) ||
        (rc = fx_icp_align(moving, fixed, &a.o, &res, &err)) ||
        (a.out && (rc = fx_transform_write(a.out, &res.T, &err)))) {
        fx_mesh_free(fixed);
        fx_mesh_free(moving);
        return cli_error(&err);
    }
    fx_mesh_free(fixed);
    fx_mesh_free(moving);
    for (int b = 0; b < FX_ICP_WARN_COUNT; b++)
        if (res.warnings & (1u << b))
            fprintf(stderr, "fxaudit: warning: %s\n", fx_icp_warning_text(1u << b));
    if (a.json)
        return cli_print_json(result_json(&res));
    print_text(&res);
    return EXIT_OK;
}

/*
 * cmd_slices.c - `fxaudit slices`: the axial, coronal and sagittal CT slices
 * through the acetabular dome as PNGs with a pixel -> mm sidecar, and
 * `fxaudit slices points`: landmark pixels to millimetres (docs/slices.md).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/png.h"
#include "fxaudit/slices.h"
#include "fxaudit/volio.h"
#include "slices_cli.h"

static const char help[] =
    "usage: fxaudit slices VOLUME --dome X,Y,Z -o DIR [options]\n"
    "       fxaudit slices --study DIR --observer O --case CASE --dome X,Y,Z -o DIR\n"
    "       fxaudit slices points --map DIR/slices.json --image PLANE --px \"U,V;U,V\"\n"
    "\n"
    "Renders the axial, coronal and sagittal slices through the dome point (mm, LPS)\n"
    "as DIR/axial.png, coronal.png, sagittal.png: bone window, square pixels, a\n"
    "millimetre scale bar and orientation letters (radiological: axial from the\n"
    "feet, coronal from the front, sagittal from the patient's left), no patient\n"
    "data. DIR/slices.json maps each image's pixels to millimetres. In a study the\n"
    "volume is the observer's case (from their reading list) and the images carry\n"
    "only the blinded case code. The dome point is given (--dome): plans do not\n"
    "hold the acetabulum yet.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR       folder for the images and slices.json (made if absent)\n"
    "      --dome X,Y,Z       the point the slices go through, mm, LPS (required)\n"
    "      --normal X,Y,Z     the patient's superior axis (default 0,0,1)\n"
    "      --mm-per-px MM     pixel size (default 0.5)\n"
    "      --field MM         image width and height in mm (default 128)\n"
    "      --window HU        window width (default 2000)\n"
    "      --level HU         window centre (default 500)\n"
    "      --study DIR --observer O --case CASE   the observer's blinded case\n"
    "      --json             print the sidecar\n"
    "  -h, --help             show this help\n";

static int parse_vec(const char *what, const char *s, fx_vec3 *v)
{
    char *end;
    double x[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        errno = 0;
        x[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(x[i]) || (i < 2 && *end != ',') || (i == 2 && *end))
            return cli_usage("fxaudit slices", "%s: expected X,Y,Z in mm, got '%s'", what, s);
        p = end + 1;
    }
    *v = fx_v3(x[0], x[1], x[2]);
    return 0;
}

typedef struct slices_args {
    const char *volume, *out, *study, *observer, *case_code;
    int have_dome, json;
    fx_vec3 dome;
    fx_slice_opts o;
} slices_args;

static int parse(int argc, char **argv, slices_args *a)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"dome", required_argument, NULL, 'd'},
                                         {"normal", required_argument, NULL, 'n'},
                                         {"mm-per-px", required_argument, NULL, 'p'},
                                         {"field", required_argument, NULL, 'f'},
                                         {"window", required_argument, NULL, 'w'},
                                         {"level", required_argument, NULL, 'l'},
                                         {"study", required_argument, NULL, 'S'},
                                         {"observer", required_argument, NULL, 'O'},
                                         {"case", required_argument, NULL, 'C'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit slices";
    int c, rc = 0;
    cli_getopt_reset();
    while (rc == 0 && (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            a->out = optarg;
            break;
        case 'd':
            rc = parse_vec("--dome", optarg, &a->dome), a->have_dome = 1;
            break;
        case 'n':
            rc = parse_vec("--normal", optarg, &a->o.superior);
            break;
        case 'p':
            rc = cli_parse_double(cmd, "--mm-per-px", optarg, &a->o.mm_per_px);
            break;
        case 'f':
            rc = cli_parse_double(cmd, "--field", optarg, &a->o.field_mm);
            break;
        case 'w':
            rc = cli_parse_double(cmd, "--window", optarg, &a->o.window_hu);
            break;
        case 'l':
            rc = cli_parse_double(cmd, "--level", optarg, &a->o.level_hu);
            break;
        case 'S':
            a->study = optarg;
            break;
        case 'O':
            a->observer = optarg;
            break;
        case 'C':
            a->case_code = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'h':
            return cli_help(help) - 1; /* -1: stop with success */
        default:
            return cli_usage(cmd, "unknown option");
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        a->volume = argv[optind++];
    if (optind < argc)
        return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    if (!a->out || !a->have_dome)
        return cli_usage(cmd, "-o DIR and --dome X,Y,Z are required");
    if (!a->volume == !a->study)
        return cli_usage(cmd, "give a VOLUME or --study with --observer and --case");
    if (a->study && (!a->observer || !a->case_code))
        return cli_usage(cmd, "--study needs --observer and --case");
    return 0;
}

static json_t *vec_json(fx_vec3 v)
{
    return json_pack("[f,f,f]", v.x, v.y, v.z);
}

static json_t *map_json(const fx_slice_map *m, const char *file)
{
    return json_pack("{s:s,s:i,s:i,s:f,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:f,s:i}", "file", file,
                     "width", m->width, "height", m->height, "mm_per_px", m->mm_per_px, "origin_mm",
                     vec_json(m->origin_mm), "col_mm", vec_json(m->col_mm), "row_mm",
                     vec_json(m->row_mm), "normal", vec_json(m->normal), "left", m->left, "right",
                     m->right, "top", m->top, "bottom", m->bottom, "scale_bar_mm", m->bar_mm,
                     "scale_bar_px", m->bar_px);
}

/* Render the three planes, write them, then the sidecar; on failure remove
 * what was written. */
static int write_all(const fx_volume *ct, const slices_args *a, const char *label)
{
    fx_error err = {0};
    char path[3][4096], side[4096];
    json_t *images = json_object();
    int rc = 0, written = 0;
    if (mkdir(a->out, 0777) && errno != EEXIST) {
        json_decref(images);
        return cli_failf("%s: cannot create the folder: %s", a->out, strerror(errno));
    }
    for (int p = 0; p < 3 && rc == 0; p++) {
        fx_slice_image *im = NULL;
        char file[32];
        snprintf(file, sizeof(file), "%s.png", fx_slice_plane_name(p));
        snprintf(path[p], sizeof(path[p]), "%s/%s", a->out, file);
        rc = fx_slice_render(ct, p, a->dome, &a->o, label, &im, &err);
        if (rc == 0)
            rc = fx_png_write(path[p], im->rgb, im->map.width, im->map.height, 3, &err);
        if (rc == 0) {
            written++;
            json_object_set_new(images, fx_slice_plane_name(p), map_json(&im->map, file));
        }
        fx_slice_image_free(im);
    }
    json_t *doc =
        json_pack("{s:s,s:i,s:o,s:o,s:s,s:o,s:f,s:f,s:f,s:f,s:s,s:o}", "format", "fxaudit-slices",
                  "version", 1, "case", label ? json_string(label) : json_null(), "dome_mm",
                  vec_json(a->dome), "dome_source", "given (--dome)", "superior",
                  vec_json(fx_v3_unit(a->o.superior)), "mm_per_px", a->o.mm_per_px, "field_mm",
                  a->o.field_mm, "window_hu", a->o.window_hu, "level_hu", a->o.level_hu, "pixels",
                  "pixel (u, v) = (column, row) from the centre of the top-left pixel; "
                  "mm (LPS) = origin_mm + u * col_mm + v * row_mm",
                  "images", images);
    snprintf(side, sizeof(side), "%s/slices.json", a->out);
    if (rc == 0)
        rc = slices_json_write(side, doc, &err);
    if (rc) {
        for (int p = 0; p < written; p++)
            unlink(path[p]);
        json_decref(doc);
        return cli_error(&err);
    }
    if (a->json)
        return cli_print_json(doc);
    printf("wrote %s/{axial,coronal,sagittal}.png and slices.json\n", a->out);
    json_decref(doc);
    return EXIT_OK;
}

int cmd_slices(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "points") == 0)
        return cmd_slices_points(argc - 1, argv + 1);
    slices_args a = {0};
    fx_slice_opts_default(&a.o);
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    fx_error err = {0};
    fx_volume *ct = NULL;
    if (a.study)
        rc = slices_study_volume(a.study, a.observer, a.case_code, &ct, &err);
    else
        rc = fx_volume_read(a.volume, &ct, &err);
    if (rc)
        return cli_error(&err);
    if (ct->type != FX_VOX_I16 && ct->type != FX_VOX_F32) {
        fx_volume_free(ct);
        return cli_failf("%s: not a CT volume (voxels are %s)", a.study ? a.case_code : a.volume,
                         fx_voxel_type_name(ct->type));
    }
    rc = write_all(ct, &a, a.study ? a.case_code : NULL);
    fx_volume_free(ct);
    return rc;
}

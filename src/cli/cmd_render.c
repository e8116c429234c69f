/*
 * cmd_render.c - `fxaudit render MESH[:COLOR[@OPACITY]]... --view V -o OUT.png`:
 * a standard orthographic view of meshes (and planned/actual screws) as PNG,
 * through the report layer's software rasteriser.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/meshio.h"
#include "fxaudit/png.h"
#include "fxaudit/raster.h"

#define MAX_MESHES 32
#define MAX_SCREWS 64

static const char help[] =
    "usage: fxaudit render MESH[:COLOR[@OPACITY]]... -o OUT.png [options]\n"
    "\n"
    "Draws meshes (STL, PLY, OFF, OBJ; millimetres, LPS) in a standard orthographic\n"
    "view of the pelvis, with a legend and a millimetre scale bar, as a PNG.\n"
    "COLOR is a name (bone, fragment1..fragment4, plate, planned, actual, red,\n"
    "green, blue, grey, white, black) or #rrggbb; OPACITY is from 0 to 1\n"
    "(e.g. pelvis.ply:bone@0.4 shows screws inside the bone).\n"
    "\n"
    "options:\n"
    "  -o, --output FILE      the PNG to write (required)\n"
    "  -v, --view VIEW        anterior (default), lateral or superior (inlet)\n"
    "      --side SIDE        for the lateral view: left (default) or right, the\n"
    "                         side the camera looks from (the fractured side)\n"
    "      --size WxH         image size in pixels (default 1000x800)\n"
    "      --planned X,Y,Z,X,Y,Z   a planned screw from entry to tip (mm), drawn as\n"
    "                         a blue line; repeatable\n"
    "      --actual X,Y,Z,X,Y,Z    an actual screw, drawn as an orange cylinder;\n"
    "                         repeatable\n"
    "      --screw-diameter MM     screw diameter (default 3.5)\n"
    "      --flat             flat shading instead of Gouraud\n"
    "      --supersample N    samples per pixel along each axis, 1..4 (default 3)\n"
    "      --json             print what was drawn as JSON: output, view, width,\n"
    "                         height, px_per_mm, coverage_px (pixels covered by\n"
    "                         the scene), meshes, triangles, screws\n"
    "  -h, --help             show this help\n";

static const struct {
    const char *name;
    uint8_t rgb[3];
} colours[] = {
    {"bone", {227, 218, 201}},    {"fragment1", {86, 180, 233}},  {"fragment2", {0, 158, 115}},
    {"fragment3", {230, 159, 0}}, {"fragment4", {204, 121, 167}}, {"plate", {125, 135, 150}},
    {"planned", {0, 114, 178}},   {"actual", {213, 94, 0}},       {"red", {200, 30, 30}},
    {"green", {30, 160, 60}},     {"blue", {30, 80, 200}},        {"grey", {150, 150, 150}},
    {"gray", {150, 150, 150}},    {"white", {245, 245, 245}},     {"black", {30, 30, 30}},
};

/* A colour name or #rrggbb, with an optional @opacity. */
static int parse_colour(const char *s, uint8_t rgb[3], double *opacity)
{
    char name[64];
    const char *at = strchr(s, '@');
    size_t len = at ? (size_t)(at - s) : strlen(s);
    char *end;

    if (len == 0 || len >= sizeof(name))
        return -1;
    memcpy(name, s, len);
    name[len] = '\0';
    *opacity = 1.0;
    if (at) {
        *opacity = strtod(at + 1, &end);
        if (end == at + 1 || *end || !(*opacity >= 0 && *opacity <= 1))
            return -1;
    }
    if (name[0] == '#' && len == 7) {
        unsigned long v = strtoul(name + 1, &end, 16);
        if (*end)
            return -1;
        rgb[0] = (uint8_t)(v >> 16);
        rgb[1] = (uint8_t)(v >> 8);
        rgb[2] = (uint8_t)v;
        return 0;
    }
    for (size_t i = 0; i < sizeof(colours) / sizeof(colours[0]); i++)
        if (!strcmp(colours[i].name, name)) {
            memcpy(rgb, colours[i].rgb, 3);
            return 0;
        }
    return -1;
}

/* Default colours for meshes given without one: bone first, then fragments. */
static void default_colour(size_t i, uint8_t rgb[3])
{
    static const char *order[] = {"bone",      "fragment1", "fragment2",
                                  "fragment3", "fragment4", "plate"};
    double op;
    parse_colour(order[i % 6], rgb, &op);
}

typedef struct render_args {
    char *paths[MAX_MESHES];
    char labels[MAX_MESHES][64];
    fx_render_mesh items[MAX_MESHES];
    size_t n;
    fx_render_screw screws[MAX_SCREWS];
    size_t nscrews, nplanned, nactual;
    fx_raster_opts opts;
    const char *out;
    int json;
} render_args;

/* "path[:colour[@opacity]]": the colour is what follows the last ':' when it
 * parses as one, so that paths with ':' in them still work. */
static int parse_mesh_arg(render_args *a, char *arg)
{
    size_t i = a->n;
    char *colon = strrchr(arg, ':');
    double op = 1.0;

    if (i == MAX_MESHES)
        return cli_usage("fxaudit render", "at most %d meshes", MAX_MESHES);
    default_colour(i, a->items[i].rgb);
    if (colon && parse_colour(colon + 1, a->items[i].rgb, &op) == 0)
        *colon = '\0';
    else if (colon && !strchr(colon, '/') && strchr(colon + 1, '.') == NULL)
        return cli_usage("fxaudit render", "unknown colour '%s' (see --help)", colon + 1);
    a->items[i].opacity = op;
    a->paths[i] = arg;
    const char *base = strrchr(arg, '/');
    snprintf(a->labels[i], sizeof(a->labels[i]), "%s", base ? base + 1 : arg);
    char *dot = strrchr(a->labels[i], '.');
    if (dot && dot != a->labels[i])
        *dot = '\0';
    a->n++;
    return EXIT_OK;
}

static int parse_screw(render_args *a, const char *s, int planned)
{
    double v[6];
    const char *p = s;
    char *end;

    if (a->nscrews == MAX_SCREWS)
        return cli_usage("fxaudit render", "at most %d screws", MAX_SCREWS);
    for (int k = 0; k < 6; k++) {
        v[k] = strtod(p, &end);
        if (end == p || (k < 5 && *end != ',') || (k == 5 && *end))
            return cli_usage("fxaudit render",
                             "a screw is six numbers X,Y,Z,X,Y,Z (entry, tip; mm), not '%s'", s);
        p = end + 1;
    }
    fx_render_screw *sc = &a->screws[a->nscrews++];
    sc->entry = fx_v3(v[0], v[1], v[2]);
    sc->tip = fx_v3(v[3], v[4], v[5]);
    sc->style = planned ? FX_SCREW_LINE : FX_SCREW_CYLINDER;
    double op;
    parse_colour(planned ? "planned" : "actual", sc->rgb, &op);
    *(planned ? &a->nplanned : &a->nactual) += 1;
    return EXIT_OK;
}

static int parse_size(const char *s, fx_raster_opts *o)
{
    char *end;
    long w = strtol(s, &end, 10), h;
    if (end == s || (*end != 'x' && *end != 'X'))
        return cli_usage("fxaudit render", "--size wants WIDTHxHEIGHT, not '%s'", s);
    const char *p = end + 1;
    h = strtol(p, &end, 10);
    if (end == p || *end || w < 16 || h < 16 || w > 8000 || h > 8000)
        return cli_usage("fxaudit render", "--size wants 16..8000 x 16..8000 pixels, not '%s'", s);
    o->width = (int)w;
    o->height = (int)h;
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, render_args *a)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"view", required_argument, NULL, 'v'},
        {"side", required_argument, NULL, 's'},
        {"size", required_argument, NULL, 'S'},
        {"planned", required_argument, NULL, 'p'},
        {"actual", required_argument, NULL, 'a'},
        {"screw-diameter", required_argument, NULL, 'd'},
        {"flat", no_argument, NULL, 'f'},
        {"supersample", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = "fxaudit render";
    double diameter = 3.5;
    long ss;
    int c, rc = EXIT_OK;

    fx_raster_opts_default(&a->opts);
    cli_getopt_reset();
    while (rc == EXIT_OK && (c = getopt_long(argc, argv, "o:v:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            a->out = optarg;
            break;
        case 'v': {
            int v = fx_view_from_name(optarg);
            if (v < 0)
                return cli_usage(cmd, "--view must be anterior, lateral or superior, not '%s'",
                                 optarg);
            a->opts.view = (fx_view)v;
            break;
        }
        case 's':
            if (strcmp(optarg, "left") && strcmp(optarg, "right"))
                return cli_usage(cmd, "--side must be left or right, not '%s'", optarg);
            a->opts.side = !strcmp(optarg, "left") ? FX_SIDE_LEFT : FX_SIDE_RIGHT;
            break;
        case 'S':
            rc = parse_size(optarg, &a->opts);
            break;
        case 'p':
            rc = parse_screw(a, optarg, 1);
            break;
        case 'a':
            rc = parse_screw(a, optarg, 0);
            break;
        case 'd':
            rc = cli_parse_double(cmd, "--screw-diameter", optarg, &diameter);
            if (rc == EXIT_OK && !(diameter > 0 && diameter < 50))
                return cli_usage(cmd, "--screw-diameter must be between 0 and 50 mm");
            break;
        case 'f':
            a->opts.shading = FX_SHADE_FLAT;
            break;
        case 'n':
            rc = cli_parse_int(cmd, "--supersample", optarg, 1, 4, &ss);
            a->opts.supersample = (int)ss;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'h':
            return cli_help(help), -1;
        default:
            return cli_usage(cmd, "unknown option");
        }
    }
    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 0; i < a->nscrews; i++)
        a->screws[i].diameter_mm = diameter;
    for (int i = optind; i < argc && rc == EXIT_OK; i++)
        rc = parse_mesh_arg(a, argv[i]);
    if (rc == EXIT_OK && a->n == 0 && a->nscrews == 0)
        return cli_usage(cmd, "give at least one mesh to draw");
    if (rc == EXIT_OK && !a->out)
        return cli_usage(cmd, "give the output PNG with -o");
    return rc;
}

static int read_meshes(render_args *a, fx_mesh **meshes, size_t *triangles)
{
    fx_error err;
    *triangles = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (fx_mesh_read(a->paths[i], NULL, &meshes[i], &err))
            return cli_error(&err);
        if (meshes[i]->nt == 0)
            return cli_failf("'%s' has no triangles to draw", a->paths[i]);
        a->items[i].mesh = meshes[i];
        *triangles += meshes[i]->nt;
    }
    return EXIT_OK;
}

static size_t build_legend(const render_args *a, fx_render_legend *lg)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        lg[n].label = a->labels[i];
        memcpy(lg[n++].rgb, a->items[i].rgb, 3);
    }
    double op;
    if (a->nplanned) {
        lg[n].label = "planned screw";
        parse_colour("planned", lg[n++].rgb, &op);
    }
    if (a->nactual) {
        lg[n].label = "actual screw";
        parse_colour("actual", lg[n++].rgb, &op);
    }
    return n;
}

static int print_result(const render_args *a, const fx_image *im, size_t triangles)
{
    if (!a->json) {
        printf("wrote %s (%d x %d, %s view, %.3g px/mm)\n", a->out, im->w, im->h,
               fx_view_name(a->opts.view), im->px_per_mm);
        return EXIT_OK;
    }
    json_t *j = json_object();
    json_object_set_new(j, "output", json_string(a->out));
    json_object_set_new(j, "view", json_string(fx_view_name(a->opts.view)));
    if (a->opts.view == FX_VIEW_LATERAL)
        json_object_set_new(j, "side",
                            json_string(a->opts.side == FX_SIDE_LEFT ? "left" : "right"));
    json_object_set_new(j, "width", json_integer(im->w));
    json_object_set_new(j, "height", json_integer(im->h));
    json_object_set_new(j, "px_per_mm", json_real(im->px_per_mm));
    double covered = 0;
    for (size_t i = 0; i < (size_t)im->w * (size_t)im->h; i++)
        covered += im->coverage[i] / 255.0;
    json_object_set_new(j, "coverage_px", json_real(covered));
    json_object_set_new(j, "meshes", json_integer((json_int_t)a->n));
    json_object_set_new(j, "triangles", json_integer((json_int_t)triangles));
    json_object_set_new(j, "screws", json_integer((json_int_t)a->nscrews));
    return cli_print_json(j);
}

int cmd_render(int argc, char **argv)
{
    static render_args a;
    fx_mesh *meshes[MAX_MESHES] = {0};
    fx_render_legend legend[MAX_MESHES + 2];
    fx_image *im = NULL;
    fx_error err;
    size_t triangles = 0;
    int rc;

    memset(&a, 0, sizeof(a));
    rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = read_meshes(&a, meshes, &triangles);
    if (rc == EXIT_OK) {
        fx_render_scene scene = {a.items,   a.n,    a.screws,
                                 a.nscrews, legend, build_legend(&a, legend)};
        if (fx_raster_render(&scene, &a.opts, &im, &err) ||
            fx_png_write(a.out, im->rgb, im->w, im->h, 3, &err))
            rc = cli_error(&err);
    }
    if (rc == EXIT_OK)
        rc = print_result(&a, im, triangles);
    fx_image_free(im);
    for (size_t i = 0; i < a.n; i++)
        fx_mesh_free(meshes[i]);
    return rc;
}

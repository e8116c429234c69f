/*
 * slices_points.c - `fxaudit slices points`: landmark pixels of a slice image
 * to millimetres through its sidecar; and the sidecar writer and study case
 * lookup that cmd_slices.c uses.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fxaudit/observers.h"
#include "fxaudit/slices.h"
#include "fxaudit/store.h"
#include "fxaudit/volio.h"
#include "slices_cli.h"

#define MAX_POINTS 64

static const char help[] =
    "usage: fxaudit slices points --map DIR/slices.json --image PLANE --px \"U,V;U,V\" [--json]\n"
    "\n"
    "Converts landmark pixel coordinates (column U, row V from the centre of the\n"
    "top-left pixel, fractions allowed) of one slice image (axial, coronal or\n"
    "sagittal) to millimetres (LPS), and for two points prints their distance.\n"
    "The last line is the list to pass to `fxaudit measure record --points`.\n";

int slices_json_write(const char *path, const json_t *doc, fx_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) != 0) {
        unlink(tmp);
        return fx_fail(err, FX_EIO, "%s: cannot write", path);
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return fx_fail(err, FX_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[4096];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) < (int)sizeof(p))
                unlink(p);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

static const char *case_image(json_t *wl, const char *case_code)
{
    size_t i;
    json_t *c;
    json_array_foreach(wl, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "case")) ?: "", case_code) == 0)
            return json_string_value(json_object_get(c, "image"));
    }
    return NULL;
}

int slices_study_volume(const char *study, const char *observer, const char *case_code,
                        fx_volume **out, fx_error *err)
{
    fx_store *s = NULL;
    json_t *wl = NULL;
    const char *base = getenv("TMPDIR");
    char dir[4096], path[4096];
    snprintf(dir, sizeof(dir), "%s/fxaudit-slices-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return fx_fail(err, FX_EIO, "%s: cannot make a temporary folder", dir);
    int rc = fx_store_open(study, &s, err);
    if (rc == 0)
        rc = fx_observers_export(s, observer, dir, &wl, err);
    if (rc == 0) {
        const char *img = case_image(wl, case_code);
        if (!img)
            rc = fx_fail(err, FX_ENOTFOUND, "observer '%s' has no case '%s' with a CT image",
                         observer, case_code);
        else if (snprintf(path, sizeof(path), "%s/%s", dir, img) >= (int)sizeof(path))
            rc = fx_fail(err, FX_EINVAL, "%s: path too long", dir);
        else
            rc = fx_volume_read(path, out, err);
    }
    json_decref(wl);
    fx_store_close(s);
    remove_tree(dir);
    return rc;
}

static int parse_px(const char *s, double *uv, int *n)
{
    const char *p = s;
    char *end;
    *n = 0;
    while (*p) {
        if (*n == MAX_POINTS)
            return -1;
        for (int k = 0; k < 2; k++) {
            errno = 0;
            double x = strtod(p, &end);
            if (end == p || errno || !isfinite(x) || (k == 0 && *end != ','))
                return -1;
            uv[2 * *n + k] = x;
            p = end + (k == 0);
        }
        (*n)++;
        if (*p == ';')
            p++;
        else if (*p)
            return -1;
    }
    return *n ? 0 : -1;
}

static int load_map(const char *file, const char *image, fx_slice_map *m)
{
    json_error_t je;
    json_t *doc = json_load_file(file, 0, &je);
    if (!doc)
        return cli_failf("%s: not a slices sidecar: %s", file, je.text);
    json_t *im = json_object_get(json_object_get(doc, "images"), image);
    json_t *o = json_object_get(im, "origin_mm"), *c = json_object_get(im, "col_mm"),
           *r = json_object_get(im, "row_mm");
    double v[9];
    int ok = strcmp(json_string_value(json_object_get(doc, "format")) ?: "", "fxaudit-slices") == 0;
    for (int i = 0; ok && i < 3; i++) {
        json_t *e[3] = {json_array_get(o, i), json_array_get(c, i), json_array_get(r, i)};
        for (int k = 0; k < 3; k++)
            ok = ok && json_is_number(e[k]), v[3 * k + i] = json_number_value(e[k]);
    }
    m->width = (int)json_integer_value(json_object_get(im, "width"));
    m->height = (int)json_integer_value(json_object_get(im, "height"));
    json_decref(doc);
    if (!ok || m->width <= 0 || m->height <= 0)
        return cli_failf("%s: no image '%s' with origin_mm, col_mm, row_mm, width and height", file,
                         image);
    m->origin_mm = fx_v3(v[0], v[1], v[2]);
    m->col_mm = fx_v3(v[3], v[4], v[5]);
    m->row_mm = fx_v3(v[6], v[7], v[8]);
    return 0;
}

int cmd_slices_points(int argc, char **argv)
{
    static const struct option opts[] = {
        {"map", required_argument, NULL, 'm'}, {"image", required_argument, NULL, 'i'},
        {"px", required_argument, NULL, 'p'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit slices points", *map = NULL, *image = NULL, *px = NULL;
    int c, json = 0, n;
    double uv[2 * MAX_POINTS];
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            map = optarg;
            break;
        case 'i':
            image = optarg;
            break;
        case 'p':
            px = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return cli_help(help);
        default:
            return cli_usage(cmd, "unknown option");
        }
    }
    if (!map || !image || !px || optind < argc)
        return cli_usage(cmd, "--map, --image and --px are required");
    if (fx_slice_plane_from_name(image) < 0)
        return cli_usage(cmd, "--image: axial, coronal or sagittal, not '%s'", image);
    if (parse_px(px, uv, &n))
        return cli_usage(cmd, "--px: expected 1-%d points \"U,V;U,V\", got '%s'", MAX_POINTS, px);
    fx_slice_map m;
    int rc = load_map(map, image, &m);
    if (rc)
        return rc;
    json_t *pts = json_array(), *arg = json_array();
    fx_vec3 w[MAX_POINTS];
    for (int i = 0; i < n; i++) {
        if (uv[2 * i] < -0.5 || uv[2 * i + 1] < -0.5 || uv[2 * i] > m.width - 0.5 ||
            uv[2 * i + 1] > m.height - 0.5) {
            json_decref(pts), json_decref(arg);
            return cli_failf("%s: pixel (%g, %g) lies outside the %s image (%d x %d)", map,
                             uv[2 * i], uv[2 * i + 1], image, m.width, m.height);
        }
        w[i] = fx_slice_px_to_mm(&m, uv[2 * i], uv[2 * i + 1]);
        json_array_append_new(pts, json_pack("{s:[f,f],s:[f,f,f]}", "px", uv[2 * i], uv[2 * i + 1],
                                             "mm", w[i].x, w[i].y, w[i].z));
        json_array_append_new(arg,
                              json_pack("[f,f,f]", round(w[i].x * 1000) / 1000,
                                        round(w[i].y * 1000) / 1000, round(w[i].z * 1000) / 1000));
    }
    double dist = n == 2 ? fx_v3_dist(w[0], w[1]) : NAN;
    char *argtext = json_dumps(arg, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(arg);
    if (json) {
        json_t *doc = json_pack("{s:s,s:o,s:o,s:s}", "image", image, "points", pts, "distance_mm",
                                n == 2 ? json_real(dist) : json_null(), "measure_points",
                                argtext ? argtext : "");
        free(argtext);
        return cli_print_json(doc);
    }
    for (int i = 0; i < n; i++)
        printf("%s (%g, %g) px = (%.3f, %.3f, %.3f) mm LPS\n", image, uv[2 * i], uv[2 * i + 1],
               w[i].x, w[i].y, w[i].z);
    if (n == 2)
        printf("distance %.3f mm\n", dist);
    printf("--points '%s'\n", argtext ? argtext : "");
    free(argtext);
    json_decref(pts);
    return EXIT_OK;
}

/*
 * cmd_segment.c - fxaudit segment: a label volume of bone (or metal) from a
 * CT volume: threshold, morphology, hole filling, then connected parts, a
 * watershed split of touching fragments, or growth from the user's seeds.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/segment.h"
#include "fxaudit/volio.h"

static const char help[] =
    "usage: fxaudit segment VOLUME -o LABELS.nrrd [options]\n"
    "\n"
    "Labels bone in a CT volume (NRRD, NIfTI or a DICOM folder): threshold,\n"
    "optional closing, opening and hole filling, then connected parts numbered\n"
    "by decreasing size (1 is the largest). Writes a uint16 NRRD label volume.\n"
    "\n"
    "  --threshold LO:HI   HU range (default the bone preset 226:3071)\n"
    "  --metal             metal instead: 2500 HU and above\n"
    "  --connectivity N    6, 18 or 26 (default 26)\n"
    "  --min-size MM3      drop parts smaller than this (default 0)\n"
    "  --close MM          morphological closing with a ball of radius MM\n"
    "  --open MM           morphological opening with a ball of radius MM\n"
    "  --fill-holes[=3d|slice]  fill enclosed background (default 3d)\n"
    "  --split MM          split touching fragments: seeds are the mask eroded by\n"
    "                      MM, grown back in a watershed on the distance map\n"
    "  --seeds FILE        grow one label per seed (lines 'x y z', LPS mm)\n"
    "  -o, --output FILE   label volume to write (.nrrd, gzip-compressed)\n"
    "  --json              print per-label voxel counts and volumes as JSON\n"
    "  -h, --help          show this help\n";

typedef struct seg_args {
    const char *in, *out, *seeds;
    double lo, hi, min_mm3, open_mm, close_mm, split_mm;
    int conn, fill, json; /* fill: 0 none, 1 3-D, 2 per slice */
} seg_args;

static int parse_range(const char *s, double *lo, double *hi)
{
    char buf[128];
    const char *colon = strchr(s, ':');
    if (!colon || strlen(s) >= sizeof(buf))
        return cli_usage("fxaudit segment", "--threshold wants LO:HI, not '%s'", s);
    snprintf(buf, sizeof(buf), "%.*s", (int)(colon - s), s);
    int rc = cli_parse_double("fxaudit segment", "--threshold LO", buf, lo);
    if (!rc)
        rc = cli_parse_double("fxaudit segment", "--threshold HI", colon + 1, hi);
    if (!rc && *hi < *lo)
        return cli_usage("fxaudit segment", "threshold range '%s' is empty", s);
    return rc;
}

static int parse_opt(int c, seg_args *a)
{
    const char *cmd = "fxaudit segment";
    long n;
    int rc = EXIT_OK;
    switch (c) {
    case 't': return parse_range(optarg, &a->lo, &a->hi);
    case 'm': a->lo = FX_METAL_HU_MIN, a->hi = 1e30; return EXIT_OK;
    case 'c':
        rc = cli_parse_int(cmd, "--connectivity", optarg, 6, 26, &n);
        if (!rc && n != 6 && n != 18 && n != 26)
            return cli_usage(cmd, "--connectivity must be 6, 18 or 26");
        a->conn = (int)n;
        return rc;
    case 's': return cli_parse_double(cmd, "--min-size", optarg, &a->min_mm3);
    case 'O': return cli_parse_double(cmd, "--open", optarg, &a->open_mm);
    case 'C': return cli_parse_double(cmd, "--close", optarg, &a->close_mm);
    case 'S': return cli_parse_double(cmd, "--split", optarg, &a->split_mm);
    case 'f':
        if (!optarg || !strcmp(optarg, "3d"))
            a->fill = 1;
        else if (!strcmp(optarg, "slice"))
            a->fill = 2;
        else
            return cli_usage(cmd, "--fill-holes takes 3d or slice, not '%s'", optarg);
        return EXIT_OK;
    case 'e': a->seeds = optarg; return EXIT_OK;
    case 'o': a->out = optarg; return EXIT_OK;
    case 'j': a->json = 1; return EXIT_OK;
    }
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, seg_args *a)
{
    static const struct option opts[] = {
        {"threshold", required_argument, NULL, 't'}, {"metal", no_argument, NULL, 'm'},
        {"connectivity", required_argument, NULL, 'c'}, {"min-size", required_argument, NULL, 's'},
        {"open", required_argument, NULL, 'O'},      {"close", required_argument, NULL, 'C'},
        {"fill-holes", optional_argument, NULL, 'f'}, {"split", required_argument, NULL, 'S'},
        {"seeds", required_argument, NULL, 'e'},     {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},            {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "fxaudit segment";
    int c, rc = EXIT_OK;

    memset(a, 0, sizeof(*a));
    a->lo = FX_BONE_HU_MIN, a->hi = FX_BONE_HU_MAX, a->conn = 26;
    cli_getopt_reset();
    while (!rc && (c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_help(help), -1;
        rc = parse_opt(c, a);
    }
    if (rc)
        return rc;
    if (optind != argc - 1)
        return cli_usage(cmd, "give exactly one VOLUME");
    a->in = argv[optind];
    if (!a->out)
        return cli_usage(cmd, "give the output label volume with -o LABELS.nrrd");
    if (a->min_mm3 < 0 || a->open_mm < 0 || a->close_mm < 0 || a->split_mm < 0)
        return cli_usage(cmd, "sizes and radii must not be negative");
    if (a->seeds && a->split_mm > 0)
        return cli_usage(cmd, "give --seeds or --split, not both");
    return EXIT_OK;
}

/* Seeds: one "x y z" per line in LPS mm; blank lines and '#' comments skipped. */
static int read_seeds(const char *path, fx_vec3 **out, size_t *n, fx_error *err)
{
    FILE *f = fopen(path, "r");
    char line[512];
    size_t cap = 0, lineno = 0;
    *out = NULL, *n = 0;
    if (!f)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        char *p = line, *end;
        double x[3];
        lineno++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        for (int c = 0; c < 3; c++) {
            errno = 0;
            x[c] = strtod(p, &end);
            if (end == p || errno || !isfinite(x[c])) {
                fclose(f);
                free(*out), *out = NULL;
                return fx_fail(err, FX_EFORMAT, "'%s' line %zu: expected three coordinates "
                               "'x y z' in mm", path, lineno);
            }
            p = end;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            fx_vec3 *g = realloc(*out, cap * sizeof(*g));
            if (!g) {
                fclose(f);
                free(*out), *out = NULL;
                return fx_fail(err, FX_ENOMEM, "cannot allocate seeds");
            }
            *out = g;
        }
        (*out)[(*n)++] = fx_v3(x[0], x[1], x[2]);
    }
    fclose(f);
    if (!*n)
        return fx_fail(err, FX_EFORMAT, "'%s' holds no seed", path);
    return FX_OK;
}

/* Threshold and clean-up of the mask. */
static int make_mask(const seg_args *a, const fx_volume *v, fx_volume **mask, fx_error *err)
{
    int rc = fx_segment_threshold(v, a->lo, a->hi, mask, err);
    if (!rc && a->close_mm > 0)
        rc = fx_segment_close(*mask, a->close_mm, err);
    if (!rc && a->open_mm > 0)
        rc = fx_segment_open(*mask, a->open_mm, err);
    if (!rc && a->fill)
        rc = fx_segment_fill_holes(*mask, a->fill == 2, err);
    return rc;
}

static int make_labels(const seg_args *a, const fx_volume *mask, fx_volume **lab,
                       fx_segment_part **p, size_t *n, fx_error *err)
{
    fx_vec3 *seeds = NULL;
    size_t ns = 0;
    int rc;
    if (a->seeds) {
        rc = read_seeds(a->seeds, &seeds, &ns, err);
        if (!rc)
            rc = fx_segment_grow(mask, seeds, ns, lab, p, n, err);
        if (rc)
            fx_error_prefix(err, "seeds '%s'", a->seeds);
        free(seeds);
        return rc;
    }
    if (a->split_mm > 0)
        return fx_segment_split(mask, a->split_mm, a->min_mm3, lab, p, n, err);
    return fx_segment_components(mask, a->conn, a->min_mm3, lab, p, n, err);
}

static int report(const seg_args *a, const fx_segment_part *p, size_t n)
{
    size_t vox = 0;
    double mm3 = 0;
    for (size_t i = 0; i < n; i++)
        vox += p[i].voxels, mm3 += p[i].volume_mm3;
    if (!a->json) {
        printf("%s: %zu label(s), %zu voxels, %.1f mm^3\n", a->out, n, vox, mm3);
        for (size_t i = 0; i < n && i < 20; i++)
            printf("  label %u: %zu voxels, %.1f mm^3\n", p[i].label, p[i].voxels,
                   p[i].volume_mm3);
        return EXIT_OK;
    }
    json_t *j = json_object(), *labels = json_array();
    double range[2] = {a->lo, a->hi < 1e29 ? a->hi : 32767};
    json_object_set_new(j, "output", json_string(a->out));
    json_object_set_new(j, "threshold", cli_json_doubles(range, 2));
    json_object_set_new(j, "connectivity", json_integer(a->conn));
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_object();
        json_object_set_new(l, "label", json_integer(p[i].label));
        json_object_set_new(l, "voxels", json_integer((json_int_t)p[i].voxels));
        json_object_set_new(l, "volume_mm3", json_real(p[i].volume_mm3));
        json_array_append_new(labels, l);
    }
    json_object_set_new(j, "labels", labels);
    json_object_set_new(j, "total_voxels", json_integer((json_int_t)vox));
    json_object_set_new(j, "total_volume_mm3", json_real(mm3));
    return cli_print_json(j);
}

int cmd_segment(int argc, char **argv)
{
    seg_args a;
    fx_volume *v = NULL, *mask = NULL, *lab = NULL;
    fx_segment_part *parts = NULL;
    size_t n = 0;
    fx_error err = {0};
    int rc = parse_args(argc, argv, &a);

    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    rc = fx_volume_read(a.in, &v, &err);
    if (!rc)
        rc = make_mask(&a, v, &mask, &err);
    fx_volume_free(v);
    if (!rc)
        rc = make_labels(&a, mask, &lab, &parts, &n, &err);
    fx_volume_free(mask);
    if (!rc)
        rc = fx_nrrd_write(a.out, lab, 1, &err);
    fx_volume_free(lab);
    if (!rc)
        rc = report(&a, parts, n);
    else
        rc = cli_error(&err);
    free(parts);
    return rc;
}

/*
 * cmd_register_points.c - `fxaudit register-points`: closed-form rigid
 * registration of paired landmarks, with the fiducial registration error of
 * every pair.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "fxaudit/landmarks.h"
#include "fxaudit/paired.h"
#include "fxaudit/tfm.h"

static const char *help =
    "usage: fxaudit register-points FILE [-o T.tfm|T.json] [--json]\n\n"
    "Finds the rigid transform that best maps the moving landmarks onto the fixed ones\n"
    "(least squares, Horn's closed form; x_fixed = R x_moving + t) and reports the\n"
    "fiducial registration error (FRE) of each pair: |T(moving) - fixed| in mm.\n\n"
    "FILE is CSV with a header naming moving_x, moving_y, moving_z, fixed_x, fixed_y,\n"
    "fixed_z and optionally name and weight; or JSON: {\"pairs\": [{\"name\": ...,\n"
    "\"moving\": [x,y,z], \"fixed\": [x,y,z], \"weight\": w}]}. At least 3 pairs, not\n"
    "all on one line.\n\n"
    "options:\n"
    "  -o, --output FILE  write the transform (.tfm for 3D Slicer, or .json)\n"
    "  --json             print the result as JSON: matrix (16, row-major), n,\n"
    "                     fre_rms_mm, fre_max_mm, points [{name, fre_mm}]\n"
    "  -h, --help         this text\n";

int cmd_register_points(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL, *cmd = "fxaudit register-points";
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
    if (optind + 1 != argc)
        return cli_usage(cmd, "give exactly one landmark file");
    fx_landmarks l;
    fx_rigid T;
    fx_error err;
    if (fx_landmarks_read(argv[optind], &l, &err))
        return cli_error(&err);
    if (fx_paired_register(l.moving, l.fixed, l.weight, l.n, &T, &err) ||
        (out && fx_transform_write(out, &T, &err))) {
        fx_landmarks_release(&l);
        return cli_error(&err);
    }
    double m[16], ss = 0, mx = 0;
    fx_rigid_to_matrix(&T, m);
    json_t *pts = json_array();
    if (!json)
        printf("%-16s %10s\n", "landmark", "FRE (mm)");
    for (size_t i = 0; i < l.n; i++) {
        double e = fx_v3_dist(fx_rigid_apply(&T, l.moving[i]), l.fixed[i]);
        ss += e * e, mx = e > mx ? e : mx;
        json_t *p = json_object();
        json_object_set_new(p, "name", json_string(l.name[i]));
        json_object_set_new(p, "fre_mm", json_real(e));
        json_array_append_new(pts, p);
        if (!json)
            printf("%-16s %10.4f\n", l.name[i][0] ? l.name[i] : "-", e);
    }
    double rms = sqrt(ss / (double)l.n);
    if (!json) {
        json_decref(pts);
        printf("FRE rms %.4f mm, max %.4f mm over %zu pairs\nmatrix (moving -> fixed):\n", rms,
               mx, l.n);
        for (int i = 0; i < 4; i++)
            printf("  %12.8f %12.8f %12.8f %12.6f\n", m[4 * i], m[4 * i + 1], m[4 * i + 2],
                   m[4 * i + 3]);
        fx_landmarks_release(&l);
        return EXIT_OK;
    }
    json_t *j = json_object();
    json_object_set_new(j, "matrix", cli_json_doubles(m, 16));
    json_object_set_new(j, "n", json_integer((json_int_t)l.n));
    json_object_set_new(j, "fre_rms_mm", json_real(rms));
    json_object_set_new(j, "fre_max_mm", json_real(mx));
    json_object_set_new(j, "points", pts);
    fx_landmarks_release(&l);
    return cli_print_json(j);
}

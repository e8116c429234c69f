/*
 * phantoms.h - analytic solids voxelised with partial-volume intensities, for
 * tests that compare surfaces with closed-form volumes and areas.
 */
#ifndef FXAUDIT_TEST_PHANTOMS_H
#define FXAUDIT_TEST_PHANTOMS_H

#include "fxaudit/volume.h"

typedef enum { PH_SPHERE, PH_ELLIPSOID, PH_TORUS, PH_SHELL } ph_kind;

/* sphere: radius a; ellipsoid: semi-axes a >= b >= c along world x, y, z;
 * torus: ring radius a, tube radius b, axis world z; shell: outer a, inner b. */
typedef struct ph_shape {
    ph_kind kind;
    double a, b, c;
    fx_vec3 centre; /* mm, LPS */
} ph_shape;

/* A float volume of occupied fractions (ss^3 samples per voxel near the
 * surface), on a grid with the given spacing and direction, covering the
 * shape with `margin_mm` to spare. NULL when out of memory. */
fx_volume *ph_voxelise(const ph_shape *s, const double spacing[3], const double dir[9],
                       int ss, double margin_mm);

double ph_volume_mm3(const ph_shape *s);
double ph_area_mm2(const ph_shape *s);
long ph_euler(const ph_shape *s);

/* Fill an int16 volume (its grid already set) with the mean of hu(x, ctx)
 * over 4 x 4 x 4 points spread evenly in each voxel: partial volume as a
 * scanner's voxel averages it, rounded to whole HU. */
void ph_fill_hu(fx_volume *v, double (*hu)(fx_vec3 x, const void *ctx), const void *ctx);

/* A new int16 volume on the grid dims x spacing from origin (mm, LPS, axes
 * aligned), filled by ph_fill_hu; the caller frees it. Fails the test when
 * out of memory. */
fx_volume *ph_render_hu(const int dims[3], const double spacing[3], const double origin[3],
                        double (*hu)(fx_vec3 x, const void *ctx), const void *ctx);

/* A proper rotation (row-major) about a unit axis by angle_rad. */
void ph_rotation(fx_vec3 axis, double angle_rad, double r[9]);

/* An analytic 3.5 mm screw of the audit tests: shaft from `entry` along the
 * unit `dir` for length_mm, a 6 mm x 2.5 mm head above the entry (mm, LPS). */
typedef struct ph_screw_truth {
    fx_vec3 entry, dir;
    double length_mm;
} ph_screw_truth;

/* 1 when p lies in the screw's shaft or head. */
int ph_in_screw(fx_vec3 p, const ph_screw_truth *s);

#endif

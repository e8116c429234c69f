/*
 * vec3.h - 3-D vectors and rigid transforms in millimetres.
 *
 * Coordinates are DICOM patient coordinates (LPS) unless a header says
 * otherwise. A rigid transform maps x to R*x + t; R is a proper rotation stored
 * row-major. Angles are radians inside the library and degrees only in output.
 */
#ifndef FXAUDIT_VEC3_H
#define FXAUDIT_VEC3_H

#include <math.h>

typedef struct fx_vec3 {
    double x, y, z;
} fx_vec3;

typedef struct fx_rigid {
    double r[9]; /* rotation, row-major */
    double t[3]; /* translation, mm */
} fx_rigid;

static inline fx_vec3 fx_v3(double x, double y, double z) { return (fx_vec3){x, y, z}; }
static inline fx_vec3 fx_v3_add(fx_vec3 a, fx_vec3 b) { return fx_v3(a.x + b.x, a.y + b.y, a.z + b.z); }
static inline fx_vec3 fx_v3_sub(fx_vec3 a, fx_vec3 b) { return fx_v3(a.x - b.x, a.y - b.y, a.z - b.z); }
static inline fx_vec3 fx_v3_scale(fx_vec3 a, double s) { return fx_v3(a.x * s, a.y * s, a.z * s); }
static inline double fx_v3_dot(fx_vec3 a, fx_vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline fx_vec3 fx_v3_cross(fx_vec3 a, fx_vec3 b)
{
    return fx_v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
static inline double fx_v3_norm(fx_vec3 a) { return sqrt(fx_v3_dot(a, a)); }
static inline double fx_v3_dist(fx_vec3 a, fx_vec3 b) { return fx_v3_norm(fx_v3_sub(a, b)); }
/* a/|a|; the zero vector stays zero. */
fx_vec3 fx_v3_unit(fx_vec3 a);
/* Angle between two directions in radians, in [0, pi]. */
double fx_v3_angle(fx_vec3 a, fx_vec3 b);
/* Angle between two lines (axes without sign), acos(|u.v|), in [0, pi/2]. */
double fx_v3_axis_angle(fx_vec3 a, fx_vec3 b);

/* The identity transform. */
fx_rigid fx_rigid_identity(void);
/* R*p + t. */
fx_vec3 fx_rigid_apply(const fx_rigid *T, fx_vec3 p);
/* R*v (directions and normals). */
fx_vec3 fx_rigid_rotate(const fx_rigid *T, fx_vec3 v);
/* a∘b: first b, then a. */
fx_rigid fx_rigid_compose(const fx_rigid *a, const fx_rigid *b);
fx_rigid fx_rigid_inverse(const fx_rigid *T);
/* Rotation of `angle_rad` about the unit `axis`, then translation `t`. */
fx_rigid fx_rigid_from_axis_angle(fx_vec3 axis, double angle_rad, fx_vec3 t);
/* Rotation angle of T's rotation, radians in [0, pi]. */
double fx_rigid_rotation_angle(const fx_rigid *T);
/* Angle (radians) of a^-1∘b's rotation: how far apart two rotations are. */
double fx_rigid_rotation_distance(const fx_rigid *a, const fx_rigid *b);
/* 4x4 homogeneous matrix, row-major, 16 numbers; and back. The inverse
 * conversion re-orthonormalises R (polar decomposition by SVD) so that a
 * matrix printed with 10 significant digits reads back as a proper rotation. */
void fx_rigid_to_matrix(const fx_rigid *T, double m[16]);
int fx_rigid_from_matrix(const double m[16], fx_rigid *T);

#endif

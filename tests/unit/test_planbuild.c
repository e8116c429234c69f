/*
 * test_planbuild.c - the whole planning pipeline on a voxelised, bilaterally
 * symmetric model with femoral heads on both sides and one column on the
 * right displaced by a known rigid transform: parts get their roles, the
 * plane and side are found, and the planned pose undoes the displacement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxaudit/planbuild.h"

struct ell {
    fx_vec3 c, semi;
};

/* Bone pieces of the anatomical model; index 4 (the right column) is the
 * fragment, displaced by D in the pre-op scan. */
static const struct ell PIECES[] = {
    {{0, 20, 0}, {15, 10, 25}},    /* sacrum */
    {{35, 12, 10}, {25, 8, 20}},   /* left wing, joined to the sacrum */
    {{-35, 12, 10}, {25, 8, 20}},  /* right wing */
    {{40, 4, -12}, {6, 9, 16}},    /* left column, joined to its wing (triaxial: no */
                                   /* symmetry hides its rotation) */
    {{-40, 4, -12}, {6, 9, 16}},   /* right column: the fragment */
    {{50, 4, -45}, {12, 12, 12}},  /* left femoral head */
    {{-50, 4, -45}, {12, 12, 12}}, /* right femoral head */
};

static fx_rigid displacement(void)
{
    fx_vec3 c = PIECES[4].c;
    fx_rigid R = fx_rigid_from_axis_angle(fx_v3(0, 1, 0.3), 8 * M_PI / 180, fx_v3(0, 0, 0));
    fx_vec3 t = fx_v3_add(fx_v3_sub(c, fx_rigid_rotate(&R, c)), fx_v3(4, -12, 3));
    R.t[0] = t.x, R.t[1] = t.y, R.t[2] = t.z;
    return R;
}

/* Normalised distance inside an ellipsoid: < 1 inside. */
static double inside(const struct ell *e, fx_vec3 p, double shrink)
{
    double x = (p.x - e->c.x) / (e->semi.x - shrink), y = (p.y - e->c.y) / (e->semi.y - shrink);
    double z = (p.z - e->c.z) / (e->semi.z - shrink);
    return x * x + y * y + z * z;
}

static double hu_at(fx_vec3 p, const fx_rigid *Dinv)
{
    double v = 40;
    for (int k = 0; k < 7; k++) {
        fx_vec3 q = k == 4 ? fx_rigid_apply(Dinv, p) : p; /* the fragment, moved */
        if (inside(&PIECES[k], q, 0) <= 1)
            v = fmax(v, inside(&PIECES[k], q, 2) <= 1 ? 300 : 1500);
    }
    return v;
}

static fx_volume *preop_volume(void)
{
    int dims[3] = {112, 70, 84};
    fx_volume *v;
    fx_rigid D = displacement(), Dinv = fx_rigid_inverse(&D);
    assert_int_equal(fx_volume_new(dims, FX_VOX_I16, &v, NULL), 0);
    for (int a = 0; a < 3; a++)
        v->spacing[a] = 1.25;
    v->origin[0] = -69, v->origin[1] = -42, v->origin[2] = -70;
    int16_t *d = v->data;
    for (int z = 0; z < dims[2]; z++)
        for (int y = 0; y < dims[1]; y++)
            for (int x = 0; x < dims[0]; x++) {
                double acc = 0;
                for (int s = 0; s < 8; s++) { /* 2 x 2 x 2 samples: partial volume */
                    fx_vec3 q = fx_v3(x + ((s & 1) - 0.5) / 2, y + (((s >> 1) & 1) - 0.5) / 2,
                                      z + (((s >> 2) & 1) - 0.5) / 2);
                    acc += hu_at(fx_volume_index_to_world(v, q), &Dinv);
                }
                d[x + dims[0] * (y + dims[1] * z)] = (int16_t)lround(acc / 8);
            }
    return v;
}

static void the_pipeline_finds_roles_plane_side_and_undoes_the_displacement(void **state)
{
    (void)state;
    char dir[] = "/tmp/fxplanbuildXXXXXX";
    fx_volume *v = preop_volume();
    fx_plan_build_opts o;
    fx_plan *p;
    fx_error err;

    assert_non_null(mkdtemp(dir));
    fx_plan_build_opts_default(&o);
    o.out_dir = dir;
    o.patient = "T01";
    o.parts.min_mm3 = 200;
    if (fx_plan_build(v, &o, &p, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(p->side, "right");
    double ang = fx_v3_axis_angle(p->plane_normal, fx_v3(1, 0, 0)) * 180 / M_PI;
    print_message("# plane %.3f deg off, d = %.3f mm; %zu parts\n", ang, p->plane_d_mm, p->nfrags);
    assert_true(ang < 1.0 && fabs(p->plane_d_mm) < 1.0);
    int fragments = 0, femurs = 0;
    fx_rigid D = displacement();
    for (size_t i = 0; i < p->nfrags; i++) {
        const fx_plan_fragment *f = &p->frags[i];
        femurs += strncmp(f->name, "femur", 5) == 0;
        if (strncmp(f->name, "fragment", 8))
            continue;
        fragments++;
        fx_rigid back = fx_rigid_compose(&f->pose, &D); /* the identity when right */
        double rot = fx_rigid_rotation_angle(&back) * 180 / M_PI;
        double tr = fx_v3_dist(fx_rigid_apply(&back, PIECES[4].c), PIECES[4].c);
        print_message("# %s: reduced to %.3f deg and %.3f mm of the truth, rms %.3f mm\n",
                      f->name, rot, tr, f->residual_rms_mm);
        assert_true(rot < 1.0 && tr < 1.0);
    }
    assert_int_equal(fragments, 1);
    assert_int_equal(femurs, 2);
    char path[64];
    snprintf(path, sizeof(path), "%s/plan.json", dir);
    fx_plan *q;
    assert_int_equal(fx_plan_read(path, &q, NULL), 0);
    assert_int_equal(q->nfrags, p->nfrags);
    fx_plan_free(q);
    fx_plan_free(p);
    fx_volume_free(v);
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_pipeline_finds_roles_plane_side_and_undoes_the_displacement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

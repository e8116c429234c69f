/*
 * model.h - the phantom patient's internal description, shared by the files
 * of src/phantom (not a public header).
 *
 * Frames. The anatomical frame A is LPS-aligned (x to the patient's left,
 * y posterior, z superior), its origin on the mid-sagittal plane x = 0, which
 * is the exact mirror plane of the intact model. A fragment's displacement
 * D maps anatomical coordinates of a bone point to where that point is in
 * the (displaced) patient, still in A. The scanner pose P maps A into the
 * DICOM patient coordinates of one series. The model is built from a template
 * (left hemipelvis) in template millimetres, mirrored for the right side and
 * scaled by the patient's `scale`.
 */
#ifndef FX_PHANTOM_MODEL_H
#define FX_PHANTOM_MODEL_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "fxaudit/phantom.h"
#include "fxaudit/vec3.h"

enum { PH_BOTH_COLUMN = 1, PH_T_SHAPED = 2 };
enum { PH_MAX_FRAG = 4, PH_MAX_CUTS = 4, PH_MAX_PLATES = 2, PH_MAX_PTS = 64, PH_MAX_SCREWS = 16 };

/* Template constants (mm): hip centre of the left side, joint-surface
 * (acetabular cartilage) radius, femoral head radius, cortical thickness. */
#define PH_HIP_X 86.0
#define PH_HIP_Y (-5.0)
#define PH_HIP_Z 0.0
#define PH_R_JOINT 25.5
#define PH_R_HEAD 23.0
#define PH_CORTEX_MM 3.0
#define PH_DOME_MM 10.0
#define PH_SLEEVE_MM 6.0

typedef struct ph_half {
    fx_vec3 q, n; /* a point and the unit normal pointing into the region */
} ph_half;

/* A fragment's region: the intersection of `nh` half-spaces (anatomical). */
typedef struct ph_region {
    int nh;
    ph_half h[3];
} ph_region;

/* A fracture surface (plane, anatomical) and its name. */
typedef struct ph_cut {
    char name[32];
    ph_half plane;
} ph_cut;

typedef struct ph_screw {
    fx_vec3 entry, tip;   /* anatomical frame, mm; entry on the bone surface */
    double diameter_mm, length_mm;
    int plate, hole;      /* indices */
    int placed;           /* actual screws: 0 when the planned one was not placed */
    double clearance_mm;  /* planned: least depth of the axis in bone beyond 4 mm */
} ph_screw;

typedef struct ph_plate {
    char name[32];
    int npts;
    fx_vec3 pt[PH_MAX_PTS], nrm[PH_MAX_PTS]; /* bone-surface path and outward normals */
    int nholes;
    int hole[PH_MAX_PTS];                    /* path indices of the holes */
    double width_mm, thick_mm, hole_diameter_mm;
} ph_plate;

/* One fragment's gap/step-off measures at the dome, mm; < 0 means "not
 * visible in that plane" (no sample of the fracture line crosses it). */
typedef struct ph_reduction {
    double gap3d_mm, step3d_mm;
    double gap_mm[3], step_mm[3]; /* axial, coronal, sagittal */
    int samples;
} ph_reduction;

struct fx_phantom {
    int index;
    char code[16];
    fx_phantom_opts opts;
    uint64_t pseed;          /* this patient's seed */
    double scale;            /* template -> patient */
    double r_head_mm;        /* femoral head radius in the template (see ph_grid) */
    int side;                /* +1: left hemipelvis fractured, -1: right */
    int pattern;
    int nfrag;               /* fragments of the injured hemipelvis, incl. the stable 0 */
    char frag_name[PH_MAX_FRAG][32];
    ph_region region[PH_MAX_FRAG]; /* region[0] unused: stable = the rest */
    int ncuts;
    ph_cut cut[PH_MAX_CUTS];
    fx_rigid disp[2][PH_MAX_FRAG]; /* [series][fragment], A -> A */
    fx_rigid head[2];              /* injured femur, A -> A */
    fx_rigid pose[2];              /* A -> series patient coordinates */
    fx_rigid dinv[2][PH_MAX_FRAG], hinv[2], pinv[2]; /* their inverses */
    fx_vec3 metal_lo, metal_hi;    /* anatomical bounds of all metal */
    double hu_cortex, hu_cancellous, hu_soft, hu_fat, hu_metal, noise_sd;
    int nplates;
    ph_plate plate[PH_MAX_PLATES];
    fx_rigid plate_dev[PH_MAX_PLATES], plate_dinv[PH_MAX_PLATES]; /* post-op placement error
                                                                    of each plate, A -> A */
    int nscrews;
    ph_screw planned[PH_MAX_SCREWS], actual[PH_MAX_SCREWS];
    /* demographics and outcomes */
    char age_band[16], sex[8], mechanism[48], approach[64];
    int smfa[3][46];
    /* voxel grids */
    int dims[3];
    double spacing[3];
    double origin[2][3];
};

/* anatomy.c: the intact model in the anatomical frame (mm). */
fx_vec3 ph_hip_centre(const fx_phantom *p, int side);
double ph_hemi(const fx_phantom *p, int side, fx_vec3 a);
double ph_sacrum(const fx_phantom *p, fx_vec3 a);
double ph_femur(const fx_phantom *p, int side, fx_vec3 a);
/* Soft tissue: body outline, muscle (inside the fat layer), bladder, gas. */
void ph_soft(const fx_phantom *p, fx_vec3 a, double *body, double *muscle, double *bladder,
             double *gas);
/* Outward unit normal of the injured hemipelvis at a (numerical gradient). */
fx_vec3 ph_hemi_normal(const fx_phantom *p, int side, fx_vec3 a);
/* Move a onto the injured hemipelvis surface along the gradient. */
fx_vec3 ph_hemi_project(const fx_phantom *p, int side, fx_vec3 a);

/* fracture.c */
double ph_region_sdf(const ph_region *r, fx_vec3 a);
int ph_label(const fx_phantom *p, fx_vec3 a);
int ph_fracture_make(fx_phantom *p, gsl_rng *rng);
/* Gap and step-off at the dome for one series: per cut (res[c], samples 0
 * when the cut does not cross the dome) and the maximum over all cuts. */
void ph_reduction_measure(const fx_phantom *p, int series, ph_reduction res[PH_MAX_CUTS],
                          ph_reduction *overall);
/* A random unit vector and a rotation about a point (helpers of the making). */
fx_vec3 ph_random_unit(gsl_rng *rng);
fx_rigid ph_rot_about(fx_vec3 axis, double angle_rad, fx_vec3 centre, fx_vec3 shift);
fx_vec3 ph_mirror(int side, fx_vec3 t);

/* implants.c */
int ph_implants_make(fx_phantom *p, gsl_rng *rng);
/* Distance to the post-op metal: the actual screws and each plate where it
 * was placed (plate_dev). */
double ph_metal(const fx_phantom *p, fx_vec3 a);
/* The same metal in two parts, mm: `outer`, the plates and the screws' heads,
 * which lie on the bone and displace the soft tissue; `shaft`, the screws'
 * shafts, which are driven into the bone and displace it. */
void ph_metal_split(const fx_phantom *p, fx_vec3 a, double *outer, double *shaft);

/* scene.c: distances of one series at a point of its patient coordinates;
 * bone and canc are the tissue under any metal (the metal is mixed over it
 * by coverage), so they are not carved by the screws. metal is all the
 * metal, metal_out its plates and heads alone (ph_metal_split). */
typedef struct ph_dist {
    double body, muscle, bladder, gas, bone, canc, metal, metal_out;
} ph_dist;
void ph_scene(const fx_phantom *p, int series, fx_vec3 world, int with_bone, ph_dist *d);
/* The parts of the scene: fragments 0..PH_MAX_FRAG-1 of the injured side,
 * then the rest; each with outer (b) and cancellous (c) distance, but the
 * metal's b is its plates and heads and its c the screws' shafts. */
enum {
    PH_PART_HEMI = PH_MAX_FRAG, PH_PART_SACRUM, PH_PART_FEMUR, PH_PART_FEMUR_INJ, PH_PART_METAL,
    PH_NPARTS
};
typedef struct ph_bc {
    double b, c;
} ph_bc;
/* Evaluate the parts in `mask` (bit i for part i) at anatomical point a;
 * the others are +infinity. */
void ph_scene_parts(const fx_phantom *p, int s, fx_vec3 a, unsigned mask, ph_bc part[PH_NPARTS]);
/* Bone, cancellous, metal and the muscle sleeve from the parts (d->muscle
 * must hold the body's muscle distance). */
void ph_scene_combine(const ph_bc part[PH_NPARTS], ph_dist *d);
double ph_scene_bone(const fx_phantom *p, int series, fx_vec3 world);

/* measure.c: adaptive integration of {f < 0} over a box. */
typedef double (*ph_field)(const void *ctx, fx_vec3 x);
void ph_integrate(ph_field f, const void *ctx, fx_vec3 lo, fx_vec3 hi, double h_leaf,
                  double *volume_mm3, double *area_mm2);

/* cohort.c: the voxel grids and the cached inverse transforms. */
void ph_grid(fx_phantom *p);
void ph_finalise(fx_phantom *p);

#endif

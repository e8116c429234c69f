/*
 * icp.h - rigid surface registration: robust, trimmed point-to-plane ICP of
 * a moving mesh onto a fixed one, with coarse-to-fine sampling, a global
 * initial alignment by principal axes, and an honest quality report.
 *
 * The result maps the moving model into the fixed model's coordinates:
 * x_fixed = R*x_moving + t. Lengths in mm. The fixed mesh needs triangles
 * (closest points are exact points on them); the moving mesh is used as a
 * point set (its vertices), so its sampling may differ from the fixed one.
 */
#ifndef FXAUDIT_ICP_H
#define FXAUDIT_ICP_H

#include <stdbool.h>
#include <stdint.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef enum fx_icp_init {
    FX_ICP_INIT_AUTO = 0, /* the start pose and the principal-axes candidates; best wins */
    FX_ICP_INIT_NONE,     /* the start pose only */
    FX_ICP_INIT_PCA,      /* principal-axes candidates only */
} fx_icp_init;

typedef struct fx_icp_opts {
    fx_icp_init init;
    fx_rigid start;         /* start pose (moving -> fixed), e.g. from landmarks; identity */
    int levels;             /* coarse-to-fine sampling levels (default 3) */
    size_t max_samples;     /* moving points used at the finest level (default 30000) */
    int max_iterations;     /* per level (default 40) */
    double tolerance_mm;    /* a level ends when no sample moves more than this (1e-4) */
    double min_overlap;     /* the trimmed fraction never goes below this (0.3) */
    /* Regions: use only vertices whose mask byte is non-zero (NULL: all), and/or
     * whose scalar equals `label` when use_label is set (a mesh without scalars
     * is then used whole). */
    const uint8_t *moving_mask, *fixed_mask;
    bool use_label;
    int label;
    uint64_t seed;          /* for the random subsampling (results are reproducible) */
    int threads;            /* OpenMP threads; 0: the OpenMP default */
} fx_icp_opts;

enum {
    FX_ICP_WARN_NOT_CONVERGED = 1 << 0,
    FX_ICP_WARN_LOW_INLIERS = 1 << 1,
    FX_ICP_WARN_HIGH_RMS = 1 << 2,
    FX_ICP_WARN_ILL_CONDITIONED = 1 << 3,
    FX_ICP_WARN_AMBIGUOUS = 1 << 4,
    FX_ICP_WARN_COUNT = 5,
};

typedef struct fx_icp_result {
    fx_rigid T;              /* moving -> fixed */
    double rms_mm;           /* RMS distance of the inlier samples to the fixed surface */
    double inlier_fraction;  /* of the moving samples, those kept (trimming, weights) */
    int iterations;          /* over all levels and the chosen start */
    bool converged;          /* the finest level met the tolerance */
    double spacing_mm;       /* median edge length of the fixed mesh (for scale) */
    double condition;        /* smallest / largest eigenvalue of the final normal
                                equations, rotations scaled by the sample radius;
                                near 0: some motion is unconstrained */
    double candidate_gap;    /* score of the runner-up start / the winner's (>= 1) */
    unsigned warnings;       /* FX_ICP_WARN_* bits */
    size_t samples;          /* moving points at the finest level */
} fx_icp_result;

/* The defaults above. */
void fx_icp_opts_default(fx_icp_opts *o);

/* Register `moving` onto `fixed`. Normals of `fixed` are computed when absent
 * (the mesh is not changed: a copy is made). On success fills *out; a result
 * that should not be trusted still returns FX_OK, with warnings set. */
int fx_icp_align(const fx_mesh *moving, const fx_mesh *fixed, const fx_icp_opts *o,
                 fx_icp_result *out, fx_error *err);

/* A sentence for one warning bit (lower case, no final period). */
const char *fx_icp_warning_text(unsigned bit);

#endif

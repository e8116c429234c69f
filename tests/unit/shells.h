/*
 * shells.h - thin spherical shells (outer radius 40 mm, walls 3 to 4 mm at 3
 * to 3.5 mm voxels, partial volume, identity direction) on which fixed and
 * data-driven triangulations differ most; shared by test_isosurface and
 * bench/isosurface/shell_phantoms (which gives VTK the same voxels).
 */
#ifndef FXAUDIT_TEST_SHELLS_H
#define FXAUDIT_TEST_SHELLS_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "phantoms.h"

#define THIN_SHELLS 4

/* Shell number c (0 .. THIN_SHELLS-1) voxelised; its shape in *s when not NULL. */
static inline fx_volume *thin_shell(int c, ph_shape *s)
{
    static const double cases[THIN_SHELLS][2] = {{3, 3}, {3, 4}, {3.5, 4}, {3.5, 6}};
    double dir[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, sp[3] = {cases[c][0], cases[c][0], cases[c][0]};
    ph_shape shape = {PH_SHELL, 40, 40 - cases[c][1], 0, {1, 2, 3}};
    if (s)
        *s = shape;
    return ph_voxelise(&shape, sp, dir, 6, 4);
}

/* VTK's volumes of the same shells, stored by bench/isosurface/vtk_shells.py
 * (tests/fixtures/vtk/thin_shells.json under $FX_SRCDIR); NULL, with the
 * reason printed, when it cannot be read. The caller releases it. */
static inline json_t *thin_shells_vtk_reference(void)
{
    const char *src = getenv("FX_SRCDIR");
    char path[4096];
    json_error_t jerr;
    snprintf(path, sizeof(path), "%s/tests/fixtures/vtk/thin_shells.json", src ? src : ".");
    json_t *ref = json_load_file(path, 0, &jerr);
    if (!ref)
        fprintf(stderr, "# cannot read %s: %s\n", path, jerr.text);
    return ref;
}

#endif

/*
 * shell_phantoms.c - writes the thin spherical shells of the isosurface tests
 * (tests/unit/phantoms.c, the same code the unit test uses) as NRRD files, so
 * that vtk_shells.py can measure VTK's volumes on exactly the same voxels.
 *
 * usage: shell_phantoms DIR   (writes DIR/shell0.nrrd .. shell3.nrrd)
 */
#include <stdio.h>

#include "fxaudit/volio.h"
#include "phantoms.h"
#include "shells.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return fprintf(stderr, "usage: shell_phantoms DIR\n"), 2;
    for (int c = 0; c < THIN_SHELLS; c++) {
        char path[4096];
        fx_error err;
        fx_volume *v = thin_shell(c, NULL);
        snprintf(path, sizeof(path), "%s/shell%d.nrrd", argv[1], c);
        if (!v || fx_nrrd_write(path, v, 0, &err))
            return fprintf(stderr, "shell_phantoms: %s\n", v ? err.msg : "out of memory"), 1;
        fx_volume_free(v);
    }
    return 0;
}

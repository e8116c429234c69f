/*
 * mc_cases.c - print fxaudit's marching-cubes table as JSON for
 * bench/isosurface/vtk_single_cubes.py: per case its loops (cube edge numbers,
 * oriented like the triangles) and the apex of each loop's VTK-compatible fan
 * (-1 where no rule fixes the loop). Edge and corner numbering: mctable.h.
 */
#include "config.h"

#include <stdio.h>

#include "mctable.h"

int main(void)
{
    fx_mc_table_init();
    printf("{\n");
    for (int cs = 0; cs < 256; cs++) {
        const fx_mc_case *c = &fx_mc_cases[cs];
        const uint8_t *l = c->loop;
        printf("  \"%d\": {\"loops\": [", cs);
        for (int q = 0; q < c->nloops; l += c->loop_len[q++]) {
            printf("%s[", q ? ", " : "");
            for (int i = 0; i < c->loop_len[q]; i++)
                printf("%s%d", i ? ", " : "", l[i]);
            printf("]");
        }
        printf("], \"apex\": [");
        for (int q = 0; q < c->nloops; q++)
            printf("%s%d", q ? ", " : "", c->apex[q]);
        printf("]}%s\n", cs < 255 ? "," : "");
    }
    printf("}\n");
    return 0;
}

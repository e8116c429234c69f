/*
 * progress.c - a one-line progress bar on stderr, drawn only when stderr is a
 * terminal: piped or logged output stays free of control characters.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int drawn;

static void draw(void *ctx, const char *stage, double fraction)
{
    const int width = 30;
    int fill;
    (void)ctx;
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    fill = (int)(fraction * width + 0.5);
    fprintf(stderr, "\r%-28.28s [", stage ? stage : "");
    for (int i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", (int)(fraction * 100 + 0.5));
    fflush(stderr);
    drawn = 1;
}

fx_progress cli_progress(void)
{
    fx_progress p = {NULL, NULL};
    if (isatty(STDERR_FILENO))
        p.fn = draw;
    return p;
}

void cli_progress_done(void)
{
    if (drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        drawn = 0;
    }
}

/*
 * progress.h - how long work reports how far it has come.
 *
 * Library code never prints; it calls the callback the caller gave (which may be
 * NULL). src/cli turns the calls into a bar on stderr when stderr is a terminal.
 */
#ifndef FXAUDIT_PROGRESS_H
#define FXAUDIT_PROGRESS_H

typedef struct fx_progress {
    /* `fraction` in [0, 1] of the stage named `stage` (a short phrase). */
    void (*fn)(void *ctx, const char *stage, double fraction);
    void *ctx;
} fx_progress;

static inline void fx_progress_report(const fx_progress *p, const char *stage, double fraction)
{
    if (p && p->fn)
        p->fn(p->ctx, stage, fraction);
}

#endif

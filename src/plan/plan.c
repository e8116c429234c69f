/*
 * plan.c - the plan's data model: growing its lists, screws and their
 * lengths.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/plan.h"

int fx_plan_new(fx_plan **out, fx_error *err)
{
    fx_plan *p = calloc(1, sizeof(*p));
    if (!p)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a plan");
    snprintf(p->software, sizeof(p->software), "%s %s", PACKAGE_NAME, PACKAGE_VERSION);
    *out = p;
    return FX_OK;
}

void fx_plan_free(fx_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nplates; i++)
        free(p->plates[i].path);
    free(p->frags);
    free(p->screws);
    free(p->plates);
    free(p->guides);
    free(p->inputs);
    free(p->overlaps);
    free(p);
}

/* Grow `*arr` of `*n` elements of `size` bytes by one and copy `elem` in. */
static int push(void **arr, size_t *n, size_t size, const void *elem, fx_error *err)
{
    char *a = realloc(*arr, (*n + 1) * size);
    if (!a)
        return fx_fail(err, FX_ENOMEM, "cannot grow the plan");
    memcpy(a + *n * size, elem, size);
    *arr = a;
    (*n)++;
    return FX_OK;
}

int fx_plan_add_fragment(fx_plan *p, const fx_plan_fragment *f, fx_error *err)
{
    return push((void **)&p->frags, &p->nfrags, sizeof(*f), f, err);
}

int fx_plan_add_overlap(fx_plan *p, const fx_plan_overlap *o, fx_error *err)
{
    return push((void **)&p->overlaps, &p->noverlaps, sizeof(*o), o, err);
}

int fx_plan_add_screw(fx_plan *p, const fx_plan_screw *s, fx_error *err)
{
    return push((void **)&p->screws, &p->nscrews, sizeof(*s), s, err);
}

int fx_plan_add_guide(fx_plan *p, const fx_plan_guide *g, fx_error *err)
{
    return push((void **)&p->guides, &p->nguides, sizeof(*g), g, err);
}

int fx_plan_add_plate(fx_plan *p, const fx_plan_plate *pl, fx_error *err)
{
    fx_plan_plate copy = *pl;
    int rc;

    copy.path = NULL;
    if (pl->npath) {
        copy.path = malloc(pl->npath * sizeof(fx_vec3));
        if (!copy.path)
            return fx_fail(err, FX_ENOMEM, "cannot copy the path of plate '%s'", pl->name);
        memcpy(copy.path, pl->path, pl->npath * sizeof(fx_vec3));
    }
    rc = push((void **)&p->plates, &p->nplates, sizeof(copy), &copy, err);
    if (rc)
        free(copy.path);
    return rc;
}

int fx_plan_add_input(fx_plan *p, const char *role, const char *path, const char *sha256,
                      fx_error *err)
{
    fx_plan_input in;
    memset(&in, 0, sizeof(in));
    snprintf(in.role, sizeof(in.role), "%s", role);
    snprintf(in.path, sizeof(in.path), "%s", path);
    snprintf(in.sha256, sizeof(in.sha256), "%s", sha256 ? sha256 : "");
    return push((void **)&p->inputs, &p->ninputs, sizeof(in), &in, err);
}

fx_plan_screw fx_plan_screw_make(const char *name, fx_vec3 entry, fx_vec3 dir,
                                 double diameter_mm, double length_mm)
{
    fx_plan_screw s;
    memset(&s, 0, sizeof(s));
    snprintf(s.name, sizeof(s.name), "%s", name);
    s.entry = entry;
    s.dir = fx_v3_unit(dir);
    s.diameter_mm = diameter_mm;
    s.length_mm = length_mm;
    s.corridor_mm = s.suggested_mm = s.clearance_mm = s.joint_distance_mm = NAN;
    return s;
}

fx_vec3 fx_plan_screw_tip(const fx_plan_screw *s)
{
    return fx_v3_add(s->entry, fx_v3_scale(s->dir, s->length_mm));
}

double fx_plan_round_length(double corridor_mm, double min_mm, double step_mm, double max_mm)
{
    if (!(corridor_mm >= min_mm) || !(step_mm > 0))
        return 0;
    /* A tiny tolerance keeps a corridor of exactly 40.0 mm from rounding to 38. */
    double k = floor((fmin(corridor_mm, max_mm) - min_mm) / step_mm + 1e-9);
    return min_mm + k * step_mm;
}

const fx_plan_fragment *fx_plan_find_fragment(const fx_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nfrags; i++)
        if (!strcmp(p->frags[i].name, name))
            return &p->frags[i];
    return NULL;
}

const fx_plan_screw *fx_plan_find_screw(const fx_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nscrews; i++)
        if (!strcmp(p->screws[i].name, name))
            return &p->screws[i];
    return NULL;
}

const fx_plan_plate *fx_plan_find_plate(const fx_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nplates; i++)
        if (!strcmp(p->plates[i].name, name))
            return &p->plates[i];
    return NULL;
}

const fx_plan_plate *fx_plan_plate_of_screw(const fx_plan *p, const fx_plan_screw *s)
{
    const fx_plan_plate *pl = s->plate[0] ? fx_plan_find_plate(p, s->plate) : NULL;
    double best = 5.0;
    for (size_t i = 0; !pl && i < p->nplates; i++)
        for (size_t k = 0; k < p->plates[i].npath; k++) {
            double d = fx_v3_dist(p->plates[i].path[k], s->entry);
            if (d < best) {
                best = d;
                pl = &p->plates[i];
            }
        }
    return pl;
}

/*
 * watershed.c - splitting touching fragments. Seeds (the cores left by an
 * erosion, or points the user gives) grow over the mask in order of
 * decreasing distance to the background: a seeded watershed on the distance
 * map, whose dams fall on the narrow necks where fragments touch. The order is
 * kept by a binary max-heap; a voxel takes the label of the first seed to
 * reach it (6-connected growth).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fxaudit/segment.h"
#include "runs.h"

typedef struct item {
    float key;
    uint32_t idx;
} item;

typedef struct heap {
    item *a;
    size_t n, cap;
} heap;

static int heap_push(heap *h, float key, uint32_t idx)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 65536;
        item *a = realloc(h->a, cap * sizeof(*a));
        if (!a)
            return -1;
        h->a = a, h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->a[p].key >= key)
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = (item){key, idx};
    return 0;
}

static item heap_pop(heap *h)
{
    item top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->a[c + 1].key > h->a[c].key)
            c++;
        if (h->a[c].key <= last.key)
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n)
        h->a[i] = last;
    return top;
}

/* Grow the labels already in `lab` over `mask` in order of D (larger first). */
static int flood(const fx_volume *mask, const float *D, uint16_t *lab)
{
    int nx = mask->dims[0], ny = mask->dims[1], nz = mask->dims[2];
    size_t n = fx_volume_count(mask), sxy = (size_t)nx * ny;
    const uint8_t *m = mask->data;
    heap h = {0};
    int rc = 0;

    for (size_t i = 0; i < n && !rc; i++)
        if (lab[i])
            rc = heap_push(&h, D[i], (uint32_t)i);
    while (h.n && !rc) {
        item it = heap_pop(&h);
        size_t i = it.idx;
        int x = (int)(i % nx), y = (int)((i / nx) % ny), z = (int)(i / sxy);
        size_t nb[6];
        int nn = 0;
        if (x > 0) nb[nn++] = i - 1;
        if (x + 1 < nx) nb[nn++] = i + 1;
        if (y > 0) nb[nn++] = i - nx;
        if (y + 1 < ny) nb[nn++] = i + nx;
        if (z > 0) nb[nn++] = i - sxy;
        if (z + 1 < nz) nb[nn++] = i + sxy;
        for (int q = 0; q < nn && !rc; q++)
            if (m[nb[q]] && !lab[nb[q]]) {
                lab[nb[q]] = lab[i];
                rc = heap_push(&h, D[nb[q]], (uint32_t)nb[q]);
            }
    }
    free(h.a);
    return rc;
}

typedef struct rank {
    size_t n;
    uint16_t label;
} rank;

static int cmp_rank(const void *a, const void *b)
{
    const rank *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->label - y->label;
}

/* Renumber the labels 1.. by decreasing size and report them. */
static int renumber(fx_volume *lab, fx_segment_part **parts, size_t *nparts, fx_error *err)
{
    rank *r = calloc(65536, sizeof(*r));
    uint16_t map[65536];
    uint16_t *d = lab->data;
    size_t n = fx_volume_count(lab);
    if (!r)
        return fx_fail(err, FX_ENOMEM, "cannot allocate label ranks");
    for (int l = 0; l < 65536; l++)
        r[l].label = (uint16_t)l;
    for (size_t i = 0; i < n; i++)
        r[d[i]].n++;
    r[0].n = 0;
    qsort(r + 1, 65535, sizeof(*r), cmp_rank);
    memset(map, 0, sizeof(map));
    for (int l = 1; l < 65536 && r[l].n; l++)
        map[r[l].label] = (uint16_t)l;
    for (size_t i = 0; i < n; i++)
        d[i] = map[d[i]];
    free(r);
    return fx_segment_count(lab, parts, nparts, err);
}

static int check_mask(const fx_volume *mask, fx_error *err)
{
    if (mask->type != FX_VOX_U8)
        return fx_fail(err, FX_EINVAL, "splitting needs a uint8 mask, not %s",
                       fx_voxel_type_name(mask->type));
    if (fx_volume_count(mask) >= UINT32_MAX)
        return fx_fail(err, FX_EUNSUPPORTED, "volume too large to split (%zu voxels)",
                       fx_volume_count(mask));
    return FX_OK;
}

/* Mask voxels no seed reached become parts of their own (26-connected). */
static int label_leftovers(const fx_volume *mask, fx_volume *lab, fx_error *err)
{
    fx_volume *rest, *rl = NULL;
    fx_segment_part *p = NULL;
    size_t np, n = fx_volume_count(mask), used = 0;
    uint16_t *d = lab->data;
    int rc = fx_volume_new_like(mask, FX_VOX_U8, &rest, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        ((uint8_t *)rest->data)[i] = ((const uint8_t *)mask->data)[i] && !d[i];
        used = d[i] > used ? d[i] : used;
    }
    rc = fx_segment_components(rest, 26, 0, &rl, &p, &np, err);
    if (!rc && used + np > 65535)
        rc = fx_fail(err, FX_EUNSUPPORTED, "more than 65535 fragments");
    for (size_t i = 0; i < n && !rc; i++)
        if (((uint16_t *)rl->data)[i])
            d[i] = (uint16_t)(used + ((uint16_t *)rl->data)[i]);
    fx_volume_free(rest), fx_volume_free(rl), free(p);
    return rc;
}

int fx_segment_split(const fx_volume *mask, double erode_mm, double min_seed_mm3,
                     fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                     fx_error *err)
{
    fx_volume *D = NULL, *core = NULL, *seeds = NULL;
    fx_segment_part *sp = NULL;
    size_t nsp, n = fx_volume_count(mask);
    int rc = check_mask(mask, err);

    *labels = NULL, *parts = NULL, *nparts = 0;
    if (rc)
        return rc;
    rc = fx_segment_distance2(mask, 1, &D, err);
    if (!rc)
        rc = fx_volume_new_like(mask, FX_VOX_U8, &core, err);
    if (rc)
        goto out;
    double r2 = erode_mm * erode_mm;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)core->data)[i] = ((float *)D->data)[i] > r2;
    rc = fx_segment_components(core, 26, min_seed_mm3, &seeds, &sp, &nsp, err);
    if (rc)
        goto out;
    if (flood(mask, D->data, seeds->data)) {
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the watershed queue");
        goto out;
    }
    rc = label_leftovers(mask, seeds, err);
    if (!rc)
        rc = renumber(seeds, parts, nparts, err);
    if (!rc)
        *labels = seeds, seeds = NULL;
out:
    fx_volume_free(D), fx_volume_free(core), fx_volume_free(seeds);
    free(sp);
    return rc;
}

int fx_segment_grow(const fx_volume *mask, const fx_vec3 *seeds, size_t nseeds,
                    fx_volume **labels, fx_segment_part **parts, size_t *nparts,
                    fx_error *err)
{
    fx_volume *D = NULL, *lab = NULL;
    int rc = check_mask(mask, err);

    *labels = NULL, *parts = NULL, *nparts = 0;
    if (rc)
        return rc;
    if (nseeds == 0 || nseeds > 65535)
        return fx_fail(err, FX_EINVAL, "region growing needs 1 to 65535 seeds, not %zu",
                       nseeds);
    rc = fx_volume_new_like(mask, FX_VOX_U16, &lab, err);
    if (!rc)
        rc = fx_segment_distance2(mask, 1, &D, err);
    for (size_t s = 0; s < nseeds && !rc; s++) {
        fx_vec3 p = fx_volume_world_to_index(mask, seeds[s]);
        int i = (int)lround(p.x), j = (int)lround(p.y), k = (int)lround(p.z);
        if (i < 0 || j < 0 || k < 0 || i >= mask->dims[0] || j >= mask->dims[1] ||
            k >= mask->dims[2]) {
            rc = fx_fail(err, FX_EINVAL, "seed %zu (%g, %g, %g mm) is outside the volume",
                         s + 1, seeds[s].x, seeds[s].y, seeds[s].z);
            break;
        }
        size_t idx = (size_t)i + (size_t)mask->dims[0] * ((size_t)j + (size_t)mask->dims[1] * k);
        if (!((const uint8_t *)mask->data)[idx])
            rc = fx_fail(err, FX_EINVAL, "seed %zu (%g, %g, %g mm) is not inside the mask",
                         s + 1, seeds[s].x, seeds[s].y, seeds[s].z);
        else
            ((uint16_t *)lab->data)[idx] = (uint16_t)(s + 1);
    }
    if (!rc && flood(mask, D->data, lab->data))
        rc = fx_fail(err, FX_ENOMEM, "cannot allocate the region-growing queue");
    if (!rc)
        rc = fx_segment_count(lab, parts, nparts, err);
    if (!rc)
        *labels = lab, lab = NULL;
    fx_volume_free(D), fx_volume_free(lab);
    return rc;
}

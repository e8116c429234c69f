/*
 * smfa.h - scoring the Short Musculoskeletal Function Assessment (SMFA):
 * 46 items answered 1-5 (higher = worse); the function (dysfunction) index is
 * items 1-34, the bother index items 35-46, and a scale with k answered items
 * scores (sum - k) / (4 k) x 100 on 0-100. A scale is scored only when enough
 * of its items are answered (default: at least half; configurable, and the
 * number used is always reported). Subscales come from a key file the user
 * supplies (format in docs/smfa.md): fxaudit ships no key.
 */
#ifndef FXAUDIT_SMFA_H
#define FXAUDIT_SMFA_H

#include <stddef.h>

#include "fxaudit/csv.h"
#include "fxaudit/error.h"

#define FX_SMFA_ITEMS 46
#define FX_SMFA_NAME_MAX 64

/* A set of items scored together. */
typedef struct fx_smfa_scale {
    char name[FX_SMFA_NAME_MAX];
    int items[FX_SMFA_ITEMS]; /* 1-based item numbers */
    int n_items;
} fx_smfa_scale;

/* The two indices every SMFA has. */
extern const fx_smfa_scale fx_smfa_function_index; /* items 1-34 */
extern const fx_smfa_scale fx_smfa_bother_index;   /* items 35-46 */

typedef struct fx_smfa_key {
    fx_smfa_scale *scales; /* owned: free with fx_smfa_key_free */
    size_t n;
} fx_smfa_key;

/* Read a subscale key file. Fails naming the file and line for a bad item
 * number, a repeated item or scale name, or a missing header. */
int fx_smfa_key_read(const char *path, fx_smfa_key *key, fx_error *err);
void fx_smfa_key_free(fx_smfa_key *key);

typedef struct fx_smfa_form {
    size_t line;                         /* line of the CSV file */
    char id[64];                         /* from the id column, or "" */
    unsigned char answer[FX_SMFA_ITEMS]; /* 1-5, 0 = not answered */
} fx_smfa_form;

/* Forms from a CSV table with columns item1 .. item46 (one row per form) and,
 * when `id_col` is not NULL, an identifier column. Every answer must be a whole
 * number 1-5 or empty; anything else fails naming the file, line and item.
 * *forms is the caller's to free. */
int fx_smfa_forms_read(const fx_csv *t, const char *id_col, fx_smfa_form **forms, size_t *n,
                       fx_error *err);

typedef struct fx_smfa_score {
    double score; /* 0-100; NAN when too few items are answered */
    int answered; /* items of the scale answered */
    int items;    /* items in the scale */
    int required; /* answered items needed to score */
} fx_smfa_score;

/* Items needed to score a scale of `n_items` when at least `min_percent` % of
 * its items must be answered (50 = at least half). */
int fx_smfa_required(int n_items, double min_percent);

/* Score `scale` on one form. */
void fx_smfa_score_scale(const fx_smfa_form *f, const fx_smfa_scale *scale, double min_percent,
                         fx_smfa_score *out);

#endif

/*
 * consensus.h - unblinding for consensus: once every observer who has a
 * patient's pre-op or post-op CT on their list has recorded all three planes
 * of it, the observers' values may be shown side by side and the consensus
 * value recorded, either agreed in a meeting or by a declared rule (mean or
 * maximum of the observers). The patient's gap and step-off at that time point
 * are the largest over the three planes (each taken separately), and are graded
 * by the built-in schemes. Until then nothing here reveals a value.
 *
 * Values used are each observer's current first reading (repeat 1, the last
 * amendment of it); repeats serve intra-observer agreement only. JSON results
 * are new references owned by the caller.
 */
#ifndef FXAUDIT_CONSENSUS_H
#define FXAUDIT_CONSENSUS_H

#include <jansson.h>
#include <stdio.h>

#include "fxaudit/error.h"
#include "fxaudit/store.h"

typedef enum fx_consensus_method {
    FX_CONSENSUS_MEETING, /* values agreed by the observers, given per plane */
    FX_CONSENSUS_MEAN,    /* mean of the observers' values, per plane */
    FX_CONSENSUS_MAX,     /* largest of the observers' values, per plane */
} fx_consensus_method;

/* Every patient and time point with cases: {"ready": [{patient, timepoint,
 * observers, recorded}], "waiting": N}. Cases still being read are only
 * counted, not named. */
int fx_consensus_status(fx_store *s, json_t **out, fx_error *err);

/* The observers' values side by side for one patient and time point:
 * {patient, timepoint, planes: {axial: {observers: {O1: {gap_mm, step_mm}},
 * mean: {...}, max: {...}}, ...}, recorded: consensus or null}. FX_EINVAL, and
 * no value, while any observer has not recorded all three planes. */
int fx_consensus_show(fx_store *s, const char *patient, const char *timepoint, json_t **out,
                      fx_error *err);

/* Record the consensus of one patient and time point: per plane by `method`
 * (for FX_CONSENSUS_MEETING the agreed gap_mm[3], step_mm[3] in the order
 * axial, coronal, sagittal; ignored otherwise), the patient value (largest
 * over the planes) and its grades under the built-in schemes, all in one
 * transaction. Refused while not ready, or when already recorded. *out gets
 * {patient, timepoint, method, planes, gap_mm, step_mm, grades: [{scheme,
 * grade, displacement_mm}]}. */
int fx_consensus_record(fx_store *s, const char *patient, const char *timepoint,
                        fx_consensus_method method, const double gap_mm[3], const double step_mm[3],
                        const char *remark, json_t **out, fx_error *err);

/* Write a CSV of the readings of every case that is ready for consensus, one
 * row per patient, time point and plane, columns <observer>_gap and
 * <observer>_step (first readings) and <observer>_gap_r<k>, <observer>_step_r<k>
 * for repeat k >= 2, empty when absent: the input of `fxaudit stats icc` and
 * `stats bland-altman` for inter- and intra-observer agreement. */
int fx_consensus_export(fx_store *s, FILE *out, fx_error *err);

/* Observer agreement on the finished cases (rows: patient x time point x
 * plane; gap and step-off separately): {rows, observers, inter_observer:
 * {gap_mm, step_mm: ICC(2,1) of all observers' first readings}, bland_altman:
 * [per pair and quantity], intra_observer: [per observer with repeats and
 * quantity: ICC(2,1) and Bland-Altman of the first reading against repeat 2]}.
 * An analysis that cannot be computed (too few rows) carries "error" instead. */
int fx_consensus_agreement(fx_store *s, json_t **out, fx_error *err);

#endif

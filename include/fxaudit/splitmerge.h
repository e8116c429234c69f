/*
 * splitmerge.h - automatic separation of touching bone fragments
 * (src/image/splitmerge.c): fx_segment_split with cores eroded by erode_mm,
 * then neighbouring regions merged while the deepest point of their common
 * boundary (distance to the background, mm) is at least neck_ratio times the
 * thinner region's deepest point (no neck between them), and regions under
 * min_mm3 merged into the neighbour they touch most (dropped when alone).
 * Result as fx_segment_components: *labels (U16, 1 the largest) and *parts
 * owned by the caller.
 */
#ifndef FXAUDIT_SPLITMERGE_H
#define FXAUDIT_SPLITMERGE_H

#include "fxaudit/segment.h"

int fx_segment_split_merge(const fx_volume *mask, double erode_mm, double neck_ratio,
                           double min_mm3, fx_volume **labels, fx_segment_part **parts,
                           size_t *nparts, fx_error *err);

#endif

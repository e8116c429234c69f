/*
 * screwio.h - planned screws from and to files that surgeons' tools write:
 * fxaudit's JSON screw list, a CSV table, and 3D Slicer markups (.mrk.json, one Line per
 * screw, entry then tip). Coordinates are converted to LPS millimetres.
 */
#ifndef FXAUDIT_SCREWIO_H
#define FXAUDIT_SCREWIO_H

#include "fxaudit/error.h"
#include "fxaudit/plan.h"

/* Append the screws of `path` to `p`. Recognised by content:
 *  - a 3D Slicer markups file: every markup of type "Line" is a screw from its
 *    first control point (entry) to its second (tip); RAS is converted to LPS;
 *    the diameter is `default_diameter_mm` (markups carry none);
 *  - a JSON screw list, {"screws": [...]} or a bare array, each with "name",
 *    "entry" [3] and either "direction" [3] (then "length_mm" is required) or
 *    "target" [3] (length = |target - entry| unless "length_mm" is given),
 *    and optionally "diameter_mm" and "plate";
 *  - a CSV file (by its .csv name): columns name, entry_x, entry_y, entry_z and
 *    either target_x, target_y, target_z or dir_x, dir_y, dir_z with
 *    length_mm; diameter_mm and plate optional.
 * A duplicate screw name, a zero-length screw or a missing field is an error
 * naming the file and the screw; nothing is appended then. */
int fx_screws_read(const char *path, double default_diameter_mm, fx_plan *p, fx_error *err);

/* Write the plan's screws as a 3D Slicer markups file (LPS, one Line per
 * screw from entry to tip, named as in the plan). Atomic. */
int fx_screws_write_markups(const fx_plan *p, const char *path, fx_error *err);

#endif

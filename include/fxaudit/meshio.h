/*
 * meshio.h - reading and writing triangle meshes: STL (ASCII and binary),
 * PLY (ASCII and binary of either endianness), OFF and OBJ.
 *
 * Reading recognises the format by content (PLY magic, OFF header, the STL
 * size rule, OBJ records) and falls back on the extension; writing chooses it
 * by extension unless told. Polygons are split into triangle fans. STL stores
 * a triangle soup, so its vertices are welded (exactly equal coordinates become
 * one vertex). Coordinates are read as they are stored: the caller knows the
 * unit (fxaudit writes millimetres).
 *
 * Every malformed input is an FX_EFORMAT error that names the file and, where
 * it can, the line (text formats) or the element (binary formats): truncation,
 * a coordinate that is not a finite number, a vertex index out of range, a
 * count that disagrees with the data.
 */
#ifndef FXAUDIT_MESHIO_H
#define FXAUDIT_MESHIO_H

#include <stdbool.h>

#include "fxaudit/error.h"
#include "fxaudit/mesh.h"

typedef enum fx_mesh_format {
    FX_MESH_AUTO = 0, /* by content (read) or extension (write) */
    FX_MESH_STL,
    FX_MESH_PLY,
    FX_MESH_OFF,
    FX_MESH_OBJ,
} fx_mesh_format;

typedef struct fx_meshio_opts {
    fx_mesh_format format; /* FX_MESH_AUTO unless forced */
    /* Writing STL or PLY: text instead of (the default) binary. */
    bool ascii;
    /* Writing PLY: binary big-endian instead of little-endian. */
    bool big_endian;
    /* PLY: the per-vertex property read into / written from m->scalar. NULL
     * means "scalar". Other extra properties are skipped when reading. */
    const char *scalar_name;
} fx_meshio_opts;

/* Read the mesh in `path`. `opts` may be NULL (defaults). On success *out owns
 * a new mesh (free with fx_mesh_free); on failure *out is NULL and `err` says
 * why. Vertex normals (PLY nx/ny/nz, OBJ vn when one per vertex) are kept in
 * m->n when present. */
int fx_mesh_read(const char *path, const fx_meshio_opts *opts, fx_mesh **out, fx_error *err);

/* Write `m` to `path` atomically (a temporary file renamed into place, so a
 * failure leaves no half-written file). `opts` may be NULL. The mesh is
 * validated first (finite coordinates, indices in range). */
int fx_mesh_write(const char *path, const fx_mesh *m, const fx_meshio_opts *opts,
                  fx_error *err);

/* The format a path's extension names (.stl .ply .off .obj, any case), or
 * FX_MESH_AUTO when none does. */
fx_mesh_format fx_mesh_format_from_path(const char *path);

/* "stl", "ply", "off", "obj" or "auto". */
const char *fx_mesh_format_name(fx_mesh_format f);

#endif

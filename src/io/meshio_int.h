/*
 * meshio_int.h - what the mesh readers and writers of src/io share: the whole
 * file in memory, a text cursor that counts lines, vertex welding for triangle
 * soups, and atomic output files. Internal to src/io.
 */
#ifndef FXAUDIT_MESHIO_INT_H
#define FXAUDIT_MESHIO_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fxaudit/meshio.h"

/* A file's bytes with a NUL appended (so that strtod cannot run off the end). */
typedef struct mio_buf {
    const char *path;
    char *data; /* owned, len + 1 bytes */
    size_t len;
} mio_buf;

int mio_slurp(const char *path, mio_buf *b, fx_error *err);
void mio_buf_release(mio_buf *b);

/* A cursor over text: `line` is 1-based, for messages. */
typedef struct mio_text {
    const char *path;
    const char *p, *end;
    size_t line;
} mio_text;

/* Skip blanks (not newlines); true when the line ends here (newline, end of
 * data, or a '#' comment when `hash_comments`). */
bool mio_at_eol(mio_text *t, bool hash_comments);
/* Move past the next newline. */
void mio_next_line(mio_text *t);
/* Skip lines that are blank or hold only a '#' comment; false at end of data. */
bool mio_skip_blank_lines(mio_text *t, bool hash_comments);
/* The next blank-separated word on this line (not NUL-terminated): its start
 * and length; false when the line has no more words. */
bool mio_word(mio_text *t, const char **w, size_t *n);
/* The next number on this line; `what` names it in the error ("vertex 12"). A
 * value that is not a finite number, or a missing one, is an error naming the
 * file and line. */
int mio_double(mio_text *t, const char *what, double *x, fx_error *err);
/* A whole number in [lo, hi]. */
int mio_long(mio_text *t, const char *what, long lo, long hi, long *x, fx_error *err);

/* Welding a triangle soup: equal coordinates map to one vertex. */
typedef struct mio_weld mio_weld;
int mio_weld_new(size_t expect, mio_weld **out, fx_error *err);
int mio_weld_add(mio_weld *w, fx_mesh *m, fx_vec3 p, uint32_t *idx, fx_error *err);
void mio_weld_free(mio_weld *w);

/* Little/big-endian scalars. */
float mio_f32(const unsigned char *p, bool big);
uint32_t mio_u32(const unsigned char *p, bool big);
void mio_put_f32(unsigned char *p, float x, bool big);
void mio_put_u32(unsigned char *p, uint32_t x, bool big);

/* The formats. The readers fill an empty mesh `m`; the writers write to an
 * open file and report write errors through fx_outfile_commit (fxaudit/file.h). */
int mio_read_stl(const mio_buf *b, fx_mesh *m, fx_error *err);
int mio_read_ply(const mio_buf *b, const fx_meshio_opts *o, fx_mesh *m, fx_error *err);
int mio_read_off(const mio_buf *b, fx_mesh *m, fx_error *err);
int mio_read_obj(const mio_buf *b, fx_mesh *m, fx_error *err);
int mio_write_stl(FILE *fp, const fx_mesh *m, const fx_meshio_opts *o, fx_error *err);
int mio_write_ply(FILE *fp, const fx_mesh *m, const fx_meshio_opts *o, fx_error *err);
int mio_write_off(FILE *fp, const fx_mesh *m, fx_error *err);
int mio_write_obj(FILE *fp, const fx_mesh *m, fx_error *err);

/* A triangle fan over polygon corners idx[0..n-1] (n >= 3). */
int mio_add_polygon(fx_mesh *m, const uint32_t *idx, size_t n, fx_error *err);

#endif

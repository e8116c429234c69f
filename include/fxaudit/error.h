/*
 * error.h - status codes and the error record every library function fills.
 *
 * Library code never prints and never exits: a function returns FX_OK (0) or a
 * negative FX_E* status and, when its `err` argument is not NULL, writes one
 * lower-case sentence into it that says what failed first and quotes the subject
 * ("cannot open '/tmp/x.dcm': No such file or directory"). Only src/cli prints it.
 */
#ifndef FXAUDIT_ERROR_H
#define FXAUDIT_ERROR_H

#include <stddef.h>

enum {
    FX_OK = 0,
    FX_EIO = -1,          /* a file could not be read or written */
    FX_EFORMAT = -2,      /* a file or value is malformed */
    FX_EINVAL = -3,       /* an argument is out of its domain */
    FX_ENOMEM = -4,       /* an allocation failed */
    FX_ENOTFOUND = -5,    /* a named thing does not exist */
    FX_EUNSUPPORTED = -6, /* well-formed, but not something we handle */
    FX_EVERSION = -7,     /* written by a newer version of fxaudit */
    FX_ENUMERIC = -8,     /* a computation did not converge or lost precision */
    FX_ECONFLICT = -9,    /* the request contradicts what is stored */
};

#define FX_ERROR_MSG_MAX 1024

typedef struct fx_error {
    int code;
    char msg[FX_ERROR_MSG_MAX];
} fx_error;

/* Fill `err` (when not NULL) with `code` and a printf-style message and return
 * `code`, so that callers can write `return fx_fail(err, FX_EIO, "...", ...)`. */
int fx_fail(fx_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message already in `err` with a context sentence, keeping the
 * code: "reading 'a.dcm': <old message>". Returns err->code (or FX_EINVAL when
 * err is NULL, since the code is then lost). */
int fx_error_prefix(fx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reset `err` to FX_OK and an empty message; NULL is a no-op. */
void fx_error_clear(fx_error *err);

/* A short name for a status code ("io", "format", ...). */
const char *fx_strstatus(int code);

#endif

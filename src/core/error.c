/*
 * error.c - filling the error record that library functions hand back.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/error.h"

int fx_fail(fx_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

int fx_error_prefix(fx_error *err, const char *fmt, ...)
{
    char head[FX_ERROR_MSG_MAX];
    char old[FX_ERROR_MSG_MAX];
    va_list ap;

    if (!err)
        return FX_EINVAL;
    va_start(ap, fmt);
    vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    /* A long message is cut at the record's size; the first words matter most. */
    size_t n = strlen(head), m = strlen(old), cap = sizeof(err->msg) - 1;
    size_t at = n < cap ? n : cap;
    memcpy(err->msg, head, at);
    if (at + 2 <= cap) {
        memcpy(err->msg + at, ": ", 2);
        at += 2;
    }
    if (m > cap - at)
        m = cap - at;
    memcpy(err->msg + at, old, m);
    err->msg[at + m] = '\0';
    return err->code;
}

void fx_error_clear(fx_error *err)
{
    if (!err)
        return;
    err->code = FX_OK;
    err->msg[0] = '\0';
}

const char *fx_strstatus(int code)
{
    switch (code) {
    case FX_OK: return "ok";
    case FX_EIO: return "io";
    case FX_EFORMAT: return "format";
    case FX_EINVAL: return "invalid";
    case FX_ENOMEM: return "memory";
    case FX_ENOTFOUND: return "not found";
    case FX_EUNSUPPORTED: return "unsupported";
    case FX_EVERSION: return "version";
    case FX_ENUMERIC: return "numeric";
    case FX_ECONFLICT: return "conflict";
    default: return "unknown";
    }
}

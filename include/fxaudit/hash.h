/*
 * hash.h - SHA-256 of files and buffers (through nettle), as lower-case hex.
 */
#ifndef FXAUDIT_HASH_H
#define FXAUDIT_HASH_H

#include <stddef.h>

#include "fxaudit/error.h"

#define FX_SHA256_HEX 65 /* 64 hex digits and a NUL */

void fx_sha256_buf(const void *data, size_t n, char hex[FX_SHA256_HEX]);
int fx_sha256_file(const char *path, char hex[FX_SHA256_HEX], fx_error *err);

#endif

/*
 * hash.c - SHA-256 through nettle, for the checksums of every file a study
 * records and of the audit trail.
 */
#include "config.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

#include "fxaudit/hash.h"

static void to_hex(const uint8_t *d, char hex[FX_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void fx_sha256_buf(const void *data, size_t n, char hex[FX_SHA256_HEX])
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];

    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    sha256_digest(&ctx, sizeof(d), d);
    to_hex(d, hex);
}

int fx_sha256_file(const char *path, char hex[FX_SHA256_HEX], fx_error *err)
{
    struct sha256_ctx ctx;
    uint8_t d[SHA256_DIGEST_SIZE];
    uint8_t buf[1 << 16];
    size_t got;
    FILE *f = fopen(path, "rb");

    if (!f)
        return fx_fail(err, FX_EIO, "cannot open '%s': %s", path, strerror(errno));
    sha256_init(&ctx);
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        sha256_update(&ctx, got, buf);
    if (ferror(f)) {
        fclose(f);
        return fx_fail(err, FX_EIO, "cannot read '%s'", path);
    }
    fclose(f);
    sha256_digest(&ctx, sizeof(d), d);
    to_hex(d, hex);
    return FX_OK;
}

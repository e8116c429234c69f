/*
 * report_dbhash.c - the SHA-256 a report prints for its study.db.
 *
 * The store keeps SQLite in WAL mode, so while it is open the newest rows may
 * live in study.db-wal and the main file alone is not the database's state;
 * SQLite moves them into the main file when the last connection closes. To
 * print a hash that a reader can check with `sha256sum study.db` after the
 * program has finished, the WAL is checkpointed into the main file (and
 * truncated) first. This reaches into the store's handle (store_int.h) because
 * store.h has no checkpoint call; it writes no row.
 */
#include <sqlite3.h>

#include "../store/store_int.h"
#include "fxaudit/hash.h"
#include "report_internal.h"

int rp_db_sha256(fx_store *s, char hex[FX_SHA256_HEX], fx_error *err)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (rc != SQLITE_OK)
        return fx_fail(err, FX_EIO, "cannot checkpoint '%s' before hashing it: %s",
                       fx_store_dbpath(s), sqlite3_errmsg(s->db));
    return fx_sha256_file(fx_store_dbpath(s), hex, err);
}

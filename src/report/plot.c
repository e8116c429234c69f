/*
 * plot.c - running gnuplot: the only file in fxaudit that starts it.
 *
 * Each figure gets a fresh temporary folder holding its data files, the
 * script filled in from a template in reports/, gnuplot's own messages and
 * the PNG as gnuplot writes it; the PNG is then renamed into place (so a
 * figure appears whole or not at all) and the folder removed. gnuplot runs
 * through posix_spawn with the script as its only argument: no shell, so no
 * quoting of paths or text on a command line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fxaudit/datapath.h"
#include "plot_internal.h"

extern char **environ;

void fx_plot_opts_default(fx_plot_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->width_px = 1800;
    o->height_px = 1100;
}

/* --- finding gnuplot ------------------------------------------------------- */

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int search_path(const char *name, char *out, size_t n)
{
    const char *path = getenv("PATH");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len > 0 && snprintf(out, n, "%.*s/%s", (int)len, path, name) < (int)n &&
            executable(out))
            return 1;
        path = colon ? colon + 1 : NULL;
    }
    return 0;
}

int fx_plot_find_gnuplot(char *out, size_t n, fx_error *err)
{
    const char *want = getenv("FXAUDIT_GNUPLOT");

    if (want && *want) {
        if (strchr(want, '/')) {
            if (executable(want) && snprintf(out, n, "%s", want) < (int)n)
                return FX_OK;
            return fx_fail(err, FX_ENOGNUPLOT,
                           "gnuplot not found: FXAUDIT_GNUPLOT='%s' is not an executable file",
                           want);
        }
        if (search_path(want, out, n))
            return FX_OK;
        return fx_fail(err, FX_ENOGNUPLOT, "gnuplot not found: no '%s' (FXAUDIT_GNUPLOT) in PATH",
                       want);
    }
    if (search_path("gnuplot", out, n))
        return FX_OK;
    return fx_fail(err, FX_ENOGNUPLOT,
                   "gnuplot not found in PATH (install gnuplot, or set FXAUDIT_GNUPLOT)");
}

/* --- the job's folder and values ------------------------------------------ */

int plot_begin(plot_job *j, fx_error *err)
{
    const char *tmp = getenv("TMPDIR");
    int rc;

    memset(j, 0, sizeof(*j));
    if ((rc = fx_plot_find_gnuplot(j->gnuplot, sizeof(j->gnuplot), err)))
        return rc;
    snprintf(j->dir, sizeof(j->dir), "%s/fxplot.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(j->dir)) {
        rc = fx_fail(err, FX_EIO, "cannot make a temporary folder '%s' for a plot: %s", j->dir,
                     strerror(errno));
        j->dir[0] = '\0';
    }
    return rc;
}

static int remember_file(plot_job *j, const char *name, fx_error *err)
{
    if (j->nfiles == PLOT_MAX_FILES || strlen(name) >= sizeof(j->files[0]))
        return fx_fail(err, FX_EINVAL, "too many plot files (at '%s')", name);
    snprintf(j->files[j->nfiles++], sizeof(j->files[0]), "%s", name);
    return FX_OK;
}

FILE *plot_data(plot_job *j, const char *name, fx_error *err)
{
    char path[4200];
    FILE *f;

    if (remember_file(j, name, err))
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", j->dir, name);
    f = fopen(path, "w");
    if (!f)
        fx_fail(err, FX_EIO, "cannot write plot data '%s': %s", path, strerror(errno));
    return f;
}

int plot_data_close(FILE *f, const char *name, fx_error *err)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return fx_fail(err, FX_EIO, "cannot write plot data '%s'", name);
    return FX_OK;
}

int plot_set_raw(plot_job *j, const char *key, char *value, fx_error *err)
{
    if (!value)
        return fx_fail(err, FX_ENOMEM, "cannot allocate a plot value for @%s@", key);
    for (int i = 0; i < j->nkeys; i++)
        if (!strcmp(j->keys[i], key)) {
            free(j->values[i]);
            j->values[i] = value;
            return FX_OK;
        }
    if (j->nkeys == PLOT_MAX_KEYS) {
        free(value);
        return fx_fail(err, FX_EINVAL, "too many plot template values (at @%s@)", key);
    }
    j->keys[j->nkeys] = strdup(key);
    j->values[j->nkeys++] = value;
    return j->keys[j->nkeys - 1] ? FX_OK : fx_fail(err, FX_ENOMEM, "out of memory");
}

int plot_set_num(plot_job *j, const char *key, double v, fx_error *err)
{
    char buf[64];
    if (!isfinite(v))
        return fx_fail(err, FX_EINVAL, "plot value @%s@ is not a finite number", key);
    snprintf(buf, sizeof(buf), "%.10g", v);
    return plot_set_raw(j, key, strdup(buf), err);
}

/* Text for inside '...' in gnuplot: a quote is written twice. */
int plot_set_text(plot_job *j, const char *key, const char *utf8, fx_error *err)
{
    const char *s = utf8 ? utf8 : "";
    char *q = malloc(2 * strlen(s) + 1), *p = q;
    if (q) {
        for (; *s; s++) {
            if (*s == '\'')
                *p++ = '\'';
            *p++ = (*s == '\n' || *s == '\r') ? ' ' : *s;
        }
        *p = '\0';
    }
    return plot_set_raw(j, key, q, err);
}

void plot_end(plot_job *j)
{
    char path[4200];
    for (int i = 0; i < j->nfiles && j->dir[0]; i++) {
        snprintf(path, sizeof(path), "%s/%s", j->dir, j->files[i]);
        unlink(path);
    }
    if (j->dir[0])
        rmdir(j->dir);
    for (int i = 0; i < j->nkeys; i++) {
        free(j->keys[i]);
        free(j->values[i]);
    }
    j->nkeys = j->nfiles = 0;
    j->dir[0] = '\0';
}

/* --- templates ------------------------------------------------------------- */

/* reports/<name> installed (fx_data_path), or in the source tree's reports/
 * folder beside data/ when running from a build folder. */
static int template_path(const char *name, char *out, size_t n, fx_error *err)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "reports/%s", name);
    if (fx_data_path(rel, out, n, NULL) == FX_OK)
        return FX_OK;
    /* FX_SRCDATADIR is "<top_srcdir>/data"; data/ itself may not exist, so
     * the top of the source tree is found by text, not by "data/..". */
    size_t top = strlen(FX_SRCDATADIR);
    if (top >= 5 && !strcmp(FX_SRCDATADIR + top - 5, "/data"))
        top -= 5;
    if (snprintf(out, n, "%.*s/reports/%s", (int)top, FX_SRCDATADIR, name) < (int)n &&
        access(out, R_OK) == 0)
        return FX_OK;
    return fx_fail(err, FX_ENOTFOUND,
                   "cannot find the plot template '%s' (looked in $FXAUDIT_DATA_DIR/reports, "
                   "%s/reports and the source tree's reports/)",
                   name, FX_DATADIR);
}

static const char *lookup(const plot_job *j, const char *key, size_t len)
{
    for (int i = 0; i < j->nkeys; i++)
        if (strlen(j->keys[i]) == len && !strncmp(j->keys[i], key, len))
            return j->values[i];
    return NULL;
}

/* Copy template `in` to `out`, replacing each @KEY@ by its value. */
static int fill_template(const plot_job *j, const char *tpath, FILE *in, FILE *out, fx_error *err)
{
    char line[4096];
    while (fgets(line, sizeof(line), in)) {
        for (char *p = line; *p; p++) {
            size_t len = 0;
            if (*p == '@')
                while (p[1 + len] &&
                       (p[1 + len] == '_' || (p[1 + len] >= 'A' && p[1 + len] <= 'Z') ||
                        (p[1 + len] >= '0' && p[1 + len] <= '9')))
                    len++;
            if (*p != '@' || len == 0 || p[1 + len] != '@') {
                fputc(*p, out);
                continue;
            }
            const char *v = lookup(j, p + 1, len);
            if (!v)
                return fx_fail(err, FX_EFORMAT, "plot template '%s' uses @%.*s@, which is not set",
                               tpath, (int)len, p + 1);
            fputs(v, out);
            p += len + 1;
        }
    }
    return ferror(in) ? fx_fail(err, FX_EIO, "cannot read plot template '%s'", tpath) : FX_OK;
}

static int write_script(plot_job *j, const char *kind, fx_error *err)
{
    char name[64], tpath[4200];
    FILE *in, *out;
    int rc;

    snprintf(name, sizeof(name), "%s.gp", kind);
    if ((rc = template_path(name, tpath, sizeof(tpath), err)))
        return rc;
    if (!(in = fopen(tpath, "r")))
        return fx_fail(err, FX_EIO, "cannot open plot template '%s': %s", tpath, strerror(errno));
    out = plot_data(j, "script.gp", err);
    rc = out ? fill_template(j, tpath, in, out, err) : FX_EIO;
    fclose(in);
    if (out) {
        int crc = plot_data_close(out, "script.gp", err);
        rc = rc ? rc : crc;
    }
    return rc;
}

static int set_common(plot_job *j, const fx_plot_opts *o, fx_error *err)
{
    char common[4200], out[4200];
    int rc = template_path("common.gp", common, sizeof(common), err);

    snprintf(out, sizeof(out), "%s/figure.png", j->dir);
    if (!rc)
        rc = plot_set_text(j, "COMMON", common, err);
    if (!rc)
        rc = remember_file(j, "figure.png", err);
    if (!rc)
        rc = plot_set_text(j, "OUT", out, err);
    if (!rc)
        rc = plot_set_text(j, "DIR", j->dir, err);
    if (!rc)
        rc = plot_set_num(j, "WIDTH", o->width_px > 0 ? o->width_px : 1800, err);
    if (!rc)
        rc = plot_set_num(j, "HEIGHT", o->height_px > 0 ? o->height_px : 1100, err);
    if (!rc)
        rc = plot_set_text(j, "TITLE", o->title, err);
    if (!rc)
        rc = plot_set_text(j, "XLABEL", o->xlabel, err);
    if (!rc)
        rc = plot_set_text(j, "YLABEL", o->ylabel, err);
    if (!rc)
        rc = plot_set_text(j, "NOTE", o->note, err);
    return rc;
}

/* --- running gnuplot ----------------------------------------------------------- */

/* The first line of gnuplot's messages that says what went wrong. */
static void log_reason(const plot_job *j, char *out, size_t n)
{
    char path[4200], line[512];
    FILE *f;

    snprintf(out, n, "no message");
    snprintf(path, sizeof(path), "%s/gnuplot.log", j->dir);
    if (!(f = fopen(path, "r")))
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, "rror") || strstr(line, "unknown") || strstr(line, "arning")) {
            snprintf(out, n, "%s", line);
            break;
        }
        if (line[0] && !strcmp(out, "no message"))
            snprintf(out, n, "%s", line);
    }
    fclose(f);
}

static int spawn_gnuplot(plot_job *j, int *status, fx_error *err)
{
    char script[4200], log[4200];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    snprintf(script, sizeof(script), "%s/script.gp", j->dir);
    snprintf(log, sizeof(log), "%s/gnuplot.log", j->dir);
    if (remember_file(j, "gnuplot.log", err))
        return FX_EINVAL;
    char *argv[] = {"gnuplot", script, NULL};
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    rc = posix_spawn(&pid, j->gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return fx_fail(err, FX_ENOGNUPLOT, "cannot run gnuplot '%s': %s", j->gnuplot, strerror(rc));
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return fx_fail(err, FX_EIO, "lost the gnuplot process: %s", strerror(errno));
    return FX_OK;
}

/* Across file systems: copy to a temporary beside the target, then rename, so
 * that the figure still appears whole or not at all. */
static int copy_into_place(const char *from, const char *to, fx_error *err)
{
    char tmp[4200], buf[65536];
    FILE *in = fopen(from, "rb"), *out = NULL;
    size_t got;
    int fd = -1, bad = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", to) < (int)sizeof(tmp))
        fd = mkstemp(tmp);
    if (fd >= 0 && fchmod(fd, 0644) == 0) /* mkstemp's 0600 is for secrets */
        out = fdopen(fd, "wb");
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        else if (fd >= 0)
            close(fd);
        if (fd >= 0)
            unlink(tmp);
        return fx_fail(err, FX_EIO, "cannot write the plot '%s': %s", to, strerror(errno));
    }
    while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
        bad |= fwrite(buf, 1, got, out) != got;
    bad |= ferror(in);
    fclose(in);
    bad |= fclose(out) != 0;
    if (bad || rename(tmp, to) != 0) {
        unlink(tmp);
        return fx_fail(err, FX_EIO, "cannot write the plot '%s'", to);
    }
    return FX_OK;
}

int plot_run(plot_job *j, const char *kind, const fx_plot_opts *o, const char *png, fx_error *err)
{
    char reason[512], made[4200];
    struct stat st;
    int status = 0;
    int rc = set_common(j, o, err);

    if (!rc)
        rc = write_script(j, kind, err);
    if (!rc)
        rc = spawn_gnuplot(j, &status, err);
    if (rc)
        return rc;
    snprintf(made, sizeof(made), "%s/figure.png", j->dir);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(made, &st) != 0 || st.st_size == 0) {
        log_reason(j, reason, sizeof(reason));
        if (strstr(reason, "unknown or ambiguous terminal"))
            return fx_fail(err, FX_ENOGNUPLOT,
                           "gnuplot '%s' cannot write PNG through cairo "
                           "(no pngcairo terminal): %s",
                           j->gnuplot, reason);
        return fx_fail(err, FX_EIO, "gnuplot failed drawing the %s plot for '%s': %s", kind, png,
                       reason);
    }
    if (rename(made, png) == 0)
        return FX_OK;
    if (errno == EXDEV)
        return copy_into_place(made, png, err);
    return fx_fail(err, FX_EIO, "cannot move the %s plot to '%s': %s", kind, png, strerror(errno));
}

/*
 * file.c - temporary files that become outputs.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fxaudit/file.h"

int fx_mkstemp_output(char *tmpl)
{
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return fd;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        close(fd);
        unlink(tmpl);
        return -1;
    }
    return fd;
}

/*
 * file.h - files written atomically (a temporary name in the target's folder,
 * then rename) with the permissions the user's umask gives a new file.
 */
#ifndef FXAUDIT_FILE_H
#define FXAUDIT_FILE_H

/* mkstemp(tmpl), then the file mode an ordinary open() would have given
 * (0666 less the umask) instead of mkstemp's private 0600: outputs are for
 * the user's tools. Returns the descriptor, or -1 with errno set. */
int fx_mkstemp_output(char *tmpl);

#endif

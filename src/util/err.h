/* err.h — an error slot: a status code plus a message, kept inside the
 * object that failed (SQLite's sticky p->rc idea).  Internal modules take an
 * `errbuf *` and fill it; the public API copies it into the handle. */
#ifndef MG_UTIL_ERR_H
#define MG_UTIL_ERR_H

#include <stddef.h>
#include "morgue.h"

typedef struct errbuf {
    int  code;       /* MG_OK or an MG_E* code */
    char msg[512];   /* what went wrong, in words ("" when code == MG_OK) */
} errbuf;

/* Clears e (NULL allowed). */
void err_clear(errbuf *e);

/* Sets e (NULL allowed) to code and a printf-style message; returns code. */
int err_set(errbuf *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set, appending ": strerror(errno)" for the current errno. */
int err_errno(errbuf *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

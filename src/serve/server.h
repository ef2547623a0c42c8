/* server.h — what the files of the serve module share: the options, the
 * server's state and the request router. */
#ifndef MG_SERVE_SERVER_H
#define MG_SERVE_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "morgue.h"

struct MHD_Connection;

typedef struct serve_opts {
    const char *index;     /* index directory */
    const char *bind;      /* address to listen on (loopback by default) */
    unsigned port;         /* 0 = any free port (printed at start) */
    unsigned threads;      /* worker threads in the pool */
    int writable;          /* accept POST /articles and DELETE /articles/ID */
    size_t max_body;       /* largest request body in bytes */
    size_t max_query;      /* longest q= in bytes */
    unsigned reopen_ms;    /* how often to look for new commits */
} serve_opts;

typedef struct srv {
    serve_opts opt;
    mg_searcher *searcher; /* shared by every worker; reopened in place */
    pthread_mutex_t lock;  /* guards ix */
    mg_index *ix;          /* the writer (--writable) or a read handle for
                              get and stats (it follows new commits by
                              itself); used by one thread at a time */
} srv;

/* One HTTP answer: a JSON body (malloc'd) and its status. */
typedef struct reply {
    int status;
    char *body;
    size_t len;
    const char *allow;     /* value of an Allow header (405), or NULL */
} reply;

/* Answers one complete request.  body/len is the request body (may be
 * NULL/0).  Never fails: errors become 4xx/5xx JSON replies.  Returns
 * out->status. */
int routes_handle(srv *s, struct MHD_Connection *c, const char *method, const char *url,
                  const char *body, size_t len, reply *out);

/* A JSON error reply {"error": msg, "status": status}; returns status. */
int reply_error(reply *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Makes the searcher see the newest commit.  Called on a timer and after
 * every write.  Thread-safe. */
void serve_refresh(srv *s);

#endif

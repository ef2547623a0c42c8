/* serve.c — `morgue serve`: options, the libmicrohttpd daemon (a pool of
 * worker threads each polling its own connections), request bodies with a
 * size limit, and the main thread, which waits for SIGINT/SIGTERM and in
 * the meantime reopens the searcher on a timer so new commits show up. */
#include "serve/serve.h"
#include "serve/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/cpus.h"

#define SERVE_MAX_BODY   (16u << 20)  /* 16 MiB of JSON Lines per POST */
#define SERVE_MAX_QUERY  4096         /* bytes of q= */
#define SERVE_REOPEN_MS  1000

/* Per-request state kept by MHD between calls of the access handler. */
typedef struct request {
    buf body;       /* the request body, up to opt.max_body */
    int too_big;    /* the body went over the limit: discard, answer 413 */
    int answered;   /* a response is queued already (early 413) */
} request;

#define SERVE_USAGE "[-i INDEX] [--port 8080] [--bind 127.0.0.1] [--threads N] [--writable]"

const cli_cmd CMD_SERVE = {
    "serve", SERVE_USAGE, "answer searches over HTTP with JSON (GET /search?q=...)",
    NULL, NULL, serve_main,
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: morgue serve " SERVE_USAGE "\n"
            "                    [--max-body BYTES] [--max-query BYTES] [--reopen-ms MS]\n"
            "Answers HTTP with JSON: GET /search?q=..&n=&offset=&sort=&since=&until=,\n"
            "GET /articles/ID, GET /stats, GET /health; with --writable also\n"
            "POST /articles (JSON Lines) and DELETE /articles/ID.\n"
            "INDEX is a name under indexes/ or a path with a '/' (default $MORGUE_INDEX,\n"
            "else indexes/default).  Port 0 picks a free port.  Loopback only unless\n"
            "--bind says otherwise.  Stops cleanly on SIGINT or SIGTERM.\n"
            "example: morgue serve -i indexes/sotu --port 8080\n");
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static unsigned default_threads(void)
{
    int n = cpus_usable();
    return (unsigned)(n * 2 > 64 ? 64 : n * 2);
}

/* Returns 0, or 2 after printing a usage error, or 1 for --help (exit 0). */
static int parse_args(int argc, char **argv, serve_opts *o)
{
    static const struct option longs[] = {
        { "index", required_argument, 0, 'i' },     { "port", required_argument, 0, 'p' },
        { "bind", required_argument, 0, 'b' },      { "threads", required_argument, 0, 't' },
        { "writable", no_argument, 0, 'w' },        { "max-body", required_argument, 0, 'B' },
        { "max-query", required_argument, 0, 'Q' }, { "reopen-ms", required_argument, 0, 'R' },
        { "help", no_argument, 0, 'h' },            { 0, 0, 0, 0 },
    };
    *o = (serve_opts){ .index = cli_index_path(NULL), .bind = "127.0.0.1",
                       .port = 8080, .threads = default_threads(), .max_body = SERVE_MAX_BODY,
                       .max_query = SERVE_MAX_QUERY, .reopen_ms = SERVE_REOPEN_MS };
    optind = 1;
    opterr = 0;
    int c;
    unsigned long long v;
    while ((c = getopt_long(argc, argv, ":i:p:b:t:wh", longs, NULL)) != -1) {
        switch (c) {
        case 'i': o->index = cli_index_path(optarg); break;
        case 'b': o->bind = optarg; break;
        case 'w': o->writable = 1; break;
        case 'h': usage(stdout); return 1;
        case 'p':
            if (parse_uint(optarg, 65535, &v)) goto bad_value;
            o->port = (unsigned)v;
            break;
        case 't':
            if (parse_uint(optarg, 1024, &v) || v == 0) goto bad_value;
            o->threads = (unsigned)v;
            break;
        case 'B':
            if (parse_uint(optarg, 1ull << 32, &v) || v == 0) goto bad_value;
            o->max_body = (size_t)v;
            break;
        case 'Q':
            if (parse_uint(optarg, 1u << 20, &v) || v == 0) goto bad_value;
            o->max_query = (size_t)v;
            break;
        case 'R':
            if (parse_uint(optarg, 3600000, &v) || v == 0) goto bad_value;
            o->reopen_ms = (unsigned)v;
            break;
        case ':':
            fprintf(stderr, "morgue serve: option %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "morgue serve: unknown option %s (see morgue serve --help)\n",
                    argv[optind - 1]);
            return 2;
        }
        continue;
    bad_value:
        for (const struct option *l = longs; l->name; l++)
            if (l->val == c)
                fprintf(stderr, "morgue serve: bad value '%s' for --%s\n", optarg, l->name);
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "morgue serve: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* ------------------------------------------------------------- requests */

static enum MHD_Result send_reply(struct MHD_Connection *c, reply *rp)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(rp->len, rp->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(rp->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    if (rp->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rp->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_too_big(srv *s, struct MHD_Connection *c)
{
    reply rp = { 0 };
    reply_error(&rp, 413, "request body larger than %zu bytes", s->opt.max_body);
    return send_reply(c, &rp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    request *r = *con_cls;
    if (!r) { /* headers are in: set up, refuse an announced oversized body */
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        buf_init(&r->body);
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long n;
        if (cl && (parse_uint(cl, ~0ull, &n) != 0 || n > s->opt.max_body)) {
            r->answered = 1;
            return send_too_big(s, c);
        }
        return MHD_YES;
    }
    if (r->answered) { /* MHD discards the rest and closes */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && r->body.len + *upload_size <= s->opt.max_body)
            buf_put(&r->body, upload, *upload_size);
        else
            r->too_big = 1;  /* keep reading (chunked bodies), keep nothing */
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_big)
        return send_too_big(s, c);
    reply rp = { 0 };
    if (r->body.oom)
        reply_error(&rp, 503, "out of memory");
    else
        routes_handle(s, c, method, url, (const char *)r->body.p, r->body.len, &rp);
    return send_reply(c, &rp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    request *r = *con_cls;
    if (r) {
        buf_free(&r->body);
        free(r);
        *con_cls = NULL;
    }
}

/* libmicrohttpd's own messages (malformed requests it answers itself). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("morgue serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static struct MHD_Daemon *start_daemon(srv *s)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, s->opt.bind, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)s->opt.port);
    } else if (inet_pton(AF_INET6, s->opt.bind, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)s->opt.port);
        flags |= MHD_USE_IPv6;
    } else {
        fprintf(stderr, "morgue serve: --bind wants a numeric IPv4 or IPv6 address, not '%s'\n",
                s->opt.bind);
        return NULL;
    }
    /* One thread is MHD's polling thread itself, without a pool. */
    struct MHD_OptionItem pool[] = {
        { s->opt.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
          (intptr_t)s->opt.threads, NULL },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)s->opt.port, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* must come first */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)256,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!d)
        fprintf(stderr, "morgue serve: cannot listen on %s port %u: %s\n", s->opt.bind,
                s->opt.port, strerror(errno));
    return d;
}

/* ---------------------------------------------------------------- index */

void serve_refresh(srv *s)
{
    /* mg_searcher_reopen may run in several threads at once and never
     * swaps in an older commit than the one it has. */
    if (mg_searcher_reopen(s->searcher) != MG_OK)
        fprintf(stderr, "morgue serve: reopen: %s\n", mg_searcher_errmsg(s->searcher));
}

static int open_index(srv *s)
{
    int flags = s->opt.writable ? MG_WRITE | MG_CREATE : MG_RDONLY;
    int rc = mg_index_open(s->opt.index, flags, NULL, &s->ix);
    if (rc == MG_OK)
        rc = mg_searcher_open(s->ix, &s->searcher);
    if (rc != MG_OK) {
        fprintf(stderr, "morgue serve: cannot open index %s: %s\n", s->opt.index,
                s->searcher ? mg_searcher_errmsg(s->searcher)
                            : s->ix ? mg_errmsg(s->ix) : mg_strerror(rc));
        return -1;
    }
    return 0;
}

static void close_index(srv *s)
{
    mg_searcher_close(s->searcher);
    mg_index_close(s->ix);
    s->searcher = NULL;
    s->ix = NULL;
}

/* Waits for SIGINT/SIGTERM, refreshing the searcher every reopen_ms. */
static void wait_for_signal(srv *s, const sigset_t *set)
{
    for (;;) {
        struct timespec ts = { s->opt.reopen_ms / 1000, (long)(s->opt.reopen_ms % 1000) * 1000000L };
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            return;
        if (sig < 0 && errno == EAGAIN)
            serve_refresh(s);
    }
}

int serve_main(int argc, char **argv)
{
    srv s;
    memset(&s, 0, sizeof s);
    int rc = parse_args(argc, argv, &s.opt);
    if (rc)
        return rc == 1 ? 0 : rc;

    /* Block the stop signals before any thread exists, so that every
     * thread inherits the mask and only sigtimedwait below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_mutex_init(&s.lock, NULL);
    if (open_index(&s) != 0) {
        close_index(&s);
        return 1;
    }
    struct MHD_Daemon *d = start_daemon(&s);
    if (!d) {
        close_index(&s);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : s.opt.port;
    int v6 = strchr(s.opt.bind, ':') != NULL;
    printf("morgue serve: listening on http://%s%s%s:%u/ (index %s, %u thread%s, %s)\n",
           v6 ? "[" : "", s.opt.bind, v6 ? "]" : "", port, s.opt.index, s.opt.threads,
           s.opt.threads == 1 ? "" : "s", s.opt.writable ? "writable" : "read-only");
    fflush(stdout);

    wait_for_signal(&s, &set);

    MHD_stop_daemon(d); /* finishes the requests in flight */
    close_index(&s);
    pthread_mutex_destroy(&s.lock);
    fprintf(stderr, "morgue serve: stopped\n");
    return 0;
}

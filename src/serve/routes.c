/* routes.c — the endpoints of `morgue serve`: request parameters in, JSON
 * out.  Reads go to the shared searcher without a lock; article reads,
 * stats and writes go through the one index handle under s->lock. */
#include "serve/server.h"

#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/results_json.h"
#include "ingest/date.h"
#include "serve/articles_json.h"

#define SERVE_MAX_HITS   1000
#define SERVE_MAX_OFFSET 1000000

/* --------------------------------------------------------------- replies */

static int reply_text(reply *out, int status, char *p);

static int reply_json(reply *out, int status, json_t *j)
{
    char *p = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return reply_text(out, status, p);
}

/* Replies with the JSON text p (malloc'd; taken), or 503 when p is NULL. */
static int reply_text(reply *out, int status, char *p)
{
    out->status = status;
    size_t n = p ? strlen(p) : 0;
    char *q = p ? realloc(p, n + 2) : NULL;
    if (!q) { /* out of memory: a static answer MHD may free */
        free(p);
        const char *oom = "{\"error\":\"out of memory\",\"status\":503}\n";
        out->status = 503;
        out->body = strdup(oom);
        out->len = out->body ? strlen(oom) : 0;
        return 503;
    }
    q[n] = '\n';
    q[n + 1] = '\0';
    out->body = q;
    out->len = n + 1;
    return status;
}

int reply_error(reply *out, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return reply_json(out, status, json_pack("{s:o, s:i}", "error", rj_string(msg), "status", status));
}

/* The HTTP status for a library status code. */
static int http_status(int rc)
{
    switch (rc) {
    case MG_ENOTFOUND: return 404;
    case MG_EINVAL:
    case MG_ESYNTAX: return 400;
    case MG_ELOCKED: return 409;
    case MG_EREADONLY: return 403;
    case MG_ENOMEM: return 503;
    default: return 500;
    }
}

/* ------------------------------------------------------------ parameters */

/* The value of GET parameter `name`, or NULL; *bad set when it holds a NUL. */
static const char *param(struct MHD_Connection *c, const char *name, size_t *len, int *bad)
{
    const char *v = NULL;
    size_t n = 0;
    if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, &n) !=
            MHD_YES || !v)
        return NULL;
    if (strlen(v) != n)
        *bad = 1;
    if (len)
        *len = n;
    return v;
}

static int parse_count(const char *s, unsigned long long max, size_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

/* A date in any form `morgue index` reads; for until, the end of the
 * period it names ("2020" -> 2020-12-31T23:59:59Z).  0 or -1. */
static int parse_date(const char *s, int until, int64_t *out)
{
    int precision = DATE_SECOND;
    if (date_parse(s, out, &precision) != 0)
        return -1;
    if (until)
        *out = date_period_end(*out, precision);
    return 0;
}

static int parse_sort(const char *s, int *out)
{
    if (strcmp(s, "relevance") == 0)
        *out = MG_SORT_RELEVANCE;
    else if (strcmp(s, "date") == 0 || strcmp(s, "newest") == 0)
        *out = MG_SORT_NEWEST;
    else if (strcmp(s, "oldest") == 0)
        *out = MG_SORT_OLDEST;
    else
        return -1;
    return 0;
}

/* Reads n, offset, sort, since and until into o; 0, or -1 after an error
 * reply. */
static int search_params(struct MHD_Connection *c, mg_search_options *o, reply *out)
{
    int bad = 0;
    const char *n = param(c, "n", NULL, &bad), *off = param(c, "offset", NULL, &bad);
    const char *sort = param(c, "sort", NULL, &bad);
    const char *since = param(c, "since", NULL, &bad), *until = param(c, "until", NULL, &bad);
    if (bad)
        return reply_error(out, 400, "a parameter contains a NUL byte"), -1;
    if (n && parse_count(n, SERVE_MAX_HITS, &o->limit))
        return reply_error(out, 400, "n must be a whole number from 0 to %d", SERVE_MAX_HITS), -1;
    if (off && parse_count(off, SERVE_MAX_OFFSET, &o->offset))
        return reply_error(out, 400, "offset must be a whole number from 0 to %d",
                           SERVE_MAX_OFFSET), -1;
    if (sort && parse_sort(sort, &o->sort))
        return reply_error(out, 400, "sort must be relevance, date, newest or oldest"), -1;
    if (since && parse_date(since, 0, &o->since))
        return reply_error(out, 400, "since: not a date: '%.100s'", since), -1;
    if (until && parse_date(until, 1, &o->until))
        return reply_error(out, 400, "until: not a date: '%.100s'", until), -1;
    return 0;
}

/* ------------------------------------------------------------- endpoints */

static int do_search(srv *s, struct MHD_Connection *c, reply *out)
{
    size_t qlen = 0;
    int bad = 0;
    const char *q = param(c, "q", &qlen, &bad);
    if (!q || !*q)
        return reply_error(out, 400, "missing parameter q (the query)");
    if (bad)
        return reply_error(out, 400, "q contains a NUL byte");
    if (qlen > s->opt.max_query)
        return reply_error(out, 400, "query longer than %zu bytes", s->opt.max_query);
    mg_search_options o;
    mg_search_options_init(&o);
    results_json_prepare(&o); /* snippets as HTML, as `morgue search --json` */
    if (search_params(c, &o, out))
        return out->status;
    mg_results *r = NULL;
    int rc = mg_search(s->searcher, q, &o, &r);
    if (!r)
        return reply_error(out, 503, "out of memory");
    if (rc == MG_OK) {
        reply_text(out, 200, results_to_json(q, r, o.offset));
    } else {
        json_t *e = json_pack("{s:o, s:i, s:s}", "error", rj_string(mg_results_errmsg(r)),
                              "status", http_status(rc), "code", mg_strerror(rc));
        if (e && mg_results_error_column(r))
            json_object_set_new(e, "column", json_integer((json_int_t)mg_results_error_column(r)));
        reply_json(out, http_status(rc), e);
    }
    mg_results_free(r);
    return out->status;
}

static int do_get(srv *s, const char *id, reply *out)
{
    mg_doc *d = NULL;
    pthread_mutex_lock(&s->lock);
    int rc = s->ix ? mg_index_get(s->ix, id, &d) : MG_EIO;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", s->ix ? mg_errmsg(s->ix) : "index not open");
    pthread_mutex_unlock(&s->lock);
    if (rc == MG_OK)
        reply_text(out, 200, article_to_json(&d->a));
    else if (rc == MG_ENOTFOUND)
        reply_error(out, 404, "no article with id '%.200s'", id);
    else
        reply_error(out, http_status(rc), "%s", msg);
    mg_doc_free(d);
    return out->status;
}

static int do_stats(srv *s, reply *out)
{
    mg_stats st;
    pthread_mutex_lock(&s->lock);
    int rc = s->ix ? mg_index_stats(s->ix, &st) : MG_EIO;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", s->ix ? mg_errmsg(s->ix) : "index not open");
    pthread_mutex_unlock(&s->lock);
    if (rc != MG_OK)
        return reply_error(out, http_status(rc), "%s", msg);
    return reply_json(out, 200, aj_stats(&st));
}

/* Adds every JSON Lines article of body and commits them together; on any
 * bad line nothing is added. */
static int do_post(srv *s, const char *body, size_t len, reply *out)
{
    char err[600];
    size_t added = 0;
    pthread_mutex_lock(&s->lock);
    int rc = aj_add_lines(s->ix, body, len, &added, err, sizeof err);
    if (rc == MG_OK && added == 0) {
        snprintf(err, sizeof err, "the body holds no article (JSON Lines expected)");
        rc = MG_EINVAL;
    }
    if (rc == MG_OK && (rc = mg_index_commit(s->ix)) != MG_OK)
        snprintf(err, sizeof err, "commit: %s", mg_errmsg(s->ix));
    if (rc != MG_OK)
        mg_index_rollback(s->ix);
    pthread_mutex_unlock(&s->lock);
    if (rc != MG_OK)
        return reply_error(out, http_status(rc), "%s", err);
    serve_refresh(s);
    return reply_json(out, 200, json_pack("{s:I}", "added", (json_int_t)added));
}

static int do_delete(srv *s, const char *id, reply *out)
{
    pthread_mutex_lock(&s->lock);
    int rc = mg_index_delete(s->ix, id);
    if (rc == MG_OK)
        rc = mg_index_commit(s->ix);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", mg_errmsg(s->ix));
    if (rc != MG_OK)
        mg_index_rollback(s->ix);
    pthread_mutex_unlock(&s->lock);
    if (rc == MG_ENOTFOUND)
        return reply_error(out, 404, "no article with id '%.200s'", id);
    if (rc != MG_OK)
        return reply_error(out, http_status(rc), "%s", msg);
    serve_refresh(s);
    return reply_json(out, 200, json_pack("{s:o}", "deleted", rj_string(id)));
}

static int do_health(srv *s, reply *out)
{
    return reply_json(out, 200, json_pack("{s:s, s:s, s:b}", "status", "ok", "version",
                                          mg_version(), "writable", s->opt.writable));
}

/* ---------------------------------------------------------------- router */

static int is(const char *m, const char *want) { return strcmp(m, want) == 0; }

static int not_allowed(reply *out, const char *allow)
{
    reply_error(out, 405, "method not allowed here (allowed: %s)", allow);
    out->allow = allow;
    return 405;
}

static int read_only(reply *out)
{
    return reply_error(out, 403, "this server is read-only (start it with --writable)");
}

int routes_handle(srv *s, struct MHD_Connection *c, const char *method, const char *url,
                  const char *body, size_t len, reply *out)
{
    int get = is(method, "GET") || is(method, "HEAD");
    if (is(url, "/health") || is(url, "/search") || is(url, "/stats")) {
        if (!get)
            return not_allowed(out, "GET, HEAD");
        if (url[1] == 'h')
            return do_health(s, out);
        return url[2] == 'e' ? do_search(s, c, out) : do_stats(s, out);
    }
    if (is(url, "/articles") || is(url, "/articles/")) {
        if (!is(method, "POST"))
            return not_allowed(out, "POST");
        return s->opt.writable ? do_post(s, body, len, out) : read_only(out);
    }
    if (strncmp(url, "/articles/", 10) == 0) {
        const char *id = url + 10;
        if (get)
            return do_get(s, id, out);
        if (!is(method, "DELETE"))
            return not_allowed(out, "GET, HEAD, DELETE");
        return s->opt.writable ? do_delete(s, id, out) : read_only(out);
    }
    return reply_error(out, 404,
                       "no such endpoint: %.200s (try /search, /articles/ID, /stats, /health)", url);
}

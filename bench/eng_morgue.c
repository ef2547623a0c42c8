/* eng_morgue.c — morgue through its public API (include/morgue.h) only:
 * mg_index_open/add/commit to build, mg_searcher_open and mg_search to query.
 * BENCH_HAVE_MORGUE_INDEX / _SEARCH are set by bench/Makefile when the
 * library defines those halves, so the suite runs while morgue is built. */
#include "bench.h"
#include "morgue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if BENCH_HAVE_MORGUE_INDEX
static int mgb_available(char *why, size_t n)
{
#if BENCH_HAVE_MORGUE_SEARCH
    snprintf(why, n, "morgue %s", mg_version());
#else
    snprintf(why, n, "morgue %s (no search yet)", mg_version());
#endif
    return 1;
}

static int mgb_build(const char *dir, const bcorpus *c, size_t from, size_t to,
                     int create, const char *idsuffix, char *err, size_t errn)
{
    mg_index *ix = NULL;
    int rc = mg_index_open(dir, MG_WRITE | (create ? MG_CREATE : 0), NULL, &ix);
    for (size_t i = from; rc == MG_OK && i < to; i++) {
        const bdoc *d = &c->docs[i];
        char id[512];
        snprintf(id, sizeof id, "%s%s", d->id, idsuffix ? idsuffix : "");
        mg_article a = { 0 };
        a.id = id;
        a.title = d->title;
        a.body = d->body;
        a.date = d->date == BENCH_NO_DATE ? MG_NO_DATE : d->date;
        rc = mg_index_add(ix, &a);
    }
    if (rc == MG_OK) rc = mg_index_commit(ix);
    if (rc != MG_OK)
        snprintf(err, errn, "%s: %s", mg_strerror(rc), ix ? mg_errmsg(ix) : "out of memory");
    mg_index_close(ix);
    return rc == MG_OK ? 0 : -1;
}

static int mgb_sizes(const char *dir, bsizes *out)
{
    mg_index *ix = NULL;
    mg_stats st;
    memset(out, 0, sizeof *out);
    int rc = mg_index_open(dir, MG_RDONLY, NULL, &ix);
    if (rc == MG_OK) rc = mg_index_stats(ix, &st);
    if (rc == MG_OK) {
        out->inverted = st.bytes_postings;
        out->stored = st.bytes_stored;
        out->total = st.bytes_total;
    }
    mg_index_close(ix);
    return rc == MG_OK ? 0 : -1;
}
#else
static int mgb_available(char *why, size_t n)
{
    snprintf(why, n, "libmorgue has no index yet");
    return 0;
}
#define mgb_build NULL
#define mgb_sizes NULL
#endif

#if BENCH_HAVE_MORGUE_SEARCH
static void *mgb_open(const char *dir, char *err, size_t errn)
{
    mg_searcher *s = NULL;
    int rc = mg_searcher_open_path(dir, &s);
    if (rc == MG_OK) return s;
    snprintf(err, errn, "%s: %s", mg_strerror(rc), s ? mg_searcher_errmsg(s) : "no memory");
    mg_searcher_close(s);
    return NULL;
}

/* The query in morgue's language: words for OR (the default operator) and,
 * with default_and, for AND; "a b" for a phrase; dates as options. */
static void mgb_query(const bquery *q, char *out, size_t n, mg_search_options *o)
{
    size_t off = 0;
    out[0] = 0;
    if (q->type == Q_PHRASE) off += (size_t)snprintf(out, n, "\"");
    for (int i = 0; i < q->nwords && off < n; i++)
        off += (size_t)snprintf(out + off, n - off, "%s%s", i ? " " : "", q->words[i]);
    if (q->type == Q_PHRASE && off < n) snprintf(out + off, n - off, "\"");
    o->default_and = q->type == Q_AND;
    if (q->type == Q_DATE) {
        o->since = q->since;
        o->until = q->until;
    }
}

static int mgb_search(void *h, const bquery *q, int k, char **ids)
{
    char text[8192];
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = (size_t)k;
    o.fields = MG_FIELD_ID;
    o.snippet_len = 0;
    mgb_query(q, text, sizeof text, &o);
    mg_results *r = NULL;
    int rc = mg_search(h, text, &o, &r);
    int n = -1;
    if (rc == MG_OK) {
        n = (int)mg_results_count(r);
        for (int i = 0; ids && i < n; i++) {
            free(ids[i]);
            ids[i] = strdup(mg_results_hit(r, (size_t)i)->id);
        }
    }
    mg_results_free(r);
    return n;
}

static long mgb_count(void *h, const bquery *q)
{
    char text[8192];
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = 1;
    o.fields = MG_FIELD_ID;
    o.snippet_len = 0;
    o.exact_total = 1;
    mgb_query(q, text, sizeof text, &o);
    mg_results *r = NULL;
    long n = mg_search(h, text, &o, &r) == MG_OK ? (long)mg_results_total(r) : -1;
    mg_results_free(r);
    return n;
}

static void mgb_close(void *h) { mg_searcher_close(h); }
#else
#define mgb_open NULL
#define mgb_search NULL
#define mgb_count NULL
#define mgb_close NULL
#endif

const bengine bench_morgue = {
    "morgue", mgb_available, mgb_build, mgb_open, mgb_search, mgb_count, mgb_close, mgb_sizes
};

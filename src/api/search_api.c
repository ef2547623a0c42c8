/* search_api.c — the public searching API: searchers, mg_search and the
 * mg_results accessors.
 *
 * The hot path takes no lock.  The current snapshot is an atomic pointer
 * to a refcounted reader; a search counts itself in the in-flight counter
 * of the current epoch parity, loads the pointer, refs the reader and
 * uncounts itself.  Reopen (serialized by a mutex, off the hot path)
 * swaps the pointer, flips the epoch, and waits for the old parity's
 * counter to drain (a grace period as long as one load + ref) before it
 * drops the searcher's reference to the old reader: no search can still
 * be taking a reference to it then (all atomics are sequentially
 * consistent: a search counted in the old parity after the drain was seen
 * loads the pointer after the swap).  Idle search contexts (an analyzer
 * plus the memory a search reuses: query arena, token list, top-k heap;
 * search.h) sit in a fixed array of atomic slots, taken and given back
 * with exchange / compare-exchange, so a warm searcher makes few heap
 * calls per query. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "api/api_internal.h"
#include "index/index.h"
#include "morgue.h"
#include "query/search.h"

#define POOL_MAX 16

struct mg_searcher {
    _Atomic(ix_reader *) r;      /* current snapshot (one reference held) */
    atomic_uint epoch;           /* flipped by each swap */
    atomic_uint inflight[2];     /* searches taking a reference, by parity */
    pthread_mutex_t mu;          /* serializes reopens and guards err */
    char *dir;
    char err[512];
    _Atomic(search_ctx *) pool[POOL_MAX]; /* idle contexts (one search
                                             uses one at a time) */
};

/* A reference to the current snapshot (NULL if none), without locking. */
static ix_reader *snap_acquire(mg_searcher *s)
{
    unsigned e = atomic_load(&s->epoch) & 1;
    atomic_fetch_add(&s->inflight[e], 1);
    ix_reader *r = atomic_load(&s->r);
    if (r)
        ix_reader_ref(r);
    atomic_fetch_sub(&s->inflight[e], 1);
    return r;
}

/* Makes nr current (caller holds mu) and drops the old snapshot once no
 * search can still be acquiring it. */
static void snap_swap(mg_searcher *s, ix_reader *nr)
{
    ix_reader *old = atomic_exchange(&s->r, nr);
    unsigned e = atomic_fetch_add(&s->epoch, 1) & 1; /* the old parity */
    while (atomic_load(&s->inflight[e]) != 0)
        sched_yield();
    if (old)
        ix_reader_unref(old);
}

/* A context for lang: an idle one, or new (NULL when none can be made). */
static search_ctx *pool_take(mg_searcher *s, const char *lang, errbuf *e)
{
    for (size_t i = 0; i < POOL_MAX; i++) {
        if (!atomic_load_explicit(&s->pool[i], memory_order_relaxed))
            continue;
        search_ctx *c = atomic_exchange(&s->pool[i], NULL);
        if (!c)
            continue;
        if (strcmp(search_ctx_language(c), lang) == 0)
            return c;
        search_ctx_free(c); /* the index changed language */
    }
    return search_ctx_new(lang, e);
}

static void pool_give(mg_searcher *s, search_ctx *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < POOL_MAX; i++) {
        search_ctx *none = NULL;
        if (atomic_compare_exchange_strong(&s->pool[i], &none, c))
            return;
    }
    search_ctx_free(c);
}

void mg_search_options_init(mg_search_options *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof *opt);
    opt->limit = 10;
    opt->offset = 0;
    opt->sort = MG_SORT_RELEVANCE;
    opt->since = MG_NO_DATE;
    opt->until = MG_NO_DATE;
    opt->fields = MG_FIELDS_DEFAULT;
    opt->snippet_len = 240;
    opt->hl_pre = "[";
    opt->hl_post = "]";
    opt->k1 = 1.2;
    opt->b = 0.75;
    opt->title_weight = 2.5;
}

int mg_searcher_open(mg_index *ix, mg_searcher **out)
{
    if (!ix) {
        if (out)
            *out = NULL;
        return MG_EINVAL;
    }
    return mg_searcher_open_path(mgi_index_dir(ix), out);
}

int mg_searcher_open_path(const char *path, mg_searcher **out)
{
    if (!out)
        return MG_EINVAL;
    mg_searcher *s = calloc(1, sizeof *s);
    *out = s;
    if (!s)
        return MG_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->r, NULL);
    atomic_init(&s->epoch, 0);
    atomic_init(&s->inflight[0], 0);
    atomic_init(&s->inflight[1], 0);
    for (size_t i = 0; i < POOL_MAX; i++)
        atomic_init(&s->pool[i], NULL);
    if (!path) {
        snprintf(s->err, sizeof s->err, "no index path given");
        return MG_EINVAL;
    }
    s->dir = strdup(path);
    if (!s->dir) {
        snprintf(s->err, sizeof s->err, "out of memory");
        return MG_ENOMEM;
    }
    errbuf e;
    err_clear(&e);
    ix_reader *r = NULL;
    int rc = ix_reader_open(path, &r, &e);
    if (rc == MG_OK)
        atomic_store(&s->r, r);
    else
        snprintf(s->err, sizeof s->err, "%s", e.msg[0] ? e.msg : mg_strerror(rc));
    return rc;
}

int mg_searcher_reopen(mg_searcher *s)
{
    if (!s)
        return MG_EINVAL;
    ix_reader *cur = snap_acquire(s);
    if (cur && !ix_reader_stale(cur)) {
        ix_reader_unref(cur);
        return MG_OK;
    }
    /* Open the new snapshot outside the lock: searches go on meanwhile. */
    ix_reader *nr = NULL;
    errbuf e;
    err_clear(&e);
    int rc = s->dir ? ix_reader_open(s->dir, &nr, &e) : MG_EINVAL;
    pthread_mutex_lock(&s->mu);
    if (rc == MG_OK) {
        ix_reader *old = atomic_load(&s->r);
        if (old && ix_reader_generation(old) > ix_reader_generation(nr))
            ix_reader_unref(nr); /* another reopen got a newer one first */
        else
            snap_swap(s, nr);
        s->err[0] = '\0';
    } else {
        snprintf(s->err, sizeof s->err, "%s", e.msg[0] ? e.msg : mg_strerror(rc));
    }
    pthread_mutex_unlock(&s->mu);
    if (cur)
        ix_reader_unref(cur);
    return rc;
}

const char *mg_searcher_errmsg(const mg_searcher *s)
{
    return s ? s->err : "no searcher";
}

void mg_searcher_close(mg_searcher *s)
{
    if (!s)
        return;
    ix_reader *r = atomic_load(&s->r);
    if (r)
        ix_reader_unref(r);
    for (size_t i = 0; i < POOL_MAX; i++)
        search_ctx_free(atomic_load(&s->pool[i]));
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    free(s);
}

int mg_search(mg_searcher *s, const char *query, const mg_search_options *opt, mg_results **out)
{
    if (!out)
        return MG_EINVAL;
    /* Not calloc (nor malloc + memset, which gcc turns into calloc):
     * glibc's calloc bypasses malloc's per-thread cache. */
    mg_results *res = malloc(sizeof *res);
    *out = res;
    if (!res)
        return MG_ENOMEM;
    search_results_init(res);
    mg_search_options defaults;
    if (!opt) {
        mg_search_options_init(&defaults);
        opt = &defaults;
    }
    if (!s || !query) {
        res->status = MG_EINVAL;
        snprintf(res->msg, sizeof res->msg, "%s", !s ? "no searcher" : "no query");
        return res->status;
    }
    ix_reader *r = snap_acquire(s);
    if (!r) {
        res->status = MG_EINVAL;
        snprintf(res->msg, sizeof res->msg, "the searcher has no open index");
        return res->status;
    }
    errbuf e;
    err_clear(&e);
    search_ctx *c = pool_take(s, ix_reader_language(r), &e);
    int rc;
    if (c) {
        rc = search_run_ctx(r, query, opt, NULL, c, res);
        pool_give(s, c);
    } else {
        res->status = rc = e.code ? e.code : MG_ENOMEM;
        snprintf(res->msg, sizeof res->msg, "%s", e.msg[0] ? e.msg : mg_strerror(rc));
    }
    ix_reader_unref(r);
    return rc;
}

size_t mg_results_count(const mg_results *r) { return r ? r->n : 0; }

const mg_hit *mg_results_hit(const mg_results *r, size_t i)
{
    return r && i < r->n ? &r->hits[i] : NULL;
}

uint64_t mg_results_total(const mg_results *r) { return r ? r->total : 0; }
int mg_results_total_is_estimate(const mg_results *r) { return r ? r->estimate : 0; }
int mg_results_status(const mg_results *r) { return r ? r->status : MG_EINVAL; }
const char *mg_results_errmsg(const mg_results *r) { return r ? r->msg : "no results"; }
size_t mg_results_error_column(const mg_results *r) { return r ? r->col : 0; }

void mg_results_free(mg_results *r)
{
    if (!r)
        return;
    search_results_clear(r);
    free(r);
}

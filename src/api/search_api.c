/* search_api.c — the public searching API: searchers (a refcounted reader
 * snapshot behind a mutex-protected pointer, so reopen can swap it while
 * other threads search), mg_search and the mg_results accessors. */
#include <pthread.h>
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
    pthread_mutex_t mu;   /* guards r, err and the pool */
    ix_reader *r;         /* current snapshot (one reference held) */
    char *dir;
    char err[512];
    analyzer *pool[POOL_MAX]; /* idle analyzers (not thread-safe: one
                                 search takes one, gives it back) */
    size_t npool;
    char pool_lang[64];   /* the language the pooled analyzers stem */
};

/* An analyzer for lang: from the pool, or new (NULL = search_run makes one). */
static analyzer *pool_take(mg_searcher *s, const char *lang)
{
    analyzer *a = NULL;
    pthread_mutex_lock(&s->mu);
    if (s->npool && strcmp(s->pool_lang, lang) == 0)
        a = s->pool[--s->npool];
    pthread_mutex_unlock(&s->mu);
    if (!a) {
        errbuf e;
        a = analyzer_new(lang, &e);
    }
    return a;
}

static void pool_give(mg_searcher *s, const char *lang, analyzer *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&s->mu);
    if (s->npool && strcmp(s->pool_lang, lang) != 0) {
        while (s->npool)
            analyzer_free(s->pool[--s->npool]);
    }
    if (s->npool < POOL_MAX && strlen(lang) < sizeof s->pool_lang) {
        snprintf(s->pool_lang, sizeof s->pool_lang, "%s", lang);
        s->pool[s->npool++] = a;
        a = NULL;
    }
    pthread_mutex_unlock(&s->mu);
    analyzer_free(a);
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
    int rc = ix_reader_open(path, &s->r, &e);
    if (rc != MG_OK) {
        s->r = NULL;
        snprintf(s->err, sizeof s->err, "%s", e.msg[0] ? e.msg : mg_strerror(rc));
    }
    return rc;
}

int mg_searcher_reopen(mg_searcher *s)
{
    if (!s)
        return MG_EINVAL;
    pthread_mutex_lock(&s->mu);
    ix_reader *cur = s->r;
    if (cur)
        ix_reader_ref(cur);
    pthread_mutex_unlock(&s->mu);
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
        ix_reader *old = s->r;
        if (old && ix_reader_generation(old) > ix_reader_generation(nr)) {
            ix_reader_unref(nr); /* another reopen got a newer one first */
        } else {
            s->r = nr;
            if (old)
                ix_reader_unref(old);
        }
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
    if (s->r)
        ix_reader_unref(s->r);
    while (s->npool)
        analyzer_free(s->pool[--s->npool]);
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    free(s);
}

int mg_search(mg_searcher *s, const char *query, const mg_search_options *opt, mg_results **out)
{
    if (!out)
        return MG_EINVAL;
    mg_results *res = calloc(1, sizeof *res);
    *out = res;
    if (!res)
        return MG_ENOMEM;
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
    pthread_mutex_lock(&s->mu);
    ix_reader *r = s->r;
    if (r)
        ix_reader_ref(r);
    pthread_mutex_unlock(&s->mu);
    if (!r) {
        res->status = MG_EINVAL;
        snprintf(res->msg, sizeof res->msg, "the searcher has no open index");
        return res->status;
    }
    const char *lang = ix_reader_language(r);
    analyzer *an = pool_take(s, lang);
    int rc = search_run(r, query, opt, NULL, an, res);
    pool_give(s, lang, an);
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

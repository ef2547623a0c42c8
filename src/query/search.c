/* search.c — the search driver (see search.h).
 *
 * Top-k.  A free-text OR query (a root of optional clauses, maybe with
 * excluded ones) runs MaxScore (maxscore.c).  Every other query ranked by
 * relevance runs run_topk on its iterator built two-phase (iter.h): once k
 * hits are kept, ranges whose block bounds cannot beat the k-th score are
 * jumped over, documents whose bound from frequencies and norms cannot are
 * passed without reading positions, and only the rest are confirmed (phrase
 * and NEAR positions) and scored, with the same scores as exhaustive
 * scoring.  Sorting by date and exact_total enumerate every match (AND
 * leapfrogs with advance()).
 *
 * Totals are exact when nothing was skipped; otherwise the total is the
 * larger of the matches seen and an independence estimate of the union of
 * the clauses, scaled by the share of the candidates seen that passed the
 * date filters and exclusions (MaxScore), or extrapolated from what
 * run_topk saw (topk_estimate), and mg_results_total_is_estimate() says
 * so.  exact_total turns both off.
 *
 * Date filters (since/until) are a test on the dense date column done only
 * when a bound is set; deleted documents are skipped the same way. */
#include "query/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "query/bm25.h"
#include "query/iter.h"
#include "query/iter_int.h"
#include "query/parser.h"
#include "query/plan.h"
#include "query/snippet.h"
#include "query/topk.h"
#include "query/search_int.h"

static void run_all(run *rn, const qctx *cx, uint32_t seg, qit *it)
{
    int rel = rn->o->sort == MG_SORT_RELEVANCE;
    for (uint32_t d = it->doc; d != IX_END; d = qit_next(it)) {
        if (!passes(rn, cx, d))
            continue;
        rn->counted++;
        keep(rn, cx, seg, d, rel ? qit_score(it) : 0.0);
    }
    if (it->oom)
        rn->oom = 1;
}

/* --------------------------------------------------- top-k for the rest */

/* Counters of one segment's run_topk. */
typedef struct tk_seg {
    uint64_t counted, unconfirmed, tried, confirmed, skipspace;
} tk_seg;

/* Matches of a pruned segment: the unconfirmed candidates at the rate the
 * confirmed ones matched, extrapolated to the documents of the rarest
 * required part passed over (it->lead_skip) and then over the document
 * ranges skipped whole, and never more than the iterator's cost (for a
 * conjunction, its rarest required part). */
static double topk_estimate(const tk_seg *t, const qit *it, uint32_t ndocs)
{
    double rate = t->tried ? (double)t->confirmed / (double)t->tried : 1.0;
    double m = (double)t->counted + (double)t->unconfirmed * rate, cost = (double)it->cost;
    if (it->lead_skip) {
        double ex = (double)it->lead_seen - (double)it->lead_skip;
        m = ex > 0 ? m * (double)it->lead_seen / ex : cost;
    }
    if (t->skipspace) {
        double seen = (double)ndocs - (double)t->skipspace;
        m = seen > 0 ? m * (double)ndocs / seen : cost;
    }
    m = m > cost ? cost : m;
    return m < (double)t->counted ? (double)t->counted : m;
}

/* Whether d (a candidate passing the filters) can be left unscored:
 * bound(d) <= theta with ties going to the earlier document, so a later
 * document scoring theta could not displace the k-th.  [*from, *to] is a
 * range whose block bound *rub was computed last. */
static int topk_skip(run *rn, qit *it, uint32_t d, tk_seg *t, uint32_t *from, uint32_t *to,
                     double *rub, uint32_t *next)
{
    double theta = topk_threshold(&rn->top);
    *next = d;
    if (it->ub <= theta) { /* nothing left in the segment can enter */
        *next = IX_END;
        return 1;
    }
    if (!(d >= *from && d <= *to && *rub > theta)) {
        uint32_t upto;
        double b = qit_bound_at(it, d, &upto);
        if (b <= theta) {
            *next = upto >= IX_END - 1 ? IX_END : upto + 1;
            return 1;
        }
        *from = d;
        *to = upto;
        *rub = b;
    }
    if (qit_doc_le(it, theta)) {
        if (qit_twophase(it))
            t->unconfirmed++;
        else
            t->counted++; /* a sure match, just not good enough */
        rn->unscored++;
        return 1;
    }
    return 0;
}

/* Scores the matches of it (built two-phase) that can enter the top k:
 * block ranges whose bounds cannot beat the k-th score are skipped, then
 * documents whose bound from frequencies alone cannot, and only then are
 * positions checked (qit_confirm) and the document scored.  The scores
 * are run_all's, so the top k is the same. */
static void run_topk(run *rn, const qctx *cx, uint32_t seg, qit *it)
{
    tk_seg t;
    memset(&t, 0, sizeof t);
    uint32_t from = 1, to = 0, next;
    double rub = 0;
    uint32_t d = it->doc;
    while (d != IX_END) {
        if (topk_full(&rn->top)) { /* let the iterator prune too */
            it->prune = 1;
            it->theta = topk_threshold(&rn->top);
        }
        if (!passes(rn, cx, d)) {
            d = qit_next(it);
            continue;
        }
        if (topk_full(&rn->top) && topk_skip(rn, it, d, &t, &from, &to, &rub, &next)) {
            if (next == d) {
                d = qit_next(it);
            } else {
                uint32_t stop = next < cx->ndocs ? next : cx->ndocs;
                t.skipspace += stop > d ? stop - d : 0;
                d = next == IX_END ? IX_END : qit_advance(it, next);
            }
            continue;
        }
        if (qit_twophase(it)) {
            t.tried++;
            if (!qit_confirm(it)) {
                d = qit_next(it);
                continue;
            }
            t.confirmed++;
        }
        t.counted++;
        keep(rn, cx, seg, d, qit_score(it));
        d = qit_next(it);
    }
    if (it->oom)
        rn->oom = 1;
    rn->counted += t.counted;
    rn->pr_total += topk_estimate(&t, it, cx->ndocs);
    if (t.unconfirmed || t.skipspace || it->lead_skip)
        rn->pruned = 1;
}

static int run_segment(run *rn, const ix_reader *r, uint32_t seg, const pnode *root)
{
    const ix_segment *sg = ix_reader_segment(r, seg);
    const uint8_t *nm = ix_seg_norms(sg);
    qctx cx = { &rn->m, sg, seg, ix_seg_ndocs(sg), ix_seg_dates(sg), nm, nm + ix_seg_ndocs(sg),
                rn->itmem };
    if (maxscore_fits(rn, root))
        return ms_run(rn, &cx, seg, root);
    int topk = !rn->f->exhaustive && !rn->o->exact_total && rn->o->sort == MG_SORT_RELEVANCE;
    qit *it;
    int rc = topk ? qit_build_approx(root, &cx, &it) : qit_build(root, &cx, &it);
    if (rc == MG_OK && topk)
        run_topk(rn, &cx, seg, it);
    else if (rc == MG_OK)
        run_all(rn, &cx, seg, it);
    qit_free(it);
    return rc;
}

/* ------------------------------------------------------------- results */

/* res holds no page (its memory is freed or was never there). */
static void results_no_page(mg_results *res)
{
    res->n = 0;
    res->hits = NULL;
    res->docs = NULL;
    res->snippets = NULL;
    res->page = NULL;
    res->ids = NULL;
    res->seg = res->doc = NULL;
}

void search_results_init(mg_results *res)
{
    res->status = MG_OK;
    res->msg[0] = '\0';
    res->col = 0;
    res->total = 0;
    res->estimate = 0;
    res->skipped = 0;
    results_no_page(res);
}

void search_results_clear(mg_results *res)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->docs)
            mg_doc_free(res->docs[i]);
        if (res->snippets)
            free(res->snippets[i]);
    }
    free(res->page); /* hits, docs, snippets, seg, doc and most ids */
    free(res->ids);
    results_no_page(res);
}

static int fail(mg_results *res, int code, const char *msg)
{
    res->status = code;
    snprintf(res->msg, sizeof res->msg, "%s", msg);
    return code;
}

static void fill_hit(mg_results *res, const ix_reader *r, size_t i, const tk_hit *h,
                     const mg_search_options *o, analyzer *an, plan *pl)
{
    mg_hit *hit = &res->hits[i];
    unsigned f = o->fields;
    hit->date = MG_NO_DATE;
    if ((f & MG_FIELD_DATE) && o->sort != MG_SORT_RELEVANCE)
        hit->date = h->date;
    else if (f & MG_FIELD_DATE) { /* not read while ranking (keep) */
        const ix_segment *sg = ix_reader_segment(r, h->seg);
        const int64_t *dates = ix_seg_dates(sg);
        hit->date = dates && h->doc < ix_seg_ndocs(sg) ? dates[h->doc] : MG_NO_DATE;
    }
    hit->score = o->sort == MG_SORT_RELEVANCE ? h->score : 0.0;
    if (!res->docs[i])
        return; /* the id, if asked, is copied into res by own_ids */
    const mg_article *a = &res->docs[i]->a;
    hit->id = (f & MG_FIELD_ID) ? a->id : NULL;
    hit->title = (f & MG_FIELD_TITLE) ? a->title : NULL;
    hit->url = (f & MG_FIELD_URL) ? a->url : NULL;
    hit->source = (f & MG_FIELD_SOURCE) ? a->source : NULL;
    hit->section = (f & MG_FIELD_SECTION) ? a->section : NULL;
    hit->author = (f & MG_FIELD_AUTHOR) ? a->author : NULL;
    hit->body = (f & MG_FIELD_BODY) ? a->body : NULL;
    if (o->snippet_len && a->body) {
        res->snippets[i] = snippet_query(an, a->body, strlen(a->body), o->snippet_len,
                                         o->hl_pre ? o->hl_pre : "[", o->hl_post ? o->hl_post : "]",
                                         plan_snippet_query(pl));
        hit->snippet = res->snippets[i];
    }
}

/* Bytes of the ids of the hits read without their stored article (hits
 * not yet in res: the top k from index from on), NUL-terminated. */
static size_t ids_len(const run *rn, const ix_reader *r, size_t from, size_t n)
{
    size_t total = 0, len;
    for (size_t i = 0; i < n; i++) {
        const tk_hit *h = &rn->top.h[from + i];
        const char *id = ix_seg_doc_id(ix_reader_segment(r, h->seg), h->doc, &len);
        if (id) { /* own_ids copies the bytes: their misses overlap here */
            __builtin_prefetch(id);
            __builtin_prefetch(id + len);
            total += len + 1;
        }
    }
    return total;
}

/* Copies the ids of the hits read without their stored article from the
 * segments' ids sections into res (NUL-terminated; the reader may go
 * before res): into the room page left for them (room bytes at p), or a
 * block of their own if they need more. */
static int own_ids(mg_results *res, const ix_reader *r, unsigned fields, char *p, size_t room)
{
    if (!(fields & MG_FIELD_ID))
        return MG_OK;
    size_t total = 0, len;
    for (size_t i = 0; i < res->n; i++)
        if (!res->docs[i] && ix_seg_doc_id(ix_reader_segment(r, res->seg[i]), res->doc[i], &len))
            total += len + 1;
    if (!total)
        return MG_OK;
    if (total > room && !(p = res->ids = malloc(total)))
        return fail(res, MG_ENOMEM, "out of memory");
    for (size_t i = 0; i < res->n; i++) {
        if (res->docs[i])
            continue;
        const char *id = ix_seg_doc_id(ix_reader_segment(r, res->seg[i]), res->doc[i], &len);
        if (!id)
            continue;
        memcpy(p, id, len);
        p[len] = '\0';
        res->hits[i].id = p;
        p += len + 1;
    }
    return MG_OK;
}

/* One zeroed block for a page of n hits: res's arrays, then idn bytes
 * for ids (returned in *ids). */
static int page_alloc(mg_results *res, size_t n, size_t idn, char **ids)
{
    size_t arr = n * (sizeof *res->hits + sizeof *res->docs + sizeof *res->snippets +
                      sizeof *res->seg + sizeof *res->doc);
    char *b = res->page = malloc(arr + idn); /* calloc would bypass malloc's
                                                per-thread cache */
    if (!b)
        return fail(res, MG_ENOMEM, "out of memory");
    memset(b, 0, arr);
    res->hits = (mg_hit *)b;
    b += n * sizeof *res->hits;
    res->docs = (mg_doc **)b;
    b += n * sizeof *res->docs;
    res->snippets = (char **)b;
    b += n * sizeof *res->snippets;
    res->seg = (uint32_t *)b;
    b += n * sizeof *res->seg;
    res->doc = (uint32_t *)b;
    b += n * sizeof *res->doc;
    *ids = b;
    return MG_OK;
}

static int make_page(run *rn, const ix_reader *r, const mg_search_options *o, analyzer *an,
                     plan *pl, mg_results *res)
{
    /* The stored article is read only when a stored field or a snippet is
     * asked for: the date comes from the date column, the id from the
     * segment's ids section. */
    unsigned cheap = MG_FIELD_DATE | MG_FIELD_ID;
    int need_doc = (o->fields & ~cheap) != 0 || o->snippet_len > 0;
    if (!need_doc && (o->fields & MG_FIELD_ID)) /* their misses overlap the sort */
        for (size_t i = 0; i < rn->top.n; i++)
            ix_seg_doc_id_prefetch(ix_reader_segment(r, rn->top.h[i].seg), rn->top.h[i].doc);
    topk_sort(&rn->top);
    size_t from = o->offset < rn->top.n ? o->offset : rn->top.n;
    size_t n = rn->top.n - from;
    if (n == 0)
        return MG_OK;
    size_t idn = !need_doc && (o->fields & MG_FIELD_ID) ? ids_len(rn, r, from, n) : 0;
    char *ids = NULL;
    if (page_alloc(res, n, idn, &ids) != MG_OK)
        return res->status;
    for (size_t i = 0; i < n; i++) {
        const tk_hit *h = &rn->top.h[from + i];
        errbuf e;
        err_clear(&e);
        int rc = need_doc ? ix_seg_doc(ix_reader_segment(r, h->seg), h->doc, &res->docs[res->n], &e)
                          : MG_OK;
        if (rc != MG_OK)
            return fail(res, rc, e.msg);
        res->seg[res->n] = h->seg;
        res->doc[res->n] = h->doc;
        res->n++;
        fill_hit(res, r, i, h, o, an, pl);
    }
    return own_ids(res, r, o->fields, ids, idn);
}

static int check_options(const mg_search_options *o, mg_results *res)
{
    if (o->sort < MG_SORT_RELEVANCE || o->sort > MG_SORT_OLDEST)
        return fail(res, MG_EINVAL, "sort must be MG_SORT_RELEVANCE, MG_SORT_NEWEST or MG_SORT_OLDEST");
    if (!(o->k1 >= 0 && o->k1 < 1e6) || !(o->b >= 0 && o->b <= 1) ||
        !(o->title_weight >= 0 && o->title_weight < 1e6))
        return fail(res, MG_EINVAL, "BM25 options out of range (k1 >= 0, 0 <= b <= 1, title_weight >= 0)");
    if (o->limit > SEARCH_MAX_K || o->offset > SEARCH_MAX_K - o->limit)
        return fail(res, MG_EINVAL, "offset + limit too large (at most 16777216)");
    return MG_OK;
}

struct search_ctx {
    analyzer *an;
    int own_an;       /* an is freed with the context */
    plan_mem pm;      /* the parse tree, the plan and its token list */
    qarena it;        /* one segment's iterators (qctx.mem) */
    topk top;         /* the heap (its memory kept between searches) */
};

#define SEARCH_TOP_KEEP 1024 /* heap entries kept between searches */

search_ctx *search_ctx_new(const char *lang, errbuf *e)
{
    search_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        err_set(e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    c->own_an = 1;
    if (!(c->an = analyzer_new(lang, e))) {
        free(c);
        return NULL;
    }
    return c;
}

static void ctx_clear(search_ctx *c)
{
    plan_mem_free(&c->pm);
    qa_free(&c->it);
    topk_free(&c->top);
    if (c->own_an)
        analyzer_free(c->an);
    c->an = NULL;
}

void search_ctx_free(search_ctx *c)
{
    if (!c)
        return;
    ctx_clear(c);
    free(c);
}

const char *search_ctx_language(const search_ctx *c) { return analyzer_language(c->an); }

static int search_plan(ix_reader *r, const char *query, const mg_search_options *o,
                       const search_flags *f, search_ctx *c, plan **pl, mg_results *res)
{
    qast *ast = NULL;
    errbuf e;
    size_t col = 0;
    int rc = qparse_in(query, strlen(query), o->default_and, &c->pm.a, &ast, &e, &col);
    if (rc != MG_OK) {
        res->col = col;
        return fail(res, rc, e.msg);
    }
    rc = plan_build_in(ast, c->an, r, !f->no_phrase_bonus, o->snippet_len > 0, &c->pm, pl, &e);
    qast_free(ast);
    return rc == MG_OK ? MG_OK : fail(res, rc, e.msg);
}

static void totals(const run *rn, mg_results *res)
{
    res->total = rn->counted;
    if (rn->pruned) {
        res->estimate = 1;
        res->total = (uint64_t)(rn->pr_total + 0.5);
    }
    if (rn->skipped) {
        /* The union estimate ignores date filters and exclusions: scale
         * it by the share of the candidates seen that passed them. */
        double est = rn->seen ? rn->estimate * (double)rn->counted / (double)rn->seen : rn->estimate;
        res->estimate = 1;
        if (est > (double)rn->counted)
            res->total = (uint64_t)(est + 0.5);
    }
    res->skipped = rn->unscored;
    res->status = MG_OK;
}

/* The search itself, in c's memory (left for plan_mem_reset). */
static int search_exec(ix_reader *r, const char *query, const mg_search_options *o,
                       const search_flags *f, search_ctx *c, mg_results *res)
{
    plan *pl = NULL;
    run rn;
    memset(&rn, 0, sizeof rn);
    rn.o = o;
    rn.f = f;
    rn.dated = o->since != MG_NO_DATE || o->until != MG_NO_DATE;
    rn.top = c->top;
    rn.itmem = &c->it;
    int rc = search_plan(r, query, o, f, c, &pl, res);
    if (rc == MG_OK && topk_reinit(&rn.top, o->offset + o->limit,
                                   o->sort == MG_SORT_NEWEST ? TK_NEWEST :
                                   o->sort == MG_SORT_OLDEST ? TK_OLDEST : TK_SCORE))
        rc = fail(res, MG_ENOMEM, "out of memory");
    if (rc == MG_OK && plan_root(pl)) {
        bm25_init(&rn.m, o->k1, o->b, o->title_weight, ix_reader_avg_title_len(r),
                  ix_reader_avg_body_len(r));
        for (uint32_t s = 0; s < ix_reader_nsegments(r) && rc == MG_OK; s++) {
            if ((rc = run_segment(&rn, r, s, plan_root(pl))) != MG_OK || rn.oom)
                rc = fail(res, MG_ENOMEM, "out of memory while searching");
            qa_reset(&c->it); /* the segment's iterators are gone */
        }
        if (rc == MG_OK && rn.top.oom)
            rc = fail(res, MG_ENOMEM, "out of memory keeping the hits");
        if (rc == MG_OK)
            rc = make_page(&rn, r, o, c->an, pl, res);
    }
    if (rc == MG_OK)
        totals(&rn, res);
    c->top = rn.top;
    plan_free(pl);
    return res->status;
}

int search_run_ctx(ix_reader *r, const char *query, const mg_search_options *o,
                   const search_flags *f, search_ctx *c, mg_results *res)
{
    static const search_flags none;
    f = f ? f : &none;
    if (!r || !query || !c)
        return fail(res, MG_EINVAL, "no searcher or no query");
    if (check_options(o, res) != MG_OK)
        return res->status;
    search_exec(r, query, o, f, c, res);
    plan_mem_reset(&c->pm);
    topk_trim(&c->top, SEARCH_TOP_KEEP);
    return res->status;
}

int search_run(ix_reader *r, const char *query, const mg_search_options *o,
               const search_flags *f, analyzer *given, mg_results *res)
{
    static const search_flags none;
    f = f ? f : &none;
    if (!r || !query)
        return fail(res, MG_EINVAL, "no searcher or no query");
    if (check_options(o, res) != MG_OK)
        return res->status;
    search_ctx c;
    memset(&c, 0, sizeof c);
    errbuf e;
    c.an = given ? given : analyzer_new(ix_reader_language(r), &e);
    c.own_an = !given;
    if (!c.an)
        return fail(res, e.code, e.msg);
    search_exec(r, query, o, f, &c, res);
    ctx_clear(&c);
    return res->status;
}

/* test_query_search.c — searching a real index built in the test: boolean,
 * phrase, NEAR, prefix, exact, field and date queries checked against a
 * brute-force scan of the articles kept in memory; MaxScore top-k equal to
 * exhaustive scoring on 1,000 random queries, and the pruned top-k of AND,
 * phrase, NEAR and mixed queries on 2,100 more (two indexes); a BM25F score computed by
 * hand; phrase matches above scattered ones; sorting, paging, snippets,
 * syntax errors; threads searching while a writer commits. */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "index/index.h"
#include "query/iter.h"
#include "query/iter_int.h"
#include "query/parser.h"
#include "query/plan.h"
#include "query/search.h"

/* ------------------------------------------------------- generated corpus */

static const char *VOCAB[] = { "oil", "price", "bank", "rate", "market", "trade", "gold", "tax",
                               "war", "peace", "vote", "crop", "wheat", "steel", "ship", "port",
                               "coal", "iron", "bond", "stock", "running", "runs", "run", "runner" };
#define NV (sizeof VOCAB / sizeof *VOCAB)
#define MAXW 48

typedef struct art {
    char id[16];
    int title[MAXW], body[MAXW];   /* vocabulary indices */
    int nt, nb;
    int64_t date;
    int source;                    /* 0 reuters, 1 "ap wire" */
    int live;
} art;

#define NART 420
static art A[NART];
static char *DIR;
static char STEM[NV][32];          /* stem of each vocabulary word */

static int zipf(uint64_t *st) /* skewed word choice */
{
    double u = (double)(tu_rand(st) % 1000000) / 1e6;
    return (int)(u * u * NV);
}

static void words(char *out, size_t cap, const int *w, int n)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", VOCAB[w[i]]);
}

static void add_article(mg_index *ix, art *a)
{
    char title[MAXW * 12], body[MAXW * 12];
    words(title, sizeof title, a->title, a->nt);
    words(body, sizeof body, a->body, a->nb);
    mg_article m = { .id = a->id, .title = title, .body = body,
                     .source = a->source ? "ap wire" : "reuters", .date = a->date };
    assert_int_equal(mg_index_add(ix, &m), MG_OK);
}

static void gen_article(uint64_t *st, art *a, int i)
{
    snprintf(a->id, sizeof a->id, "doc%d", i);
    a->nt = 1 + (int)(tu_rand(st) % 5);
    a->nb = (int)(tu_rand(st) % 40);
    for (int k = 0; k < a->nt; k++)
        a->title[k] = zipf(st);
    for (int k = 0; k < a->nb; k++)
        a->body[k] = zipf(st);
    a->date = tu_rand(st) % 5 == 0 ? MG_NO_DATE
                                   : 1546300800 + (int64_t)(tu_rand(st) % (4 * 365)) * 86400;
    a->source = (int)(tu_rand(st) % 2);
    a->live = 1;
}

static int setup_corpus(void **state)
{
    (void)state;
    errbuf e;
    analyzer *an = analyzer_new("english", &e);
    for (size_t v = 0; v < NV; v++) {
        const char *s;
        size_t n;
        analyzer_stem(an, VOCAB[v], strlen(VOCAB[v]), &s, &n);
        snprintf(STEM[v], sizeof STEM[v], "%.*s", (int)n, s);
    }
    analyzer_free(an);
    DIR = tu_tmpdir();
    mg_index *ix = tu_open_unmerged(DIR);
    if (!ix)
        return -1;
    uint64_t st = 11;
    for (int i = 0; i < NART; i++) {
        gen_article(&st, &A[i], i);
        add_article(ix, &A[i]);
        if (i % 100 == 99 && mg_index_commit(ix) != MG_OK)
            return -1;
    }
    /* Deletes and replacements across segments. */
    for (int i = 3; i < NART; i += 37) {
        if (mg_index_delete(ix, A[i].id) != MG_OK)
            return -1;
        A[i].live = 0;
    }
    for (int i = 5; i < NART; i += 41) {
        gen_article(&st, &A[i], i);
        add_article(ix, &A[i]);
    }
    int rc = mg_index_commit(ix);
    mg_index_close(ix);
    return rc == MG_OK ? 0 : -1;
}

static int teardown_corpus(void **state)
{
    (void)state;
    tu_rmrf(DIR);
    free(DIR);
    return 0;
}

/* ------------------------------------------------------------ brute force */

enum { G_WORD, G_PHRASE, G_PREFIX, G_EXACT, G_NEAR, G_SOURCE, G_DATE, G_AND, G_OR, G_NOT };

typedef struct gq {
    int kind, w1, w2, field, n;
    char pre[8];
    int64_t lo, hi;
    struct gq *l, *r;
} gq;

/* Absolute positions as the index numbers them: title 0..T-1, body T+1.. */
static int pos_of(const art *a, int i, int *word, int *title)
{
    if (i < a->nt) {
        *word = a->title[i];
        *title = 1;
        return i;
    }
    *word = a->body[i - a->nt];
    *title = 0;
    return a->nt + 1 + (i - a->nt);
}

static int field_ok(int field, int title) { return field == 0 || (field == 1) == title; }

static int eval(const gq *g, const art *a)
{
    int n = a->nt + a->nb, w, t, w2, t2;
    switch (g->kind) {
    case G_WORD:
        for (int i = 0; i < n; i++)
            if ((pos_of(a, i, &w, &t), strcmp(STEM[w], STEM[g->w1]) == 0) && field_ok(g->field, t))
                return 1;
        return 0;
    case G_EXACT:
        for (int i = 0; i < n; i++)
            if ((pos_of(a, i, &w, &t), w == g->w1))
                return 1;
        return 0;
    case G_PREFIX:
        for (int i = 0; i < n; i++) {
            pos_of(a, i, &w, &t);
            size_t k = strlen(g->pre);
            if (strncmp(VOCAB[w], g->pre, k) == 0 || strncmp(STEM[w], g->pre, k) == 0)
                return 1;
        }
        return 0;
    case G_PHRASE:
        for (int i = 0; i + 1 < n; i++) {
            int p1 = pos_of(a, i, &w, &t), p2 = pos_of(a, i + 1, &w2, &t2);
            if (p2 == p1 + 1 && !strcmp(STEM[w], STEM[g->w1]) && !strcmp(STEM[w2], STEM[g->w2]) &&
                field_ok(g->field, t))
                return 1;
        }
        return 0;
    case G_NEAR:
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                int p1 = pos_of(a, i, &w, &t), p2 = pos_of(a, j, &w2, &t2);
                if (i != j && !strcmp(STEM[w], STEM[g->w1]) && !strcmp(STEM[w2], STEM[g->w2]) &&
                    abs(p1 - p2) <= g->n + 1) /* two distinct occurrences */
                    return 1;
            }
        return 0;
    case G_SOURCE: return a->source == g->w1;
    case G_DATE:
        return a->date != MG_NO_DATE && (g->lo == MG_NO_DATE || a->date >= g->lo) &&
               (g->hi == MG_NO_DATE || a->date <= g->hi);
    case G_AND: return eval(g->l, a) && eval(g->r, a);
    case G_OR: return eval(g->l, a) || eval(g->r, a);
    case G_NOT: return eval(g->l, a) && !eval(g->r, a);
    }
    return 0;
}

static const char *FIELDS[] = { "", "title:", "body:" };

static gq *gen_query(uint64_t *st, int depth, char *out, size_t cap)
{
    gq *g = calloc(1, sizeof *g);
    int k = depth >= 2 ? (int)(tu_rand(st) % 6) : (int)(tu_rand(st) % 10);
    g->kind = k == 5 && depth >= 2 ? G_WORD : k;
    g->w1 = zipf(st);
    g->w2 = zipf(st);
    g->field = (int)(tu_rand(st) % 3);
    switch (g->kind) {
    case G_WORD: snprintf(out, cap, "%s%s", FIELDS[g->field], VOCAB[g->w1]); break;
    case G_PHRASE:
        snprintf(out, cap, "%s\"%s %s\"", FIELDS[g->field], VOCAB[g->w1], VOCAB[g->w2]);
        break;
    case G_PREFIX:
        snprintf(g->pre, sizeof g->pre, "%.*s", 2 + (int)(tu_rand(st) % 2), VOCAB[g->w1]);
        snprintf(out, cap, "%s*", g->pre);
        break;
    case G_EXACT: snprintf(out, cap, "=%s", VOCAB[g->w1]); break;
    case G_NEAR:
        g->n = (int)(tu_rand(st) % 4);
        if (tu_rand(st) % 4 == 0)
            g->w2 = g->w1; /* one word twice: needs two occurrences */
        snprintf(out, cap, "%s NEAR/%d %s", VOCAB[g->w1], g->n, VOCAB[g->w2]);
        break;
    case G_SOURCE:
        g->w1 = (int)(tu_rand(st) % 2);
        snprintf(out, cap, "source:%s", g->w1 ? "ap" : "reuters");
        break;
    case G_DATE: {
        int y1 = 2019 + (int)(tu_rand(st) % 4), y2 = y1 + (int)(tu_rand(st) % 2);
        g->kind = G_AND; /* date: is a filter: pair it with a word */
        g->l = calloc(1, sizeof *g->l);
        g->l->kind = G_WORD;
        g->l->w1 = g->w1;
        g->r = calloc(1, sizeof *g->r);
        g->r->kind = G_DATE;
        g->r->lo = y1 == 2019 ? MG_NO_DATE : qp_days_from_civil(y1, 1, 1) * 86400;
        g->r->hi = qp_days_from_civil(y2 + 1, 1, 1) * 86400 - 1;
        if (y1 == 2019)
            snprintf(out, cap, "%s date:..%d", VOCAB[g->w1], y2);
        else
            snprintf(out, cap, "%s date:%d..%d", VOCAB[g->w1], y1, y2);
        break;
    }
    default: {
        char a[512], b[512];
        g->l = gen_query(st, depth + 1, a, sizeof a);
        g->r = gen_query(st, depth + 1, b, sizeof b);
        g->kind = G_AND + (int)(tu_rand(st) % 3);
        const char *op = g->kind == G_AND ? "AND" : g->kind == G_OR ? "OR" : "NOT";
        snprintf(out, cap, "(%s) %s (%s)", a, op, b);
    }
    }
    return g;
}

static void gq_free(gq *g)
{
    if (!g)
        return;
    gq_free(g->l);
    gq_free(g->r);
    free(g);
}

static mg_searcher *open_searcher(void)
{
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(DIR, &s), MG_OK);
    return s;
}

static int id_index(const char *id) { return atoi(id + 3); }

static void test_queries_match_brute_force_scan(void **state)
{
    (void)state;
    mg_searcher *s = open_searcher();
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = NART;
    o.snippet_len = 0;
    o.exact_total = 1;
    uint64_t st = 99;
    int nonempty = 0;
    for (int q = 0; q < 400; q++) {
        char text[2048];
        gq *g = gen_query(&st, 0, text, sizeof text);
        mg_results *r;
        int rc = mg_search(s, text, &o, &r);
        if (rc != MG_OK)
            fail_msg("query '%s': %s", text, mg_results_errmsg(r));
        char seen[NART] = { 0 };
        for (size_t i = 0; i < mg_results_count(r); i++)
            seen[id_index(mg_results_hit(r, i)->id)] = 1;
        uint64_t want = 0;
        for (int i = 0; i < NART; i++) {
            int m = A[i].live && eval(g, &A[i]);
            want += (uint64_t)m;
            if (m != seen[i])
                fail_msg("query '%s': %s %s", text, A[i].id, m ? "missing" : "unexpected");
        }
        assert_int_equal(mg_results_total(r), want);
        assert_false(mg_results_total_is_estimate(r));
        nonempty += want > 0;
        mg_results_free(r);
        gq_free(g);
    }
    assert_true(nonempty > 150); /* the generator makes queries that match */
    mg_searcher_close(s);
}

/* ------------------------------------------------------ top-k = exhaustive */

static int run_q(ix_reader *r, const char *q, const mg_search_options *o, int exhaustive,
                 mg_results *res)
{
    search_flags f = { .exhaustive = exhaustive };
    memset(res, 0, sizeof *res);
    return search_run(r, q, o, &f, NULL, res);
}

/* Runs text pruned and exhaustively: the same hits in the same order with
 * the same scores (bit for bit when tol is 0, else within tol relative),
 * the exhaustive total exact, and the pruned total exact or, when labelled
 * an estimate, at least what the page shows and at most max_total (when
 * nonzero).  Adds to *skipped and *estimated. */
static void same_as_exhaustive(ix_reader *r, const char *text, const mg_search_options *o,
                               double tol, uint64_t max_total, uint64_t *skipped, int *estimated)
{
    mg_results a, b;
    assert_int_equal(run_q(r, text, o, 0, &a), MG_OK);
    assert_int_equal(run_q(r, text, o, 1, &b), MG_OK);
    if (a.n != b.n)
        fail_msg("'%s': %zu hits vs %zu exhaustive", text, a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        double d = fabs(a.hits[i].score - b.hits[i].score);
        if (a.seg[i] != b.seg[i] || a.doc[i] != b.doc[i] ||
            (tol == 0 ? d != 0 : d > tol * fabs(b.hits[i].score)))
            fail_msg("'%s' hit %zu: (%u,%u) %.17g vs exhaustive (%u,%u) %.17g", text, i, a.seg[i],
                     a.doc[i], a.hits[i].score, b.seg[i], b.doc[i], b.hits[i].score);
    }
    assert_false(b.estimate);
    if (!a.estimate)
        assert_int_equal(a.total, b.total);
    else /* an estimate never below what was counted, nor absurd */
        assert_true(a.total >= a.n + o->offset && (!max_total || a.total <= max_total));
    *skipped += a.skipped;
    *estimated += a.estimate;
    search_results_clear(&a);
    search_results_clear(&b);
}

/* A random page: 1..maxlim hits, an offset one time in four. */
static void random_page(uint64_t *st, mg_search_options *o, unsigned maxlim)
{
    o->limit = 1 + tu_rand(st) % maxlim;
    o->offset = tu_rand(st) % 4 == 0 ? tu_rand(st) % 10 : 0;
}

static void test_maxscore_top_k_equals_exhaustive_on_random_queries(void **state)
{
    (void)state;
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(DIR, &r, &e), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 0;
    o.fields = MG_FIELD_ID;
    uint64_t st = 1234;
    uint64_t skipped = 0;
    int estimated = 0;
    for (int q = 0; q < 1000; q++) {
        char text[256];
        size_t k = 0;
        int nw = 1 + (int)(tu_rand(&st) % 5);
        for (int i = 0; i < nw; i++) {
            unsigned c = (unsigned)(tu_rand(&st) % 10);
            const char *pre = c == 0 ? "-" : c == 1 ? "title:" : "";
            if (c == 2)
                k += (size_t)snprintf(text + k, sizeof text - k, "\"%s %s\" ", VOCAB[zipf(&st)],
                                      VOCAB[zipf(&st)]);
            else
                k += (size_t)snprintf(text + k, sizeof text - k, "%s%s ", pre, VOCAB[zipf(&st)]);
        }
        random_page(&st, &o, 12);
        same_as_exhaustive(r, text, &o, 1e-9, 0, &skipped, &estimated);
    }
    print_message("maxscore: %llu documents left unscored, %d estimated totals\n",
                  (unsigned long long)skipped, estimated);
    assert_true(skipped > 0); /* the pruning really happened */
    ix_reader_unref(r);
}

/* One random non-OR query: conjunctions, phrases, NEAR and mixtures. */
static void random_conj_query(uint64_t *st, char *text, size_t cap, int *default_and)
{
    const char *a = VOCAB[zipf(st)], *b = VOCAB[zipf(st)], *c = VOCAB[zipf(st)];
    *default_and = 0;
    switch (tu_rand(st) % 13) {
    case 0: snprintf(text, cap, "%s %s", a, b); *default_and = 1; break;
    case 1: snprintf(text, cap, "%s %s %s", a, b, c); *default_and = 1; break;
    case 2: snprintf(text, cap, "\"%s %s\"", a, b); break;
    case 3: snprintf(text, cap, "\"%s %s %s\"", a, b, c); break;
    case 4: snprintf(text, cap, "%s NEAR/%u %s", a, (unsigned)(tu_rand(st) % 4), b); break;
    case 5: snprintf(text, cap, "+\"%s %s\" %s", a, b, c); break;
    case 6: snprintf(text, cap, "+%s +%s -%s", a, b, c); break;
    case 7: snprintf(text, cap, "title:%s +%s %s", a, b, c); break;
    case 9: snprintf(text, cap, "title:\"%s %s\"", a, b); break;
    case 10: snprintf(text, cap, "body:\"%s %s\" +%s", a, b, c); break;
    case 11: snprintf(text, cap, "\"=%s %s\" =%s", a, b, c); *default_and = 1; break;
    default: snprintf(text, cap, "+%s \"%s %s\"", a, b, c); break;
    }
}

static void test_pruned_conjunctions_equal_exhaustive_on_random_queries(void **state)
{
    (void)state;
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(DIR, &r, &e), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 0;
    o.fields = MG_FIELD_ID;
    uint64_t st = 4321, skipped = 0;
    int estimated = 0;
    for (int q = 0; q < 1500; q++) {
        char text[256];
        random_conj_query(&st, text, sizeof text, &o.default_and);
        o.since = o.until = MG_NO_DATE;
        if (tu_rand(&st) % 4 == 0) { /* a date filter too */
            o.since = 1546300800 + (int64_t)(tu_rand(&st) % 500) * 86400;
            o.until = o.since + (int64_t)(tu_rand(&st) % 800) * 86400;
        }
        random_page(&st, &o, 12);
        same_as_exhaustive(r, text, &o, 0, NART, &skipped, &estimated);
    }
    print_message("conjunctions: %llu documents left unscored, %d estimated totals\n",
                  (unsigned long long)skipped, estimated);
    assert_true(skipped > 0 && estimated > 0); /* the pruning really happened */
    ix_reader_unref(r);
}

/* What the tests that drive plans and iterators by hand share: the
 * corpus's reader, an English analyzer and the default BM25 over it. */
typedef struct by_hand {
    ix_reader *r;
    analyzer *an;
    bm25 m;
} by_hand;

static void by_hand_open(by_hand *h)
{
    errbuf e;
    assert_int_equal(ix_reader_open(DIR, &h->r, &e), MG_OK);
    h->an = analyzer_new("english", &e);
    assert_non_null(h->an);
    mg_search_options o;
    mg_search_options_init(&o);
    bm25_init(&h->m, o.k1, o.b, o.title_weight, ix_reader_avg_title_len(h->r),
              ix_reader_avg_body_len(h->r));
}

static void by_hand_close(by_hand *h)
{
    analyzer_free(h->an);
    ix_reader_unref(h->r);
}

/* The plan of a query that must parse and plan. */
static plan *by_hand_plan(by_hand *h, const char *text)
{
    errbuf e;
    qast *ast = NULL;
    size_t col;
    assert_int_equal(qparse(text, strlen(text), 0, &ast, &e, &col), MG_OK);
    plan *pl = NULL;
    assert_int_equal(plan_build(ast, h->an, h->r, 1, 0, &pl, &e), MG_OK);
    qast_free(ast);
    return pl;
}

/* Segment sgi's context for building iterators. */
static qctx by_hand_ctx(by_hand *h, uint32_t sgi)
{
    const ix_segment *sg = ix_reader_segment(h->r, sgi);
    const uint8_t *nm = ix_seg_norms(sg);
    qctx cx = { &h->m, sg, sgi, ix_seg_ndocs(sg), ix_seg_dates(sg), nm, nm + ix_seg_ndocs(sg), NULL };
    return cx;
}

/* qit_doc_le, the top-k loop's test of a document's bound against the
 * k-th score, decides a phrase's without dividing: it must agree with
 * qit_doc_bound <= theta wherever theta is not within rounding of the
 * bound, and the phrase's score must stay under its bound. */
static void test_phrase_doc_le_agrees_with_doc_bound(void **state)
{
    (void)state;
    by_hand h;
    by_hand_open(&h);
    uint64_t st = 77, checked = 0, under = 0;
    for (int q = 0; q < 200; q++) {
        char text[128];
        const char *f = q % 3 == 0 ? "title:" : q % 3 == 1 ? "body:" : "";
        snprintf(text, sizeof text, "%s\"%s %s\"", f, VOCAB[zipf(&st)], VOCAB[zipf(&st)]);
        plan *pl = by_hand_plan(&h, text);
        for (uint32_t sgi = 0; plan_root(pl) && sgi < ix_reader_nsegments(h.r); sgi++) {
            qctx cx = by_hand_ctx(&h, sgi);
            qit *it = NULL;
            assert_int_equal(qit_build_approx(plan_root(pl), &cx, &it), MG_OK);
            for (uint32_t d = it->doc; d != IX_END; d = qit_next(it)) {
                double b = qit_doc_bound(it);
                assert_true(qit_doc_le(it, b * (1 + 1e-12) + 1e-300));
                if (b > 0) {
                    assert_false(qit_doc_le(it, b * (1 - 1e-12)));
                    assert_false(qit_doc_le(it, 0.0));
                }
                checked++;
                if (qit_confirm(it)) {
                    double sc = qit_score(it);
                    assert_true(sc <= b);
                    under += sc < b;
                }
            }
            qit_free(it);
        }
        plan_free(pl);
    }
    print_message("phrase bounds: %llu documents checked, %llu matches under their bound\n",
                  (unsigned long long)checked, (unsigned long long)under);
    assert_true(checked > 500 && under > 50);
    by_hand_close(&h);
}

/* qit_bound_parts, the bound a conjunction keeps for a clause while the
 * clause's blocks last: at a document d not yet reached it equals
 * qit_bound_doc(d) up to rounding, and every document the clause then
 * matches up to the range's end scores under a * tf / (tf + K). */
static void test_bound_parts_cover_the_scores_of_their_range(void **state)
{
    (void)state;
    by_hand h;
    by_hand_open(&h);
    uint64_t st = 91, checked = 0, ranged = 0;
    for (int q = 0; q < 150; q++) {
        char text[128];
        const char *f = q % 3 == 0 ? "title:" : q % 3 == 1 ? "body:" : "";
        if (q % 2)
            snprintf(text, sizeof text, "%s\"%s %s\"", f, VOCAB[zipf(&st)], VOCAB[zipf(&st)]);
        else
            snprintf(text, sizeof text, "%s%s", f, VOCAB[zipf(&st)]);
        plan *pl = by_hand_plan(&h, text);
        for (uint32_t sgi = 0; plan_root(pl) && sgi < ix_reader_nsegments(h.r); sgi++) {
            qctx cx = by_hand_ctx(&h, sgi);
            qit *ref = NULL, *it = NULL;
            assert_int_equal(qit_build(plan_root(pl), &cx, &ref), MG_OK);
            assert_int_equal(qit_build(plan_root(pl), &cx, &it), MG_OK);
            double a = 0, tf = 0;
            uint32_t last = 0;
            int have = 0;
            /* it trails ref by one match: each of ref's documents is one
             * that it has not reached yet */
            for (uint32_t d = qit_next(ref); d != IX_END; d = qit_next(ref)) {
                double K = qit_doc_K(&cx, d);
                if (!have || d > last) {
                    assert_true(qit_bound_parts(it, d, &a, &tf, &last));
                    assert_true(last >= d);
                    double pb = tf <= 0 ? 0.0 : a * tf / (tf + K), b = qit_bound_doc(it, d, K);
                    assert_true(fabs(pb - b) <= 1e-12 * b);
                    have = 1;
                } else {
                    ranged++;
                }
                assert_int_equal(qit_advance(it, d), d);
                double sc = qit_score(it);
                assert_true(sc > 0 && sc <= (tf <= 0 ? 0.0 : a * tf / (tf + K)));
                checked++;
            }
            qit_free(ref);
            qit_free(it);
        }
        plan_free(pl);
    }
    print_message("bound parts: %llu documents checked, %llu within a kept range\n",
                  (unsigned long long)checked, (unsigned long long)ranged);
    assert_true(checked > 500 && ranged > 100);
    by_hand_close(&h);
}

/* ix_post_ahead (the phrase iterator prefetches the norms of the documents
 * it names) peeks at the documents after the current one in the decoded
 * block: each is the one a later ix_post_next reaches, or IX_END. */
static void test_cursor_ahead_names_the_next_documents_of_its_block(void **state)
{
    (void)state;
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(DIR, &r, &e), MG_OK);
    uint64_t named = 0, past = 0;
    for (uint32_t sgi = 0; sgi < ix_reader_nsegments(r); sgi++) {
        ix_post c, walk;
        if (!ix_post_open(&c, ix_reader_segment(r, sgi), STEM[0], strlen(STEM[0])))
            continue;
        for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c)) {
            assert_int_equal(ix_post_ahead(&c, 0), d);
            memcpy(&walk, &c, sizeof walk);
            for (uint32_t k = 1; k <= 3; k++) {
                uint32_t a = ix_post_ahead(&c, k), n = ix_post_next(&walk);
                if (a != IX_END) {
                    assert_int_equal(a, n);
                    named++;
                } else {
                    past++;
                }
            }
        }
        assert_int_equal(ix_post_ahead(&c, 1), IX_END);
    }
    assert_true(named > 100 && past > 0);
    ix_reader_unref(r);
}

/* A larger index (lists of many blocks, two segments, deletions), so that
 * MaxScore skips whole blocks, probes non-essential lists and checks lazy
 * phrase bonuses from its words' cursors; with date filters, excluded and
 * title-only words and phrases.  The hits and their scores must be exactly
 * those of exhaustive scoring. */
#define BIG_NART 4000
#define BIG_NV 300

static void big_word(int i, char *out)
{
    static const char cons[] = "bdfgklmnprstvzh", vow[] = "aeiou";
    snprintf(out, 16, "%c%c%c%c%co", cons[i % 15], vow[(i / 15) % 5], cons[(i / 75) % 15],
             vow[(i / 7) % 5], cons[(i / 3) % 15]);
}

static int big_zipf(uint64_t *st)
{
    double u = (double)(tu_rand(st) % 1000000) / 1e6;
    return (int)(u * u * u * BIG_NV);
}

static void big_text(uint64_t *st, char *out, size_t cap, int n)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < n && k + 20 < cap; i++) {
        char w[16];
        big_word(big_zipf(st), w);
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", w);
    }
}

static char *big_index(void)
{
    char *dir = tu_tmpdir();
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    uint64_t st = 77;
    static char title[256], body[8192];
    for (int i = 0; i < BIG_NART; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        big_text(&st, title, sizeof title, 1 + (int)(tu_rand(&st) % 8));
        int nb = (int)(tu_rand(&st) % 100);
        big_text(&st, body, sizeof body, 3 + (int)(nb * nb / 50));
        mg_article a = { .id = id, .title = title, .body = body,
                         .date = tu_rand(&st) % 7 == 0 ? MG_NO_DATE
                                 : 1546300800 + (int64_t)(tu_rand(&st) % 1000) * 86400 };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
        if (i == BIG_NART * 2 / 3)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    for (int i = 1; i < BIG_NART; i += 29) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        assert_int_equal(mg_index_delete(ix, id), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    return dir;
}

static void test_maxscore_equals_exhaustive_on_a_larger_index_with_filters(void **state)
{
    (void)state;
    char *dir = big_index();
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
    assert_true(ix_reader_nsegments(r) == 2);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 0;
    o.fields = MG_FIELD_ID;
    uint64_t st = 4321, skipped = 0;
    int estimated = 0;
    for (int q = 0; q < 1000; q++) {
        char text[512], w[16], w2[16];
        size_t k = 0;
        int nw = 2 + (int)(tu_rand(&st) % 4);
        for (int i = 0; i < nw; i++) {
            unsigned c = (unsigned)(tu_rand(&st) % 20);
            big_word(big_zipf(&st), w);
            if (c == 0) {
                k += (size_t)snprintf(text + k, sizeof text - k, "-%s ", w);
            } else if (c == 1) {
                k += (size_t)snprintf(text + k, sizeof text - k, "title:%s ", w);
            } else if (c == 2) {
                big_word(big_zipf(&st), w2);
                k += (size_t)snprintf(text + k, sizeof text - k, "\"%s %s\" ", w, w2);
            } else {
                k += (size_t)snprintf(text + k, sizeof text - k, "%s ", w);
            }
        }
        random_page(&st, &o, 20);
        o.since = o.until = MG_NO_DATE;
        if (tu_rand(&st) % 5 == 0) {
            o.since = 1546300800 + (int64_t)(tu_rand(&st) % 500) * 86400;
            o.until = o.since + (int64_t)(tu_rand(&st) % 500) * 86400;
        }
        same_as_exhaustive(r, text, &o, 0, 0, &skipped, &estimated);
    }
    print_message("maxscore (larger index): %llu documents left unscored\n",
                  (unsigned long long)skipped);
    assert_true(skipped > 0);
    ix_reader_unref(r);
    tu_rmrf(dir);
    free(dir);
}

/* The same larger index with AND, phrase, NEAR and mixed queries: block
 * bounds of many-block lists, leads checked against the other words' block
 * bounds, positions read alone or by whole blocks. */
static void test_pruned_conjunctions_equal_exhaustive_on_a_larger_index(void **state)
{
    (void)state;
    char *dir = big_index();
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 0;
    o.fields = MG_FIELD_ID;
    uint64_t st = 999, skipped = 0;
    int estimated = 0;
    for (int q = 0; q < 600; q++) {
        char text[512], a[16], b[16], c[16];
        big_word(big_zipf(&st) / 4, a); /* common words, so phrases match */
        big_word(big_zipf(&st) / 4, b);
        big_word(big_zipf(&st), c);
        o.default_and = 0;
        switch (tu_rand(&st) % 6) {
        case 0: snprintf(text, sizeof text, "%s %s", a, c); o.default_and = 1; break;
        case 1: snprintf(text, sizeof text, "\"%s %s\"", a, b); break;
        case 2: snprintf(text, sizeof text, "\"%s %s %s\"", a, b, c); break;
        case 3: snprintf(text, sizeof text, "%s NEAR/2 %s", a, b); break;
        case 4: snprintf(text, sizeof text, "+%s +%s -%s", a, b, c); break;
        default: snprintf(text, sizeof text, "+\"%s %s\" %s", a, b, c); break;
        }
        random_page(&st, &o, 20);
        o.since = o.until = MG_NO_DATE;
        if (tu_rand(&st) % 5 == 0) {
            o.since = 1546300800 + (int64_t)(tu_rand(&st) % 500) * 86400;
            o.until = o.since + (int64_t)(tu_rand(&st) % 500) * 86400;
        }
        same_as_exhaustive(r, text, &o, 0, 0, &skipped, &estimated);
    }
    print_message("conjunctions (larger index): %llu documents left unscored, %d estimated totals\n",
                  (unsigned long long)skipped, estimated);
    assert_true(skipped > 0 && estimated > 0);
    ix_reader_unref(r);
    tu_rmrf(dir);
    free(dir);
}

/* ------------------------------------------------------------ small cases */

static char *small_index(const mg_article *arts, size_t n)
{
    char *dir = tu_tmpdir();
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mg_index_add(ix, &arts[i]), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    return dir;
}

static void test_bm25f_score_matches_hand_computation(void **state)
{
    (void)state;
    mg_article arts[] = {
        { .id = "d1", .title = "oil", .body = "oil price rise", .date = MG_NO_DATE },
        { .id = "d2", .title = "gold", .body = "gold price fall today", .date = MG_NO_DATE },
        { .id = "d3", .title = "bank", .body = "rate", .date = MG_NO_DATE },
    };
    char *dir = small_index(arts, 3);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    mg_results *r;
    assert_int_equal(mg_search(s, "oil", NULL, &r), MG_OK);
    assert_int_equal(mg_results_count(r), 1);
    /* N = 3, df = 1; title weight 2.5: tf' = 2.5*1 + 1, dl' = 2.5*1 + 3,
     * avgdl' = 2.5*1 + (3+4+1)/3; k1 = 1.2, b = 0.75 */
    double idf = log(1 + (3 - 1 + 0.5) / (1 + 0.5));
    double avgdl = 2.5 + 8.0 / 3.0, tf = 3.5, dl = 5.5;
    double want = idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl));
    assert_true(fabs(mg_results_hit(r, 0)->score - want) < 1e-9);
    assert_true(fabs(want - 1.58728) < 1e-4);
    assert_string_equal(mg_results_hit(r, 0)->id, "d1");
    mg_results_free(r);
    /* A title match outranks the same word once in a body of equal length. */
    assert_int_equal(mg_search(s, "price gold", NULL, &r), MG_OK);
    assert_string_equal(mg_results_hit(r, 0)->id, "d2");
    mg_results_free(r);
    mg_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* The score of doc id for query q alone (0 when it does not match). */
static double score_alone(mg_searcher *s, const char *q, const char *id)
{
    mg_results *r;
    assert_int_equal(mg_search(s, q, NULL, &r), MG_OK);
    double sc = 0;
    for (size_t i = 0; i < mg_results_count(r); i++)
        if (!strcmp(mg_results_hit(r, i)->id, id))
            sc = mg_results_hit(r, i)->score;
    mg_results_free(r);
    return sc;
}

/* A BOOL's plain words are analyzed and looked up together (plan.c
 * pre_words), past PLAN_PRE_KIDS too and mixed with phrases and fields:
 * each hit scores the sum of what its words score alone. */
static void test_words_looked_up_together_score_as_alone(void **state)
{
    (void)state;
    mg_article arts[] = {
        { .id = "d1", .title = "oil", .body = "oil price rise e-mail", .date = MG_NO_DATE },
        { .id = "d2", .title = "gold", .body = "gold price fall today", .date = MG_NO_DATE },
        { .id = "d3", .title = "bank", .body = "rate cut", .date = MG_NO_DATE },
        { .id = "d4", .title = "wheat", .body = "wheat crop today", .date = MG_NO_DATE },
    };
    char *dir = small_index(arts, 4);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    const char *words[] = { "zzz", "oil", "\"price fall\"", "gold", "title:bank", "e-mail",
                            "rate", "yyy", "crop", "xxx", "wheat" };
    size_t nw = sizeof words / sizeof *words;
    char q[256] = "";
    for (size_t i = 0; i < nw; i++) {
        strcat(q, words[i]);
        strcat(q, " ");
    }
    mg_results *r;
    assert_int_equal(mg_search(s, q, NULL, &r), MG_OK);
    assert_int_equal(mg_results_count(r), 4);
    for (size_t i = 0; i < mg_results_count(r); i++) {
        const mg_hit *h = mg_results_hit(r, i);
        double want = 0;
        for (size_t k = 0; k < nw; k++)
            want += score_alone(s, words[k], h->id);
        if (fabs(h->score - want) > 1e-9 * want)
            fail_msg("%s: %.17g, its words alone %.17g", h->id, h->score, want);
    }
    mg_results_free(r);
    mg_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

static void test_phrase_matches_rank_above_scattered_words(void **state)
{
    (void)state;
    mg_article arts[] = {
        { .id = "scattered", .body = "new ideas for the city of york", .date = MG_NO_DATE },
        { .id = "phrase", .body = "ideas for the new york city of", .date = MG_NO_DATE },
    };
    char *dir = small_index(arts, 2);
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    mg_results res;
    search_flags f = { .no_phrase_bonus = 1 };
    memset(&res, 0, sizeof res);
    assert_int_equal(search_run(r, "new york", &o, &f, NULL, &res), MG_OK);
    assert_int_equal(res.n, 2); /* without the bonus: a tie, lower docid first */
    assert_string_equal(res.hits[0].id, "scattered");
    assert_true(res.hits[0].score == res.hits[1].score);
    search_results_clear(&res);
    assert_int_equal(run_q(r, "new york", &o, 0, &res), MG_OK);
    assert_string_equal(res.hits[0].id, "phrase");
    assert_int_equal(res.total, 2); /* nothing skipped: an exact total */
    assert_false(res.estimate);
    assert_true(res.hits[0].score > res.hits[1].score);
    search_results_clear(&res);
    assert_int_equal(run_q(r, "\"new york\"", &o, 0, &res), MG_OK);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.hits[0].id, "phrase");
    search_results_clear(&res);
    ix_reader_unref(r);
    tu_rmrf(dir);
    free(dir);
}

/* Ids of the hits of q on s, space-separated, in rank order. */
static const char *ids_of(mg_searcher *s, const char *q)
{
    static char out[512];
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = 50;
    o.sort = MG_SORT_OLDEST; /* deterministic order: by date */
    mg_results *r;
    int rc = mg_search(s, q, &o, &r);
    if (rc != MG_OK)
        fail_msg("'%s': %s", q, mg_results_errmsg(r));
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < mg_results_count(r); i++)
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? " " : "", mg_results_hit(r, i)->id);
    mg_results_free(r);
    return out;
}

static void test_near_phrase_exact_and_field_semantics(void **state)
{
    (void)state;
    mg_article arts[] = {
        { .id = "fox", .title = "New", .body = "york: the quick brown fox jumps over the lazy dog",
          .date = 100 },
        { .id = "run", .title = "Runs", .body = "running late, he runs to the e-mail office", .date = 200,
          .author = "Ann Smith", .source = "Wire" },
        { .id = "ny", .title = "Trip", .body = "a new york minute", .date = 300 },
    };
    char *dir = small_index(arts, 3);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    /* NEAR/n: at most n words between, either order; phrases as operands */
    assert_string_equal(ids_of(s, "quick NEAR/2 jumps"), "fox");
    assert_string_equal(ids_of(s, "quick NEAR/1 jumps"), "");
    assert_string_equal(ids_of(s, "jumps NEAR/2 quick"), "fox");
    assert_string_equal(ids_of(s, "\"quick brown\" NEAR/0 fox"), "fox");
    assert_string_equal(ids_of(s, "\"quick brown\" NEAR/0 dog"), "");
    assert_string_equal(ids_of(s, "quick NEAR fox NEAR dog"), "fox");
    assert_string_equal(ids_of(s, "quick NEAR/6 fox NEAR/1 dog"), "");
    /* each operand needs its own occurrence: one word cannot serve two */
    assert_string_equal(ids_of(s, "quick NEAR quick"), "");
    assert_string_equal(ids_of(s, "\"quick brown\" NEAR/3 brown"), "");
    assert_string_equal(ids_of(s, "quick NEAR brown NEAR quick"), "");
    assert_string_equal(ids_of(s, "run NEAR/0 run"), ""); /* Runs(0), running(2), runs(5) */
    assert_string_equal(ids_of(s, "run NEAR/1 run"), "run");
    assert_string_equal(ids_of(s, "runs NEAR/1 running"), "run");
    assert_string_equal(ids_of(s, "run NEAR/2 run NEAR/2 run"), "");
    assert_string_equal(ids_of(s, "run NEAR/3 run NEAR/3 run"), "run");
    assert_string_equal(ids_of(s, "run NEAR/3 run NEAR/3 run NEAR/9 run"), "");
    /* phrases never span the title and the body */
    assert_string_equal(ids_of(s, "\"new york\""), "ny");
    assert_string_equal(ids_of(s, "new york"), "fox ny");
    /* stemmed vs exact forms */
    assert_string_equal(ids_of(s, "run"), "run");
    assert_string_equal(ids_of(s, "=run"), "");
    assert_string_equal(ids_of(s, "=runs"), "run");
    assert_string_equal(ids_of(s, "title:=runs"), "run");
    assert_string_equal(ids_of(s, "body:=running"), "run");
    assert_string_equal(ids_of(s, "title:=running"), "");
    /* a word split by the analyzer is a phrase; fields; prefixes */
    assert_string_equal(ids_of(s, "e-mail"), "run");
    assert_string_equal(ids_of(s, "author:smith source:wire"), "run");
    assert_string_equal(ids_of(s, "author:jones"), "");
    assert_string_equal(ids_of(s, "runn*"), "run");
    assert_string_equal(ids_of(s, "title:ne*"), "fox");
    assert_string_equal(ids_of(s, "-fox -run"), "ny");
    mg_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

static void test_sort_by_date_filters_and_pages(void **state)
{
    (void)state;
    mg_searcher *s = open_searcher();
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = NART;
    o.sort = MG_SORT_NEWEST;
    o.since = 1577836800; /* 2020-01-01 */
    o.until = 1609459199; /* 2020-12-31 end */
    mg_results *r;
    assert_int_equal(mg_search(s, "oil OR price", &o, &r), MG_OK);
    uint64_t want = 0;
    for (int i = 0; i < NART; i++) {
        int has = 0;
        for (int k = 0; k < A[i].nt + A[i].nb; k++) {
            int w = k < A[i].nt ? A[i].title[k] : A[i].body[k - A[i].nt];
            has |= w == 0 || w == 1;
        }
        want += A[i].live && has && A[i].date != MG_NO_DATE && A[i].date >= o.since &&
                A[i].date <= o.until;
    }
    assert_int_equal(mg_results_total(r), want);
    assert_int_equal(mg_results_count(r), want);
    for (size_t i = 1; i < mg_results_count(r); i++)
        assert_true(mg_results_hit(r, i - 1)->date >= mg_results_hit(r, i)->date);
    mg_results_free(r);
    /* Ranked with a date range and one hit: MaxScore skips, and the
     * estimated total follows the range, not the whole index. */
    o.sort = MG_SORT_RELEVANCE;
    o.limit = 1;
    assert_int_equal(mg_search(s, "oil OR price", &o, &r), MG_OK);
    if (mg_results_total_is_estimate(r))
        assert_true(mg_results_total(r) <= 2 * want + 10);
    else
        assert_int_equal(mg_results_total(r), want);
    mg_results_free(r);
    o.limit = NART;
    /* Oldest first, undated last; pages concatenate to the whole list. */
    o.since = o.until = MG_NO_DATE;
    o.sort = MG_SORT_OLDEST;
    mg_results *all;
    assert_int_equal(mg_search(s, "oil", &o, &all), MG_OK);
    size_t n = mg_results_count(all);
    assert_true(n > 20);
    assert_true(mg_results_hit(all, n - 1)->date == MG_NO_DATE);
    for (size_t i = 1; i < n; i++) {
        int64_t a = mg_results_hit(all, i - 1)->date, b = mg_results_hit(all, i)->date;
        assert_true(b == MG_NO_DATE || (a != MG_NO_DATE && a <= b));
    }
    for (int sort = MG_SORT_RELEVANCE; sort <= MG_SORT_OLDEST; sort++) {
        o.sort = sort;
        mg_results_free(all);
        assert_int_equal(mg_search(s, "oil", &o, &all), MG_OK);
        o.limit = 7;
        for (size_t off = 0; off < n; off += 7) {
            o.offset = off;
            assert_int_equal(mg_search(s, "oil", &o, &r), MG_OK);
            assert_int_equal(mg_results_count(r), n - off < 7 ? n - off : 7);
            for (size_t i = 0; i < mg_results_count(r); i++)
                assert_string_equal(mg_results_hit(r, i)->id, mg_results_hit(all, off + i)->id);
            mg_results_free(r);
        }
        o.limit = NART;
        o.offset = 0;
    }
    mg_results_free(all);
    mg_searcher_close(s);
}

static void test_pure_negative_and_date_only_queries(void **state)
{
    (void)state;
    mg_searcher *s = open_searcher();
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = NART;
    o.exact_total = 1;
    mg_results *r;
    assert_int_equal(mg_search(s, "-oil", &o, &r), MG_OK);
    uint64_t want = 0, dated = 0;
    for (int i = 0; i < NART; i++) {
        gq g = { .kind = G_WORD, .w1 = 0 };
        want += A[i].live && !eval(&g, &A[i]);
        dated += A[i].live && A[i].date != MG_NO_DATE && A[i].date >= 1577836800;
    }
    assert_int_equal(mg_results_total(r), want);
    mg_results_free(r);
    assert_int_equal(mg_search(s, "date:2020..", &o, &r), MG_OK);
    assert_int_equal(mg_results_total(r), dated);
    mg_results_free(r);
    assert_int_equal(mg_search(s, "", &o, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 0);
    mg_results_free(r);
    mg_searcher_close(s);
}

static void test_searcher_from_index_handle_and_date_only_fields(void **state)
{
    (void)state;
    mg_index *ix;
    assert_int_equal(mg_index_open(DIR, MG_RDONLY, NULL, &ix), MG_OK);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open(ix, &s), MG_OK);
    mg_index_close(ix); /* the searcher does not depend on the handle */
    mg_search_options o;
    mg_search_options_init(&o);
    o.fields = MG_FIELD_DATE; /* no stored article needed */
    o.snippet_len = 0;
    o.sort = MG_SORT_NEWEST;
    mg_results *r;
    assert_int_equal(mg_search(s, "oil", &o, &r), MG_OK);
    assert_true(mg_results_count(r) > 0);
    const mg_hit *h = mg_results_hit(r, 0);
    assert_null(h->id);
    assert_null(h->snippet);
    int64_t newest = MG_NO_DATE;
    for (int i = 0; i < NART; i++)
        for (int k = 0; k < A[i].nt + A[i].nb; k++)
            if (A[i].live && (k < A[i].nt ? A[i].title[k] : A[i].body[k - A[i].nt]) == 0 &&
                A[i].date != MG_NO_DATE && (newest == MG_NO_DATE || A[i].date > newest))
                newest = A[i].date;
    assert_true(h->date == newest);
    assert_null(mg_results_hit(r, mg_results_count(r)));
    mg_results_free(r);
    mg_searcher_close(s);
}

static void test_id_only_searches_give_the_stored_ids(void **state)
{
    (void)state;
    mg_searcher *s = open_searcher();
    uint64_t st = 5;
    for (int q = 0; q < 60; q++) {
        char text[64];
        snprintf(text, sizeof text, "%s %s", VOCAB[zipf(&st)], VOCAB[zipf(&st)]);
        mg_search_options a, b;
        mg_search_options_init(&a);
        a.limit = 15;
        a.fields = MG_FIELD_ID; /* from the ids section */
        a.snippet_len = 0;
        b = a;
        b.fields = MG_FIELD_ID | MG_FIELD_TITLE; /* from the stored articles */
        mg_results *ra, *rb;
        assert_int_equal(mg_search(s, text, &a, &ra), MG_OK);
        assert_int_equal(mg_search(s, text, &b, &rb), MG_OK);
        assert_int_equal(mg_results_count(ra), mg_results_count(rb));
        for (size_t i = 0; i < mg_results_count(ra); i++) {
            assert_non_null(mg_results_hit(ra, i)->id);
            assert_null(mg_results_hit(ra, i)->title);
            assert_string_equal(mg_results_hit(ra, i)->id, mg_results_hit(rb, i)->id);
        }
        mg_results_free(ra);
        mg_results_free(rb);
    }
    mg_searcher_close(s);
}

static void test_syntax_errors_come_back_with_columns(void **state)
{
    (void)state;
    mg_searcher *s = open_searcher();
    mg_results *r;
    assert_int_equal(mg_search(s, "oil AND", NULL, &r), MG_ESYNTAX);
    assert_int_equal(mg_results_status(r), MG_ESYNTAX);
    assert_int_equal(mg_results_error_column(r), 5);
    assert_non_null(strstr(mg_results_errmsg(r), "AND"));
    assert_int_equal(mg_results_count(r), 0);
    mg_results_free(r);
    assert_int_equal(mg_search(s, "nofield:x", NULL, &r), MG_ESYNTAX);
    assert_int_equal(mg_results_error_column(r), 1);
    mg_results_free(r);
    mg_search_options o;
    mg_search_options_init(&o);
    o.b = 2;
    assert_int_equal(mg_search(s, "oil", &o, &r), MG_EINVAL);
    mg_results_free(r);
    mg_searcher_close(s);
}

static void test_snippets_highlight_multibyte_bodies(void **state)
{
    (void)state;
    mg_article arts[] = {
        { .id = "z", .title = "Suisse", .date = MG_NO_DATE,
          .body = "Le café était très animé. Les marchés de Zürich ont progressé, "
                  "et son économie suisse résiste à la crise; à Zürich on parle de reprise." },
    };
    char *dir = small_index(arts, 1);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 60;
    o.hl_pre = "<b>";
    o.hl_post = "</b>";
    mg_results *r;
    assert_int_equal(mg_search(s, "zurich economie", &o, &r), MG_OK);
    assert_int_equal(mg_results_count(r), 1);
    const char *sn = mg_results_hit(r, 0)->snippet;
    assert_non_null(sn);
    assert_non_null(strstr(sn, "<b>Zürich</b>"));
    assert_non_null(strstr(sn, "<b>économie</b>"));
    assert_null(mg_results_hit(r, 0)->body);
    assert_string_equal(mg_results_hit(r, 0)->title, "Suisse");
    mg_results_free(r);
    mg_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* --------------------------------------------------------------- threads */

typedef struct tctx {
    mg_searcher *s;
    int done;
    int bad;
    pthread_mutex_t mu;
} tctx;

static void *searcher_thread(void *arg)
{
    tctx *t = arg;
    uint64_t last = 0;
    for (int i = 0; i < 400; i++) {
        mg_search_options o;
        mg_search_options_init(&o);
        o.exact_total = 1;
        o.limit = 3;
        if (i % 3 == 0) { /* ids only: the shared id map */
            o.fields = MG_FIELD_ID;
            o.snippet_len = 0;
        }
        mg_results *r;
        int rc = mg_search(t->s, i % 2 ? "alpha" : "alpha beta", &o, &r);
        uint64_t tot = mg_results_total(r);
        for (size_t k = 0; k < mg_results_count(r); k++)
            if (!mg_results_hit(r, k)->id || strncmp(mg_results_hit(r, k)->id, "a", 1) != 0)
                t->bad++;
        /* a snapshot holds whole commits of 10 articles, never fewer */
        if (rc != MG_OK || tot % 10 != 0 || tot < last)
            t->bad++;
        last = tot;
        mg_results_free(r);
        if (i % 50 == 0)
            mg_searcher_reopen(t->s);
    }
    return NULL;
}

static void test_threads_search_while_writer_commits_and_reopens(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    tctx t = { 0 };
    assert_int_equal(mg_searcher_open_path(dir, &t.s), MG_OK);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, searcher_thread, &t);
    for (int c = 0; c < 15; c++) {
        for (int i = 0; i < 10; i++) {
            char id[32], body[64];
            snprintf(id, sizeof id, "a%d-%d", c, i);
            snprintf(body, sizeof body, "alpha beta gamma %d", i);
            mg_article a = { .id = id, .body = body, .date = MG_NO_DATE };
            assert_int_equal(mg_index_add(ix, &a), MG_OK);
        }
        assert_int_equal(mg_index_commit(ix), MG_OK);
        assert_int_equal(mg_searcher_reopen(t.s), MG_OK);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(t.bad, 0);
    mg_results *r;
    assert_int_equal(mg_searcher_reopen(t.s), MG_OK);
    assert_int_equal(mg_search(t.s, "alpha", NULL, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 150);
    mg_results_free(r);
    mg_searcher_close(t.s);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* One context reused over many queries (as a searcher's pool does), some
 * of them huge enough to overflow what it keeps, gives exactly what a fresh
 * search gives: hits, scores, ids, snippets, totals, errors. */
static void test_reused_search_context_equals_fresh_searches(void **state)
{
    (void)state;
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(DIR, &r, &e), MG_OK);
    search_ctx *c = search_ctx_new(ix_reader_language(r), &e);
    assert_non_null(c);
    uint64_t st = 4242;
    static char text[70000];
    for (int q = 0; q < 300; q++) {
        mg_search_options o;
        mg_search_options_init(&o);
        o.fields = q % 3 == 0 ? MG_FIELD_ID : MG_FIELDS_DEFAULT;
        o.snippet_len = q % 3 == 0 ? 0 : 80;
        o.sort = q % 7 == 0 ? MG_SORT_NEWEST : MG_SORT_RELEVANCE;
        random_page(&st, &o, 12);
        if (q % 50 == 17) { /* hundreds of words, a deep page: past every cap */
            size_t k = 0;
            for (int i = 0; i < 3000 && k + 32 < sizeof text; i++)
                k += (size_t)snprintf(text + k, sizeof text - k, "%s ", VOCAB[zipf(&st)]);
            o.limit = 2000;
        } else if (q % 50 == 31) {
            snprintf(text, sizeof text, "(oil AND \"price");  /* a syntax error */
        } else {
            gq_free(gen_query(&st, 0, text, sizeof text));
        }
        mg_results a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        int ra = search_run_ctx(r, text, &o, NULL, c, &a);
        int rb = search_run(r, text, &o, NULL, NULL, &b);
        assert_int_equal(ra, rb);
        assert_string_equal(a.msg, b.msg);
        assert_int_equal(a.col, b.col);
        assert_int_equal(a.n, b.n);
        assert_true(a.total == b.total && a.estimate == b.estimate);
        for (size_t i = 0; i < a.n; i++) {
            assert_true(a.seg[i] == b.seg[i] && a.doc[i] == b.doc[i]);
            assert_true(a.hits[i].score == b.hits[i].score);
            assert_string_equal(a.hits[i].id, b.hits[i].id);
            if (b.hits[i].snippet)
                assert_string_equal(a.hits[i].snippet, b.hits[i].snippet);
            else
                assert_null(a.hits[i].snippet);
        }
        search_results_clear(&a);
        search_results_clear(&b);
    }
    search_ctx_free(c);
    ix_reader_unref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queries_match_brute_force_scan),
        cmocka_unit_test(test_maxscore_top_k_equals_exhaustive_on_random_queries),
        cmocka_unit_test(test_bound_parts_cover_the_scores_of_their_range),
        cmocka_unit_test(test_maxscore_equals_exhaustive_on_a_larger_index_with_filters),
        cmocka_unit_test(test_pruned_conjunctions_equal_exhaustive_on_random_queries),
        cmocka_unit_test(test_pruned_conjunctions_equal_exhaustive_on_a_larger_index),
        cmocka_unit_test(test_phrase_doc_le_agrees_with_doc_bound),
        cmocka_unit_test(test_cursor_ahead_names_the_next_documents_of_its_block),
        cmocka_unit_test(test_bm25f_score_matches_hand_computation),
        cmocka_unit_test(test_words_looked_up_together_score_as_alone),
        cmocka_unit_test(test_phrase_matches_rank_above_scattered_words),
        cmocka_unit_test(test_near_phrase_exact_and_field_semantics),
        cmocka_unit_test(test_sort_by_date_filters_and_pages),
        cmocka_unit_test(test_pure_negative_and_date_only_queries),
        cmocka_unit_test(test_searcher_from_index_handle_and_date_only_fields),
        cmocka_unit_test(test_id_only_searches_give_the_stored_ids),
        cmocka_unit_test(test_syntax_errors_come_back_with_columns),
        cmocka_unit_test(test_snippets_highlight_multibyte_bodies),
        cmocka_unit_test(test_threads_search_while_writer_commits_and_reopens),
        cmocka_unit_test(test_reused_search_context_equals_fresh_searches),
    };
    return cmocka_run_group_tests_name("query_search", tests, setup_corpus, teardown_corpus);
}

/* plan.c — from the parser's tree to index terms (see plan.h).
 *
 * Fields: plain words of title/body are stems (title: and body: restrict
 * which frequencies and positions count); source:/section: words become
 * "S" + folded word, author: words "A" + folded word.  =word is "R" + the
 * folded word when it differs from its stem, else the stem restricted to
 * occurrences flagged exact.  A word that analyzes into several tokens is a
 * phrase of them; one into none ("--") is dropped.  word* expands over the
 * stems and the "R" raw forms starting with the folded prefix, in byte
 * order, at most PLAN_PREFIX_MAX terms in all. */
#include "query/plan.h"

#include <stdlib.h>
#include <string.h>

#include "query/bm25.h"

struct plan {
    pnode *root;
    plan_mem *m;        /* &own, or the caller's (plan_build_in) */
    plan_mem own;
    /* snippets: the positive title/body words as units (snippet.h) */
    int snip;           /* collect them */
    snip_unit *units;
    size_t nunits, ucap;
    snip_query sq;
    int neg;            /* while building: under a MUSTNOT clause */
    uint32_t near_id, near_op, near_dist, nnear; /* while building a NEAR */
    int oom;
    /* while building */
    analyzer *an;
    const ix_reader *r;
    uint64_t ndocs;
};

/* Plan memory, not zeroed (for cursors, which ix_post_open sets up). */
static void *pal_raw(plan *p, size_t n)
{
    void *r = qa_alloc(&p->m->a, n);
    if (!r)
        p->oom = 1;
    return r;
}

static void *pal(plan *p, size_t n)
{
    void *r = pal_raw(p, n);
    if (r)
        memset(r, 0, n);
    return r;
}

void plan_free(plan *p)
{
    if (!p || p->m != &p->own)
        return; /* in the caller's plan_mem: reset with it */
    plan_mem_free(&p->own);
    free(p);
}

void plan_mem_reset(plan_mem *m)
{
    qa_reset(&m->a);
    if (m->tokcap > PLAN_TOK_KEEP) {
        free(m->tok);
        m->tok = NULL;
        m->tokcap = 0;
    }
}

void plan_mem_free(plan_mem *m)
{
    qa_free(&m->a);
    free(m->tok);
    m->tok = NULL;
    m->tokcap = 0;
}

pnode *plan_root(const plan *p) { return p ? p->root : NULL; }

/* ------------------------------------------------------------- analysis */

typedef struct atok {
    char term[IX_TERM_MAX + 1];
    char raw[IX_TERM_MAX + 1];
    uint32_t term_len, raw_len, pos;
} atok;

typedef struct alist {
    atok *t;
    size_t n, cap;
    int oom;
} alist;

static int collect(void *ctx, const token *t)
{
    alist *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        atok *nt = realloc(l->t, cap * sizeof *nt);
        if (!nt) {
            l->oom = 1;
            return 1;
        }
        l->t = nt;
        l->cap = cap;
    }
    atok *a = &l->t[l->n++];
    a->term_len = t->term_len < IX_TERM_MAX - 1 ? t->term_len : IX_TERM_MAX - 1;
    a->raw_len = t->raw_len < IX_TERM_MAX - 1 ? t->raw_len : IX_TERM_MAX - 1;
    memcpy(a->term, t->term, a->term_len);
    a->term[a->term_len] = '\0';
    memcpy(a->raw, t->raw, a->raw_len);
    a->raw[a->raw_len] = '\0';
    a->pos = t->pos;
    return 0;
}

/* Tokens of text into l, in the plan_mem's token list (give it back with
 * tok_give once done with l). */
static void tok_take(plan *p, alist *l)
{
    memset(l, 0, sizeof *l);
    l->t = p->m->tok;
    l->cap = p->m->tokcap / sizeof *l->t;
    p->m->tok = NULL;
    p->m->tokcap = 0;
}

static int analyze(plan *p, const char *text, size_t len, alist *l)
{
    tok_take(p, l);
    analyzer_run(p->an, text, len, 0, collect, l);
    if (l->oom)
        p->oom = 1;
    return !l->oom;
}

static void tok_give(plan *p, alist *l)
{
    if (p->m->tok) { /* a list taken meanwhile came back: keep the larger */
        if (p->m->tokcap >= l->cap * sizeof *l->t) {
            free(l->t);
            return;
        }
        free(p->m->tok);
    }
    p->m->tok = l->t;
    p->m->tokcap = l->cap * sizeof *l->t;
}

/* Adds the tokens l.t[0..l.n) of a title/body word or phrase as a snippet
 * unit: stems (raw forms if exact), the last a prefix if prefix. */
static void snip_add(plan *p, const alist *l, qfield f, int exact, int prefix, double weight)
{
    if (!p->snip || p->neg || l->n == 0 || (f != QF_ANY && f != QF_BODY))
        return;
    if (p->nunits == p->ucap) {
        size_t cap = p->ucap ? p->ucap * 2 : 8;
        snip_unit *u = pal_raw(p, cap * sizeof *u);
        if (!u)
            return;
        if (p->nunits)
            memcpy(u, p->units, p->nunits * sizeof *u);
        p->units = u;
        p->ucap = cap;
    }
    snip_word *w = pal(p, l->n * sizeof *w);
    if (!w)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const atok *a = &l->t[i];
        int last = i + 1 == l->n;
        w[i].kind = prefix && last ? SNIP_PREFIX : exact ? SNIP_RAW : SNIP_STEM;
        int raw = w[i].kind != SNIP_STEM;
        w[i].len = raw ? a->raw_len : a->term_len;
        char *s = pal(p, w[i].len + 1);
        if (!s)
            return;
        memcpy(s, raw ? a->raw : a->term, w[i].len);
        w[i].s = s;
        w[i].off = a->pos - l->t[0].pos;
    }
    snip_unit *u = &p->units[p->nunits++];
    u->w = w;
    u->nw = l->n;
    u->weight = weight;
    u->near = p->near_id;
    u->op = p->near_op;
    u->dist = p->near_dist;
    p->sq.u = p->units;
    p->sq.nu = p->nunits;
}

/* The term's df over the snapshot; opens and keeps its cursors (w->cur)
 * when the index has few enough segments. */
static uint64_t term_df(plan *p, pword *w)
{
    uint64_t df = 0, cf = 0;
    uint32_t nseg = ix_reader_nsegments(p->r);
    ix_post *cur = nseg <= PLAN_CURSOR_SEGS ? pal_raw(p, nseg * sizeof *cur) : NULL;
    if (!cur) {
        ix_reader_term_stats(p->r, w->term, w->len, &df, &cf);
        return df;
    }
    for (uint32_t s = 0; nseg > 1 && s < nseg; s++) /* the segments' misses overlap */
        ix_post_prefetch(ix_reader_segment(p->r, s), w->term, w->len);
    for (uint32_t s = 0; s < nseg; s++)
        if (ix_post_open(&cur[s], ix_reader_segment(p->r, s), w->term, w->len))
            df += cur[s].df;
    w->cur = cur;
    return df;
}

/* Fills w for token a in field f (exact: =word). */
static void word_for(plan *p, pword *w, const atok *a, qfield f, int exact)
{
    const char *s = a->term;
    uint32_t n = a->term_len;
    char pre = 0;
    if (f == QF_SOURCE || f == QF_SECTION)
        pre = 'S';
    else if (f == QF_AUTHOR)
        pre = 'A';
    else if (exact && (a->raw_len != a->term_len || memcmp(a->raw, a->term, n) != 0))
        pre = 'R';
    if (pre)
        s = a->raw, n = a->raw_len;
    size_t k = 0;
    if (pre)
        w->term[k++] = pre;
    memcpy(w->term + k, s, n);
    w->len = (uint32_t)(k + n);
    w->term[w->len] = '\0';
    w->exact = exact && !pre;
    w->idf = bm25_idf(term_df(p, w), p->ndocs);
}

static int fmask_of(qfield f) { return f == QF_TITLE ? 1 : f == QF_BODY ? 2 : 3; }

static pnode *mknode(plan *p, pkind k, qoccur occ)
{
    pnode *n = pal(p, sizeof *n);
    if (n) {
        n->kind = k;
        n->occur = occ;
        n->boost = 1.0;
        n->fmask = 3;
    }
    return n;
}

/* WORD / PHRASE from its tokens l. */
static pnode *plan_words_in(plan *p, const qnode *q, const alist *lp)
{
    alist l = *lp;
    pnode *n = NULL;
    if (l.n > 0) {
        n = mknode(p, l.n == 1 ? PN_TERM : PN_PHRASE, q->occur);
        if (n) {
            n->fmask = fmask_of(q->field);
            n->w = pal(p, l.n * sizeof *n->w);
            n->nw = n->w ? l.n : 0;
            for (size_t i = 0; i < n->nw; i++) {
                word_for(p, &n->w[i], &l.t[i], q->field, q->exact);
                n->w[i].off = l.t[i].pos - l.t[0].pos;
                n->idf += n->w[i].idf;
            }
            if (!n->w)
                n = NULL;
            else
                snip_add(p, &l, q->field, q->exact, 0, n->idf);
        }
    }
    return n;
}

/* WORD / PHRASE: one term, or a phrase of the tokens. */
static pnode *plan_words(plan *p, const qnode *q)
{
    alist l;
    pnode *n = analyze(p, q->text, q->len, &l) ? plan_words_in(p, q, &l) : NULL;
    tok_give(p, &l);
    return n;
}

typedef struct pexp {
    plan *p;
    pnode *or;
    size_t cap;
} pexp;

static int on_prefix_term(void *ctx, const char *term, size_t len, uint64_t df)
{
    pexp *x = ctx;
    plan *p = x->p;
    if (x->or->nkids == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        pnode **k = pal(p, cap * sizeof *k);
        if (!k)
            return 1;
        if (x->or->nkids)
            memcpy(k, x->or->kids, x->or->nkids * sizeof *k);
        x->or->kids = k;
        x->cap = cap;
    }
    pnode *t = mknode(p, PN_TERM, QO_SHOULD);
    pword *w = t ? pal(p, sizeof *w) : NULL;
    if (!w || len > IX_TERM_MAX)
        return !w;
    memcpy(w->term, term, len);
    w->term[len] = '\0';
    w->len = (uint32_t)len;
    w->idf = bm25_idf(df, p->ndocs);
    t->w = w;
    t->nw = 1;
    t->idf = w->idf;
    t->fmask = x->or->fmask;
    x->or->kids[x->or->nkids++] = t;
    return 0;
}

static pnode *plan_prefix(plan *p, const qnode *q)
{
    alist l;
    if (!analyze(p, q->text, q->len, &l)) {
        tok_give(p, &l);
        return NULL;
    }
    pnode *n = NULL;
    if (l.n > 0) {
        const atok *a = &l.t[l.n - 1];
        n = mknode(p, PN_BOOL, q->occur);
        if (n) {
            n->fmask = fmask_of(q->field);
            pexp x = { p, n, 0 };
            char key[IX_TERM_MAX + 2];
            int plain = q->field == QF_ANY || q->field == QF_TITLE || q->field == QF_BODY;
            char pre = q->field == QF_AUTHOR ? 'A' : plain ? 'R' : 'S';
            key[0] = pre;
            memcpy(key + 1, a->raw, a->raw_len);
            size_t got = 0;
            if (plain)
                got = ix_reader_prefix(p->r, a->raw, a->raw_len, PLAN_PREFIX_MAX, on_prefix_term, &x);
            if (got < PLAN_PREFIX_MAX)
                ix_reader_prefix(p->r, key, a->raw_len + 1, PLAN_PREFIX_MAX - got, on_prefix_term, &x);
            double idf = 0; /* of the prefix: its likeliest expansion's */
            for (size_t i = 0; i < n->nkids; i++)
                if (n->kids[i]->idf > idf)
                    idf = n->kids[i]->idf;
            snip_add(p, &l, q->field, 0, 1, idf * (double)l.n);
            if (n->nkids == 0)
                n->kind = PN_BOOL; /* nothing starts so: matches nothing */
        }
    }
    /* Earlier tokens of a split word ("e-ma*"): required words. */
    if (n && l.n > 1) {
        pnode *all = mknode(p, PN_BOOL, q->occur);
        if (all) {
            all->kids = pal(p, l.n * sizeof *all->kids);
            for (size_t i = 0; all->kids && i + 1 < l.n; i++) {
                pnode *t = mknode(p, PN_TERM, QO_MUST);
                if (t && (t->w = pal(p, sizeof *t->w))) {
                    t->nw = 1;
                    t->fmask = n->fmask;
                    word_for(p, t->w, &l.t[i], q->field, 0);
                    t->idf = t->w->idf;
                    all->kids[all->nkids++] = t;
                }
            }
            n->occur = QO_MUST;
            if (all->kids)
                all->kids[all->nkids++] = n;
            n = all;
        }
    }
    tok_give(p, &l);
    return n;
}

static pnode *plan_node(plan *p, const qnode *q, int depth);

static pnode *plan_near(plan *p, const qnode *q, int depth)
{
    pnode *n = mknode(p, PN_NEAR, q->occur);
    if (!n || !(n->kids = pal(p, q->nkids * sizeof *n->kids)))
        return NULL;
    n->dist = q->dist;
    int outer = p->near_id == 0; /* a NEAR inside one is part of its operand */
    if (outer) {
        p->near_id = ++p->nnear;
        p->near_dist = q->dist;
    }
    for (size_t i = 0; i < q->nkids; i++) {
        if (outer)
            p->near_op = (uint32_t)i;
        pnode *k = plan_node(p, q->kids[i], depth + 1);
        if (k)
            n->kids[n->nkids++] = k;
    }
    if (outer)
        p->near_id = p->near_op = p->near_dist = 0;
    if (n->nkids == 0)
        return NULL;
    if (n->nkids == 1) {
        n->kids[0]->occur = q->occur;
        return n->kids[0];
    }
    return n;
}

/* Adjacent plain free-text words a b c also score "a b" and "b c". */
static void add_phrase_bonus(plan *p, pnode *b, size_t cap)
{
    size_t n = b->nkids;
    for (size_t i = 0; i + 1 < n && b->nkids < cap; i++) {
        pnode *x = b->kids[i], *y = b->kids[i + 1];
        if (x->kind != PN_TERM || y->kind != PN_TERM || x->occur == QO_MUSTNOT ||
            y->occur == QO_MUSTNOT || x->fmask != 3 || y->fmask != 3 || x->w->exact ||
            y->w->exact || (x->w->term[0] >= 'A' && x->w->term[0] <= 'Z') ||
            (y->w->term[0] >= 'A' && y->w->term[0] <= 'Z'))
            continue;
        pnode *ph = mknode(p, PN_PHRASE, QO_SHOULD);
        pword *w = ph ? pal(p, 2 * sizeof *w) : NULL;
        if (!w)
            return;
        w[0] = *x->w;
        w[1] = *y->w;
        w[0].off = 0;
        w[1].off = 1;
        ph->w = w;
        ph->nw = 2;
        ph->idf = w[0].idf + w[1].idf;
        ph->boost = PLAN_PHRASE_BONUS;
        ph->lazy = 1;
        ph->pair[0] = i;
        ph->pair[1] = i + 1;
        b->kids[b->nkids++] = ph;
    }
}

#define PLAN_PRE_KIDS 8 /* kids of a BOOL whose words are looked up together */

/* A kid of a BOOL that pre_words analyzes: a plain word of title/body,
 * whose dictionary term is its token's (word_for adds no prefix). */
static int pre_kid(const qnode *k, int depth)
{
    return k && k->kind == QN_WORD && !k->exact && depth <= 2 * QP_MAX_DEPTH + 4 &&
           (k->field == QF_ANY || k->field == QF_TITLE || k->field == QF_BODY);
}

/* Analyzes q's first PLAN_PRE_KIDS plain-word kids into l (kid i's tokens
 * end at end[i]) and starts loading their terms' dictionary entries, step
 * by step for all, so that the words' cache misses overlap instead of
 * following one another (a query of rare words on a large index is mostly
 * those misses).  Returns the number of kids covered, 0 if none. */
static size_t pre_words(plan *p, const qnode *q, int depth, alist *l, size_t *end)
{
    size_t n = q->nkids < PLAN_PRE_KIDS ? q->nkids : PLAN_PRE_KIDS, words = 0;
    tok_take(p, l);
    for (size_t i = 0; i < n && !l->oom; i++) {
        if (pre_kid(q->kids[i], depth))
            analyzer_run(p->an, q->kids[i]->text, q->kids[i]->len, 0, collect, l), words++;
        end[i] = l->n;
    }
    if (l->oom || words == 0) {
        p->oom |= l->oom;
        return 0;
    }
    if (l->n < 2)
        return n; /* nothing to overlap */
    uint32_t nseg = ix_reader_nsegments(p->r);
    for (size_t t = 0; t < l->n; t++)
        for (uint32_t s = 0; s < nseg; s++)
            ix_post_prefetch_keys(ix_reader_segment(p->r, s), l->t[t].term, l->t[t].term_len);
    /* the first term's block: its open follows at once, unless segments
     * are many (term_df then prefetches them all) */
    for (size_t t = 1; t < l->n && nseg <= PLAN_CURSOR_SEGS; t++)
        for (uint32_t s = 0; s < nseg; s++)
            ix_post_prefetch(ix_reader_segment(p->r, s), l->t[t].term, l->t[t].term_len);
    return n;
}

static pnode *plan_bool(plan *p, const qnode *q, int depth, int bonus)
{
    pnode *n = mknode(p, PN_BOOL, q->occur);
    size_t cap = q->nkids * 2;
    if (!n || !(n->kids = pal(p, cap * sizeof *n->kids)))
        return NULL;
    alist pre;
    size_t end[PLAN_PRE_KIDS], npre = pre_words(p, q, depth + 1, &pre, end);
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < q->nkids; i++) {
        int excluded = q->kids[i]->occur == QO_MUSTNOT;
        p->neg += excluded;
        pnode *k;
        if (i < npre && pre_kid(q->kids[i], depth + 1) && !p->oom) {
            size_t from = i ? end[i - 1] : 0;
            alist v = { pre.t + from, end[i] - from, end[i] - from, 0 };
            k = plan_words_in(p, q->kids[i], &v);
        } else {
            k = plan_node(p, q->kids[i], depth + 1);
        }
        p->neg -= excluded;
        if (!k)
            continue;
        n->kids[n->nkids++] = k;
        if (k->occur == QO_MUSTNOT)
            neg++;
        else
            pos++;
    }
    tok_give(p, &pre);
    if (bonus)
        add_phrase_bonus(p, n, cap);
    if (pos + neg == 0)
        return NULL;
    size_t dates = 0, musts = 0, shoulds = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        musts += n->kids[i]->occur == QO_MUST;
        shoulds += n->kids[i]->occur == QO_SHOULD;
        dates += n->kids[i]->occur == QO_MUST && n->kids[i]->kind == PN_DATE;
    }
    n->need_should = dates > 0 && dates == musts && shoulds > 0;
    if (pos == 1 && neg == 0 && n->nkids == 1) {
        n->kids[0]->occur = q->occur;
        return n->kids[0];
    }
    return n;
}

static pnode *plan_node(plan *p, const qnode *q, int depth)
{
    if (!q || p->oom || depth > 2 * QP_MAX_DEPTH + 4)
        return NULL;
    switch (q->kind) {
    case QN_WORD:
    case QN_PHRASE: return plan_words(p, q);
    case QN_PREFIX: return plan_prefix(p, q);
    case QN_NEAR: return plan_near(p, q, depth);
    case QN_BOOL: return plan_bool(p, q, depth, 0);
    case QN_DATE: {
        pnode *n = mknode(p, PN_DATE, q->occur);
        if (n) {
            n->lo = q->lo;
            n->hi = q->hi;
        }
        return n;
    }
    }
    return NULL;
}

int plan_build(const qast *ast, analyzer *a, const ix_reader *r, int phrase_bonus, int matches,
               plan **out, errbuf *e)
{
    return plan_build_in(ast, a, r, phrase_bonus, matches, NULL, out, e);
}

int plan_build_in(const qast *ast, analyzer *a, const ix_reader *r, int phrase_bonus,
                  int matches, plan_mem *m, plan **out, errbuf *e)
{
    *out = NULL;
    plan *p = m ? qa_zalloc(&m->a, sizeof *p) : calloc(1, sizeof *p);
    if (!p)
        return err_set(e, MG_ENOMEM, "out of memory planning the query");
    p->m = m ? m : &p->own;
    p->an = a;
    p->r = r;
    p->ndocs = ix_reader_ndocs(r);
    p->snip = matches;
    const qnode *q = qast_root(ast);
    if (q && !p->oom) {
        if (q->kind == QN_BOOL)
            p->root = plan_bool(p, q, 0, phrase_bonus);
        else
            p->root = plan_node(p, q, 0);
    }
    if (p->root)
        p->root->occur = QO_MUST;
    if (p->oom) {
        plan_free(p);
        return err_set(e, MG_ENOMEM, "out of memory planning the query");
    }
    *out = p;
    return MG_OK;
}

const snip_query *plan_snippet_query(const plan *p) { return &p->sq; }

void plan_dump(const pnode *n, buf *out)
{
    static const char *fm[] = { "", "title:", "body:", "" };
    if (!n) {
        buf_put(out, "()", 2);
        return;
    }
    switch (n->kind) {
    case PN_TERM:
        buf_printf(out, "%s%s%s", fm[n->fmask & 3], n->w[0].exact ? "=" : "", n->w[0].term);
        break;
    case PN_PHRASE:
        buf_printf(out, "%s\"", fm[n->fmask & 3]);
        for (size_t i = 0; i < n->nw; i++)
            buf_printf(out, "%s%s%s@%u", i ? " " : "", n->w[i].exact ? "=" : "", n->w[i].term,
                       n->w[i].off);
        buf_put(out, "\"", 1);
        if (n->boost != 1.0)
            buf_printf(out, "^%g", n->boost);
        break;
    case PN_DATE:
        buf_printf(out, "date:%lld..%lld", (long long)n->lo, (long long)n->hi);
        break;
    case PN_NEAR:
    case PN_BOOL:
        buf_put(out, "(", 1);
        if (n->kind == PN_NEAR)
            buf_printf(out, "near/%u ", n->dist);
        for (size_t i = 0; i < n->nkids; i++) {
            buf_printf(out, "%s%s", i ? " " : "",
                       n->kind == PN_NEAR ? "" : n->kids[i]->occur == QO_MUST ? "+"
                                          : n->kids[i]->occur == QO_MUSTNOT ? "-" : "");
            plan_dump(n->kids[i], out);
        }
        buf_put(out, ")", 1);
        break;
    }
}

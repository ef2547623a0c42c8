/* xquery.c — translates morgue's query AST into a Xapian query (see
 * xquery.h).  Words go through the database's analyzer, exactly as at
 * index time, and become the terms xbackend.c writes:
 *
 *   word            its stem; a word that analyzes into several tokens
 *                   ("e-mail") is a PHRASE of their stems
 *   =word           "R"+folded word (the stem itself when they are equal
 *                   is refused: Xapian keeps no exact-form flag)
 *   author:word     "A"+folded token;  source:/section:word  "S"+token
 *   "a b"           PHRASE (window = number of tokens: adjacent, in order)
 *   word*           OR of the indexed stems, then "R" raw forms, starting
 *                   with the folded word (XB_PREFIX_MAX in all, in byte
 *                   order; "A"/"S" terms in a field); "e-ma*" is +e +ma*
 *   a NEAR/n b      NEAR with window n + 2 (at most n words between)
 *   date:lo..hi     value range on XB_SLOT_DATE (a filter, no weight)
 *   BOOL            (AND of MUST) AND_MAYBE (OR of SHOULD) AND_NOT (OR of
 *                   MUSTNOT); only SHOULD: OR; only MUSTNOT: everything
 *                   AND_NOT them; dates are FILTERs
 */
#include "xapian/xquery.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "query/bm25.h"
#include "util/buf.h"
#include "xapian/xbackend.h"

typedef struct xq {
    analyzer *an;
    xap_db *db;
    xsnip *sn;           /* snippet units collected (may be NULL) */
    uint32_t ndocs;      /* for the units' idf */
    errbuf *e;
    size_t *off;
    int rc;              /* MG_* status, sticky */
    /* token collection for one leaf */
    qfield field;
    int exact;
    const qnode *node;
    xap_query **terms;   /* the leaf's term queries */
    size_t nterms, cap;
    token *tk;           /* with sn: the leaf's tokens (strings in sn->a) */
    size_t ntk, tkcap;
    double idf;          /* with sn: the sum of the leaf's terms' idf */
} xq;

/* Sets the sticky error from a binding failure. */
static void xq_xfail(xq *x, int xrc)
{
    if (!x->rc)
        x->rc = err_set(x->e, xb_status(xrc), "xapian: %s", xap_errmsg());
}

static void xq_unsupported(xq *x, const qnode *n, const char *why)
{
    if (x->rc)
        return;
    x->rc = err_set(x->e, MG_EUNSUPPORTED, "the xapian backend cannot search %s", why);
    *x->off = n->off;
}

/* The term's idf over the database (as morgue's plan weighs units). */
static double xq_idf(xq *x, const char *t, size_t len)
{
    uint32_t df = 0;
    if (xap_db_term_stats(x->db, t, len, &df, NULL) != XAP_OK)
        df = 0;
    return bm25_idf(df, x->ndocs);
}

/* With sn: keeps a copy of token t of the current leaf. */
static void xq_keep_token(xq *x, const token *t)
{
    if (!x->sn || x->rc)
        return;
    if (x->ntk == x->tkcap) {
        size_t cap = x->tkcap ? x->tkcap * 2 : 8;
        token *a = realloc(x->tk, cap * sizeof *a);
        if (!a) {
            x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
            return;
        }
        x->tk = a;
        x->tkcap = cap;
    }
    token *k = &x->tk[x->ntk];
    *k = *t;
    char *raw = qa_alloc(&x->sn->a, t->raw_len + 1), *term = qa_alloc(&x->sn->a, t->term_len + 1);
    if (!raw || !term) {
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
        return;
    }
    memcpy(raw, t->raw, t->raw_len);
    raw[t->raw_len] = '\0';
    memcpy(term, t->term, t->term_len);
    term[t->term_len] = '\0';
    k->raw = raw;
    k->term = term;
    x->ntk++;
}

static xap_query *xq_term(xq *x, char prefix, const char *s, size_t n)
{
    if (x->rc)
        return NULL;
    char t[ANALYZER_MAX_TOKEN + 2];
    size_t len = 0;
    if (prefix)
        t[len++] = prefix;
    if (n > ANALYZER_MAX_TOKEN)
        n = ANALYZER_MAX_TOKEN;
    memcpy(t + len, s, n);
    len += n;
    xap_query *q = NULL;
    int rc = xap_query_term(t, len, 1, 0, &q);
    if (rc)
        xq_xfail(x, rc);
    if (q && x->sn)
        x->idf += xq_idf(x, t, len);
    return q;
}

static void xq_push(xq *x, xap_query *q)
{
    if (!q)
        return;
    if (x->nterms == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 8;
        xap_query **t = realloc(x->terms, cap * sizeof *t);
        if (!t) {
            xap_query_free(q);
            x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
            return;
        }
        x->terms = t;
        x->cap = cap;
    }
    x->terms[x->nterms++] = q;
}

static void xq_drop_terms(xq *x)
{
    for (size_t i = 0; i < x->nterms; i++)
        xap_query_free(x->terms[i]);
    x->nterms = 0;
}

/* One token of a leaf -> one term query. */
static int on_token(void *ctx, const token *t)
{
    xq *x = ctx;
    xap_query *q = NULL;
    xq_keep_token(x, t);
    switch (x->field) {
    case QF_AUTHOR:
        q = xq_term(x, 'A', t->raw, t->raw_len);
        break;
    case QF_SOURCE:
    case QF_SECTION:
        q = xq_term(x, 'S', t->raw, t->raw_len);
        break;
    case QF_TITLE:
    case QF_BODY:
        xq_unsupported(x, x->node, "title: or body: alone (one posting list holds both fields)");
        break;
    default:
        if (!x->exact)
            q = xq_term(x, 0, t->term, t->term_len);
        else if (t->raw_len != t->term_len || memcmp(t->raw, t->term, t->raw_len) != 0)
            q = xq_term(x, 'R', t->raw, t->raw_len);
        else
            xq_unsupported(x, x->node,
                           "an exact form of a word that is its own stem (no exact-form flag)");
        break;
    }
    xq_push(x, q);
    return x->rc != MG_OK;
}

/* A combination of n queries (consumed); NULL entries are skipped.  A
 * single query is returned as is. */
static xap_query *xq_combine(xq *x, xap_op op, xap_query **subs, size_t n, uint32_t window)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (subs[i])
            subs[k++] = subs[i];
    xap_query *q = NULL;
    if (k == 1 && op != XAP_OP_AND_NOT) {
        q = subs[0];
        subs[0] = NULL;
    } else if (k > 0 && !x->rc) {
        int rc = xap_query_combine(op, subs, k, window, &q);
        if (rc)
            xq_xfail(x, rc);
    }
    for (size_t i = 0; i < k; i++)
        xap_query_free(subs[i]);
    return q;
}

/* WORD or PHRASE: the terms of its tokens, as a term or a PHRASE. */
static xap_query *xq_words(xq *x, const qnode *n)
{
    x->field = n->field;
    x->exact = n->exact;
    x->node = n;
    x->nterms = 0;
    x->ntk = 0;
    x->idf = 0;
    analyzer_run(x->an, n->text, n->len, 0, on_token, x);
    if (x->rc) {
        xq_drop_terms(x);
        return NULL;
    }
    if (x->sn && n->field == QF_ANY)
        xsnip_add(x->sn, x->tk, x->ntk, n->exact, 0, x->idf);
    if (x->nterms == 0)
        return NULL; /* nothing searchable in it: the clause is dropped */
    size_t k = x->nterms;
    x->nterms = 0;
    return xq_combine(x, XAP_OP_PHRASE, x->terms, k, (uint32_t)k);
}

typedef struct prefix_ctx {
    xq *x;
    size_t n;
    double idf;  /* the highest of the expansions' */
} prefix_ctx;

static int on_prefix_term(void *ctx, const char *term, size_t len, uint32_t df)
{
    prefix_ctx *p = ctx;
    xap_query *q = NULL;
    int rc = xap_query_term(term, len, 1, 0, &q);
    if (rc) {
        xq_xfail(p->x, rc);
        return 1;
    }
    double idf = bm25_idf(df, p->x->ndocs);
    if (idf > p->idf)
        p->idf = idf; /* the prefix weighs as its likeliest expansion */
    xq_push(p->x, q);
    return p->x->rc != MG_OK || ++p->n >= XB_PREFIX_MAX;
}

typedef struct raw_ctx {
    xq *x;
    buf *b;
} raw_ctx;

/* Collects the tokens of a prefix query: each as varint length + raw
 * bytes + varint length + stem bytes (and, with snippets, as tokens). */
static int on_raw(void *ctx, const token *t)
{
    raw_ctx *rc = ctx;
    buf *b = rc->b;
    xq_keep_token(rc->x, t);
    buf_put_varint(b, t->raw_len);
    buf_put(b, t->raw, t->raw_len);
    buf_put_varint(b, t->term_len);
    buf_put(b, t->term, t->term_len);
    return 0;
}

/* Expands the terms starting with pre[0..n) into x->terms (up to the
 * limit left in pc). */
static void xq_expand(xq *x, prefix_ctx *pc, const char *pre, size_t n)
{
    if (x->rc || pc->n >= XB_PREFIX_MAX)
        return;
    int rc = xap_db_allterms(x->db, pre, n, on_prefix_term, pc);
    if (rc)
        xq_xfail(x, rc);
}

/* word*: OR of the indexed terms starting with the folded word (as morgue:
 * plain stems first, then "R" raw forms, XB_PREFIX_MAX in all; in a field,
 * its "A"/"S" terms).  A word that splits ("e-ma*") requires its earlier
 * tokens and expands the last. */
static xap_query *xq_prefix(xq *x, const qnode *n)
{
    if (n->field == QF_TITLE || n->field == QF_BODY) {
        xq_unsupported(x, n, "title: or body: alone (one posting list holds both fields)");
        return NULL;
    }
    buf toks, key;
    buf_init(&toks);
    buf_init(&key);
    raw_ctx rctx = { x, &toks };
    x->ntk = 0;
    uint32_t ntok = analyzer_run(x->an, n->text, n->len, 0, on_raw, &rctx);
    if (toks.oom) {
        buf_free(&toks);
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    if (ntok == 0) {
        buf_free(&toks);
        return NULL; /* nothing to expand: dropped, as morgue does */
    }
    char pre = n->field == QF_AUTHOR ? 'A' : n->field == QF_ANY ? 0 : 'S';
    xap_query **req = calloc(ntok + 1, sizeof *req);
    size_t nreq = 0;
    rd r = rd_make(toks.p, toks.len);
    const char *raw = NULL;
    size_t rawlen = 0;
    for (uint32_t i = 0; i < ntok && req; i++) {
        rawlen = (size_t)rd_varint(&r);
        raw = (const char *)r.p;
        r.p += rawlen;
        size_t sl = (size_t)rd_varint(&r);
        const char *stem = (const char *)r.p;
        r.p += sl;
        if (i + 1 < ntok) /* an earlier token: a required word */
            req[nreq++] = pre ? xq_term(x, pre, raw, rawlen) : xq_term(x, 0, stem, sl);
    }
    prefix_ctx pc = { x, 0, 0.0 };
    x->nterms = 0;
    if (!req) {
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
    } else if (pre) {
        buf_put_u8(&key, (uint8_t)pre);
        buf_put(&key, raw, rawlen);
        xq_expand(x, &pc, (const char *)key.p, key.len);
    } else {
        xq_expand(x, &pc, raw, rawlen);
        buf_put_u8(&key, 'R');
        buf_put(&key, raw, rawlen);
        xq_expand(x, &pc, (const char *)key.p, key.len);
    }
    if (key.oom && !x->rc)
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
    if (x->sn && !pre && !x->rc) /* its unit: the tokens, the last one a prefix */
        xsnip_add(x->sn, x->tk, x->ntk, 0, 1, pc.idf * (double)ntok);
    buf_free(&toks);
    buf_free(&key);
    size_t k = x->nterms;
    x->nterms = 0;
    xap_query *q = NULL;
    if (x->rc) {
        for (size_t i = 0; i < k; i++)
            xap_query_free(x->terms[i]);
    } else if (k == 0) {
        int rc = xap_query_match_nothing(&q);
        if (rc)
            xq_xfail(x, rc);
    } else {
        q = xq_combine(x, XAP_OP_OR, x->terms, k, 0);
    }
    if (req) {
        req[nreq++] = q;
        q = xq_combine(x, XAP_OP_AND, req, nreq, 0);
        free(req);
    }
    return q;
}

static xap_query *xq_date(xq *x, const qnode *n)
{
    xap_query *q = NULL;
    int rc = xap_query_value_range_double(XB_SLOT_DATE, n->lo == MG_NO_DATE ? NAN : (double)n->lo,
                                          n->hi == MG_NO_DATE ? NAN : (double)n->hi, &q);
    if (rc)
        xq_xfail(x, rc);
    return q;
}

static xap_query *xq_node(xq *x, const qnode *n, int depth);

/* a NEAR/n b ...: every operand a single term, within n + operands. */
static xap_query *xq_near(xq *x, const qnode *n, int depth)
{
    xap_query **subs = calloc(n->nkids ? n->nkids : 1, sizeof *subs);
    if (!subs) {
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    size_t k = 0;
    int outer = x->sn && x->sn->near_id == 0; /* a NEAR inside one is part of its operand */
    if (outer) {
        x->sn->near_id = ++x->sn->nnear;
        x->sn->near_dist = n->dist;
    }
    for (size_t i = 0; i < n->nkids && !x->rc; i++) {
        const qnode *c = n->kids[i];
        if (outer)
            x->sn->near_op = (uint32_t)i;
        xap_query *q = xq_node(x, c, depth + 1);
        if (q && c->kind == QN_PHRASE) {
            xap_query_free(q); /* Xapian 1.4 takes only terms under NEAR */
            xq_unsupported(x, c, "a phrase as an operand of NEAR (Xapian allows only words)");
            q = NULL;
        }
        if (q)
            subs[k++] = q;
    }
    if (outer)
        x->sn->near_id = x->sn->near_op = x->sn->near_dist = 0;
    xap_query *q = x->rc ? NULL : xq_combine(x, XAP_OP_NEAR, subs, k, n->dist + (uint32_t)k);
    if (x->rc)
        for (size_t i = 0; i < k; i++)
            xap_query_free(subs[i]);
    free(subs);
    return q;
}

/* The clauses of a BOOL with one occurrence, as one query (NULL if none).
 * Date clauses go to *filters instead (counted in *nf). */
static xap_query *xq_clauses(xq *x, const qnode *n, qoccur occ, xap_op op, xap_query **filters,
                             size_t *nf, int depth)
{
    xap_query **subs = calloc(n->nkids ? n->nkids : 1, sizeof *subs);
    if (!subs) {
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n->nkids && !x->rc; i++) {
        const qnode *c = n->kids[i];
        if (c->occur != occ)
            continue;
        if (x->sn)
            x->sn->neg += occ == QO_MUSTNOT;
        xap_query *q = xq_node(x, c, depth + 1);
        if (x->sn)
            x->sn->neg -= occ == QO_MUSTNOT;
        if (q && filters && c->kind == QN_DATE)
            filters[(*nf)++] = q;
        else if (q)
            subs[k++] = q;
    }
    xap_query *q = xq_combine(x, op, subs, k, 0);
    free(subs);
    return q;
}

/* Joins a and b with op (both consumed, either may be NULL). */
static xap_query *xq_join(xq *x, xap_op op, xap_query *a, xap_query *b)
{
    if (!a || !b) {
        if (op == XAP_OP_AND_NOT || op == XAP_OP_FILTER || op == XAP_OP_AND_MAYBE) {
            xap_query_free(b); /* a missing: nothing; b missing: a alone */
            return a;
        }
        return a ? a : b;
    }
    xap_query *subs[2] = { a, b };
    return xq_combine(x, op, subs, 2, 0);
}

static xap_query *xq_bool(xq *x, const qnode *n, int depth)
{
    xap_query **filters = calloc(n->nkids + 1, sizeof *filters);
    if (!filters) {
        x->rc = err_set(x->e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    size_t nf = 0;
    xap_query *must = xq_clauses(x, n, QO_MUST, XAP_OP_AND, filters, &nf, depth);
    xap_query *should = xq_clauses(x, n, QO_SHOULD, XAP_OP_OR, filters, &nf, depth);
    xap_query *not = xq_clauses(x, n, QO_MUSTNOT, XAP_OP_OR, NULL, NULL, depth);
    xap_query *filter = xq_combine(x, XAP_OP_AND, filters, nf, 0);
    free(filters);
    xap_query *q;
    if (must)
        q = xq_join(x, XAP_OP_AND_MAYBE, must, should);
    else
        q = should;
    if (!q && (filter || not) && !x->rc) { /* only filters / exclusions */
        int rc = xap_query_match_all(&q);
        if (rc)
            xq_xfail(x, rc);
    }
    q = xq_join(x, XAP_OP_FILTER, q, filter);
    q = xq_join(x, XAP_OP_AND_NOT, q, not);
    if (x->rc) {
        xap_query_free(q);
        return NULL;
    }
    return q;
}

static xap_query *xq_node(xq *x, const qnode *n, int depth)
{
    if (x->rc || !n)
        return NULL;
    if (depth > QP_MAX_DEPTH * 2 + 8) {
        x->rc = err_set(x->e, MG_EINVAL, "query nested too deeply");
        return NULL;
    }
    switch (n->kind) {
    case QN_WORD:
    case QN_PHRASE: return xq_words(x, n);
    case QN_PREFIX: return xq_prefix(x, n);
    case QN_DATE: return xq_date(x, n);
    case QN_NEAR: return xq_near(x, n, depth);
    case QN_BOOL: return xq_bool(x, n, depth);
    }
    return NULL;
}

int xq_build(const qnode *root, analyzer *an, xap_db *db, xsnip *sn, xap_query **out, errbuf *e,
             size_t *off)
{
    xq x;
    memset(&x, 0, sizeof x);
    x.an = an;
    x.db = db;
    x.sn = sn;
    x.e = e;
    x.off = off;
    if (sn && xap_db_doccount(db, &x.ndocs) != XAP_OK)
        x.ndocs = 0;
    int neg = sn && root && root->occur == QO_MUSTNOT;
    if (neg)
        sn->neg++;
    xap_query *q = xq_node(&x, root, 0);
    if (neg)
        sn->neg--;
    if (sn && sn->oom && !x.rc)
        x.rc = err_set(e, MG_ENOMEM, "out of memory");
    /* A top-level date or only-negative clause outside a BOOL. */
    if (q && root && root->occur == QO_MUSTNOT && !x.rc) {
        xap_query *all = NULL;
        int rc = xap_query_match_all(&all);
        if (rc)
            xq_xfail(&x, rc);
        q = xq_join(&x, XAP_OP_AND_NOT, all, q);
    }
    free(x.terms);
    free(x.tk);
    if (x.rc) {
        xap_query_free(q);
        *out = NULL;
        return x.rc;
    }
    *out = q;
    return MG_OK;
}

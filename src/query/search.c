/* search.c — the search driver (see search.h).
 *
 * Top-k.  A free-text OR query (a root of optional clauses, maybe with
 * excluded ones) runs MaxScore: clauses sorted by their upper bound (from
 * the postings' list bounds); the longest prefix of them whose bounds sum to
 * at most the current k-th best score is "non-essential": documents found
 * only there cannot enter the top k, so only the essential clauses are
 * walked, and the non-essential ones are probed with advance() while the
 * running bound still beats the k-th score.  The score of every document
 * kept is then summed in clause order, exactly as the exhaustive OR does,
 * so both give the same hits with bit-identical scores.  Ties go to the
 * lower (segment, docid), which also makes "bound <= threshold" a safe
 * prune: a later document with an equal score could not displace an
 * earlier one.  What makes it fast: plain terms are walked and scored
 * inline through their cursors (an essential term scores its whole
 * decoded block in one loop, cl_escore); a non-essential clause is first
 * narrowed to its block's bound at the document, then probed; the lazy
 * phrase bonuses of free text are counted from their words' cursors
 * (ms_lazy_phrase; no iterator of their own), only where both words are
 * and their frequencies leave the bonus able to matter; and the threshold
 * is seeded, before k hits are kept, with the k-th best score of the top
 * clause's first block (ms_seed: a lower bound of those documents' scores,
 * so the prune is then strict).  Every other query ranked by relevance runs run_topk on
 * its iterator built two-phase (iter.h): once k hits are kept, ranges whose
 * block bounds cannot beat the k-th score are jumped over, documents whose
 * bound from frequencies and norms cannot are passed without reading
 * positions, and only the rest are confirmed (phrase and NEAR positions)
 * and scored, with the same scores as exhaustive scoring.  Sorting by date
 * and exact_total enumerate every match (AND leapfrogs with advance()).
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

typedef struct run {
    const mg_search_options *o;
    const search_flags *f;
    bm25 m;
    topk top;
    uint64_t counted;
    uint64_t seen;     /* MaxScore candidates, before filters */
    double estimate;   /* union estimate of what MaxScore skipped */
    int skipped;       /* MaxScore skipped some documents */
    uint64_t unscored;
    int dated;         /* a date bound is set */
    int oom;
    int pruned;        /* run_topk skipped some documents ... */
    double pr_total;   /* ... and estimates the matches of its segments */
} run;

static int passes(const run *rn, const qctx *cx, uint32_t d)
{
    if (ix_seg_is_deleted(cx->seg, d))
        return 0;
    if (rn->o->since != MG_NO_DATE || rn->o->until != MG_NO_DATE) {
        int64_t t = cx->dates ? cx->dates[d] : MG_NO_DATE;
        if (t == MG_NO_DATE || (rn->o->since != MG_NO_DATE && t < rn->o->since) ||
            (rn->o->until != MG_NO_DATE && t > rn->o->until))
            return 0;
    }
    return 1;
}

/* Ranking by relevance needs no date until the page is made (fill_hit
 * reads it then): one random read of the date column less per hit kept. */
static void keep(run *rn, const qctx *cx, uint32_t seg, uint32_t d, double score)
{
    int rel = rn->top.mode == TK_SCORE;
    tk_hit h = { score, cx->dates && !rel ? cx->dates[d] : MG_NO_DATE, seg, d };
    topk_push(&rn->top, &h);
}

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
    if (qit_doc_bound(it) <= theta) {
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

/* ------------------------------------------------------------- MaxScore */

/* One optional clause.  A plain term (term_plain_cursor) is walked and
 * scored inline through its cursor; anything else through its iterator. */
typedef struct mscl {
    uint32_t doc;     /* it->doc (read here without the indirection) */
    size_t ci;        /* its clause index (in plan order) */
    qit *it;
    ix_post *pc;      /* plain term: its cursor, else NULL */
    double idf, boost;
    double *bsc;      /* plain term: scores of the documents of its decoded */
    uint32_t bsc_block; /* block bsc_block (from entry bsc_from on), or */
    uint32_t bsc_from;  /* UINT32_MAX: none yet */
    size_t pj[2];     /* lazy phrase: the positions in order of its words'
                         clauses (SIZE_MAX: a word is not a clause) */
} mscl;

typedef struct ms {
    qit **c;          /* optional clauses, in plan order */
    size_t n;
    mscl *cl;         /* cl[i]: clause c[i] */
    size_t *order;    /* clause indices by ascending bound */
    mscl *ocl;        /* the clauses in that order: ocl[j] is clause order[j] */
    double *prefix;   /* prefix[j] = sum of the j+1 smallest bounds */
    double *sc;       /* this document's clause scores */
    double *bscores;  /* 128 per clause: the cl[i].bsc */
    uint32_t *pa, *pb;  /* a lazy phrase's words' positions at d ... */
    uint32_t pcap;      /* ... room for this many each */
    int oom;
    size_t *kid;      /* clause -> index among the root's kids */
    size_t nlazy;     /* lazy clauses: order[0..nlazy), always non-essential */
    size_t *kidpos;   /* root kid index -> position in order (SIZE_MAX: none) */
    double *wprefix;  /* partition bounds (see ms_order) */
    qit **not;          /* excluded clauses */
    size_t nnot;
    qit **filt;         /* required date filters */
    size_t nfilt;
    uint32_t nsk_from;  /* ms_skip_to found, for every d in [nsk_from, */
    uint32_t nsk_to;    /* nsk_to], block bounds summing to nsk_ub */
    double nsk_ub;
    int deletes;        /* the segment has deleted documents */
    void *mem;          /* the arrays above (ms_alloc) */
    double seed;        /* a threshold known before k hits are kept, or -1
                           (see ms_seed) */
} ms;

static inline uint32_t cl_next(mscl *c)
{
    if (!c->pc)
        return c->doc = qit_next(c->it);
    return c->doc = c->it->doc = ix_post_next_fast(c->pc);
}

static inline uint32_t cl_advance(mscl *c, uint32_t t)
{
    if (!c->pc)
        return c->doc = qit_advance(c->it, t);
    return c->doc = c->it->doc = ix_post_advance_fast(c->pc, t);
}

/* A plain term's score at document doc of frequencies tt, tb: exactly as
 * term_score computes it, so scores are bit-identical to the exhaustive
 * search's. */
static inline double cl_term_score(const qctx *cx, const mscl *c, uint32_t doc, uint32_t tt,
                                   uint32_t tb)
{
    const bm25 *m = cx->m;
    double K = bm25_norm(m, cx->tnorm[doc], cx->bnorm[doc]);
    return c->boost * bm25_tf(m, c->idf, m->wt * tt + tb, K);
}

/* The clause's score at its current document, for a probe. */
static inline double cl_score(const qctx *cx, mscl *c)
{
    if (!c->pc)
        return qit_score(c->it);
    uint32_t tt, tb;
    ix_post_tfs(c->pc, &tt, &tb);
    return cl_term_score(cx, c, c->pc->doc, tt, tb);
}

/* The same for an essential clause, which visits (nearly) every document
 * of its list: the scores of the rest of the block are computed at once,
 * in a loop without branches on them, and read back as the clause
 * reaches each document. */
static inline double cl_escore(const qctx *cx, mscl *c)
{
    ix_post *p = c->pc;
    if (!p)
        return qit_score(c->it);
    if (c->bsc_block != p->block || p->in_block < c->bsc_from) {
        const uint32_t *docs, *tt, *tb;
        uint32_t n = ix_post_block(p, &docs, &tt, &tb);
        for (uint32_t i = p->in_block; i < n; i++)
            c->bsc[i] = cl_term_score(cx, c, docs[i], tt[i], tb[i]);
        c->bsc_block = p->block;
        c->bsc_from = p->in_block;
    }
    return c->bsc[p->in_block];
}

static int ms_excluded(ms *s, uint32_t d)
{
    for (size_t i = 0; i < s->nnot; i++)
        if (qit_advance(s->not[i], d) == d)
            return 1;
    for (size_t i = 0; i < s->nfilt; i++)
        if (qit_advance(s->filt[i], d) != d)
            return 1;
    return 0;
}

/* What a bound must exceed for a document to stay: the k-th score kept
 * (-1 until there are k), or the seed when higher. */
static inline double ms_theta(const run *rn, const ms *s)
{
    double t = topk_threshold(&rn->top);
    return s->seed > t ? s->seed : t;
}

static size_t ms_nonessential(const ms *s, size_t ne, double theta)
{
    if (ne < s->nlazy)
        ne = s->nlazy;
    while (ne < s->n && s->wprefix[ne] <= theta)
        ne++;
    return ne;
}

/* The positions of cursor c's current document into *buf (grown as
 * needed); returns their count, or -1 out of memory. */
static int64_t ms_positions(ms *s, ix_post *c, uint32_t **buf)
{
    uint32_t n = ix_post_positions(c, *buf, NULL, s->pcap);
    if (n > s->pcap) {
        uint32_t cap = n + 64;
        uint32_t *a = realloc(s->pa, cap * sizeof *a);
        if (a)
            s->pa = a;
        uint32_t *b = a ? realloc(s->pb, cap * sizeof *b) : NULL;
        if (!b)
            return -1;
        s->pb = b;
        s->pcap = cap;
        n = ix_post_positions(c, *buf, NULL, s->pcap);
    }
    return n;
}

/* A lazy phrase bonus "a b" at d, both words' clauses being plain terms on
 * d: counted from their cursors' positions, as phrase_match counts it
 * (an occurrence of a followed by b, in the title when a's is one of its
 * tf_title first positions), and scored as phrase_score does. */
static double ms_lazy_phrase(const qctx *cx, ms *s, const mscl *ph, uint32_t d)
{
    ix_post *a = s->ocl[ph->pj[0]].pc, *b = s->ocl[ph->pj[1]].pc;
    int64_t na = ms_positions(s, a, &s->pa), nb = na < 0 ? -1 : ms_positions(s, b, &s->pb);
    if (nb < 0) {
        s->oom = 1;
        return 0.0;
    }
    uint32_t tta, tba, tft = 0, tfb = 0;
    ix_post_tfs(a, &tta, &tba);
    int64_t j = 0;
    for (int64_t i = 0; i < na; i++) {
        uint32_t want = s->pa[i] + 1;
        while (j < nb && s->pb[j] < want)
            j++;
        if (j < nb && s->pb[j] == want)
            *((uint32_t)i < tta ? &tft : &tfb) += 1;
    }
    if (tft + tfb == 0)
        return 0.0;
    const bm25 *m = cx->m;
    double K = bm25_norm(m, cx->tnorm[d], cx->bnorm[d]);
    return ph->boost * bm25_tf(m, ph->idf, m->wt * tft + tfb, K);
}

/* A bound of lazy phrase ph's score at d from its words' frequencies
 * there (both words' cursors on d). */
static double ms_lazy_bound(const qctx *cx, ms *s, const mscl *ph, uint32_t d)
{
    uint32_t ta, ba, tb, bb;
    ix_post_tfs(s->ocl[ph->pj[0]].pc, &ta, &ba);
    ix_post_tfs(s->ocl[ph->pj[1]].pc, &tb, &bb);
    uint32_t mt = ta < tb ? ta : tb, mb = ba < bb ? ba : bb;
    const bm25 *m = cx->m;
    double K = bm25_norm(m, cx->tnorm[d], cx->bnorm[d]);
    return ph->boost * bm25_tf(m, ph->idf, m->wt * mt + mb, K) * BM25_BOUND_SLACK;
}

/* Block-max skipping: when no document in [d, end] can beat the threshold
 * (the blocks of every clause holding [d, end] bound them, and a clause
 * whose iterator sits past d holds nothing before it), returns end + 1 to
 * jump the essential lists to; else d. */
static uint32_t ms_skip_to(ms *s, uint32_t d, double theta)
{
    /* The same blocks hold every d in [nsk_from, nsk_to]: while their
     * bounds still beat theta, nothing there can be skipped. */
    if (d >= s->nsk_from && d <= s->nsk_to && s->nsk_ub > theta)
        return d;
    double ub = 0;
    uint32_t end = IX_END - 1;
    for (size_t j = s->n; j-- > 0 && ub <= theta;) {
        const mscl *c = &s->ocl[j];
        uint32_t upto, from = c->doc;
        if (c->pj[0] != SIZE_MAX) { /* a lazy phrase: none before both its words */
            uint32_t a = s->ocl[c->pj[0]].doc, b = s->ocl[c->pj[1]].doc;
            from = a > from ? a : from;
            from = b > from ? b : from;
        }
        if (from > d) { /* none of its documents before from */
            upto = from - 1;
        } else {
            ub += qit_bound_at(c->it, d, &upto);
        }
        end = upto < end ? upto : end;
    }
    if (ub > theta) {
        s->nsk_from = d;
        s->nsk_to = end;
        s->nsk_ub = ub;
    }
    return ub <= theta && end >= d ? end + 1 : d;
}

/* Scores d if it can still enter the top k; returns 1 when it was scored.
 * The essential clauses on d are scored; then the non-essential ones are
 * probed, highest bound first, while what d can still reach beats the
 * k-th score: a clause's list bound is first narrowed to the bound of
 * its block holding d (every iterator only moved to targets <= d, so one
 * past d does not hold it). */
static int ms_score(run *rn, const qctx *cx, ms *s, size_t ne, uint32_t d, double *out)
{
    double theta = ms_theta(rn, s), ub = ne ? s->prefix[ne - 1] : 0.0;
    int full = theta >= 0; /* pruning (every bound is >= 0) */
    for (size_t j = ne; j < s->n; j++) {
        mscl *c = &s->ocl[j];
        double v = c->doc == d ? cl_escore(cx, c) : 0.0;
        s->sc[c->ci] = v;
        ub += v;
    }
    for (size_t j = ne; j-- > 0;) {
        if (full && ub <= theta)
            return 0;
        mscl *c = &s->ocl[j];
        double v = 0.0, cub = c->it->ub;
        /* A lazy phrase scores nothing where one of its words is missing:
         * its word clauses come later in order, so they were probed (or
         * are essential) and sit on d exactly when they hold it. */
        if (c->pj[0] != SIZE_MAX &&
            (s->ocl[c->pj[0]].doc != d || s->ocl[c->pj[1]].doc != d)) {
            s->sc[c->ci] = 0.0;
            ub -= cub;
            continue;
        }
        if (c->doc <= d && full) {
            uint32_t upto;
            double bb = qit_bound_at(c->it, d, &upto);
            if (bb < cub) {
                ub += bb - cub;
                cub = bb;
                if (ub <= theta)
                    return 0;
            }
        }
        if (c->pj[0] != SIZE_MAX && full) {
            /* Before reading positions: the phrase occurs at most as often
             * in a field as either word does there. */
            double b = ms_lazy_bound(cx, s, c, d);
            if (b < cub) {
                ub += b - cub;
                cub = b;
                if (ub <= theta)
                    return 0;
            }
        }
        if (c->pj[0] != SIZE_MAX)
            v = ms_lazy_phrase(cx, s, c, d);
        else if (c->doc <= d && cl_advance(c, d) == d)
            v = cl_score(cx, c);
        s->sc[c->ci] = v;
        ub += v - cub;
    }
    double score = 0;
    for (size_t i = 0; i < s->n; i++)
        score += s->sc[i];
    *out = score;
    return 1;
}

static void ms_loop(run *rn, const qctx *cx, uint32_t seg, ms *s)
{
    size_t ne = ms_nonessential(s, 0, ms_theta(rn, s));
    for (;;) {
        uint32_t d = IX_END;
        for (size_t j = ne; j < s->n; j++)
            if (s->ocl[j].doc < d)
                d = s->ocl[j].doc;
        if (d == IX_END)
            break;
        if (ne > s->nlazy)
            rn->skipped = 1; /* lazy clauses hold no document of their own */
        double theta = ms_theta(rn, s);
        uint32_t to = theta >= 0 ? ms_skip_to(s, d, theta) : d;
        if (to != d) {
            rn->skipped = 1;
            for (size_t j = ne; j < s->n; j++)
                cl_advance(&s->ocl[j], to);
            continue;
        }
        rn->seen++;
        if ((!(s->deletes || rn->dated) || passes(rn, cx, d)) && !ms_excluded(s, d)) {
            rn->counted++;
            double score;
            if (!ms_score(rn, cx, s, ne, d, &score))
                rn->unscored++;
            else if (!topk_full(&rn->top) || score > topk_threshold(&rn->top))
                keep(rn, cx, seg, d, score); /* a tie loses to the earlier document */
            ne = ms_nonessential(s, ne, ms_theta(rn, s));
        }
        for (size_t j = ne; j < s->n; j++)
            if (s->ocl[j].doc == d)
                cl_next(&s->ocl[j]);
    }
    if (ne > s->nlazy)
        rn->skipped = 1; /* documents only in non-essential lists were never seen */
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i]->oom)
            rn->oom = 1;
    if (s->oom)
        rn->oom = 1;
}

static void ms_free(ms *s)
{
    for (size_t i = 0; i < s->n; i++)
        qit_free(s->c[i]);
    for (size_t i = 0; i < s->nnot; i++)
        qit_free(s->not[i]);
    for (size_t i = 0; i < s->nfilt; i++)
        qit_free(s->filt[i]);
    free(s->mem);
    free(s->pa);
    free(s->pb);
}

/* Carves the arrays for k root kids out of one allocation. */
static int ms_alloc(ms *s, size_t k)
{
    size_t p = k * sizeof(void *), z = k * sizeof(size_t), d = k * sizeof(double);
    size_t m = k * sizeof(mscl), head = 3 * p + 3 * z + 2 * m + 3 * d;
    char *a = s->mem = malloc(head + 128 * d + 1);
    if (!a)
        return MG_ENOMEM;
    memset(a, 0, head); /* the block scores are written before they are read */
    s->c = (qit **)a; a += p;
    s->not = (qit **)a; a += p;
    s->filt = (qit **)a; a += p;
    s->order = (size_t *)a; a += z;
    s->kid = (size_t *)a; a += z;
    s->kidpos = (size_t *)a; a += z;
    s->cl = (mscl *)a; a += m;
    s->ocl = (mscl *)a; a += m;
    s->prefix = (double *)a; a += d;
    s->sc = (double *)a; a += d;
    s->wprefix = (double *)a; a += d;
    s->bscores = (double *)a;
    return MG_OK;
}

/* A lazy phrase bonus whose words are both plain-term clauses is counted
 * by ms_lazy_phrase from their cursors, so its own iterator would only be
 * opened (and aligned) for its bound: an empty iterator carries that bound
 * instead, from the words' list bounds as phrase_new computes a pair's
 * (an occurrence in a field needs both words there).  kc maps root kids
 * to clauses.  NULL (build the phrase) otherwise. */
static qit *ms_lazy_stub(const ms *s, const qctx *cx, const pnode *n, const size_t *kc)
{
    size_t a = kc[n->pair[0]], b = kc[n->pair[1]];
    if (!n->lazy || n->nw != 2 || a == SIZE_MAX || b == SIZE_MAX || !s->cl[a].pc || !s->cl[b].pc)
        return NULL;
    qit *it = empty_new();
    if (!it)
        return NULL;
    ix_bound x, y;
    ix_post_list_bound(s->cl[a].pc, &x);
    ix_post_list_bound(s->cl[b].pc, &y);
    uint32_t mt = x.max_tf_title < y.max_tf_title ? x.max_tf_title : y.max_tf_title;
    uint32_t mb = x.max_tf_body < y.max_tf_body ? x.max_tf_body : y.max_tf_body;
    uint8_t tn = x.min_title_norm > y.min_title_norm ? x.min_title_norm : y.min_title_norm;
    uint8_t bn = x.min_body_norm > y.min_body_norm ? x.min_body_norm : y.min_body_norm;
    uint64_t ca = s->cl[a].it->cost, cb = s->cl[b].it->cost;
    if (s->cl[a].it->doc != IX_END && s->cl[b].it->doc != IX_END) {
        it->ub = n->boost * bm25_bound(cx->m, n->idf, mt, mb, tn, bn, n->fmask);
        it->cost = ca < cb ? ca : cb;
        it->doc = 0; /* ms_skip_to and ms_score go by its words' documents */
    }
    return it;
}

/* Seeds the threshold from the first block of the top clause (the last in
 * bound order), a plain term whose block is decoded anyway: a document's
 * score is at least that clause's score there, so the k-th best of those
 * (over documents passing the filters) is at most the final k-th score.
 * Bounds just below it (never equal: a tie might win on docid) cannot
 * reach the top k, even before k hits are kept.  Its scores stay in the
 * clause's block cache for the walk. */
static void ms_seed(const run *rn, const qctx *cx, ms *s)
{
    s->seed = -1.0;
    size_t k = rn->top.k;
    mscl *c = s->n > s->nlazy ? &s->ocl[s->n - 1] : NULL;
    if (!c || !c->pc || s->nnot || s->nfilt || k == 0 || k > 128 || c->doc == IX_END)
        return;
    cl_escore(cx, c); /* scores the block from the cursor's document on */
    const uint32_t *docs, *tt, *tb;
    uint32_t n = ix_post_block(c->pc, &docs, &tt, &tb);
    double best[128]; /* the k highest so far, descending */
    size_t nb = 0;
    for (uint32_t i = c->bsc_from; i < n; i++) {
        if ((s->deletes || rn->dated) && !passes(rn, cx, docs[i]))
            continue;
        double v = c->bsc[i];
        if (nb == k && v <= best[k - 1])
            continue;
        size_t j = nb < k ? nb++ : k - 1;
        for (; j > 0 && best[j - 1] < v; j--)
            best[j] = best[j - 1];
        best[j] = v;
    }
    if (nb == k && best[k - 1] > 0)
        s->seed = nextafter(best[k - 1], -1.0);
}

/* Orders the clauses for MaxScore: lazy phrase-bonus clauses first (never
 * essential: every document they hold is in their words' clauses too),
 * then the others by ascending bound (insertion sort: few clauses, and
 * qsort has no context).  prefix[j] bounds the clauses order[0..j] together
 * (for pruning); wprefix[j] bounds what a document found only in
 * order[nlazy..j] can score, a lazy pair counting once both its words are
 * there (for choosing the essential clauses). */
static void ms_order(ms *s, const pnode *root)
{
    size_t m = 0, k = root->nkids;
    for (size_t c = 0; c < s->n; c++)
        if (root->kids[s->kid[c]]->lazy)
            s->order[m++] = c;
    s->nlazy = m;
    for (size_t c = 0; c < s->n; c++) {
        if (root->kids[s->kid[c]]->lazy)
            continue;
        size_t j = m++;
        while (j > s->nlazy && s->c[s->order[j - 1]]->ub > s->c[c]->ub) {
            s->order[j] = s->order[j - 1];
            j--;
        }
        s->order[j] = c;
    }
    for (size_t i = 0; i < k; i++)
        s->kidpos[i] = SIZE_MAX;
    for (size_t j = s->nlazy; j < s->n; j++)
        s->kidpos[s->kid[s->order[j]]] = j;
    double p = 0, w = 0;
    for (size_t j = 0; j < s->nlazy; j++) {
        const pnode *ph = root->kids[s->kid[s->order[j]]];
        p += s->c[s->order[j]]->ub;
        s->prefix[j] = p;
        s->wprefix[j] = 0;
        if (s->kidpos[ph->pair[0]] == SIZE_MAX || s->kidpos[ph->pair[1]] == SIZE_MAX)
            w += s->c[s->order[j]]->ub; /* a word is not a clause: always count it */
    }
    for (size_t j = s->nlazy; j < s->n; j++) {
        p += s->c[s->order[j]]->ub;
        w += s->c[s->order[j]]->ub;
        for (size_t l = 0; l < s->nlazy; l++) {
            const pnode *ph = root->kids[s->kid[s->order[l]]];
            size_t a = s->kidpos[ph->pair[0]], b = s->kidpos[ph->pair[1]];
            if (a != SIZE_MAX && b != SIZE_MAX && (a > b ? a : b) == j)
                w += s->c[s->order[l]]->ub;
        }
        s->prefix[j] = p;
        s->wprefix[j] = w;
    }
}

/* Runs MaxScore over the root's optional clauses in one segment. */
static int ms_run(run *rn, const qctx *cx, uint32_t seg, const pnode *root)
{
    ms s;
    memset(&s, 0, sizeof s);
    s.nsk_from = 1;    /* an empty range */
    s.seed = -1.0;
    size_t k = root->nkids;
    s.deletes = ix_seg_live_docs(cx->seg) != cx->ndocs;
    int rc = ms_alloc(&s, k);
    for (size_t i = 0; i < k && rc == MG_OK; i++) {
        qit *it = NULL;
        s.kidpos[i] = SIZE_MAX; /* kid -> clause until ms_order */
        if (root->kids[i]->lazy && root->kids[i]->occur == QO_SHOULD)
            it = ms_lazy_stub(&s, cx, root->kids[i], s.kidpos);
        rc = it ? MG_OK : qit_build(root->kids[i], cx, &it);
        if (rc == MG_OK && root->kids[i]->occur == QO_MUSTNOT)
            s.not[s.nnot++] = it;
        else if (rc == MG_OK && root->kids[i]->occur == QO_MUST)
            s.filt[s.nfilt++] = it;
        else if (rc == MG_OK) {
            mscl *c = &s.cl[s.n];
            c->it = it;
            c->pc = term_plain_cursor(it, &c->idf, &c->boost);
            c->bsc = s.bscores + s.n * 128;
            c->bsc_block = UINT32_MAX;
            c->pj[0] = c->pj[1] = SIZE_MAX;
            s.kid[s.n] = i;
            s.kidpos[i] = s.n;
            s.c[s.n++] = it;
        }
    }
    if (rc == MG_OK) {
        ms_order(&s, root);
        for (size_t j = 0; j < s.n; j++) {
            s.ocl[j] = s.cl[s.order[j]];
            s.ocl[j].ci = s.order[j];
            s.ocl[j].doc = s.ocl[j].it->doc;
        }
        for (size_t j = 0; j < s.nlazy; j++) {
            const pnode *ph = root->kids[s.kid[s.order[j]]];
            size_t a = s.kidpos[ph->pair[0]], b = s.kidpos[ph->pair[1]];
            if (a != SIZE_MAX && b != SIZE_MAX && s.ocl[a].pc && s.ocl[b].pc) {
                s.ocl[j].pj[0] = a;
                s.ocl[j].pj[1] = b;
                s.ocl[j].idf = ph->idf;
                s.ocl[j].boost = ph->boost;
            }
        }
        double miss = 1.0, live = ix_seg_live_docs(cx->seg);
        for (size_t j = 0; j < s.n; j++) {
            if (root->kids[s.kid[j]]->lazy)
                continue;
            double f = live > 0 ? (double)s.c[j]->cost / live : 1.0;
            miss *= f >= 1.0 ? 0.0 : 1.0 - f;
        }
        rn->estimate += live * (1.0 - miss);
        ms_seed(rn, cx, &s);
        ms_loop(rn, cx, seg, &s);
    }
    ms_free(&s);
    return rc;
}

static int maxscore_fits(const run *rn, const pnode *root)
{
    if (rn->f->exhaustive || rn->o->exact_total || rn->o->sort != MG_SORT_RELEVANCE || !root ||
        root->kind != PN_BOOL)
        return 0;
    size_t should = 0;
    for (size_t i = 0; i < root->nkids; i++) {
        if (root->kids[i]->occur == QO_MUST && !root->need_should)
            return 0; /* required words drive the search (leapfrog) */
        should += root->kids[i]->occur == QO_SHOULD;
    }
    return should >= 2;
}

static int run_segment(run *rn, const ix_reader *r, uint32_t seg, const pnode *root)
{
    const ix_segment *sg = ix_reader_segment(r, seg);
    const uint8_t *nm = ix_seg_norms(sg);
    qctx cx = { &rn->m, sg, seg, ix_seg_ndocs(sg), ix_seg_dates(sg), nm, nm + ix_seg_ndocs(sg) };
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

void search_results_clear(mg_results *res)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->docs)
            mg_doc_free(res->docs[i]);
        if (res->snippets)
            free(res->snippets[i]);
    }
    free(res->hits);
    free(res->docs);
    free(res->snippets);
    free(res->ids);
    res->ids = NULL;
    free(res->seg);
    free(res->doc);
    res->hits = NULL;
    res->docs = NULL;
    res->snippets = NULL;
    res->seg = res->doc = NULL;
    res->n = 0;
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

/* Copies the ids of the hits read without their stored article from the
 * segments' ids sections into res (NUL-terminated; the reader may go
 * before res). */
static int own_ids(mg_results *res, const ix_reader *r, unsigned fields)
{
    if (!(fields & MG_FIELD_ID))
        return MG_OK;
    size_t total = 0, len;
    for (size_t i = 0; i < res->n; i++)
        if (!res->docs[i] && ix_seg_doc_id(ix_reader_segment(r, res->seg[i]), res->doc[i], &len))
            total += len + 1;
    if (!total)
        return MG_OK;
    char *p = res->ids = malloc(total);
    if (!p)
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

static int make_page(run *rn, const ix_reader *r, const mg_search_options *o, analyzer *an,
                     plan *pl, mg_results *res)
{
    topk_sort(&rn->top);
    size_t from = o->offset < rn->top.n ? o->offset : rn->top.n;
    size_t n = rn->top.n - from;
    if (n == 0)
        return MG_OK;
    res->hits = calloc(n, sizeof *res->hits);
    res->docs = calloc(n, sizeof *res->docs);
    res->snippets = calloc(n, sizeof *res->snippets);
    res->seg = calloc(n, sizeof *res->seg);
    res->doc = calloc(n, sizeof *res->doc);
    if (!res->hits || !res->docs || !res->snippets || !res->seg || !res->doc)
        return fail(res, MG_ENOMEM, "out of memory");
    /* The stored article is read only when a stored field or a snippet is
     * asked for: the date comes from the date column, the id from the
     * segment's ids section. */
    unsigned cheap = MG_FIELD_DATE | MG_FIELD_ID;
    int need_doc = (o->fields & ~cheap) != 0 || o->snippet_len > 0;
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
    return own_ids(res, r, o->fields);
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

static int search_plan(ix_reader *r, const char *query, const mg_search_options *o,
                       const search_flags *f, analyzer *an, plan **pl, mg_results *res)
{
    qast *ast = NULL;
    errbuf e;
    size_t col = 0;
    int rc = qparse(query, strlen(query), o->default_and, &ast, &e, &col);
    if (rc != MG_OK) {
        res->col = col;
        return fail(res, rc, e.msg);
    }
    rc = plan_build(ast, an, r, !f->no_phrase_bonus, o->snippet_len > 0, pl, &e);
    qast_free(ast);
    return rc == MG_OK ? MG_OK : fail(res, rc, e.msg);
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
    errbuf e;
    analyzer *an = given ? given : analyzer_new(ix_reader_language(r), &e);
    if (!an)
        return fail(res, e.code, e.msg);
    plan *pl = NULL;
    run rn;
    memset(&rn, 0, sizeof rn);
    rn.o = o;
    rn.f = f;
    rn.dated = o->since != MG_NO_DATE || o->until != MG_NO_DATE;
    int rc = search_plan(r, query, o, f, an, &pl, res);
    if (rc == MG_OK && topk_init(&rn.top, o->offset + o->limit,
                                 o->sort == MG_SORT_NEWEST ? TK_NEWEST :
                                 o->sort == MG_SORT_OLDEST ? TK_OLDEST : TK_SCORE))
        rc = fail(res, MG_ENOMEM, "out of memory");
    if (rc == MG_OK && plan_root(pl)) {
        bm25_init(&rn.m, o->k1, o->b, o->title_weight, ix_reader_avg_title_len(r),
                  ix_reader_avg_body_len(r));
        for (uint32_t s = 0; s < ix_reader_nsegments(r) && rc == MG_OK; s++)
            if ((rc = run_segment(&rn, r, s, plan_root(pl))) != MG_OK || rn.oom)
                rc = fail(res, MG_ENOMEM, "out of memory while searching");
        if (rc == MG_OK && rn.top.oom)
            rc = fail(res, MG_ENOMEM, "out of memory keeping the hits");
        if (rc == MG_OK)
            rc = make_page(&rn, r, o, an, pl, res);
    }
    if (rc == MG_OK) {
        res->total = rn.counted;
        if (rn.pruned) {
            res->estimate = 1;
            res->total = (uint64_t)(rn.pr_total + 0.5);
        }
        if (rn.skipped) {
            /* The union estimate ignores date filters and exclusions: scale
             * it by the share of the candidates seen that passed them. */
            double est = rn.seen ? rn.estimate * (double)rn.counted / (double)rn.seen : rn.estimate;
            res->estimate = 1;
            if (est > (double)rn.counted)
                res->total = (uint64_t)(est + 0.5);
        }
        res->skipped = rn.unscored;
        res->status = MG_OK;
    }
    topk_free(&rn.top);
    plan_free(pl);
    if (an != given)
        analyzer_free(an);
    return res->status;
}

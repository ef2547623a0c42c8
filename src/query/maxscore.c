/* maxscore.c — MaxScore top-k for free-text OR queries.
 *
 * A free-text OR query (a root of optional clauses, maybe with excluded
 * ones) runs MaxScore: clauses sorted by their upper bound (from the
 * postings' list bounds); the longest prefix of them whose bounds sum to
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
 * so the prune is then strict).  Interface: search_int.h. */
#include "query/search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "query/arena.h"
#include "query/iter.h"

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
    void *mem;          /* the arrays above (ms_alloc), unless in cx->mem */
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
    qit_free_all(s->c, s->n);
    qit_free_all(s->not, s->nnot);
    qit_free_all(s->filt, s->nfilt);
    free(s->mem);
    free(s->pa);
    free(s->pb);
}

/* Carves the arrays for k root kids out of one allocation. */
static int ms_alloc(ms *s, const qctx *cx, size_t k)
{
    size_t p = k * sizeof(void *), z = k * sizeof(size_t), d = k * sizeof(double);
    size_t m = k * sizeof(mscl), head = 3 * p + 3 * z + 2 * m + 3 * d;
    size_t n = head + 128 * d + 1;
    char *a = cx->mem ? qa_alloc(cx->mem, n) : (s->mem = malloc(n));
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
int ms_run(run *rn, const qctx *cx, uint32_t seg, const pnode *root)
{
    ms s;
    memset(&s, 0, sizeof s);
    s.nsk_from = 1;    /* an empty range */
    s.seed = -1.0;
    size_t k = root->nkids;
    s.deletes = ix_seg_live_docs(cx->seg) != cx->ndocs;
    int rc = ms_alloc(&s, cx, k);
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

int maxscore_fits(const run *rn, const pnode *root)
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

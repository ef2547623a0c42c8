/* iter_comb.c — iterators that combine others: NEAR, boolean AND (leapfrog),
 * OR (union), NOT (exclusion), plus date ranges and "every document" for
 * pure-negative and date-only queries; and qit_build, plan -> iterators. */
#include <stdlib.h>
#include <string.h>

#include "query/iter.h"
#include "query/arena.h"
#include "query/iter_int.h"

/* ----------------------------------------------------------------- date */

typedef struct date_it {
    qit b;
    const qctx *cx;
    int64_t lo, hi;
    int all;            /* every document, dated or not */
} date_it;

static int date_in(const date_it *d, uint32_t doc)
{
    if (d->all)
        return 1;
    int64_t t = d->cx->dates ? d->cx->dates[doc] : MG_NO_DATE;
    if (t == MG_NO_DATE)
        return 0;
    return (d->lo == MG_NO_DATE || t >= d->lo) && (d->hi == MG_NO_DATE || t <= d->hi);
}

static uint32_t date_adv(qit *it, uint32_t target)
{
    date_it *d = (date_it *)it;
    uint32_t n = d->cx->ndocs;
    while (target < n && !date_in(d, target))
        target++;
    return it->doc = target < n ? target : IX_END;
}

static uint32_t date_next(qit *it) { return date_adv(it, it->doc + 1); }
static double date_score(qit *it) { (void)it; return 0.0; }
static void date_destroy(qit *it) { free(it); }
static const qit_vt date_vt = { date_next, date_adv, date_score, date_destroy, NULL,
                                flat_bound_at, NULL, NULL };

static qit *date_new(const qctx *cx, int64_t lo, int64_t hi, int all)
{
    date_it *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->b.vt = &date_vt;
    d->cx = cx;
    d->lo = lo;
    d->hi = hi;
    d->all = all;
    d->b.cost = cx->ndocs;
    date_adv(&d->b, 0);
    return &d->b;
}

/* ----------------------------------------------------------------- NEAR */

typedef struct near_it {
    qit b;
    qit **k;
    size_t n;
    uint32_t dist;
    qspans *sp;
    uint32_t *cur;      /* per operand: first occurrence after the leftmost */
    uint32_t *pick;     /* per operand: the occurrence chosen */
    uint32_t *cls;      /* per operand: first operand with the same occurrences */
    size_t a;           /* the operand whose occurrence is leftmost */
    uint64_t wend;      /* last position the window allows */
    uint64_t steps;     /* search steps left at this document */
    int approx;         /* two-phase: near_find does not check positions */
    int checked, ok;    /* approx: ok is known for the current document */
} near_it;

/* Search steps allowed per document before NEAR gives up on it (only
 * reachable with long chains of overlapping operands). */
#define NEAR_STEPS 200000

static int spans_overlap(const qspan *x, const qspan *y)
{
    return x->start <= y->end && y->start <= x->end;
}

/* Only the first few occurrences of operand b after the leftmost one can
 * matter: each other chosen occurrence overlaps at most len_o + len_b - 1
 * of b's (all of b's have one length), so among b's first
 * 1 + sum(len_o + len_b - 1) one is free, and it ends no later. */
static uint32_t near_cands(const near_it *nr, size_t b)
{
    uint64_t lb = nr->sp[b].s[0].end - nr->sp[b].s[0].start + 1, k = 1;
    for (size_t o = 0; o < nr->n; o++)
        if (o != b)
            k += nr->sp[o].s[0].end - nr->sp[o].s[0].start + lb;
    return k > UINT32_MAX ? UINT32_MAX : (uint32_t)k;
}

/* Chooses occurrences for operands b.. (skipping the leftmost operand a),
 * pairwise disjoint and ending by wend.  Operands with identical
 * occurrences take them in increasing order (no symmetric retries). */
static int near_choose(near_it *nr, size_t b)
{
    if (b == nr->a)
        b++;
    if (b >= nr->n)
        return 1;
    const qspans *s = &nr->sp[b];
    uint32_t i = nr->cur[b], lim = near_cands(nr, b);
    for (size_t c = b; c-- > 0;)
        if (c != nr->a && nr->cls[c] == nr->cls[b]) {
            if (nr->pick[c] + 1 > i)
                i = nr->pick[c] + 1;
            break;
        }
    for (uint32_t tried = 0; i < s->n && tried < lim; i++, tried++) {
        if (s->s[i].end > nr->wend || nr->steps == 0)
            return 0;
        nr->steps--;
        int free_ = 1;
        for (size_t c = 0; c < b && free_; c++)
            if (c != nr->a && spans_overlap(&s->s[i], &nr->sp[c].s[nr->pick[c]]))
                free_ = 0;
        if (!free_)
            continue;
        nr->pick[b] = i;
        if (near_choose(nr, b + 1))
            return 1;
    }
    return 0;
}

/* Fetches every operand's occurrences at the current document; 0 if one
 * has none (or out of memory, flagged). */
static int near_fetch(near_it *nr, uint64_t *total)
{
    *total = 0;
    for (size_t i = 0; i < nr->n; i++) {
        nr->sp[i].n = 0;
        if (nr->k[i]->vt->spans(nr->k[i], &nr->sp[i])) {
            nr->b.oom = 1;
            return 0;
        }
        if (nr->sp[i].n == 0)
            return 0;
        *total += nr->sp[i].s[0].end - nr->sp[i].s[0].start + 1;
        nr->cls[i] = (uint32_t)i;
        for (size_t j = 0; j < i; j++)
            if (nr->sp[j].n == nr->sp[i].n &&
                !memcmp(nr->sp[j].s, nr->sp[i].s, nr->sp[i].n * sizeof *nr->sp[i].s)) {
                nr->cls[i] = nr->cls[j];
                break;
            }
    }
    return 1;
}

/* Some choice of one occurrence per operand, no two sharing a position
 * (like Xapian: "trade NEAR trade" needs two occurrences), spans at most
 * dist + the operands' lengths positions.  Each occurrence x is tried as
 * the leftmost; the others must start after x ends and end in x's
 * window. */
static int near_match(near_it *nr)
{
    uint64_t total;
    if (!near_fetch(nr, &total))
        return 0;
    uint64_t limit = total + nr->dist;
    nr->steps = NEAR_STEPS;
    for (size_t a = 0; a < nr->n; a++) {
        if (a > 0 && nr->cls[a] != a)
            continue; /* same occurrences as an earlier operand: same result */
        memset(nr->cur, 0, nr->n * sizeof *nr->cur);
        nr->a = a;
        for (uint32_t xi = 0; xi < nr->sp[a].n; xi++) {
            const qspan *x = &nr->sp[a].s[xi];
            nr->wend = x->start + limit - 1;
            for (size_t b = 0; b < nr->n; b++) {
                const qspans *s = &nr->sp[b];
                while (b != a && nr->cur[b] < s->n && s->s[nr->cur[b]].start <= x->end)
                    nr->cur[b]++;
            }
            nr->pick[a] = xi;
            if (near_choose(nr, 0))
                return 1;
            if (nr->steps == 0)
                return 0;
        }
    }
    return 0;
}

/* Aligns kids[0..n) on a common document >= target; IX_END if none. */
static uint32_t leapfrog(qit **kids, size_t n, uint32_t target)
{
    uint32_t d = target;
    size_t agree = 0;
    for (size_t i = 0; agree < n; i = i + 1 < n ? i + 1 : 0) {
        uint32_t x = qit_advance(kids[i], d);
        if (x == IX_END)
            return IX_END;
        if (x == d) {
            agree++;
        } else {
            d = x;
            agree = 1;
        }
    }
    return d;
}

static uint32_t near_find(near_it *nr, uint32_t target)
{
    for (;;) {
        uint32_t d = leapfrog(nr->k, nr->n, target);
        nr->b.doc = d;
        nr->checked = 0;
        if (d == IX_END || nr->approx || near_match(nr) || nr->b.oom)
            return d;
        target = d + 1;
    }
}

static int near_confirm(qit *it)
{
    near_it *nr = (near_it *)it;
    if (!nr->checked) {
        nr->ok = near_match(nr);
        nr->checked = 1;
    }
    return nr->ok;
}

/* NEAR scores as the sum of its operands: so are its bounds. */
static double near_doc_bound(qit *it)
{
    near_it *nr = (near_it *)it;
    double s = 0;
    for (size_t i = 0; i < nr->n; i++)
        s += qit_doc_bound(nr->k[i]);
    return s;
}

/* The sum of kids' bounds over the shortest of their ranges. */
static double sum_bound_at(qit **k, size_t n, uint32_t d, uint32_t *upto)
{
    double s = 0;
    uint32_t end = IX_END - 1, u;
    for (size_t i = 0; i < n; i++) {
        s += qit_bound_at(k[i], d, &u);
        end = u < end ? u : end;
    }
    *upto = end < d ? d : end;
    return s;
}

static double near_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    near_it *nr = (near_it *)it;
    return sum_bound_at(nr->k, nr->n, d, upto);
}

static uint32_t near_next(qit *it) { return near_find((near_it *)it, it->doc + 1); }
static uint32_t near_adv(qit *it, uint32_t t) { return near_find((near_it *)it, t); }

static double near_score(qit *it)
{
    near_it *nr = (near_it *)it;
    double s = 0;
    for (size_t i = 0; i < nr->n; i++)
        s += qit_score(nr->k[i]);
    return s;
}

static void near_destroy(qit *it)
{
    near_it *nr = (near_it *)it;
    for (size_t i = 0; i < nr->n; i++) {
        qit_free(nr->k[i]);
        if (nr->sp)
            free(nr->sp[i].s);
    }
    free(nr->k);
    free(nr->sp);
    free(nr->cur);
    free(nr->pick);
    free(nr->cls);
    free(nr);
}

static const qit_vt near_vt = { near_next, near_adv, near_score, near_destroy, NULL,
                                near_bound_at, near_doc_bound, NULL };
static const qit_vt near_approx_vt = { near_next, near_adv, near_score, near_destroy, NULL,
                                       near_bound_at, near_doc_bound, near_confirm };

static qit *near_new(const qctx *cx, const pnode *n, int approx)
{
    near_it *nr = calloc(1, sizeof *nr);
    if (!nr)
        return NULL;
    nr->b.vt = approx ? &near_approx_vt : &near_vt;
    nr->approx = approx;
    nr->dist = n->dist;
    nr->k = calloc(n->nkids, sizeof *nr->k);
    nr->sp = calloc(n->nkids, sizeof *nr->sp);
    nr->cur = calloc(n->nkids, sizeof *nr->cur);
    nr->pick = calloc(n->nkids, sizeof *nr->pick);
    nr->cls = calloc(n->nkids, sizeof *nr->cls);
    if (!nr->k || !nr->sp || !nr->cur || !nr->pick || !nr->cls) {
        near_destroy(&nr->b);
        return NULL;
    }
    nr->b.cost = UINT64_MAX;
    for (size_t i = 0; i < n->nkids; i++, nr->n++) {
        const pnode *k = n->kids[i];
        nr->k[i] = k->kind == PN_TERM ? term_new(cx, k->w, k->fmask, k->boost)
                                      : phrase_new(cx, k, approx, NULL);
        if (!nr->k[i]) {
            near_destroy(&nr->b);
            return NULL;
        }
        nr->b.ub += nr->k[i]->ub;
        if (nr->k[i]->cost < nr->b.cost)
            nr->b.cost = nr->k[i]->cost;
    }
    near_find(nr, 0);
    return &nr->b;
}

/* ----------------------------------------------------------------- bool */

#define BOOL_PARTS 8 /* clauses whose bound parts bool_lead caches */

typedef struct bool_it {
    qit b;
    qit **must, **should, **not;
    size_t nmust, nshould, nnot;
    qit *all;           /* the positive part when there are no must/should */
    int need_should;    /* with musts: one should must match too */
    struct qarena *mem; /* where it and its arrays are (qctx.mem) */
    const qctx *cx;
    uint32_t kdoc;      /* the document whose K (qit_doc_K) is in K, or
                           IX_END: computed once for all the clauses */
    double K;
    /* bool_lead's bounds of the clauses after the lead (must[1..], then
     * the shoulds): oth_a[i] * oth_tf[i] / (oth_tf[i] + K) up to document
     * oth_last[i] (qit_bound_parts), or oth_last[i] < the document: ask
     * again (the first BOOL_PARTS clauses) */
    double oth_a[BOOL_PARTS], oth_tf[BOOL_PARTS];
    uint32_t oth_last[BOOL_PARTS];
} bool_it;

/* A clause's bound at document d with K (d's) in bool_lead: from its
 * cached parts (slot i) while they last. */
static inline double bool_other_bound(bool_it *bo, size_t i, qit *c, uint32_t d, double K)
{
    if (i >= BOOL_PARTS)
        return qit_bound_doc(c, d, K);
    if (bo->oth_last[i] == IX_END || d > bo->oth_last[i]) {
        if (!qit_bound_parts(c, d, &bo->oth_a[i], &bo->oth_tf[i], &bo->oth_last[i])) {
            bo->oth_last[i] = IX_END; /* not cached */
            return qit_bound_doc(c, d, K);
        }
    }
    double tf = bo->oth_tf[i];
    return tf <= 0 ? 0.0 : bo->oth_a[i] * tf / (tf + K);
}

/* Document d's K, kept for the clauses' bounds and scores at d. */
static inline double bool_K(bool_it *bo, uint32_t d)
{
    if (bo->kdoc != d) {
        bo->kdoc = d;
        bo->K = qit_doc_K(bo->cx, d);
    }
    return bo->K;
}

static uint32_t or_min(bool_it *bo)
{
    uint32_t d = IX_END;
    for (size_t i = 0; i < bo->nshould; i++)
        if (bo->should[i]->doc < d)
            d = bo->should[i]->doc;
    return d;
}

/* In segments of at least BOOL_PREFETCH_NDOCS documents (smaller ones'
 * norms, 2 bytes a document, stay in the caches), bool_lead starts
 * loading the norms of the lead's document BOOL_PREFETCH ahead in its
 * decoded block: each lead document's bound reads its two norm bytes. */
#define BOOL_PREFETCH 8
#define BOOL_PREFETCH_NDOCS 65536

static inline void bool_prefetch(const bool_it *bo, const ix_post *c)
{
    uint32_t a = ix_post_ahead(c, BOOL_PREFETCH);
    if (a != IX_END) /* a hint only */
        qit_prefetch_norms(bo->cx, a);
}

/* Whether moving clause c to d costs a block's decoding (or, for an
 * iterator other than a plain term, an unknown amount of work). */
static inline int bool_far(const qit *c, uint32_t d)
{
    return c->doc < d && (!c->plain || !ix_post_in_block(c->plain, d));
}

/* Whether d, the lead's document, has a bound (its own, plus the block
 * bounds of the other clauses) above theta.  The bound is summed in
 * bool_score's order. */
static int bool_lead_passes(bool_it *bo, uint32_t d)
{
    if (bo->must[0]->plain) { /* most of its block's will be read */
        uint32_t tt, tb;
        ix_post_tfs_all(bo->must[0]->plain, &tt, &tb);
    }
    double K = bool_K(bo, d);
    double s = qit_doc_bound_k(bo->must[0], K);
    for (size_t i = 1; i < bo->nmust; i++)
        s += bool_other_bound(bo, i - 1, bo->must[i], d, K);
    for (size_t i = 0; i < bo->nshould; i++)
        s += bool_other_bound(bo, bo->nmust - 1 + i, bo->should[i], d, K);
    return s > bo->b.theta;
}

/* The first document >= target of all the required clauses, led by the
 * rarest.  When pruning, a document of the lead whose bound (see
 * bool_lead_passes) cannot beat theta is passed over.  The bound is
 * checked before another clause would leave its decoded block for the
 * document (a block to find and decode), or else once the clauses meet on
 * it: moves inside decoded blocks cost less than the check, and two plain
 * terms meet there with ix_post_meet, a tight loop. */
static uint32_t bool_lead(bool_it *bo, uint32_t target)
{
    if (!bo->b.prune)
        return leapfrog(bo->must, bo->nmust, target);
    for (;;) {
        uint32_t d = qit_advance(bo->must[0], target), x = d;
        if (d == IX_END)
            return IX_END;
        bo->b.lead_seen++;
        if (bo->must[0]->plain && bo->cx->ndocs >= BOOL_PREFETCH_NDOCS)
            bool_prefetch(bo, bo->must[0]->plain); /* for its bound or its score */
        int far = bo->nmust == 1; /* the bound is all there is to check */
        for (size_t i = 1; i < bo->nmust && !far; i++)
            far = bool_far(bo->must[i], d);
        if (!far && bo->nmust == 2 && bo->must[0]->plain && bo->must[1]->plain &&
            bo->must[1]->doc < d) { /* the other's block reaches d: align in the blocks */
            ix_post *a = bo->must[0]->plain, *b = bo->must[1]->plain;
            uint32_t passed;
            int hit = ix_post_meet(a, b, &passed);
            bo->must[0]->doc = a->doc;
            bo->must[1]->doc = b->doc;
            if (hit) {
                bo->b.lead_seen += passed;
                d = a->doc;
                if (bool_lead_passes(bo, d))
                    return d;
                bo->b.lead_skip++;
                target = d + 1;
                continue;
            }
            /* a ahead: its document is seen (and counted) next round */
            bo->b.lead_seen += passed - (passed && a->doc > b->doc);
            target = a->doc > b->doc ? a->doc : b->doc;
            continue;
        }
        if (far && !bool_lead_passes(bo, d)) {
            bo->b.lead_skip++;
            target = d + 1;
            continue;
        }
        for (size_t i = 1; i < bo->nmust && x == d; i++)
            x = qit_advance(bo->must[i], d);
        if (x == d && (far || bool_lead_passes(bo, d)))
            return d;
        if (x == d) {
            bo->b.lead_skip++;
            x = d + 1;
        }
        target = x; /* IX_END: the lead's advance ends it */
    }
}

/* The first positive document >= target. */
static uint32_t bool_positive(bool_it *bo, uint32_t target)
{
    while (bo->nmust && bo->need_should) {
        uint32_t d = leapfrog(bo->must, bo->nmust, target), best = IX_END;
        if (d == IX_END)
            return IX_END;
        for (size_t i = 0; i < bo->nshould; i++) {
            uint32_t x = qit_advance(bo->should[i], d);
            if (x == d)
                return d;
            best = x < best ? x : best;
        }
        if (best == IX_END)
            return IX_END;
        target = best;
    }
    if (bo->nmust)
        return bool_lead(bo, target);
    if (bo->nshould) {
        for (size_t i = 0; i < bo->nshould; i++)
            qit_advance(bo->should[i], target);
        return or_min(bo);
    }
    return qit_advance(bo->all, target);
}

static int bool_excluded(bool_it *bo, uint32_t d)
{
    for (size_t i = 0; i < bo->nnot; i++)
        if (qit_advance(bo->not[i], d) == d)
            return 1;
    return 0;
}

static uint32_t bool_find(bool_it *bo, uint32_t target)
{
    for (;;) {
        uint32_t d = bool_positive(bo, target);
        bo->b.doc = d;
        if (d == IX_END || !bool_excluded(bo, d))
            return d;
        target = d + 1;
    }
}

static uint32_t bool_next(qit *it) { return bool_find((bool_it *)it, it->doc + 1); }
static uint32_t bool_adv(qit *it, uint32_t t) { return bool_find((bool_it *)it, t); }

/* The clauses' scores (bound 0) or score bounds (bound 1) at the current
 * document, summed in one order, so that rounding keeps the bound above the
 * score. */
static inline double bool_sum(bool_it *bo, int bound)
{
    uint32_t d = bo->b.doc;
    double s = 0, K = bool_K(bo, d);
    for (size_t i = 0; i < bo->nmust; i++)
        s += bound ? qit_doc_bound_k(bo->must[i], K) : qit_score_k(bo->must[i], K);
    for (size_t i = 0; i < bo->nshould; i++)
        if (qit_advance(bo->should[i], d) == d)
            s += bound ? qit_doc_bound_k(bo->should[i], K) : qit_score_k(bo->should[i], K);
    return s;
}

static double bool_score(qit *it) { return bool_sum((bool_it *)it, 0); }

/* Two-phase: the required clauses confirm (should and excluded clauses
 * are exact iterators). */
static int bool_confirm(qit *it)
{
    bool_it *bo = (bool_it *)it;
    for (size_t i = 0; i < bo->nmust; i++)
        if (!qit_confirm(bo->must[i]))
            return 0;
    return 1;
}

static double bool_doc_bound(qit *it) { return bool_sum((bool_it *)it, 1); }

static double bool_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    bool_it *bo = (bool_it *)it;
    uint32_t u1, u2;
    double s = sum_bound_at(bo->must, bo->nmust, d, &u1);
    s += sum_bound_at(bo->should, bo->nshould, d, &u2);
    *upto = u1 < u2 ? u1 : u2;
    return s;
}

static void bool_destroy(qit *it)
{
    bool_it *bo = (bool_it *)it;
    qit_free_all(bo->must, bo->nmust);
    qit_free_all(bo->should, bo->nshould);
    qit_free_all(bo->not, bo->nnot);
    qit_free(bo->all);
    qa_drop(bo->mem, bo->must);
    qa_drop(bo->mem, bo->should);
    qa_drop(bo->mem, bo->not);
    qa_drop(bo->mem, bo);
}

static const qit_vt bool_vt = { bool_next, bool_adv, bool_score, bool_destroy, NULL,
                                bool_bound_at, bool_doc_bound, NULL };
static const qit_vt bool_approx_vt = { bool_next, bool_adv, bool_score, bool_destroy, NULL,
                                       bool_bound_at, bool_doc_bound, bool_confirm };

static int cmp_cost(const void *a, const void *b)
{
    const qit *x = *(qit *const *)a, *y = *(qit *const *)b;
    return x->cost < y->cost ? -1 : x->cost > y->cost;
}

static int build(const pnode *n, const qctx *cx, int approx, qit **out);

/* A lazy phrase bonus whose two words are required terms of the same
 * conjunction (built[] so far) reads their cursors: wherever it is asked
 * about, they sit on that document already.  1 and pair[] set if so. */
static int bonus_on_musts(const pnode *n, const pnode *k, qit **built, qit **pair)
{
    if (k->kind != PN_PHRASE || !k->lazy || k->nw != 2)
        return 0;
    for (int j = 0; j < 2; j++) {
        size_t x = k->pair[j];
        if (x >= n->nkids || !built[x] || n->kids[x]->occur != QO_MUST ||
            n->kids[x]->kind != PN_TERM || n->kids[x]->fmask != 3 || n->kids[x]->w->exact)
            return 0;
        pair[j] = built[x];
    }
    return 1;
}

static qit *bool_new(const qctx *cx, const pnode *n, int approx)
{
    bool_it *bo = qa_calloc(cx->mem, 1, sizeof *bo);
    if (!bo)
        return NULL;
    bo->mem = cx->mem;
    bo->cx = cx;
    bo->kdoc = IX_END;
    for (size_t i = 0; i < BOOL_PARTS; i++)
        bo->oth_last[i] = IX_END; /* nothing cached */
    bo->b.vt = &bool_vt;
    bo->need_should = n->need_should;
    size_t k = n->nkids ? n->nkids : 1;
    bo->must = qa_calloc(cx->mem, k, sizeof *bo->must);
    bo->should = qa_calloc(cx->mem, k, sizeof *bo->should);
    bo->not = qa_calloc(cx->mem, k, sizeof *bo->not);
    qit **built = qa_calloc(cx->mem, k, sizeof *built); /* kid -> its iterator */
    if (!bo->must || !bo->should || !bo->not || !built)
        goto oom;
    for (size_t i = 0; i < n->nkids; i++) {
        qit *c, *pair[2];
        qoccur o = n->kids[i]->occur;
        if (bonus_on_musts(n, n->kids[i], built, pair)) {
            if (!(c = phrase_new(cx, n->kids[i], 0, pair)))
                goto oom;
        } else if (build(n->kids[i], cx, approx && o == QO_MUST, &c) != MG_OK) {
            goto oom;
        }
        built[i] = c;
        if (qit_twophase(c))
            bo->b.vt = &bool_approx_vt;
        qit **arr = o == QO_MUST ? bo->must : o == QO_SHOULD ? bo->should : bo->not;
        size_t *cnt = o == QO_MUST ? &bo->nmust : o == QO_SHOULD ? &bo->nshould : &bo->nnot;
        arr[(*cnt)++] = c;
    }
    if (!bo->nmust && !bo->nshould && bo->nnot && !(bo->all = date_new(cx, 0, 0, 1)))
        goto oom;
    qsort(bo->must, bo->nmust, sizeof *bo->must, cmp_cost);
    bo->b.cost = bo->nmust ? bo->must[0]->cost : 0;
    for (size_t i = 0; i < bo->nmust; i++)
        bo->b.ub += bo->must[i]->ub;
    for (size_t i = 0; i < bo->nshould; i++) {
        bo->b.ub += bo->should[i]->ub;
        if (!bo->nmust)
            bo->b.cost += bo->should[i]->cost;
    }
    if (bo->all)
        bo->b.cost = cx->ndocs;
    if (!bo->nmust && !bo->nshould && !bo->all)
        bo->b.doc = IX_END; /* matches nothing */
    else
        bool_find(bo, 0);
    qa_drop(cx->mem, built);
    return &bo->b;
oom:
    qa_drop(cx->mem, built);
    bool_destroy(&bo->b);
    return NULL;
}

/* ---------------------------------------------------------------- build */

static int build(const pnode *n, const qctx *cx, int approx, qit **out)
{
    qit *it = NULL;
    if (!n)
        it = empty_new();
    else
        switch (n->kind) {
        case PN_TERM: it = term_new(cx, n->w, n->fmask, n->boost); break;
        case PN_PHRASE: it = phrase_new(cx, n, approx, NULL); break;
        case PN_NEAR: it = near_new(cx, n, approx); break;
        case PN_BOOL: it = bool_new(cx, n, approx); break;
        case PN_DATE: it = date_new(cx, n->lo, n->hi, 0); break;
        }
    *out = it;
    return it ? MG_OK : MG_ENOMEM;
}

int qit_build(const pnode *n, const qctx *cx, qit **out) { return build(n, cx, 0, out); }
int qit_build_approx(const pnode *n, const qctx *cx, qit **out) { return build(n, cx, 1, out); }

void qit_free(qit *it)
{
    if (it)
        it->vt->destroy(it);
}

void qit_free_all(qit **its, size_t n)
{
    for (size_t i = 0; i < n; i++)
        qit_free(its[i]);
}

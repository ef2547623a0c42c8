/* iter.h — per-segment document iterators built from a plan: terms (with
 * title/body masks and the exact flag), phrases, NEAR, boolean AND
 * (leapfrogging with ix_post_advance), OR, NOT, date ranges.  Every
 * iterator sits on its current document (IX_END when done), moves with
 * next/advance, scores its current document with BM25F and knows an upper
 * bound of its scores in the segment (for MaxScore).
 *
 * Two-phase iteration (qit_build_approx): phrases and NEAR then stop on
 * every document holding all their words (an approximation) and check
 * positions only in qit_confirm, and a conjunction confirms its required
 * clauses; so a top-k loop can first ask qit_doc_bound, a bound of the
 * current document's score computed from frequencies and norms alone, and
 * read positions only for documents that could enter the top k. */
#ifndef MG_QUERY_ITER_H
#define MG_QUERY_ITER_H

#include <stdint.h>
#include "index/index.h"
#include "query/bm25.h"
#include "query/plan.h"

typedef struct qctx {
    const bm25 *m;
    const ix_segment *seg;
    uint32_t segi;          /* its index in the reader */
    uint32_t ndocs;
    const int64_t *dates;   /* the segment's date column */
    const uint8_t *tnorm;   /* its title norms (ndocs) ... */
    const uint8_t *bnorm;   /* ... and body norms (ndocs) */
    struct qarena *mem;     /* where term iterators and MaxScore's arrays
                               go (search.c resets it after the segment's
                               run), or NULL: the heap */
} qctx;

/* An occurrence of a word or phrase: positions [start, end]. */
typedef struct qspan {
    uint32_t start, end;
    uint8_t title;
} qspan;

typedef struct qspans {
    qspan *s;
    uint32_t n, cap;
} qspans;

typedef struct qit qit;
typedef struct qit_vt {
    uint32_t (*next)(qit *);
    uint32_t (*advance)(qit *, uint32_t target);
    double   (*score)(qit *);
    void     (*destroy)(qit *);
    /* TERM / PHRASE only: the current document's occurrences into sp.
     * Returns 0 on success, -1 out of memory. */
    int      (*spans)(qit *, qspans *sp);
    /* A bound of the score of any of its documents in [d, *upto]
     * (block-max: for a term, the block holding the first document >= d;
     * combinations add their parts' bounds over the shortest range); d
     * must not decrease between calls.  NULL: ub over [d, d]. */
    double   (*bound_at)(qit *, uint32_t d, uint32_t *upto);
    /* A bound of the current document's score read without positions;
     * NULL: the score itself is that cheap. */
    double   (*doc_bound)(qit *);
    /* Two-phase only: 1 if the current document really matches (reads
     * positions; call at most once per document, before score).  NULL:
     * every document it stops on matches. */
    int      (*confirm)(qit *);
} qit_vt;

struct qit {
    const qit_vt *vt;
    uint32_t doc;     /* current document or IX_END */
    double ub;        /* no score of this iterator in the segment exceeds it */
    uint64_t cost;    /* documents it may visit */
    int oom;          /* an allocation failed while iterating */
    ix_post *plain;   /* a plain term iterator's cursor (see
                         term_plain_cursor), moved inline by qit_next and
                         qit_advance; NULL for any other iterator */
    /* Set by a top-k loop on the root of a two-phase tree: next/advance
     * may then pass over documents whose score cannot exceed theta (a
     * conjunction checks its rarest part's document against the others'
     * block bounds before aligning them).  lead_seen counts the documents
     * of that part considered, lead_skip those passed over. */
    int prune;
    double theta;
    uint64_t lead_seen, lead_skip;
};

/* Builds the iterator of plan node n (NULL = matches nothing) for segment
 * cx->seg, positioned on its first document.  MG_OK or MG_ENOMEM. */
int  qit_build(const pnode *n, const qctx *cx, qit **out);
/* The same, two-phase: the required parts of n may stop on documents that
 * qit_confirm then rejects (see above).  Scores are those of qit_build. */
int  qit_build_approx(const pnode *n, const qctx *cx, qit **out);
void qit_free(qit *it);
/* qit_free of each of its[0..n). */
void qit_free_all(qit **its, size_t n);

/* A plain term iterator (title and body, not exact) exposes its cursor so
 * MaxScore can walk and score it inline: its documents are the cursor's,
 * its score boost * bm25_tf(m, idf, wt * tf_title + tf_body, K).  Whoever
 * moves the cursor sets it->doc to the cursor's doc.  NULL for any other
 * iterator. */
ix_post *term_plain_cursor(qit *it, double *idf, double *boost);

static inline uint32_t qit_next(qit *it)
{
    return it->plain ? (it->doc = ix_post_next_fast(it->plain)) : it->vt->next(it);
}
static inline uint32_t qit_advance(qit *it, uint32_t t)
{
    if (it->doc >= t)
        return it->doc;
    return it->plain ? (it->doc = ix_post_advance_fast(it->plain, t)) : it->vt->advance(it, t);
}
static inline double qit_score(qit *it) { return it->vt->score(it); }
static inline double qit_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    if (it->vt->bound_at)
        return it->vt->bound_at(it, d, upto);
    *upto = d;
    return it->ub;
}

static inline double qit_doc_bound(qit *it)
{
    return it->vt->doc_bound ? it->vt->doc_bound(it) : it->vt->score(it);
}
/* Whether qit_doc_bound(it) <= theta (theta >= 0), decided more cheaply
 * where it can be (a phrase compares without dividing); never 1 where a
 * document could score above theta. */
int qit_doc_le(qit *it, double theta);
static inline int qit_twophase(const qit *it) { return it->vt->confirm != NULL; }
static inline int qit_confirm(qit *it) { return it->vt->confirm ? it->vt->confirm(it) : 1; }

#endif

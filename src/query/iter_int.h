/* iter_int.h — constructors shared by iter.c and iter_comb.c (private to
 * the query module). */
#ifndef MG_QUERY_ITER_INT_H
#define MG_QUERY_ITER_INT_H

#include "query/iter.h"

int  spans_push(qspans *sp, uint32_t start, uint32_t end, uint8_t title);
qit *empty_new(void);
qit *term_new(const qctx *cx, const pword *w, int fmask, double boost);
/* approx: two-phase (positions checked by confirm, see iter.h).  shared:
 * NULL, or term iterators (fmask 3, not exact) of n's words to use
 * instead of opening its own, left to their owner. */
qit *phrase_new(const qctx *cx, const pnode *n, int approx, qit **shared);
/* A document's K (bm25_norm of its two norm bytes; d < cx->ndocs). */
static inline double qit_doc_K(const qctx *cx, uint32_t d)
{
    return bm25_norm(cx->m, cx->tnorm[d], cx->bnorm[d]);
}
/* Starts loading document d's two norm bytes (a hint; d < cx->ndocs). */
static inline void qit_prefetch_norms(const qctx *cx, uint32_t d)
{
    __builtin_prefetch(cx->tnorm + d);
    __builtin_prefetch(cx->bnorm + d);
}
/* qit_score and qit_doc_bound at the current document, and a bound at
 * document d not yet reached (see iter.c), given that document's K: terms
 * and phrases use it instead of reading the norms again (the same value,
 * so the same results); other iterators ignore it. */
double qit_score_k(qit *it, double K);
double qit_doc_bound_k(qit *it, double K);
double qit_bound_doc(qit *it, uint32_t d, double K);
int qit_bound_parts(qit *it, uint32_t d, double *a, double *tf, uint32_t *last);
/* A bound over every document (for iterators without a better one). */
double flat_bound_at(qit *it, uint32_t d, uint32_t *upto);
void term_list_bound(const qit *it, ix_bound *bd);

#endif

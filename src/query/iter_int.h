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
double qit_bound_doc(qit *it, uint32_t d);
/* A bound over every document (for iterators without a better one). */
double flat_bound_at(qit *it, uint32_t d, uint32_t *upto);
void term_list_bound(const qit *it, ix_bound *bd);

#endif

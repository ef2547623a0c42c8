/* iter_int.h — constructors shared by iter.c and iter_comb.c (private to
 * the query module). */
#ifndef MG_QUERY_ITER_INT_H
#define MG_QUERY_ITER_INT_H

#include "query/iter.h"

int  spans_push(qspans *sp, uint32_t start, uint32_t end, uint8_t title);
qit *empty_new(void);
qit *term_new(const qctx *cx, const pword *w, int fmask, double boost);
qit *phrase_new(const qctx *cx, const pnode *n);
void term_list_bound(const qit *it, ix_bound *bd);

#endif

/* xsnip.h — the snippet units (query/snippet.h) of a query the Xapian
 * backend runs, so its snippets mark what morgue's own do: a phrase only
 * where its words stand together, as one span; a NEAR operand only near
 * the others; word* by its prefix; =word by its exact form; nothing from
 * excluded clauses.  Each unit weighs its idf over the Xapian database, as
 * the plan's units weigh theirs over a morgue index. */
#ifndef MG_XAPIAN_XSNIP_H
#define MG_XAPIAN_XSNIP_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analyzer.h"
#include "query/arena.h"
#include "query/snippet.h"

/* All zero is empty (xsnip_free gives the memory back). */
typedef struct xsnip {
    snip_query q;          /* the units so far (q.u, q.nu) */
    snip_unit *u;
    size_t cap;
    qarena a;              /* the units' words, and the strings they name */
    int oom;
    /* what the clauses being translated are in */
    int neg;               /* > 0: under an excluded clause */
    uint32_t near_id, near_op, near_dist, nnear;
} xsnip;

/* Adds the tokens t[0..n) of one word or phrase as a unit of weight w:
 * stems, or exact (raw) forms when exact, the last one a prefix when
 * prefix.  The tokens' strings are referenced, not copied: they must live
 * as long as s (copy them into s->a).  Nothing when excluded or n is 0.
 * Out of memory sets s->oom. */
void xsnip_add(xsnip *s, const token *t, size_t n, int exact, int prefix, double w);

/* The units, for snippet_query (NULL when there is none). */
const snip_query *xsnip_query(const xsnip *s);

void xsnip_free(xsnip *s);

#endif

/* snippet.h — the best short window of a text for a query, with what
 * matched highlighted.  The text is re-analyzed with the index's analyzer
 * (token positions and byte offsets); a query's units are matched on it:
 * a term wherever it occurs, a phrase only where its words stand at
 * consecutive positions (highlighted as one span), a NEAR operand only
 * where the other operands are within the window.  The window of at most
 * `want` bytes with the most matched weight (idf: distinct units in full,
 * repeats a little) is widened to `want` bytes, cut at word boundaries (so
 * never inside a UTF-8 sequence), matches wrapped in pre/post markers,
 * control characters shown as spaces, and "..." where the text was cut. */
#ifndef MG_QUERY_SNIPPET_H
#define MG_QUERY_SNIPPET_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/analyzer.h"

/* Only the first SNIPPET_SCAN_MAX bytes of a text are searched for matches. */
#define SNIPPET_SCAN_MAX (1u << 20)
/* Words a query may hold for snippets; units with later words are ignored. */
#define SNIPPET_WORDS_MAX 64

typedef enum snip_kind {
    SNIP_STEM,    /* the token's stemmed form equals s */
    SNIP_RAW,     /* its folded unstemmed form equals s (=word) */
    SNIP_PREFIX   /* its folded unstemmed form starts with s (word*) */
} snip_kind;

typedef struct snip_word {
    snip_kind kind;
    const char *s;
    uint32_t len;
    uint32_t off;      /* position offset from the unit's first word */
} snip_word;

/* A term (nw 1) or a phrase (nw > 1) of the query. */
typedef struct snip_unit {
    const snip_word *w;
    size_t nw;
    double weight;     /* its idf (a phrase: the sum of its words') */
    uint32_t near;     /* 0: free; else the id of the NEAR it is an operand of */
    uint32_t op;       /* NEAR: which operand (units of one operand are ORed) */
    uint32_t dist;     /* NEAR: at most dist other words between operands */
} snip_unit;

typedef struct snip_query {
    const snip_unit *u;
    size_t nu;
} snip_query;

/* Returns a malloc'd NUL-terminated snippet ("" for an empty text), or NULL
 * when out of memory.  want == 0 gives "".  q may be NULL (no matches: the
 * start of the text). */
char *snippet_query(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                    const char *post, const snip_query *q);

/* Says whether a token of the text matches the query (nonzero = yes). */
typedef int (*snip_match_fn)(void *ctx, const token *t);

/* Like snippet_query, each token for which match says yes being a term of
 * weight 1 (distinct by its stemmed form). */
char *snippet_make(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                   const char *post, snip_match_fn match, void *ctx);

#endif

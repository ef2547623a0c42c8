/* snippet.h — the best short window of a text for a query: the window of at
 * most `want` bytes holding the most distinct matched words (then the most
 * matches), widened to `want` bytes, cut at word boundaries (so never inside
 * a UTF-8 sequence), with matches wrapped in pre/post markers, control
 * characters shown as spaces, and "..." where the text was cut. */
#ifndef MG_QUERY_SNIPPET_H
#define MG_QUERY_SNIPPET_H

#include <stddef.h>
#include "analysis/analyzer.h"

/* Says whether a token of the text matches the query (nonzero = yes). */
typedef int (*snip_match_fn)(void *ctx, const token *t);

/* Only the first SNIPPET_SCAN_MAX bytes of a text are searched for matches. */
#define SNIPPET_SCAN_MAX (1u << 20)

/* Returns a malloc'd NUL-terminated snippet ("" for an empty text), or NULL
 * when out of memory.  want == 0 gives "". */
char *snippet_make(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                   const char *post, snip_match_fn match, void *ctx);

#endif

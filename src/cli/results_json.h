/* results_json.h — search results and articles as JSON text, shared by
 * `morgue search --json`, `morgue get --json` and the HTTP server.
 *
 * Results object:
 *   {"query": "...", "total": N, "total_is_estimate": false, "offset": N,
 *    "hits": [{"id", "score", "title", "date", "url", "source", "section",
 *              "author", "snippet"}]}
 * "date" is ISO 8601 UTC ("1987-02-26T15:01:01Z") or null; absent strings
 * are null.  "snippet" is HTML: the text is escaped (&amp; &lt; &gt; &quot;)
 * and each match is wrapped in <b></b>.  For that the search must be run
 * with the markers RJ_HL_PRE/RJ_HL_POST (results_json_prepare sets them);
 * the snippet builder shows control characters of the text as spaces, so
 * the markers cannot be confused with text. */
#ifndef MG_CLI_RESULTS_JSON_H
#define MG_CLI_RESULTS_JSON_H

#include <jansson.h>
#include "morgue.h"

#define RJ_HL_PRE  "\x01"
#define RJ_HL_POST "\x02"

/* Sets the highlight markers in o to RJ_HL_PRE/RJ_HL_POST. */
void results_json_prepare(mg_search_options *o);

/* The results as one JSON object (malloc'd, NUL-terminated, no newline at
 * the end), or NULL when out of memory.  offset is echoed as given. */
char *results_to_json(const char *query, const mg_results *r, size_t offset);

/* The same for a page of hits held elsewhere (the Xapian backend's):
 * hit(r, i) for i < n, with its total and whether that is an estimate. */
typedef const mg_hit *(*rj_hit_fn)(const void *r, size_t i);
char *results_page_to_json(const char *query, const void *r, size_t n, rj_hit_fn hit,
                           uint64_t total, int estimate, size_t offset);

/* An article as a JSON object {"id","title","date","url","source",
 * "section","author","body"} (malloc'd), or NULL when out of memory. */
char *article_to_json(const mg_article *a);

/* Rewrites a snippet made with RJ_HL_* markers for display: each marker is
 * replaced by pre/post and the text is copied as is (malloc'd). */
char *snippet_mark(const char *snippet, const char *pre, const char *post);

/* Helpers: a JSON string that is valid UTF-8 whatever s holds (null for
 * NULL); an ISO 8601 date or null; set a key, -1 if v is NULL (no
 * memory); dump compactly and free root (NULL when bad is set). */
json_t *rj_string(const char *s);
json_t *rj_date(int64_t t);
int     rj_set(json_t *obj, const char *key, json_t *v);
char   *rj_dump(json_t *root, int bad);

#endif

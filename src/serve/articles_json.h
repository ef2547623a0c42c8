/* articles_json.h — index statistics as JSON for `morgue serve`, and the
 * JSON Lines request body of POST /articles. */
#ifndef MG_SERVE_ARTICLES_JSON_H
#define MG_SERVE_ARTICLES_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "morgue.h"

/* Every field of mg_stats. */
json_t *aj_stats(const mg_stats *st);

/* Adds the articles of a JSON Lines body to the writable index ix, read
 * by the ingest module exactly as `morgue index` reads a .jsonl file (same
 * field aliases, dates and UTF-8 repair), except that every article must
 * carry its own id.  Does not commit.  Returns MG_OK with *added set; on a
 * bad line MG_EINVAL, or the code of a failed mg_index_add, with err
 * naming the line.  The caller then rolls back. */
int aj_add_lines(mg_index *ix, const char *body, size_t len, size_t *added, char *err,
                 size_t errlen);

#endif

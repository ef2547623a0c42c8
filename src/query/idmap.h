/* idmap.h — an in-memory map from (segment, docid) to the article's external
 * id for one reader snapshot, built from the index's "Q<id>" terms.  It lets
 * a search that asks only for ids skip decompressing a stored block per hit
 * (~40 us each).  Memory: the ids plus 4 bytes per document; building it
 * walks every Q term once (milliseconds per 100k articles). */
#ifndef MG_QUERY_IDMAP_H
#define MG_QUERY_IDMAP_H

#include <stdint.h>
#include "index/index.h"

typedef struct idmap idmap;

/* Builds the map for r.  MG_OK or MG_ENOMEM. */
int idmap_build(const ix_reader *r, idmap **out);
void idmap_free(idmap *m);
/* The id of doc in segment seg (NUL-terminated, owned by m), or NULL. */
const char *idmap_get(const idmap *m, uint32_t seg, uint32_t doc);

#endif

/* strmap.h — a hash map from byte strings to uint32_t values, open
 * addressing with linear probing.  Keys are copied into the map's own arena,
 * so lookups return a stable pointer to the stored key as well.  Used for
 * the indexer's in-memory vocabulary and the analyzer's stem cache. */
#ifndef MG_UTIL_STRMAP_H
#define MG_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

strmap *strmap_new(void);
void    strmap_free(strmap *m);
void    strmap_clear(strmap *m);   /* empties the map, keeps its memory */
size_t  strmap_count(const strmap *m);
size_t  strmap_bytes(const strmap *m);  /* memory held, for RAM budgets */

/* Finds key; on a hit stores its value in *val and returns 1, else 0. */
int strmap_get(const strmap *m, const void *key, size_t len, uint32_t *val);

/* Finds or inserts key.  Returns a pointer to the value slot (set to `init`
 * when inserted; *inserted says which), or NULL when out of memory.  The
 * pointer is valid until the next insertion. */
uint32_t *strmap_upsert(strmap *m, const void *key, size_t len, uint32_t init,
                        int *inserted);

/* Iteration in unspecified order: i from 0 while strmap_at returns 1. */
int strmap_at(const strmap *m, size_t *i, const char **key, size_t *len, uint32_t *val);

/* A fast 64-bit hash of bytes (used by the map; exported for others). */
uint64_t hash_bytes(const void *p, size_t n);

#endif

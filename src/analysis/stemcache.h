/* stemcache.h — a bounded cache from a word as the tokenizer copied it to
 * its folded form and its stem.  News vocabulary is Zipfian, so a few
 * thousand entries answer almost every token and the stemmer and utf8proc
 * run once per distinct word.  Memory is bounded: when the table reaches its
 * entry limit (or its arena its byte limit) it is emptied and refills with
 * the words in use, which for a Zipfian stream costs little. */
#ifndef MG_ANALYSIS_STEMCACHE_H
#define MG_ANALYSIS_STEMCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct stemcache stemcache;

/* Longest key, folded form or stem the cache stores, in bytes. */
#define STEMCACHE_MAX_LEN 255

#define STEMCACHE_DEFAULT_ENTRIES (1u << 17)

/* A cache holding at most max_entries words (clamped to 16..2^24) and
 * about 32 bytes of text per entry; NULL when out of memory. */
stemcache *stemcache_new(size_t max_entries);
void stemcache_free(stemcache *c);

/* Looks key up (h = stemcache_hash(key, klen)).  On a hit returns 1 and
 * points raw/term into the cache, valid until the next stemcache_put. */
int stemcache_get(stemcache *c, const void *key, size_t klen, uint64_t h,
                  const uint8_t **raw, size_t *rlen, const uint8_t **term, size_t *tlen);

/* Stores key -> (raw, term), copying the bytes; key must not be present
 * (put after a failed get).  Lengths above
 * STEMCACHE_MAX_LEN, or running out of memory, store nothing. */
void stemcache_put(stemcache *c, const void *key, size_t klen, uint64_t h,
                   const void *raw, size_t rlen, const void *term, size_t tlen);

uint64_t stemcache_hash(const void *key, size_t klen);

typedef struct stemcache_stats {
    uint64_t hits, misses;  /* stemcache_get answers */
    uint64_t resets;        /* times the full cache was emptied */
    size_t entries;         /* words held now */
    size_t bytes;           /* memory held now */
} stemcache_stats;

void stemcache_get_stats(const stemcache *c, stemcache_stats *s);

#endif

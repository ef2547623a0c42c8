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
#include <string.h>

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

/* The hash the cache uses; keys of up to 16 bytes are hashed from their
 * bytes as two little-endian words (stemcache_hash16), longer ones with
 * util/strmap.h's hash_bytes. */
uint64_t stemcache_hash(const void *key, size_t klen);

/* Loads a key of at most 16 bytes as two words, zero-padded; reads 16
 * bytes from key, so the buffer must have them (only klen are used). */
static inline void stemcache_load16(const uint8_t *key, size_t klen, uint64_t *k0, uint64_t *k1)
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    if (klen < 8) {
        a &= klen ? ~0ULL >> (64 - 8 * klen) : 0;
        b = 0;
    } else if (klen < 16) {
        b &= klen > 8 ? ~0ULL >> (64 - 8 * (klen - 8)) : 0;
    }
    *k0 = a;
    *k1 = b;
}

static inline uint64_t stemcache_hash16(uint64_t k0, uint64_t k1, size_t klen)
{
    uint64_t h = k0 * 0x9E3779B97F4A7C15ULL;
    h ^= (k1 * 0xC2B2AE3D27D4EB4FULL) >> 7 ^ klen;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ h >> 32;
}

typedef struct stemcache_stats {
    uint64_t hits, misses;  /* stemcache_get answers */
    uint64_t resets;        /* times the full cache was emptied */
    size_t entries;         /* words held now */
    size_t bytes;           /* memory held now */
} stemcache_stats;

void stemcache_get_stats(const stemcache *c, stemcache_stats *s);

#endif

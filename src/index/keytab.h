/* keytab.h — the inverter's word cache: a hash table from a word as the
 * tokenizer copied it (analyzer token key + key flags) to the ids of its
 * stem term and of its R term, so a repeated word costs one probe instead
 * of folding, stemming and two vocabulary lookups.  Open addressing with
 * linear probing; keys of up to 16 bytes live in the slot (compared as two
 * 64-bit words), longer ones (up to KEYTAB_MAX_LEN) in an arena.
 *
 * The table outgrows the CPU caches (~10^5 words, 32 bytes a slot at most
 * 3/4 full), so a "hot" copy of the slots last used sits in front of it:
 * 2-way set associative, most recently used first, one 64-byte line a set,
 * 256 KB, so that it stays in L2; news vocabulary is Zipfian and it answers
 * most tokens. */
#ifndef MG_INDEX_KEYTAB_H
#define MG_INDEX_KEYTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analysis/tokenizer.h" /* tokenizer_key16: a key's first 16 bytes */
#include "util/strmap.h"         /* hash_bytes */

/* Longest key the table holds; longer words are not cached. */
#define KEYTAB_MAX_LEN 255

typedef struct keytab_slot {
    uint64_t k0, k1;   /* the key's first 16 bytes, zero-padded */
    uint32_t meta;     /* 0 = empty, else 1 + len | flags << 16 */
    uint32_t more;     /* offset in the arena of bytes 16.. (len > 16) */
    uint32_t a, b;     /* the values */
} keytab_slot;

#define KEYTAB_HOT_BITS 13  /* hot slots: 2^13, in sets of 2 */
/* The hot copy is made when the table grows past this many slots (so small
 * RAM budgets and small segments never pay its 256 KB). */
#define KEYTAB_HOT_AFTER (1u << 15)

typedef struct keytab {
    keytab_slot *hot;  /* 1 << KEYTAB_HOT_BITS, made with the first slots */
    keytab_slot *slot;
    size_t mask;       /* slots - 1 (0 before the first insertion) */
    unsigned shift;    /* 64 - log2(slots): a hash's slot is h >> shift */
    size_t count;
    uint8_t *arena;    /* tails of long keys */
    size_t alen, acap;
} keytab;

void keytab_init(keytab *t);
void keytab_free(keytab *t);
void keytab_clear(keytab *t);   /* empties the table, keeps its memory */
size_t keytab_bytes(const keytab *t);


/* Inserts (key, len, flags) -> (a, b); the key must not be present.
 * 0, or -1 when out of memory (nothing inserted). */
int keytab_put(keytab *t, const void *key, size_t len, uint32_t flags, uint32_t a, uint32_t b);

/* ---- lookup (inline: it runs once per token) ---- */

/* The hash of a key: its two first words multiplied (Fibonacci hashing:
 * the table and its hot copy take the product's top bits), the length and
 * flags folded into the first, the tail of a longer key hashed apart. */
static inline uint64_t keytab_hash(uint64_t k0, uint64_t k1, uint32_t meta, const uint8_t *key,
                                   size_t len)
{
    uint64_t h = (k0 ^ meta) * 0x9E3779B97F4A7C15ULL ^ k1 * 0xC2B2AE3D27D4EB4FULL;
    if (len > 16)
        h ^= hash_bytes(key + 16, len - 16) * 0x94D049BB133111EBULL;
    return h;
}

/* keytab_get_k of a key longer than 16 bytes (out of line: rare). */
const keytab_slot *keytab_get_long(keytab *t, uint64_t k0, uint64_t k1, const void *key, size_t len,
                                   uint32_t flags);

/* What a probe of a key of up to 16 bytes reads of the table; a caller
 * that probes in a loop keeps it in registers and takes it again after an
 * insertion (keytab_view). */
typedef struct keytab_view {
    keytab_slot *hot, *slot;
    size_t mask;
    unsigned shift;
} keytab_view;

static inline keytab_view keytab_view_of(const keytab *t)
{
    keytab_view w = { t->hot, t->slot, t->mask, t->shift };
    return w;
}

/* The probe every lookup makes: the hot set first (a hit on its second
 * slot moves it to the front), then the table from h's top bits, copying
 * a table hit to the front of its hot set.  A slot matches when its two
 * words and meta do and, for a key longer than 16 bytes (tail_len > 0),
 * its bytes from 16 on equal tail's in arena; with tail_len a constant 0,
 * the compiler leaves that comparison out. */
static inline __attribute__((always_inline)) const keytab_slot *
keytab_probe(keytab_view t, uint64_t h, uint64_t k0, uint64_t k1, uint32_t meta, const uint8_t *arena,
             const uint8_t *tail, size_t tail_len)
{
#define KEYTAB_SAME(s)                                                                  \
    ((s)->k0 == k0 && (s)->k1 == k1 && (s)->meta == meta &&                             \
     (tail_len == 0 || memcmp(arena + (s)->more, tail, tail_len) == 0))
    keytab_slot *e = NULL;
    if (t.hot) {
        e = &t.hot[(h >> (64 - KEYTAB_HOT_BITS)) & ~(uint64_t)1];
        if (KEYTAB_SAME(&e[0]))
            return &e[0];
        if (KEYTAB_SAME(&e[1])) {
            keytab_slot x = e[1];
            e[1] = e[0];
            e[0] = x;
            return &e[0];
        }
    }
    for (size_t i = h >> t.shift;; i = (i + 1) & t.mask) {
        const keytab_slot *s = &t.slot[i];
        if (KEYTAB_SAME(s)) {
            if (!e)
                return s;
            e[1] = e[0];
            e[0] = *s;
            return &e[0];
        }
        if (!s->meta)
            return NULL;
    }
#undef KEYTAB_SAME
}

/* keytab_get_k of a key of up to 16 bytes through a view of the table. */
static inline __attribute__((always_inline)) const keytab_slot *keytab_get16(keytab_view t, uint64_t k0,
                                                                             uint64_t k1, size_t len,
                                                                             uint32_t flags)
{
    if (!t.mask)
        return NULL;
    uint32_t meta = (uint32_t)(len + 1) | flags << 16;
    return keytab_probe(t, keytab_hash(k0, k1, meta, NULL, 0), k0, k1, meta, NULL, NULL, 0);
}

/* The slot of (key, len, flags), or NULL, where k0 and k1 are the key's
 * first 16 bytes zero-padded (tokenizer_key16); key must have 16 readable
 * bytes (only len are used); len <= KEYTAB_MAX_LEN.  The pointer is valid
 * until the next call.  A key of up to 16 bytes is its two words: no
 * memcmp (whose call would make the caller save its registers). */
static inline __attribute__((always_inline)) const keytab_slot *keytab_get_k(keytab *t, uint64_t k0,
                                                                             uint64_t k1,
                                                                             const void *key,
                                                                             size_t len,
                                                                             uint32_t flags)
{
    if (len > 16)
        return keytab_get_long(t, k0, k1, key, len, flags);
    return keytab_get16(keytab_view_of(t), k0, k1, len, flags);
}

/* keytab_get_k of a key given by its bytes. */
static inline const keytab_slot *keytab_get(keytab *t, const void *key, size_t len,
                                            uint32_t flags)
{
    uint64_t k0, k1;
    tokenizer_key16(key, len, &k0, &k1);
    return keytab_get_k(t, k0, k1, key, len, flags);
}

#endif

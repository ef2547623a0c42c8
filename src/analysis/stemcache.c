/* stemcache.c — see stemcache.h.  Open addressing with linear probing over
 * 8-byte slots (32 hash bits + arena offset, 0 = empty); entries live in one
 * arena as [klen u8][rlen u8][tlen u8][key][raw][term].  The table starts
 * small and doubles up to twice the entry limit. */
#include "analysis/stemcache.h"

#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"

typedef struct slot {
    uint32_t hash;   /* high 32 bits of the 64-bit hash */
    uint32_t off;    /* entry offset in the arena; 0 = empty slot */
} slot;

struct stemcache {
    slot *slots;
    size_t mask;         /* slot count - 1 */
    size_t count;        /* entries */
    size_t max_entries;
    uint8_t *arena;      /* byte 0 unused so that offset 0 means empty */
    size_t arena_len, arena_cap, arena_max;
    uint64_t hits, misses, resets;
};

uint64_t stemcache_hash(const void *key, size_t klen)
{
    if (klen > 16)
        return hash_bytes(key, klen);
    uint8_t b[16] = { 0 };
    uint64_t k0, k1;
    memcpy(b, key, klen);
    stemcache_load16(b, klen, &k0, &k1);
    return stemcache_hash16(k0, k1, klen);
}

stemcache *stemcache_new(size_t max_entries)
{
    if (max_entries < 16)
        max_entries = 16;
    if (max_entries > (1u << 24))
        max_entries = 1u << 24;  /* keeps arena offsets within 32 bits */
    stemcache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->max_entries = max_entries;
    c->arena_max = max_entries * 32;  /* ~23 bytes an entry on news text */
    c->mask = 1023;
    while ((c->mask + 1) / 2 > max_entries)
        c->mask >>= 1;
    c->slots = calloc(c->mask + 1, sizeof *c->slots);
    c->arena_cap = 4096;
    c->arena = malloc(c->arena_cap);
    c->arena_len = 1;
    if (!c->slots || !c->arena) {
        stemcache_free(c);
        return NULL;
    }
    return c;
}

void stemcache_free(stemcache *c)
{
    if (!c)
        return;
    free(c->slots);
    free(c->arena);
    free(c);
}

static void cache_reset(stemcache *c)
{
    memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
    c->count = 0;
    c->arena_len = 1;
    c->resets++;
}

int stemcache_get(stemcache *c, const void *key, size_t klen, uint64_t h,
                  const uint8_t **raw, size_t *rlen, const uint8_t **term, size_t *tlen)
{
    uint32_t h32 = (uint32_t)(h >> 32);
    for (size_t i = h & c->mask;; i = (i + 1) & c->mask) {
        const slot *s = &c->slots[i];
        if (!s->off)
            break;
        if (s->hash != h32)
            continue;
        const uint8_t *e = c->arena + s->off;
        if (e[0] != klen || memcmp(e + 3, key, klen) != 0)
            continue;
        *raw = e + 3 + klen;
        *rlen = e[1];
        *term = *raw + e[1];
        *tlen = e[2];
        c->hits++;
        return 1;
    }
    c->misses++;
    return 0;
}

static int grow_slots(stemcache *c)
{
    size_t ncap = (c->mask + 1) * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= c->mask; i++) {
        slot s = c->slots[i];
        if (!s.off)
            continue;
        const uint8_t *e = c->arena + s.off;
        size_t j = stemcache_hash(e + 3, e[0]) & (ncap - 1);
        while (ns[j].off)
            j = (j + 1) & (ncap - 1);
        ns[j] = s;
    }
    free(c->slots);
    c->slots = ns;
    c->mask = ncap - 1;
    return 0;
}

static int arena_reserve(stemcache *c, size_t need)
{
    if (c->arena_len + need <= c->arena_cap)
        return 0;
    size_t cap = c->arena_cap * 2;
    while (cap < c->arena_len + need)
        cap *= 2;
    uint8_t *a = realloc(c->arena, cap);
    if (!a)
        return -1;
    c->arena = a;
    c->arena_cap = cap;
    return 0;
}

void stemcache_put(stemcache *c, const void *key, size_t klen, uint64_t h,
                   const void *raw, size_t rlen, const void *term, size_t tlen)
{
    if (klen > STEMCACHE_MAX_LEN || rlen > STEMCACHE_MAX_LEN || tlen > STEMCACHE_MAX_LEN)
        return;
    size_t need = 3 + klen + rlen + tlen;
    if (c->count >= c->max_entries || c->arena_len + need > c->arena_max)
        cache_reset(c);
    if ((c->count + 1) * 2 > c->mask + 1 && grow_slots(c))
        return;
    if (arena_reserve(c, need))
        return;
    size_t i = h & c->mask;
    while (c->slots[i].off)
        i = (i + 1) & c->mask;
    uint8_t *e = c->arena + c->arena_len;
    e[0] = (uint8_t)klen;
    e[1] = (uint8_t)rlen;
    e[2] = (uint8_t)tlen;
    memcpy(e + 3, key, klen);
    if (rlen)
        memcpy(e + 3 + klen, raw, rlen);
    if (tlen)
        memcpy(e + 3 + klen + rlen, term, tlen);
    c->slots[i].hash = (uint32_t)(h >> 32);
    c->slots[i].off = (uint32_t)c->arena_len;
    c->arena_len += need;
    c->count++;
}

void stemcache_get_stats(const stemcache *c, stemcache_stats *s)
{
    s->hits = c->hits;
    s->misses = c->misses;
    s->resets = c->resets;
    s->entries = c->count;
    s->bytes = sizeof *c + (c->mask + 1) * sizeof(slot) + c->arena_cap;
}

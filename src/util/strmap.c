/* strmap.c — see strmap.h.  Slots hold (hash, key offset, key length,
 * value); keys live in one growing arena, so the map is two allocations. */
#include "util/strmap.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint64_t hash;   /* 0 marks an empty slot (real hashes are forced odd) */
    uint32_t off;    /* key offset in the arena */
    uint32_t len;    /* key length */
    uint32_t val;
} slot;

struct strmap {
    slot   *slots;
    size_t  mask;    /* capacity - 1 (capacity a power of two) */
    size_t  count;
    char   *arena;
    size_t  arena_len, arena_cap;
};

uint64_t hash_bytes(const void *p, size_t n)
{
    /* FNV-1a over 8-byte words, then a final avalanche (splitmix64). */
    const uint8_t *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h | 1;
}

strmap *strmap_new(void)
{
    strmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->mask = 255;
    m->slots = calloc(m->mask + 1, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->arena);
    free(m);
}

void strmap_clear(strmap *m)
{
    memset(m->slots, 0, (m->mask + 1) * sizeof *m->slots);
    m->count = 0;
    m->arena_len = 0;
}

size_t strmap_count(const strmap *m) { return m->count; }

size_t strmap_bytes(const strmap *m)
{
    return (m->mask + 1) * sizeof(slot) + m->arena_cap + sizeof *m;
}

static slot *find(const strmap *m, const void *key, size_t len, uint64_t h)
{
    size_t i = h & m->mask;
    for (;;) {
        slot *s = &m->slots[i];
        if (s->hash == 0)
            return s;
        if (s->hash == h && s->len == len && memcmp(m->arena + s->off, key, len) == 0)
            return s;
        i = (i + 1) & m->mask;
    }
}

int strmap_get(const strmap *m, const void *key, size_t len, uint32_t *val)
{
    slot *s = find(m, key, len, hash_bytes(key, len));
    if (s->hash == 0)
        return 0;
    *val = s->val;
    return 1;
}

static int grow(strmap *m)
{
    size_t ncap = (m->mask + 1) * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i <= m->mask; i++) {
        slot *s = &m->slots[i];
        if (!s->hash)
            continue;
        size_t j = s->hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->mask = ncap - 1;
    return 0;
}

uint32_t *strmap_upsert(strmap *m, const void *key, size_t len, uint32_t init,
                        int *inserted)
{
    uint64_t h = hash_bytes(key, len);
    slot *s = find(m, key, len, h);
    if (s->hash) {
        if (inserted)
            *inserted = 0;
        return &s->val;
    }
    if (len > UINT32_MAX || m->arena_len + len > UINT32_MAX)
        return NULL;
    if (m->arena_len + len > m->arena_cap) {
        size_t cap = m->arena_cap ? m->arena_cap : 4096;
        while (cap < m->arena_len + len)
            cap *= 2;
        char *a = realloc(m->arena, cap);
        if (!a)
            return NULL;
        m->arena = a;
        m->arena_cap = cap;
    }
    if ((m->count + 1) * 4 > (m->mask + 1) * 3) {
        if (grow(m))
            return NULL;
        s = find(m, key, len, h);
    }
    memcpy(m->arena + m->arena_len, key, len);
    s->hash = h;
    s->off = (uint32_t)m->arena_len;
    s->len = (uint32_t)len;
    s->val = init;
    m->arena_len += len;
    m->count++;
    if (inserted)
        *inserted = 1;
    return &s->val;
}

int strmap_at(const strmap *m, size_t *i, const char **key, size_t *len, uint32_t *val)
{
    while (*i <= m->mask) {
        slot *s = &m->slots[(*i)++];
        if (!s->hash)
            continue;
        *key = m->arena + s->off;
        *len = s->len;
        *val = s->val;
        return 1;
    }
    return 0;
}

/* keytab.c — see keytab.h: insertion, growth and memory of the word cache. */
#include "index/keytab.h"

#include <stdlib.h>

void keytab_init(keytab *t) { memset(t, 0, sizeof *t); }

void keytab_free(keytab *t)
{
    free(t->hot);
    free(t->slot);
    free(t->arena);
    memset(t, 0, sizeof *t);
}

void keytab_clear(keytab *t)
{
    if (t->slot)
        memset(t->slot, 0, (t->mask + 1) * sizeof *t->slot);
    if (t->hot)
        memset(t->hot, 0, sizeof *t->hot << KEYTAB_HOT_BITS);
    t->count = 0;
    t->alen = 0;
}

size_t keytab_bytes(const keytab *t)
{
    return (t->slot ? (t->mask + 1) * sizeof *t->slot : 0) + t->acap +
           (t->hot ? sizeof *t->hot << KEYTAB_HOT_BITS : 0);
}

/* The hash of a stored slot (its tail read back from the arena). */
static uint64_t keytab_slot_hash(const keytab *t, const keytab_slot *s)
{
    size_t len = (s->meta & 0xFFFF) - 1;
    uint8_t key[KEYTAB_MAX_LEN + 16];
    memcpy(key, &s->k0, 8);
    memcpy(key + 8, &s->k1, 8);
    if (len > 16)
        memcpy(key + 16, t->arena + s->more, len - 16);
    return keytab_hash(s->k0, s->k1, s->meta, key, len);
}

/* Doubles the slot array (or makes the first), rehashing every slot. */
static int keytab_grow(keytab *t)
{
    size_t n = t->mask ? 2 * (t->mask + 1) : 256;
    unsigned shift = t->mask ? t->shift - 1 : 64 - 8;
    if (!t->hot && n >= KEYTAB_HOT_AFTER) {
        t->hot = aligned_alloc(64, sizeof *t->hot << KEYTAB_HOT_BITS);
        if (!t->hot)
            return -1;
        memset(t->hot, 0, sizeof *t->hot << KEYTAB_HOT_BITS);
    }
    keytab_slot *slot = calloc(n, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; t->mask && i <= t->mask; i++) {
        const keytab_slot *s = &t->slot[i];
        if (!s->meta)
            continue;
        size_t j = keytab_slot_hash(t, s) >> shift;
        while (slot[j].meta)
            j = (j + 1) & (n - 1);
        slot[j] = *s;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = n - 1;
    t->shift = shift;
    return 0;
}

int keytab_put(keytab *t, const void *key, size_t len, uint32_t flags, uint32_t a, uint32_t b)
{
    if (len > KEYTAB_MAX_LEN)
        return -1;
    /* at most 3/4 full: at 1/2, Reuters' 68k words took 8 MB of slots
     * instead of 4 (more page faults and cache misses than the longer
     * probes cost; README.md, ixcpu round) */
    if ((t->count + 1) * 4 > (t->mask + 1) * 3 && keytab_grow(t) != 0)
        return -1;
    const uint8_t *k = key;
    keytab_slot s = { 0, 0, (uint32_t)(len + 1) | flags << 16, 0, a, b };
    tokenizer_key16(k, len, &s.k0, &s.k1);
    if (len > 16) {
        size_t need = len - 16;
        if (t->alen + need > t->acap) {
            size_t cap = t->acap ? 2 * t->acap : 4096;
            while (cap < t->alen + need)
                cap *= 2;
            if (cap > UINT32_MAX)
                return -1;
            uint8_t *p = realloc(t->arena, cap);
            if (!p)
                return -1;
            t->arena = p;
            t->acap = cap;
        }
        memcpy(t->arena + t->alen, k + 16, need);
        s.more = (uint32_t)t->alen;
        t->alen += need;
    }
    size_t i = keytab_hash(s.k0, s.k1, s.meta, k, len) >> t->shift;
    while (t->slot[i].meta)
        i = (i + 1) & t->mask;
    t->slot[i] = s;
    t->count++;
    return 0;
}

const keytab_slot *keytab_get_long(keytab *t, uint64_t k0, uint64_t k1, const void *key, size_t len,
                                   uint32_t flags)
{
    if (!t->mask)
        return NULL;
    const uint8_t *k = key;
    uint32_t meta = (uint32_t)(len + 1) | flags << 16;
    return keytab_probe(keytab_view_of(t), keytab_hash(k0, k1, meta, k, len), k0, k1, meta, t->arena,
                        k + 16, len - 16);
}

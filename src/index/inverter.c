/* inverter.c — see inverter.h.  Each term owns two growing buffers already
 * in the on-disk varint shapes: a flush only sorts the vocabulary and
 * re-blocks the document entries; position bytes are copied as they are. */
#include "index/inverter.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/tokenizer.h"
#include "index/codec.h"

int inv_init(inverter *v)
{
    memset(v, 0, sizeof *v);
    buf_init(&v->title_len);
    buf_init(&v->body_len);
    buf_init(&v->dates);
    v->vocab = strmap_new();
    keytab_init(&v->keys);
    if (!v->vocab || stw_init(&v->st) != 0) {
        inv_free(v);
        return MG_ENOMEM;
    }
    return MG_OK;
}

/* ------------------------------------------------------------- the pool */

static void pool_free(pool *p)
{
    for (uint32_t i = 0; i < p->nchunks; i++)
        free(p->chunk[i]);
    free(p->chunk);
    memset(p, 0, sizeof *p);
}

static inline uint8_t *pool_at(const pool *p, uint32_t addr)
{
    return p->chunk[addr >> POOL_CHUNK_BITS] + (addr & ((1u << POOL_CHUNK_BITS) - 1));
}

static size_t pool_bytes(const pool *p)
{
    return (size_t)p->nchunks << POOL_CHUNK_BITS;
}

/* A new slice of the level's size; its address, or 0 when out of memory
 * (address 0 is never a slice: the first chunk starts with 8 unused bytes). */
static uint32_t pool_slice(pool *p, unsigned level)
{
    uint32_t size = 8u << level;
    if (p->nchunks == 0 || p->used + size > (1u << POOL_CHUNK_BITS)) {
        if (p->nchunks == 1u << (32 - POOL_CHUNK_BITS))
            return 0; /* 4 GiB of postings in one segment: refuse */
        if (p->nchunks == p->cap) {
            uint32_t cap = p->cap ? 2 * p->cap : 64;
            uint8_t **c = realloc(p->chunk, cap * sizeof *c);
            if (!c)
                return 0;
            p->chunk = c;
            p->cap = cap;
        }
        uint8_t *c = malloc(1u << POOL_CHUNK_BITS);
        if (!c)
            return 0;
        p->chunk[p->nchunks++] = c;
        p->used = p->nchunks == 1 ? 8 : 0;
    }
    uint32_t addr = (p->nchunks - 1) << POOL_CHUNK_BITS | p->used;
    p->used += size;
    return addr;
}

/* Starts a stream with a first slice; -1 when out of memory. */
static int ps_start(pool *p, pstream *s, uint8_t *level)
{
    uint32_t a = pool_slice(p, 0);
    if (!a)
        return -1;
    s->head = s->upto = a;
    s->end = a + 8 - 4;
    *level = 0;
    return 0;
}

/* Moves s to a new slice (the current one is full), linking it. */
static int ps_next(pool *p, pstream *s, uint8_t *level)
{
    unsigned l = *level + 1u < POOL_SLICE_LEVELS ? *level + 1u : *level;
    uint32_t a = pool_slice(p, l);
    if (!a)
        return -1;
    st_le32(pool_at(p, s->end), a);
    s->upto = a;
    s->end = a + (8u << l) - 4;
    *level = (uint8_t)l;
    return 0;
}

static int ps_bytes(pool *p, pstream *s, uint8_t *level, const uint8_t *tmp, uint32_t n);

/* Appends a varint to s, across slices. */
static int ps_varint_slow(pool *p, pstream *s, uint8_t *level, uint64_t x)
{
    uint8_t tmp[10];
    uint32_t n = (uint32_t)(varint_put(tmp, x) - tmp);
    if (s->end - s->upto >= n) {
        uint8_t *q = pool_at(p, s->upto);
        s->upto += (uint32_t)(varint_put(q, x) - q);
        return 0;
    }
    return ps_bytes(p, s, level, tmp, n);
}

/* Appends n bytes to s, across slices. */
static int ps_bytes(pool *p, pstream *s, uint8_t *level, const uint8_t *tmp, uint32_t n)
{
    uint32_t room = s->end - s->upto;
    if (room >= n) {
        uint8_t *q = pool_at(p, s->upto);
        s->upto += n;
        for (uint32_t i = 0; i < n; i++)
            q[i] = tmp[i];
        return 0;
    }
    for (uint32_t i = 0; i < n;) {
        if (s->upto == s->end && ps_next(p, s, level) != 0)
            return -1;
        uint32_t k = s->end - s->upto < n - i ? s->end - s->upto : n - i;
        uint8_t *q = pool_at(p, s->upto);
        s->upto += k;
        while (k--) /* a few bytes: no memcpy call */
            *q++ = tmp[i++];
    }
    return 0;
}

/* Appends a varint to s: inline when the slice has room for it (any
 * varint when 10 bytes are left; one byte, the common case, when any). */
static inline __attribute__((always_inline)) int ps_varint(pool *p, pstream *s, uint8_t *level,
                                                           uint64_t x)
{
    uint32_t room = s->end - s->upto;
    if (x < 0x80 && room) {
        *pool_at(p, s->upto++) = (uint8_t)x;
        return 0;
    }
    if (room >= 10) {
        uint8_t *q = pool_at(p, s->upto);
        s->upto += (uint32_t)(varint_put(q, x) - q);
        return 0;
    }
    return ps_varint_slow(p, s, level, x);
}

/* Appends stream s (written with levels from 0) to out; its start or NULL
 * when out of memory. */
static const uint8_t *ps_read_append(const pool *p, const pstream *s, buf *out, size_t *len)
{
    size_t at = out->len;
    uint32_t a = s->head;
    unsigned level = 0;
    for (;;) { /* each slice's bytes copied after an inline reserve */
        uint32_t end = a + (8u << level) - 4;
        int last = s->upto >= a && s->upto <= end;
        buf_put_fast(out, pool_at(p, a), (last ? s->upto : end) - a);
        if (last || out->oom)
            break;
        a = le32(pool_at(p, end));
        if (level + 1 < POOL_SLICE_LEVELS)
            level++;
    }
    *len = out->len - at;
    return out->oom ? NULL : out->p + at;
}

/* Stream s (written with levels from 0) as contiguous bytes: in place when
 * it is still in its first slice (most terms), else copied into out. */
static const uint8_t *ps_read(const pool *p, const pstream *s, buf *out, size_t *len)
{
    if (s->upto - s->head <= 8 - 4) {
        *len = s->upto - s->head;
        return pool_at(p, s->head);
    }
    buf_reset(out);
    return ps_read_append(p, s, out, len);
}

void inv_free(inverter *v)
{
    pool_free(&v->pool);
    free(v->terms);
    free(v->touched);
    keytab_free(&v->keys);
    strmap_free(v->vocab);
    buf_free(&v->title_len);
    buf_free(&v->body_len);
    buf_free(&v->dates);
    stw_free(&v->st);
    memset(v, 0, sizeof *v);
}

void inv_reset(inverter *v)
{
    pool_free(&v->pool);
    v->nterms = 0;
    strmap_clear(v->vocab);
    keytab_free(&v->keys); /* its memory is counted: do not hold it between segments */
    v->ntouched = 0;
    v->ndocs = 0;
    buf_reset(&v->title_len);
    buf_reset(&v->body_len);
    buf_reset(&v->dates);
    /* emptied, so an allocation that failed before no longer matters:
     * the next documents may try again */
    v->title_len.oom = v->body_len.oom = v->dates.oom = 0;
    int inline_only = v->st.inline_only;
    stw_free(&v->st);
    v->oom = stw_init(&v->st) != 0;
    v->st.inline_only = inline_only;
    v->title_tokens = v->body_tokens = 0;
}

size_t inv_bytes(const inverter *v)
{
    return pool_bytes(&v->pool) + v->pool.cap * sizeof(uint8_t *) +
           strmap_bytes(v->vocab) + keytab_bytes(&v->keys) +
           v->cap * sizeof(inv_term) + v->touched_cap * sizeof(uint32_t) + stw_bytes(&v->st) +
           v->title_len.cap + v->body_len.cap + v->dates.cap;
}

/* ------------------------------------------------------------- adding */

/* The id of a term, added to the vocabulary if new; UINT32_MAX when out
 * of memory. */
static uint32_t inv_term_id(inverter *v, const char *key, size_t len)
{
    int inserted;
    uint32_t *slot = strmap_upsert(v->vocab, key, len, (uint32_t)v->nterms, &inserted);
    if (!slot)
        return UINT32_MAX;
    if (!inserted)
        return *slot;
    if (v->nterms == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        inv_term *t = realloc(v->terms, cap * sizeof *t);
        if (!t) {
            *slot = UINT32_MAX; /* skipped at flush */
            return UINT32_MAX;
        }
        v->terms = t;
        v->cap = cap;
    }
    inv_term *t = &v->terms[v->nterms];
    memset(t, 0, sizeof *t);
    if (ps_start(&v->pool, &t->docs, &t->dlevel) != 0 || ps_start(&v->pool, &t->pos, &t->plevel) != 0) {
        *slot = UINT32_MAX; /* skipped at flush */
        return UINT32_MAX;
    }
    return (uint32_t)v->nterms++;
}

/* The current document's touched terms, held in registers by the token
 * loop (the pool's byte stores would make the compiler reload v's fields)
 * and written back to v when it ends. */
typedef struct touch {
    uint32_t *ids, *next, *lim; /* the array, its next free place, its end */
} touch;

static touch touch_get(const inverter *v)
{
    touch tc = { NULL, NULL, NULL }; /* no arithmetic on a null pointer */
    if (v->touched) {
        tc.ids = v->touched;
        tc.next = v->touched + v->ntouched;
        tc.lim = v->touched + v->touched_cap;
    }
    return tc;
}

static void touch_put(inverter *v, touch tc)
{
    v->touched = tc.ids;
    v->ntouched = tc.ids ? (size_t)(tc.next - tc.ids) : 0;
    v->touched_cap = tc.ids ? (size_t)(tc.lim - tc.ids) : 0;
}

/* tc with room for one more id (taken and returned by value, so that the
 * caller's copy stays in registers); tc.ids NULL when out of memory (v
 * keeps the old array). */
static touch touch_grow(inverter *v, touch tc)
{
    size_t n = tc.ids ? (size_t)(tc.next - tc.ids) : 0, cap = tc.ids ? (size_t)(tc.lim - tc.ids) : 0;
    cap = cap ? cap * 2 : 256;
    uint32_t *a = realloc(tc.ids, cap * sizeof *a);
    if (!a) {
        tc.ids = NULL;
        return tc;
    }
    tc.ids = a;
    tc.next = a + n;
    tc.lim = a + cap;
    touch_put(v, tc);
    return tc;
}

/* One occurrence of term `id` at pos in document d1 - 1 (the current one);
 * terms is v->terms and tc its touched terms (callers keep both in
 * registers: the pool's byte stores would make the compiler reload them).
 * check_id: id may be UINT32_MAX (a term the vocabulary could not take),
 * and the occurrence marks the term's exact/inexact bit (else the caller
 * did when it resolved the word); title and check_id are constants where
 * it is inlined. */
static inline __attribute__((always_inline)) int inv_occ_at(inverter *v, inv_term *terms, touch *tc,
                                                            uint32_t d1, uint32_t id, uint32_t pos,
                                                            int exact, int title, int check_id)
{
    if (check_id && id == UINT32_MAX)
        return -1;
    inv_term *t = &terms[id];
    if (t->cur_doc1 != d1) {
        if (tc->next == tc->lim) {
            touch g = touch_grow(v, *tc);
            if (!g.ids)
                return -1;
            *tc = g;
        }
        *tc->next++ = id;
        t->cur_doc1 = d1;
        t->last_pos = 0;
        t->tft = t->tfb = 0;
    }
    if (ps_varint(&v->pool, &t->pos, &t->plevel, (uint64_t)(pos - t->last_pos) << 1 | (exact ? 1 : 0)) != 0)
        return -1;
    t->last_pos = pos;
    if (check_id)
        t->seen |= exact ? 1 : 2;
    if (title)
        t->tft++;
    else
        t->tfb++;
    return 0;
}

/* One occurrence of term `id` at pos in the current document. */
static inline int inv_occ(inverter *v, uint32_t id, uint32_t pos, int exact, int title)
{
    touch tc = touch_get(v);
    int rc = inv_occ_at(v, v->terms, &tc, v->ndocs + 1, id, pos, exact, title, 1);
    touch_put(v, tc);
    return rc;
}

static int inv_occ_key(inverter *v, const char *key, size_t len, uint32_t pos, int exact, int title)
{
    return inv_occ(v, inv_term_id(v, key, len), pos, exact, title);
}

/* keys value of a word that folds to nothing (it is not a token) */
#define KEY_EMPTY (UINT32_MAX - 1)

typedef struct tok_ctx {
    inverter *v;
    analyzer *an;
    int title;                /* 1 while analysing the title */
    char prefix;              /* 0 for title/body, else 'S' or 'A' */
    int fail;
} tok_ctx;

/* The stem and R term ids (UINT32_MAX: none) of a word not in keys yet,
 * from its forms; remembered in keys under the word's token key. */
static int inv_resolve(tok_ctx *c, const token *t, uint32_t *stem, uint32_t *raw)
{
    inverter *v = c->v;
    token f = *t;
    *stem = KEY_EMPTY;
    *raw = UINT32_MAX;
    if (analyzer_forms(c->an, &f)) {
        int exact = f.raw_len == f.term_len && memcmp(f.raw, f.term, f.raw_len) == 0;
        if ((*stem = inv_term_id(v, f.term, f.term_len)) == UINT32_MAX)
            return -1;
        if (!exact) {
            char key[IX_TERM_MAX + 1];
            size_t n = f.raw_len < IX_TERM_MAX - 1 ? f.raw_len : IX_TERM_MAX - 1;
            key[0] = 'R';
            memcpy(key + 1, f.raw, n);
            if ((*raw = inv_term_id(v, key, n + 1)) == UINT32_MAX)
                return -1;
            v->terms[*raw].seen |= 1;
        }
        /* what every occurrence of the word will mark: its stem occurs
         * exactly when it is its own raw form (inv_occ_at leaves seen to
         * this) */
        v->terms[*stem].seen |= exact ? 1 : 2;
    }
    if (t->key_len <= KEYTAB_MAX_LEN &&
        keytab_put(&v->keys, t->key, t->key_len, t->key_flags, *stem, *raw) != 0)
        return -1;
    return 0;
}

/* A word not in keys yet (its key in z->text, or at fat when the
 * one-window path found it): inv_resolve's stem | raw << 32, UINT64_MAX
 * on failure.  Out of line, so that the token loop keeps its registers. */
static __attribute__((noinline)) uint64_t inv_miss(tok_ctx *c, tokenizer *z, const uint8_t *fat,
                                                   uint32_t n, uint32_t flags)
{
    if (fat) /* the key as the tokenizer copies it (n < 16) */
        tokenizer_fast_word(z, fat, (size_t)(fat - z->p));
    token t;
    memset(&t, 0, sizeof t);
    t.key = (const char *)z->text;
    t.key_len = n;
    t.key_flags = flags;
    uint32_t stem, raw;
    if (inv_resolve(c, &t, &stem, &raw) != 0)
        return UINT64_MAX;
    return stem | (uint64_t)raw << 32;
}

/* The title's or body's words: per word one keys probe, then its
 * occurrences (the loop of analyzer_run_keys, without its callback).  The
 * number of tokens.  The common word (tokenizer_fast_scan) is read with the
 * scan position and the key in registers; the tokenizer's state is written
 * only for the general scanner, and its text only when the key is new.
 * title is a constant where it is inlined. */
static inline __attribute__((always_inline)) uint32_t inv_words_in(tok_ctx *c, const char *s, uint32_t first,
                                                                   const int title)
{
    inverter *v = c->v;
    tokenizer *z = analyzer_keys_begin(c->an, s, strlen(s));
    /* the scan position as a pointer (with the last address from which 16
     * bytes can be read, as an integer: none when the text is shorter) and
     * the next position as a counter: fewer registers */
    const uint8_t *q = z->p;
    const uintptr_t last = z->len >= 16 ? (uintptr_t)z->p + z->len - 16 : 0;
    uint32_t pos = first;
    const uint32_t d1 = v->ndocs + 1;
    inv_term *terms = v->terms; /* moves only when inv_resolve adds terms */
    touch tc = touch_get(v);
    keytab_view kv = keytab_view_of(&v->keys); /* changes only with a new word */
    for (;;) {
        uint64_t k0, k1;
        uint32_t n, flags;
        const uint8_t *at = q; /* the word's start when fast */
        tokenizer_fast f = { 0, 0, 0, 0, 0 }; /* set when fast > 0 (-O1 warns without) */
        int fast = (uintptr_t)q <= last ? tokenizer_fast_scan(q, &f) : 0;
        if (fast < 0) {
            q -= fast; /* separators */
            continue;
        }
        const uint8_t *fat = NULL; /* the word's start when fast */
        if (fast) {
            fat = at;
            n = f.n;
            flags = f.flags;
            tokenizer_fast_key(&f, &k0, &k1);
            q += f.next;
        } else {
            z->i = (size_t)(q - z->p);
            if (!tokenizer_next_slow(z))
                break;
            q = z->p + z->i;
            n = z->n;
            flags = z->flags & (ANALYZER_KEY_NONASCII | ANALYZER_KEY_LETTER);
            k0 = z->k0;
            k1 = z->k1;
        }
        uint32_t stem, raw;
        const keytab_slot *e = n <= 16 ? keytab_get16(kv, k0, k1, n, flags)
                               : n <= KEYTAB_MAX_LEN ? keytab_get_long(&v->keys, k0, k1, z->text, n, flags)
                                                     : NULL;
        if (e) {
            stem = e->a;
            raw = e->b;
        } else {
            uint64_t r = inv_miss(c, z, fat, n, flags);
            if (r == UINT64_MAX) {
                c->fail = -1;
                break;
            }
            stem = (uint32_t)r;
            raw = (uint32_t)(r >> 32);
            terms = v->terms;
            kv = keytab_view_of(&v->keys);
        }
        if (stem == KEY_EMPTY)
            continue; /* folds to nothing: not a token */
        /* stem is a term (inv_resolve fails rather than keep UINT32_MAX) */
        int fail = inv_occ_at(v, terms, &tc, d1, stem, pos, raw == UINT32_MAX, title, 0);
        if (raw != UINT32_MAX)
            fail |= inv_occ_at(v, terms, &tc, d1, raw, pos, 1, title, 0);
        pos++;
        if (fail) {
            c->fail = -1;
            break;
        }
    }
    touch_put(v, tc);
    analyzer_keys_end(c->an);
    return pos - first;
}

static uint32_t inv_words(tok_ctx *c, const char *s, uint32_t first)
{
    return c->title ? inv_words_in(c, s, first, 1) : inv_words_in(c, s, first, 0);
}

/* A source, section or author word: its prefixed raw form. */
static int inv_token(void *ctx, const token *t)
{
    tok_ctx *c = ctx;
    char key[IX_TERM_MAX + 1];
    size_t n = t->raw_len < IX_TERM_MAX - 1 ? t->raw_len : IX_TERM_MAX - 1;
    key[0] = c->prefix;
    memcpy(key + 1, t->raw, n);
    c->fail |= inv_occ_key(c->v, key, n + 1, t->pos, 1, 0);
    return c->fail;
}

static uint32_t inv_run(const char *s, uint32_t first, tok_ctx *c)
{
    if (!s)
        return 0;
    if (c->prefix)
        return analyzer_run(c->an, s, strlen(s), first, inv_token, c);
    return inv_words(c, s, first);
}

/* Appends the current document's entry to every term it touched. */
static int inv_end_doc(inverter *v)
{
    uint32_t d1 = v->ndocs + 1;
    inv_term *terms = v->terms;
    const uint32_t *touched = v->touched;
    for (size_t i = 0, n = v->ntouched; i < n; i++) {
        inv_term *t = &terms[touched[i]];
        pstream *s = &t->docs;
        uint32_t room = s->end - s->upto;
        uint32_t g = (d1 - t->last_doc1) << 1 | (t->tft > 0), tft = t->tft, tfb = t->tfb;
        t->last_doc1 = d1;
        if (room >= 8 && (g | tft | tfb) < 0x80) {
            /* the common entry (one byte each) built in a register and
             * stored 8 bytes at once; the bytes past it are the slice's
             * unused rest, overwritten by the next entry */
            uint64_t e = tft ? g | tft << 8 | tfb << 16 : g | tfb << 8;
            memcpy(pool_at(&v->pool, s->upto), &e, 8);
            s->upto += tft ? 3 : 2;
        } else if (room >= 8 && g < 1u << 14 && (tft | tfb) < 0x80) {
            /* the same with a gap of two varint bytes (a rarer term) */
            uint64_t e = (g & 0x7F) | 0x80 | (g >> 7) << 8;
            e |= tft ? (uint64_t)(tft | tfb << 8) << 16 : (uint64_t)tfb << 16;
            memcpy(pool_at(&v->pool, s->upto), &e, 8);
            s->upto += tft ? 4 : 3;
        } else {
            /* the entry (at most 15 bytes) encoded in registers, stored 16
             * bytes at once the same way when the slice has room */
            uint8_t e[16] = { 0 };
            uint8_t *q = varint_put(e, g);
            if (tft)
                q = varint_put(q, tft);
            q = varint_put(q, tfb);
            uint32_t len = (uint32_t)(q - e);
            if (room >= 16) {
                memcpy(pool_at(&v->pool, s->upto), e, 16);
                s->upto += len;
            } else if (room >= 8 && len <= 8) {
                memcpy(pool_at(&v->pool, s->upto), e, 8);
                s->upto += len;
            } else if (room >= len) {
                uint8_t *o = pool_at(&v->pool, s->upto);
                s->upto += len;
                for (uint32_t k = 0; k < len; k++)
                    o[k] = e[k];
            } else if (ps_bytes(&v->pool, s, &t->dlevel, e, len) != 0)
                return -1;
        }
    }
    v->ntouched = 0;
    return 0;
}

int inv_add(inverter *v, analyzer *an, const mg_article *a)
{
    tok_ctx c = { v, an, 1, 0, 0 };
    uint32_t nt = inv_run(a->title, 0, &c);
    c.title = 0;
    uint32_t nb = inv_run(a->body, nt + 1, &c);
    c.prefix = 'S';
    uint32_t ns = inv_run(a->source, 0, &c);
    inv_run(a->section, ns + 1, &c);
    c.prefix = 'A';
    inv_run(a->author, 0, &c);
    if (c.fail || inv_end_doc(v) != 0)
        return MG_ENOMEM;
    buf_put_le32(&v->title_len, nt);
    buf_put_le32(&v->body_len, nb);
    buf_put_le64(&v->dates, (uint64_t)a->date);
    stw_add(&v->st, a); /* the id too: found through the segment's IDS section */
    v->title_tokens += nt;
    v->body_tokens += nb;
    v->ndocs++;
    if (v->title_len.oom || v->body_len.oom || v->dates.oom || v->st.oom)
        return MG_ENOMEM;
    return MG_OK;
}

/* ------------------------------------------------------------- flushing */

typedef struct term_ref {
    const char *key;
    uint32_t len;
    uint32_t id;
} term_ref;

/* Byte order, a prefix before its extensions (memcmp, then length), from
 * byte d on (the first d bytes are known equal). */
static inline int term_ref_cmp(const term_ref *x, const term_ref *y, size_t d)
{
    size_t n = x->len < y->len ? x->len : y->len;
    for (size_t i = d; i < n; i++) { /* a byte or two apart, mostly: no memcmp call */
        uint8_t a = (uint8_t)x->key[i], b = (uint8_t)y->key[i];
        if (a != b)
            return a < b ? -1 : 1;
    }
    return (x->len > y->len) - (x->len < y->len);
}

/* Byte d of r's key, -1 past its end. */
static inline int tr_byte(const term_ref *r, size_t d)
{
    return d < r->len ? (uint8_t)r->key[d] : -1;
}

static inline void tr_swap(term_ref *a, size_t i, size_t j)
{
    term_ref t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* Sorts a[0..n) whose keys agree on their first d bytes: multikey
 * quicksort (Bentley & Sedgewick), three-way partitions on byte d, so
 * shared prefixes ("Qreuters-...", "R...") are compared once, not at
 * every comparison. */
static void tr_sort(term_ref *a, size_t n, size_t d)
{
    while (n > 1) {
        if (n < 12) {
            for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && term_ref_cmp(&a[j - 1], &a[j], d) > 0; j--)
                    tr_swap(a, j - 1, j);
            return;
        }
        int x = tr_byte(&a[0], d), y = tr_byte(&a[n / 2], d), z = tr_byte(&a[n - 1], d);
        int pv = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
        size_t lt = 0, i = 0, gt = n;
        while (i < gt) {
            int c = tr_byte(&a[i], d);
            if (c < pv)
                tr_swap(a, lt++, i++);
            else if (c > pv)
                tr_swap(a, i, --gt);
            else
                i++;
        }
        tr_sort(a, lt, d);
        tr_sort(a + gt, n - gt, d);
        if (pv < 0)
            return; /* the equal part: identical keys (cannot happen) */
        a += lt;
        n = gt - lt;
        d++;
    }
}

typedef struct tr_job {
    term_ref *a;
    size_t n;
} tr_job;

static void *tr_sort_thread(void *arg)
{
    tr_job *j = arg;
    tr_sort(j->a, j->n, 0);
    return NULL;
}

/* Sorts a[0..n) in two threads: the terms whose first byte is below a
 * split byte (chosen so that the two parts are about equal) go first,
 * each part is sorted by one thread; the result is tr_sort's order. */
static void tr_sort2(term_ref *a, size_t n)
{
    size_t cnt[257] = { 0 }, below = 0;
    if (n >= 4096)
        for (size_t i = 0; i < n; i++)
            cnt[tr_byte(&a[i], 0) + 1]++;
    unsigned c = 0; /* split: keys whose tr_byte + 1 < c go first */
    while (c < 257 && below + cnt[c] <= n / 2)
        below += cnt[c++];
    if (c < 257 && below + cnt[c] - n / 2 < n / 2 - below)
        below += cnt[c++];
    if (below == 0 || below == n) {
        tr_sort(a, n, 0);
        return;
    }
    size_t lo = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned)(tr_byte(&a[i], 0) + 1) < c)
            tr_swap(a, lo++, i);
    tr_job j = { a + lo, n - lo };
    pthread_t th;
    int made = pthread_create(&th, NULL, tr_sort_thread, &j) == 0;
    tr_sort(a, lo, 0);
    if (made)
        pthread_join(th, NULL);
    else
        tr_sort(a + lo, n - lo, 0);
}

/* Skips n varints the inverter wrote. */
static inline const uint8_t *vskip(const uint8_t *p, const uint8_t *end, uint64_t n)
{
    while (n && p < end) {
        if (!(*p++ & 0x80))
            n--;
    }
    return n ? NULL : p;
}

/* Bytes of stream s: exact, walking its slices only when it has reached
 * the largest slice size (smaller levels bound it below FL_BIG). */
static size_t ps_len(const pool *p, const pstream *s, unsigned level)
{
    if (s->upto - s->head <= 8 - 4)
        return s->upto - s->head;
    if (level + 1 < POOL_SLICE_LEVELS)
        return (size_t)(8u << (level + 1)); /* an upper bound */
    size_t n = 0;
    uint32_t a = s->head;
    unsigned l = 0;
    for (;;) {
        uint32_t end = a + (8u << l) - 4;
        if (s->upto >= a && s->upto <= end)
            return n + (s->upto - a);
        n += end - a;
        a = le32(pool_at(p, end));
        if (l + 1 < POOL_SLICE_LEVELS)
            l++;
    }
}

/* The flush encodes terms in two threads while the flushing thread
 * appends them to the segment in order.  Terms are taken in batches of up
 * to FL_TERMS terms and about FL_BYTES of their streams; FL_RING batches
 * are in flight.  Either thread (the flushing one while the batch it must
 * write next is not ready) claims the next batch and encodes each of its
 * terms (postings, positions, dictionary fields: segw_enc_*) into the
 * batch's buffers; the flushing thread appends them (segw_term_encoded)
 * and writes the dictionary.  So the encoded bytes in memory stay below
 * about FL_RING * 2 * FL_BYTES.  A term whose streams exceed FL_BIG is
 * not encoded in a batch: the flushing thread streams it through the
 * segment writer when its turn comes (as every term was before).  Without
 * the helper thread (creation failed) the flushing thread does it all. */
#define FL_TERMS 1024
#define FL_BYTES (1u << 20)
#define FL_BIG   (1u << 20)
#define FL_RING 4

enum { FL_FREE, FL_CLAIMED, FL_READY };

typedef struct fl_term {
    uint32_t ref;             /* index into the sorted refs */
    uint32_t big;             /* streamed by the flushing thread */
    seg_enc e;                /* e.df == 0: no documents, skipped */
    size_t post_off, post_len, pos_off, pos_len; /* in the batch's buffers */
} fl_term;

typedef struct fl_batch {
    fl_term term[FL_TERMS];
    uint32_t nterm;
    size_t seq;               /* its place in the batch order */
    int state;                /* FL_* */
    buf post, pos;            /* the encoded terms' POSTINGS and POSITIONS bytes */
    int oom, bad;
} fl_batch;

typedef struct fl_coder {    /* one encoding thread's scratch */
    post_writer pw;
    buf docs, pos;            /* streams spanning several slices, copied */
} fl_coder;

/* A term of the segment: its key and its id in each inverter flushed
 * (NO_TERM where it has none). */
#define NO_TERM UINT32_MAX
typedef struct fl_ref {
    const char *key;
    uint32_t len;
    uint32_t id[2];
} fl_ref;

typedef struct flusher {
    inverter *const *v;
    int nv;
    uint32_t base[2];         /* each inverter's first document in the segment */
    const fl_ref *refs;
    size_t n;                 /* terms */
    size_t next;              /* next term to claim */
    size_t claimed;           /* batches claimed so far */
    const seg_writer *w;      /* its norms (complete, read-only now) */
    fl_batch b[FL_RING];
    fl_coder c[2];            /* 0: flushing thread, 1: helper */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;
} flusher;

/* Claims the next batch's terms if its ring slot is free (under the lock). */
static fl_batch *fl_claim(flusher *f)
{
    fl_batch *b = &f->b[f->claimed % FL_RING];
    if (f->next >= f->n || b->state != FL_FREE)
        return NULL;
    size_t bytes = 0;
    b->nterm = 0;
    while (f->next < f->n && b->nterm < FL_TERMS && bytes < FL_BYTES) {
        size_t len = 0;
        for (int k = 0; k < f->nv; k++) {
            uint32_t id = f->refs[f->next].id[k];
            if (id == NO_TERM)
                continue;
            const inverter *v = f->v[k];
            const inv_term *t = &v->terms[id];
            len += ps_len(&v->pool, &t->docs, t->dlevel) + ps_len(&v->pool, &t->pos, t->plevel);
        }
        fl_term *ft = &b->term[b->nterm++];
        ft->ref = (uint32_t)f->next++;
        ft->big = len > FL_BIG;
        if (!ft->big)
            bytes += len;
    }
    b->seq = f->claimed++;
    b->state = FL_CLAIMED;
    return b;
}

/* Positions are buffered with flags; terms whose occurrences all agree
 * (in every inverter) are written without them. */
static int fl_mode(const flusher *f, const fl_ref *r)
{
    unsigned seen = 0;
    for (int k = 0; k < f->nv; k++)
        if (r->id[k] != NO_TERM)
            seen |= f->v[k]->terms[r->id[k]].seen;
    return seen == 1 ? POS_EXACT : seen == 2 ? POS_INEXACT : POS_MIXED;
}

/* Inverter k's document and position streams of term r, contiguous
 * (copied into c's buffers where they span slices): 1, 0 when the term is
 * not in that inverter, -1 when out of memory. */
static int fl_streams(const flusher *f, fl_coder *c, const fl_ref *r, int k, const uint8_t **d,
                      size_t *dl, const uint8_t **p, size_t *pl)
{
    if (r->id[k] == NO_TERM)
        return 0;
    const inverter *v = f->v[k];
    const inv_term *t = &v->terms[r->id[k]];
    *d = ps_read(&v->pool, &t->docs, &c->docs, dl);
    *p = ps_read(&v->pool, &t->pos, &c->pos, pl);
    return *d && *p ? 1 : -1;
}

/* Encodes one term's streams (each inverter's in turn) with c's
 * post_writer, norms from the segment writer; 0, -1 when its positions
 * run short (cannot happen: both streams were written together), -2 when
 * out of memory. */
static int fl_code_term(const flusher *f, fl_coder *c, const fl_ref *r, int mode)
{
    const seg_writer *w = f->w;
    segw_enc_begin(&c->pw);
    int rc = 0;
    for (int k = 0; k < f->nv && rc == 0; k++) {
        const uint8_t *d, *p;
        size_t dl, pl;
        int has = fl_streams(f, c, r, k, &d, &dl, &p, &pl);
        if (has < 0)
            return -2;
        if (has)
            rc = pw_add_stream(&c->pw, d, d + dl, p, p + pl, w->norms_t.p, w->norms_b.p, w->ndocs,
                               f->base[k], mode);
    }
    return rc;
}

/* A term of one posting (about half of a vocabulary) with fewer than
 * POS_PACK_MIN positions after its first, encoded straight from its
 * streams as pw_add_stream + segw_enc_end would (the posting goes to the
 * dictionary, the other positions are varints): 1 done (e filled, those
 * varints appended to pos), 0 when the term is not such or its streams
 * are not as expected (the general path then), -1 out of memory. */
static int fl_code_single(const flusher *f, fl_coder *c, const fl_ref *r, int mode, seg_enc *e,
                          buf *pos)
{
    int k = r->id[0] != NO_TERM ? 0 : 1;
    if (f->nv > 1 && r->id[0] != NO_TERM && r->id[1] != NO_TERM)
        return 0; /* in both inverters: two postings or more */
    const inverter *iv = f->v[k];
    const inv_term *t = &iv->terms[r->id[k]];
    if (t->docs.upto - t->docs.head > 8 - 4)
        return 0; /* past its first slice: not one posting of a few positions */
    const uint8_t *d = pool_at(&iv->pool, t->docs.head), *dend = d + (t->docs.upto - t->docs.head);
    uint64_t gap, tft = 0, tfb, v[POS_PACK_MIN];
    if (!(d = varint_get_fast(d, dend, &gap)) || ((gap & 1) && !(d = varint_get_fast(d, dend, &tft))) ||
        !(d = varint_get_fast(d, dend, &tfb)) || d != dend)
        return 0;
    uint64_t np = tft + tfb;
    if (np == 0 || np > POS_PACK_MIN)
        return 0;
    size_t pl;
    const uint8_t *p = ps_read(&iv->pool, &t->pos, &c->pos, &pl), *pend = p + pl;
    if (!p)
        return -1;
    for (uint64_t i = 0; i < np; i++) {
        if (!(p = varint_get_fast(p, pend, &v[i])))
            return 0;
        if (mode != POS_MIXED)
            v[i] >>= 1; /* the exact flag out (pw_recode) */
    }
    if (np > 1) {
        if (buf_reserve_fast(pos, (size_t)(np - 1) * 10) != 0)
            return -1;
        uint8_t *q = pos->p + pos->len;
        for (uint64_t i = 1; i < np; i++)
            q = varint_put(q, v[i]);
        pos->len = (size_t)(q - pos->p);
    }
    e->df = 1;
    e->cf = np;
    e->bound = (ix_bound){ 0, 0, 255, 255 }; /* pw_begin's: a list this short has none */
    e->mode = (uint8_t)mode;
    e->inl_doc = (uint32_t)(f->base[k] + (gap >> 1) - 1);
    e->inl_tft = (uint32_t)tft;
    e->inl_tfb = (uint32_t)tfb;
    e->inl_fv = v[0];
    return 1;
}

/* Encodes batch b's terms but the big ones (either thread, lock not held). */
static void fl_code(flusher *f, fl_batch *b, fl_coder *c)
{
    b->oom = b->bad = 0;
    buf_reset(&b->post);
    buf_reset(&b->pos);
    for (uint32_t i = 0; i < b->nterm; i++) {
        fl_term *ft = &b->term[i];
        memset(&ft->e, 0, sizeof ft->e);
        if (ft->big)
            continue;
        const fl_ref *r = &f->refs[ft->ref];
        int mode = fl_mode(f, r);
        ft->post_off = b->post.len;
        ft->pos_off = b->pos.len;
        int one = fl_code_single(f, c, r, mode, &ft->e, &b->pos);
        if (one < 0) {
            b->oom = 1;
            return;
        }
        if (one) {
            ft->post_len = 0;
            ft->pos_len = b->pos.len - ft->pos_off;
            continue;
        }
        int rc = fl_code_term(f, c, r, mode);
        if (rc == -2 || c->pw.blocks.oom || c->pw.skip.oom || c->pw.pos.oom) {
            b->oom = 1;
            return;
        }
        if (rc != 0)
            b->bad = 1;
        ft->post_off = b->post.len;
        ft->pos_off = b->pos.len;
        segw_enc_end(&c->pw, mode, &ft->e, &b->post, &b->pos);
        ft->post_len = b->post.len - ft->post_off;
        ft->pos_len = b->pos.len - ft->pos_off;
    }
    if (b->post.oom || b->pos.oom)
        b->oom = 1;
}

/* Streams a big term through the segment writer (flushing side); 0 or
 * MG_ENOMEM. */
static int fl_stream(flusher *f, const fl_ref *r, seg_writer *w)
{
    fl_coder *c = &f->c[0];
    int started = 0;
    for (int k = 0; k < f->nv; k++) {
        const uint8_t *d, *p;
        size_t dl, pl;
        int has = fl_streams(f, c, r, k, &d, &dl, &p, &pl);
        if (has < 0)
            return MG_ENOMEM;
        if (!has)
            continue;
        const uint8_t *dend = d + dl, *end = p + pl;
        uint64_t doc1 = f->base[k];
        while (d < dend) {
            uint64_t gap, tft, tfb;
            tft = 0;
            if (!(d = varint_get_fast(d, dend, &gap)) ||
                ((gap & 1) && !(d = varint_get_fast(d, dend, &tft))) || !(d = varint_get_fast(d, dend, &tfb)))
                break;
            doc1 += gap >> 1;
            const uint8_t *q = vskip(p, end, tft + tfb);
            if (!q)
                break; /* cannot happen: both streams were written together */
            if (!started)
                segw_term(w, r->key, r->len, fl_mode(f, r));
            started = 1;
            segw_posting(w, (uint32_t)(doc1 - 1), (uint32_t)tft, (uint32_t)tfb, p, (size_t)(q - p),
                         POS_MIXED);
            p = q;
        }
    }
    return MG_OK;
}

/* Appends batch b's terms to the segment (flushing side). */
static int fl_write(flusher *f, const fl_batch *b, seg_writer *w)
{
    if (b->oom)
        return MG_ENOMEM;
    if (b->bad)
        w->f.err = EINVAL; /* as segw_posting does with malformed positions */
    for (uint32_t i = 0; i < b->nterm; i++) {
        const fl_term *ft = &b->term[i];
        const fl_ref *r = &f->refs[ft->ref];
        if (ft->big) {
            if (fl_stream(f, r, w) != MG_OK)
                return MG_ENOMEM;
        } else if (ft->e.df) {
            segw_term_encoded(w, r->key, r->len, &ft->e, b->post.p + ft->post_off, ft->post_len,
                              b->pos.p + ft->pos_off, ft->pos_len);
        }
    }
    return MG_OK;
}

static void *fl_thread(void *arg)
{
    flusher *f = arg;
    pthread_mutex_lock(&f->mu);
    while (!f->quit) {
        fl_batch *b = fl_claim(f);
        if (!b) {
            if (f->next >= f->n)
                break;
            pthread_cond_wait(&f->cv, &f->mu);
            continue;
        }
        pthread_mutex_unlock(&f->mu);
        fl_code(f, b, &f->c[1]);
        pthread_mutex_lock(&f->mu);
        b->state = FL_READY;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

static void fl_free(flusher *f)
{
    for (int i = 0; i < FL_RING; i++) {
        buf_free(&f->b[i].post);
        buf_free(&f->b[i].pos);
    }
    for (int i = 0; i < 2; i++) {
        pw_free(&f->c[i].pw);
        buf_free(&f->c[i].docs);
        buf_free(&f->c[i].pos);
    }
    free(f);
}

/* Waits until batch number k is encoded, encoding batches itself while
 * there are some to claim; NULL when every term has been written. */
static fl_batch *fl_wait(flusher *f, size_t k)
{
    fl_batch *b = &f->b[k % FL_RING];
    pthread_mutex_lock(&f->mu);
    for (;;) {
        if (b->state == FL_READY && b->seq == k)
            break;
        if (k >= f->claimed && f->next >= f->n) {
            b = NULL;
            break;
        }
        fl_batch *c = fl_claim(f);
        if (c) {
            pthread_mutex_unlock(&f->mu);
            fl_code(f, c, &f->c[0]);
            pthread_mutex_lock(&f->mu);
            c->state = FL_READY;
            pthread_cond_broadcast(&f->cv);
        } else {
            pthread_cond_wait(&f->cv, &f->mu);
        }
    }
    pthread_mutex_unlock(&f->mu);
    return b;
}

/* Writes every term through w; MG_OK, MG_ENOMEM or MG_EINTERRUPTED. */
static int inv_flush_terms(inverter *const *v, int nv, const fl_ref *refs, size_t n, seg_writer *w,
                           const atomic_int *stop)
{
    flusher *f = calloc(1, sizeof *f);
    if (!f)
        return MG_ENOMEM;
    f->v = v;
    f->nv = nv;
    f->base[1] = v[0]->ndocs;
    f->refs = refs;
    f->n = n;
    f->w = w;
    for (int i = 0; i < FL_RING; i++) {
        buf_init(&f->b[i].post);
        buf_init(&f->b[i].pos);
    }
    for (int i = 0; i < 2; i++) {
        pw_init(&f->c[i].pw);
        buf_init(&f->c[i].docs);
        buf_init(&f->c[i].pos);
    }
    if (pthread_mutex_init(&f->mu, NULL) != 0) {
        fl_free(f);
        return MG_ENOMEM;
    }
    if (pthread_cond_init(&f->cv, NULL) != 0) {
        pthread_mutex_destroy(&f->mu);
        fl_free(f);
        return MG_ENOMEM;
    }
    pthread_t th;
    int made = pthread_create(&th, NULL, fl_thread, f) == 0;
    int rc = MG_OK;
    fl_batch *b;
    for (size_t k = 0; rc == MG_OK && (b = fl_wait(f, k)) != NULL; k++) {
        if (stop && *stop)
            rc = MG_EINTERRUPTED;
        else
            rc = fl_write(f, b, w);
        pthread_mutex_lock(&f->mu);
        b->state = FL_FREE;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    if (made) {
        pthread_mutex_lock(&f->mu);
        f->quit = 1;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        pthread_join(th, NULL);
    }
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    fl_free(f);
    return rc;
}

/* The inverter's terms (with any documents) in term order, in *out; their
 * number, or (size_t)-1 when out of memory.  Sorted here, or in a thread
 * started in *th (*made set) when th is not NULL. */
static size_t inv_refs(const inverter *v, term_ref **out, tr_job *job, pthread_t *th, int *made)
{
    term_ref *refs = malloc((v->nterms ? v->nterms : 1) * sizeof *refs);
    *out = refs;
    if (!refs)
        return (size_t)-1;
    size_t i = 0, n = 0;
    const char *key;
    size_t len;
    uint32_t val;
    while (strmap_at(v->vocab, &i, &key, &len, &val))
        if (val < v->nterms)
            refs[n++] = (term_ref){ key, (uint32_t)len, val };
    if (!th) {
        tr_sort2(refs, n);
        return n;
    }
    *job = (tr_job){ refs, n };
    *made = pthread_create(th, NULL, tr_sort_thread, job) == 0;
    if (!*made)
        tr_sort(refs, n, 0);
    return n;
}

/* The segment's terms: the inverters' sorted terms merged, a term in both
 * once. */
static fl_ref *inv_merge_refs(term_ref *const *r, const size_t *n, int nv, size_t *count)
{
    size_t na = n[0], nb = nv > 1 ? n[1] : 0, i = 0, j = 0, k = 0;
    fl_ref *m = malloc((na + nb ? na + nb : 1) * sizeof *m);
    if (!m)
        return NULL;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : term_ref_cmp(&r[0][i], &r[1][j], 0);
        const term_ref *t = c <= 0 ? &r[0][i] : &r[1][j];
        m[k] = (fl_ref){ t->key, t->len, { c <= 0 ? r[0][i].id : NO_TERM, c >= 0 ? r[1][j].id : NO_TERM } };
        k++;
        i += c <= 0;
        j += c >= 0;
    }
    *count = k;
    return m;
}

int inv_flush_n(inverter *const *v, int nv, const char *dir, uint64_t id, const atomic_int *stop,
                errbuf *e)
{
    term_ref *refs[2] = { NULL, NULL };
    size_t n[2] = { 0, 0 }, nref = 0;
    tr_job job;
    pthread_t th;
    int made = 0;
    if (nv > 1)
        n[1] = inv_refs(v[1], &refs[1], &job, &th, &made);
    n[0] = inv_refs(v[0], &refs[0], NULL, NULL, NULL);
    if (made)
        pthread_join(th, NULL);
    fl_ref *m = n[0] != (size_t)-1 && (nv < 2 || n[1] != (size_t)-1) ? inv_merge_refs(refs, n, nv, &nref)
                                                                       : NULL;
    free(refs[0]);
    free(refs[1]);
    if (!m)
        return err_set(e, MG_ENOMEM, "out of memory flushing a segment");
    stw_mark mark;
    stw_flush(&v[0]->st);
    if (nv > 1) {
        stw_flush(&v[1]->st);
        stw_append(&v[0]->st, &v[1]->st, &mark);
    }
    seg_writer w;
    int rc = segw_begin(&w, dir, id, &v[0]->st, e);
    if (rc == MG_OK) {
        w.sync = 0; /* the commit fsyncs it, once, before naming it */
        if (nv > 1)
            w.st_tail = &v[1]->st; /* its compressed blocks follow v[0]'s */
        for (int k = 0; k < nv; k++) {
            for (uint32_t d = 0; d < v[k]->ndocs; d++)
                segw_doc(&w, NULL, le32(v[k]->title_len.p + 4 * d), le32(v[k]->body_len.p + 4 * d),
                         (int64_t)le64(v[k]->dates.p + 8 * d));
            segw_add_tokens(&w, v[k]->title_tokens, v[k]->body_tokens);
        }
        rc = inv_flush_terms(v, nv, m, nref, &w, stop);
        if (rc != MG_OK) {
            segw_abort(&w);
            if (rc == MG_EINTERRUPTED)
                rc = err_set(e, MG_EINTERRUPTED, "interrupted while writing a segment");
            else
                rc = err_set(e, MG_ENOMEM, "out of memory writing a segment");
        } else {
            rc = segw_finish(&w);
        }
    }
    free(m);
    if (nv > 1) /* the inverters are as they were: a flush can be retried, also when the
                   caller failed after a success (the segment could not be opened) */
        stw_unappend(&v[0]->st, &mark);
    return rc;
}

int inv_flush(inverter *v, const char *dir, uint64_t id, const atomic_int *stop, errbuf *e)
{
    return inv_flush_n(&v, 1, dir, id, stop, e);
}

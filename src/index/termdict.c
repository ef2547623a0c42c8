/* termdict.c — the term dictionary: terms in byte order, front-coded in
 * blocks of 32, with a sparse index of each block's first term for binary
 * search.  Exact lookup costs one binary search and a scan of <= 32 terms;
 * prefix enumeration seeks to the prefix and walks forward.
 *
 * DICT section: blocks, each
 *   u8 count                      entries in the block (1..32)
 *   count entries:
 *     varint shared               bytes shared with the previous term of
 *                                 the block (0 for the first)
 *     varint suffix_len, suffix   the rest of the term (term <= 255 bytes)
 *     varint df                   documents
 *   when df == 1 the posting is inlined (60% of terms occur once; a list
 *   of their own would cost more than the posting):
 *     varint doc
 *     varint tf_body << 3 | mode << 1 | (tf_title > 0)
 *     varint tf_title             only when that last bit is set
 *     varint first                its first position value (the position,
 *                                 << 1 | exact in mode mixed; postings_write.c)
 *     varint pos_off delta        only when cf > 1: offset of its other
 *                                 positions in POSITIONS, minus the
 *                                 previous such offset in the block
 *                                 (first: absolute)
 *     (cf = tf_title + tf_body; the bound is the posting itself with the
 *     document's norms from NORMS)
 *   otherwise:
 *     varint (cf - df) << 4 | inline << 3 | escapes << 2 | mode
 *                                 cf - df: occurrences beyond one per
 *                                 document, the values in POSITIONS;
 *                                 inline: 1 when the list follows here
 *                                 (format 11; 10 had this field shifted by
 *                                 3, without the bit);
 *                                 escapes: 1 when some first position of
 *                                 the list is escaped (postings_write.c)
 *     when inline (written for df <= DICT_INLINE_MAX_DF, 15; at most 128,
 *     one block, no skip table):
 *       varint len, len bytes     the list exactly as POSTINGS would hold
 *                                 it (postings_write.c): a rare word's
 *                                 lookup then reads no POSTINGS line, a
 *                                 dependent cache miss on a large index
 *     otherwise:
 *       varint doc_off delta      offset of the list in POSTINGS, minus the
 *                                 previous such entry's (first: absolute)
 *     varint pos_off delta        only when cf > df, as above
 *     varint max_tf_title         the list's bound (exact), only when
 *     varint max_tf_body          df >= 16 (DICT_BOUND_MIN_DF; shorter
 *     u8 min_title_norm           lists are read whole when opened, and
 *     u8 min_body_norm            the cursor works their bound out)
 *   mode says how the term's positions carry the exact flag: 0 mixed
 *   (flag bit in every position), 1 all exact, 2 none exact (postings_write.c).
 * DICTIDX section: per block
 *   u64 offset of the block in DICT
 *   u8 len, len bytes             the block's first term
 */
#include "index/segment.h"

#include <string.h>

static int term_cmp(const void *a, size_t al, const void *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

/* ---------------------------------------------------------------- writer */

void td_writer_init(td_writer *w)
{
    memset(w, 0, sizeof *w);
    buf_init(&w->dict);
    buf_init(&w->idx);
}

void td_writer_free(td_writer *w)
{
    buf_free(&w->dict);
    buf_free(&w->idx);
}

static void td_close_block(td_writer *w)
{
    if (w->in_block && !w->dict.oom)
        w->dict.p[w->block_start] = (uint8_t)w->in_block;
    w->in_block = 0;
}

/* The entry's bytes after the block's first `shared` term bytes (the
 * format above); the offsets it is relative to move on. */
static void td_put_entry(td_writer *w, const td_entry *e, size_t shared)
{
    /* at most 10 varints of 10 bytes, the term's rest, the inlined list and
     * two norm bytes */
    size_t inl = e->df != 1 && e->inl_post ? e->inl_post_len : 0;
    if (buf_reserve_fast(&w->dict, 100 + e->len + inl + 2 + 16) != 0)
        return;
    uint8_t *p = w->dict.p + w->dict.len;
    p = varint_put(p, shared);
    p = varint_put(p, e->len - shared);
    size_t suf = e->len - shared;
    if (shared + (suf + 15) / 16 * 16 <= sizeof e->term) /* whole 16-byte pieces (16 bytes of room reserved) */
        for (size_t i = 0; i < suf; i += 16)
            memcpy(p + i, e->term + shared + i, 16);
    else
        memcpy(p, e->term + shared, suf);
    p += suf;
    p = varint_put(p, e->df);
    if (e->df == 1) {
        p = varint_put(p, e->inl_doc);
        p = varint_put(p, (uint64_t)e->inl_tfb << 3 | (uint64_t)e->mode << 1 | (e->inl_tft > 0));
        if (e->inl_tft)
            p = varint_put(p, e->inl_tft);
        p = varint_put(p, e->inl_fv);
    } else {
        p = varint_put(p, (e->cf - e->df) << 4 | (uint64_t)(e->inl_post ? 8 : 0) |
                             (uint64_t)(e->escs ? 4 : 0) | e->mode);
        if (e->inl_post) {
            p = varint_put(p, e->inl_post_len);
            memcpy(p, e->inl_post, inl);
            p += inl;
        } else {
            p = varint_put(p, e->doc_off - w->prev_doc_off);
            w->prev_doc_off = e->doc_off;
        }
    }
    if (e->cf > e->df) { /* values in POSITIONS */
        p = varint_put(p, e->pos_off - w->prev_pos_off);
        w->prev_pos_off = e->pos_off;
    }
    if (e->df >= DICT_BOUND_MIN_DF) {
        p = varint_put(p, e->bound.max_tf_title);
        p = varint_put(p, e->bound.max_tf_body);
        *p++ = e->bound.min_title_norm;
        *p++ = e->bound.min_body_norm;
    }
    w->dict.len = (size_t)(p - w->dict.p);
}

/* dst[from..len) = src[from..len) for term arrays (IX_TERM_MAX + 1 = 256
 * bytes, len <= IX_TERM_MAX): in whole 16-byte pieces from a multiple of
 * 16, which stay inside both arrays (no memcpy call for a few bytes). */
static inline void td_copy(char *dst, const char *src, size_t from, size_t len)
{
    _Static_assert((IX_TERM_MAX + 1) % 16 == 0, "term arrays are whole 16-byte pieces");
    for (size_t i = from & ~(size_t)15; i < len; i += 16)
        memcpy(dst + i, src + i, 16);
}

void td_writer_add(td_writer *w, const td_entry *e)
{
    size_t shared = 0;
    if (w->in_block == DICT_BLOCK_TERMS)
        td_close_block(w);
    if (w->in_block == 0) {
        w->block_start = w->dict.len;
        buf_put_le64(&w->idx, w->dict.len);
        buf_put_u8(&w->idx, (uint8_t)e->len);
        buf_put(&w->idx, e->term, e->len);
        buf_put_u8(&w->dict, 0); /* count, patched at the block's end */
        w->prev_doc_off = 0;
        w->prev_pos_off = 0;
        w->nblocks++;
    } else {
        size_t m = e->len < w->prev_len ? e->len : w->prev_len;
        uint64_t a, b;
        for (; shared + 8 <= m; shared += 8) { /* 8 bytes a step, then the first that differs */
            memcpy(&a, e->term + shared, 8);
            memcpy(&b, w->prev + shared, 8);
            if (a != b)
                break;
        }
        while (shared < m && e->term[shared] == w->prev[shared])
            shared++;
    }
    td_put_entry(w, e, shared);
    td_copy(w->prev, e->term, shared, e->len); /* the first `shared` bytes are there */
    w->prev_len = e->len;
    w->in_block++;
    w->nterms++;
}

void td_writer_finish(td_writer *w) { td_close_block(w); }

/* ---------------------------------------------------------------- reader */

static int td_open_block(td_iter *it, uint32_t b)
{
    const ix_segment *s = it->seg;
    const sect *d = &s->sec[SEC_DICT];
    uint64_t from = s->dict_off[b];
    uint64_t to = b + 1 < s->ndict_blocks ? s->dict_off[b + 1] : d->len;
    if (from >= to || to > d->len) {
        it->bad = 1;
        return 0;
    }
    it->block = b;
    it->r = rd_make(d->p + from, (size_t)(to - from));
    it->left = rd_u8(&it->r);
    it->cur.len = 0;
    it->cur.doc_off = 0;
    it->cur.pos_off = 0;
    if (it->left == 0 || it->left > DICT_BLOCK_TERMS) {
        it->bad = 1;
        return 0;
    }
    return 1;
}

/* An inlined posting's bound takes its document's norms from NORMS: a
 * random read, so a seek fills it only for the entry it stops at. */
static void td_inline_norms(const td_iter *it, td_entry *e)
{
    const ix_segment *s = it->seg;
    int norms = s->sec[SEC_NORMS].len == 2ull * s->ndocs;
    e->bound.min_title_norm = norms ? s->sec[SEC_NORMS].p[e->inl_doc] : 0;
    e->bound.min_body_norm = norms ? s->sec[SEC_NORMS].p[s->ndocs + e->inl_doc] : 0;
}

/* Reads the next entry of the current block into it->cur; an inlined
 * posting's norms only when norms is set. */
static int td_read_entry(td_iter *it, int norms)
{
    rd *r = &it->r;
    td_entry *e = &it->cur;
    uint64_t shared = rd_varint_fast(r), suf = rd_varint_fast(r);
    if (r->bad || shared > e->len || shared + suf > IX_TERM_MAX || suf > rd_left(r)) {
        it->bad = 1;
        return 0;
    }
    memcpy(e->term + shared, r->p, (size_t)suf); /* suf <= rd_left(r) */
    r->p += suf;
    e->len = (size_t)(shared + suf);
    e->term[e->len] = '\0';
    uint64_t df = rd_varint_fast(r);
    if (df == 1) {
        uint64_t doc = rd_varint_fast(r), v = rd_varint_fast(r), tft = (v & 1) ? rd_varint_fast(r) : 0;
        e->inl_fv = rd_varint_fast(r);
        if (tft + (v >> 3) > 1)
            e->pos_off += rd_varint_fast(r);
        const ix_segment *s = it->seg;
        if (r->bad || doc >= s->ndocs || (v >> 3) > UINT32_MAX || tft > UINT32_MAX ||
            ((v >> 1) & 3) > POS_INEXACT || (tft == 0 && (v >> 3) == 0) ||
            e->inl_fv > (((v >> 1) & 3) == POS_MIXED ? 2ull * UINT32_MAX + 1 : UINT32_MAX)) {
            it->bad = 1;
            return 0;
        }
        e->df = 1;
        e->inl_doc = (uint32_t)doc;
        e->inl_tft = (uint32_t)tft;
        e->inl_tfb = (uint32_t)(v >> 3);
        e->mode = (uint8_t)((v >> 1) & 3);
        e->cf = tft + (v >> 3);
        e->escs = 0;
        e->inl_post = NULL;
        e->bound.max_tf_title = e->inl_tft;
        e->bound.max_tf_body = e->inl_tfb;
        e->bound.min_title_norm = e->bound.min_body_norm = 0;
        if (norms)
            td_inline_norms(it, e);
        it->left--;
        return 1;
    }
    uint64_t extra = rd_varint_fast(r);
    int v11 = it->seg->version >= 11; /* 10 had no inline flag */
    uint64_t more = v11 ? extra >> 4 : extra >> 3;
    e->inl_post = NULL;
    e->inl_post_len = 0;
    if (v11 && (extra & 8)) { /* the list itself */
        uint64_t n = rd_varint_fast(r);
        if (r->bad || n == 0 || n > rd_left(r) || df > 128) { /* one block, no skip table */
            it->bad = 1;
            return 0;
        }
        e->inl_post = r->p;
        e->inl_post_len = (uint32_t)n;
        r->p += n;
    } else {
        e->doc_off += rd_varint_fast(r);
    }
    if (more)
        e->pos_off += rd_varint_fast(r);
    uint64_t mt = 0, mb = 0;
    memset(&e->bound, 0, sizeof e->bound); /* short lists: the cursor works it out */
    if (df >= DICT_BOUND_MIN_DF) {
        mt = rd_varint_fast(r);
        mb = rd_varint_fast(r);
        e->bound.min_title_norm = rd_u8(r);
        e->bound.min_body_norm = rd_u8(r);
    }
    if (r->bad || df == 0 || df > UINT32_MAX || mt > UINT32_MAX || mb > UINT32_MAX ||
        (extra & 3) > POS_INEXACT) {
        it->bad = 1;
        return 0;
    }
    e->df = (uint32_t)df;
    e->mode = (uint8_t)(extra & 3);
    e->escs = (uint8_t)((extra >> 2) & 1);
    e->cf = df + more;
    e->bound.max_tf_title = (uint32_t)mt;
    e->bound.max_tf_body = (uint32_t)mb;
    it->left--;
    return 1;
}

int td_smallest(const td_iter *it, const uint8_t *live, uint32_t n)
{
    int best = -1;
    for (uint32_t i = 0; i < n; i++) {
        if (!live[i])
            continue;
        if (best < 0) {
            best = (int)i;
            continue;
        }
        const td_entry *a = &it[i].cur, *b = &it[best].cur;
        int c = memcmp(a->term, b->term, a->len < b->len ? a->len : b->len);
        if (c < 0 || (c == 0 && a->len < b->len))
            best = (int)i;
    }
    return best;
}

static int td_step(td_iter *it, int norms)
{
    if (it->bad)
        return 0;
    if (it->left == 0) {
        if (it->block + 1 >= it->seg->ndict_blocks || !td_open_block(it, it->block + 1))
            return 0;
    }
    return td_read_entry(it, norms);
}

int td_next(td_iter *it) { return td_step(it, 1); }

uint64_t td_key(const void *term, size_t len)
{
    const uint8_t *t = term;
    uint64_t k = 0;
    for (size_t i = 0; i < 8; i++)
        k = k << 8 | (i < len ? t[i] : 0);
    return k;
}

/* The first i in [lo, hi) with a[i] > k (strict) or >= k, else hi. */
static uint32_t td_bound(const uint64_t *a, uint32_t lo, uint32_t hi, uint64_t k, int strict)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] > k || (!strict && a[mid] == k))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Starts loading dict_key[lo, hi) and the block offsets the lookup reads
 * next: their misses in parallel. */
static void td_prefetch_range(const ix_segment *s, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = lo; i < hi; i += 64 / sizeof *s->dict_key) {
        __builtin_prefetch(&s->dict_key[i]);
        __builtin_prefetch(&s->dict_off[i]);
    }
    __builtin_prefetch(&s->dict_key[hi - 1]);
    __builtin_prefetch(&s->dict_off[hi - 1]);
}

/* The range [*lo, *hi) of dict_key left to search after dict_top's entry
 * j (td_bound's result, > 0). */
static void td_top_range(const ix_segment *s, uint32_t j, uint32_t *lo, uint32_t *hi)
{
    *lo = (j - 1) * DICT_TOP_STRIDE + 1;
    *hi = j * DICT_TOP_STRIDE < s->ndict_blocks ? j * DICT_TOP_STRIDE : s->ndict_blocks;
}

/* dict_key's first i with key > k (strict) or >= k, searched through
 * dict_top first: that array is small enough to stay in cache, and then
 * only DICT_TOP_STRIDE keys (a few cache lines) are left. */
static uint32_t td_key_bound(const ix_segment *s, uint64_t k, int strict)
{
    uint32_t j = td_bound(s->dict_top, 0, s->ndict_top, k, strict), lo, hi;
    if (j == 0)
        return 0;
    td_top_range(s, j, &lo, &hi);
    if (lo >= hi)
        return lo;
    td_prefetch_range(s, lo, hi);
    return td_bound(s->dict_key, lo, hi, k, strict);
}

/* The last block whose first term is <= key (0 if none is).  Blocks whose
 * key differs from the term's are ordered by the keys alone; only those
 * whose first 8 bytes equal the term's compare the whole first term. */
static uint32_t td_find_block(const ix_segment *s, const char *key, size_t len)
{
    uint64_t k = td_key(key, len);
    uint32_t lo = td_key_bound(s, k, 0), hi = td_key_bound(s, k, 1);
    while (lo < hi) { /* first block in the equal range whose term is > key */
        uint32_t mid = lo + (hi - lo) / 2;
        if (term_cmp(s->dict_first[mid], s->dict_first_len[mid], key, len) > 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo ? lo - 1 : 0;
}

/* Starts loading dictionary block b's lines from the one holding byte
 * `skip` of the block on (0: all of them), so that their misses overlap. */
static void td_prefetch_block(const ix_segment *s, uint32_t b, uint64_t skip)
{
    uint64_t from = s->dict_off[b];
    uint64_t to = b + 1 < s->ndict_blocks ? s->dict_off[b + 1] : s->sec[SEC_DICT].len;
    for (uint64_t o = (from + skip) & ~(uint64_t)63; o < to && o < s->sec[SEC_DICT].len; o += 64)
        __builtin_prefetch(s->sec[SEC_DICT].p + o);
}

int td_seek(td_iter *it, const ix_segment *s, const char *key, size_t len)
{
    memset(it, 0, offsetof(td_iter, cur));
    it->seg = s;
    it->bad = 0;
    it->cur.len = 0;
    if (s->ndict_blocks == 0)
        return 0;
    uint32_t b = td_find_block(s, key, len);
    td_prefetch_block(s, b, 64); /* the first line td_open_block reads at once */
    if (!td_open_block(it, b))
        return 0;
    while (td_step(it, 0)) {
        if (term_cmp(it->cur.term, it->cur.len, key, len) >= 0) {
            if (it->cur.df == 1)
                td_inline_norms(it, &it->cur);
            return 1;
        }
    }
    return 0;
}

void td_prefetch(const ix_segment *s, const char *term, size_t len)
{
    if (s->ndict_blocks == 0 || len > IX_TERM_MAX)
        return;
    td_prefetch_block(s, td_find_block(s, term, len), 0);
}

void td_prefetch_keys(const ix_segment *s, const char *term, size_t len)
{
    if (s->ndict_blocks == 0 || len > IX_TERM_MAX)
        return;
    uint64_t k = td_key(term, len); /* the range td_find_block searches last */
    uint32_t j = td_bound(s->dict_top, 0, s->ndict_top, k, 1), lo, hi;
    if (j == 0)
        return;
    td_top_range(s, j, &lo, &hi);
    if (lo < hi)
        td_prefetch_range(s, lo, hi);
}

int td_lookup(const ix_segment *s, const char *term, size_t len, td_entry *e)
{
    td_iter it;
    if (len > IX_TERM_MAX || !td_seek(&it, s, term, len))
        return 0;
    if (it.cur.len != len || memcmp(it.cur.term, term, len) != 0)
        return 0;
    *e = it.cur;
    return 1;
}

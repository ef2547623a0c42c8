/* postings.c — the ix_post cursor that walks a segment's posting lists
 * (their format is specified in postings_write.c, which writes them).
 *
 * A cursor finds a doc's values in POSITIONS from its block's skip entry
 * (pos_boff, pos_index; 0, 0 without a skip table), adding tf - 1 of the
 * docs before it in the block and walking the positions blocks in between
 * by their headers; positions blocks are decoded only when positions are
 * read.  Before format 6 every value was a varint; before 8 the first
 * positions were in POSITIONS too.
 *
 * Reading less (for conjunctions, which touch few documents of a long
 * list's blocks): the skip table is searched by galloping; a document's
 * frequencies are read alone from the packed block (codec_pfor_get) for
 * the first TF_PROBES asked in a block, then the block is decoded whole;
 * finding positions decodes only the tf - 1 stream; a document's few
 * positions are read alone from a positions block the first time it is
 * used (pos_part), which is decoded whole if used again.
 */
#include "index/codec.h"
#include "index/segment.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------------- cursor */

static inline uint32_t skip_last(const ix_post *c, uint32_t b) { return le32(c->skip + (size_t)b * SKIP_ENTRY); }

static void post_end(ix_post *c, int bad)
{
    c->doc = IX_END;
    c->block = c->nblocks;
    c->block_len = 0;
    c->in_block = 0;
    if (bad)
        c->bad = 1;
}

/* Turns a packed block's stored gaps (docid - previous - 1) in docs[0..n)
 * into docids, prev being the previous block's last (UINT64_MAX before the
 * first): a prefix sum in 32-bit lanes, four at a time with SSE2.  The
 * lanes hold the true docids when no sum passed 2^32, which is sure when
 * prev + 1 + n * (max gap + 1) <= 2^32 (the gaps' OR bounds their max);
 * otherwise the sum is redone in 64 bits from the lanes' differences
 * (exact modulo 2^32).  0 when the last docid is below ndocs, else -1. */
static int docs_from_gaps(uint32_t *docs, uint32_t n, uint64_t prev, uint64_t ndocs)
{
    uint32_t i = 0, d = (uint32_t)prev, any = 0;
#if defined(__SSE2__)
    __m128i carry = _mm_set1_epi32((int)d), one = _mm_set1_epi32(1), acc = _mm_setzero_si128();
    for (; i + 4 <= n; i += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(docs + i));
        acc = _mm_or_si128(acc, v);
        __m128i x = _mm_add_epi32(v, one);
        x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
        x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
        x = _mm_add_epi32(x, carry);
        _mm_storeu_si128((__m128i *)(docs + i), x);
        carry = _mm_shuffle_epi32(x, 0xFF);
    }
    acc = _mm_or_si128(acc, _mm_srli_si128(acc, 8));
    acc = _mm_or_si128(acc, _mm_srli_si128(acc, 4));
    any = (uint32_t)_mm_cvtsi128_si32(acc);
    d = (uint32_t)_mm_cvtsi128_si32(carry);
#endif
    for (; i < n; i++) {
        any |= docs[i];
        d += docs[i] + 1;
        docs[i] = d;
    }
    uint64_t last = (uint64_t)d;
    if ((prev + 1) + (uint64_t)n * ((uint64_t)any + 1) > (1ull << 32)) {
        /* maybe wrapped: the true last, from the gaps mod 2^32 */
        uint32_t before = (uint32_t)prev;
        last = prev;
        for (i = 0; i < n; i++) {
            last += (uint64_t)(uint32_t)(docs[i] - before - 1) + 1;
            before = docs[i];
        }
    }
    return last < ndocs ? 0 : -1;
}

/* Decodes block b into docs/tf arrays; 0 on success, -1 when corrupt. */
static int post_decode(ix_post *c, uint32_t b)
{
    uint32_t n = b + 1 < c->nblocks ? 128 : c->df - 128 * (c->nblocks - 1);
    uint64_t off = 0, prev = UINT64_MAX; /* -1 */
    if (c->skip) {
        off = le32(c->skip + (size_t)b * SKIP_ENTRY + 4);
        c->block_pos_boff = le32(c->skip + (size_t)b * SKIP_ENTRY + 8);
        c->block_pos_g = le32(c->skip + (size_t)b * SKIP_ENTRY + 12);
        if (b > 0)
            prev = skip_last(c, b - 1);
    } else {
        c->block_pos_boff = c->block_pos_g = 0;
    }
    if (off > (uint64_t)(c->end - c->base))
        return -1;
    const uint8_t *p = c->base + off, *end = c->end;
    uint64_t ndocs = c->seg->ndocs;
    if (n >= TAIL_PACK_MIN) {
        if (!(p = codec_pfor_decode(p, end, n, c->docs)))
            return -1;
        /* The frequencies are decoded when first asked for (post_tf): a
         * block entered only to pass over it needs its docids alone. */
        c->tf_src = p;
        c->tf_ready = 0;
        c->tf_probes = 0;
        c->tf_at = UINT32_MAX;
        c->tf_src2 = NULL;
        if (docs_from_gaps(c->docs, n, prev, ndocs) != 0)
            return -1;
    } else {
        uint64_t d = prev;
        for (uint32_t i = 0; i < n; i++) {
            uint64_t g, v, t = 0;
            if (!(p = varint_get(p, end, &g)) || !(p = varint_get(p, end, &v)))
                return -1;
            if ((v & 1) && !(p = varint_get(p, end, &t)))
                return -1;
            d += g + 1;
            if (d >= ndocs || (v >> 1) > UINT32_MAX || t > UINT32_MAX)
                return -1;
            c->docs[i] = (uint32_t)d;
            c->tf_body[i] = (uint32_t)(v >> 1);
            c->tf_title[i] = (uint32_t)t;
        }
        c->tf_ready = 1;
    }
    c->first_src = n >= TAIL_PACK_MIN ? NULL : p; /* packed: after the tf runs */
    c->first_escp = NULL;
    c->first_at = 0;
    c->first_done = c->first_nesc = 0;
    if (c->skip && c->docs[n - 1] != skip_last(c, b))
        return -1;
    c->block = b;
    c->block_len = n;
    c->in_block = 0;
    c->pos_skip_docs = 0;
    c->pos_g = c->block_pos_g;
    c->pos_boff = c->block_pos_boff;
    c->doc = c->docs[0];
    return 0;
}

static void post_tf(ix_post *c);

/* The bound of a short list (df < DICT_BOUND_MIN_DF, one block, decoded):
 * the dictionary does not hold it.  Its documents are likely hits (a rare
 * word's): the offsets of their ids start loading with their norms, so
 * that the page's id reads do not wait for them after ranking. */
static void post_short_bound(ix_post *c)
{
    post_tf(c);
    const ix_segment *s = c->seg;
    const sect *ns = &s->sec[SEC_NORMS];
    int norms = ns->len == 2ull * s->ndocs;
    ix_bound *b = &c->list_bound;
    memset(b, 0, sizeof *b);
    b->min_title_norm = b->min_body_norm = 255;
    for (uint32_t i = 0; i < c->block_len; i++) {
        uint32_t d = c->docs[i];
        ix_seg_doc_id_prefetch(s, d);
        uint8_t tn = norms ? ns->p[d] : 0, bn = norms ? ns->p[s->ndocs + d] : 0;
        if (c->tf_title[i] > b->max_tf_title) b->max_tf_title = c->tf_title[i];
        if (c->tf_body[i] > b->max_tf_body) b->max_tf_body = c->tf_body[i];
        if (tn < b->min_title_norm) b->min_title_norm = tn;
        if (bn < b->min_body_norm) b->min_body_norm = bn;
    }
}

void ix_post_prefetch(const ix_segment *s, const char *term, size_t len)
{
    if (s)
        td_prefetch(s, term, len);
}

void ix_post_prefetch_keys(const ix_segment *s, const char *term, size_t len)
{
    if (s)
        td_prefetch_keys(s, term, len);
}

int ix_post_open(ix_post *c, const ix_segment *s, const char *term, size_t len)
{
    memset(c, 0, offsetof(ix_post, docs));
    c->tf_ready = 1; /* nothing packed to unpack yet */
    c->seg = s;
    c->doc = IX_END;
    c->bad = 0;
    memset(&c->list_bound, 0, sizeof c->list_bound);
    td_entry e;
    if (!s || !td_lookup(s, term, len, &e) || e.df == 0)
        return 0;
    const sect *ps = &s->sec[SEC_POSTINGS], *qs = &s->sec[SEC_POSITIONS];
    c->df = e.df;
    c->list_bound = e.bound;
    c->pos_mode = e.mode;
    c->pos_cf = e.cf - e.df; /* all but each posting's first position */
    c->first_escs = e.escs;
    c->pb_num = c->pp_num = UINT64_MAX;
    c->nblocks = (e.df + 127) / 128;
    if (c->pos_cf && e.pos_off > qs->len) {
        post_end(c, 1);
        return 0;
    }
    c->pos_base = qs->p + (c->pos_cf ? e.pos_off : 0);
    c->pos_end = qs->p + qs->len;
    c->has_positions = 1;
    if (e.df == 1) { /* inlined in the dictionary */
        c->docs[0] = e.inl_doc;
        c->tf_title[0] = e.inl_tft;
        c->tf_body[0] = e.inl_tfb;
        c->tf_ready = 1;
        c->first_inl = e.inl_fv;
        c->block = 0;
        c->block_len = 1;
        c->in_block = 0;
        c->pos_skip_docs = 0;
        c->pos_g = c->pos_boff = c->block_pos_g = c->block_pos_boff = 0;
        c->doc = e.inl_doc;
        return 1;
    }
    const uint8_t *p;
    if (e.inl_post) { /* in the dictionary entry (one block: termdict.c) */
        p = e.inl_post;
        c->end = p + e.inl_post_len;
    } else if (e.doc_off > ps->len) {
        post_end(c, 1);
        return 0;
    } else {
        p = ps->p + e.doc_off;
        c->end = ps->p + ps->len;
    }
    if (c->nblocks > 1) {
        size_t sk = (size_t)c->nblocks * SKIP_ENTRY;
        if ((size_t)(c->end - p) < sk) {
            post_end(c, 1);
            return 0;
        }
        c->skip = p;
        p += sk;
    }
    c->base = p;
    if (post_decode(c, 0) != 0) {
        post_end(c, 1);
        return 0;
    }
    if (c->df < DICT_BOUND_MIN_DF)
        post_short_bound(c);
    return 1;
}

uint32_t ix_post_next(ix_post *c)
{
    if (c->doc == IX_END)
        return IX_END;
    if (++c->in_block < c->block_len)
        return c->doc = c->docs[c->in_block];
    if (c->block + 1 >= c->nblocks) {
        post_end(c, 0);
        return IX_END;
    }
    if (post_decode(c, c->block + 1) != 0)
        post_end(c, 1);
    return c->doc;
}

/* The first block >= from whose last docid is >= target (nblocks if
 * none), galloping then bisecting over the skip table: a far target costs
 * a logarithm of the blocks passed, not one step each. */
static uint32_t skip_find(const ix_post *c, uint32_t from, uint32_t target)
{
    uint32_t lo = from, step = 1, hi;
    for (;;) {
        if (lo >= c->nblocks)
            return c->nblocks;
        if (skip_last(c, lo) >= target)
            return lo;
        hi = lo + step;
        if (hi >= c->nblocks || skip_last(c, hi) >= target)
            break;
        lo = hi + 1;
        step *= 2;
    }
    if (hi >= c->nblocks)
        hi = c->nblocks; /* the answer is in (lo, hi], nblocks if none */
    while (lo + 1 < hi) { /* skip_last(lo) < target; hi is the answer or past */
        uint32_t mid = lo + (hi - lo) / 2;
        if (skip_last(c, mid) >= target)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

uint32_t ix_post_advance(ix_post *c, uint32_t target)
{
    if (c->doc == IX_END || c->doc >= target)
        return c->doc;
    if (c->docs[c->block_len - 1] < target) {
        /* skip whole blocks using the skip table, without decoding them */
        uint32_t b = c->skip ? skip_find(c, c->block + 1, target) : c->nblocks;
        if (b >= c->nblocks) {
            post_end(c, 0);
            return IX_END;
        }
        if (post_decode(c, b) != 0) {
            post_end(c, 1);
            return IX_END;
        }
        if (c->doc >= target)
            return c->doc;
    }
    uint32_t i = c->in_block + 1;
    while (c->docs[i] < target) /* the block's last doc is >= target */
        i++;
    c->in_block = i;
    return c->doc = c->docs[i];
}

/* The first index j >= from of docs[0..n) with docs[j] >= x, or n: eight
 * at a time with SSE2 (unsigned compares, by flipping the sign bits). */
static inline uint32_t docs_seek(const uint32_t *docs, uint32_t from, uint32_t n, uint32_t x)
{
    uint32_t j = from;
#if defined(__SSE2__)
    const __m128i flip = _mm_set1_epi32((int)0x80000000u);
    const __m128i xv = _mm_xor_si128(_mm_set1_epi32((int)x), flip);
    for (; j + 8 <= n; j += 8) {
        __m128i v0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(docs + j)), flip);
        __m128i v1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(docs + j + 4)), flip);
        unsigned lt = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(xv, v0))) |
                      (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(xv, v1))) << 4;
        if (lt != 0xFF) /* ascending: the ones below x come first */
            return j + (uint32_t)__builtin_ctz(~lt);
    }
#endif
    while (j < n && docs[j] < x)
        j++;
    return j;
}

int ix_post_meet(ix_post *a, ix_post *b, uint32_t *passed)
{
    *passed = 0;
    if (a->doc == IX_END || b->doc == IX_END)
        return 0;
    const uint32_t *da = a->docs, *db = b->docs;
    uint32_t i = a->in_block, j = b->in_block, na = a->block_len, nb = b->block_len, i0 = i;
    uint32_t x = da[i];
    int hit = 0;
    for (;;) {
        j = docs_seek(db, j, nb, x);
        if (j == nb) { /* b's block ends before x */
            j = nb - 1;
            break;
        }
        uint32_t y = db[j];
        if (y == x) {
            hit = 1;
            break;
        }
        while (i < na && da[i] < y) /* a is the sparser: few steps */
            i++;
        if (i == na) { /* a's block ends before y */
            i = na - 1;
            break;
        }
        x = da[i];
        if (x == y) {
            hit = 1;
            break;
        }
    }
    a->in_block = i;
    a->doc = da[i];
    b->in_block = j;
    b->doc = db[j];
    *passed = i - i0;
    return hit;
}

/* Decodes the current block's frequencies if post_decode left them
 * encoded; damage sets c->bad and gives zeros. */
static void post_tf_fail(ix_post *c)
{
    c->bad = 1;
    memset(c->tf_title, 0, sizeof c->tf_title);
    memset(c->tf_body, 0, sizeof c->tf_body);
    c->tf_ready = 1;
}

/* Decodes the first stream alone, tf - 1, into tf_body (tf_ready 2): what
 * finding a document's positions needs. */
static void post_tf_total(ix_post *c)
{
    if (c->tf_ready)
        return;
    const uint8_t *p = codec_pfor_decode(c->tf_src, c->end, c->block_len, c->tf_body);
    if (!p) {
        post_tf_fail(c);
        return;
    }
    c->tf_src2 = p;
    c->tf_ready = 2;
}

/* A document's tf_title + tf_body, once post_tf_total ran. */
static inline uint64_t post_tf_sum(const ix_post *c, uint32_t i)
{
    return c->tf_ready == 2 ? (uint64_t)c->tf_body[i] + 1 : (uint64_t)c->tf_title[i] + c->tf_body[i];
}

/* body[i] = body[i] + 1 - title[i]; nonzero if one wraps or goes below 0. */
static inline uint32_t tf_split(uint32_t *restrict body, const uint32_t *restrict title, uint32_t n)
{
    uint32_t bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t tf = body[i] + 1;
        bad |= (uint32_t)(tf == 0) | (uint32_t)(title[i] > tf);
        body[i] = tf - title[i];
    }
    return bad;
}

static void post_tf(ix_post *c)
{
    if (c->tf_ready == 1)
        return;
    post_tf_total(c);
    if (c->tf_ready == 1)
        return; /* damaged */
    uint32_t n = c->block_len;
    const uint8_t *p = codec_pfor_decode(c->tf_src2, c->end, n, c->tf_title);
    /* tf_body = tf - tf_title, where tf = stored + 1 must not wrap to 0
     * nor be below tf_title (branch-free, so the loop vectorizes) */
    uint32_t bad = !p;
    if (n == 128) /* a constant count: the loop vectorizes at -O2 */
        bad |= tf_split(c->tf_body, c->tf_title, 128);
    else
        bad |= tf_split(c->tf_body, c->tf_title, n);
    if (bad)
        post_tf_fail(c);
    c->tf_ready = 1;
}

/* Single frequencies read from a block before it is decoded whole: a
 * conjunction touches few documents of a long list's blocks. */
#define TF_PROBES 8

/* The current document's frequencies, read alone while the block has been
 * asked for few of them (0 if so; -1: decode the block). */
static int post_tf_probe(ix_post *c, uint32_t *title, uint32_t *body)
{
    if (c->tf_at == c->in_block) {
        *title = c->tf_at_t;
        *body = c->tf_at_b;
        return 0;
    }
    if (c->tf_probes >= TF_PROBES)
        return -1;
    c->tf_probes++;
    uint32_t n = c->block_len, i = c->in_block, t, b1;
    if (!c->tf_src2 && !(c->tf_src2 = codec_pfor_skip(c->tf_src, c->end, n)))
        return -1;
    if (c->tf_ready == 2)
        b1 = c->tf_body[i];
    else if (codec_pfor_get(c->tf_src, c->end, n, i, &b1))
        return -1;
    if (codec_pfor_get(c->tf_src2, c->end, n, i, &t) ||
        t > (uint64_t)b1 + 1 || (uint64_t)b1 + 1 - t > UINT32_MAX)
        return -1; /* damage: post_tf flags it */
    c->tf_at = i;
    *title = c->tf_at_t = t;
    *body = c->tf_at_b = (uint32_t)((uint64_t)b1 + 1 - t);
    return 0;
}

void ix_post_tfs(ix_post *c, uint32_t *title, uint32_t *body)
{
    if (c->doc == IX_END) {
        *title = *body = 0;
        return;
    }
    if (c->tf_ready != 1 && post_tf_probe(c, title, body) == 0)
        return;
    post_tf(c);
    *title = c->tf_title[c->in_block];
    *body = c->tf_body[c->in_block];
}

uint32_t ix_post_block(ix_post *c, const uint32_t **docs, const uint32_t **tf_title,
                       const uint32_t **tf_body)
{
    if (c->doc == IX_END)
        return 0;
    post_tf(c);
    *docs = c->docs;
    *tf_title = c->tf_title;
    *tf_body = c->tf_body;
    return c->block_len;
}

uint32_t ix_post_tf_title(ix_post *c)
{
    uint32_t t, b;
    ix_post_tfs(c, &t, &b);
    return t;
}

uint32_t ix_post_tf_body(ix_post *c)
{
    uint32_t t, b;
    ix_post_tfs(c, &t, &b);
    return b;
}

/* What a positions block's header says: n values; a packed block (n >=
 * POS_PACK_MIN) has width b and nexc exceptions, its `packed` bytes of bits
 * at `bits`, then the nexc exception indexes and their varints; a varint
 * block (b = nexc = 0) has its first varint at `bits`. */
typedef struct pos_head {
    unsigned n, b, nexc;
    size_t packed;
    const uint8_t *bits;
} pos_head;

/* Reads the header of positions block k, which starts at offset off,
 * checked against the end of the stream.  0, or -1 when corrupt. */
static int pos_head_read(const ix_post *c, uint64_t k, uint64_t off, pos_head *h)
{
    const uint8_t *end = c->pos_end;
    if (off > (uint64_t)(end - c->pos_base))
        return -1;
    const uint8_t *p = c->pos_base + off;
    uint64_t full = c->pos_cf / 128, tail = c->pos_cf % 128;
    *h = (pos_head){ k < full ? 128 : (unsigned)tail, 0, 0, 0, p };
    if (k > full || h->n == 0)
        return -1;
    if (h->n < POS_PACK_MIN)
        return 0;
    if (end - p < 2)
        return -1;
    h->b = p[0];
    h->nexc = p[1];
    h->packed = codec_packed_size_n(h->n, h->b);
    if (h->b > 32 || h->nexc > h->n || (size_t)(end - p) < 2 + h->packed + h->nexc)
        return -1;
    h->bits = p + 2;
    return 0;
}

/* Decodes positions block k, which starts at offset off, into c->pvals
 * (a no-op when it is the decoded one).  0, or -1 when corrupt. */
static int pos_load(ix_post *c, uint64_t k, uint64_t off)
{
    if (c->pb_num == k)
        return 0;
    const uint8_t *end = c->pos_end, *p;
    pos_head h;
    if (pos_head_read(c, k, off, &h) != 0)
        return -1;
    unsigned n = h.n, b = h.b, nexc = h.nexc;
    if (n >= POS_PACK_MIN) {
        uint32_t lo[128];
        if (n == 128)
            codec_unpack128(h.bits, b, lo);
        else
            codec_unpack_n(h.bits, n, b, lo);
        if (n == 128) /* a constant count: the copy vectorizes */
            for (unsigned i = 0; i < 128; i++)
                c->pvals[i] = lo[i];
        else
            for (unsigned i = 0; i < n; i++)
                c->pvals[i] = lo[i];
        const uint8_t *idx = h.bits + h.packed;
        p = idx + nexc;
        for (unsigned e = 0; e < nexc; e++) {
            uint64_t hi;
            if (!(p = varint_get(p, end, &hi)) || idx[e] >= n || hi == 0 || hi > (UINT64_MAX >> b))
                return -1;
            c->pvals[idx[e]] |= hi << b;
        }
    } else {
        p = h.bits;
        for (unsigned i = 0; i < n; i++)
            if (!(p = varint_get(p, end, &c->pvals[i])))
                return -1;
    }
    c->pb_num = k;
    c->pb_next = (uint64_t)(p - c->pos_base);
    return 0;
}

/* Runs of at most this many values are read alone from a positions block
 * not decoded yet (a document's few positions need not cost 128). */
#define POS_PARTIAL 48

/* Values j..j+run-1 of positions block k (starting at off) into out,
 * reading only their bits and the exceptions up to them.  0; 1 when the
 * block is varint-coded (use pos_load); -1 when corrupt. */
static int pos_part(ix_post *c, uint64_t k, uint64_t off, uint32_t j, uint32_t run, uint64_t *out)
{
    const uint8_t *end = c->pos_end, *p;
    pos_head h;
    if (pos_head_read(c, k, off, &h) != 0 || j + run > h.n)
        return -1;
    if (h.n < POS_PACK_MIN)
        return 1;
    unsigned n = h.n, b = h.b, nexc = h.nexc;
    size_t packed = h.packed;
    const uint8_t *lo = h.bits;
    uint64_t mask = b == 32 ? 0xFFFFFFFFull : (1ull << b) - 1;
    for (uint32_t t = 0; t < run; t++) {
        size_t bit = (size_t)(j + t) * b, at = bit / 8;
        uint64_t x = 0; /* little-endian host (as codec.c) */
        if (packed - at >= 8)
            memcpy(&x, lo + at, 8);
        else if (b)
            memcpy(&x, lo + at, packed - at);
        out[t] = (x >> (bit % 8)) & mask;
    }
    const uint8_t *idx = lo + packed;
    p = idx + nexc;
    for (unsigned e = 0; e < nexc && idx[e] < j + run; e++) {
        uint64_t hi;
        if (!(p = varint_get(p, end, &hi)) || idx[e] >= n || hi == 0 || hi > (UINT64_MAX >> b))
            return -1;
        if (idx[e] >= j)
            out[idx[e] - j] |= hi << b;
    }
    return 0;
}

/* The offset after full positions block k, which starts at off, read from
 * its header without decoding it.  0, or -1 when corrupt. */
static int pos_next_block(ix_post *c, uint64_t k, uint64_t off, uint64_t *next)
{
    if (c->pb_num == k) {
        *next = c->pb_next;
        return 0;
    }
    pos_head h;
    const uint8_t *p;
    if (k >= c->pos_cf / 128 || pos_head_read(c, k, off, &h) != 0)
        return -1;
    if (!(p = codec_skip_varints(h.bits + h.packed + h.nexc, c->pos_end, h.nexc)))
        return -1;
    *next = (uint64_t)(p - c->pos_base);
    return 0;
}

/* Moves pos_g (and pos_boff, its block's offset) forward to g. */
static int pos_seek(ix_post *c, uint64_t g)
{
    uint64_t k = c->pos_g / 128, off = c->pos_boff;
    for (; k < g / 128; k++)
        if (pos_next_block(c, k, off, &off) != 0)
            return -1;
    c->pos_g = g;
    c->pos_boff = off;
    return 0;
}

/* Reads bits (<= 35) bits at bit offset at of p[0..len) into *v; -1 when
 * they run past the end. */
static inline int bits_get(const uint8_t *p, size_t len, uint64_t at, unsigned bits, uint64_t *v)
{
    if (at + bits > 8ull * len)
        return -1;
    size_t i = (size_t)(at / 8);
    uint64_t x = 0; /* little-endian host (as codec.c) */
    if (len - i >= 8)
        memcpy(&x, p + i, 8);
    else
        memcpy(&x, p + i, len - i);
    *v = (x >> (at % 8)) & ((1ull << bits) - 1);
    return 0;
}

/* Doc d's first position width: from s->first_w, or worked out (in-memory
 * test segments have none). */
static inline unsigned first_w(const ix_segment *s, uint32_t d)
{
    if (s->first_w)
        return s->first_w[d];
    const sect *ns = &s->sec[SEC_NORMS];
    int norms = ns->len == 2ull * s->ndocs;
    return post_first_width(norms ? ns->p[d] : 255, norms ? ns->p[s->ndocs + d] : 255);
}

/* Where the block's first positions start (after its runs), found once. */
static const uint8_t *first_start(ix_post *c)
{
    if (!c->first_src) {
        uint32_t n = c->block_len;
        if (!c->tf_src2)
            c->tf_src2 = codec_pfor_skip(c->tf_src, c->end, n);
        if (c->tf_src2)
            c->first_src = codec_pfor_skip(c->tf_src2, c->end, n);
    }
    return c->first_src;
}

/* The value escape number e of the block stands for (the escapes follow
 * the bits of all its first positions); 0, or -1 when damaged. */
static int first_escape(ix_post *c, uint32_t e, uint64_t *v)
{
    if (!c->first_escp) {
        unsigned mixed = c->pos_mode == POS_MIXED;
        uint64_t bits = 0;
        for (uint32_t i = 0; i < c->block_len; i++)
            bits += first_w(c->seg, c->docs[i]) + mixed;
        if ((bits + 7) / 8 > (uint64_t)(c->end - c->first_src))
            return -1;
        c->first_escp = c->first_src + (bits + 7) / 8;
    }
    const uint8_t *p = codec_skip_varints(c->first_escp, c->end, e);
    if (!p || !varint_get(p, c->end, v))
        return -1;
    return (c->pos_mode == POS_MIXED ? *v >> 1 : *v) > UINT32_MAX ? -1 : 0;
}

/* The current document's first position value (format above): passes the
 * block's earlier documents by their widths (reading them only when the
 * list has escapes, which are numbered in order).  0, or -1 if damaged. */
static int post_first(ix_post *c, uint64_t *v)
{
    if (c->df == 1) {
        *v = c->first_inl;
        return 0;
    }
    const uint8_t *p = first_start(c);
    if (!p)
        return -1;
    if (c->first_done > c->in_block) { /* cannot happen going forward */
        c->first_done = c->first_nesc = 0;
        c->first_at = 0;
    }
    const ix_segment *s = c->seg;
    size_t len = (size_t)(c->end - p);
    unsigned mixed = c->pos_mode == POS_MIXED, k;
    uint64_t at = c->first_at;
    uint32_t i = c->first_done;
    if (!c->first_escs) {
        if (s->first_w)
            for (; i < c->in_block; i++)
                at += s->first_w[c->docs[i]] + mixed;
        for (; i < c->in_block; i++)
            at += first_w(s, c->docs[i]) + mixed;
    }
    for (;; i++) {
        k = first_w(s, c->docs[i]) + mixed;
        if (bits_get(p, len, at, k, v) != 0)
            return -1;
        at += k;
        if (*v == (1ull << k) - 1 && (!c->first_escs || first_escape(c, c->first_nesc++, v) != 0))
            return -1;
        if (i == c->in_block)
            break;
    }
    c->first_done = i + 1;
    c->first_at = at;
    return 0;
}

/* Reads the current doc's positions: up to cap of them to out/exact, and
 * all of them as values (varints, the term's mode) to raw when non-NULL.
 * Returns how many the doc has, 0 with c->bad set when corrupt. */
static uint32_t pos_read(ix_post *c, uint32_t *out, uint8_t *exact, uint32_t cap, buf *raw)
{
    if (c->doc == IX_END || !c->has_positions)
        return 0;
    if (c->pos_skip_docs > c->in_block) { /* cannot happen going forward */
        c->pos_skip_docs = 0;
        c->pos_g = c->block_pos_g;
        c->pos_boff = c->block_pos_boff;
    }
    post_tf_total(c);
    uint64_t g = c->pos_g, sum = post_tf_sum(c, c->in_block), v0;
    /* the first position of each document is not there */
    if (c->tf_ready == 2) { /* tf_body holds tf - 1 */
        for (uint32_t i = c->pos_skip_docs; i < c->in_block; i++)
            g += c->tf_body[i];
    } else {
        for (uint32_t i = c->pos_skip_docs; i < c->in_block; i++)
            g += (uint64_t)c->tf_title[i] + c->tf_body[i] - 1;
    }
    if (sum == 0 || sum > UINT32_MAX || c->bad) {
        c->bad = 1;
        return 0;
    }
    uint32_t n = (uint32_t)sum;
    if (g < c->pos_g || g + n - 1 > c->pos_cf || pos_seek(c, g) != 0 || post_first(c, &v0) != 0) {
        c->bad = 1;
        return 0;
    }
    c->pos_skip_docs = c->in_block;
    int mixed = c->pos_mode == POS_MIXED;
    uint8_t flag = c->pos_mode == POS_EXACT;
    uint64_t pos = mixed ? v0 >> 1 : v0, off = c->pos_boff, k = g / 128;
    if (raw)
        buf_put_varint(raw, v0);
    if (cap) {
        out[0] = (uint32_t)pos;
        if (exact)
            exact[0] = mixed ? (uint8_t)(v0 & 1) : flag;
    }
    for (uint32_t i = 1; i < n;) {
        if (g / 128 != k) { /* into the next block */
            if (pos_next_block(c, k, off, &off) != 0) {
                c->bad = 1;
                return 0;
            }
            k++;
        }
        uint32_t j = (uint32_t)(g % 128), run = 128 - j < n - i ? 128 - j : n - i;
        uint64_t part[POS_PARTIAL];
        const uint64_t *vals = c->pvals + j;
        int rc = 1;
        if (c->pb_num != k && c->pp_num != k && run <= POS_PARTIAL && !raw &&
            (rc = pos_part(c, k, off, j, run, part)) == 0) {
            vals = part;
            c->pp_num = k; /* read from again: decode it whole */
        }
        if (rc != 0 && (rc < 0 || pos_load(c, k, off) != 0)) {
            c->bad = 1;
            return 0;
        }
        if (!raw && !exact && i + run <= cap) { /* the common case, unswitched */
            for (uint32_t end = i + run; i < end; i++) {
                pos += mixed ? *vals++ >> 1 : *vals++;
                out[i] = (uint32_t)pos;
            }
            g += run;
            continue;
        }
        for (uint32_t end = i + run; i < end; i++) { /* the values in this block */
            uint64_t v = *vals++;
            if (raw)
                buf_put_varint(raw, v);
            pos += mixed ? v >> 1 : v;
            if (i < cap) {
                out[i] = (uint32_t)pos;
                if (exact)
                    exact[i] = mixed ? (uint8_t)(v & 1) : flag;
            }
        }
        g += run;
    }
    return n;
}

uint32_t ix_post_positions(ix_post *c, uint32_t *out, uint8_t *exact, uint32_t cap)
{
    return pos_read(c, out, exact, cap, NULL);
}

static void bound_from_skip(const ix_post *c, uint32_t b, ix_bound *out)
{
    const uint8_t *e = c->skip + (size_t)b * SKIP_ENTRY;
    out->max_tf_title = e[16] == 255 ? c->list_bound.max_tf_title : e[16];
    out->max_tf_body = e[17] == 255 ? c->list_bound.max_tf_body : e[17];
    out->min_title_norm = e[18];
    out->min_body_norm = e[19];
}

int ix_post_block_bound(ix_post *c, uint32_t target, uint32_t *last_doc, ix_bound *b)
{
    if (c->nblocks == 0)
        return 0;
    if (!c->skip) {
        if (c->block_len == 0 || c->docs[c->block_len - 1] < target)
            return 0;
        *last_doc = c->docs[c->block_len - 1];
        *b = c->list_bound;
        return 1;
    }
    uint32_t i = c->block < c->nblocks ? c->block : 0;
    if (i > 0 && skip_last(c, i - 1) >= target)
        i = 0; /* asked about an earlier place: search from the start */
    i = skip_find(c, i, target);
    if (i >= c->nblocks)
        return 0;
    *last_doc = skip_last(c, i);
    bound_from_skip(c, i, b);
    return 1;
}

void ix_post_list_bound(const ix_post *c, ix_bound *b) { *b = c->list_bound; }

int post_doc_positions(ix_post *c, buf *out)
{
    if (c->doc == IX_END)
        return -1;
    pos_read(c, NULL, NULL, 0, out);
    return c->bad || out->oom ? -1 : 0;
}

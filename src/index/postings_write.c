/* postings_write.c — posting lists: the block encoder used when a segment
 * is written (flush and merge).  The ix_post cursor that reads them is in
 * postings.c.
 *
 * On disk (inside the POSTINGS section of a segment file), one term's list
 * starts at the dictionary entry's doc_off:
 *
 *   skip table   only when the list has more than one block (df > 128):
 *                nblocks entries of 20 bytes, one per block:
 *                  u32 last_doc     the block's last docid
 *                  u32 block_off    offset of the block from the end of the
 *                                   skip table
 *                  u32 pos_boff     offset, from the term's pos_off
 *                                   (POSITIONS), of the positions block
 *                                   holding the block's first value there
 *                  u32 pos_index    index of that value among the term's
 *                                   (its block is pos_index / 128)
 *                  u8  max_tf_title block bound; 255 means "255 or more"
 *                  u8  max_tf_body  (the list's bound in the dictionary is
 *                                   then used, which is exact)
 *                  u8  min_title_norm  smallest norms of the block's docs
 *                  u8  min_body_norm
 *   blocks       ceil(df / 128) blocks, each of 128 documents except the
 *                last, which holds the rest (1..128).
 *
 * A full block (128 documents), three runs coded with patched frame of
 * reference (codec_pfor_encode in codec.c: a header byte, the values' low
 * b bits bit-packed, then the few wider values patched):
 *   docid gaps    gap = doc - prev - 1, prev being the previous document
 *                 (-1 before the first)
 *   tf - 1        tf = tf_title + tf_body (a posting has tf >= 1)
 *   tf_title      (all 0 for terms never in a title: one byte)
 * and tf_body = tf - tf_title.
 * A partial last block of 4 <= n < 128 documents: the same with n values
 *   per run (ceil(n*b/8) packed bytes).
 * A partial last block of n < 4 documents, n times (bit-packing headers
 * would cost more; 8 before format 10):
 *   varint gap                    as above
 *   varint tf_body << 1 | (tf_title > 0)
 *   varint tf_title               only when the flag bit is set
 * Every block ends with its documents' first positions (below).
 *
 * A list of one document (df == 1) has no entry here: the dictionary
 * holds its posting, first position included (termdict.c).  Lists of 2 to
 * DICT_INLINE_MAX_DF (15) documents are not here either (format 11): their
 * bytes, as specified here, are in their dictionary entry.
 *
 * Position values.  A document's tf_title + tf_body positions, in order,
 * are values, in the term's mode (from the dictionary), with prev starting
 * at 0 for each document (so a document's first value is its first
 * position):
 *   mixed        (pos - prev) << 1 | exact
 *   all exact    pos - prev          (every exact flag is 1)
 *   none exact   pos - prev          (every exact flag is 0)
 * exact is 1 where the occurrence's unstemmed form equals the term; it is
 * 1 for every prefixed term, so those are always "all exact" and pay no
 * flag bit.
 *
 * First positions (format 8), at the end of each postings block: for each
 * of its documents in order, the first value in w + m bits (m = 1 in mode
 * mixed, else 0), little-endian bit order from the area's first byte,
 * where w = width(hi(title norm) + hi(body norm) + 1): the norms (NORMS)
 * bound the title and body lengths T and B, so the first position is at
 * most T + B <= hi(title norm) + hi(body norm).  hi(b) is the longest
 * field norm byte b stands for, one less than the shortest of b + 1
 * (util/norm.c's lengths as of format 8, copied here so that a change
 * there does not change the format; hi(255) = 2^32 - 1).  All ones is
 * never such a value: it marks an escape (a position past the bound, as
 * source and author words have, whose positions count in their own
 * field).  The bits end at a byte boundary; one varint per escape follows,
 * in order, holding the whole value.  A list with no escape says so in
 * the dictionary, so a cursor passes the documents before the one it
 * reads by adding their widths (kept per document in memory,
 * ix_segment.first_w), without reading them.  A first position costs
 * about log2 of its document's length, where a PFor block of them cost
 * the width of the longest documents in it.
 *
 * POSITIONS section, from the term's pos_off (when cf > df): every value
 * but each document's first, in list order, cut in blocks of 128 values
 * across documents.  A full block (128 values), patched frame of
 * reference (PFor):
 *   u8 b                 bit width of the frame (0..32)
 *   u8 nexc              number of exceptions (0..128)
 *   16*b bytes           the low b bits of each value, bit-packed (codec.c)
 *   nexc bytes           the index (0..127) of each exception, ascending
 *   nexc varints         value >> b of each exception (not 0)
 * b is the width with the fewest bytes, so the title -> body jump does not
 * widen the whole block.
 * The last (cf - df) % 128 values: when there are 8 or more, as a full
 * block with ceil(n*b/8) packed bytes (n = (cf - df) % 128, indexes below
 * n); fewer, one varint each (no header).
 */
#include "index/codec.h"
#include "index/segment.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------------- writer */

void pw_init(post_writer *w)
{
    memset(w, 0, sizeof *w);
    buf_init(&w->blocks);
    buf_init(&w->skip);
    buf_init(&w->pos);
}

void pw_free(post_writer *w)
{
    buf_free(&w->blocks);
    buf_free(&w->skip);
    buf_free(&w->pos);
}

void pw_begin(post_writer *w)
{
    w->n = 0;
    w->have_last = 0;
    w->last_doc = 0;
    w->pos_count = 0;
    w->pos_flushed = 0;
    w->blk_pboff = 0;
    w->blk_pg = 0;
    w->blk_n = 0;
    w->npv = 0;
    w->mode = POS_MIXED;
    w->escs = 0;
    buf_reset(&w->pos);
    w->df = 0;
    w->cf = 0;
    memset(&w->bound, 0, sizeof w->bound);
    w->bound.min_title_norm = 255;
    w->bound.min_body_norm = 255;
    buf_reset(&w->blocks);
    buf_reset(&w->skip);
}

/* ------------------------------------------------------ first positions */

/* The longest field a norm byte stands for: one less than the next byte's
 * shortest length (util/norm.c's norm_decode, copied because the format
 * depends on it: a change there must not change how segments decode);
 * 255 is unbounded. */
#define NORM_LO(b) ((b) < 40 ? (uint64_t)(b) : ((uint64_t)(16 + ((b) - 40) % 16) << NORM_SH(b)) + 24)
#define NORM_SH(b) ((b) < 40 ? 0 : ((b) - 40) / 16) /* never negative, even untaken (clang) */
#define NORM_HI(b) ((b) == 255 ? (uint64_t)UINT32_MAX : NORM_LO((b) + 1) - 1)
#define R4(b)      NORM_HI(b), NORM_HI(b + 1), NORM_HI(b + 2), NORM_HI(b + 3)
#define R16(b)     R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
static const uint64_t norm_hi_tab[256] = {
    R16(0), R16(16), R16(32), R16(48), R16(64), R16(80), R16(96), R16(112),
    R16(128), R16(144), R16(160), R16(176), R16(192), R16(208), R16(224), R16(240)
};

static unsigned width64(uint64_t v) { return v ? 64u - (unsigned)__builtin_clzll(v) : 0u; }

/* Bits of a document's first position value (without the exact flag):
 * its position is at most T + B (title 0..T-1, body T+1..T+B), so at most
 * room = hi(title norm) + hi(body norm); one bit more than room + 1 needs
 * is never needed by a value in range, so all ones marks an escape. */
unsigned post_first_width(uint8_t tn, uint8_t bn)
{
    return width64(norm_hi_tab[tn] + norm_hi_tab[bn] + 1);
}

int post_first_widths(ix_segment *s)
{
    const sect *ns = &s->sec[SEC_NORMS];
    int norms = ns->len == 2ull * s->ndocs;
    free(s->first_w);
    s->first_w = malloc((size_t)s->ndocs + 1);
    if (!s->first_w)
        return -1;
    for (uint32_t d = 0; d < s->ndocs; d++)
        s->first_w[d] = (uint8_t)post_first_width(norms ? ns->p[d] : 255, norms ? ns->p[s->ndocs + d] : 255);
    return 0;
}

/* Appends the first position values of the block's n documents: each in
 * its document's width (+1 for the exact flag in mixed mode), all ones
 * when out of range, then the escaped values as varints.  A value has at
 * most 34 bits and at most 7 bits wait in the accumulator, so it never
 * overflows; 8 bytes are stored at a time and the complete ones kept. */
static inline __attribute__((always_inline)) void pw_firsts_mode(post_writer *w, uint32_t n,
                                                                  unsigned mixed)
{
    uint64_t acc = 0, esc[128];
    unsigned have = 0, nesc = 0;
    if (buf_reserve_fast(&w->blocks, (size_t)n * 5 + 8) != 0)
        return;
    uint8_t *p = w->blocks.p + w->blocks.len;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t room = norm_hi_tab[w->tn[i]] + norm_hi_tab[w->bn[i]];
        unsigned k = 64u - (unsigned)__builtin_clzll(room + 1) + mixed; /* room + 1 > 0 */
        uint64_t v = w->fv[i];
        if ((mixed ? v >> 1 : v) > room) {
            esc[nesc++] = v;
            w->escs = 1;
            v = (1ull << k) - 1;
        }
        acc |= v << have;
        have += k;
        st_le64(p, acc);
        p += have >> 3;
        acc >>= have & ~7u;
        have &= 7;
    }
    if (have)
        *p++ = (uint8_t)acc;
    w->blocks.len = (size_t)(p - w->blocks.p);
    for (unsigned e = 0; e < nesc; e++)
        buf_put_varint(&w->blocks, esc[e]);
}

/* pw_firsts_mode with the exact flag's bit a constant. */
static void pw_firsts(post_writer *w, uint32_t n)
{
    if (w->mode == POS_MIXED)
        pw_firsts_mode(w, n, 1);
    else
        pw_firsts_mode(w, n, 0);
}

#if defined(__SSE2__)
/* Lane by lane the larger of a and b, unsigned values biased by 2^31 (so
 * that the signed compare orders them). */
static inline __m128i max4_biased(__m128i a, __m128i b)
{
    __m128i gt = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(gt, a), _mm_andnot_si128(gt, b));
}

/* The largest of v[0..n), n a multiple of 4. */
static uint32_t max_u32(const uint32_t *v, uint32_t n)
{
    const __m128i bias = _mm_set1_epi32(INT32_MIN);
    __m128i m = bias; /* 0, biased */
#pragma GCC unroll 4
    for (uint32_t i = 0; i < n; i += 4)
        m = max4_biased(m, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(v + i)), bias));
    m = max4_biased(m, _mm_shuffle_epi32(m, 0x4E));
    m = max4_biased(m, _mm_shuffle_epi32(m, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(m) ^ 0x80000000u;
}

static uint8_t min_u8(__m128i m)
{
    m = _mm_min_epu8(m, _mm_srli_si128(m, 8));
    m = _mm_min_epu8(m, _mm_srli_si128(m, 4));
    m = _mm_min_epu8(m, _mm_srli_si128(m, 2));
    m = _mm_min_epu8(m, _mm_srli_si128(m, 1));
    return (uint8_t)_mm_cvtsi128_si32(m);
}
#endif

/* The current block's bound (w->blk) from its postings, unless done for
 * as many (each block's is worked out once, when written or when the list
 * ends, 16 postings at a time where SSE2 is). */
static void pw_blk_bound(post_writer *w)
{
    uint32_t n = w->n, i = 0, mt = 0, mb = 0;
    uint8_t tn = 255, bn = 255;
    if (w->blk_n == n)
        return;
#if defined(__SSE2__)
    if (n >= 16) {
        __m128i t = _mm_set1_epi8(-1), b = t;
        for (; i + 16 <= n; i += 16) {
            t = _mm_min_epu8(t, _mm_loadu_si128((const __m128i *)(w->tn + i)));
            b = _mm_min_epu8(b, _mm_loadu_si128((const __m128i *)(w->bn + i)));
        }
        tn = min_u8(t);
        bn = min_u8(b);
        mt = max_u32(w->tft, i);
        mb = max_u32(w->tfb, i);
    }
#endif
    for (; i < n; i++) {
        if (w->tft[i] > mt) mt = w->tft[i];
        if (w->tfb[i] > mb) mb = w->tfb[i];
        if (w->tn[i] < tn) tn = w->tn[i];
        if (w->bn[i] < bn) bn = w->bn[i];
    }
    w->blk = (ix_bound){ mt, mb, tn, bn };
    w->blk_n = n;
}

/* Folds the current block's bound into the list's. */
static void pw_bound_merge(post_writer *w)
{
    pw_blk_bound(w);
    if (w->blk.max_tf_title > w->bound.max_tf_title) w->bound.max_tf_title = w->blk.max_tf_title;
    if (w->blk.max_tf_body > w->bound.max_tf_body) w->bound.max_tf_body = w->blk.max_tf_body;
    if (w->blk.min_title_norm < w->bound.min_title_norm) w->bound.min_title_norm = w->blk.min_title_norm;
    if (w->blk.min_body_norm < w->bound.min_body_norm) w->bound.min_body_norm = w->blk.min_body_norm;
}

static void pw_block(post_writer *w)
{
    uint32_t n = w->n, gaps[128];
    uint32_t prev = w->have_last ? w->last_doc : UINT32_MAX; /* -1 */
    uint32_t mt = 0, mb = 0;
    uint8_t tn = 0, bn = 0;
    /* the bound of the only block of a list shorter than DICT_BOUND_MIN_DF
     * is in no file (no skip table, not in DICT): left out.  (A first
     * block of fewer than 128 is the list's last; w->df may lag behind in
     * pw_add_stream.) */
    if (w->have_last || n >= DICT_BOUND_MIN_DF) {
        pw_bound_merge(w);
        mt = w->blk.max_tf_title;
        mb = w->blk.max_tf_body;
        tn = w->blk.min_title_norm;
        bn = w->blk.min_body_norm;
    }
    uint64_t off = w->blocks.len;
    if (n >= TAIL_PACK_MIN) {
        uint32_t tfm1[128];
        uint32_t i = 0;
#if defined(__SSE2__)
        /* four at a time: the arrays hold 128, so the last step's extra
         * lanes (stale postings, zeros after pw_init) stay inside them */
        const __m128i one = _mm_set1_epi32(1);
        __m128i last = _mm_cvtsi32_si128((int)prev); /* the previous doc in lane 0 */
#pragma GCC unroll 2
        for (; i < n; i += 4) {
            __m128i cur = _mm_loadu_si128((const __m128i *)(w->docs + i));
            __m128i before = _mm_or_si128(_mm_slli_si128(cur, 4), last);
            _mm_storeu_si128((__m128i *)(gaps + i), _mm_sub_epi32(_mm_sub_epi32(cur, before), one));
            last = _mm_srli_si128(cur, 12);
            __m128i tf = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(w->tft + i)),
                                       _mm_loadu_si128((const __m128i *)(w->tfb + i)));
            _mm_storeu_si128((__m128i *)(tfm1 + i), _mm_sub_epi32(tf, one));
        }
#endif
        for (; i < n; i++) {
            gaps[i] = w->docs[i] - prev - 1;
            prev = w->docs[i];
            tfm1[i] = w->tft[i] + w->tfb[i] - 1; /* a posting has tf >= 1 */
        }
        if (buf_reserve_fast(&w->blocks, 3 * CODEC_PFOR_MAX) == 0) {
            uint8_t *p = w->blocks.p + w->blocks.len;
            p += codec_pfor_encode(gaps, n, p);
            p += codec_pfor_encode(tfm1, n, p);
            p += codec_pfor_encode(w->tft, n, p);
            w->blocks.len = (size_t)(p - w->blocks.p);
        }
    } else if (buf_reserve_fast(&w->blocks, (size_t)n * 15) == 0) { /* three varints each */
        uint8_t *p = w->blocks.p + w->blocks.len;
        for (uint32_t i = 0; i < n; i++) {
            p = varint_put(p, w->docs[i] - prev - 1);
            prev = w->docs[i];
            p = varint_put(p, (uint64_t)w->tfb[i] << 1 | (w->tft[i] > 0));
            if (w->tft[i])
                p = varint_put(p, w->tft[i]);
        }
        w->blocks.len = (size_t)(p - w->blocks.p);
    }
    pw_firsts(w, n);
    uint8_t e[SKIP_ENTRY];
    st_le32(e, w->docs[n - 1]);
    st_le32(e + 4, off > UINT32_MAX ? UINT32_MAX : (uint32_t)off);
    st_le32(e + 8, (uint32_t)w->blk_pboff);
    st_le32(e + 12, (uint32_t)w->blk_pg);
    e[16] = (uint8_t)(mt > 255 ? 255 : mt);
    e[17] = (uint8_t)(mb > 255 ? 255 : mb);
    e[18] = tn;
    e[19] = bn;
    buf_put_fast(&w->skip, e, sizeof e);
    if (off > UINT32_MAX || w->blk_pboff > UINT32_MAX || w->blk_pg > UINT32_MAX)
        w->blocks.oom = 1; /* a single list over 4 GiB: refuse */
    w->last_doc = w->docs[n - 1];
    w->have_last = 1;
    w->n = 0;
}

static inline __attribute__((always_inline)) void pw_add_one(post_writer *w, uint32_t doc, uint32_t tft,
                                                              uint32_t tfb, uint8_t tn, uint8_t bn)
{
    if (w->n == 128) /* written only now: its last doc's positions are in */
        pw_block(w);
    if (w->n == 0) { /* a block starts: where its positions start */
        w->blk_pboff = w->pos_flushed + w->pos.len;
        w->blk_pg = w->pos_count;
        w->blk_n = 0;
    }
    uint32_t i = w->n++;
    w->docs[i] = doc;
    w->tft[i] = tft;
    w->tfb[i] = tfb;
    w->tn[i] = tn;
    w->bn[i] = bn;
    w->df++;
    w->cf += (uint64_t)tft + tfb;
    w->fv[i] = 0;
}

void pw_add(post_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, uint8_t tn, uint8_t bn)
{
    pw_add_one(w, doc, tft, tfb, tn, bn);
}

void pw_finish(post_writer *w, buf *out)
{
    if (w->n)
        pw_block(w);
    if (w->skip.len > SKIP_ENTRY)
        buf_put(out, w->skip.p, w->skip.len);
    buf_put(out, w->blocks.p, w->blocks.len);
    if (w->blocks.oom || w->skip.oom)
        out->oom = 1;
}

void pos_encode(buf *out, const uint32_t *pos, const uint8_t *exact, uint32_t n, int mode)
{
    uint32_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t gap = pos[i] - prev;
        buf_put_varint(out, mode == POS_MIXED ? gap << 1 | (exact[i] ? 1 : 0) : gap);
        prev = pos[i];
    }
}

/* The frame width with the fewest bytes for n values whose widths are
 * counted in cnt, the widest being maxw (see the format above): a value of
 * width wd > b costs an index byte and ceil((wd - b) / 7) varint bytes,
 * so with s[x] the number of values at least x bits wide the exceptions
 * cost 2 s[b+1] + s[b+8] + s[b+15] + ... (the lowest width of the
 * fewest bytes wins). */
static unsigned pos_best_width(const unsigned cnt[65], unsigned n, unsigned maxw)
{
    unsigned s[66] = { 0 };
    for (unsigned x = maxw + 1; x-- > 0;)
        s[x] = s[x + 1] + cnt[x];
    unsigned best = 32;
    uint64_t best_cost = UINT64_MAX;
    for (unsigned b = 0; b <= 32 && b <= maxw; b++) {
        uint64_t cost = codec_packed_size_n(n, b) + 2 * (uint64_t)s[b + 1];
        for (unsigned x = b + 8; x <= maxw; x += 7)
            cost += s[x];
        if (cost < best_cost) {
            best_cost = cost;
            best = b;
        }
    }
    return best;
}

/* Writes the n pending values (128, or a tail of POS_PACK_MIN..127) as a
 * packed positions block. */
static void pw_pos_block(post_writer *w, unsigned n)
{
    unsigned cnt1[66] = { 0 }; /* cnt1[w + 1]: values w bits wide (no branch for 0) */
    uint64_t all = 0;
    uint32_t lo[128]; /* the packers keep the low b bits */
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = w->pv[i]; /* below 2^34 */
        cnt1[64 - __builtin_clzll(v << 1 | 1)]++;
        all |= v;
        lo[i] = (uint32_t)v;
    }
    unsigned maxw = width64(all), b = pos_best_width(cnt1 + 1, n, maxw);
    uint8_t idx[128], nexc = 0;
    if (b < maxw && maxw <= 32) /* exceptions, in 32 bits */
        nexc = (uint8_t)codec_exceptions(lo, n, b, idx);
    else if (b < maxw)
        for (unsigned i = 0; i < n; i++)
            if (w->pv[i] >> b)
                idx[nexc++] = (uint8_t)i;
    if (buf_reserve_fast(&w->pos, 2 + codec_packed_size(b) + (size_t)nexc * 11) != 0)
        return;
    uint8_t *p = w->pos.p + w->pos.len;
    p[0] = (uint8_t)b;
    p[1] = nexc;
    p += 2;
    p += n == 128 ? codec_pack128(lo, b, p) : codec_pack_n(lo, n, b, p);
    memcpy(p, idx, nexc);
    p += nexc;
    for (unsigned e = 0; e < nexc; e++)
        p = varint_put(p, w->pv[idx[e]] >> b);
    w->pos.len = (size_t)(p - w->pos.p);
    w->npv = 0;
}

/* A position value in mode `from` re-encoded in mode `to`. */
static uint64_t pw_recode(uint64_t v, int from, int to)
{
    uint64_t gap = from == POS_MIXED ? v >> 1 : v;
    int exact = from == POS_MIXED ? (int)(v & 1) : from == POS_EXACT;
    return to == POS_MIXED ? gap << 1 | (uint64_t)exact : gap;
}

/* varint_get into a local of its own, so that the caller's *v (inlined)
 * never has its address taken and stays in a register. */
static const uint8_t *vget_slow(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    p = varint_get(p, end, &x);
    *v = x;
    return p;
}

/* varint_get_fast where at least 10 bytes are left (the caller checked). */
static inline __attribute__((always_inline)) const uint8_t *vget10(const uint8_t *p, uint64_t *v)
{
    if (p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    uint64_t x;
    p = vget_slow(p, p + 10, &x);
    *v = x;
    return p;
}

/* varint_get_fast, the same way. */
static inline __attribute__((always_inline)) const uint8_t *vgetb(const uint8_t *p, const uint8_t *end,
                                                                  uint64_t *v)
{
    if (p < end && *p < 0x80) {
        *v = *p;
        return p + 1;
    }
    if (end - p > 1 && p[1] < 0x80) { /* p[0] >= 0x80 here */
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    uint64_t x;
    p = vget_slow(p, end, &x);
    *v = x;
    return p;
}

static inline __attribute__((always_inline)) const uint8_t *
pw_positions_one(post_writer *w, const uint8_t *in, const uint8_t *end, uint32_t n, int from, int to)
{
    w->mode = to;
    if (n == 0)
        return in;
    uint64_t v;
    if (!(in = varint_get_fast(in, end, &v)))
        return NULL;
    /* the first position: with the posting */
    w->fv[w->n ? w->n - 1 : 0] = from == to ? v : pw_recode(v, from, to);
    if (n == 1)
        return in;
    int room = (size_t)(end - in) >= 10 * (size_t)n; /* no varint can pass end */
    for (uint32_t i = 1; i < n; i++) {
        if (!(in = room ? vget10(in, &v) : varint_get_fast(in, end, &v)))
            return NULL;
        w->pv[w->npv++] = from == to ? v : pw_recode(v, from, to);
        w->pos_count++;
        if (w->npv == 128)
            pw_pos_block(w, 128);
    }
    return in;
}

const uint8_t *pw_positions(post_writer *w, const uint8_t *in, const uint8_t *end, uint32_t n,
                            int from, int to)
{
    return pw_positions_one(w, in, end, n, from, to);
}

/* pw_add_stream for one mode, a constant where it is inlined (so each
 * position's re-encoding is too).  pw_add_one and pw_positions_one, with
 * the counters in locals (the stores to the posting arrays could alias
 * them) and written back at the end. */
static inline __attribute__((always_inline)) int
pw_add_stream_mode(post_writer *w, const uint8_t *d, const uint8_t *dend, const uint8_t *p,
                   const uint8_t *pend, const uint8_t *nt, const uint8_t *nb, uint32_t ndocs,
                   uint32_t base, int mode)
{
    uint64_t doc1 = base, cf = w->cf, pcount = w->pos_count;
    uint32_t n = w->n, df = w->df, npv = w->npv;
    int rc = 0;
    if (d < dend)
        w->mode = mode;
    while (d < dend) {
        uint64_t gap, tft = 0, tfb;
        if (dend - d >= 30) { /* three varints cannot pass dend */
            if (!(d = vget10(d, &gap)) || ((gap & 1) && !(d = vget10(d, &tft))) || !(d = vget10(d, &tfb)))
                break;
        } else if (!(d = vgetb(d, dend, &gap)) ||
                   ((gap & 1) && !(d = vgetb(d, dend, &tft))) ||
                   !(d = vgetb(d, dend, &tfb))) {
            break;
        }
        doc1 += gap >> 1;
        uint32_t doc = (uint32_t)(doc1 - 1);
        if (n == 128) { /* written only now: its last doc's positions are in */
            w->n = n;
            pw_block(w);
            n = 0;
        }
        if (n == 0) { /* a block starts: where its positions start */
            w->blk_pboff = w->pos_flushed + w->pos.len;
            w->blk_pg = pcount;
            w->blk_n = 0;
        }
        w->docs[n] = doc;
        w->tft[n] = (uint32_t)tft;
        w->tfb[n] = (uint32_t)tfb;
        uint8_t tn = 0, bn = 0;
        if (doc < ndocs) {
            tn = nt[doc];
            bn = nb[doc];
        }
        w->tn[n] = tn;
        w->bn[n] = bn;
        df++;
        cf += tft + tfb;
        uint32_t np = (uint32_t)(tft + tfb);
        uint64_t v = 0;
        int room = (size_t)(pend - p) >= 10 * (size_t)np; /* no varint can pass pend */
        if (np && !(p = room ? vget10(p, &v) : vgetb(p, pend, &v))) {
            rc = -1;
            n++;
            break;
        }
        w->fv[n++] = mode == POS_MIXED ? v : pw_recode(v, POS_MIXED, mode); /* the first */
        if (np <= 1)
            continue;
        uint32_t left = np - 1;
        if (room) {
            pcount += left;
            while (left) { /* runs up to the end of pv, no bound checks */
                uint32_t k = 128 - npv < left ? 128 - npv : left;
                uint64_t *o = w->pv + npv, *oend = o + k;
                left -= k;
                npv += k;
                do {
                    if (*p < 0x80)
                        v = *p++;
                    else if (!(p = vget10(p, &v)))
                        goto bad; /* overlong: cannot happen, the inverter wrote it */
                    *o++ = mode == POS_MIXED ? v : pw_recode(v, POS_MIXED, mode);
                } while (o < oend);
                if (npv == 128) {
                    pw_pos_block(w, 128);
                    npv = 0;
                }
            }
            continue;
        bad:
            rc = -1;
            break;
        }
        for (; left; left--) {
            if (!(p = vgetb(p, pend, &v))) {
                rc = -1;
                break;
            }
            w->pv[npv++] = mode == POS_MIXED ? v : pw_recode(v, POS_MIXED, mode);
            pcount++;
            if (npv == 128) {
                pw_pos_block(w, 128);
                npv = 0;
            }
        }
        if (rc)
            break;
    }
    w->n = n;
    w->df = df;
    w->cf = cf;
    w->npv = npv;
    w->pos_count = pcount;
    return rc;
}

int pw_add_stream(post_writer *w, const uint8_t *d, const uint8_t *dend, const uint8_t *p,
                  const uint8_t *pend, const uint8_t *nt, const uint8_t *nb, uint32_t ndocs,
                  uint32_t base, int mode)
{
    switch (mode) {
    case POS_MIXED:
        return pw_add_stream_mode(w, d, dend, p, pend, nt, nb, ndocs, base, POS_MIXED);
    case POS_EXACT:
        return pw_add_stream_mode(w, d, dend, p, pend, nt, nb, ndocs, base, POS_EXACT);
    default:
        return pw_add_stream_mode(w, d, dend, p, pend, nt, nb, ndocs, base, mode);
    }
}

static inline __attribute__((always_inline)) void pw_end_positions(post_writer *w, int bound)
{
    if (w->n && bound) /* the last block's bound (pw_block merges it again: no change) */
        pw_bound_merge(w);
    if (w->npv >= POS_PACK_MIN) {
        pw_pos_block(w, w->npv);
        return;
    }
    if (w->npv && buf_reserve_fast(&w->pos, (size_t)w->npv * 10) == 0) {
        uint8_t *p = w->pos.p + w->pos.len;
        for (uint32_t i = 0; i < w->npv; i++)
            p = varint_put(p, w->pv[i]);
        w->pos.len = (size_t)(p - w->pos.p);
    }
    w->npv = 0;
}

void pw_finish_positions(post_writer *w) { pw_end_positions(w, 1); }

void pw_finish_positions_lean(post_writer *w) { pw_end_positions(w, w->df >= DICT_BOUND_MIN_DF); }

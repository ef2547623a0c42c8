/* codec.c — bit-packing of 128-integer blocks (see codec.h).
 *
 * Packed format: value i occupies bits [i*w, (i+1)*w) of the byte string,
 * counting bit 0 as the lowest bit of byte 0 (little-endian bit order).
 * 128 values of width w take exactly 16*w bytes, so width 0 takes none.
 * The unpacker is specialised per width by the compiler (the width is a
 * constant inside each instantiated loop), which lets it keep everything in
 * registers: about 1 G integers/s on this machine. */
#include "index/codec.h"

#include <pthread.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

unsigned codec_width(const uint32_t *v, size_t n)
{
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= v[i];
    return m ? 32u - (unsigned)__builtin_clz(m) : 0u;
}

/* Packs groups of eight values with the width W known at compile time:
 * eight values of W bits fill exactly W bytes, so every value's word and
 * shift in a group is a constant; the group is built in up to four 64-bit
 * words and stored whole. */
#define PACK_CASE(W)                                                           \
    case W:                                                                    \
        for (size_t g = 0; g < groups; g++)                                    \
            pack_group_w(v + 8 * g, W, out + (size_t)g * W);                   \
        return;

static inline __attribute__((always_inline)) void pack_group(const uint32_t *v, unsigned w,
                                                             uint8_t *out)
{
    const uint64_t mask = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
    uint64_t acc[5] = { 0 };
#pragma GCC unroll 8
    for (unsigned j = 0; j < 8; j++) {
        uint64_t x = v[j] & mask;
        unsigned bit = j * w;
        acc[bit / 64] |= x << (bit % 64);
        if (bit % 64 + w > 64)
            acc[bit / 64 + 1] |= x >> (64 - bit % 64);
    }
    memcpy(out, acc, w);
}

#if defined(__SSE2__)
/* pack_group for w <= 8, where a group is one 64-bit word, with SSE2:
 * values masked four at a time, each pair joined in its 64-bit lane
 * (a | b << w: b moved down from bit 32), then the lanes of both halves
 * joined (the second half's by 4w bits, the upper lane by 2w). */
static inline __attribute__((always_inline)) void pack_group8(const uint32_t *v, unsigned w,
                                                              uint8_t *out)
{
    const __m128i m = _mm_set1_epi32((int)((1u << w) - 1)), lo = _mm_set1_epi64x(0xFFFFFFFF);
    const __m128i down = _mm_cvtsi32_si128((int)(32 - w)), up = _mm_cvtsi32_si128((int)(4 * w));
    __m128i a = _mm_and_si128(_mm_loadu_si128((const __m128i *)v), m);
    __m128i b = _mm_and_si128(_mm_loadu_si128((const __m128i *)(v + 4)), m);
    a = _mm_or_si128(_mm_and_si128(a, lo), _mm_srl_epi64(a, down)); /* v0|v1<<w, v2|v3<<w */
    b = _mm_or_si128(_mm_and_si128(b, lo), _mm_srl_epi64(b, down)); /* v4|v5<<w, v6|v7<<w */
    __m128i c = _mm_or_si128(a, _mm_sll_epi64(b, up));
    uint64_t x = (uint64_t)_mm_cvtsi128_si64(c) | (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(c, c)) << (2 * w);
    memcpy(out, &x, w);
}
#endif

/* A group of eight values of width w (a constant where inlined). */
static inline __attribute__((always_inline)) void pack_group_w(const uint32_t *v, unsigned w,
                                                               uint8_t *out)
{
#if defined(__SSE2__)
    if (w <= 8) {
        pack_group8(v, w, out);
        return;
    }
#endif
    pack_group(v, w, out);
}

/* Packs `groups` groups of eight values (8 * w bits each, byte-aligned). */
static void pack_groups(const uint32_t *v, size_t groups, unsigned width, uint8_t *out)
{
    switch (width) {
    PACK_CASE(1) PACK_CASE(2) PACK_CASE(3) PACK_CASE(4) PACK_CASE(5) PACK_CASE(6)
    PACK_CASE(7) PACK_CASE(8) PACK_CASE(9) PACK_CASE(10) PACK_CASE(11) PACK_CASE(12)
    PACK_CASE(13) PACK_CASE(14) PACK_CASE(15) PACK_CASE(16) PACK_CASE(17) PACK_CASE(18)
    PACK_CASE(19) PACK_CASE(20) PACK_CASE(21) PACK_CASE(22) PACK_CASE(23) PACK_CASE(24)
    PACK_CASE(25) PACK_CASE(26) PACK_CASE(27) PACK_CASE(28) PACK_CASE(29) PACK_CASE(30)
    PACK_CASE(31) PACK_CASE(32)
    default:
        return;
    }
}

size_t codec_pack128(const uint32_t *v, unsigned width, uint8_t *out)
{
    if (width == 0 || width > 32)
        return 0;
    pack_groups(v, CODEC_BLOCK / 8, width, out);
    return codec_packed_size(width);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v; /* little-endian host assumed (checked in codec_unpack128) */
}

/* Unpacks with width W known at compile time, eight values at a time:
 * eight values of W bits fill exactly W bytes, so within a group every
 * byte offset and shift is a constant.  A group's loads read up to 8 bytes
 * past the value they start at, so groups run while that stays inside the
 * block; the remaining values go through a bounded path. */
#define UNPACK_ONE(W, j)                                                       \
    o[j] = (uint32_t)((load64(b + ((j) * (W)) / 8) >> (((j) * (W)) % 8)) & mask);
#define UNPACK_CASE(W)                                                         \
    case W: {                                                                  \
        const uint64_t mask = (W == 32) ? 0xFFFFFFFFull : ((1ull << W) - 1);  \
        int i = 0;                                                             \
        for (; i < CODEC_BLOCK && (size_t)(i / 8 + 1) * W + 8 <= nbytes; i += 8) { \
            const uint8_t *b = in + (size_t)(i / 8) * W;                       \
            uint32_t *o = v + i;                                               \
            UNPACK_ONE(W, 0) UNPACK_ONE(W, 1) UNPACK_ONE(W, 2) UNPACK_ONE(W, 3) \
            UNPACK_ONE(W, 4) UNPACK_ONE(W, 5) UNPACK_ONE(W, 6) UNPACK_ONE(W, 7) \
        }                                                                      \
        for (; i < CODEC_BLOCK; i++) {                                         \
            unsigned bit = (unsigned)(i * W);                                  \
            uint8_t t[8] = { 0 };                                              \
            size_t at = bit / 8, n = nbytes - at < 8 ? nbytes - at : 8;        \
            memcpy(t, in + at, n);                                             \
            v[i] = (uint32_t)((load64(t) >> (bit % 8)) & mask);                \
        }                                                                      \
        return;                                                                \
    }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CODEC_SIMD 1
/* The same with AVX2, four values per 128-bit step, for widths 1..24
 * (where a value and its shift fit one 32-bit lane): per half group of
 * eight values, a byte shuffle puts into lane k the four bytes from value
 * k's first one, a per-lane shift drops its low bits and a mask its high
 * ones.  The offsets and shifts depend on the width only: they are
 * tabulated once per width (avx_tab).  A group's second load reads 16
 * bytes from w/2 bytes after its start, so the groups whose loads stay
 * inside the input's nbytes read it in place, and the others from a
 * zero-padded copy: a partial block unpacks as a whole one with zeros
 * after its values.  Only the first `groups` groups of eight are written. */
typedef struct avx_width {
    uint8_t shuf[2][16];
    uint32_t sh[2][4];
    uint32_t base1;       /* the second half group's first byte */
    uint32_t direct;      /* groups read in place */
} avx_width;

static avx_width avx_tab[25];
static pthread_once_t avx_once = PTHREAD_ONCE_INIT;

static void avx_tab_init(void)
{
    for (unsigned w = 1; w <= 24; w++) {
        avx_width *t = &avx_tab[w];
        for (unsigned h = 0; h < 2; h++) {
            unsigned base = (4u * h * w) / 8;
            for (unsigned k = 0; k < 4; k++) {
                unsigned bit = (4u * h + k) * w;
                t->sh[h][k] = bit % 8;
                for (unsigned j = 0; j < 4; j++)
                    t->shuf[h][4 * k + j] = (uint8_t)(bit / 8 - base + j);
            }
        }
        t->base1 = (4u * w) / 8;
        unsigned g = 0;
        while (g < CODEC_BLOCK / 8 && (size_t)g * w + t->base1 + 16 <= codec_packed_size(w))
            g++;
        t->direct = g;
    }
}

__attribute__((target("avx2"))) static inline void avx_group(const uint8_t *b, const avx_width *t,
                                                             __m128i s0, __m128i s1, __m128i c0,
                                                             __m128i c1, __m128i mask, uint32_t *o)
{
    __m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)b), s0);
    __m128i y = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(b + t->base1)), s1);
    x = _mm_and_si128(_mm_srlv_epi32(x, c0), mask);
    y = _mm_and_si128(_mm_srlv_epi32(y, c1), mask);
    _mm_storeu_si128((__m128i *)o, x);
    _mm_storeu_si128((__m128i *)(o + 4), y);
}

__attribute__((target("avx2"))) static void unpack128_avx2(const uint8_t *in, size_t nbytes,
                                                          unsigned w, unsigned groups, uint32_t *v)
{
    pthread_once(&avx_once, avx_tab_init);
    const avx_width *t = &avx_tab[w];
    const __m128i s0 = _mm_loadu_si128((const __m128i *)t->shuf[0]);
    const __m128i s1 = _mm_loadu_si128((const __m128i *)t->shuf[1]);
    const __m128i c0 = _mm_loadu_si128((const __m128i *)t->sh[0]);
    const __m128i c1 = _mm_loadu_si128((const __m128i *)t->sh[1]);
    const __m128i mask = _mm_set1_epi32((int)((1u << w) - 1));
    unsigned g = 0;
    /* groups g whose loads end inside the input: g * w + base1 + 16 <= nbytes */
    size_t fit = nbytes >= t->base1 + 16 ? (nbytes - t->base1 - 16) / w + 1 : 0;
    unsigned direct = fit < t->direct ? (unsigned)fit : t->direct;
    for (; g < direct && g < groups; g++)
        avx_group(in + (size_t)g * w, t, s0, s1, c0, c1, mask, v + 8 * g);
    if (g == groups)
        return;
    /* The rest from a zero-padded copy (after a whole block's groups read
     * in place, at most w/2 + 16 + w bytes). */
    uint8_t tail[16 * 24 + 32];
    size_t from = (size_t)g * w, have = nbytes > from ? nbytes - from : 0;
    memcpy(tail, in + from, have);
    memset(tail + have, 0, (size_t)(groups - g) * w + 16 + t->base1 - have);
    for (; g < groups; g++)
        avx_group(tail + ((size_t)g * w - from), t, s0, s1, c0, c1, mask, v + 8 * g);
}
static int simd_allowed = 1;

static int simd_avx2(void)
{
    return simd_allowed && __builtin_cpu_supports("avx2");
}
#endif

int codec_set_simd(int on)
{
#ifdef CODEC_SIMD
    simd_allowed = on != 0;
    return simd_avx2();
#else
    (void)on;
    return 0;
#endif
}

void codec_unpack128(const uint8_t *in, unsigned width, uint32_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "codec.c assumes a little-endian host"
#endif
    const size_t nbytes = codec_packed_size(width);
#ifdef CODEC_SIMD
    if (width >= 1 && width <= 24 && simd_avx2()) {
        unpack128_avx2(in, nbytes, width, CODEC_BLOCK / 8, v);
        return;
    }
#endif
    switch (width) {
    case 0:
        memset(v, 0, CODEC_BLOCK * sizeof *v);
        return;
    UNPACK_CASE(1) UNPACK_CASE(2) UNPACK_CASE(3) UNPACK_CASE(4) UNPACK_CASE(5)
    UNPACK_CASE(6) UNPACK_CASE(7) UNPACK_CASE(8) UNPACK_CASE(9) UNPACK_CASE(10)
    UNPACK_CASE(11) UNPACK_CASE(12) UNPACK_CASE(13) UNPACK_CASE(14) UNPACK_CASE(15)
    UNPACK_CASE(16) UNPACK_CASE(17) UNPACK_CASE(18) UNPACK_CASE(19) UNPACK_CASE(20)
    UNPACK_CASE(21) UNPACK_CASE(22) UNPACK_CASE(23) UNPACK_CASE(24) UNPACK_CASE(25)
    UNPACK_CASE(26) UNPACK_CASE(27) UNPACK_CASE(28) UNPACK_CASE(29) UNPACK_CASE(30)
    UNPACK_CASE(31) UNPACK_CASE(32)
    default:
        memset(v, 0, CODEC_BLOCK * sizeof *v);
        return;
    }
}

size_t codec_pack_n(const uint32_t *v, size_t n, unsigned width, uint8_t *out)
{
    size_t nbytes = codec_packed_size_n(n, width);
    if (width == 0 || width > 32)
        return 0;
    size_t groups = n / 8, at = groups * width; /* the rest starts at byte `at` */
    pack_groups(v, groups, width, out);
    memset(out + at, 0, nbytes - at);
    uint64_t mask = width == 32 ? 0xFFFFFFFFull : ((1ull << width) - 1);
    for (size_t i = groups * 8; i < n; i++) {
        size_t bit = i * width;
        uint64_t x = ((uint64_t)v[i] & mask) << (bit % 8);
        for (size_t k = bit / 8; x; k++, x >>= 8)
            out[k] |= (uint8_t)x;
    }
    return nbytes;
}

void codec_unpack_n(const uint8_t *in, size_t n, unsigned width, uint32_t *v)
{
    size_t nbytes = codec_packed_size_n(n, width);
#ifdef CODEC_SIMD
    if (width >= 1 && width <= 24 && n <= CODEC_BLOCK && simd_avx2()) {
        uint32_t all[CODEC_BLOCK];
        unpack128_avx2(in, nbytes, width, (unsigned)(n + 7) / 8, all);
        memcpy(v, all, n * sizeof *v);
        return;
    }
#endif
    uint64_t mask = width >= 32 ? 0xFFFFFFFFull : ((1ull << width) - 1);
    size_t i = 0;
    if (width) /* whole 8-byte loads while they stay inside the input */
        for (; i < n && i * width / 8 + 8 <= nbytes; i++)
            v[i] = (uint32_t)((load64(in + i * width / 8) >> (i * width % 8)) & mask);
    for (; i < n; i++) {
        size_t bit = i * width, at = bit / 8;
        uint8_t t[8] = { 0 };
        memcpy(t, in + at, nbytes - at < 8 ? nbytes - at : 8);
        v[i] = width ? (uint32_t)((load64(t) >> (bit % 8)) & mask) : 0;
    }
}

const uint8_t *codec_skip_varints(const uint8_t *p, const uint8_t *end, uint64_t n)
{
    while (n > 0) {
        if (p >= end)
            return NULL;
        if (!(*p++ & 0x80))
            n--;
    }
    return p;
}

/* ------------------------------------------------------------------ PFor */

/* The frame width costing the fewest bytes for n values whose bit widths
 * are counted in cnt[0..32]: a width b costs its packed bytes, the
 * exceptions count byte, and per value of width w > b an index byte and
 * ceil((w - b) / 7) varint bytes.  With s[x] the number of values at
 * least x bits wide, the exceptions cost 2 s[b+1] + s[b+8] + s[b+15] +
 * s[b+22] + s[b+29] (each 7 bits more than b + 1 add a byte). */
static unsigned pfor_best_width(const unsigned cnt[33], unsigned n)
{
    unsigned maxw = 32;
    while (maxw > 0 && cnt[maxw] == 0)
        maxw--;
    size_t s[33 + 29] = { 0 };
    for (unsigned w = maxw + 1; w-- > 0;)
        s[w] = s[w + 1] + cnt[w];
    unsigned best = maxw;
    size_t best_cost = codec_packed_size_n(n, maxw);
    for (unsigned b = 0; b < maxw; b++) {
        size_t cost = codec_packed_size_n(n, b) + 1 + 2 * s[b + 1] + s[b + 8] + s[b + 15] +
                      s[b + 22] + s[b + 29];
        if (cost < best_cost) {
            best_cost = cost;
            best = b;
        }
    }
    return best;
}

/* The portable encoder's choice: every value's width counted, then
 * pfor_best_width. */
static unsigned pfor_width_hist(const uint32_t *v, unsigned n)
{
    unsigned cnt[33] = { 0 };
    for (unsigned i = 0; i < n; i++)
        cnt[63 - __builtin_clzll((uint64_t)v[i] << 1 | 1)]++; /* width, 0 for 0 */
    return pfor_best_width(cnt, n);
}

#if defined(CODEC_SIMD) && defined(__SSE2__)
/* SSE2 (every x86-64 has it) helpers of the encoder, four values a step,
 * the last n % 4 values one at a time. */

/* v[i..i+16) >> sh, one byte a value, 0 where the value is 0 (the signed
 * saturating packs keep any value that is not 0 away from 0), in order. */
static inline __m128i sse_hi16(const uint32_t *v, __m128i sh)
{
    __m128i a = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)v), sh);
    __m128i b = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(v + 4)), sh);
    __m128i c = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(v + 8)), sh);
    __m128i d = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(v + 12)), sh);
    return _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
}

/* How many of v[0..n) are at least 2^(x-1) (x-bit wide or wider), x 1..32. */
static unsigned sse_count_wide(const uint32_t *v, unsigned n, unsigned x)
{
    const __m128i zero = _mm_setzero_si128(), sh = _mm_cvtsi32_si128((int)x - 1);
    __m128i narrow = zero; /* per lane, minus the count of values below 2^(x-1) */
    unsigned i = 0, wide = 0;
    if (n >= 16) { /* 16 at a time, a count per byte lane (at most 8 each) */
        __m128i nb = zero;
        for (; i + 16 <= n; i += 16)
            nb = _mm_sub_epi8(nb, _mm_cmpeq_epi8(sse_hi16(v + i, sh), zero));
        __m128i sad = _mm_sad_epu8(nb, zero);
        wide = i - (unsigned)(_mm_cvtsi128_si32(sad) + _mm_cvtsi128_si32(_mm_srli_si128(sad, 8)));
    }
    for (; i + 4 <= n; i += 4) {
        __m128i hi = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(v + i)), sh);
        narrow = _mm_add_epi32(narrow, _mm_cmpeq_epi32(hi, zero));
    }
    narrow = _mm_add_epi32(narrow, _mm_shuffle_epi32(narrow, 0x4E));
    narrow = _mm_add_epi32(narrow, _mm_shuffle_epi32(narrow, 0xB1));
    wide += (i - n / 16 * 16) + (unsigned)_mm_cvtsi128_si32(narrow); /* minus the narrow ones */
    for (; i < n; i++)
        wide += (v[i] >> (x - 1)) != 0;
    return wide;
}

/* One step of the width search, at width b, given s[x] (the number of
 * values at least x bits wide) for every x > b: 0 once no lower width can
 * cost less (the exceptions alone cost more than the best), else 1 after
 * keeping b in *best if it is the better choice. */
static inline int width_step(const uint8_t *s, unsigned n, unsigned b, unsigned maxw, size_t *best_cost,
                             unsigned *best)
{
    if (1 + 2 * (size_t)s[b + 1] > *best_cost)
        return 0;
    size_t cost = codec_packed_size_n(n, b) + 1 + 2 * (size_t)s[b + 1] + s[b + 8] + s[b + 15] +
                  s[b + 22] + s[b + 29];
    if (cost < *best_cost || (cost == *best_cost && *best != maxw)) {
        *best_cost = cost;
        *best = b;
    }
    return 1;
}

/* The same choice as pfor_width_hist without counting every width: b goes
 * down from maxw, counting only the values wider than b (the exceptions
 * cost at least 1 + 2 per value wider than b, and more values are wider
 * than any lower b, so the search stops once that alone exceeds the best
 * cost).  Ties go as in pfor_best_width: maxw unless a lower width costs
 * strictly less, else the lowest width of that cost. */
static unsigned sse_best_width(const uint32_t *v, unsigned n, unsigned maxw)
{
    uint8_t s[33 + 29] = { 0 }; /* s[x]: values at least x bits wide, for x > b */
    unsigned best = maxw;
    size_t best_cost = codec_packed_size_n(n, maxw);
    for (unsigned b = maxw; b-- > 0;) {
        s[b + 1] = (uint8_t)sse_count_wide(v, n, b + 1);
        if (!width_step(s, n, b, maxw, &best_cost, &best))
            break; /* and for every lower b */
    }
    return best;
}

/* sse_best_width for a short run (n < 16: most partial blocks): each
 * value's width counted once, the numbers of values at least x bits wide
 * summed from those counts, then the same search (same choice, same
 * ties) without a pass over the values per width. */
static unsigned small_best_width(const uint32_t *v, unsigned n, unsigned maxw)
{
    uint8_t cnt[33] = { 0 }, s[33 + 29] = { 0 };
    for (unsigned i = 0; i < n; i++)
        cnt[63 - __builtin_clzll((uint64_t)v[i] << 1 | 1)]++; /* its width, 0 for 0 */
    for (unsigned x = maxw; x >= 1; x--)
        s[x] = (uint8_t)(s[x + 1] + cnt[x]);
    unsigned best = maxw;
    size_t best_cost = codec_packed_size_n(n, maxw);
    for (unsigned b = maxw; b-- > 0;)
        if (!width_step(s, n, b, maxw, &best_cost, &best))
            break; /* and for every lower b */
    return best;
}

/* The indexes of the values wider than b into idx; returns their count. */
static unsigned sse_exceptions(const uint32_t *v, unsigned n, unsigned b, uint8_t *idx)
{
    const __m128i zero = _mm_setzero_si128(), sh = _mm_cvtsi32_si128((int)b);
    unsigned i = 0, k = 0;
    for (; i + 16 <= n; i += 16) /* 16 at a time: few are exceptions */
        for (unsigned m = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(sse_hi16(v + i, sh), zero)) & 0xFFFFu; m;
             m &= m - 1)
            idx[k++] = (uint8_t)(i + (unsigned)__builtin_ctz(m));
    for (; i + 4 <= n; i += 4) {
        __m128i hi = _mm_srl_epi32(_mm_loadu_si128((const __m128i *)(v + i)), sh);
        unsigned m = ~(unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, zero))) & 0xFu;
        for (; m; m &= m - 1)
            idx[k++] = (uint8_t)(i + (unsigned)__builtin_ctz(m));
    }
    for (; i < n; i++)
        if (v[i] >> b)
            idx[k++] = (uint8_t)i;
    return k;
}

static uint32_t sse_or(const uint32_t *v, unsigned n)
{
    __m128i m = _mm_setzero_si128();
    unsigned i = 0;
#pragma GCC unroll 4
    for (; i + 4 <= n; i += 4)
        m = _mm_or_si128(m, _mm_loadu_si128((const __m128i *)(v + i)));
    m = _mm_or_si128(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_or_si128(m, _mm_shuffle_epi32(m, 0xB1));
    uint32_t r = (uint32_t)_mm_cvtsi128_si32(m);
    for (; i < n; i++)
        r |= v[i];
    return r;
}
#endif

unsigned codec_exceptions(const uint32_t *v, unsigned n, unsigned b, uint8_t *idx)
{
    unsigned k = 0;
    if (b >= 32)
        return 0;
#if defined(CODEC_SIMD) && defined(__SSE2__)
    if (simd_allowed)
        return sse_exceptions(v, n, b, idx);
#endif
    for (unsigned i = 0; i < n; i++)
        if (v[i] >> b)
            idx[k++] = (uint8_t)i;
    return k;
}

/* The frame width and the exceptions' indexes (their count returned). */
static unsigned pfor_plan(const uint32_t *v, unsigned n, unsigned *b, uint8_t *idx)
{
#if defined(CODEC_SIMD) && defined(__SSE2__)
    if (simd_allowed) {
        uint32_t m = sse_or(v, n);
        unsigned maxw = m ? 32u - (unsigned)__builtin_clz(m) : 0u;
        *b = !maxw ? 0 : n < 16 ? small_best_width(v, n, maxw) : sse_best_width(v, n, maxw);
        return *b < maxw ? sse_exceptions(v, n, *b, idx) : 0;
    }
#endif
    *b = pfor_width_hist(v, n);
    return codec_exceptions(v, n, *b, idx);
}

size_t codec_pfor_encode(const uint32_t *v, unsigned n, uint8_t *out)
{
    unsigned b;
    uint8_t idx[CODEC_BLOCK];
    unsigned nexc = pfor_plan(v, n, &b, idx);
    uint8_t *p = out;
    *p++ = (uint8_t)(b | (nexc ? 0x80 : 0));
    if (nexc)
        *p++ = (uint8_t)nexc;
    if (b) /* the packers keep each value's low b bits */
        p += n == CODEC_BLOCK ? codec_pack128(v, b, p) : codec_pack_n(v, n, b, p);
    if (nexc)
        memcpy(p, idx, nexc);
    p += nexc;
    for (unsigned e = 0; e < nexc; e++) {
        uint32_t hi = v[idx[e]] >> b;
        while (hi >= 0x80) {
            *p++ = (uint8_t)(hi | 0x80);
            hi >>= 7;
        }
        *p++ = (uint8_t)hi;
    }
    return (size_t)(p - out);
}

/* Reads the header: b, nexc and the packed bytes' start; NULL if bad. */
static const uint8_t *pfor_head(const uint8_t *p, const uint8_t *end, unsigned n, unsigned *b,
                                unsigned *nexc)
{
    if (p >= end)
        return NULL;
    *b = *p & 0x3F;
    *nexc = 0;
    if (*p++ & 0x80) {
        if (p >= end || *p == 0 || *p > n)
            return NULL;
        *nexc = *p++;
    }
    if (*b > 32 || (*b == 32 && *nexc) || (size_t)(end - p) < codec_packed_size_n(n, *b) + *nexc)
        return NULL;
    return p;
}

const uint8_t *codec_pfor_decode(const uint8_t *p, const uint8_t *end, unsigned n, uint32_t *v)
{
    unsigned b, nexc;
    if (n > CODEC_BLOCK || !(p = pfor_head(p, end, n, &b, &nexc)))
        return NULL;
    if (n == CODEC_BLOCK)
        codec_unpack128(p, b, v);
    else
        codec_unpack_n(p, n, b, v);
    const uint8_t *idx = p + codec_packed_size_n(n, b);
    p = idx + nexc;
    for (unsigned e = 0; e < nexc; e++) {
        uint32_t hi = 0;
        unsigned sh = 0;
        for (;;) {
            if (p >= end || sh > 28)
                return NULL;
            uint8_t c = *p++;
            hi |= (uint32_t)(c & 0x7F) << sh;
            if (sh == 28 && (c & 0x70))
                return NULL; /* more than 32 bits */
            if (!(c & 0x80))
                break;
            sh += 7;
        }
        if (idx[e] >= n || hi == 0 || ((uint64_t)hi << b) > UINT32_MAX)
            return NULL;
        v[idx[e]] |= hi << b;
    }
    return p;
}

const uint8_t *codec_pfor_skip(const uint8_t *p, const uint8_t *end, unsigned n)
{
    unsigned b, nexc;
    if (n > CODEC_BLOCK || !(p = pfor_head(p, end, n, &b, &nexc)))
        return NULL;
    return codec_skip_varints(p + codec_packed_size_n(n, b) + nexc, end, nexc);
}

int codec_pfor_get(const uint8_t *p, const uint8_t *end, unsigned n, unsigned i, uint32_t *v)
{
    unsigned b, nexc;
    if (n > CODEC_BLOCK || i >= n || !(p = pfor_head(p, end, n, &b, &nexc)))
        return -1;
    size_t nbytes = codec_packed_size_n(n, b), bit = (size_t)i * b, at = bit / 8;
    uint64_t lo = 0;
    if (b) {
        uint8_t t[8] = { 0 };
        memcpy(t, p + at, nbytes - at < 8 ? nbytes - at : 8);
        lo = (load64(t) >> (bit % 8)) & (b == 32 ? 0xFFFFFFFFull : (1ull << b) - 1);
    }
    const uint8_t *idx = p + nbytes;
    for (unsigned e = 0; e < nexc && idx[e] <= i; e++) {
        if (idx[e] < i)
            continue;
        const uint8_t *q = codec_skip_varints(idx + nexc, end, e);
        uint64_t hi = 0;
        for (unsigned sh = 0;; sh += 7) {
            if (!q || q >= end || sh > 28)
                return -1;
            uint8_t c = *q++;
            hi |= (uint64_t)(c & 0x7F) << sh;
            if (!(c & 0x80))
                break;
        }
        if (hi == 0 || (hi << b) > UINT32_MAX)
            return -1;
        lo |= hi << b;
    }
    *v = (uint32_t)lo;
    return 0;
}

/* test_codec.c — the postings codecs: bit-packing of 128-value blocks, and
 * posting lists (docids, frequencies, positions, exact flags, skip data and
 * block bounds) written by the block encoder and read back by the cursor. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/codec.h"
#include "index/segment.h"
#include "util/norm.h"

static void pack_round_trips(void)
{
    uint64_t rs = 42;
    for (unsigned w = 0; w <= 32; w++) {
        for (int round = 0; round < 20; round++) {
            uint32_t v[128], back[128];
            uint8_t packed[16 * 32 + 8];
            uint64_t mask = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
            for (int i = 0; i < 128; i++)
                v[i] = (uint32_t)(tu_rand(&rs) & mask);
            if (round == 0)
                for (int i = 0; i < 128; i++)
                    v[i] = (uint32_t)mask; /* all bits set */
            assert_true(codec_width(v, 128) <= w);
            size_t n = codec_pack128(v, w, packed);
            assert_int_equal(n, 16 * w);
            codec_unpack128(packed, w, back);
            assert_memory_equal(v, back, sizeof v);
        }
    }
}

/* On both unpack paths: the vector one where the CPU has it, the portable one. */
static void test_pack_round_trips_every_width(void **state)
{
    (void)state;
    codec_set_simd(1);
    pack_round_trips();
    codec_set_simd(0);
    pack_round_trips();
    codec_set_simd(1);
}

static void test_pack_n_round_trips_partial_blocks(void **state)
{
    (void)state;
    uint64_t rs = 17;
    for (size_t n = 1; n < 128; n += 7) {
        for (unsigned w = 0; w <= 32; w += (w < 3 ? 1 : 5)) {
            uint32_t v[128], back[128];
            uint8_t packed[16 * 32 + 8];
            uint64_t mask = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
            for (size_t i = 0; i < n; i++)
                v[i] = (uint32_t)(tu_rand(&rs) & mask);
            v[n - 1] = (uint32_t)mask;
            assert_int_equal(codec_pack_n(v, n, w, packed), (n * w + 7) / 8);
            codec_unpack_n(packed, n, w, back);
            assert_memory_equal(v, back, n * sizeof *v);
        }
    }
}

/* The vector and the portable unpackers give the same values for any bytes
 * at every width, whole and partial blocks (on a CPU without AVX2 both runs
 * take the portable path and the test still checks the round trip). */
static void test_simd_and_portable_unpack_agree(void **state)
{
    (void)state;
    uint64_t rs = 99;
    uint8_t packed[16 * 32 + 8];
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof packed; i++)
            packed[i] = (uint8_t)tu_rand(&rs);
        for (unsigned w = 0; w <= 32; w++) {
            uint32_t a[128], b[128];
            size_t n = 1 + (size_t)(tu_rand(&rs) % 127);
            codec_set_simd(1);
            codec_unpack128(packed, w, a);
            codec_set_simd(0);
            codec_unpack128(packed, w, b);
            assert_memory_equal(a, b, sizeof a);
            codec_set_simd(1);
            codec_unpack_n(packed, n, w, a);
            codec_set_simd(0);
            codec_unpack_n(packed, n, w, b);
            assert_memory_equal(a, b, n * sizeof *a);
        }
    }
    codec_set_simd(1);
}

/* Unpacking reads only the packed bytes: every width and count, from a
 * heap copy of exactly those bytes (under ASan a read past them fails),
 * both unpackers agreeing. */
static void test_unpack_reads_only_the_packed_bytes(void **state)
{
    (void)state;
    uint64_t rs = 7;
    for (unsigned w = 1; w <= 32; w++)
        for (size_t n = 1; n <= 128; n++) {
            uint32_t v[128], a[128], b[128];
            uint8_t packed[16 * 32 + 8];
            for (size_t i = 0; i < n; i++)
                v[i] = (uint32_t)(tu_rand(&rs) & (w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1));
            size_t nb = n == 128 ? codec_pack128(v, w, packed) : codec_pack_n(v, n, w, packed);
            uint8_t *exact = malloc(nb);
            assert_non_null(exact);
            memcpy(exact, packed, nb);
            for (int simd = 1; simd >= 0; simd--) {
                codec_set_simd(simd);
                if (n == 128)
                    codec_unpack128(exact, w, simd ? a : b);
                else
                    codec_unpack_n(exact, n, w, simd ? a : b);
            }
            codec_set_simd(1);
            assert_memory_equal(a, v, n * sizeof *v);
            assert_memory_equal(b, v, n * sizeof *v);
            free(exact);
        }
}

static void test_width_is_exact(void **state)
{
    (void)state;
    uint32_t v[128] = { 0 };
    assert_int_equal(codec_width(v, 128), 0);
    v[77] = 1;
    assert_int_equal(codec_width(v, 128), 1);
    v[3] = 0x80000000u;
    assert_int_equal(codec_width(v, 128), 32);
    v[3] = 255;
    assert_int_equal(codec_width(v, 128), 8);
}

static void test_skip_varints_stops_at_end(void **state)
{
    (void)state;
    uint8_t b[] = { 0x81, 0x01, 0x05, 0xff };
    assert_ptr_equal(codec_skip_varints(b, b + 4, 2), b + 3);
    assert_null(codec_skip_varints(b, b + 4, 3)); /* the last varint never ends */
    assert_ptr_equal(codec_skip_varints(b, b + 4, 0), b);
}

/* Encodes v[0..n) with PFor, checks the size bound, that decoding and
 * skipping stop at the same byte, that the values come back (whole and
 * one at a time), and that every truncation is refused.  Returns the
 * encoded size. */
static size_t pfor_round_trip(const uint32_t *v, unsigned n)
{
    uint8_t enc[CODEC_PFOR_MAX + 8];
    uint32_t back[128];
    size_t len = codec_pfor_encode(v, n, enc);
    assert_true(len >= 1 && len <= CODEC_PFOR_MAX);
    assert_ptr_equal(codec_pfor_decode(enc, enc + len, n, back), enc + len);
    assert_ptr_equal(codec_pfor_skip(enc, enc + len, n), enc + len);
    if (n)
        assert_memory_equal(v, back, n * sizeof *v);
    for (unsigned i = 0; i < n; i++) { /* one value alone (codec_pfor_get) */
        uint32_t one = ~v[i];
        assert_int_equal(codec_pfor_get(enc, enc + len, n, i, &one), 0);
        assert_int_equal(one, v[i]);
    }
    assert_int_equal(codec_pfor_get(enc, enc + len, n, n, back), -1);
    for (size_t cut = 0; cut < len; cut++)
        assert_null(codec_pfor_decode(enc, enc + cut, n, back));
    return len;
}

static void test_pfor_round_trips_edge_values(void **state)
{
    (void)state;
    uint32_t v[128] = { 0 };
    assert_int_equal(pfor_round_trip(v, 0), 1); /* empty: just the header */
    assert_int_equal(pfor_round_trip(v, 128), 1); /* all zero: width 0 */
    v[0] = 1;
    pfor_round_trip(v, 1);
    v[0] = UINT32_MAX;
    pfor_round_trip(v, 1);
    for (unsigned n = 1; n <= 128; n++) {
        for (unsigned i = 0; i < n; i++)
            v[i] = i % 3;
        v[n - 1] = UINT32_MAX; /* one 32-bit exception */
        pfor_round_trip(v, n);
        for (unsigned i = 0; i < n; i++)
            v[i] = UINT32_MAX - i; /* all wide: width 32, no exception */
        pfor_round_trip(v, n);
    }
}

static void test_pfor_round_trips_random_and_patches_outliers(void **state)
{
    (void)state;
    uint64_t rs = 99;
    for (int round = 0; round < 400; round++) {
        unsigned n = round % 5 == 0 ? 128 : 1 + (unsigned)(tu_rand(&rs) % 128);
        unsigned w = (unsigned)(tu_rand(&rs) % 33);
        uint64_t mask = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
        uint32_t v[128];
        for (unsigned i = 0; i < n; i++) {
            v[i] = (uint32_t)(tu_rand(&rs) & mask);
            if (tu_rand(&rs) % 20 == 0)
                v[i] = (uint32_t)tu_rand(&rs) >> (tu_rand(&rs) % 32); /* outlier */
        }
        pfor_round_trip(v, n);
    }
    /* 127 ones and one huge value: far smaller than packing at 32 bits */
    uint32_t v[128];
    for (int i = 0; i < 128; i++)
        v[i] = 1;
    v[40] = 4000000000u;
    assert_true(pfor_round_trip(v, 128) <= 2 + 16 + 1 + 5);
}

/* The encoder's width is the cheapest one: its length equals the smallest
 * size over every frame width, counted the slow way (header, exceptions
 * count, packed bits, an index byte and a varint per wider value). */
static void test_pfor_picks_the_cheapest_width(void **state)
{
    (void)state;
    uint64_t rs = 7;
    for (int round = 0; round < 2000; round++) {
        unsigned n = round % 3 == 0 ? 128 : 1 + (unsigned)(tu_rand(&rs) % 128);
        unsigned w = (unsigned)(tu_rand(&rs) % 33), maxw = 0;
        uint64_t mask = w == 32 ? 0xFFFFFFFFull : (1ull << w) - 1;
        uint32_t v[128];
        for (unsigned i = 0; i < n; i++) {
            v[i] = (uint32_t)(tu_rand(&rs) & mask);
            if (tu_rand(&rs) % (2 + round % 30) == 0)
                v[i] = (uint32_t)tu_rand(&rs) >> (tu_rand(&rs) % 32);
            unsigned vw = v[i] ? 32 - (unsigned)__builtin_clz(v[i]) : 0;
            if (vw > maxw)
                maxw = vw;
        }
        size_t best = 1 + codec_packed_size_n(n, maxw);
        for (unsigned b = 0; b < maxw; b++) {
            size_t cost = 2 + codec_packed_size_n(n, b);
            for (unsigned i = 0; i < n; i++)
                for (uint32_t hi = v[i] >> b; hi; hi >>= 7)
                    cost += 1 + (hi == v[i] >> b); /* index byte once, then varint bytes */
            if (cost < best)
                best = cost;
        }
        assert_int_equal(pfor_round_trip(v, n), best);
    }
}

/* Bit i*w + k of the packed bytes is bit k of value i: the format, one bit
 * at a time. */
static void ref_pack(const uint32_t *v, size_t n, unsigned w, uint8_t *out)
{
    memset(out, 0, (n * w + 7) / 8);
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < w; k++)
            if (v[i] >> k & 1)
                out[(i * w + k) / 8] |= (uint8_t)(1u << ((i * w + k) % 8));
}

/* Values at the width's limits: all ones, all zeros but the top bit,
 * alternating max and 0, and random ones (above the width too: the
 * packers keep the low bits). */
static void limit_values(uint32_t *v, unsigned w, int pattern, uint64_t *rs)
{
    uint32_t max = w == 32 ? UINT32_MAX : (1u << w) - 1, top = w ? 1u << (w - 1) : 0;
    for (int i = 0; i < 128; i++)
        v[i] = pattern == 0 ? max : pattern == 1 ? top : pattern == 2 ? (i & 1 ? 0 : max)
                                                                       : (uint32_t)tu_rand(rs);
}

/* The width-specialised packers write exactly the format's bytes, nothing
 * past them, for every width 0..32 and count 1..128. */
static void test_packers_write_the_format_bits_exactly(void **state)
{
    (void)state;
    uint64_t rs = 5;
    for (unsigned w = 0; w <= 32; w++)
        for (int pattern = 0; pattern < 4; pattern++) {
            uint32_t v[128], masked[128];
            limit_values(v, w, pattern, &rs);
            for (int i = 0; i < 128; i++)
                masked[i] = w == 32 ? v[i] : v[i] & ((1u << w) - 1);
            for (size_t n = 1; n <= 128; n++) {
                uint8_t got[16 * 32 + 8], want[16 * 32 + 8];
                memset(got, 0xA5, sizeof got);
                ref_pack(masked, n, w, want);
                size_t len = n == 128 ? codec_pack128(v, w, got) : codec_pack_n(v, n, w, got);
                assert_int_equal(len, (n * w + 7) / 8);
                assert_memory_equal(got, want, len);
                assert_int_equal(got[len], 0xA5); /* nothing written past */
            }
        }
}

/* PFor as the format says, the width chosen the slow way: the smallest
 * size over every width, maxw unless a lower width is strictly smaller,
 * else the lowest width of that size. */
static size_t ref_pfor(const uint32_t *v, unsigned n, uint8_t *out)
{
    unsigned maxw = 0;
    for (unsigned i = 0; i < n; i++)
        if (v[i] && 32 - (unsigned)__builtin_clz(v[i]) > maxw)
            maxw = 32 - (unsigned)__builtin_clz(v[i]);
    size_t best_cost = codec_packed_size_n(n, maxw);
    unsigned best = maxw;
    for (unsigned b = 0; b < maxw; b++) {
        size_t cost = 1 + codec_packed_size_n(n, b);
        for (unsigned i = 0; i < n; i++)
            for (uint32_t hi = v[i] >> b; hi; hi >>= 7)
                cost += 1 + (hi == v[i] >> b);
        if (cost < best_cost) {
            best_cost = cost;
            best = b;
        }
    }
    uint32_t lo[128];
    uint8_t *p = out + 1, idx[128];
    unsigned nexc = 0;
    for (unsigned i = 0; i < n; i++) {
        lo[i] = best == 32 ? v[i] : v[i] & ((1u << best) - 1);
        if (best < 32 && v[i] >> best)
            idx[nexc++] = (uint8_t)i;
    }
    out[0] = (uint8_t)(best | (nexc ? 0x80 : 0));
    if (nexc)
        *p++ = (uint8_t)nexc;
    ref_pack(lo, n, best, p);
    p += (n * best + 7) / 8;
    memcpy(p, idx, nexc);
    p += nexc;
    for (unsigned e = 0; e < nexc; e++) {
        uint32_t hi = v[idx[e]] >> best;
        for (; hi >= 0x80; hi >>= 7)
            *p++ = (uint8_t)(hi | 0x80);
        *p++ = (uint8_t)hi;
    }
    return (size_t)(p - out);
}

/* The vector encoder (SSE2 counts, searching down from the widest value)
 * and the portable one (a histogram of every width) write the same bytes
 * as the slow reference, ties included, for every count and width, with
 * values at the width's limits and a few outliers. */
static void test_pfor_encoders_write_the_reference_bytes(void **state)
{
    (void)state;
    uint64_t rs = 11;
    for (int simd = 1; simd >= 0; simd--) {
        codec_set_simd(simd);
        for (unsigned w = 0; w <= 32; w++)
            for (int pattern = 0; pattern < 6; pattern++) {
                uint32_t v[128];
                limit_values(v, w, pattern & 3, &rs);
                for (int i = 0; i < 128; i++) {
                    if (pattern == 3 && w < 32)
                        v[i] &= (1u << w) - 1;
                    if (pattern >= 4 && tu_rand(&rs) % (pattern == 4 ? 40 : 6) == 0)
                        v[i] = (uint32_t)tu_rand(&rs) >> (tu_rand(&rs) % 32); /* outlier */
                }
                for (unsigned n = 1; n <= 128; n++) {
                    uint8_t got[CODEC_PFOR_MAX + 8], want[CODEC_PFOR_MAX + 8];
                    size_t len = codec_pfor_encode(v, n, got), wlen = ref_pfor(v, n, want);
                    assert_int_equal(len, wlen);
                    assert_memory_equal(got, want, len);
                }
            }
    }
    codec_set_simd(1);
}

static void test_pfor_refuses_malformed_headers(void **state)
{
    (void)state;
    uint32_t back[128];
    uint8_t wide[] = { 33 };                    /* width over 32 */
    assert_null(codec_pfor_decode(wide, wide + 1, 0, back));
    uint8_t zero_exc[] = { 0x80 | 1, 0, 0 };    /* exception flag, count 0 */
    assert_null(codec_pfor_decode(zero_exc, zero_exc + 3, 8, back));
    uint8_t many_exc[] = { 0x80, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    assert_null(codec_pfor_decode(many_exc, many_exc + sizeof many_exc, 8, back)); /* 9 > n */
    uint8_t bad_idx[] = { 0x80, 1, 8, 1 };      /* width 0, exception at index 8 of 8 */
    assert_null(codec_pfor_decode(bad_idx, bad_idx + 4, 8, back));
    uint8_t zero_hi[] = { 0x80, 1, 3, 0 };      /* an exception adding nothing */
    assert_null(codec_pfor_decode(zero_hi, zero_hi + 4, 8, back));
    uint8_t over[] = { 0x80 | 4, 1, 0, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x01 };
    assert_null(codec_pfor_decode(over, over + sizeof over, 8, back)); /* 2^28 << 4 */
    uint8_t ok[] = { 0x80 | 4, 1, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F };
    assert_non_null(codec_pfor_decode(ok, ok + sizeof ok, 8, back));
    assert_int_equal(back[0], 0xFFFFFFF0u);
}

/* ---------------------------------------------- lists in a fake segment */

typedef struct fake {
    ix_segment seg;
    buf post, pos, norms;
    td_writer td;
    uint64_t dict_off;
    const uint8_t *first;
    uint8_t first_len;
} fake;

typedef struct list {
    uint32_t n;
    uint32_t *docs, *tft, *tfb;
    uint32_t **pos;           /* per posting, tft + tfb positions */
    uint8_t **exact;
} list;

static void list_free(list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        free(l->pos[i]);
        free(l->exact[i]);
    }
    free(l->docs);
    free(l->tft);
    free(l->tfb);
    free(l->pos);
    free(l->exact);
}

/* A random list of n postings with docids below ndocs and gaps up to maxgap. */
static list list_random(uint64_t *rs, uint32_t n, uint64_t maxgap)
{
    list l = { n, calloc(n + 1, 4), calloc(n + 1, 4), calloc(n + 1, 4), calloc(n + 1, sizeof(uint32_t *)),
               calloc(n + 1, sizeof(uint8_t *)) };
    uint64_t d = 0;
    for (uint32_t i = 0; i < n; i++) {
        d += i == 0 ? tu_rand(rs) % (maxgap + 1) : 1 + tu_rand(rs) % maxgap;
        l.docs[i] = (uint32_t)d;
        l.tft[i] = tu_rand(rs) % 4 == 0 ? (uint32_t)(tu_rand(rs) % 3) : 0;
        l.tfb[i] = (uint32_t)(tu_rand(rs) % 6);
        if (l.tft[i] + l.tfb[i] == 0)
            l.tfb[i] = 1;
        if (tu_rand(rs) % 50 == 0)
            l.tfb[i] = 300 + (uint32_t)(tu_rand(rs) % 100); /* over a skip entry's u8 */
        uint32_t k = l.tft[i] + l.tfb[i];
        l.pos[i] = malloc(4 * k);
        l.exact[i] = malloc(k);
        uint32_t p = 0;
        for (uint32_t j = 0; j < k; j++) {
            p += (j == 0 ? 0 : 1) + (uint32_t)(tu_rand(rs) % 40);
            if (j == l.tft[i] && l.tft[i])
                p += 1000; /* body after the title */
            l.pos[i][j] = p;
            l.exact[i][j] = (uint8_t)(tu_rand(rs) & 1);
        }
    }
    return l;
}

static uint8_t tnorm(uint32_t d) { return (uint8_t)(d * 7 % 200 + 1); }
static uint8_t bnorm(uint32_t d) { return (uint8_t)(d * 13 % 250 + 2); }

/* Segments of up to this many documents get a NORMS section (tnorm,
 * bnorm); larger ones have none, so their norms read as 255 and the lists
 * are written with 255. */
#define FAKE_NORMS_MAX (1u << 20)

/* Builds a one-term segment in memory holding list l, its positions given
 * to the writer in mode `from` and written in mode `to` (POS_MIXED unless
 * every exact flag agrees). */
static int fake_v10; /* nonzero: the segment is in format 10 (lists in POSTINGS) */

/* Rewrites f's one-entry dictionary as format 10 wrote it: every list of
 * 2 or more documents in POSTINGS at doc_off 0, the extra bits without the
 * inline flag (termdict.c). */
static void fake_dict_v10(fake *f, const td_entry *e)
{
    buf_reset(&f->td.dict);
    buf_put_u8(&f->td.dict, 1);
    buf_put_varint(&f->td.dict, 0);
    buf_put_varint(&f->td.dict, 4);
    buf_put(&f->td.dict, "term", 4);
    buf_put_varint(&f->td.dict, e->df);
    buf_put_varint(&f->td.dict, (e->cf - e->df) << 3 | (uint64_t)(e->escs ? 4 : 0) | e->mode);
    buf_put_varint(&f->td.dict, 0); /* doc_off */
    if (e->cf > e->df)
        buf_put_varint(&f->td.dict, 0); /* pos_off */
    if (e->df >= DICT_BOUND_MIN_DF) {
        buf_put_varint(&f->td.dict, e->bound.max_tf_title);
        buf_put_varint(&f->td.dict, e->bound.max_tf_body);
        buf_put_u8(&f->td.dict, e->bound.min_title_norm);
        buf_put_u8(&f->td.dict, e->bound.min_body_norm);
    }
}

static void fake_build_modes(fake *f, const list *l, uint32_t ndocs, int from, int to)
{
    memset(f, 0, sizeof *f);
    buf_init(&f->post);
    buf_init(&f->pos);
    buf_init(&f->norms);
    td_writer_init(&f->td);
    int norms = ndocs <= FAKE_NORMS_MAX;
    for (uint32_t d = 0; norms && d < ndocs; d++)
        buf_put_u8(&f->norms, tnorm(d));
    for (uint32_t d = 0; norms && d < ndocs; d++)
        buf_put_u8(&f->norms, bnorm(d));
    post_writer pw;
    pw_init(&pw);
    pw_begin(&pw);
    buf one;
    buf_init(&one);
    for (uint32_t i = 0; i < l->n; i++) {
        uint32_t k = l->tft[i] + l->tfb[i];
        buf_reset(&one);
        pos_encode(&one, l->pos[i], l->exact[i], k, from);
        pw_add(&pw, l->docs[i], l->tft[i], l->tfb[i], norms ? tnorm(l->docs[i]) : 255,
               norms ? bnorm(l->docs[i]) : 255);
        assert_ptr_equal(pw_positions(&pw, one.p, one.p + one.len, k, from, to), one.p + one.len);
    }
    buf_free(&one);
    pw_finish_positions(&pw);
    buf_put(&f->pos, pw.pos.p, pw.pos.len);
    int mode = to;
    td_entry e = { .len = 4, .df = pw.df, .cf = pw.cf, .bound = pw.bound,
                   .mode = (uint8_t)mode };
    if (pw.df == 1) { /* inlined, as segment_write.c does */
        e.inl_doc = pw.docs[0];
        e.inl_tft = pw.tft[0];
        e.inl_tfb = pw.tfb[0];
        e.inl_fv = pw.fv[0];
    } else {
        pw_finish(&pw, &f->post);
        e.escs = (uint8_t)pw.escs;
        if (pw.df <= DICT_INLINE_MAX_DF && !fake_v10) { /* in the entry, as segment_write.c does */
            e.inl_post = f->post.p;
            e.inl_post_len = (uint32_t)f->post.len;
        }
    }
    memcpy(e.term, "term", 4);
    if (l->n)
        td_writer_add(&f->td, &e);
    td_writer_finish(&f->td);
    if (fake_v10 && l->n > 1)
        fake_dict_v10(f, &e);
    pw_free(&pw);
    assert_false(f->post.oom || f->pos.oom || f->td.dict.oom);
    ix_segment *s = &f->seg;
    snprintf(s->name, sizeof s->name, "fake");
    s->version = fake_v10 ? 10 : SEG_VERSION;
    s->ndocs = ndocs;
    s->sec[SEC_POSTINGS].p = f->post.p;
    s->sec[SEC_POSTINGS].len = f->post.len;
    s->sec[SEC_POSITIONS].p = f->pos.p;
    s->sec[SEC_POSITIONS].len = f->pos.len;
    s->sec[SEC_DICT].p = f->td.dict.p;
    s->sec[SEC_DICT].len = f->td.dict.len;
    s->sec[SEC_NORMS].p = f->norms.p;
    s->sec[SEC_NORMS].len = f->norms.len;
    s->ndict_blocks = f->td.nblocks;
    if (norms) /* the huge ones work the widths out per document */
        assert_int_equal(post_first_widths(s), 0);
    f->first = (const uint8_t *)"term";
    f->first_len = 4;
    s->dict_off = &f->dict_off;
    s->dict_first = &f->first;
    s->dict_first_len = &f->first_len;
}

static void fake_build_mode(fake *f, const list *l, uint32_t ndocs, int mode)
{
    fake_build_modes(f, l, ndocs, mode, mode);
}

static void fake_build(fake *f, const list *l, uint32_t ndocs) { fake_build_mode(f, l, ndocs, POS_MIXED); }

static void fake_free(fake *f)
{
    buf_free(&f->post);
    buf_free(&f->pos);
    buf_free(&f->norms);
    free(f->seg.first_w);
    td_writer_free(&f->td);
}

/* Walks the whole list with next() and checks every field. */
static void check_walk(const fake *f, const list *l)
{
    ix_post c;
    int found = ix_post_open(&c, &f->seg, "term", 4);
    assert_int_equal(found, l->n > 0);
    assert_int_equal(c.df, l->n);
    uint32_t pos[512];
    uint8_t ex[512];
    for (uint32_t i = 0; i < l->n; i++) {
        assert_int_equal(c.doc, l->docs[i]);
        assert_int_equal(ix_post_tf_title(&c), l->tft[i]);
        assert_int_equal(ix_post_tf_body(&c), l->tfb[i]);
        if (i % 3 == 0) { /* positions are optional: skip some */
            uint32_t k = ix_post_positions(&c, pos, ex, 512);
            assert_int_equal(k, l->tft[i] + l->tfb[i]);
            assert_memory_equal(pos, l->pos[i], 4 * k);
            assert_memory_equal(ex, l->exact[i], k);
        }
        ix_post_next(&c);
    }
    assert_int_equal(c.doc, IX_END);
    assert_int_equal(ix_post_next(&c), IX_END);
    assert_false(c.bad);
}

static void round_trip(uint32_t n, uint64_t maxgap, uint64_t seed)
{
    uint64_t rs = seed;
    list l = list_random(&rs, n, maxgap);
    fake f;
    fake_build(&f, &l, n ? l.docs[n - 1] + 1 : 1);
    check_walk(&f, &l);
    fake_free(&f);
    list_free(&l);
}

static void test_list_round_trips_edge_sizes(void **state)
{
    (void)state;
    const uint32_t sizes[] = { 0, 1, 2, 7, 8, 9, 127, 128, 129, 135, 136, 255, 256, 257, 384, 1000 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        round_trip(sizes[i], 1, 1 + i);       /* dense: gap width 0 */
        round_trip(sizes[i], 1000, 100 + i);  /* sparse */
    }
}

/* Format 10 segments (short lists in POSTINGS, no inline flag) still read
 * the same postings, positions included. */
static void test_format_10_lists_still_read(void **state)
{
    (void)state;
    const uint32_t sizes[] = { 2, 3, 4, 7, 15, 16, 17, 128, 129 };
    fake_v10 = 1;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        round_trip(sizes[i], 1, 1 + i);
        round_trip(sizes[i], 1000, 100 + i);
    }
    fake_v10 = 0;
}

static void test_list_with_huge_gaps(void **state)
{
    (void)state;
    /* docids up to 2^32 - 2, the largest a segment can hold */
    uint32_t docs[3][3] = { { 0, 4294967292u, 4294967293u },
                            { 4294967293u, 0, 0 },
                            { 7, 2147483648u, 4294967292u } };
    uint32_t ns[3] = { 3, 1, 3 };
    for (int t = 0; t < 3; t++) {
        uint64_t rs = 9;
        list l = list_random(&rs, ns[t], 1);
        for (uint32_t i = 0; i < ns[t]; i++)
            l.docs[i] = docs[t][i];
        fake f;
        fake_build(&f, &l, UINT32_MAX - 1);
        check_walk(&f, &l);
        fake_free(&f);
        list_free(&l);
    }
    /* a full packed block whose gaps need 32 bits */
    uint64_t rs = 5;
    list l = list_random(&rs, 130, 1);
    for (uint32_t i = 0; i < 130; i++)
        l.docs[i] = i == 0 ? 3 : (i < 64 ? l.docs[i - 1] + 1 : (i == 64 ? 4000000000u : l.docs[i - 1] + 1));
    fake f;
    fake_build(&f, &l, UINT32_MAX - 1);
    check_walk(&f, &l);
    fake_free(&f);
    list_free(&l);
}

static void test_uniform_exact_flags_cost_no_bits(void **state)
{
    (void)state;
    const int modes[2] = { POS_EXACT, POS_INEXACT };
    for (int m = 0; m < 2; m++) {
        for (uint32_t n = 1; n < 400; n += 133) {
            uint64_t rs = 21 + n;
            list l = list_random(&rs, n, 30);
            for (uint32_t i = 0; i < n; i++)
                memset(l.exact[i], modes[m] == POS_EXACT, l.tft[i] + l.tfb[i]);
            fake f, g;
            fake_build_mode(&f, &l, l.docs[n - 1] + 1, modes[m]);
            fake_build_mode(&g, &l, l.docs[n - 1] + 1, POS_MIXED);
            check_walk(&f, &l);
            assert_true(f.pos.len <= g.pos.len);
            /* the uniform stream re-encoded as mixed gives the mixed one */
            fake h;
            fake_build_modes(&h, &l, l.docs[n - 1] + 1, modes[m], POS_MIXED);
            check_walk(&h, &l);
            assert_int_equal(h.pos.len, g.pos.len);
            assert_memory_equal(h.pos.p, g.pos.p, h.pos.len);
            fake_free(&h);
            /* positions running past their end are refused */
            buf one;
            buf_init(&one);
            pos_encode(&one, l.pos[0], l.exact[0], l.tft[0] + l.tfb[0], modes[m]);
            post_writer pw;
            pw_init(&pw);
            pw_begin(&pw);
            pw_add(&pw, 0, l.tft[0], l.tfb[0], 1, 1);
            assert_null(pw_positions(&pw, one.p, one.p + one.len, l.tft[0] + l.tfb[0] + 1, modes[m],
                                     POS_MIXED));
            pw_free(&pw);
            buf_free(&one);
            fake_free(&f);
            fake_free(&g);
            list_free(&l);
        }
    }
}

/* A list of n docs (0, 2, 4, ...) whose tf_body are tf[i]; positions
 * start at first and step by step; exact flags alternate. */
static list list_with_positions(uint32_t n, const uint32_t *tf, uint32_t first, uint32_t step)
{
    list l = { n, calloc(n + 1, 4), calloc(n + 1, 4), calloc(n + 1, 4), calloc(n + 1, sizeof(uint32_t *)),
               calloc(n + 1, sizeof(uint8_t *)) };
    for (uint32_t i = 0; i < n; i++) {
        l.docs[i] = 2 * i;
        l.tfb[i] = tf[i];
        l.pos[i] = malloc(4 * (tf[i] + 1));
        l.exact[i] = malloc(tf[i] + 1);
        for (uint32_t j = 0; j < tf[i]; j++) {
            l.pos[i][j] = first + j * step;
            l.exact[i][j] = (uint8_t)((i + j) & 1);
        }
    }
    return l;
}

/* Reads every doc's positions (check_walk reads a third of them). */
static void check_all_positions(const fake *f, const list *l)
{
    ix_post c;
    assert_int_equal(ix_post_open(&c, &f->seg, "term", 4), l->n > 0);
    uint32_t *pos = malloc(4 * 1024);
    uint8_t *ex = malloc(1024);
    for (uint32_t i = 0; i < l->n; i++, ix_post_next(&c)) {
        uint32_t k = ix_post_positions(&c, pos, ex, 1024);
        assert_int_equal(k, l->tfb[i]);
        assert_memory_equal(pos, l->pos[i], 4 * k);
        assert_memory_equal(ex, l->exact[i], k);
    }
    assert_int_equal(c.doc, IX_END);
    assert_false(c.bad);
    free(pos);
    free(ex);
}

static void test_positions_round_trip_around_block_multiples(void **state)
{
    (void)state;
    const uint32_t cfs[] = { 1, 2, 7, 8, 9, 127, 128, 129, 135, 136, 255, 256, 257, 384, 1000 };
    for (size_t t = 0; t < sizeof cfs / sizeof *cfs; t++) {
        uint32_t cf = cfs[t], *tf = calloc(cf, 4);
        /* one doc holding all cf positions, then cf docs of one each */
        tf[0] = cf;
        list one = list_with_positions(1, tf, 5, 3);
        for (uint32_t i = 0; i < cf; i++)
            tf[i] = 1;
        list many = list_with_positions(cf, tf, 7, 1);
        const list *ls[2] = { &one, &many };
        for (int k = 0; k < 2; k++) {
            fake f;
            fake_build(&f, ls[k], 2 * cf + 1);
            check_all_positions(&f, ls[k]);
            if (k == 1) /* check_walk reads at most 512 positions a doc */
                check_walk(&f, ls[k]);
            fake_free(&f);
        }
        list_free(&one);
        list_free(&many);
        free(tf);
    }
}

static void test_positions_with_huge_gaps_patch_their_blocks(void **state)
{
    (void)state;
    /* positions near 2^31 and 2^32 - 1: mixed values need 33 bits */
    uint32_t tf[300];
    for (uint32_t i = 0; i < 300; i++)
        tf[i] = i % 7 == 3 ? 4 : 1;
    list l = list_with_positions(300, tf, 1, 1);
    for (uint32_t i = 0; i < 300; i++)
        if (tf[i] == 4) {
            l.pos[i][0] = 3;
            l.pos[i][1] = 2147483648u;
            l.pos[i][2] = 2147483649u;
            l.pos[i][3] = 4294967295u;
        }
    const int modes[3] = { POS_MIXED, POS_EXACT, POS_INEXACT };
    for (int m = 0; m < 3; m++) {
        for (uint32_t i = 0; i < 300 && m > 0; i++)
            memset(l.exact[i], modes[m] == POS_EXACT, tf[i]);
        fake f;
        fake_build_mode(&f, &l, 600, modes[m]);
        check_all_positions(&f, &l);
        fake_free(&f);
    }
    list_free(&l);
}

static void test_positions_blocks_beat_varints(void **state)
{
    (void)state;
    /* 64 docs of 8 positions each with a large first position: the
     * exceptions keep the small gaps packed narrow */
    uint32_t tf[64];
    for (int i = 0; i < 64; i++)
        tf[i] = 8;
    list l = list_with_positions(64, tf, 20000, 2);
    fake f;
    fake_build(&f, &l, 200);
    check_all_positions(&f, &l);
    size_t varints = 0;
    buf one;
    buf_init(&one);
    for (int i = 0; i < 64; i++) {
        buf_reset(&one);
        pos_encode(&one, l.pos[i], l.exact[i], 8, POS_MIXED);
        varints += one.len;
    }
    buf_free(&one);
    /* 512 values: varints take 512 + 128 bytes; blocks 4 * (2 + 48) + 64 * 3 */
    assert_true(f.pos.len < varints);
    assert_true(f.pos.len <= 4 * (2 + 16 * 3) + 64 * 3);
    fake_free(&f);
    list_free(&l);
}

/* A list whose positions agree with the documents' norms (title 0..T-1,
 * body T+1..T+B): the first positions take the bits the norms allow; the
 * same list with positions beyond the norms (escaped) still round-trips
 * but costs more. */
static void test_first_positions_within_norms_cost_fewer_bytes(void **state)
{
    (void)state;
    const int modes[3] = { POS_MIXED, POS_EXACT, POS_INEXACT };
    for (int m = 0; m < 3; m++) {
        for (uint32_t n = 1; n <= 300; n += 299) {
            uint64_t rs = 5 + n + (uint64_t)m;
            list in = list_random(&rs, n, 3), out = list_random(&rs, n, 3);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t d = in.docs[i], t = norm_decode(tnorm(d)), b = norm_decode(bnorm(d));
                uint32_t k = in.tft[i] + in.tfb[i];
                if (in.tft[i] > t || in.tfb[i] > b) { /* keep it possible */
                    in.tft[i] = in.tft[i] > t ? t : in.tft[i];
                    in.tfb[i] = in.tft[i] + in.tfb[i] == 0 ? 1 : (in.tfb[i] > b ? b : in.tfb[i]);
                    k = in.tft[i] + in.tfb[i];
                }
                for (uint32_t j = 0; j < k; j++) { /* spread inside the fields */
                    uint32_t f = j < in.tft[i] ? j : j - in.tft[i];
                    uint32_t cnt = j < in.tft[i] ? in.tft[i] : in.tfb[i];
                    uint32_t len = j < in.tft[i] ? t : b;
                    in.pos[i][j] = (j < in.tft[i] ? 0 : t + 1) + f * (len / cnt) + (uint32_t)(tu_rand(&rs) % (len / cnt));
                    in.exact[i][j] = modes[m] == POS_MIXED ? (uint8_t)(tu_rand(&rs) & 1) : modes[m] == POS_EXACT;
                }
                out.docs[i] = in.docs[i];
                out.tft[i] = in.tft[i];
                out.tfb[i] = in.tfb[i];
                free(out.pos[i]);
                free(out.exact[i]);
                out.pos[i] = malloc(4 * k);
                out.exact[i] = malloc(k);
                for (uint32_t j = 0; j < k; j++) {
                    out.pos[i][j] = in.pos[i][j] + 2000000000u; /* past every norm: escaped */
                    out.exact[i][j] = in.exact[i][j];
                }
            }
            fake f, g;
            fake_build_mode(&f, &in, in.docs[n - 1] + 1, modes[m]);
            fake_build_mode(&g, &out, out.docs[n - 1] + 1, modes[m]);
            check_walk(&f, &in);
            check_walk(&g, &out);
            assert_true(f.post.len + f.td.dict.len < g.post.len + g.td.dict.len);
            fake_free(&f);
            fake_free(&g);
            list_free(&in);
            list_free(&out);
        }
    }
}

static void test_advance_skips_to_first_doc_at_or_after(void **state)
{
    (void)state;
    uint64_t rs = 77;
    list l = list_random(&rs, 2000, 50);
    fake f;
    uint32_t ndocs = l.docs[l.n - 1] + 1;
    fake_build(&f, &l, ndocs);
    for (int round = 0; round < 50; round++) {
        ix_post c;
        assert_true(ix_post_open(&c, &f.seg, "term", 4));
        uint32_t target = 0, i = 0;
        for (;;) {
            target += 1 + (uint32_t)(tu_rand(&rs) % (round < 25 ? 100 : 5000));
            while (i < l.n && l.docs[i] < target)
                i++;
            uint32_t got = ix_post_advance(&c, target);
            if (i == l.n) {
                assert_int_equal(got, IX_END);
                break;
            }
            assert_int_equal(got, l.docs[i]);
            assert_int_equal(ix_post_tf_body(&c), l.tfb[i]);
            uint32_t pos[512];
            uint32_t k = ix_post_positions(&c, pos, NULL, 512);
            assert_int_equal(k, l.tft[i] + l.tfb[i]);
            assert_memory_equal(pos, l.pos[i], 4 * k);
            assert_int_equal(ix_post_advance(&c, target), got); /* never backwards */
        }
    }
    fake_free(&f);
    list_free(&l);
}

/* Two cursors walked the way a conjunction walks them (ix_post_meet while
 * the denser one's decoded block reaches the sparser one's document, else
 * advancing both to the larger document) meet on exactly the documents the
 * two lists share, whichever list leads and however far apart they are. */
static void test_meet_finds_every_shared_document(void **state)
{
    (void)state;
    uint64_t rs = 5;
    static const uint32_t sizes[][2] = { { 300, 4000 }, { 4000, 300 }, { 2500, 2500 }, { 900, 1300 } };
    static const uint64_t gaps[][2] = { { 60, 4 }, { 4, 60 }, { 7, 7 }, { 3, 40 } };
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        list la = list_random(&rs, sizes[t][0], gaps[t][0]), lb = list_random(&rs, sizes[t][1], gaps[t][1]);
        uint32_t ma = la.docs[la.n - 1], mb = lb.docs[lb.n - 1], ndocs = (ma > mb ? ma : mb) + 1;
        fake fa, fb;
        fake_build(&fa, &la, ndocs);
        fake_build(&fb, &lb, ndocs);
        ix_post a, b;
        assert_true(ix_post_open(&a, &fa.seg, "term", 4));
        assert_true(ix_post_open(&b, &fb.seg, "term", 4));
        uint32_t want = 0, got = 0, i = 0, met = 0;
        for (uint32_t j = 0; j < lb.n; j++) { /* the shared documents, by a merge */
            while (i < la.n && la.docs[i] < lb.docs[j])
                i++;
            want += i < la.n && la.docs[i] == lb.docs[j];
        }
        i = 0;
        while (a.doc != IX_END && b.doc != IX_END) {
            if (a.doc == b.doc) {
                while (la.docs[i] < a.doc) /* every shared document, in order */
                    i++;
                assert_int_equal(la.docs[i], a.doc);
                got++;
                ix_post_next(&a);
                continue;
            }
            uint32_t from_a = a.doc, from_b = b.doc, passed;
            if (b.doc < a.doc && ix_post_in_block(&b, a.doc)) {
                if (ix_post_meet(&a, &b, &passed)) {
                    met++;
                    assert_int_equal(a.doc, b.doc);
                    continue;
                }
                assert_true(a.doc >= from_a && b.doc >= from_b && a.doc != b.doc);
            }
            uint32_t to = a.doc > b.doc ? a.doc : b.doc;
            ix_post_advance(&a, to);
            ix_post_advance(&b, to);
        }
        assert_int_equal(got, want);
        assert_true(want > 10 && met > 0); /* the lists do share documents, found by meeting */
        fake_free(&fa);
        fake_free(&fb);
        list_free(&la);
        list_free(&lb);
    }
}

static void test_block_bounds_cover_every_document(void **state)
{
    (void)state;
    uint64_t rs = 3;
    list l = list_random(&rs, 700, 20);
    fake f;
    fake_build(&f, &l, l.docs[l.n - 1] + 1);
    ix_post c;
    assert_true(ix_post_open(&c, &f.seg, "term", 4));
    ix_bound lb;
    ix_post_list_bound(&c, &lb);
    for (uint32_t i = 0; i < l.n; i++) {
        uint32_t last;
        ix_bound b;
        assert_true(ix_post_block_bound(&c, l.docs[i], &last, &b));
        assert_true(last >= l.docs[i]);
        assert_true(b.max_tf_title >= l.tft[i] && b.max_tf_body >= l.tfb[i]);
        assert_true(b.min_title_norm <= tnorm(l.docs[i]) && b.min_body_norm <= bnorm(l.docs[i]));
        assert_true(lb.max_tf_title >= b.max_tf_title && lb.max_tf_body >= b.max_tf_body);
        assert_true(lb.min_title_norm <= b.min_title_norm);
        /* the block's last doc is a real posting of the same block */
        uint32_t j = i;
        while (j < l.n && l.docs[j] < last)
            j++;
        assert_true(j < l.n && l.docs[j] == last && j / 128 == i / 128);
    }
    uint32_t last;
    ix_bound b;
    assert_false(ix_post_block_bound(&c, l.docs[l.n - 1] + 1, &last, &b));
    fake_free(&f);
    list_free(&l);
}

/* The writer's list bound is exact and each skip entry holds its block's
 * (capped at 255), whatever the block's length (the vector code takes 16
 * postings at a time, the rest one by one) and with frequencies past 2^31
 * (compared unsigned). */
static void test_block_bounds_are_exact_at_any_length(void **state)
{
    (void)state;
    uint64_t rs = 23;
    static const uint32_t lens[] = { 1, 2, 15, 16, 17, 31, 127, 128, 129, 143, 144, 300, 700 };
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        uint32_t n = lens[li], tft[700], tfb[700];
        uint8_t tn[700], bn[700];
        post_writer pw;
        pw_init(&pw);
        pw_begin(&pw);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t r = tu_rand(&rs);
            tft[i] = r % 7 == 0 ? 0x80000000u + (uint32_t)(r >> 8) % 1000 : r % 5 == 0 ? (uint32_t)(r >> 20) : 0;
            tfb[i] = 1 + (r % 11 == 0 ? UINT32_MAX - 1 - (uint32_t)(r >> 40) % 1000 : (uint32_t)(r >> 33) % 300);
            tn[i] = (uint8_t)(r >> 24);
            bn[i] = (uint8_t)(1 + (r >> 48) % 255);
            pw_add(&pw, 3 * i + 1, tft[i], tfb[i], tn[i], bn[i]);
        }
        pw_finish_positions(&pw);
        ix_bound want = { 0, 0, 255, 255 };
        for (uint32_t i = 0; i < n; i++) {
            want.max_tf_title = tft[i] > want.max_tf_title ? tft[i] : want.max_tf_title;
            want.max_tf_body = tfb[i] > want.max_tf_body ? tfb[i] : want.max_tf_body;
            want.min_title_norm = tn[i] < want.min_title_norm ? tn[i] : want.min_title_norm;
            want.min_body_norm = bn[i] < want.min_body_norm ? bn[i] : want.min_body_norm;
        }
        assert_int_equal(pw.bound.max_tf_title, want.max_tf_title);
        assert_int_equal(pw.bound.max_tf_body, want.max_tf_body);
        assert_int_equal(pw.bound.min_title_norm, want.min_title_norm);
        assert_int_equal(pw.bound.min_body_norm, want.min_body_norm);
        buf out;
        buf_init(&out);
        pw_finish(&pw, &out);
        assert_false(out.oom);
        if (n > 128) /* the skip table: one entry per block */
            for (uint32_t b = 0; b * 128 < n; b++) {
                const uint8_t *e = out.p + 20 * b;
                uint32_t mt = 0, mb = 0;
                uint8_t mtn = 255, mbn = 255;
                for (uint32_t i = b * 128; i < n && i < b * 128 + 128; i++) {
                    mt = tft[i] > mt ? tft[i] : mt;
                    mb = tfb[i] > mb ? tfb[i] : mb;
                    mtn = tn[i] < mtn ? tn[i] : mtn;
                    mbn = bn[i] < mbn ? bn[i] : mbn;
                }
                assert_int_equal(le32(e), 3 * (b * 128 + 127 < n ? b * 128 + 127 : n - 1) + 1);
                assert_int_equal(e[16], mt > 255 ? 255 : mt);
                assert_int_equal(e[17], mb > 255 ? 255 : mb);
                assert_int_equal(e[18], mtn);
                assert_int_equal(e[19], mbn);
            }
        buf_free(&out);
        pw_free(&pw);
    }
}

/* A list in the inverter's stream shapes (see pw_add_stream), written
 * from document 0: doc entries in d, POS_MIXED positions in p. */
static void list_streams(const list *l, buf *d, buf *p)
{
    uint32_t prev1 = 0; /* previous doc + 1 */
    for (uint32_t i = 0; i < l->n; i++) {
        buf_put_varint(d, (uint64_t)(l->docs[i] + 1 - prev1) << 1 | (l->tft[i] > 0));
        prev1 = l->docs[i] + 1;
        if (l->tft[i])
            buf_put_varint(d, l->tft[i]);
        buf_put_varint(d, l->tfb[i]);
        pos_encode(p, l->pos[i], l->exact[i], l->tft[i] + l->tfb[i], POS_MIXED);
    }
}

/* pw_add_stream writes what pw_add and pw_positions write posting by
 * posting, in every positions mode, from document 0 or a later base, and
 * refuses positions that run short. */
static void test_add_stream_writes_what_add_writes(void **state)
{
    (void)state;
    uint64_t rs = 41;
    static const uint32_t lens[] = { 1, 2, 5, 127, 128, 129, 300, 1000 };
    uint8_t nt[4096], nb[4096];
    for (uint32_t i = 0; i < 4096; i++) {
        nt[i] = tnorm(i);
        nb[i] = i % 97 == 0 ? 0 : bnorm(i); /* norms 1, 0: most first positions escape */
        nt[i] = i % 97 == 0 ? 1 : nt[i];
    }
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
        for (int mode = POS_MIXED; mode <= POS_INEXACT; mode++) {
            uint32_t base = li % 2 ? 17 : 0;
            list l = list_random(&rs, lens[li], 3);
            for (uint32_t i = 0; i < l.n; i++)
                for (uint32_t j = 0; j < l.tft[i] + l.tfb[i]; j++)
                    l.exact[i][j] = mode == POS_MIXED ? l.exact[i][j] : mode == POS_EXACT;
            buf d, p, one, out[2];
            buf_init(&d);
            buf_init(&p);
            buf_init(&one);
            list_streams(&l, &d, &p);
            post_writer a, b;
            pw_init(&a);
            pw_init(&b);
            pw_begin(&a);
            pw_begin(&b);
            assert_int_equal(pw_add_stream(&a, d.p, d.p + d.len, p.p, p.p + p.len, nt, nb, 4096, base, mode), 0);
            for (uint32_t i = 0; i < l.n; i++) {
                uint32_t doc = base + l.docs[i], k = l.tft[i] + l.tfb[i];
                pw_add(&b, doc, l.tft[i], l.tfb[i], doc < 4096 ? nt[doc] : 0, doc < 4096 ? nb[doc] : 0);
                buf_reset(&one);
                pos_encode(&one, l.pos[i], l.exact[i], k, POS_MIXED);
                assert_ptr_equal(pw_positions(&b, one.p, one.p + one.len, k, POS_MIXED, mode), one.p + one.len);
            }
            post_writer *w[2] = { &a, &b };
            for (int k = 0; k < 2; k++) {
                pw_finish_positions(w[k]);
                buf_init(&out[k]);
                pw_finish(w[k], &out[k]);
            }
            assert_int_equal(a.df, b.df);
            assert_int_equal(a.cf, b.cf);
            assert_int_equal(a.escs, b.escs);
            assert_memory_equal(&a.bound, &b.bound, sizeof a.bound);
            assert_int_equal(a.pos.len, b.pos.len);
            assert_memory_equal(a.pos.p, b.pos.p, a.pos.len);
            assert_int_equal(out[0].len, out[1].len);
            assert_memory_equal(out[0].p, out[1].p, out[0].len);
            /* positions cut short: refused */
            if (p.len > 1) {
                pw_begin(&a);
                assert_int_equal(pw_add_stream(&a, d.p, d.p + d.len, p.p, p.p + p.len - 1, nt, nb, 4096, base, mode), -1);
            }
            for (int k = 0; k < 2; k++)
                buf_free(&out[k]);
            pw_free(&a);
            pw_free(&b);
            buf_free(&d);
            buf_free(&p);
            buf_free(&one);
            list_free(&l);
        }
}

/* Walks the fake segment's damaged "term" list, reading every document's
 * positions: documents stay in range and ascending; returns how many. */
static uint32_t walk_damaged(fake *f)
{
    ix_post c;
    ix_post_open(&c, &f->seg, "term", 4);
    uint32_t prev = 0, steps = 0;
    for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c), steps++) {
        assert_true(d < f->seg.ndocs);
        assert_true(steps == 0 || d > prev);
        prev = d;
        uint32_t pos[512];
        ix_post_positions(&c, pos, NULL, 512);
    }
    return steps;
}

/* A short list lives in its dictionary entry: damage there is caught by
 * the lookup or the cursor, never read past the dictionary. */
static void test_damaged_inline_lists_never_read_out_of_bounds(void **state)
{
    (void)state;
    uint64_t rs = 12;
    for (uint32_t n = 2; n <= DICT_INLINE_MAX_DF; n++) {
        list l = list_random(&rs, n, 3000);
        fake f;
        fake_build(&f, &l, l.docs[l.n - 1] + 1);
        size_t len = f.td.dict.len;
        uint8_t *copy = malloc(len);
        memcpy(copy, f.td.dict.p, len);
        for (int round = 0; round < 200; round++) {
            memcpy(f.td.dict.p, copy, len);
            f.td.dict.p[1 + tu_rand(&rs) % (len - 1)] ^= (uint8_t)(1 + tu_rand(&rs) % 255);
            assert_true(walk_damaged(&f) <= 128);
        }
        free(copy);
        fake_free(&f);
        list_free(&l);
    }
}

static void test_damaged_lists_never_read_out_of_bounds(void **state)
{
    (void)state;
    uint64_t rs = 11;
    list l = list_random(&rs, 600, 30);
    fake f;
    fake_build(&f, &l, l.docs[l.n - 1] + 1);
    uint8_t *copy = malloc(f.post.len), *pcopy = malloc(f.pos.len);
    memcpy(copy, f.post.p, f.post.len);
    memcpy(pcopy, f.pos.p, f.pos.len);
    for (int round = 0; round < 300; round++) {
        memcpy(f.post.p, copy, f.post.len);
        memcpy(f.pos.p, pcopy, f.pos.len);
        for (int k = 0; k < 3; k++) {
            f.post.p[tu_rand(&rs) % f.post.len] ^= (uint8_t)(1 + tu_rand(&rs) % 255);
            f.pos.p[tu_rand(&rs) % f.pos.len] ^= (uint8_t)(1 + tu_rand(&rs) % 255);
        }
        assert_true(walk_damaged(&f) <= l.n);
    }
    free(copy);
    free(pcopy);
    fake_free(&f);
    list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_round_trips_every_width),
        cmocka_unit_test(test_pack_n_round_trips_partial_blocks),
        cmocka_unit_test(test_simd_and_portable_unpack_agree),
        cmocka_unit_test(test_unpack_reads_only_the_packed_bytes),
        cmocka_unit_test(test_width_is_exact),
        cmocka_unit_test(test_skip_varints_stops_at_end),
        cmocka_unit_test(test_pfor_round_trips_edge_values),
        cmocka_unit_test(test_pfor_round_trips_random_and_patches_outliers),
        cmocka_unit_test(test_pfor_picks_the_cheapest_width),
        cmocka_unit_test(test_packers_write_the_format_bits_exactly),
        cmocka_unit_test(test_pfor_encoders_write_the_reference_bytes),
        cmocka_unit_test(test_pfor_refuses_malformed_headers),
        cmocka_unit_test(test_list_round_trips_edge_sizes),
        cmocka_unit_test(test_format_10_lists_still_read),
        cmocka_unit_test(test_list_with_huge_gaps),
        cmocka_unit_test(test_uniform_exact_flags_cost_no_bits),
        cmocka_unit_test(test_positions_round_trip_around_block_multiples),
        cmocka_unit_test(test_positions_with_huge_gaps_patch_their_blocks),
        cmocka_unit_test(test_positions_blocks_beat_varints),
        cmocka_unit_test(test_first_positions_within_norms_cost_fewer_bytes),
        cmocka_unit_test(test_advance_skips_to_first_doc_at_or_after),
        cmocka_unit_test(test_meet_finds_every_shared_document),
        cmocka_unit_test(test_block_bounds_cover_every_document),
        cmocka_unit_test(test_block_bounds_are_exact_at_any_length),
        cmocka_unit_test(test_add_stream_writes_what_add_writes),
        cmocka_unit_test(test_damaged_lists_never_read_out_of_bounds),
        cmocka_unit_test(test_damaged_inline_lists_never_read_out_of_bounds),
    };
    return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}

/* codec.h — the integer codecs of the postings format: fixed-width
 * bit-packing of 128 values (a block), and varint helpers that never read
 * past a given end. */
#ifndef MG_INDEX_CODEC_H
#define MG_INDEX_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_BLOCK 128

/* Bits needed for the largest of v[0..n) (0 when all are 0). */
unsigned codec_width(const uint32_t *v, size_t n);

/* Packs 128 values of `width` bits (0..32) into out, little-endian bit
 * order; writes exactly 16 * width bytes and returns that count. */
size_t codec_pack128(const uint32_t *v, unsigned width, uint8_t *out);

/* Unpacks 128 values of `width` bits from in (16 * width bytes). */
void codec_unpack128(const uint8_t *in, unsigned width, uint32_t *v);

/* Packs/unpacks n (< 128) values of `width` bits: ceil(n * width / 8)
 * bytes, same bit order.  For the partial last block of a list. */
size_t codec_pack_n(const uint32_t *v, size_t n, unsigned width, uint8_t *out);
void codec_unpack_n(const uint8_t *in, size_t n, unsigned width, uint32_t *v);
static inline size_t codec_packed_size_n(size_t n, unsigned width) { return (n * width + 7) / 8; }

/* Whether the unpackers may use the CPU's vector instructions (AVX2 on
 * x86-64, checked at run time), and the PFor encoder SSE2 (x86-64's
 * baseline): 1 by default.  codec_set_simd(0) forces the portable code
 * (the tests run both; both write the same bytes); returns whether the
 * AVX2 unpackers are in use after the call (0 where the CPU or the build
 * has none).  Not thread-safe: set it before any coding starts. */
int codec_set_simd(int on);

/* Bytes used by a packed block of this width. */
static inline size_t codec_packed_size(unsigned width) { return (size_t)width * 16; }

/* Patched frame of reference (PFor) for n <= 128 values: each value's
 * low b bits bit-packed, the few values wider than b patched afterwards.
 * Format (b chosen to cost the fewest bytes):
 *   u8 head             b (0..32) | 0x80 when exceptions follow
 *   u8 nexc             only with 0x80: number of exceptions (1..n)
 *   ceil(n*b/8) bytes   the low b bits of every value (codec_pack_n order;
 *                       16*b bytes when n == 128)
 *   nexc bytes          the index (0..n-1) of each exception, ascending
 *   nexc varints        value >> b of each exception (not 0)
 * The encoder writes at most CODEC_PFOR_MAX bytes. */
#define CODEC_PFOR_MAX (2 + 16 * 32 + 128 + 128 * 5)
size_t codec_pfor_encode(const uint32_t *v, unsigned n, uint8_t *out);
/* The indexes (ascending) of the values of v[0..n) (n <= 128) wider than
 * b bits into idx; their number. */
unsigned codec_exceptions(const uint32_t *v, unsigned n, unsigned b, uint8_t *idx);
/* Decodes n values from p (never reading at or past end); returns the
 * byte after them, or NULL when the data is malformed or runs past end. */
const uint8_t *codec_pfor_decode(const uint8_t *p, const uint8_t *end, unsigned n, uint32_t *v);
/* The byte after an encoded run of n values, without decoding it (NULL
 * when malformed). */
const uint8_t *codec_pfor_skip(const uint8_t *p, const uint8_t *end, unsigned n);
/* Value i (< n) of an encoded run of n values, reading only its bits and,
 * if it is an exception, the exceptions before it.  0, or -1 when
 * malformed (codec_pfor_decode then fails too). */
int codec_pfor_get(const uint8_t *p, const uint8_t *end, unsigned n, unsigned i, uint32_t *v);

/* Skips n varints starting at p, never past end; returns the byte after
 * them, or NULL if the data ends first. */
const uint8_t *codec_skip_varints(const uint8_t *p, const uint8_t *end, uint64_t n);

#endif

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

/* Bytes used by a packed block of this width. */
static inline size_t codec_packed_size(unsigned width) { return (size_t)width * 16; }

/* Skips n varints starting at p, never past end; returns the byte after
 * them, or NULL if the data ends first. */
const uint8_t *codec_skip_varints(const uint8_t *p, const uint8_t *end, uint64_t n);

#endif

/* norm.h — field lengths quantized to one byte, for BM25 length
 * normalization (Lucene's SmallFloat idea).  Lengths 0..39 are exact; above,
 * each byte covers a range ~6% wide.  norm_decode(norm_encode(n)) <= n and
 * the mapping is monotone, so a block's minimum byte gives a valid bound. */
#ifndef MG_UTIL_NORM_H
#define MG_UTIL_NORM_H

#include <stdint.h>

uint8_t  norm_encode(uint32_t len);
uint32_t norm_decode(uint8_t b);

#endif

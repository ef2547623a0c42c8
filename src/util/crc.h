/* crc.h — CRC-32 (the zlib/gzip polynomial) for file checksums. */
#ifndef MG_UTIL_CRC_H
#define MG_UTIL_CRC_H

#include <stddef.h>
#include <stdint.h>

/* crc of p[0..n) continued from `crc` (start with 0). */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif

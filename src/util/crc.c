/* crc.c — CRC-32 through libdeflate, which is several times faster than
 * zlib's (it folds with PCLMULQDQ where the CPU has it). */
#include "util/crc.h"

#include <libdeflate.h>

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
    return libdeflate_crc32(crc, p, n);
}

/* norm.c — see norm.h.  Values below 40 are stored as is; from 40 on, the
 * byte holds a 4-bit mantissa and an exponent:  b = 40 + 16*e + m  stands
 * for (16 + m) << e, plus 24 so the ranges join up with the exact part. */
#include "util/norm.h"

uint8_t norm_encode(uint32_t len)
{
    if (len < 40)
        return (uint8_t)len;
    uint32_t v = len - 24;           /* >= 16 */
    unsigned e = 0;
    while ((v >> e) >= 32)
        e++;
    uint32_t m = (v >> e) - 16;      /* 0..15 */
    uint32_t b = 40 + 16 * e + m;
    return b > 255 ? 255 : (uint8_t)b;
}

uint32_t norm_decode(uint8_t b)
{
    if (b < 40)
        return b;
    unsigned e = (unsigned)(b - 40) / 16;
    uint32_t m = (uint32_t)(b - 40) % 16;
    return ((16 + m) << e) + 24;
}

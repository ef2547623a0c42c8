/* utf8.c — replaces invalid UTF-8 in stored fields by U+FFFD, counting
 * each replaced sequence, so everything stored and returned is valid. */
#include "index/segment.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int utf8_valid(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        uint64_t w[4];
        if (end - p >= 32) { /* 32 ASCII bytes at a time */
            memcpy(w, p, 32);
            if (!((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL)) {
                p += 32;
                continue;
            }
        }
        if (end - p >= 8 && (memcpy(w, p, 8), !(w[0] & 0x8080808080808080ULL))) {
            p += 8;
            continue;
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)(end - p), &c);
        if (k < 0)
            return 0;
        p += k;
    }
    return 1;
}

char *utf8_sanitize(const char *s, uint64_t *bad, int *oom)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    /* fast path: valid ASCII or UTF-8 is copied as is */
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0, nbad = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
        if (k < 0) {
            nbad++;
            k = 1;
        }
        i += (size_t)k;
    }
    char *out = malloc(n + 2 * nbad + 1);
    if (!out) {
        *oom = 1;
        return NULL;
    }
    if (nbad == 0) {
        memcpy(out, s, n + 1);
        return out;
    }
    size_t o = 0;
    for (i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = p[i] < 0x80 ? 1 : utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &c);
        if (k < 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(out + o, s + i, (size_t)k);
        o += (size_t)k;
        i += (size_t)k;
    }
    out[o] = '\0';
    *bad += nbad;
    return out;
}

/* buf.c — see buf.h. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void buf_init(buf *b) { memset(b, 0, sizeof *b); }

void buf_free(buf *b)
{
    free(b->p);
    buf_init(b);
}

void buf_reset(buf *b) { b->len = 0; }

int buf_reserve(buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->cap - b->len > extra)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void buf_put(buf *b, const void *p, size_t n)
{
    if (n == 0 || buf_reserve(b, n))
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void buf_put_u8(buf *b, uint8_t v) { buf_put(b, &v, 1); }

void buf_put_le16(buf *b, uint16_t v)
{
    uint8_t t[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    buf_put(b, t, 2);
}

void buf_put_le32(buf *b, uint32_t v)
{
    uint8_t t[4];
    st_le32(t, v);
    buf_put(b, t, 4);
}

void buf_put_le64(buf *b, uint64_t v)
{
    uint8_t t[8];
    st_le64(t, v);
    buf_put(b, t, 8);
}

void buf_put_varint(buf *b, uint64_t v)
{
    if (buf_reserve(b, 10))
        return;
    b->len = (size_t)(varint_put(b->p + b->len, v) - b->p);
}

void buf_put_str(buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    buf_put_varint(b, n);
    buf_put(b, s, n);
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *buf_cstr(buf *b)
{
    if (buf_reserve(b, 1))
        return NULL;
    b->p[b->len] = '\0';
    return (char *)b->p;
}

uint8_t *buf_steal(buf *b, size_t *len)
{
    uint8_t *p = b->p;
    if (len)
        *len = b->len;
    buf_init(b);
    return p;
}

const uint8_t *varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64 && p < end; shift += 7) {
        uint8_t c = *p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return p;
        }
    }
    *v = 0;
    return NULL;
}

uint8_t rd_u8(rd *r)
{
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

uint32_t rd_le32(rd *r)
{
    if (rd_left(r) < 4) {
        r->bad = 1;
        r->p = r->end;
        return 0;
    }
    uint32_t v = le32(r->p);
    r->p += 4;
    return v;
}

uint64_t rd_le64(rd *r)
{
    if (rd_left(r) < 8) {
        r->bad = 1;
        r->p = r->end;
        return 0;
    }
    uint64_t v = le64(r->p);
    r->p += 8;
    return v;
}

uint64_t rd_varint(rd *r)
{
    uint64_t v;
    const uint8_t *q = varint_get(r->p, r->end, &v);
    if (!q) {
        r->bad = 1;
        r->p = r->end;
        return 0;
    }
    r->p = q;
    return v;
}

const uint8_t *rd_bytes(rd *r, size_t n)
{
    if (rd_left(r) < n) {
        r->bad = 1;
        r->p = r->end;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

const char *rd_str(rd *r, size_t *len)
{
    uint64_t n = rd_varint(r);
    if (r->bad || n > rd_left(r)) {
        r->bad = 1;
        r->p = r->end;
        *len = 0;
        return NULL;
    }
    *len = (size_t)n;
    return (const char *)rd_bytes(r, (size_t)n);
}

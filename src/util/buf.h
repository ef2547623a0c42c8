/* buf.h — a growable byte buffer with a sticky out-of-memory flag, plus the
 * little-endian and varint helpers every on-disk format here uses.
 * Appends after a failed allocation do nothing; check b->oom once at the end.
 * Varints are LEB128: 7 bits a byte, low bits first, high bit = more. */
#ifndef MG_UTIL_BUF_H
#define MG_UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct buf {
    uint8_t *p;    /* bytes (may be NULL while len == 0) */
    size_t   len;  /* bytes used */
    size_t   cap;  /* bytes allocated */
    int      oom;  /* nonzero once an allocation failed */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);                 /* frees the bytes; b is reusable */
void buf_reset(buf *b);                /* len = 0, keeps the memory */
int  buf_reserve(buf *b, size_t extra);/* room for `extra` more; 0 or -1 */
void buf_put(buf *b, const void *p, size_t n);
void buf_put_u8(buf *b, uint8_t v);
void buf_put_le16(buf *b, uint16_t v);
void buf_put_le32(buf *b, uint32_t v);
void buf_put_le64(buf *b, uint64_t v);
void buf_put_varint(buf *b, uint64_t v);
void buf_put_str(buf *b, const char *s); /* varint length + bytes; NULL = "" */
/* Appends NUL-free printf output (no terminator counted in len). */
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ensures a NUL after the data (not counted in len); returns p as char*. */
char *buf_cstr(buf *b);
/* Hands the bytes to the caller (who frees them); b becomes empty. */
uint8_t *buf_steal(buf *b, size_t *len);

/* buf_reserve with the common case (room already there) inline. */
static inline int buf_reserve_fast(buf *b, size_t extra)
{
    if (!b->oom && b->cap - b->len > extra)
        return 0;
    return buf_reserve(b, extra);
}
/* buf_put with the copy inline when the room is there (small copies of a
 * length known only at run time: no call to buf_put). */
static inline void buf_put_fast(buf *b, const void *p, size_t n)
{
    if (n == 0 || buf_reserve_fast(b, n) != 0)
        return;
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static inline uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static inline void st_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void st_le64(uint8_t *p, uint64_t v) { st_le32(p, (uint32_t)v); st_le32(p + 4, (uint32_t)(v >> 32)); }

/* A bounds-checked reader over bytes from disk.  Reads past the end set
 * `bad` and return zeros, so a corrupt length cannot read out of bounds. */
typedef struct rd {
    const uint8_t *p;
    const uint8_t *end;
    int bad;
} rd;

static inline rd rd_make(const void *p, size_t n)
{
    rd r = { (const uint8_t *)p, (const uint8_t *)p + n, 0 };
    return r;
}
static inline size_t rd_left(const rd *r) { return (size_t)(r->end - r->p); }
uint8_t  rd_u8(rd *r);
uint32_t rd_le32(rd *r);
uint64_t rd_le64(rd *r);
uint64_t rd_varint(rd *r);
/* Returns a pointer to the next n bytes and skips them (NULL if short). */
const uint8_t *rd_bytes(rd *r, size_t n);
/* A varint length and that many bytes; *len set; NULL if short. */
const char *rd_str(rd *r, size_t *len);

/* Decodes one varint from p (at most 10 bytes, never past end); returns the
 * byte after it or NULL if truncated/overlong. */
const uint8_t *varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v);
/* varint_get with the one- and two-byte varints (most of an index's)
 * decoded inline. */
static inline const uint8_t *varint_get_fast(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (p < end && *p < 0x80) {
        *v = *p;
        return p + 1;
    }
    if (end - p > 1 && p[1] < 0x80) { /* p[0] >= 0x80 here */
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
    return varint_get(p, end, v);
}
/* rd_varint with a one-byte varint read inline. */
static inline uint64_t rd_varint_fast(rd *r)
{
    if (r->p < r->end && *r->p < 0x80)
        return *r->p++;
    return rd_varint(r);
}
/* Writes v at p (room for 10 bytes); returns the byte after it.  Inline:
 * the index writers call it per posting and per dictionary entry. */
static inline uint8_t *varint_put(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

#endif

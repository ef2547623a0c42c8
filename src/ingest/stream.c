/* stream.c — buffered reading of plain or gzip input (zlib's gz reader
 * passes plain files through), line by line or whole, without ever holding
 * more than one record; plus UTF-8 validation and repair. */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (256u << 10)

int istream_open(istream *s, ingest *g, const char *name, const char *path, int fd)
{
    memset(s, 0, sizeof *s);
    s->g = g;
    s->name = name;
    buf_init(&s->line);
    if (fd < 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
    }
    s->gz = gzdopen(fd, "rb");
    if (!s->gz) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    gzbuffer(s->gz, CHUNK);
    s->data = malloc(CHUNK);
    if (!s->data) {
        gzclose(s->gz);
        s->gz = NULL;
        errno = ENOMEM;
        return -1;
    }
    s->cap = CHUNK;
    return 0;
}

void istream_close(istream *s)
{
    if (s->gz)
        gzclose(s->gz);
    free(s->data);
    buf_free(&s->line);
    memset(s, 0, sizeof *s);
}

uint64_t istream_offset(istream *s)
{
    if (!s->gz)
        return 0;
    z_off_t o = gzoffset(s->gz);
    return o > 0 ? (uint64_t)o : 0;
}

/* Refills the buffer, keeping data[beg..end).  Returns bytes added. */
static size_t fill(istream *s)
{
    if (s->eof)
        return 0;
    if (s->beg > 0) {
        memmove(s->data, s->data + s->beg, s->end - s->beg);
        s->end -= s->beg;
        s->beg = 0;
    }
    if (s->end == s->cap)
        return 0;
    int n = gzread(s->gz, s->data + s->end, (unsigned)(s->cap - s->end));
    if (n <= 0) {
        if (n < 0 && !s->err && !(s->g && s->g->stop)) { /* EINTR from a stop request is no error */
            int zerr;
            const char *msg = gzerror(s->gz, &zerr);
            s->err = 1;
            ingest_report(s->g, s->name, s->lineno + 1, INGEST_ERROR, "read error: %s",
                          zerr == Z_ERRNO ? strerror(errno) : msg);
        }
        s->eof = 1;
        return 0;
    }
    s->end += (size_t)n;
    if (s->g)
        ingest_progress(s->g, s);
    return (size_t)n;
}

size_t istream_peek(istream *s, size_t n)
{
    if (n > s->cap)
        n = s->cap;
    while (s->end - s->beg < n && fill(s) > 0)
        ;
    return s->end - s->beg;
}

int istream_getc(istream *s)
{
    if (s->beg == s->end && fill(s) == 0)
        return -1;
    return (unsigned char)s->data[s->beg++];
}

int istream_getline(istream *s, const char **p, size_t *len, int *toolong)
{
    buf_reset(&s->line);
    *toolong = 0;
    int any = 0;
    for (;;) {
        if (s->beg == s->end && fill(s) == 0)
            break;
        any = 1;
        char *start = s->data + s->beg;
        char *nl = memchr(start, '\n', s->end - s->beg);
        size_t n = nl ? (size_t)(nl - start) : s->end - s->beg;
        if (!*toolong) {
            if (s->line.len + n > INGEST_MAX_RECORD) {
                *toolong = 1;
                buf_reset(&s->line);
            } else {
                buf_put(&s->line, start, n);
            }
        }
        s->beg += n + (nl ? 1 : 0);
        if (nl)
            break;
    }
    if (!any)
        return 0;
    s->lineno++;
    if (*toolong) {
        ingest_report(s->g, s->name, s->lineno, INGEST_ERROR, "record longer than %u MiB skipped",
                      INGEST_MAX_RECORD >> 20);
        *p = "";
        *len = 0;
        return 1;
    }
    if (s->line.len > 0 && s->line.p[s->line.len - 1] == '\r')
        s->line.len--;
    *p = buf_cstr(&s->line);
    *len = s->line.len;
    return s->line.oom ? 0 : 1;
}

int istream_read_all(istream *s, buf *b, size_t max)
{
    for (;;) {
        if (s->beg == s->end && fill(s) == 0)
            return 0;
        size_t n = s->end - s->beg;
        if (b->len + n > max) {
            buf_put(b, s->data + s->beg, max - b->len);
            s->beg = s->end;
            return 1;
        }
        buf_put(b, s->data + s->beg, n);
        s->beg = s->end;
        if (b->oom)
            return 0;
    }
}

/* Length of the valid UTF-8 sequence at p (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t k;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF)
        k = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        k = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        k = 4, min = 0x10000;
    else
        return 0;
    if (n < k)
        return 0;
    unsigned cp = c & (0x3F >> (k - 1));
    for (size_t i = 1; i < k; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return k;
}

int ingest_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(p + i, len - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

char *ingest_utf8_repair(const char *s, size_t len, size_t *out_len)
{
    buf b;
    buf_init(&b);
    buf_reserve(&b, len + 16);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t k = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
        if (k) {
            buf_put(&b, p + i, k);
            i += k;
        } else {
            buf_put(&b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    char *r = buf_cstr(&b);
    if (b.oom) {
        buf_free(&b);
        return NULL;
    }
    if (out_len)
        *out_len = b.len;
    return r;
}

/* Windows-1252 bytes 0x80..0x9F (the rest of the upper half is Latin-1). */
static const uint16_t CP1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

int ingest_cp1252_to_utf8(buf *b)
{
    buf out;
    buf_init(&out);
    buf_reserve(&out, b->len + b->len / 8 + 16);
    for (size_t i = 0; i < b->len; i++) {
        unsigned c = b->p[i];
        if (c >= 0x80 && c < 0xA0)
            c = CP1252[c - 0x80];
        if (c < 0x80) {
            buf_put_u8(&out, (uint8_t)c);
        } else if (c < 0x800) {
            buf_put_u8(&out, (uint8_t)(0xC0 | c >> 6));
            buf_put_u8(&out, (uint8_t)(0x80 | (c & 0x3F)));
        } else {
            buf_put_u8(&out, (uint8_t)(0xE0 | c >> 12));
            buf_put_u8(&out, (uint8_t)(0x80 | (c >> 6 & 0x3F)));
            buf_put_u8(&out, (uint8_t)(0x80 | (c & 0x3F)));
        }
    }
    if (out.oom || !buf_cstr(&out)) {
        buf_free(&out);
        return -1;
    }
    buf_free(b);
    *b = out;
    return 0;
}

/* ingest_int.h — what the ingest readers share: the reader state, a
 * buffered (optionally gzip) input stream with line reading, and the
 * per-format readers.  Not for use outside src/ingest. */
#ifndef MG_INGEST_INT_H
#define MG_INGEST_INT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "ingest/ingest.h"
#include "util/buf.h"

struct ingest {
    ingest_callbacks cb;
    ingest_counts    c;
    volatile sig_atomic_t stop;  /* set by ingest_stop */
    int      rc;                 /* nonzero once the run must end */
    uint64_t bytes_done;         /* input bytes of files finished */
    struct strmap *dirs;         /* (dev, ino) of directories visited */
    buf      idbuf;              /* scratch for generated ids */
};

/* A buffered input stream over zlib's gz reader (which reads plain files
 * unchanged, so one code path serves .gz and everything else). */
typedef struct istream {
    gzFile      gz;
    const char *name;     /* for messages */
    char       *data;     /* read buffer */
    size_t      cap, beg, end;
    int         eof;      /* no more input after data[beg..end) */
    int         err;      /* a read error happened (reported once) */
    uint64_t    lineno;   /* lines returned so far */
    buf         line;     /* a line that straddles buffer refills */
    ingest     *g;
} istream;

/* Opens path (fd >= 0: that descriptor instead, which the stream closes). */
int  istream_open(istream *s, ingest *g, const char *name, const char *path, int fd);
void istream_close(istream *s);
/* Makes at least n bytes (or all that is left) available at data+beg;
 * returns how many are. */
size_t istream_peek(istream *s, size_t n);
/* Next line without its '\n' (and '\r'); *p valid until the next call.
 * Returns 1, or 0 at the end.  A line over INGEST_MAX_RECORD is reported,
 * skipped and returned as empty (*len 0 with *toolong set). */
int  istream_getline(istream *s, const char **p, size_t *len, int *toolong);
/* Reads the rest, at most `max` bytes, into b; returns 1 if truncated. */
int  istream_read_all(istream *s, buf *b, size_t max);
/* One byte, or -1 at the end. */
int  istream_getc(istream *s);
/* Compressed bytes consumed so far (for progress). */
uint64_t istream_offset(istream *s);

/* Reports a problem (counts it by kind). */
void ingest_report(ingest *g, const char *file, uint64_t line, int kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Parses a date string into a->date, reporting one it cannot read. */
void ingest_set_date(ingest *g, mg_article *a, const char *file, uint64_t line, const char *s);
/* Completes it, counts it and calls the callback.  A missing id is made
 * from the file's absolute path: idmode 0 "PATH", ':' "PATH:n" (JSON
 * Lines), '#' "PATH#n" (n-th object of a JSON file).  Returns nonzero when
 * the run must stop. */
int  ingest_emit(ingest *g, ingest_item *it, int idmode, uint64_t n);
/* Reports progress for the current stream. */
void ingest_progress(ingest *g, istream *s);

/* Format readers: read the whole stream, emitting articles. */
void read_jsonl(ingest *g, istream *s);
void read_json(ingest *g, istream *s);
void read_text(ingest *g, istream *s);
void read_html(ingest *g, istream *s);

/* Re-encodes b (NUL-terminated after) from Windows-1252, the superset of
 * Latin-1 that old archives and undeclared web pages use, to UTF-8.
 * 0 or -1 when out of memory (b unchanged). */
int  ingest_cp1252_to_utf8(buf *b);

/* Collapses runs of whitespace to one space (newlines kept as one '\n' when
 * keep_newlines), trims both ends; in place on a NUL-terminated string. */
void ingest_squeeze(char *s, int keep_newlines);

#endif

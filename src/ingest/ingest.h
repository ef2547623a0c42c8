/* ingest.h — turns files and directories of articles into mg_article values,
 * one callback per article.  Used by the `morgue index` command and by the
 * Xapian backend, so both index exactly the same articles.
 *
 * Formats, detected by extension (after removing .gz) and then by content:
 *   .jsonl .ndjson  JSON Lines, one article object per line
 *   .json           one object, an array of objects, or several objects
 *   .html .htm      an HTML page (gumbo): title, meta dates, body text
 *   .txt, other     plain text: optional "Key: value" header block, a blank
 *                   line, then the body; without a header the first line
 *                   is the title
 * Encodings: JSON is UTF-8 (bad bytes become U+FFFD).  Text, and HTML
 * that does not declare UTF-8, are read as Windows-1252 (Latin-1) when
 * they are not valid UTF-8.
 *   .gz             any of these, gzip-compressed (streamed with zlib)
 *   "-"             JSON Lines from standard input
 * Unknown extensions are sniffed: '{' or '[' first means JSON, "<!doctype
 * html" or "<html" means HTML, a NUL byte in the first KiB means binary
 * (skipped), anything else is text.
 *
 * JSON fields and the aliases accepted (first present wins):
 *   id      id _id guid uuid doc_id docid article_id
 *   url     url link href uri permalink canonical_url
 *   title   title headline heading subject
 *   date    date published published_at publishedAt pubdate pub_date
 *           date_published datePublished publication_date datetime
 *           timestamp created_at time
 *   source  source publisher site site_name feed outlet source_name
 *   section section category categories topic desk
 *   author  author authors byline creator by
 *   body    body text content article article_text full_text story
 *           description summary abstract
 * Strings, numbers and arrays of strings (joined by ", ") are taken; an
 * object is looked into for "name" (NewsAPI's source).
 *
 * Ids.  An article without an id gets one from its file's absolute path:
 * "PATH" for a one-article file, "PATH:LINE" for a JSON Lines record and
 * "PATH#N" for the N-th object of a JSON file.  Indexing the same files
 * again therefore replaces the same articles instead of adding copies.
 *
 * Problems never stop a run: a malformed record, an unreadable or binary
 * file, an unparseable date are reported through the `problem` callback as
 * (file, line, kind, message) and counted; the rest goes on.
 *
 * Memory: files are streamed.  A JSON Lines record, a JSON object or a
 * text/HTML article is held whole, up to INGEST_MAX_RECORD bytes; a larger
 * record is skipped (JSON) or truncated (text, HTML) with a report. */
#ifndef MG_INGEST_INGEST_H
#define MG_INGEST_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "morgue.h"

#define INGEST_MAX_RECORD (64u << 20)

/* One article as read; every pointer lives until the callback returns. */
typedef struct ingest_item {
    mg_article  art;    /* fields (id always set) */
    const char *file;   /* the file it came from ("-" for stdin) */
    uint64_t    line;   /* 1-based line where it starts (0: whole file) */
} ingest_item;

/* Kinds of problem. */
enum {
    INGEST_WARN = 1,    /* the article was still produced (e.g. bad date) */
    INGEST_ERROR,       /* a record or file was skipped */
    INGEST_SKIP         /* a file was skipped on purpose (binary, special) */
};

typedef struct ingest_callbacks {
    /* Each article.  Return 0 to go on; anything else stops the run and is
     * what ingest_path() returns. */
    int  (*article)(void *ctx, const ingest_item *it);
    /* Optional: a problem, line 0 when it is about the whole file. */
    void (*problem)(void *ctx, const char *file, uint64_t line, int kind, const char *msg);
    /* Optional: total input bytes (as stored on disk) consumed so far. */
    void (*progress)(void *ctx, uint64_t bytes);
    void *ctx;
} ingest_callbacks;

typedef struct ingest_counts {
    uint64_t files;      /* files opened and read */
    uint64_t articles;   /* articles handed to the callback */
    uint64_t bytes;      /* input bytes consumed (compressed size for .gz) */
    uint64_t text_bytes; /* bytes of article text produced (uncompressed) */
    uint64_t skipped;    /* files skipped: binary, special, not readable */
    uint64_t errors;     /* records skipped as malformed, files unreadable */
    uint64_t bad_dates;  /* dates that did not parse (article kept) */
} ingest_counts;

typedef struct ingest ingest;

/* A reader calling cb.  NULL when out of memory. */
ingest *ingest_new(const ingest_callbacks *cb);
void    ingest_free(ingest *g);

/* Reads a file, a directory (recursively; hidden entries whose names start
 * with '.' are left out, symlinks followed, each directory visited once, so
 * loops end) or "-" (JSON Lines on stdin).  Returns 0, or the nonzero value
 * an article callback returned to stop, or MG_ENOMEM. */
int ingest_path(ingest *g, const char *path);

/* Reads one already-open stream of JSON Lines named `name` (e.g. stdin). */
int ingest_fd_jsonl(ingest *g, int fd, const char *name);

/* Asks a running ingest_path to stop after the current record
 * (async-signal-safe).  ingest_path then returns MG_EINTERRUPTED. */
void ingest_stop(ingest *g);

const ingest_counts *ingest_get_counts(const ingest *g);

/* Bytes on disk of the regular files ingest_path(path) would read (for a
 * progress bar's total); 0 for "-". */
uint64_t ingest_size(const char *path);

/* Replaces each invalid UTF-8 sequence in s[0..len) by U+FFFD.  Returns a
 * malloc'd NUL-terminated copy (length in *out_len), or NULL if no memory. */
char *ingest_utf8_repair(const char *s, size_t len, size_t *out_len);
/* 1 if s[0..len) is valid UTF-8. */
int ingest_utf8_valid(const char *s, size_t len);

#endif

/*
 * morgue.h — the public API of libmorgue, a full-text search engine for news
 * archives.  This header is the manual: every function says what it takes,
 * who owns what it returns, what it returns on error and whether it may be
 * called from several threads.
 *
 * Model
 * -----
 *   mg_index     an index directory opened read-only or for writing.  A
 *                writable handle holds the index's writer lock: one writer
 *                per index at a time, across processes.  Any number of
 *                read-only handles may be open while it writes.
 *   mg_searcher  a snapshot of the last commit of an index, for searching.
 *                One searcher serves any number of threads at once.
 *   mg_results   the answer to one search; owned by the caller.
 *   mg_article   an article as given to the indexer or read back from it.
 *
 * Errors
 * ------
 * Every function that can fail returns an int status: MG_OK (0) or one of
 * the MG_E* codes below.  mg_strerror(code) names the code; the handle's
 * mg_errmsg() (or mg_results_errmsg() for a search) says in words what went
 * wrong, naming the file, offset or query column where there is one.
 * The library never prints, never exits and never aborts on bad input.
 *
 * Memory
 * ------
 * Strings passed in are copied where kept.  Strings returned by the library
 * belong to the object they came from and live until that object is freed,
 * unless the function says otherwise.  Every *_free / *_close accepts NULL.
 * Objects do not depend on the handle that made them: an mg_doc or an
 * mg_results stays valid after its index or searcher is closed.
 *
 * Threads
 * -------
 * mg_searcher and mg_results (read-only) may be shared by any number of
 * threads.  An mg_index is used by one thread at a time (callers that share
 * one hold their own lock), except for mg_index_interrupt.  mg_version,
 * mg_strerror and the *_options_init functions are always safe.
 *
 * NULL handles
 * ------------
 * A NULL handle or a NULL required pointer is MG_EINVAL, never a crash.
 * A NULL handle's message functions return a constant string.
 *
 * Dates are int64_t seconds since 1970-01-01T00:00:00Z; MG_NO_DATE means
 * "unknown" (an article without a date) or "unbounded" (in a range).
 */
#ifndef MORGUE_H
#define MORGUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MG_BUILDING) && defined(__GNUC__)
#define MG_API __attribute__((visibility("default")))
#else
#define MG_API
#endif

#define MORGUE_VERSION_MAJOR 0
#define MORGUE_VERSION_MINOR 1
#define MORGUE_VERSION_PATCH 0
#define MORGUE_VERSION "0.1.0"
/* MORGUE_VERSION_NUMBER is major*10000 + minor*100 + patch. */
#define MORGUE_VERSION_NUMBER \
    (MORGUE_VERSION_MAJOR * 10000 + MORGUE_VERSION_MINOR * 100 + MORGUE_VERSION_PATCH)

/* The library's version string, e.g. "0.1.0".  Static; thread-safe. */
MG_API const char *mg_version(void);

/* ---------------------------------------------------------------- status */

enum {
    MG_OK = 0,
    MG_ENOTFOUND,    /* no such article, index or term */
    MG_EINVAL,       /* bad argument (NULL handle, bad option, missing id) */
    MG_ESYNTAX,      /* the query could not be parsed */
    MG_EIO,          /* an operating-system I/O error (see mg_errmsg) */
    MG_ECORRUPT,     /* a file failed its checksum or structural check */
    MG_EVERSION,     /* a file is of a format version this build cannot read */
    MG_ELOCKED,      /* another writer holds the index's lock */
    MG_ENOMEM,       /* out of memory */
    MG_EREADONLY,    /* a write on a handle opened read-only */
    MG_EUNSUPPORTED, /* the operation is not available (e.g. on a backend) */
    MG_EEXISTS,      /* the thing to create exists already */
    MG_EINTERRUPTED  /* stopped on request (see mg_index_interrupt) */
};

/* A constant English name for a status code ("not found", ...). */
MG_API const char *mg_strerror(int code);

#define MG_NO_DATE INT64_MIN

/* --------------------------------------------------------------- article */

/*
 * An article.  All strings are NUL-terminated UTF-8; NULL means absent.
 * Invalid UTF-8 is accepted: bad bytes are replaced by U+FFFD in what is
 * stored and skipped by analysis, and counted in mg_stats.bad_utf8.
 */
/* Longest article id, in bytes. */
#define MG_ID_MAX 254

typedef struct mg_article {
    const char *id;      /* unique external id (required for mg_index_add) */
    const char *url;     /* stored */
    const char *title;   /* searchable (field "title") and stored */
    const char *body;    /* searchable (field "body") and stored */
    const char *source;  /* searchable (field "source") and stored */
    const char *section; /* searchable (field "section") and stored */
    const char *author;  /* searchable (field "author") and stored */
    int64_t date;        /* publication time, or MG_NO_DATE */
} mg_article;

/* An article read back from an index; free with mg_doc_free(). */
typedef struct mg_doc {
    mg_article a;        /* fields, pointing into memory the mg_doc owns */
} mg_doc;

MG_API void mg_doc_free(mg_doc *doc);

/* ----------------------------------------------------------------- index */

typedef struct mg_index mg_index;

/* Flags for mg_index_open. */
#define MG_RDONLY 0x0   /* open for reading (searching, get, stats, check) */
#define MG_WRITE  0x1   /* open for writing: takes the writer lock */
#define MG_CREATE 0x2   /* with MG_WRITE: create the index if it is missing */

typedef struct mg_open_options {
    const char *language;  /* Snowball stemmer for a new index ("english"
                              when NULL; any name libstemmer knows, or
                              "none").  An existing index keeps its own. */
    size_t ram_budget;     /* indexing memory before a segment is flushed;
                              0 = 256 MiB */
    int no_merge;          /* nonzero: never merge segments on commit */
    int threads;           /* threads analysing added articles: 1 or 2;
                              0 = 2 when the process may use two
                              processors or more (its CPU affinity and
                              cgroup quota allow them): the caller's
                              thread and one more */
} mg_open_options;

/* Sets *opt to the defaults. */
MG_API void mg_open_options_init(mg_open_options *opt);

/*
 * Opens the index in directory `path`.  opt may be NULL for defaults.
 * On success returns MG_OK and *out is the handle.  On failure *out is
 * still set to a handle (unless the failure was MG_ENOMEM, when it is NULL)
 * whose mg_errmsg() explains; close it with mg_index_close().
 * A second writer gets MG_ELOCKED.  A damaged or foreign directory gets
 * MG_ECORRUPT or MG_EVERSION, never a crash.
 * Thread-safety: a handle may be used by one thread at a time, except that
 * searchers made from it are independent (see mg_searcher).
 */
MG_API int mg_index_open(const char *path, int flags,
                         const mg_open_options *opt, mg_index **out);

/* Rolls back anything uncommitted, releases the lock, frees the handle.
 * Returns MG_OK (also for NULL). */
MG_API int mg_index_close(mg_index *ix);

/* What went wrong in the last failed call on ix, in words.  Never NULL.
 * Owned by ix; valid until the next call on ix. */
MG_API const char *mg_errmsg(const mg_index *ix);

/*
 * Adds an article, replacing any committed or pending article with the same
 * id.  The article is searchable after mg_index_commit().  The strings are
 * copied before the call returns.  MG_EINVAL for a NULL article, or a
 * missing, empty or too long id (more than MG_ID_MAX bytes), MG_EREADONLY
 * on a read-only handle, MG_EIO or
 * MG_ENOMEM when a segment cannot be flushed.
 */
MG_API int mg_index_add(mg_index *ix, const mg_article *a);

/* Deletes the article with this id.  MG_ENOTFOUND if there is none. */
MG_API int mg_index_delete(mg_index *ix, const char *id);

/*
 * Makes every add and delete since the last commit durable and visible to
 * searchers opened (or reopened) afterwards.  Atomic: after a crash the
 * index opens at the last completed commit.
 */
MG_API int mg_index_commit(mg_index *ix);

/* Discards every add and delete since the last commit.  It is also the
 * way on after an add failed with MG_ENOMEM: the adds since the last commit
 * can then no longer be committed (mg_index_commit fails with MG_ENOMEM,
 * leaving the index as the last commit made it) until a rollback discards
 * them; the handle then adds and commits again. */
MG_API int mg_index_rollback(mg_index *ix);

/*
 * Asks a long operation on ix (add, commit, merge) to stop soon with
 * MG_EINTERRUPTED, without committing anything half done.  The only
 * function that may be called from another thread or a signal handler.
 */
MG_API void mg_index_interrupt(mg_index *ix);

/* Reads the stored article with this id (of the last commit; a read-only
 * handle follows new commits by itself).  *out is freed with mg_doc_free;
 * it is NULL on error, MG_ENOTFOUND when there is no such article. */
MG_API int mg_index_get(mg_index *ix, const char *id, mg_doc **out);

typedef struct mg_stats {
    uint64_t docs;          /* live articles */
    uint64_t deleted;       /* deleted but not yet merged away */
    uint64_t terms;         /* distinct terms, summed over segments */
    uint64_t postings;      /* (term, article) pairs, summed over segments */
    uint64_t tokens;        /* indexed word occurrences */
    uint32_t segments;      /* live segments */
    uint64_t generation;    /* commit generation */
    uint64_t bytes_total;   /* bytes on disk of the committed index */
    uint64_t bytes_postings;/* dictionary + postings + positions + norms */
    uint64_t bytes_stored;  /* compressed stored fields + uncompressed ids */
    int64_t  date_min;      /* earliest date, or MG_NO_DATE */
    int64_t  date_max;      /* latest date, or MG_NO_DATE */
    uint64_t bad_utf8;      /* invalid UTF-8 sequences replaced (writer) */
    char     language[32];  /* the index's stemmer */
} mg_stats;

/* Fills *out for the last commit (plus pending counts on a writer). */
MG_API int mg_index_stats(mg_index *ix, mg_stats *out);

/*
 * Verifies every file of the last commit: magic numbers, versions,
 * checksums and structure.  MG_OK when sound, else MG_ECORRUPT with
 * mg_errmsg() naming the first bad file and offset.
 */
MG_API int mg_index_check(mg_index *ix);

/* Merges all segments into one and drops deleted articles (then commits). */
MG_API int mg_index_optimize(mg_index *ix);

/* -------------------------------------------------------------- searching */

typedef struct mg_searcher mg_searcher;
typedef struct mg_results mg_results;

/*
 * Opens a searcher on the last commit of ix.  The searcher does not depend
 * on ix afterwards and may outlive it.  Thread-safe: one searcher serves
 * any number of threads calling mg_search at once.
 */
MG_API int mg_searcher_open(mg_index *ix, mg_searcher **out);

/* The same, from a path, without an mg_index.  *out as in mg_index_open. */
MG_API int mg_searcher_open_path(const char *path, mg_searcher **out);

/*
 * Switches the searcher to the newest commit, if there is one.  Searches
 * already running finish on the snapshot they started with.  Safe to call
 * while other threads search.  Returns MG_OK also when nothing changed.
 */
MG_API int mg_searcher_reopen(mg_searcher *s);

/* Message for the last failed mg_searcher_open/reopen.  Never NULL. */
MG_API const char *mg_searcher_errmsg(const mg_searcher *s);

MG_API void mg_searcher_close(mg_searcher *s);

enum { MG_SORT_RELEVANCE = 0, MG_SORT_NEWEST, MG_SORT_OLDEST };

/* Stored fields returned with each hit (mg_search_options.fields). */
#define MG_FIELD_ID      0x01
#define MG_FIELD_TITLE   0x02
#define MG_FIELD_URL     0x04
#define MG_FIELD_SOURCE  0x08
#define MG_FIELD_SECTION 0x10
#define MG_FIELD_AUTHOR  0x20
#define MG_FIELD_DATE    0x40
#define MG_FIELD_BODY    0x80
#define MG_FIELDS_DEFAULT 0x7f  /* everything but the body */

typedef struct mg_search_options {
    size_t limit;         /* hits to return (k); default 10 */
    size_t offset;        /* hits to skip first, for pagination; default 0 */
    int sort;             /* MG_SORT_*; default MG_SORT_RELEVANCE */
    int64_t since;        /* only articles dated >= since (MG_NO_DATE: no bound) */
    int64_t until;        /* only articles dated <= until (MG_NO_DATE: no bound) */
    int default_and;      /* nonzero: bare words are all required (AND) */
    unsigned fields;      /* MG_FIELD_* mask; default MG_FIELDS_DEFAULT */
    size_t snippet_len;   /* snippet length in bytes, 0 = no snippet;
                             default 240 */
    const char *hl_pre;   /* marker before a highlighted match; default "[" */
    const char *hl_post;  /* marker after it; default "]" */
    int exact_total;      /* nonzero: count every match exactly */
    double k1;            /* BM25 k1; default 1.2 */
    double b;             /* BM25 b; default 0.75 */
    double title_weight;  /* BM25F weight of the title field; default 2.5 */
} mg_search_options;

/* Sets *opt to the defaults documented above. */
MG_API void mg_search_options_init(mg_search_options *opt);

/*
 * Runs `query` (see "Query language" in README.md) and returns the hits
 * from `offset` to `offset + limit`.  opt may be NULL for defaults.
 * Always sets *out to a results object (NULL only on MG_ENOMEM), also on
 * error, when mg_results_errmsg() and mg_results_error_column() say what
 * and where.  The caller frees it with mg_results_free().
 * Thread-safe for concurrent calls on one searcher.
 */
MG_API int mg_search(mg_searcher *s, const char *query,
                     const mg_search_options *opt, mg_results **out);

/* One hit.  Strings are NULL where the field is absent or not asked for. */
typedef struct mg_hit {
    const char *id;
    const char *title;
    const char *url;
    const char *source;
    const char *section;
    const char *author;
    const char *body;     /* only with MG_FIELD_BODY */
    const char *snippet;  /* best passage with hl_pre/hl_post markers */
    int64_t date;         /* or MG_NO_DATE */
    double score;         /* BM25F score (0 when sorted by date) */
} mg_hit;

/* Number of hits in this page (<= limit). */
MG_API size_t mg_results_count(const mg_results *r);
/* The i-th hit of this page, i < mg_results_count; owned by r. */
MG_API const mg_hit *mg_results_hit(const mg_results *r, size_t i);
/* Total matches; exact unless mg_results_total_is_estimate() says not. */
MG_API uint64_t mg_results_total(const mg_results *r);
MG_API int mg_results_total_is_estimate(const mg_results *r);
/* The status mg_search returned, its message ("" if none), and the 1-based
 * column in the query where the problem is (0 if not about a place). */
MG_API int mg_results_status(const mg_results *r);
MG_API const char *mg_results_errmsg(const mg_results *r);
MG_API size_t mg_results_error_column(const mg_results *r);
MG_API void mg_results_free(mg_results *r);

#ifdef __cplusplus
}
#endif
#endif /* MORGUE_H */

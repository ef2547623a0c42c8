/* xbackend.h — morgue's second backend: a Xapian database built from
 * morgue's own analysis and term scheme, searched with morgue's query
 * language.  Used by `morgue index/search --backend xapian`, by
 * `morgue search --remote host:port,...` (shards served by xapian-tcpsrv)
 * and by the differential tests.
 *
 * Terms (the same as src/index/index.h, so both backends hold the same
 * terms): title tokens at positions 0..T-1 and body tokens at T+1... (all
 * positions shifted by XB_POS_BASE in Xapian); for
 * each token its stem (wdf 1 per occurrence) and, where the folded word
 * differs from its stem, "R"+word at the same position; "A"+token for the
 * author (positions from 0), "S"+token for source (from 0) and section
 * (from S+1 after S source tokens); "Q"+id at position 0.
 *
 * Only the plain (stemmed) terms carry wdf.  The prefixed ones (R, A, S, Q)
 * are added with wdf 0 (R/A/S keep their positions), so Xapian's document
 * length — the sum of wdf — is T + B, the title+body token count that
 * morgue's BM25 normalises by.  The price: a query made only of prefixed
 * terms (author:smith, =running) matches the right articles but with
 * weight 0.
 *
 * Per document, value slot XB_SLOT_DATE holds sortable_serialise(date in
 * seconds) when the article has a date, and the data holds the stored
 * fields (format at the top of xbackend.c).  The database's metadata
 * "morgue.format" = "1" and "morgue.language" = the stemmer name.
 *
 * What the Xapian backend cannot do (searches fail with MG_EUNSUPPORTED
 * and a message saying so): title:/body: restrictions (Xapian has one
 * posting list per term for both fields and cannot filter on positions),
 * an exact form =word whose folded word is its own stem (morgue marks such
 * occurrences with a per-position flag that Xapian has no place for),
 * NEAR over phrases (Xapian 1.4 takes only terms under NEAR), and BM25F
 * title weighting (ignored: one wdf per term).  Snippets are made by
 * morgue's snippet builder from the stored body, with the query's units
 * (xsnip.h): they mark what morgue's own snippets mark (a phrase as one
 * span where its words stand together, NEAR operands near each other).
 *
 * Handles are for one thread at a time.
 */
#ifndef MG_XAPIAN_XBACKEND_H
#define MG_XAPIAN_XBACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "morgue.h"
#include "util/err.h"
#include "xapian/xapian_c.h"

#define XB_SLOT_DATE 0          /* value slot of the date */
/* Xapian positions are morgue's plus XB_POS_BASE: Xapian 1.4.22 (glass)
 * drops position 0 of a term that also occurs at position 1 (its position
 * lists are 1-based in practice, as TermGenerator writes them). */
#define XB_POS_BASE 1
#define XB_FORMAT "1"           /* metadata morgue.format */
#define XB_PREFIX_MAX 1024      /* terms a word* expands to, at most */

/* The MG_* code for a XAP_* status (XAP_EMODIFIED -> MG_EIO, etc). */
int xb_status(int xap_status);

/* ------------------------------------------------------------------ writer */

typedef struct xb_writer xb_writer;

/* Opens (create != 0: creates when missing) the Xapian database in
 * directory path for writing.  language: the stemmer of a new database
 * (NULL = "english"); an existing one keeps its own.  Changes are held in
 * a transaction: invisible until xb_writer_commit, discarded by close. */
int  xb_writer_open(const char *path, int create, const char *language,
                    xb_writer **out, errbuf *e);
/* Adds an article, replacing any with the same id (a->id required). */
int  xb_writer_add(xb_writer *w, const mg_article *a, errbuf *e);
/* Deletes by id: MG_ENOTFOUND when there is no such article. */
int  xb_writer_delete(xb_writer *w, const char *id, errbuf *e);
int  xb_writer_commit(xb_writer *w, errbuf *e);
/* Discards every add and delete since the last commit. */
int  xb_writer_rollback(xb_writer *w, errbuf *e);
/* Discards what is uncommitted and frees.  NULL allowed. */
void xb_writer_close(xb_writer *w);
/* The underlying database (for tests and tools); owned by w. */
xap_db *xb_writer_db(xb_writer *w);

/* ---------------------------------------------------------------- searcher */

typedef struct xb_searcher xb_searcher;

/* Opens the local database at path for searching. */
int  xb_searcher_open(const char *path, xb_searcher **out, errbuf *e);
/* Opens the remote databases in spec, "host:port[,host:port...]" (each
 * served by xapian-tcpsrv), as one: statistics are global, so BM25 scores
 * equal those of one database holding every shard.  timeout_ms bounds each
 * connection and network operation (0 = 10 s).  The shards must share one
 * language. */
int  xb_searcher_open_remote(const char *spec, unsigned timeout_ms,
                             xb_searcher **out, errbuf *e);
/* Moves to the newest commit(s). */
int  xb_searcher_reopen(xb_searcher *s, errbuf *e);
void xb_searcher_close(xb_searcher *s);
/* The combined database (owned by s) and its language. */
xap_db     *xb_searcher_db(xb_searcher *s);
const char *xb_searcher_language(const xb_searcher *s);
/* Number of articles. */
uint64_t    xb_searcher_ndocs(xb_searcher *s);

typedef struct xb_results xb_results;

/* Runs a morgue query string.  opt as for mg_search (NULL = defaults):
 * limit, offset, sort, since, until, default_and, fields, snippet_len,
 * hl_pre/hl_post, exact_total, k1 and b are honoured; title_weight is
 * ignored.  BM25
 * is Xapian's BM25Weight(k1, 0, 1, b, 0).  On a syntax error returns
 * MG_ESYNTAX with *col (may be NULL) the 1-based column. */
int  xb_search(xb_searcher *s, const char *query, const mg_search_options *opt,
               xb_results **out, errbuf *e, size_t *col);
size_t        xb_results_count(const xb_results *r);
const mg_hit *xb_results_hit(const xb_results *r, size_t i);
/* The Xapian docid of hit i (docids of a combination interleave shards). */
uint32_t      xb_results_docid(const xb_results *r, size_t i);
uint64_t      xb_results_total(const xb_results *r);
int           xb_results_total_is_estimate(const xb_results *r);
void          xb_results_free(xb_results *r);

/* The stored article with this id as a one-hit result (every field, no
 * score): MG_ENOTFOUND when there is none. */
int  xb_get(xb_searcher *s, const char *id, xb_results **out, errbuf *e);
/* Fills what Xapian can tell of mg_stats: docs, terms (distinct, counted),
 * postings (sum of term frequencies), tokens (sum of document lengths),
 * date_min/date_max, language; the rest is 0 (segments, generation,
 * bytes_* are morgue's own notions; `du` the database directory instead). */
int  xb_stats(xb_searcher *s, mg_stats *out, errbuf *e);

/* Translates a morgue query string into a Xapian query (for tests and
 * `--explain`): *out (NULL for an empty query) freed by the caller.
 * Filters of opt (since/until) are not included. */
int  xb_query_from_string(xb_searcher *s, const char *query, int default_and,
                          xap_query **out, errbuf *e, size_t *col);

#endif

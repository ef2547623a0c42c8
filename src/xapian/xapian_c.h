/* xapian_c.h — C bindings over libxapian 1.4 (C++): databases (local,
 * writable, remote over TCP, combined), documents, queries, Enquire with
 * BM25 and MSet walking, behind opaque handles.
 *
 * Used by morgue's second backend (xbackend.h), by the differential tests
 * and by bench/.  Only xapian_c.cc sees C++; everything here is plain C.
 *
 * Errors
 * ------
 * Every function that can fail returns an int status: XAP_OK (0) or one of
 * the XAP_E* codes.  No C++ exception ever crosses into C: each call catches
 * them all at the boundary.  The message of the last failed call in the
 * calling thread is xap_errmsg() (thread-local, "Xapian error class: text"),
 * valid until the next failing call in that thread.  XAP_EMODIFIED
 * (Xapian::DatabaseModifiedError) has its own code: a reader that gets it
 * calls xap_db_reopen() and retries once.
 *
 * Handles and ownership
 * ---------------------
 *   xap_db       a database: local read-only, local writable, remote, or a
 *                combination of several (xap_db_add).
 *   xap_doc      a document being built (terms, positions, data, values).
 *   xap_query    an immutable query; builders never consume their inputs, so
 *                free every handle you made (Xapian shares the subtrees).
 *   xap_enquire  a search session over one xap_db (settings + query).
 *   xap_mset     the matches of one xap_enquire_mset call.  It keeps what it
 *                needs alive (the database) and may outlive the enquire.
 * Every *_free / *_close accepts NULL.  Out-strings (const char **) point
 * into the handle they came from and live until that handle is freed or the
 * same call is made again on it, unless a function says otherwise.
 * Terms are byte strings with explicit lengths (they may hold any byte).
 *
 * Threads: a handle belongs to one thread at a time (Xapian objects are not
 * thread-safe); different handles may be used by different threads.
 *
 * Example: search "apple OR pear", newest first, with BM25(1.2, 0.75)
 *
 *   xap_db *db; xap_query *a, *p, *q; xap_enquire *e; xap_mset *m;
 *   if (xap_db_open("x.db", XAP_RDONLY, &db)) die(xap_errmsg());
 *   xap_query_term("apple", 5, 1, &a);
 *   xap_query_term("pear", 4, 1, &p);
 *   xap_query *both[2] = { a, p };
 *   xap_query_combine(XAP_OP_OR, both, 2, 0, &q);
 *   xap_enquire_new(db, &e);
 *   xap_enquire_set_query(e, q);
 *   xap_enquire_set_bm25(e, 1.2, 0, 1, 0.75, 0.5);
 *   xap_enquire_mset(e, 0, 10, 0, &m);
 *   for (size_t i = 0; i < xap_mset_size(m); i++)
 *       printf("%u %f\n", xap_mset_docid(m, i), xap_mset_weight(m, i));
 *   xap_mset_free(m); xap_enquire_free(e); ...; xap_db_close(db);
 */
#ifndef MG_XAPIAN_XAPIAN_C_H
#define MG_XAPIAN_XAPIAN_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

enum {
    XAP_OK = 0,
    XAP_EINVAL,       /* bad argument (NULL handle, bad op, InvalidArgument) */
    XAP_ENOTFOUND,    /* no such document (DocNotFoundError) or database */
    XAP_EMODIFIED,    /* DatabaseModifiedError: reopen and retry */
    XAP_ELOCKED,      /* DatabaseLockError: another writer holds the db */
    XAP_EOPENING,     /* DatabaseOpeningError/CreateError/VersionError */
    XAP_ECORRUPT,     /* DatabaseCorruptError */
    XAP_ENETWORK,     /* NetworkError or NetworkTimeoutError (remote) */
    XAP_EUNSUPPORTED, /* UnimplementedError, FeatureUnavailableError,
                         InvalidOperationError (e.g. write on a reader) */
    XAP_ENOMEM,       /* std::bad_alloc */
    XAP_EOTHER        /* any other Xapian::Error or C++ exception */
};

/* A constant English name for a status code. */
const char *xap_strerror(int code);
/* What the last failed call in this thread said.  Never NULL ("" if none). */
const char *xap_errmsg(void);
/* The libxapian version string, e.g. "1.4.22". */
const char *xap_version(void);

/* ------------------------------------------------------------- databases */

typedef struct xap_db xap_db;

#define XAP_RDONLY    0x0  /* open an existing database read-only */
#define XAP_WRITE     0x1  /* open an existing database for writing */
#define XAP_CREATE    0x2  /* with XAP_WRITE: create it when missing */
#define XAP_OVERWRITE 0x4  /* with XAP_WRITE: start empty, replacing any */

/* Opens the local database in directory `path` (glass backend).  On error
 * *out is NULL.  A second writer gets XAP_ELOCKED. */
int xap_db_open(const char *path, int flags, xap_db **out);

/* Opens a read-only database served by `xapian-tcpsrv --port PORT DB` on
 * host.  timeout_ms bounds each network operation and the connect (0 =
 * Xapian's default, 10 s).  Errors: XAP_ENETWORK when unreachable. */
int xap_db_open_remote(const char *host, unsigned port, unsigned timeout_ms,
                       xap_db **out);

/* A read-only database with no sub-databases, for xap_db_add. */
int xap_db_new_combined(xap_db **out);

/* Adds every sub-database of src to the read-only dst, so one search covers
 * them all with global statistics (document counts, term frequencies and
 * average lengths over the union).  src stays valid and independent; close
 * it when you like.  Docids of the combination interleave: docid d of
 * sub-database i (of n) becomes (d - 1) * n + i + 1. */
int xap_db_add(xap_db *dst, xap_db *src);

/* Frees db.  A writer first commits pending changes (Xapian's rule), unless
 * a transaction is open, which is cancelled.  Returns the status of that
 * commit; the handle is freed either way.  Combinations db was added to
 * keep working. */
int xap_db_close(xap_db *db);

/* Moves a reader to the newest revision; *changed (may be NULL) = 1 if it
 * moved.  No-op on a writer. */
int xap_db_reopen(xap_db *db, int *changed);

/* Collection statistics. */
int xap_db_doccount(xap_db *db, uint32_t *out);
int xap_db_lastdocid(xap_db *db, uint32_t *out);
int xap_db_avlength(xap_db *db, double *out);
/* Document frequency and collection frequency of a term (0, 0 if absent);
 * either out-pointer may be NULL. */
int xap_db_term_stats(xap_db *db, const char *term, size_t len,
                      uint32_t *df, uint64_t *cf);
/* The document's length: the sum of the wdf of all its terms. */
int xap_db_doclength(xap_db *db, uint32_t docid, uint32_t *out);

/* Calls fn for each term of the database starting with prefix (NULL or
 * len 0 = all), in byte order; fn's nonzero return stops the walk. */
int xap_db_allterms(xap_db *db, const char *prefix, size_t len,
                    int (*fn)(void *ctx, const char *term, size_t len, uint32_t df),
                    void *ctx);
/* Calls fn for each term of document docid, in byte order, with its wdf
 * and the number of positions it has. */
int xap_db_termlist(xap_db *db, uint32_t docid,
                    int (*fn)(void *ctx, const char *term, size_t len,
                              uint32_t wdf, uint32_t npos),
                    void *ctx);
/* Fills pos[0..cap) with the positions of term in docid; *n = how many
 * there are (may exceed cap).  0 positions if the term is absent. */
int xap_db_positions(xap_db *db, uint32_t docid, const char *term, size_t len,
                     uint32_t *pos, size_t cap, size_t *n);
/* Calls fn for each document holding term, in docid order, with its wdf. */
int xap_db_postlist(xap_db *db, const char *term, size_t len,
                    int (*fn)(void *ctx, uint32_t docid, uint32_t wdf), void *ctx);

/* The data of docid, copied into memory the caller frees (*data may be
 * NULL when *len is 0).  XAP_ENOTFOUND if there is no such document. */
int xap_db_get_data(xap_db *db, uint32_t docid, char **data, size_t *len);
/* The first document indexed by `term` (e.g. a unique id term), or
 * XAP_ENOTFOUND. */
int xap_db_find_term(xap_db *db, const char *term, size_t len, uint32_t *docid);

/* User metadata (a key -> bytes store beside the documents; Xapian keeps
 * it across commits).  get: the value, copied into memory the caller frees
 * (*val NULL and *len 0 when the key is absent).  set: writers only; an
 * empty value deletes the key.  Keys are non-empty. */
int xap_db_get_metadata(xap_db *db, const char *key, char **val, size_t *len);
int xap_db_set_metadata(xap_db *db, const char *key, const void *val, size_t len);

/* ----------------------------------------------------------- writing */

/* Transactions (writers only).  flushed != 0: the transaction is committed
 * on its own when it ends (Xapian's "flushed" transaction); otherwise it is
 * folded into the next xap_db_commit. */
int xap_db_begin(xap_db *db, int flushed);
int xap_db_commit_transaction(xap_db *db);
int xap_db_cancel_transaction(xap_db *db);
/* Makes every change since the last commit durable and visible. */
int xap_db_commit(xap_db *db);

typedef struct xap_doc xap_doc;

int  xap_doc_new(xap_doc **out);
void xap_doc_free(xap_doc *doc);
/* Adds one occurrence of term at position pos, increasing its wdf by
 * wdf_inc (1 for a normal occurrence; 0 keeps positions without wdf). */
int  xap_doc_add_posting(xap_doc *doc, const char *term, size_t len,
                         uint32_t pos, uint32_t wdf_inc);
/* Adds term without a position, increasing its wdf by wdf_inc (0 gives a
 * boolean term, e.g. a filter or unique id term). */
int  xap_doc_add_term(xap_doc *doc, const char *term, size_t len, uint32_t wdf_inc);
/* Sets the opaque data blob (stored, returned with hits). */
int  xap_doc_set_data(xap_doc *doc, const void *data, size_t len);
/* Sets value slot `slot` to the bytes given (for sorting and ranges). */
int  xap_doc_set_value(xap_doc *doc, uint32_t slot, const void *v, size_t len);
/* Sets value slot `slot` to sortable_serialise(x): a string whose byte
 * order is the numeric order, for ranges and sorting on numbers/dates. */
int  xap_doc_set_value_double(xap_doc *doc, uint32_t slot, double x);

/* Adds doc; *docid (may be NULL) gets its docid. */
int xap_db_add_doc(xap_db *db, const xap_doc *doc, uint32_t *docid);
/* Replaces every document indexed by the unique term idterm with doc (adds
 * it when there is none).  doc should itself hold idterm. */
int xap_db_replace_doc(xap_db *db, const char *idterm, size_t len,
                       const xap_doc *doc, uint32_t *docid);
/* Deletes every document indexed by term; *ndeleted (may be NULL) counts
 * how many there were, so 0 means "no such document". */
int xap_db_delete_term(xap_db *db, const char *term, size_t len, uint32_t *ndeleted);
int xap_db_delete_doc(xap_db *db, uint32_t docid);

/* Xapian::sortable_serialise(x) into out (room for XAP_SORTABLE_MAX);
 * *len gets its length.  And back. */
#define XAP_SORTABLE_MAX 18
void   xap_sortable_serialise(double x, char *out, size_t *len);
double xap_sortable_unserialise(const char *s, size_t len);

/* --------------------------------------------------------------- queries */

typedef struct xap_query xap_query;

/* Operators for xap_query_combine (the Xapian::Query::op of the same name). */
typedef enum {
    XAP_OP_AND = 0,   /* all subqueries match; weights add */
    XAP_OP_OR,        /* any subquery matches */
    XAP_OP_AND_NOT,   /* first matches and none of the others */
    XAP_OP_XOR,
    XAP_OP_AND_MAYBE, /* first matches; the others only add weight */
    XAP_OP_FILTER,    /* first matches and all others, which add no weight */
    XAP_OP_SYNONYM,   /* OR, weighted as if one term */
    XAP_OP_MAX,       /* OR, weight = the best subquery's */
    XAP_OP_PHRASE,    /* terms in order within `window` positions (0 = as
                         many as there are terms, i.e. adjacent) */
    XAP_OP_NEAR,      /* terms in any order within `window` positions */
    XAP_OP_ELITE_SET  /* OR of the `window` best-weighted subqueries
                         (0 = Xapian's default of 10) */
} xap_op;

/* A term, with query frequency wqf (within-query frequency, >= 1) and query
 * position pos (1-based, 0 = none; only for query expansion/debug). */
int xap_query_term(const char *term, size_t len, uint32_t wqf, uint32_t pos,
                   xap_query **out);
/* Combines n >= 1 subqueries with op; window as documented per op.  A NULL
 * entry in subs is XAP_EINVAL.  PHRASE/NEAR need positional subqueries
 * (terms, or OR of terms); Xapian reports anything else. */
int xap_query_combine(xap_op op, xap_query *const *subs, size_t n, uint32_t window,
                      xap_query **out);
/* Documents whose value in slot lies in [lo, hi] in byte order.  lo or hi
 * NULL means unbounded on that side (both NULL: every document with a
 * value in slot).  Documents without a value in slot never match (Xapian
 * itself would count them as "" and let VALUE_LE match them). */
int xap_query_value_range(uint32_t slot, const char *lo, size_t lolen,
                          const char *hi, size_t hilen, xap_query **out);
/* The same for numbers stored with xap_doc_set_value_double; a NaN bound
 * means unbounded. */
int xap_query_value_range_double(uint32_t slot, double lo, double hi, xap_query **out);
/* q with every weight multiplied by factor (>= 0; OP_SCALE_WEIGHT).
 * factor 0 makes q a pure filter. */
int xap_query_scale(const xap_query *q, double factor, xap_query **out);
/* Every document / no document. */
int xap_query_match_all(xap_query **out);
int xap_query_match_nothing(xap_query **out);
/* Xapian's description of q, copied into memory the caller frees. */
int xap_query_describe(const xap_query *q, char **out);
void xap_query_free(xap_query *q);

/* --------------------------------------------------------------- enquire */

typedef struct xap_enquire xap_enquire;
typedef struct xap_mset xap_mset;

/* A search session over db; db must outlive it (msets it made need not). */
int  xap_enquire_new(xap_db *db, xap_enquire **out);
void xap_enquire_free(xap_enquire *e);
/* The query to run (copied; q may be freed afterwards). */
int  xap_enquire_set_query(xap_enquire *e, const xap_query *q);
/* Xapian::BM25Weight(k1, k2, k3, b, min_normlen): XAP_EINVAL unless all are
 * finite, >= 0 and b <= 1 (Xapian itself would clamp silently).  Xapian's
 * defaults are (1, 0, 1, 0.5, 0.5); Lucene-like is (1.2, 0, 1, 0.75, 0).
 * For a term with document frequency n of N documents, wdf f, document
 * length L (sum of wdf) and average length A, Xapian 1.4 scores
 *   idf(n) * (k1 + 1) f / (k1 (b max(L/A, min_normlen) + 1 - b) + f)
 * times (k3 + 1) wqf / (k3 + wqf), where idf = log(t), t = (N-n+.5)/(n+.5)
 * replaced by t/2 + 1 when t < 2 (so common terms keep a small positive
 * weight), plus 2 k2 querylen / (1 + normlen) per document. */
int  xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3,
                          double b, double min_normlen);
/* Every match weighs 0 (pure boolean search). */
int  xap_enquire_set_boolweight(xap_enquire *e);
/* Sort by value slot (byte order), descending if reverse, ties by
 * relevance.  slot < 0 returns to relevance order. */
int  xap_enquire_set_sort_by_value(xap_enquire *e, int slot, int reverse);
/* Relevance ties (and pure boolean searches) in ascending docid order
 * (the default), or descending if descending != 0. */
int  xap_enquire_set_docid_order(xap_enquire *e, int descending);

/* Runs the query: matches first..first+maxitems-1 in order.  check_at_least
 * (0 = none) makes Xapian examine at least that many candidates, so the
 * estimate is exact up to there (use the doccount to get exact totals). */
int  xap_enquire_mset(xap_enquire *e, uint32_t first, uint32_t maxitems,
                      uint32_t check_at_least, xap_mset **out);

void     xap_mset_free(xap_mset *m);
size_t   xap_mset_size(const xap_mset *m);
/* Total number of matching documents: estimate and bounds. */
uint32_t xap_mset_estimated(const xap_mset *m);
uint32_t xap_mset_lower(const xap_mset *m);
uint32_t xap_mset_upper(const xap_mset *m);
/* Item i (0 <= i < size).  Out-of-range i gives 0. */
uint32_t xap_mset_docid(const xap_mset *m, size_t i);
uint32_t xap_mset_rank(const xap_mset *m, size_t i);   /* 0-based overall */
double   xap_mset_weight(const xap_mset *m, size_t i);
int      xap_mset_percent(const xap_mset *m, size_t i);
/* The document data of item i; *data lives as long as m. */
int      xap_mset_data(xap_mset *m, size_t i, const char **data, size_t *len);
/* The value in slot of item i; *v lives until the next xap_mset_value
 * call on m (or until m is freed). */
int      xap_mset_value(xap_mset *m, size_t i, uint32_t slot, const char **v, size_t *len);
/* How many distinct terms of the query the document of item i holds. */
int      xap_mset_matching_terms(xap_mset *m, size_t i, uint32_t *count);

#ifdef __cplusplus
}
#endif
#endif /* MG_XAPIAN_XAPIAN_C_H */

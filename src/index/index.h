/* index.h — what the index layer offers the rest of morgue: a writer that
 * turns articles into immutable segments and commits them atomically, and a
 * reader (a snapshot of one commit) that the query engine walks.
 *
 * Terms.  Every term is a byte string.  Plain terms come from the title and
 * body; terms of other fields carry a one-letter uppercase prefix, which no
 * folded word can start with:
 *
 *   run         stemmed word of title or body (one posting list per term for
 *               both fields, with separate title and body frequencies)
 *   Rrunning    the unstemmed (folded) word, written only where it differs
 *               from its stem; where it does not, the stem's positions carry
 *               an "exact" flag (see ix_post_positions), so `=word` is exact
 *   Aword       author tokens (folded, unstemmed)
 *   Sword       source and section tokens (folded, unstemmed)
 * (The external id is not a term: each segment's IDS section keeps the ids
 * with their docids sorted by id, for replace, delete and lookups.)
 *
 * Positions.  Title tokens take positions 0..T-1 and body tokens T+1...
 * (one gap, so no phrase spans the two).  Within a posting the positions are
 * ascending, so the first tf_title of them are the title's.
 *
 * Documents.  Each segment numbers its documents 0..n-1 in insertion order.
 * The query engine runs per segment and uses collection statistics from the
 * whole snapshot (ix_reader_*), so scores do not depend on how the index is
 * split into segments.
 */
#ifndef MG_INDEX_INDEX_H
#define MG_INDEX_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include "morgue.h"
#include "util/err.h"

#define IX_TERM_MAX 255          /* longest term in bytes (prefix included) */
#define IX_END      UINT32_MAX   /* a postings cursor past its last document */

/* ------------------------------------------------------------------ writer */

typedef struct ix_writer ix_writer;
typedef struct ix_reader  ix_reader;   /* one commit: a set of segments */

typedef struct ix_writer_options {
    const char *language;  /* stemmer for a new index (NULL = "english") */
    size_t ram_budget;     /* bytes buffered before a flush (0 = 256 MiB) */
    int create;            /* create the index if missing */
    int no_merge;          /* never merge on commit */
    int threads;           /* adding threads: 1 or 2; 0 = 2 when cpus_usable() >= 2 */
    size_t add_run;        /* text bytes each adding thread takes in turn (0 = 64 KiB; tests) */
} ix_writer_options;

/* Opens dir for writing, taking dir/LOCK (MG_ELOCKED if held). */
int  ix_writer_open(const char *dir, const ix_writer_options *opt, ix_writer **out, errbuf *e);
/* Rolls back what is uncommitted, unlocks, frees.  NULL allowed. */
void ix_writer_close(ix_writer *w);
/* Adds or replaces (by id) one article. */
int  ix_writer_add(ix_writer *w, const mg_article *a, errbuf *e);
/* Deletes by id; MG_ENOTFOUND when neither committed nor pending. */
int  ix_writer_delete(ix_writer *w, const char *id, errbuf *e);
int  ix_writer_commit(ix_writer *w, errbuf *e);
int  ix_writer_rollback(ix_writer *w, errbuf *e);
/* Merges everything into one segment without deleted docs, and commits. */
int  ix_writer_optimize(ix_writer *w, errbuf *e);
/* Async-signal-safe request to stop the current operation (MG_EINTERRUPTED). */
void ix_writer_interrupt(ix_writer *w);
/* Invalid UTF-8 sequences replaced so far. */
uint64_t ix_writer_bad_utf8(const ix_writer *w);
/* Pending (uncommitted) adds and deletes. */
void ix_writer_pending(const ix_writer *w, uint64_t *adds, uint64_t *deletes);
/* A reader of the writer's last commit (one new reference for the caller,
 * released with ix_reader_unref). */
int  ix_writer_reader(ix_writer *w, ix_reader **out, errbuf *e);

/* ------------------------------------------------------------------ reader */

typedef struct ix_segment ix_segment;  /* one immutable segment */

/* Opens the newest commit in dir.  MG_ENOTFOUND if dir holds no index. */
int  ix_reader_open(const char *dir, ix_reader **out, errbuf *e);
/* Reference counting: a reader is freed when its last reference goes.
 * Both are thread-safe (atomic).  ix_reader_open returns one reference. */
void ix_reader_ref(ix_reader *r);
void ix_reader_unref(ix_reader *r);
/* 1 if a newer commit than r's exists in its directory. */
int  ix_reader_stale(const ix_reader *r);

uint64_t    ix_reader_generation(const ix_reader *r);
const char *ix_reader_language(const ix_reader *r);
const char *ix_reader_dir(const ix_reader *r);
uint32_t    ix_reader_nsegments(const ix_reader *r);
const ix_segment *ix_reader_segment(const ix_reader *r, uint32_t i);

/* Collection statistics over all segments (deleted documents excluded from
 * ndocs and the average lengths; df and cf count them, as Lucene does). */
uint64_t ix_reader_ndocs(const ix_reader *r);
double   ix_reader_avg_title_len(const ix_reader *r);
double   ix_reader_avg_body_len(const ix_reader *r);
/* Document and collection frequency of a term over all segments (0, 0 when
 * absent). */
void     ix_reader_term_stats(const ix_reader *r, const char *term, size_t len,
                              uint64_t *df, uint64_t *cf);
/* Calls fn for each distinct term starting with prefix, in byte order,
 * merged over segments, at most `max` terms; fn's nonzero return stops.
 * Returns the number of terms visited. */
size_t   ix_reader_prefix(const ix_reader *r, const char *prefix, size_t len, size_t max,
                          int (*fn)(void *ctx, const char *term, size_t len, uint64_t df),
                          void *ctx);
/* Finds a live article by external id: its segment index and docid. */
int      ix_reader_find_id(const ix_reader *r, const char *id, uint32_t *seg, uint32_t *doc);
void     ix_reader_stats(const ix_reader *r, mg_stats *out);
/* Verifies every file of the commit (checksums and structure). */
int      ix_reader_check(const ix_reader *r, errbuf *e);

/* Per segment. */
uint32_t ix_seg_ndocs(const ix_segment *s);           /* docids are 0..n-1 */
int      ix_seg_is_deleted(const ix_segment *s, uint32_t doc);
uint32_t ix_seg_live_docs(const ix_segment *s);
uint8_t  ix_seg_title_norm(const ix_segment *s, uint32_t doc); /* util/norm.h */
uint8_t  ix_seg_body_norm(const ix_segment *s, uint32_t doc);
/* The norm column: ndocs title norms, then ndocs body norms (checked on
 * open to be 2 * ndocs bytes). */
const uint8_t *ix_seg_norms(const ix_segment *s);
int64_t  ix_seg_date(const ix_segment *s, uint32_t doc);       /* or MG_NO_DATE */
/* The dense date column (ndocs entries) for fast range filters and sorts. */
const int64_t *ix_seg_dates(const ix_segment *s);
/* The external id of doc (not NUL-terminated, *len bytes), pointing into
 * the segment's map (valid while the segment is); NULL past the end. */
const char *ix_seg_doc_id(const ix_segment *s, uint32_t doc, size_t *len);
/* Starts loading the offsets ix_seg_doc_id(s, doc) reads (a hint: call
 * it for every hit of a page early, so that their misses overlap). */
void ix_seg_doc_id_prefetch(const ix_segment *s, uint32_t doc);
/* Reads a stored article; *out is freed with mg_doc_free. */
int      ix_seg_doc(const ix_segment *s, uint32_t doc, mg_doc **out, errbuf *e);

/* ---------------------------------------------------------------- postings */

/* A block's bound: the largest frequencies and smallest length norms of any
 * document in the block, so BM25F(max tf, min len) >= every score in it. */
typedef struct ix_bound {
    uint32_t max_tf_title;
    uint32_t max_tf_body;
    uint8_t  min_title_norm;
    uint8_t  min_body_norm;
} ix_bound;

/* A cursor over one term's postings in one segment.  Stack-allocatable;
 * its fields are private to the index layer. */
typedef struct ix_post {
    const ix_segment *seg;
    uint32_t doc;            /* current docid, or IX_END */
    uint32_t df;             /* documents in this list (this segment) */
    /* private decoding state */
    const uint8_t *base, *end, *pos_base, *pos_end, *skip;
    uint32_t nblocks, block, in_block, block_len;
    uint32_t docs[128], tf_title[128], tf_body[128];
    const uint8_t *tf_src;   /* the block's encoded frequencies ... */
    uint8_t tf_ready;        /* ... 0 until decoded into the arrays (2:
                                tf_body holds tf - 1, tf_title not yet) */
    uint8_t tf_probes;       /* single frequencies read from tf_src before */
    uint32_t tf_at;          /* in-block doc of tf_at_t/b (UINT32_MAX: none) */
    uint32_t tf_at_t, tf_at_b;
    const uint8_t *tf_src2;  /* the encoded tf_title (NULL: not yet found) */
    const uint8_t *first_src; /* the block's first positions (NULL: not yet
                                 found) and their escapes (NULL: ditto) */
    const uint8_t *first_escp;
    uint64_t first_at;       /* bit offset of in-block doc first_done's */
    uint64_t first_inl;      /* df == 1: the first position value */
    uint32_t first_done;     /* in-block docs whose first position is passed */
    uint32_t first_nesc;     /* escapes among them */
    uint8_t first_escs;      /* the list has escaped first positions */
    uint64_t pvals[128];     /* decoded positions block pb_num */
    uint64_t pos_g;          /* index, in the term's positions, of the first
                                position of in-block doc pos_skip_docs */
    uint64_t pos_boff;       /* offset (from pos_base) of the positions block
                                holding pos_g */
    uint64_t block_pos_g, block_pos_boff; /* the same for the block's first doc */
    uint64_t pos_cf;         /* positions in the term's list */
    uint64_t pb_num, pb_next; /* decoded positions block (or UINT64_MAX), the
                                offset after it */
    uint64_t pp_num;         /* positions block last read in part (pos_part) */
    uint32_t pos_skip_docs;  /* the in-block doc pos_g belongs to */
    int has_positions;
    int bad;                 /* corrupt data met: the cursor ended early */
    int pos_mode;            /* how positions carry the exact flag */
    ix_bound list_bound;     /* bound over the whole list */
} ix_post;

/* Positions the cursor before the first posting of term in segment s.
 * Returns 1 if the term exists there (cursor then on its first document),
 * 0 if not (cursor at IX_END). */
int      ix_post_open(ix_post *c, const ix_segment *s, const char *term, size_t len);
/* Starts loading the dictionary block where term would be in s (a hint;
 * no effect on results): callers about to open a term in several segments
 * call it for each first, so their cache misses overlap. */
void     ix_post_prefetch(const ix_segment *s, const char *term, size_t len);
/* The step before ix_post_prefetch, which waits for what this loads: for
 * several terms, call this for each, then ix_post_prefetch for each, then
 * open them; every step's misses overlap across the terms. */
void     ix_post_prefetch_keys(const ix_segment *s, const char *term, size_t len);
/* Moves to the next document; returns it or IX_END. */
uint32_t ix_post_next(ix_post *c);
/* Moves to the first document >= target (never backwards); returns it. */
uint32_t ix_post_advance(ix_post *c, uint32_t target);
uint32_t ix_post_tf_title(ix_post *c);   /* unpacks the block's tfs on first use */
uint32_t ix_post_tf_body(ix_post *c);
/* Both at once (0, 0 past the end). */
void     ix_post_tfs(ix_post *c, uint32_t *title, uint32_t *body);
/* The decoded block holding the current document (decoding its
 * frequencies if needed): its docids and frequencies, valid until the
 * cursor leaves the block.  Returns the block's length (0 past the end);
 * the current document is entry c->in_block. */
uint32_t ix_post_block(ix_post *c, const uint32_t **docs, const uint32_t **tf_title,
                       const uint32_t **tf_body);
/* ix_post_next and ix_post_advance with their common case inlined: the
 * document sought is in the block already decoded (query inner loops). */
static inline uint32_t ix_post_next_fast(ix_post *c)
{
    if (c->in_block + 1 < c->block_len)
        return c->doc = c->docs[++c->in_block];
    return ix_post_next(c);
}
static inline uint32_t ix_post_advance_fast(ix_post *c, uint32_t target)
{
    if (c->doc >= target)
        return c->doc;
    if (c->block_len == 0 || c->docs[c->block_len - 1] < target)
        return ix_post_advance(c, target);
    uint32_t i = c->in_block + 1;
    while (c->docs[i] < target)
        i++;
    c->in_block = i;
    return c->doc = c->docs[i];
}
/* Whether ix_post_advance(c, target) stays in the block already decoded
 * (no skip search, no block to decode). */
static inline int ix_post_in_block(const ix_post *c, uint32_t target)
{
    return c->block_len != 0 && c->docs[c->block_len - 1] >= target;
}
/* Moves a and b forward inside their decoded blocks (nothing decoded) to
 * their first common document: 1 when found, both on it.  0 when a block
 * ran out first: then each is on its first document >= the other's, or
 * on its block's last when that is below the other's (one of them is),
 * so the caller goes on from the larger of the two; 0 too when one is
 * past its end.  *passed: a's documents passed over.  A conjunction's
 * inner loop, a the sparser list. */
int      ix_post_meet(ix_post *a, ix_post *b, uint32_t *passed);
/* ix_post_tfs with its common case inlined: the block's frequencies are
 * decoded already. */
static inline void ix_post_tfs_fast(ix_post *c, uint32_t *title, uint32_t *body)
{
    if (c->tf_ready == 1 && c->doc != IX_END) {
        *title = c->tf_title[c->in_block];
        *body = c->tf_body[c->in_block];
        return;
    }
    ix_post_tfs(c, title, body);
}
/* ix_post_tfs for a caller that will read the frequencies of most of the
 * block's documents: the block's are decoded whole at once (not probed one
 * by one first). */
static inline void ix_post_tfs_all(ix_post *c, uint32_t *title, uint32_t *body)
{
    if (c->tf_ready != 1 && c->doc != IX_END) {
        const uint32_t *d, *t, *b;
        ix_post_block(c, &d, &t, &b);
    }
    ix_post_tfs_fast(c, title, body);
}
/* The document `ahead` postings after the current one when it is in the
 * block already decoded, else IX_END (a hint, for prefetching what the
 * caller will read about the next documents). */
static inline uint32_t ix_post_ahead(const ix_post *c, uint32_t ahead)
{
    uint32_t i = c->in_block + ahead;
    return c->doc != IX_END && i < c->block_len ? c->docs[i] : IX_END;
}
/* Decodes the current document's positions into out (room for `cap`).
 * Returns how many there are (tf_title + tf_body; may exceed cap, then only
 * cap are written).  With `exact` non-NULL, exact[i] is set to 1 where the
 * occurrence's unstemmed form equals the term (plain terms only). */
uint32_t ix_post_positions(ix_post *c, uint32_t *out, uint8_t *exact, uint32_t cap);
/* Block-max support: the bound of the block holding the first document
 * >= target without decoding it, and that block's last docid.  Returns 0
 * when target is past the list. */
int      ix_post_block_bound(ix_post *c, uint32_t target, uint32_t *last_doc, ix_bound *b);
/* The bound over the whole list (for MaxScore). */
void     ix_post_list_bound(const ix_post *c, ix_bound *b);

#endif

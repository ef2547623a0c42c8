/* segment.h — internal to the index layer: the in-memory view of one
 * segment file (sections located, sparse dictionary index parsed), the
 * term-dictionary cursor, and the writers shared by flush and merge.
 * The segment file format is specified in segment_write.c. */
#ifndef MG_INDEX_SEGMENT_H
#define MG_INDEX_SEGMENT_H

#include <stdint.h>

#include "index/index.h"
#include "util/buf.h"
#include "util/fileio.h"

#define SEG_MAGIC     "MGSEG\r\n\x1a"
#define SEG_VERSION   11u
#define SEG_VERSION_MIN 10u   /* oldest read: 10 has no lists in DICT */
#define SEG_HEADER    16u
#define SEG_TRAILER   24u
#define SEG_END_MAGIC 0x4553474du /* "MGSE" little-endian */

/* Section kinds, in the order they are written. */
enum {
    SEC_STORED = 1,   /* compressed stored-field blocks */
    SEC_POSTINGS,     /* per term: skip table + blocks */
    SEC_POSITIONS,    /* per posting: position varints */
    SEC_DICT,         /* front-coded term blocks */
    SEC_DICTIDX,      /* first term and offset of each dictionary block */
    SEC_STOREIDX,     /* one entry per stored block */
    SEC_NORMS,        /* title norms, then body norms */
    SEC_DATES,        /* int64 per document */
    SEC_IDS,          /* external ids, uncompressed (stored.c) */
    SEC_META,         /* counts */
    SEC_COUNT
};

#define DICT_BLOCK_TERMS 32
/* One top-level key per this many dictionary blocks (segment_read.c). */
#define DICT_TOP_STRIDE 32
#define DICT_BOUND_MIN_DF 16    /* shorter lists' bounds are not in DICT */
/* Lists of 2..this many documents are written into their DICT entry, so a
 * rare word's lookup reads no POSTINGS line (termdict.c). */
#define DICT_INLINE_MAX_DF 15
#define SKIP_ENTRY       20     /* bytes per skip entry */
#define STOREIDX_ENTRY   24
#define STORED_BLOCK_RAW (64 * 1024)
#define META_SIZE        72

typedef struct sect {
    const uint8_t *p;
    uint64_t len;
    uint64_t off;
    uint32_t crc;
} sect;

struct ix_segment {
    mapping map;
    char path[4096];          /* full path of the segment file */
    char name[64];            /* its file name, for messages */
    uint64_t id;              /* segment id (from the file name) */
    uint32_t version;         /* its format version (SEG_VERSION_MIN..) */
    uint32_t ndocs;
    uint32_t ndeleted;
    uint8_t *deleted;         /* bitmap (owned), NULL when none deleted */
    uint64_t del_gen;         /* generation of the deletes file, 0 = none */
    sect sec[SEC_COUNT];
    /* META */
    uint64_t nterms, npostings, tokens, title_tokens, body_tokens;
    int64_t date_min, date_max;
    uint32_t nstored_blocks;
    /* sparse dictionary index */
    uint32_t ndict_blocks;
    uint64_t *dict_off;       /* offset of each block in SEC_DICT */
    const uint8_t **dict_first; /* first term of each block (in the map) */
    uint8_t *dict_first_len;
    uint64_t *dict_key;       /* each block's first term's first 8 bytes,
                                 big-endian, zero-padded (td_key): compared
                                 as integers they order as the terms do,
                                 unless equal (termdict.c td_find_block) */
    uint64_t *dict_top;       /* dict_key[i * DICT_TOP_STRIDE], so a lookup
                                 searches a small hot array first */
    uint32_t ndict_top;
    uint8_t *first_w;         /* per document, the bit width of a first
                                 position value (postings_write.c), from NORMS */
};

/* Opens and verifies (cheaply) a segment file; dels may be NULL. */
int  seg_open(const char *dir, uint64_t id, ix_segment **out, errbuf *e);
void seg_free(ix_segment *s);
/* Partial last blocks of this many postings are bit-packed (fewer are
 * varints), and so are the last positions values of a term (postings_write.c). */
#define TAIL_PACK_MIN 4
#define POS_PACK_MIN  8
/* The bit width of a first position value of a document with these norms
 * (postings_write.c). */
unsigned post_first_width(uint8_t tn, uint8_t bn);
/* Fills s->first_w from the NORMS section (norms read as 255 when it does
 * not hold 2 * ndocs bytes).  0, or -1 out of memory. */
int  post_first_widths(ix_segment *s);
/* Full verification: every checksum and the structure of every list. */
int  seg_check(const ix_segment *s, errbuf *e);
/* File name of a segment. */
void seg_name(char *out, size_t n, uint64_t id);

/* ------------------------------------------------------- term dictionary */

/* How a term's positions carry the exact flag (see postings_write.c). */
enum {
    POS_MIXED = 0,            /* each position varint is gap << 1 | exact */
    POS_EXACT = 1,            /* varints are gaps; every occurrence exact */
    POS_INEXACT = 2           /* varints are gaps; no occurrence exact */
};

typedef struct td_entry {
    char term[IX_TERM_MAX + 1];
    size_t len;
    uint32_t df;
    uint64_t cf;
    uint64_t doc_off;         /* in SEC_POSTINGS (df > 1, not inlined) */
    const uint8_t *inl_post;  /* df > 1: the list's POSTINGS bytes when they
                                 are in the DICT entry (read: in the map;
                                 written: the writer's), else NULL */
    uint32_t inl_post_len;
    uint64_t pos_off;         /* in SEC_POSITIONS */
    ix_bound bound;           /* over the whole list */
    uint8_t mode;             /* POS_* */
    uint8_t escs;             /* df > 1: some first position is escaped */
    uint32_t inl_doc;         /* df == 1: the posting, inlined */
    uint32_t inl_tft, inl_tfb;
    uint64_t inl_fv;          /* df == 1: its first position value */
} td_entry;

typedef struct td_iter {
    const ix_segment *seg;
    uint32_t block;           /* current block */
    uint32_t left;            /* entries left in the block */
    rd r;                     /* reader inside the dictionary */
    td_entry cur;
    int bad;                  /* corrupt data met */
} td_iter;

/* Positions it at the first term >= key.  Returns 1 and fills it->cur if
 * there is one, 0 at the end. */
int  td_seek(td_iter *it, const ix_segment *s, const char *key, size_t len);
/* Advances to the next term; 1 or 0 at the end. */
int  td_next(td_iter *it);
/* Of n iterators, the index of the live one (live[i] != 0) whose current
 * term sorts first in byte order, or -1 when none is live.  Merges and
 * prefix enumeration walk several segments' dictionaries with it. */
int  td_smallest(const td_iter *it, const uint8_t *live, uint32_t n);
/* Exact lookup; 1 when found (e filled). */
int  td_lookup(const ix_segment *s, const char *term, size_t len, td_entry *e);
/* Prefetches the block where term would be (ix_post_prefetch). */
void td_prefetch(const ix_segment *s, const char *term, size_t len);
/* Prefetches the sparse index keys td_prefetch/td_lookup search for term
 * (ix_post_prefetch_keys): it reads only the cached top sample. */
void td_prefetch_keys(const ix_segment *s, const char *term, size_t len);
/* A term's first 8 bytes as a big-endian integer, zero-padded. */
uint64_t td_key(const void *term, size_t len);

/* Dictionary writer (into memory buffers). */
typedef struct td_writer {
    buf dict, idx;
    uint32_t in_block;
    uint32_t nblocks;
    uint64_t nterms;
    size_t block_start;       /* where the current block's count byte is */
    char prev[IX_TERM_MAX + 1];
    size_t prev_len;
    uint64_t prev_doc_off, prev_pos_off;
} td_writer;

void td_writer_init(td_writer *w);
void td_writer_free(td_writer *w);
void td_writer_add(td_writer *w, const td_entry *e);
void td_writer_finish(td_writer *w);

/* ------------------------------------------------------ postings writer */

typedef struct post_writer {
    uint32_t n;               /* docs buffered in the current block */
    uint32_t docs[128], tft[128], tfb[128];
    uint8_t tn[128], bn[128];
    uint64_t fv[128];         /* each posting's first position value */
    int mode;                 /* the term's POS_* (from pw_positions) */
    int escs;                 /* a first position was escaped */
    uint32_t last_doc;        /* last doc of the previous block, or -1 */
    int have_last;
    uint64_t pos_count;       /* values written to POSITIONS so far */
    uint64_t pos_flushed;     /* positions bytes of this term taken out of pos */
    uint64_t blk_pboff, blk_pg; /* positions block offset and position index
                                   of the current block's first doc */
    uint32_t npv;             /* position values pending in pv */
    uint64_t pv[128];
    buf pos;                  /* the term's encoded positions (see postings_write.c) */
    uint32_t df;
    uint64_t cf;
    ix_bound bound;           /* the list's, complete after pw_finish_positions */
    ix_bound blk;             /* the current block's first blk_n postings' */
    uint32_t blk_n;
    buf blocks, skip;
} post_writer;

void pw_init(post_writer *w);
void pw_free(post_writer *w);
void pw_begin(post_writer *w);
/* One posting: its doc (ascending), frequencies and the doc's norms; its
 * positions follow with pw_positions. */
void pw_add(post_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, uint8_t tn, uint8_t bn);
/* The positions of the last added posting: n varints in mode `from`,
 * re-encoded in mode `to` (the term's): the first kept with the posting,
 * the others appended to w->pos.  Returns the byte after them in `in`, or
 * NULL if they run past end. */
const uint8_t *pw_positions(post_writer *w, const uint8_t *in, const uint8_t *end, uint32_t n,
                            int from, int to);
/* pw_add and pw_positions for a whole list in the inverter's shapes:
 * docs [d, dend) holds per document the varints (doc - previous doc) << 1
 * | (tf_title > 0) (the previous doc being base - 1 before the first: a
 * list written from document 0 and added at document base), tf_title
 * only when not 0, tf_body; positions [p, pend) each document's tf_title
 * + tf_body values in POS_MIXED; nt / nb are the norms of ndocs documents
 * (0 past them); mode is the term's.  0, or -1 when the positions run
 * short. */
int  pw_add_stream(post_writer *w, const uint8_t *d, const uint8_t *dend, const uint8_t *p,
                   const uint8_t *pend, const uint8_t *nt, const uint8_t *nb, uint32_t ndocs,
                   uint32_t base, int mode);
/* Ends the term's positions: the partial last positions block to w->pos. */
void pw_finish_positions(post_writer *w);
/* pw_finish_positions leaving w->bound unset when no file holds it: a list
 * of fewer than DICT_BOUND_MIN_DF documents (one block, no skip table). */
void pw_finish_positions_lean(post_writer *w);
/* Ends the list: appends skip table + blocks to out. */
void pw_finish(post_writer *w, buf *out);

/* The cursor's current document's positions as pos_encode would write them
 * in the term's mode (c->pos_mode), appended to out; for merges.  0, or -1
 * when the data is damaged. */
int  post_doc_positions(ix_post *c, buf *out);

/* Encodes one posting's positions (pos[] ascending, exact flags) for a
 * term whose positions are in `mode`. */
void pos_encode(buf *out, const uint32_t *pos, const uint8_t *exact, uint32_t n, int mode);

/* -------------------------------------------------------- stored fields */

typedef struct stored_writer {
    buf raw;                  /* the block being filled */
    uint32_t raw_docs;
    uint32_t ndocs;
    buf comp;                 /* compressed blocks not yet drained */
    uint64_t comp_total;      /* compressed bytes produced so far */
    buf idx;                  /* SEC_STOREIDX entries */
    buf ids_off, ids;         /* SEC_IDS: u32 end offset per doc, id bytes */
    uint32_t nblocks;
    void *compressor;
    struct stw_bg *bg;        /* compressing thread, or NULL (synchronous) */
    int inline_only;          /* compress in the adding thread, never start one */
    int oom;
} stored_writer;

int  stw_init(stored_writer *w);
void stw_free(stored_writer *w);
/* Appends one article (strings already valid UTF-8). */
void stw_add(stored_writer *w, const mg_article *a);
/* Compresses the partial block, if any, and waits until every block is in
 * comp and idx.  (Full blocks are compressed by a second thread while the
 * caller goes on adding; comp, idx and nblocks are complete only after
 * this.) */
void stw_flush(stored_writer *w);
size_t stw_bytes(const stored_writer *w);
/* Where a stored writer's buffers ended, to undo a stw_append. */
typedef struct stw_mark {
    size_t idx, ids, ids_off;
    uint64_t comp_total;
    uint32_t ndocs, nblocks;
    int oom;
} stw_mark;
/* Appends src's documents after dst's (both flushed): src's block entries
 * shifted by dst's documents and compressed bytes, and its ids.  The
 * compressed bytes stay in src: the segment writer writes them after
 * dst's (seg_writer.st_tail), so no copy of them is ever held.  *m tells
 * stw_unappend how to take them out again. */
void stw_append(stored_writer *dst, const stored_writer *src, stw_mark *m);
void stw_unappend(stored_writer *dst, const stw_mark *m);
/* Appends the SEC_IDS section's bytes to out. */
void stw_ids_section(const stored_writer *w, buf *out);
/* The documents whose external id is id[0..len): how many there are, the
 * first's place in the IDS order in *from (seg_id_order gives each one's
 * docid, for k = *from ..). */
uint32_t seg_find_id(const ix_segment *s, const char *id, size_t len, uint32_t *from);
uint32_t seg_id_order(const ix_segment *s, uint32_t k);

/* Reads every stored document of a segment in order, decompressing each
 * block once (merges and checks; ix_seg_doc is for random access). */
typedef struct stored_cursor {
    const ix_segment *s;
    uint32_t doc;             /* the next document */
    uint32_t block, first, nd;
    uint8_t *raw;             /* the current block, decompressed */
    rd r;
} stored_cursor;

void stc_init(stored_cursor *c, const ix_segment *s);
/* The next document (freed with mg_doc_free). */
int  stc_next(stored_cursor *c, mg_doc **out, errbuf *e);
void stc_free(stored_cursor *c);

/* ------------------------------------------------------- segment writer */

typedef struct out_file {
    int fd;
    buf b;
    uint64_t off;             /* bytes written (incl. buffered) */
    uint32_t crc;             /* of the current section */
    uint32_t crc_all;         /* of everything written */
    int err;
    int writeback;            /* start writing written chunks to disk at once */
    size_t crc_at;            /* bytes of b already in crc and crc_all */
} out_file;

typedef struct seg_writer {
    char dir[4096];
    char path[4096], pos_path[4200];
    uint64_t id;
    out_file f, pos;
    sect sec[SEC_COUNT];
    stored_writer *st;
    const stored_writer *st_tail; /* blocks written after st's (stw_append), or NULL */
    int own_st;
    buf norms_t, norms_b, dates;
    uint32_t ndocs;
    uint64_t tokens, title_tokens, body_tokens, npostings;
    int64_t date_min, date_max;
    td_writer td;
    post_writer pw;
    buf post;                 /* one term's postings, before writing */
    td_entry cur;
    uint64_t cur_pos_start;
    int in_term;
    int phase;                /* 0 docs, 1 terms, 2 done */
    int sync;                 /* fsync in segw_finish (default 1) */
    errbuf *e;
    int rc;
} seg_writer;

/* Starts dir/seg-<id>.mgs.  With st non-NULL, the documents' stored
 * fields are already in st (the caller keeps ownership) and segw_doc must
 * not be given the article. */
int  segw_begin(seg_writer *w, const char *dir, uint64_t id, stored_writer *st, errbuf *e);
/* Adds a document (a may be NULL when st was given). */
void segw_doc(seg_writer *w, const mg_article *a, uint32_t title_len, uint32_t body_len,
              int64_t date);
void segw_add_tokens(seg_writer *w, uint64_t title, uint64_t body);
/* Terms in byte order, each with its postings in doc order.  `mode` is
 * how the term's positions are written (POS_MIXED is always correct; the
 * others need every occurrence to agree). */
void segw_term(seg_writer *w, const char *term, size_t len, int mode);
/* One posting; its positions `pos` are in `pos_mode` encoding. */
void segw_posting(seg_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb,
                  const uint8_t *pos, size_t pos_len, int pos_mode);
/* A term's list encoded apart from the writer (the inverter's flush
 * encodes terms in two threads while the writer appends them in order):
 * its dictionary entry but the offsets, which the writer assigns. */
typedef struct seg_enc {
    uint32_t df;
    uint64_t cf;
    ix_bound bound;
    uint8_t mode, escs;
    uint32_t inl_doc, inl_tft, inl_tfb;
    uint64_t inl_fv;
} seg_enc;
/* Starts encoding a term into pw (positions in `mode`, as for segw_term);
 * then pw_add and pw_positions per posting, with w's norms (segw_norms). */
void segw_enc_begin(post_writer *pw);
/* Ends pw's term as segw_term's writer would: fills e, appends its
 * POSTINGS bytes (df > 1) to post and its POSITIONS bytes to pos.  Only
 * reads pw, so each thread uses its own post_writer. */
void segw_enc_end(post_writer *pw, int mode, seg_enc *e, buf *post, buf *pos);
/* Appends a term encoded with segw_enc_*: the same bytes and dictionary
 * entry as segw_term + segw_posting give (e->df > 0). */
void segw_term_encoded(seg_writer *w, const char *term, size_t len, const seg_enc *e,
                       const uint8_t *post, size_t post_len, const uint8_t *pos, size_t pos_len);
/* Writes the rest, fsyncs (unless w->sync was cleared: the caller then
 * fsyncs before a manifest names the file), closes.  On error removes the
 * file. */
int  segw_finish(seg_writer *w);
void segw_abort(seg_writer *w);

/* -------------------------------------------------------------- deletes */

void del_name(char *out, size_t n, uint64_t seg_id, uint64_t gen);
int  del_write(const char *dir, uint64_t seg_id, uint64_t gen, const uint8_t *bits,
               uint32_t ndocs, errbuf *e);
/* Reads and verifies; *bits malloc'd. */
int  del_read(const char *dir, uint64_t seg_id, uint64_t gen, uint32_t ndocs, uint8_t **bits,
              uint32_t *ndeleted, errbuf *e);

static inline int bit_get(const uint8_t *b, uint32_t i) { return b && (b[i >> 3] >> (i & 7)) & 1; }
static inline void bit_set(uint8_t *b, uint32_t i) { b[i >> 3] |= (uint8_t)(1u << (i & 7)); }

/* -------------------------------------------------------------- manifest */

typedef struct man_seg {
    uint64_t id;
    uint32_t ndocs, ndeleted;
    uint64_t del_gen;
    uint64_t bytes;
} man_seg;

typedef struct manifest {
    uint64_t gen;
    uint64_t next_seg;
    char language[32];
    uint32_t nseg;
    man_seg *seg;
} manifest;

void man_free(manifest *m);
int  man_write(const char *dir, const manifest *m, errbuf *e);
int  man_read(const char *dir, uint64_t gen, manifest *m, errbuf *e);
/* Generations of MANIFEST files in dir, newest first (malloc'd). */
int  man_list(const char *dir, uint64_t **gens, size_t *n, errbuf *e);

/* --------------------------------------------------------------- utf-8 */

/* Copies s with invalid sequences replaced by U+FFFD; *bad += count.
 * Returns malloc'd string (NULL if s is NULL or out of memory). */
char *utf8_sanitize(const char *s, uint64_t *bad, int *oom);
/* 1 when s[0..n) is valid UTF-8 (the test utf8_sanitize applies). */
int utf8_valid(const char *s, size_t n);

#endif

/* inverter.h — the writer's in-memory segment: documents analysed into
 * per-term posting buffers (SPIMI), plus norms, dates and compressed stored
 * fields, until a flush writes it all as one segment. */
#ifndef MG_INDEX_INVERTER_H
#define MG_INDEX_INVERTER_H

#include "analysis/analyzer.h"
#include "index/keytab.h"
#include "index/segment.h"
#include "util/strmap.h"

#include <stdatomic.h>

/* Posting bytes live in a pool of 16 KiB chunks (Lucene's ByteBlockPool
 * idea): each term writes two byte streams (document entries, positions)
 * into chains of slices of growing size (8, 16, ... 4096 bytes), the last 4
 * bytes of a slice holding the pool address of the next one.  New terms
 * take their first slices at the pool's frontier, no per-term malloc. */
#define POOL_CHUNK_BITS 14
#define POOL_SLICE_LEVELS 10  /* slice sizes 8 << level, up to 4096 */

typedef struct pstream {
    uint32_t head;            /* pool address of the first slice */
    uint32_t upto;            /* next byte to write */
    uint32_t end;             /* the current slice's link field (its data end) */
} pstream;

typedef struct pool {
    uint8_t **chunk;
    uint32_t nchunks, cap;
    uint32_t used;            /* bytes used in the last chunk */
} pool;

typedef struct inv_term {
    pstream docs;             /* per doc: varint doc gap << 1 | (tft > 0), [varint tft], varint tfb */
    pstream pos;              /* position varints, as on disk */
    uint32_t last_doc1;       /* 1 + last doc appended to docs (0 = none) */
    uint32_t cur_doc1;        /* 1 + doc being accumulated */
    uint32_t last_pos;
    uint32_t tft, tfb;
    uint8_t dlevel, plevel;   /* slice levels of docs and pos */
    uint8_t seen;             /* 1: an exact occurrence seen, 2: an inexact one */
} inv_term;

typedef struct inverter {
    strmap *vocab;            /* term -> index in terms */
    keytab keys;              /* token key -> stem term, R term (UINT32_MAX: none) */
    inv_term *terms;
    size_t nterms, cap;
    uint32_t *touched;        /* terms of the current document */
    size_t ntouched, touched_cap;
    uint32_t ndocs;
    buf title_len, body_len;  /* u32 per doc */
    buf dates;                /* i64 per doc */
    stored_writer st;
    uint64_t title_tokens, body_tokens;
    pool pool;                /* the terms' posting streams */
    int oom;
} inverter;

int  inv_init(inverter *v);
void inv_free(inverter *v);
void inv_reset(inverter *v);
/* Memory held, for the RAM budget. */
size_t inv_bytes(const inverter *v);

/* Analyses and adds one article (strings valid UTF-8, id non-NULL).
 * Returns MG_OK or MG_ENOMEM. */
int inv_add(inverter *v, analyzer *an, const mg_article *a);
/* Writes everything as segment `id` in dir; the caller resets afterwards.
 * `stop` is polled; a nonzero value aborts with MG_EINTERRUPTED. */
int inv_flush(inverter *v, const char *dir, uint64_t id, const atomic_int *stop, errbuf *e);
/* inv_flush of nv (1 or 2) inverters as one segment: v[0]'s documents
 * first, then v[1]'s (numbered from v[0]->ndocs); a term's list is v[0]'s
 * postings then v[1]'s.  The inverters are left as they were (but for
 * their partial stored blocks closed), on failure and on success: a flush
 * can be tried again. */
int inv_flush_n(inverter *const *v, int nv, const char *dir, uint64_t id, const atomic_int *stop,
                errbuf *e);

#endif

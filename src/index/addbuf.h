/* addbuf.h — the writer's buffer of added documents, not yet in a segment.
 *
 * Two inverters share the adding (Lucene's per-thread writers): the
 * caller's thread inverts some runs of articles itself and copies the
 * others into batches for a worker thread with its own inverter and
 * analyzer (a ring of four batches: the caller waits only when the worker
 * is four runs behind).  The runs alternate every AB_RUN bytes of text, so which
 * inverter takes an article depends only on the articles added, not on
 * timing.  A flush waits for the worker and writes both inverters as one
 * segment, the caller's documents first.  The caller's inverter hands its
 * full stored blocks to a compressing thread, as with one inverter; the
 * worker compresses its own (the caller has the copying and bookkeeping on
 * top of its share, so the two come out about even).  With one processor,
 * or when the thread cannot start, the caller's inverter takes every
 * article.
 *
 * Ids and deletions of buffered documents are kept here, in the caller's
 * thread: replace-by-id finds a buffered article whichever inverter has it. */
#ifndef MG_INDEX_ADDBUF_H
#define MG_INDEX_ADDBUF_H

#include "index/inverter.h"

#define AB_RUN (64u * 1024)

typedef struct ab_worker ab_worker;

typedef struct addbuf {
    inverter *inv[2];         /* [0] the caller's, [1] the worker's */
    ab_worker *wk;            /* NULL: one inverter */
    int no_worker;            /* never start one (one processor, or it failed) */
    size_t run;               /* text bytes of a run (AB_RUN) */
    strmap *ids;              /* id -> buffered document (in add order) */
    buf loc;                  /* u32 per buffered document: inverter << 31 | its number there */
    buf deleted;              /* bitmap over buffered documents */
    uint32_t ndocs, ndeleted;
    uint32_t sent[2];         /* documents given to each inverter */
    int turn;                 /* the inverter taking the current run */
    size_t run_bytes;         /* text bytes of the current run so far */
    size_t wk_bytes, wk_terms; /* inverter 1's inv_bytes and terms when it last stopped */
    int oom;
} addbuf;

/* threads: 1 for one inverter, 2 for two, 0 for two where there are two
 * processors or more; run: bytes of text each inverter takes in turn (0:
 * AB_RUN). */
int  ab_init(addbuf *b, int threads, size_t run);
void ab_free(addbuf *b);
/* Analyses and adds one article (strings valid UTF-8, id non-NULL; copied
 * when the worker takes it) with the caller's analyzer an.  MG_OK or
 * MG_ENOMEM; a worker's failure is reported by ab_flush. */
int  ab_add(addbuf *b, analyzer *an, const mg_article *a);
/* Marks the buffered document with this id deleted; 1 if there was one. */
int  ab_delete_id(addbuf *b, const char *id);
/* Memory held (for the RAM budget), and what a flush would add to it. */
size_t ab_bytes(const addbuf *b);
size_t ab_flush_bytes(const addbuf *b);
/* Writes every buffered document as segment `id` in dir (see inv_flush);
 * the documents deleted while buffered are marked in *deleted (a bitmap
 * over the segment's documents, malloc'ed; NULL when none), their number
 * in *ndeleted.  The caller resets afterwards. */
int  ab_flush(addbuf *b, const char *dir, uint64_t id, const atomic_int *stop, uint8_t **deleted,
              uint32_t *ndeleted, errbuf *e);
/* Empties the buffer (after a flush, or to drop what it holds). */
void ab_reset(addbuf *b);
/* ab_reset, also giving back the inverters' memory (freed, made anew). */
int  ab_release(addbuf *b);

#endif

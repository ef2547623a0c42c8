/* addbuf.c — see addbuf.h. */
#include "index/addbuf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/cpus.h"

/* A batch of articles copied for the worker: their strings in text, and
 * per article 7 offsets into it (-1: NULL; id, url, title, body, source,
 * section, author) and its date. */
#define AB_FIELDS 7
typedef struct ab_rec {
    int64_t off[AB_FIELDS];
    int64_t date;
} ab_rec;

typedef struct ab_batch {
    buf text;
    buf recs;                 /* ab_rec */
    uint32_t n;
    size_t bytes;             /* title and body bytes */
    size_t inv_bytes;         /* the worker's inv_bytes and terms once it added them */
    size_t inv_terms;
    char pad[64];             /* apart from the batch the other thread works on */
} ab_batch;

/* The batches form a ring: the caller fills batch `tail`, the worker adds
 * batches from `head`; `queued` are handed over and not yet added.  The
 * caller waits only when every batch is queued, so the two threads'
 * uneven stretches (new words come in bursts) even out. */
#define AB_QUEUE 4

struct ab_worker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned head, tail, queued;
    int quit;
    analyzer *an;             /* the worker's own */
    inverter *inv;            /* the addbuf's inv[1] */
    char pad[64];
    ab_batch q[AB_QUEUE];
};

static void batch_init(ab_batch *t)
{
    buf_init(&t->text);
    buf_init(&t->recs);
    t->n = 0;
    t->bytes = 0;
}

static void batch_reset(ab_batch *t)
{
    buf_reset(&t->text);
    buf_reset(&t->recs);
    t->n = 0;
    t->bytes = 0;
}

static void batch_free(ab_batch *t)
{
    buf_free(&t->text);
    buf_free(&t->recs);
}

static size_t batch_cap(const ab_batch *t)
{
    return t->text.cap + t->recs.cap;
}

static void batch_copy(ab_batch *t, const mg_article *a, size_t bytes)
{
    const char *f[AB_FIELDS] = { a->id, a->url, a->title, a->body, a->source, a->section, a->author };
    ab_rec r;
    for (int i = 0; i < AB_FIELDS; i++) {
        r.off[i] = f[i] ? (int64_t)t->text.len : -1;
        if (f[i])
            buf_put(&t->text, f[i], strlen(f[i]) + 1);
    }
    r.date = a->date;
    buf_put(&t->recs, &r, sizeof r);
    t->n++;
    t->bytes += bytes;
}

/* Article i of batch t, its strings in the batch. */
static mg_article batch_article(const ab_batch *t, uint32_t i)
{
    ab_rec r;
    memcpy(&r, t->recs.p + (size_t)i * sizeof r, sizeof r);
    const char *f[AB_FIELDS];
    for (int k = 0; k < AB_FIELDS; k++)
        f[k] = r.off[k] < 0 ? NULL : (const char *)t->text.p + r.off[k];
    return (mg_article){ f[0], f[1], f[2], f[3], f[4], f[5], f[6], r.date };
}

static void *worker_main(void *arg)
{
    ab_worker *k = arg;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->queued && !k->quit)
            pthread_cond_wait(&k->cv, &k->mu);
        if (!k->queued)
            break;
        ab_batch *t = &k->q[k->head];
        pthread_mutex_unlock(&k->mu);
        if (t->text.oom || t->recs.oom)
            k->inv->oom = 1; /* a copy fell short: the flush reports it */
        for (uint32_t i = 0; i < t->n && !k->inv->oom; i++) {
            mg_article a = batch_article(t, i);
            if (inv_add(k->inv, k->an, &a) != MG_OK)
                k->inv->oom = 1;
        }
        t->inv_bytes = inv_bytes(k->inv);
        t->inv_terms = k->inv->nterms;
        pthread_mutex_lock(&k->mu);
        k->head = (k->head + 1) % AB_QUEUE;
        k->queued--;
        pthread_cond_broadcast(&k->cv);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

/* Waits until at most `most` batches are queued. */
static void worker_wait(ab_worker *k, unsigned most)
{
    pthread_mutex_lock(&k->mu);
    while (k->queued > most)
        pthread_cond_wait(&k->cv, &k->mu);
    pthread_mutex_unlock(&k->mu);
}

static void worker_stop(ab_worker *k)
{
    pthread_mutex_lock(&k->mu);
    k->quit = 1;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->th, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    analyzer_free(k->an);
    for (int i = 0; i < AB_QUEUE; i++)
        batch_free(&k->q[i]);
    free(k);
}

/* Starts the worker with an analyzer for an's language; NULL when it
 * cannot be. */
static ab_worker *worker_start(inverter *inv, const analyzer *an)
{
    ab_worker *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    for (int i = 0; i < AB_QUEUE; i++)
        batch_init(&k->q[i]);
    k->inv = inv;
    errbuf e = { 0 };
    k->an = analyzer_new(analyzer_language(an), &e);
    if (!k->an)
        goto fail;
    if (pthread_mutex_init(&k->mu, NULL) != 0)
        goto fail;
    if (pthread_cond_init(&k->cv, NULL) != 0) {
        pthread_mutex_destroy(&k->mu);
        goto fail;
    }
    if (pthread_create(&k->th, NULL, worker_main, k) != 0) {
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
        goto fail;
    }
    return k;
fail:
    analyzer_free(k->an);
    free(k);
    return NULL;
}

/* Hands the filled batch to the worker and moves on to the next one once
 * it is free.  What the worker's inverter holds is known as of the batch
 * that last used it (AB_QUEUE batches back): which articles go where, and
 * when the budget calls for a flush, do not depend on timing. */
static void ab_send(addbuf *b)
{
    ab_worker *k = b->wk;
    pthread_mutex_lock(&k->mu);
    k->queued++;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
    k->tail = (k->tail + 1) % AB_QUEUE;
    worker_wait(k, AB_QUEUE - 1);
    ab_batch *t = &k->q[k->tail];
    if (t->n) {
        b->wk_bytes = t->inv_bytes;
        b->wk_terms = t->inv_terms;
    }
    batch_reset(t);
}

/* Makes the worker add everything it holds and waits for it. */
static void ab_sync(addbuf *b)
{
    ab_worker *k = b->wk;
    if (!k)
        return;
    if (k->q[k->tail].n)
        ab_send(b);
    worker_wait(k, 0);
    b->wk_bytes = inv_bytes(b->inv[1]);
    b->wk_terms = b->inv[1]->nterms;
}

/* An inverter in cache lines of its own: the two are written by two
 * threads. */
static inverter *inv_new(void)
{
    inverter *v = aligned_alloc(64, (sizeof *v + 63) / 64 * 64);
    if (v && inv_init(v) != MG_OK) {
        free(v);
        v = NULL;
    }
    return v;
}

static void inv_delete(inverter *v)
{
    if (v) {
        inv_free(v);
        free(v);
    }
}

int ab_init(addbuf *b, int threads, size_t run)
{
    memset(b, 0, sizeof *b);
    buf_init(&b->loc);
    buf_init(&b->deleted);
    b->ids = strmap_new();
    b->inv[0] = inv_new();
    b->inv[1] = inv_new();
    b->no_worker = threads == 1 || (threads == 0 && cpus_usable() < 2);
    b->run = run ? run : AB_RUN;
    if (!b->ids || !b->inv[0] || !b->inv[1]) {
        ab_free(b);
        return MG_ENOMEM;
    }
    b->inv[1]->st.inline_only = 1;
    return MG_OK;
}

void ab_free(addbuf *b)
{
    if (b->wk)
        worker_stop(b->wk);
    inv_delete(b->inv[0]);
    inv_delete(b->inv[1]);
    strmap_free(b->ids);
    buf_free(&b->loc);
    buf_free(&b->deleted);
    memset(b, 0, sizeof *b);
}

int ab_add(addbuf *b, analyzer *an, const mg_article *a)
{
    size_t bytes = (a->title ? strlen(a->title) : 0) + (a->body ? strlen(a->body) : 0) + 1;
    if (b->turn == 1 && !b->wk && !b->no_worker) {
        b->wk = worker_start(b->inv[1], an);
        if (!b->wk)
            b->no_worker = 1;
    }
    if (!b->wk)
        b->turn = 0;
    int which = b->turn;
    /* room first, so that an id is never entered for a place its deletion
     * bit or location lack */
    if (buf_reserve(&b->loc, 4) != 0 || buf_reserve(&b->deleted, 1) != 0)
        return MG_ENOMEM;
    uint32_t *slot = strmap_upsert(b->ids, a->id, strlen(a->id), b->ndocs, NULL);
    if (!slot)
        return MG_ENOMEM;
    *slot = b->ndocs;
    buf_put_le32(&b->loc, (uint32_t)which << 31 | b->sent[which]);
    if (b->ndocs % 8 == 0)
        buf_put_u8(&b->deleted, 0);
    b->ndocs++;
    b->sent[which]++;
    int rc = MG_OK;
    if (which == 0) {
        rc = inv_add(b->inv[0], an, a);
    } else {
        ab_batch *t = &b->wk->q[b->wk->tail];
        batch_copy(t, a, bytes);
        if (t->text.oom || t->recs.oom)
            rc = MG_ENOMEM;
    }
    b->run_bytes += bytes;
    if (b->run_bytes >= b->run && !b->no_worker) {
        if (which == 1)
            ab_send(b);
        b->turn ^= 1;
        b->run_bytes = 0;
    }
    return rc;
}

int ab_delete_id(addbuf *b, const char *id)
{
    uint32_t d;
    if (!strmap_get(b->ids, id, strlen(id), &d) || bit_get(b->deleted.p, d))
        return 0;
    bit_set(b->deleted.p, d);
    b->ndeleted++;
    return 1;
}

size_t ab_bytes(const addbuf *b)
{
    size_t n = inv_bytes(b->inv[0]) + strmap_bytes(b->ids) + b->loc.cap + b->deleted.cap;
    if (b->wk) /* the worker's inverter as of the batch that last used the
                  one being filled, plus twice the text of the batches filled since */
        for (int i = 0; i < AB_QUEUE; i++)
            n += batch_cap(&b->wk->q[i]) + 2 * b->wk->q[i].bytes;
    return n + b->wk_bytes;
}

size_t ab_flush_bytes(const addbuf *b)
{
    /* the sorted term lists and the new dictionary; norms, dates and ids
     * (the worker's stored blocks are written from where they are) */
    return (b->inv[0]->nterms + b->wk_terms) * 40 + (size_t)b->ndocs * 32;
}

int ab_flush(addbuf *b, const char *dir, uint64_t id, const atomic_int *stop, uint8_t **deleted,
             uint32_t *ndeleted, errbuf *e)
{
    *deleted = NULL;
    *ndeleted = 0;
    ab_sync(b);
    if (b->oom || b->inv[0]->oom || b->inv[1]->oom)
        return err_set(e, MG_ENOMEM, "out of memory indexing");
    int rc = inv_flush_n(b->inv, b->sent[1] ? 2 : 1, dir, id, stop, e);
    if (rc != MG_OK || !b->ndeleted)
        return rc;
    uint8_t *bits = calloc(1, (b->ndocs + 7) / 8);
    if (!bits)
        return err_set(e, MG_ENOMEM, "out of memory flushing");
    for (uint32_t d = 0; d < b->ndocs; d++) {
        if (!bit_get(b->deleted.p, d))
            continue;
        uint32_t l = le32(b->loc.p + 4ull * d);
        bit_set(bits, (l >> 31 ? b->sent[0] : 0) + (l & 0x7fffffffu));
    }
    *deleted = bits;
    *ndeleted = b->ndeleted;
    return MG_OK;
}

static void ab_clear(addbuf *b)
{
    strmap_clear(b->ids);
    buf_reset(&b->loc);
    buf_reset(&b->deleted);
    b->loc.oom = b->deleted.oom = 0; /* emptied: an earlier failure is forgotten */
    b->ndocs = b->ndeleted = 0;
    b->sent[0] = b->sent[1] = 0;
    b->turn = 0;
    b->run_bytes = 0;
    b->wk_bytes = b->wk_terms = 0;
    b->oom = 0;
    if (b->wk) /* idle: forget what its last batches left (the inverter is
                  new), and give their memory back (counted in ab_bytes) */
        for (int i = 0; i < AB_QUEUE; i++) {
            batch_free(&b->wk->q[i]);
            batch_init(&b->wk->q[i]);
        }
}

void ab_reset(addbuf *b)
{
    ab_sync(b);
    inv_reset(b->inv[0]);
    inv_reset(b->inv[1]);
    ab_clear(b);
}

int ab_release(addbuf *b)
{
    ab_sync(b);
    for (int k = 0; k < 2; k++) {
        inverter fresh;
        if (inv_init(&fresh) != MG_OK)
            return MG_ENOMEM;
        fresh.st.inline_only = b->inv[k]->st.inline_only;
        inv_free(b->inv[k]);
        *b->inv[k] = fresh;
    }
    strmap *ids = strmap_new();
    if (ids) {
        strmap_free(b->ids);
        b->ids = ids;
    }
    buf_free(&b->loc);
    buf_free(&b->deleted);
    ab_clear(b);
    return ids ? MG_OK : MG_ENOMEM;
}

/* stored.c — stored fields: every article field kept for display, in
 * blocks of about 64 KiB compressed as raw DEFLATE (RFC 1951) by ISA-L's
 * igzip (level 2; libdeflate level 1 if igzip fails) and decompressed by
 * libdeflate, so reading one article decompresses one block.
 *
 * A document record (inside an uncompressed block):
 *   u8 present          bit 0 id (never set since format 5: the id is in
 *                       IDS only), 1 url, 2 title, 3 body, 4 source,
 *                       5 section, 6 author, 7 date
 *   for each present string field, in that order: varint len, len bytes
 *   if bit 7: i64 date (8 bytes, little-endian)
 * STORED section: the compressed blocks, back to back.
 * STOREIDX section: per block, 24 bytes:
 *   u32 first_doc, u32 ndocs, u64 offset in STORED, u32 comp_len, u32 raw_len
 * A block is closed when its raw size reaches 64 KiB, so an article larger
 * than that gets a block of its own.
 * IDS section (uncompressed, so a hit's id costs no decompression):
 *   u32 end[ndocs]   end of doc d's id in the bytes below (start: end[d-1],
 *                    or 0 for doc 0); ascending
 *   the ids' bytes, back to back (no terminators)
 *   u32 order[ndocs] the docids sorted by id (bytewise, shorter first on a
 *                    common prefix; equal ids by docid): replace and delete
 *                    find an id by binary search (since format 9; before,
 *                    through a Q+id term in the dictionary)
 */
#include "index/segment.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ISA-L level 2: on Reuters's stored blocks, 45% less compression CPU than
 * libdeflate level 1 for +3.3% stored bytes (src/index/README.md, "isal
 * round"); level 1 would save 3 points more CPU but take the whole Reuters
 * index past 16 MB. */
#define STORED_LEVEL 2
#define STORED_LEVEL_BUF ISAL_DEF_LVL2_DEFAULT
/* libdeflate's level for the fallback (never taken in practice: igzip
 * fails only on a bad level, level buffer or output bound). */
#define STORED_FALLBACK_LEVEL 1

/* A writer's compressor, used by one thread at a time (the compressing
 * thread, or the adding thread when there is none): igzip's stream state
 * (~80 KiB) and level buffer (~320 KiB), allocated once per writer, and the
 * libdeflate fallback, allocated on first use. */
typedef struct stw_codec {
    struct isal_zstream zs;
    uint8_t *level_buf;
    struct libdeflate_compressor *fallback;
} stw_codec;

/* The compressing thread: one block in flight.  The adding thread hands it
 * a full raw block (swapping buffers) and, before handing the next one or
 * on stw_flush, waits for it and appends its output to comp and idx, so
 * comp, idx and the counters are only ever touched by the adding thread. */
typedef struct stw_bg {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job;                  /* 1 while a block waits or is compressed */
    int busy;                 /* the adder handed a block not yet collected */
    int quit;
    buf raw;                  /* the block handed over */
    uint32_t docs;            /* its documents */
    buf out;                  /* its compressed bytes */
    size_t n;                 /* their length, 0 on failure */
    size_t held;              /* raw.cap + out.cap as of the last collect */
} stw_bg;

/* libdeflate's output for raw into out; 0 on failure. */
static size_t stw_compress_fallback(stw_codec *c, const buf *raw, buf *out)
{
    if (!c->fallback && !(c->fallback = libdeflate_alloc_compressor(STORED_FALLBACK_LEVEL)))
        return 0;
    size_t bound = libdeflate_deflate_compress_bound(c->fallback, raw->len);
    buf_reset(out);
    if (buf_reserve(out, bound) != 0)
        return 0;
    return libdeflate_deflate_compress(c->fallback, raw->p, raw->len, out->p, bound);
}

/* Compresses raw into out (replacing its contents); the length, 0 on
 * failure.  The bound is igzip's worst case: the input as stored blocks of
 * at most 65535 bytes, 5 bytes of header each, plus slack. */
static size_t stw_compress(void *compressor, const buf *raw, buf *out)
{
    stw_codec *c = compressor;
    if (raw->len > UINT32_MAX / 2)
        return stw_compress_fallback(c, raw, out);
    size_t bound = raw->len + 5 * (raw->len / 65535 + 1) + 64;
    buf_reset(out);
    if (buf_reserve(out, bound) != 0)
        return 0;
    struct isal_zstream *zs = &c->zs;
    isal_deflate_stateless_init(zs);
    zs->level = STORED_LEVEL;
    zs->level_buf = c->level_buf;
    zs->level_buf_size = STORED_LEVEL_BUF;
    zs->gzip_flag = IGZIP_DEFLATE;
    zs->flush = NO_FLUSH;
    zs->end_of_stream = 1;
    zs->next_in = raw->p;
    zs->avail_in = (uint32_t)raw->len;
    zs->next_out = out->p;
    zs->avail_out = (uint32_t)bound;
    if (isal_deflate_stateless(zs) != COMP_OK || zs->avail_in != 0)
        return stw_compress_fallback(c, raw, out);
    return zs->total_out;
}

/* Appends one compressed block and its index entry. */
static void stw_record(stored_writer *w, const uint8_t *p, size_t n, uint32_t first, uint32_t docs,
                       size_t raw_len)
{
    if (n == 0) {
        w->oom = 1;
        return;
    }
    buf_put(&w->comp, p, n);
    uint8_t e[STOREIDX_ENTRY];
    st_le32(e, first);
    st_le32(e + 4, docs);
    st_le64(e + 8, w->comp_total);
    st_le32(e + 16, (uint32_t)n);
    st_le32(e + 20, (uint32_t)raw_len);
    buf_put(&w->idx, e, sizeof e);
    w->comp_total += n;
    w->nblocks++;
    if (w->idx.oom || w->comp.oom)
        w->oom = 1;
}

static void *stw_thread(void *arg)
{
    stored_writer *w = arg;
    stw_bg *g = w->bg;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (!g->job && !g->quit)
            pthread_cond_wait(&g->cv, &g->mu);
        if (!g->job)
            break;
        pthread_mutex_unlock(&g->mu);
        size_t n = stw_compress(w->compressor, &g->raw, &g->out);
        pthread_mutex_lock(&g->mu);
        g->n = n;
        g->job = 0;
        pthread_cond_broadcast(&g->cv);
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Starts the compressing thread; without one, blocks are compressed in
 * the adding thread. */
static void stw_bg_start(stored_writer *w)
{
    stw_bg *g = calloc(1, sizeof *g);
    if (!g)
        return;
    buf_init(&g->raw);
    buf_init(&g->out);
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        free(g);
        return;
    }
    if (pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        free(g);
        return;
    }
    w->bg = g;
    if (pthread_create(&g->th, NULL, stw_thread, w) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        w->bg = NULL;
    }
}

/* Collects the block in flight, if any. */
static void stw_collect(stored_writer *w)
{
    stw_bg *g = w->bg;
    if (!g || !g->busy)
        return;
    pthread_mutex_lock(&g->mu);
    while (g->job)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
    g->busy = 0;
    g->held = g->raw.cap + g->out.cap;
    stw_record(w, g->out.p, g->out.oom ? 0 : g->n, w->ndocs - w->raw_docs - g->docs, g->docs,
               g->raw.len);
}

static void stw_bg_stop(stored_writer *w)
{
    stw_bg *g = w->bg;
    if (!g)
        return;
    pthread_mutex_lock(&g->mu);
    g->quit = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->th, NULL);
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    buf_free(&g->raw);
    buf_free(&g->out);
    free(g);
    w->bg = NULL;
}

int stw_init(stored_writer *w)
{
    memset(w, 0, sizeof *w);
    buf_init(&w->raw);
    buf_init(&w->comp);
    buf_init(&w->idx);
    buf_init(&w->ids_off);
    buf_init(&w->ids);
    stw_codec *c = calloc(1, sizeof *c);
    if (!c || !(c->level_buf = malloc(STORED_LEVEL_BUF))) {
        free(c);
        return -1;
    }
    w->compressor = c;
    return 0;
}

void stw_free(stored_writer *w)
{
    if (!w)
        return;
    stw_bg_stop(w);
    buf_free(&w->raw);
    buf_free(&w->comp);
    buf_free(&w->idx);
    buf_free(&w->ids_off);
    buf_free(&w->ids);
    stw_codec *c = w->compressor;
    if (c) {
        if (c->fallback)
            libdeflate_free_compressor(c->fallback);
        free(c->level_buf);
        free(c);
    }
    w->compressor = NULL;
}

size_t stw_bytes(const stored_writer *w)
{
    size_t bg = w->bg ? w->bg->held + STORED_BLOCK_RAW : 0; /* no peeking while it works */
    return w->raw.cap + w->comp.cap + w->idx.cap + w->ids_off.cap + w->ids.cap + bg;
}

typedef struct id_ref {
    const uint8_t *p;
    uint32_t len, doc;
} id_ref;

static int id_ref_cmp(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* A document's sort key: the 8 id bytes after the prefix all ids share,
 * big-endian, zeros past the id's end.  Ids with different keys are in
 * key order (an id that is a prefix of another has zeros where the other
 * has bytes); equal keys are ordered by id_ref_cmp. */
typedef struct id_key {
    uint64_t key;
    uint32_t doc;
} id_key;

static uint64_t id_key_of(const id_ref *r, size_t skip)
{
    uint8_t b[8] = { 0 };
    if (r->len > skip)
        memcpy(b, r->p + skip, r->len - skip < 8 ? r->len - skip : 8);
    uint64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = k << 8 | b[i];
    return k;
}

/* Sorts k[0..n) by key, stably (ties keep their order), a byte at a time
 * from the lowest, skipping the bytes every key shares; tmp has room for n.
 * Returns the array that holds the result. */
static id_key *id_radix(id_key *k, id_key *tmp, size_t n)
{
    for (unsigned sh = 0; sh < 64; sh += 8) {
        size_t cnt[256] = { 0 };
        for (size_t i = 0; i < n; i++)
            cnt[k[i].key >> sh & 255]++;
        if (cnt[k[0].key >> sh & 255] == n)
            continue;
        for (size_t c = 0, at = 0; c < 256; c++) {
            size_t m = cnt[c];
            cnt[c] = at;
            at += m;
        }
        for (size_t i = 0; i < n; i++)
            tmp[cnt[k[i].key >> sh & 255]++] = k[i];
        id_key *t = k;
        k = tmp;
        tmp = t;
    }
    return k;
}

/* The documents in id order (id_ref_cmp's): by key, then each run of equal
 * keys by the whole ids.  0, or -1 without memory. */
static int id_order(const id_ref *r, uint32_t n, uint32_t *order)
{
    if (n == 0)
        return 0;
    size_t skip = r[0].len; /* the prefix every id shares */
    for (uint32_t d = 1; d < n && skip; d++) {
        size_t m = r[d].len < skip ? r[d].len : skip, j = 0;
        if (m == skip && memcmp(r[d].p, r[0].p, m) == 0)
            continue;
        while (j < m && r[d].p[j] == r[0].p[j])
            j++;
        skip = j;
    }
    id_key *k = malloc(((size_t)n + 1) * 2 * sizeof *k);
    if (!k)
        return -1;
    for (uint32_t d = 0; d < n; d++)
        k[d] = (id_key){ id_key_of(&r[d], skip), d };
    id_key *s = id_radix(k, k + n, n);
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && s[j].key == s[i].key)
            j++;
        if (j - i > 1) { /* ids equal in their first skip + 8 bytes */
            id_ref *run = malloc((j - i) * sizeof *run);
            if (!run) {
                free(k);
                return -1;
            }
            for (uint32_t t = i; t < j; t++)
                run[t - i] = r[s[t].doc];
            qsort(run, j - i, sizeof *run, id_ref_cmp);
            for (uint32_t t = i; t < j; t++)
                s[t].doc = run[t - i].doc;
            free(run);
        }
        for (; i < j; i++)
            order[i] = s[i].doc;
    }
    free(k);
    return 0;
}

void stw_ids_section(const stored_writer *w, buf *out)
{
    buf_put(out, w->ids_off.p, w->ids_off.len);
    buf_put(out, w->ids.p, w->ids.len);
    id_ref *r = malloc(((size_t)w->ndocs + 1) * sizeof *r);
    uint32_t *order = malloc(((size_t)w->ndocs + 1) * sizeof *order);
    if (!r || !order || buf_reserve(out, 4ull * w->ndocs) != 0) {
        free(r);
        free(order);
        out->oom = 1;
        return;
    }
    for (uint32_t d = 0, start = 0; d < w->ndocs; d++) {
        uint32_t end = le32(w->ids_off.p + 4ull * d);
        r[d] = (id_ref){ w->ids.p + start, end - start, d };
        start = end;
    }
    if (id_order(r, w->ndocs, order) != 0) {
        out->oom = 1;
    } else {
        for (uint32_t i = 0; i < w->ndocs; i++)
            st_le32(out->p + out->len + 4ull * i, order[i]);
        out->len += 4ull * w->ndocs;
    }
    free(r);
    free(order);
}

/* Closes the current block: hands it to the compressing thread (after
 * collecting the previous one), or compresses it here. */
static void stw_close_block(stored_writer *w)
{
    if (w->raw_docs == 0)
        return;
    if (!w->bg && !w->oom && !w->inline_only)
        stw_bg_start(w);
    stw_collect(w);
    stw_bg *g = w->bg;
    if (!g) {
        buf tmp;
        buf_init(&tmp);
        size_t n = stw_compress(w->compressor, &w->raw, &tmp);
        stw_record(w, tmp.p, tmp.oom ? 0 : n, w->ndocs - w->raw_docs, w->raw_docs, w->raw.len);
        buf_free(&tmp);
    } else {
        buf t = g->raw; /* swap: the thread gets the block, we reuse its old buffer */
        g->raw = w->raw;
        w->raw = t;
        g->docs = w->raw_docs;
        g->busy = 1;
        pthread_mutex_lock(&g->mu);
        g->job = 1;
        pthread_cond_broadcast(&g->cv);
        pthread_mutex_unlock(&g->mu);
    }
    buf_reset(&w->raw);
    w->raw_docs = 0;
}

void stw_flush(stored_writer *w)
{
    stw_close_block(w);
    stw_collect(w);
}

void stw_append(stored_writer *dst, const stored_writer *src, stw_mark *m)
{
    *m = (stw_mark){ dst->idx.len, dst->ids.len, dst->ids_off.len, dst->comp_total, dst->ndocs,
                     dst->nblocks, dst->oom };
    if (src->comp_total != src->comp.len || dst->comp_total != dst->comp.len) {
        dst->oom = 1; /* cannot happen: an inverter's writers are never drained */
        return;
    }
    const uint8_t *e = src->idx.p;
    for (uint32_t b = 0; b < src->nblocks; b++, e += STOREIDX_ENTRY) {
        uint8_t x[STOREIDX_ENTRY];
        memcpy(x, e, sizeof x);
        st_le32(x, dst->ndocs + le32(e));
        st_le64(x + 8, dst->comp_total + le64(e + 8));
        buf_put(&dst->idx, x, sizeof x);
    }
    dst->nblocks += src->nblocks;
    dst->comp_total += src->comp_total;
    size_t base = dst->ids.len;
    buf_put(&dst->ids, src->ids.p, src->ids.len);
    for (uint32_t d = 0; d < src->ndocs; d++)
        buf_put_le32(&dst->ids_off, (uint32_t)(base + le32(src->ids_off.p + 4ull * d)));
    dst->ndocs += src->ndocs;
    if (src->oom || dst->idx.oom || dst->ids.oom || dst->ids_off.oom)
        dst->oom = 1;
}

void stw_unappend(stored_writer *dst, const stw_mark *m)
{
    dst->idx.len = m->idx;
    dst->ids.len = m->ids;
    dst->ids_off.len = m->ids_off;
    dst->comp_total = m->comp_total;
    dst->ndocs = m->ndocs;
    dst->nblocks = m->nblocks;
    dst->oom = m->oom;
}

void stw_add(stored_writer *w, const mg_article *a)
{
    const char *f[7] = { NULL, a->url, a->title, a->body, a->source, a->section, a->author };
    uint8_t present = a->date != MG_NO_DATE ? 0x80 : 0;
    for (int i = 0; i < 7; i++)
        if (f[i])
            present |= (uint8_t)(1u << i);
    buf_put_u8(&w->raw, present);
    for (int i = 0; i < 7; i++)
        if (f[i])
            buf_put_str(&w->raw, f[i]);
    if (a->date != MG_NO_DATE)
        buf_put_le64(&w->raw, (uint64_t)a->date);
    if (a->id)
        buf_put(&w->ids, a->id, strlen(a->id));
    buf_put_le32(&w->ids_off, (uint32_t)w->ids.len);
    if (w->raw.oom || w->ids.oom || w->ids_off.oom)
        w->oom = 1;
    w->ndocs++;
    w->raw_docs++;
    if (w->raw.len >= STORED_BLOCK_RAW)
        stw_close_block(w);
}

/* ---------------------------------------------------------------- reader */

/* Decodes the record at r of document doc of seg into a freshly allocated
 * mg_doc (the id from the IDS section). */
static int stored_decode(rd *r, const ix_segment *seg, uint32_t doc, mg_doc **out)
{
    uint8_t present = rd_u8(r);
    const char *s[7] = { 0 };
    size_t len[7] = { 0 }, total = 0;
    if (present & 1) /* ids are only in IDS */
        return -1;
    s[0] = ix_seg_doc_id(seg, doc, &len[0]);
    present |= s[0] ? 1 : 0;
    total += s[0] ? len[0] + 1 : 0;
    for (int i = 1; i < 7; i++) {
        if (present & (1u << i)) {
            s[i] = rd_str(r, &len[i]);
            if (!s[i] && len[i] == 0 && r->bad)
                return -1;
            total += len[i] + 1;
        }
    }
    int64_t date = MG_NO_DATE;
    if (present & 0x80)
        date = (int64_t)rd_le64(r);
    if (r->bad)
        return -1;
    mg_doc *d = calloc(1, sizeof *d + total);
    if (!d)
        return -2;
    char *p = (char *)(d + 1);
    const char **dst[7] = { &d->a.id, &d->a.url, &d->a.title, &d->a.body,
                            &d->a.source, &d->a.section, &d->a.author };
    for (int i = 0; i < 7; i++) {
        if (!(present & (1u << i)))
            continue;
        if (len[i])
            memcpy(p, s[i], len[i]);
        p[len[i]] = '\0';
        *dst[i] = p;
        p += len[i] + 1;
    }
    d->a.date = date;
    *out = d;
    return 0;
}

/* Skips one record. */
static void stored_skip(rd *r)
{
    uint8_t present = rd_u8(r);
    size_t n;
    for (int i = 0; i < 7; i++)
        if (present & (1u << i))
            rd_str(r, &n);
    if (present & 0x80)
        rd_le64(r);
}

/* Decompresses stored block b into *raw (malloc'd, *rlen bytes); the
 * block holds documents first .. first + nd - 1. */
static int stored_block(const ix_segment *s, uint32_t b, uint8_t **raw, uint32_t *rlen,
                        uint32_t *first, uint32_t *nd, errbuf *e)
{
    *raw = NULL;
    const sect *ix = &s->sec[SEC_STOREIDX], *st = &s->sec[SEC_STORED];
    if (b >= s->nstored_blocks)
        return err_set(e, MG_ECORRUPT, "%s: stored block %u is missing", s->name, b);
    const uint8_t *ent = ix->p + (size_t)b * STOREIDX_ENTRY;
    uint32_t clen = le32(ent + 16);
    uint64_t off = le64(ent + 8);
    *first = le32(ent);
    *nd = le32(ent + 4);
    *rlen = le32(ent + 20);
    if (off > st->len || clen > st->len - off || *rlen > (1u << 30) || *nd == 0)
        return err_set(e, MG_ECORRUPT, "%s: stored index entry %u (offset %llu) is inconsistent",
                       s->name, b, (unsigned long long)(ix->off + (uint64_t)b * STOREIDX_ENTRY));
    uint8_t *p = malloc((size_t)*rlen + 16);
    struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
    if (!p || !dc) {
        free(p);
        if (dc)
            libdeflate_free_decompressor(dc);
        return err_set(e, MG_ENOMEM, "out of memory reading a stored block");
    }
    size_t got = 0;
    enum libdeflate_result res = libdeflate_deflate_decompress(dc, st->p + off, clen, p, *rlen, &got);
    libdeflate_free_decompressor(dc);
    if (res != LIBDEFLATE_SUCCESS || got != *rlen) {
        free(p);
        return err_set(e, MG_ECORRUPT, "%s: stored block at offset %llu does not decompress",
                       s->name, (unsigned long long)(st->off + off));
    }
    *raw = p;
    return MG_OK;
}

static int stored_bad_record(const ix_segment *s, uint32_t doc, int rc, errbuf *e)
{
    if (rc == -2)
        return err_set(e, MG_ENOMEM, "out of memory reading a document");
    return err_set(e, MG_ECORRUPT, "%s: stored record of document %u is malformed (stored section at offset %llu)",
                   s->name, doc, (unsigned long long)s->sec[SEC_STORED].off);
}

int ix_seg_doc(const ix_segment *s, uint32_t doc, mg_doc **out, errbuf *e)
{
    *out = NULL;
    if (doc >= s->ndocs)
        return err_set(e, MG_ENOTFOUND, "%s: no document %u", s->name, doc);
    const sect *ix = &s->sec[SEC_STOREIDX];
    uint32_t lo = 0, hi = s->nstored_blocks;
    while (hi - lo > 1) { /* last block with first_doc <= doc */
        uint32_t mid = lo + (hi - lo) / 2;
        if (le32(ix->p + (size_t)mid * STOREIDX_ENTRY) <= doc)
            lo = mid;
        else
            hi = mid;
    }
    uint8_t *raw;
    uint32_t rlen, first, nd;
    int rc = stored_block(s, lo, &raw, &rlen, &first, &nd, e);
    if (rc != MG_OK)
        return rc;
    if (doc < first || doc - first >= nd) {
        free(raw);
        return err_set(e, MG_ECORRUPT, "%s: stored index entry %u does not hold document %u", s->name,
                       lo, doc);
    }
    rd r = rd_make(raw, rlen);
    for (uint32_t i = first; i < doc && !r.bad; i++)
        stored_skip(&r);
    rc = r.bad ? -1 : stored_decode(&r, s, doc, out);
    free(raw);
    return rc ? stored_bad_record(s, doc, rc, e) : MG_OK;
}

void stc_init(stored_cursor *c, const ix_segment *s)
{
    memset(c, 0, sizeof *c);
    c->s = s;
}

void stc_free(stored_cursor *c)
{
    free(c->raw);
    c->raw = NULL;
}

int stc_next(stored_cursor *c, mg_doc **out, errbuf *e)
{
    *out = NULL;
    if (c->doc >= c->s->ndocs)
        return err_set(e, MG_ENOTFOUND, "%s: no document %u", c->s->name, c->doc);
    if (!c->raw || c->doc - c->first >= c->nd) {
        uint32_t b = c->raw ? c->block + 1 : 0;
        stc_free(c);
        uint32_t rlen;
        int rc = stored_block(c->s, b, &c->raw, &rlen, &c->first, &c->nd, e);
        if (rc != MG_OK)
            return rc;
        if (c->first != c->doc) {
            stc_free(c);
            return err_set(e, MG_ECORRUPT, "%s: stored block %u starts at document %u, not %u",
                           c->s->name, b, c->first, c->doc);
        }
        c->block = b;
        c->r = rd_make(c->raw, rlen);
    }
    int rc = stored_decode(&c->r, c->s, c->doc, out);
    if (rc)
        return stored_bad_record(c->s, c->doc, rc, e);
    c->doc++;
    return MG_OK;
}

uint32_t seg_find_id(const ix_segment *s, const char *id, size_t len, uint32_t *from)
{
    const sect *x = &s->sec[SEC_IDS];
    const uint8_t *order = x->p + x->len - 4ull * s->ndocs;
    uint32_t lo = 0, hi = s->ndocs;
    while (lo < hi) { /* the first entry whose id is >= id */
        uint32_t mid = lo + (hi - lo) / 2;
        size_t l;
        const char *p = ix_seg_doc_id(s, le32(order + 4ull * mid), &l);
        int c = p ? memcmp(p, id, l < len ? l : len) : -1;
        if (c < 0 || (c == 0 && l < len))
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t n = 0;
    for (uint32_t k = lo; k < s->ndocs; k++, n++) {
        size_t l;
        const char *p = ix_seg_doc_id(s, le32(order + 4ull * k), &l);
        if (!p || l != len || memcmp(p, id, len) != 0)
            break;
    }
    *from = lo;
    return n;
}

uint32_t seg_id_order(const ix_segment *s, uint32_t k)
{
    const sect *x = &s->sec[SEC_IDS];
    return le32(x->p + x->len - 4ull * s->ndocs + 4ull * k);
}

const char *ix_seg_doc_id(const ix_segment *s, uint32_t doc, size_t *len)
{
    const sect *x = &s->sec[SEC_IDS];
    if (doc >= s->ndocs) {
        *len = 0;
        return NULL;
    }
    uint32_t start = doc ? le32(x->p + 4ull * (doc - 1)) : 0;
    *len = le32(x->p + 4ull * doc) - start; /* checked ascending on open */
    return (const char *)x->p + 4ull * s->ndocs + start;
}

void ix_seg_doc_id_prefetch(const ix_segment *s, uint32_t doc)
{
    const sect *x = &s->sec[SEC_IDS];
    if (doc >= s->ndocs)
        return;
    __builtin_prefetch(x->p + 4ull * doc);
    if (doc)
        __builtin_prefetch(x->p + 4ull * (doc - 1));
}

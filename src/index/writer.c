/* writer.c — ix_writer: the one writer of an index directory (it holds
 * dir/LOCK).  Adds go to the in-memory inverter; a full RAM budget or a
 * commit flushes it as a new segment; deletions (and replacements, which
 * are delete + add) mark bits in the segments' deletion bitmaps.  A commit
 * writes the changed bitmaps as new deletes files and then the next
 * MANIFEST, whose atomic appearance is the commit; files no longer named
 * by it are then removed.  Merges run after a commit and are committed by
 * one more manifest.  See README.md for the crash-safety argument, and
 * its "Indexing memory" section for how the RAM budget bounds the
 * buffer, the merges and the mapped pages of the segments. */
#include "index/addbuf.h"
#include "index/merge.h"
#include "index/reader_internal.h"

#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_RAM (256u * 1024 * 1024)

typedef struct wseg {
    ix_segment *seg;          /* seg->deleted is the writer's current bitmap */
    uint64_t del_gen;         /* committed deletes generation, 0 = none */
    int dirty;                /* bitmap changed since the last commit */
    int committed;            /* named by the last manifest */
    int unsynced;             /* flushed without fsync: the commit does it */
} wseg;

struct ix_writer {
    char dir[4096];
    int lock_fd;
    analyzer *an;
    size_t ram_budget;
    int no_merge;
    atomic_int stop;          /* set by ix_writer_interrupt (lock-free: signal-safe) */
    manifest man;             /* the last commit (segment list unused) */
    wseg *segs;
    uint32_t nseg, cap;
    addbuf buf;               /* added documents not yet in a segment */
    uint64_t bad_utf8;
    uint64_t adds, deletes;   /* pending since the last commit */
    ix_reader *snap;          /* a reader of the last commit, made on demand */
    uint64_t probes;          /* segment id lookups since their pages were dropped */
};

static int writer_stopped(ix_writer *w, errbuf *e)
{
    if (!w->stop)
        return 0;
    w->stop = 0;
    return err_set(e, MG_EINTERRUPTED, "%s: interrupted", w->dir);
}

/* --------------------------------------------------------- segment list */

static int wseg_push(ix_writer *w, ix_segment *s, uint64_t del_gen, int committed)
{
    if (w->nseg == w->cap) {
        uint32_t cap = w->cap ? w->cap * 2 : 16;
        wseg *n = realloc(w->segs, cap * sizeof *n);
        if (!n)
            return -1;
        w->segs = n;
        w->cap = cap;
    }
    w->segs[w->nseg++] = (wseg){ s, del_gen, 0, committed, 0 };
    return 0;
}

/* Removes every file of dir that the current state does not name: old
 * manifests, segments merged away or never committed by a crashed writer,
 * old deletes generations, temporary files. */
static void writer_gc(ix_writer *w)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *s = de->d_name;
        size_t n = strlen(s);
        int drop = 0;
        if (n > 4 && strcmp(s + n - 4, ".tmp") == 0) {
            drop = 1;
        } else if (strncmp(s, "MANIFEST-", 9) == 0) {
            drop = strtoull(s + 9, NULL, 16) != w->man.gen;
        } else if (strncmp(s, "seg-", 4) == 0 && n == 4 + 16 + 4) {
            uint64_t id = strtoull(s + 4, NULL, 16);
            drop = 1;
            for (uint32_t i = 0; i < w->nseg && drop; i++)
                drop = w->segs[i].seg->id != id;
        } else if (strncmp(s, "del-", 4) == 0 && n == 4 + 16 + 1 + 16 + 4) {
            uint64_t id = strtoull(s + 4, NULL, 16), gen = strtoull(s + 21, NULL, 16);
            drop = 1;
            for (uint32_t i = 0; i < w->nseg && drop; i++)
                drop = !(w->segs[i].seg->id == id && w->segs[i].del_gen == gen);
        }
        if (drop) {
            char path[4400];
            unlink(path_join(path, sizeof path, w->dir, s));
        }
    }
    closedir(d);
}

/* Writes the changed bitmaps and the next manifest: the commit point. */
static int writer_publish(ix_writer *w, errbuf *e)
{
    manifest m = w->man;
    m.gen = w->man.gen + 1;
    m.nseg = w->nseg;
    m.seg = calloc(w->nseg ? w->nseg : 1, sizeof *m.seg);
    if (!m.seg)
        return err_set(e, MG_ENOMEM, "out of memory committing");
    int rc = MG_OK;
    for (uint32_t i = 0; i < w->nseg && rc == MG_OK; i++) {
        wseg *ws = &w->segs[i];
        ix_segment *s = ws->seg;
        m.seg[i] = (man_seg){ s->id, s->ndocs, s->ndeleted, ws->del_gen, s->map.len };
        if (ws->unsynced && (rc = file_fsync_path(s->path, e)) != MG_OK)
            break;
        ws->unsynced = 0;
        if (ws->dirty || (!ws->committed && s->ndeleted)) {
            m.seg[i].del_gen = s->ndeleted ? m.gen : 0;
            if (s->ndeleted)
                rc = del_write(w->dir, s->id, m.gen, s->deleted, s->ndocs, e);
        }
    }
    if (rc == MG_OK)
        rc = man_write(w->dir, &m, e);
    if (rc == MG_OK) {
        for (uint32_t i = 0; i < w->nseg; i++) {
            w->segs[i].del_gen = m.seg[i].del_gen;
            w->segs[i].seg->del_gen = m.seg[i].del_gen;
            w->segs[i].dirty = 0;
            w->segs[i].committed = 1;
        }
        w->man.gen = m.gen;
        w->adds = w->deletes = 0;
        if (w->snap) {
            ix_reader_unref(w->snap);
            w->snap = NULL;
        }
        writer_gc(w);
    }
    free(m.seg);
    return rc;
}

/* ---------------------------------------------------------------- open */

static int writer_create(ix_writer *w, const ix_writer_options *opt, errbuf *e)
{
    analyzer *an = analyzer_new(opt && opt->language ? opt->language : "english", e);
    if (!an)
        return e && e->code ? e->code : MG_EINVAL;
    memset(&w->man, 0, sizeof w->man);
    snprintf(w->man.language, sizeof w->man.language, "%s", analyzer_language(an));
    w->man.gen = 1;
    w->man.next_seg = 1;
    w->an = an;
    int rc = man_write(w->dir, &w->man, e);
    if (rc == MG_OK)
        writer_gc(w);
    return rc;
}

static int writer_load(ix_writer *w, errbuf *e)
{
    ix_reader *r;
    int rc = ix_reader_open(w->dir, &r, e);
    if (rc != MG_OK)
        return rc;
    const manifest *m = reader_manifest(r);
    w->man = *m;
    w->man.seg = NULL;
    w->man.nseg = 0;
    for (uint32_t i = 0; i < ix_reader_nsegments(r) && rc == MG_OK; i++) {
        const ix_segment *rs = ix_reader_segment(r, i);
        ix_segment *s;
        rc = seg_open(w->dir, rs->id, &s, e);
        if (rc != MG_OK)
            break;
        if (rs->deleted) {
            size_t nb = ((size_t)s->ndocs + 7) / 8;
            s->deleted = malloc(nb ? nb : 1);
            if (!s->deleted) {
                seg_free(s);
                rc = err_set(e, MG_ENOMEM, "out of memory opening %s", w->dir);
                break;
            }
            memcpy(s->deleted, rs->deleted, nb);
            s->ndeleted = rs->ndeleted;
            s->del_gen = rs->del_gen;
        }
        if (wseg_push(w, s, rs->del_gen, 1) != 0) {
            seg_free(s);
            rc = err_set(e, MG_ENOMEM, "out of memory opening %s", w->dir);
        }
    }
    w->snap = r;
    if (rc == MG_OK) {
        w->an = analyzer_new(w->man.language, e);
        if (!w->an)
            rc = e && e->code ? e->code : MG_EINVAL;
    }
    if (rc == MG_OK)
        writer_gc(w);
    return rc;
}

int ix_writer_open(const char *dir, const ix_writer_options *opt, ix_writer **out, errbuf *e)
{
    *out = NULL;
    ix_writer *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, MG_ENOMEM, "out of memory opening %s", dir);
    w->lock_fd = -1;
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    w->ram_budget = opt && opt->ram_budget ? opt->ram_budget : DEFAULT_RAM;
    w->no_merge = opt ? opt->no_merge : 0;
    int rc = MG_OK;
    if (ab_init(&w->buf, opt ? opt->threads : 0, opt ? opt->add_run : 0) != MG_OK)
        rc = err_set(e, MG_ENOMEM, "out of memory opening %s", dir);
    if (rc == MG_OK && !file_exists(dir)) {
        if (!(opt && opt->create))
            rc = err_set(e, MG_ENOTFOUND, "%s: no such index", dir);
        else
            rc = file_mkdirs(dir, e);
    }
    char lock[4200];
    if (rc == MG_OK && (w->lock_fd = file_lock(path_join(lock, sizeof lock, dir, "LOCK"), e)) < 0)
        rc = e && e->code ? e->code : MG_EIO;
    if (rc == MG_OK) {
        uint64_t *gens;
        size_t n;
        rc = man_list(dir, &gens, &n, e);
        if (rc == MG_OK) {
            free(gens);
            if (n > 0)
                rc = writer_load(w, e);
            else if (opt && opt->create)
                rc = writer_create(w, opt, e);
            else
                rc = err_set(e, MG_ENOTFOUND, "%s: no morgue index here (no MANIFEST file)", dir);
        }
    }
    if (rc != MG_OK) {
        ix_writer_close(w);
        return rc;
    }
    *out = w;
    return MG_OK;
}

/* Drops what is not committed: uncommitted segments (and their files),
 * changed bitmaps, the in-memory buffer. */
static int writer_discard(ix_writer *w, errbuf *e)
{
    int rc = MG_OK;
    uint32_t k = 0;
    for (uint32_t i = 0; i < w->nseg; i++) {
        wseg *ws = &w->segs[i];
        if (!ws->committed) {
            char path[4200];
            snprintf(path, sizeof path, "%s", ws->seg->path);
            seg_free(ws->seg);
            unlink(path);
            continue;
        }
        if (ws->dirty) {
            ix_segment *s = ws->seg;
            free(s->deleted);
            s->deleted = NULL;
            s->ndeleted = 0;
            if (ws->del_gen) {
                int r = del_read(w->dir, s->id, ws->del_gen, s->ndocs, &s->deleted, &s->ndeleted, e);
                if (r != MG_OK && rc == MG_OK)
                    rc = r;
            }
            ws->dirty = 0;
        }
        w->segs[k++] = *ws;
    }
    w->nseg = k;
    ab_reset(&w->buf);
    w->adds = w->deletes = 0;
    return rc;
}

void ix_writer_close(ix_writer *w)
{
    if (!w)
        return;
    if (w->lock_fd >= 0)
        writer_discard(w, NULL);
    for (uint32_t i = 0; i < w->nseg; i++)
        seg_free(w->segs[i].seg);
    free(w->segs);
    ab_free(&w->buf);
    analyzer_free(w->an);
    if (w->snap)
        ix_reader_unref(w->snap);
    file_unlock(w->lock_fd);
    free(w);
#ifdef __GLIBC__
    malloc_trim(0); /* give the buffer's freed heap back to the system */
#endif
}

/* ------------------------------------------------------- adds, deletes */

/* Mapped segment bytes let into RSS before they are dropped: an eighth
 * of the RAM budget (32 MiB by default). */
static size_t writer_release_every(const ix_writer *w)
{
    return w->ram_budget / 8 ? w->ram_budget / 8 : 1;
}

/* The id lookups of replace-by-id touch the segments' dictionaries: at a
 * flush and every so many lookups, once the segments are large enough for
 * it to matter, their pages are dropped so that they do not pile up in RSS
 * as the index grows. */
static void writer_drop_pages(ix_writer *w)
{
    uint64_t mapped = 0;
    for (uint32_t i = 0; i < w->nseg; i++)
        mapped += w->segs[i].seg->map.len;
    if (mapped < writer_release_every(w))
        return;
    for (uint32_t i = 0; i < w->nseg; i++)
        merge_drop_pages(&w->segs[i].seg, 1);
}

/* Writes the in-memory buffer as a new (uncommitted) segment. */
static int writer_flush(ix_writer *w, errbuf *e)
{
    if (w->buf.ndocs == 0)
        return MG_OK;
    writer_drop_pages(w); /* before the flush adds its own memory to the buffer's */
    uint64_t id = w->man.next_seg;
    uint8_t *deleted;
    uint32_t ndeleted;
    int rc = ab_flush(&w->buf, w->dir, id, &w->stop, &deleted, &ndeleted, e);
    if (rc == MG_EINTERRUPTED)
        w->stop = 0;
    if (rc != MG_OK)
        return rc;
    ix_segment *s;
    rc = seg_open(w->dir, id, &s, e);
    if (rc != MG_OK) {
        free(deleted);
        return rc;
    }
    merge_drop_pages(&s, 1); /* opening read its small sections to check them */
    s->deleted = deleted;
    s->ndeleted = ndeleted;
    if (wseg_push(w, s, 0, 0) != 0) {
        seg_free(s);
        return err_set(e, MG_ENOMEM, "out of memory flushing");
    }
    w->segs[w->nseg - 1].unsynced = 1;
    w->man.next_seg++;
    ab_reset(&w->buf);
    return MG_OK;
}

/* Whether the buffer must be flushed before it takes more: what it holds
 * plus what flushing it will take (the sorted term list, the new
 * segment's dictionary, twice for its doubling buffer, its norms, dates
 * and ids) reach the RAM budget. */
static int writer_buffer_full(const ix_writer *w)
{
    return ab_bytes(&w->buf) + ab_flush_bytes(&w->buf) >= w->ram_budget;
}

/* Marks every live document with this id deleted, in segments and in the
 * buffer.  Returns how many there were. */
static uint32_t writer_delete_id(ix_writer *w, const char *id)
{
    uint32_t found = (uint32_t)ab_delete_id(&w->buf, id);
    size_t n = strlen(id);
    /* each lookup reads a few pages of a segment's ids section (a binary
     * search): drop them before they add up to release_every */
    w->probes += w->nseg;
    if (w->probes * 4 * 4096 >= writer_release_every(w)) {
        writer_drop_pages(w);
        w->probes = 0;
    }
    for (uint32_t i = 0; i < w->nseg; i++) {
        ix_segment *s = w->segs[i].seg;
        uint32_t from, m = seg_find_id(s, id, n, &from);
        for (uint32_t k = from; k < from + m; k++) {
            uint32_t d = seg_id_order(s, k);
            if (bit_get(s->deleted, d))
                continue;
            if (!s->deleted) {
                s->deleted = calloc(1, ((size_t)s->ndocs + 7) / 8);
                if (!s->deleted)
                    return found; /* reported as not found; nothing changed */
            }
            bit_set(s->deleted, d);
            s->ndeleted++;
            w->segs[i].dirty = 1;
            found++;
        }
    }
    return found;
}

_Static_assert(MG_ID_MAX <= IX_TERM_MAX - 1, "an id is looked up as a term");

static int id_ok(const char *id, errbuf *e)
{
    if (!id || !*id)
        return err_set(e, MG_EINVAL, "an article needs a non-empty id");
    if (strlen(id) > MG_ID_MAX)
        return err_set(e, MG_EINVAL, "id longer than %d bytes", MG_ID_MAX);
    return MG_OK;
}

int ix_writer_add(ix_writer *w, const mg_article *a, errbuf *e)
{
    if (!a)
        return err_set(e, MG_EINVAL, "no article");
    int rc = id_ok(a->id, e);
    if (rc != MG_OK || (rc = writer_stopped(w, e)) != MG_OK)
        return rc;
    if (writer_buffer_full(w) && (rc = writer_flush(w, e)) != MG_OK)
        return rc;
    if (w->buf.ndocs >= IX_END - 1 && (rc = writer_flush(w, e)) != MG_OK)
        return rc;
    int oom = 0;
    uint64_t bad = 0;
    char *f[7] = { 0 };
    const char *src[7] = { a->id, a->url, a->title, a->body, a->source, a->section, a->author };
    const char *use[7];
    for (int i = 0; i < 7; i++) { /* valid fields are used as they are */
        use[i] = src[i];
        if (src[i] && !utf8_valid(src[i], strlen(src[i])))
            use[i] = f[i] = utf8_sanitize(src[i], &bad, &oom);
    }
    if (!oom) {
        mg_article c = { use[0], use[1], use[2], use[3], use[4], use[5], use[6], a->date };
        writer_delete_id(w, c.id);
        rc = ab_add(&w->buf, w->an, &c);
        if (rc != MG_OK)
            w->buf.oom = 1;
    }
    for (int i = 0; i < 7; i++)
        free(f[i]);
    if (oom || rc != MG_OK)
        return err_set(e, MG_ENOMEM, "out of memory adding article %s", a->id);
    w->bad_utf8 += bad;
    w->adds++;
    return MG_OK;
}

int ix_writer_delete(ix_writer *w, const char *id, errbuf *e)
{
    int rc = id_ok(id, e);
    if (rc != MG_OK || (rc = writer_stopped(w, e)) != MG_OK)
        return rc;
    if (writer_delete_id(w, id) == 0)
        return err_set(e, MG_ENOTFOUND, "no article with id %s", id);
    w->deletes++;
    return MG_OK;
}

/* ------------------------------------------------------ commit, merge */

static int writer_pending(const ix_writer *w)
{
    if (w->buf.ndocs || w->adds || w->deletes)
        return 1;
    for (uint32_t i = 0; i < w->nseg; i++)
        if (w->segs[i].dirty || !w->segs[i].committed)
            return 1;
    return 0;
}

/* Gives the empty in-memory buffer's memory back before a merge, so that
 * the merge's own memory comes on top of nothing rather than on top of a
 * RAM budget's worth of freed-but-kept heap.  (The buffer's maps keep their
 * tables when reset, and malloc keeps freed memory unless trimmed.) */
static int writer_release_buffer(ix_writer *w, errbuf *e)
{
    if (w->buf.ndocs)
        return MG_OK;
    if (ab_release(&w->buf) != MG_OK)
        return err_set(e, MG_ENOMEM, "out of memory merging");
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    return MG_OK;
}

/* Merges segs[pick[0..n)] into one new segment and commits the result.
 * On failure nothing changes (the partial file is removed). */
static int writer_merge(ix_writer *w, const uint32_t *pick, uint32_t n, errbuf *e)
{
    int rc = writer_release_buffer(w, e);
    if (rc != MG_OK)
        return rc;
    ix_segment **src = malloc(n * sizeof *src);
    wseg *old = malloc(w->nseg * sizeof *old);
    if (!src || !old) {
        free(src);
        free(old);
        return err_set(e, MG_ENOMEM, "out of memory merging");
    }
    for (uint32_t i = 0; i < n; i++)
        src[i] = w->segs[pick[i]].seg;
    uint64_t id = w->man.next_seg;
    uint32_t ndocs;
    rc = merge_segments(w->dir, src, n, id, writer_release_every(w), &w->stop, &ndocs, e);
    ix_segment *m = NULL;
    if (rc == MG_OK && ndocs)
        rc = seg_open(w->dir, id, &m, e);
    if (m)
        merge_drop_pages(&m, 1);
    if (rc != MG_OK) {
        if (rc == MG_EINTERRUPTED)
            w->stop = 0;
        free(src);
        free(old);
        return rc;
    }
    /* the new list: the merged segment replaces the group at its first place */
    uint32_t nold = w->nseg, k = 0;
    memcpy(old, w->segs, nold * sizeof *old);
    for (uint32_t i = 0, j = 0; i < nold; i++) {
        if (j < n && pick[j] == i) {
            if (j++ == 0 && m)
                w->segs[k++] = (wseg){ m, 0, 0, 0, 0 };
            continue;
        }
        w->segs[k++] = old[i];
    }
    w->nseg = k;
    w->man.next_seg++;
    rc = writer_publish(w, e);
    if (rc != MG_OK) { /* back to the old list */
        memcpy(w->segs, old, nold * sizeof *old);
        w->nseg = nold;
        if (m) {
            unlink(m->path);
            seg_free(m);
        }
    } else {
        for (uint32_t i = 0; i < n; i++)
            seg_free(src[i]);
    }
    free(src);
    free(old);
    return rc;
}

static int writer_auto_merge(ix_writer *w, errbuf *e)
{
    for (int rounds = 0; rounds < 64; rounds++) {
        merge_seg *ms = malloc((w->nseg + 1) * sizeof *ms);
        uint32_t pick[MERGE_FACTOR], n = 0;
        if (ms) {
            for (uint32_t i = 0; i < w->nseg; i++) {
                const ix_segment *s = w->segs[i].seg;
                ms[i] = (merge_seg){ ix_seg_live_docs(s), s->ndocs, merge_cost(s) };
            }
            n = merge_pick(ms, w->nseg, w->ram_budget, pick);
        }
        free(ms);
        if (n == 0)
            return MG_OK;
        int rc = writer_merge(w, pick, n, e);
        if (rc != MG_OK)
            return rc;
    }
    return MG_OK;
}

/* The segments this commit flushed (not yet committed; they are the last
 * ones, since merges run only after a commit), in order, as long as their
 * merge costs fit the RAM budget.  Returns how many were picked. */
static uint32_t writer_pick_fresh(const ix_writer *w, uint32_t *pick)
{
    uint32_t k = 0;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < w->nseg; i++) {
        if (w->segs[i].committed)
            continue;
        uint64_t c = merge_cost(w->segs[i].seg);
        if (sum + c > w->ram_budget)
            break;
        sum += c;
        pick[k++] = i;
    }
    return k;
}

int ix_writer_commit(ix_writer *w, errbuf *e)
{
    int rc = writer_stopped(w, e);
    if (rc != MG_OK)
        return rc;
    if (!writer_pending(w))
        return MG_OK;
    if ((rc = writer_flush(w, e)) != MG_OK)
        return rc;
    if (w->stop) {
        w->stop = 0;
        return err_set(e, MG_EINTERRUPTED, "%s: interrupted before the commit", w->dir);
    }
    /* A commit that flushed several segments (a load bigger than the RAM
     * budget) merges them into one where the budget allows, so that a query
     * pays one dictionary lookup per word for the whole load rather than
     * one per flush (cold lookups are most of a rare word's cost).  A daily
     * commit flushes once and merges nothing here. */
    uint32_t *fresh = w->no_merge ? NULL : malloc((w->nseg + 1) * sizeof *fresh);
    uint32_t nfresh = fresh ? writer_pick_fresh(w, fresh) : 0;
    if ((rc = writer_publish(w, e)) != MG_OK) {
        free(fresh);
        return rc;
    }
    if (!w->no_merge) {
        errbuf me;
        err_clear(&me);
        int mrc = nfresh >= 2 && !w->stop ? writer_merge(w, fresh, nfresh, &me) : MG_OK;
        free(fresh);
        if (mrc == MG_OK)
            mrc = writer_auto_merge(w, &me);
        /* the commit is done; a failed or interrupted merge changes nothing
         * and is retried at the next commit */
        if (mrc == MG_EINTERRUPTED)
            w->stop = 1; /* let the caller's next call see the request */
        (void)mrc;
    }
    return MG_OK;
}

int ix_writer_rollback(ix_writer *w, errbuf *e) { return writer_discard(w, e); }

int ix_writer_optimize(ix_writer *w, errbuf *e)
{
    int rc = ix_writer_commit(w, e);
    if (rc != MG_OK || (rc = writer_stopped(w, e)) != MG_OK)
        return rc;
    if (w->nseg == 0 || (w->nseg == 1 && w->segs[0].seg->ndeleted == 0))
        return MG_OK;
    uint32_t *pick = malloc(w->nseg * sizeof *pick);
    if (!pick)
        return err_set(e, MG_ENOMEM, "out of memory optimizing");
    for (uint32_t i = 0; i < w->nseg; i++)
        pick[i] = i;
    rc = writer_merge(w, pick, w->nseg, e);
    free(pick);
    return rc;
}

void ix_writer_interrupt(ix_writer *w)
{
    if (w)
        w->stop = 1;
}

uint64_t ix_writer_bad_utf8(const ix_writer *w) { return w->bad_utf8; }

void ix_writer_pending(const ix_writer *w, uint64_t *adds, uint64_t *deletes)
{
    *adds = w->adds;
    *deletes = w->deletes;
}

int ix_writer_reader(ix_writer *w, ix_reader **out, errbuf *e)
{
    *out = NULL;
    if (!w->snap) {
        int rc = ix_reader_open(w->dir, &w->snap, e);
        if (rc != MG_OK)
            return rc;
    }
    ix_reader_ref(w->snap);
    *out = w->snap;
    return MG_OK;
}

/* merge.c — k-way merge of segments.  Documents are renumbered densely in
 * source order (deleted ones dropped), the dictionaries are merged in byte
 * order, and each posting is copied with its positions, decoded from the
 * source's blocks and re-blocked by the segment writer.
 *
 * Policy (tiered, like Lucene's): a segment's tier is the number of decimal
 * digits of its live document count (so segments within a factor of ten
 * share a tier).  When a tier holds MERGE_FACTOR segments they are merged
 * into one, which lands a tier higher.  The segment count stays below
 * MERGE_FACTOR per tier, i.e. O(log n), and each document is rewritten
 * O(log n) times.  A segment with more than half of its documents deleted
 * is rewritten on its own to reclaim the space.
 *
 * Memory: a merge reads its sources through their read-only mappings,
 * front to back within each section (stored blocks, dictionary, postings,
 * positions).  Pages of a mapping that have been read stay resident (they
 * count in the process's RSS) until they are dropped, so a merge of large
 * segments would map its whole input into RSS.  Every merge_release_every
 * bytes of output the sources' pages are dropped (madvise MADV_DONTNEED:
 * the file's pages stay in the page cache, the next access maps them
 * again); the few pages still in use fault back in.  What a merge keeps in
 * memory is then bounded buffers plus, in the segment writer, the new
 * dictionary and a few bytes per document (norms, dates, ids, docid map). */
#include "index/merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index/codec.h"
#include "util/norm.h"

size_t merge_release_every = 32u << 20;

void merge_drop_pages(ix_segment *const *segs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (segs[i] && segs[i]->map.p && segs[i]->map.len)
            madvise((void *)(uintptr_t)segs[i]->map.p, segs[i]->map.len, MADV_DONTNEED);
}

/* Drops the sources' pages once the output has grown by
 * merge_release_every bytes since the last time. */
static void merge_tick(seg_writer *w, ix_segment *const *src, uint32_t n, uint64_t *next)
{
    uint64_t out = w->f.off + w->pos.off;
    if (out < *next)
        return;
    merge_drop_pages(src, n);
    *next = out + (merge_release_every ? merge_release_every : 1);
}

static int merge_docs(seg_writer *w, ix_segment *const *src, uint32_t n, uint32_t **map,
                      uint64_t *next, const atomic_int *stop, errbuf *e)
{
    uint32_t live = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ix_segment *s = src[i];
        map[i] = malloc(sizeof(uint32_t) * (s->ndocs ? s->ndocs : 1));
        if (!map[i])
            return err_set(e, MG_ENOMEM, "out of memory merging");
        double tt = (double)s->title_tokens, bt = (double)s->body_tokens;
        stored_cursor sc;
        stc_init(&sc, s);
        int rc = MG_OK;
        for (uint32_t d = 0; d < s->ndocs && rc == MG_OK; d++) {
            mg_doc *doc;
            if ((rc = stc_next(&sc, &doc, e)) != MG_OK)
                break;
            uint32_t tl = norm_decode(ix_seg_title_norm(s, d)), bl = norm_decode(ix_seg_body_norm(s, d));
            if (ix_seg_is_deleted(s, d)) {
                mg_doc_free(doc);
                map[i][d] = IX_END;
                tt -= tl;
                bt -= bl;
                continue;
            }
            segw_doc(w, &doc->a, tl, bl, ix_seg_date(s, d));
            mg_doc_free(doc);
            map[i][d] = live++;
            if ((d & 255) == 0) {
                merge_tick(w, src, n, next);
                if (stop && *stop)
                    rc = err_set(e, MG_EINTERRUPTED, "interrupted while merging");
            }
        }
        stc_free(&sc);
        if (rc != MG_OK)
            return rc;
        segw_add_tokens(w, tt > 0 ? (uint64_t)tt : 0, bt > 0 ? (uint64_t)bt : 0);
    }
    return MG_OK;
}

static int merge_terms(seg_writer *w, ix_segment *const *src, uint32_t n, uint32_t **map,
                       uint64_t *next, const atomic_int *stop, errbuf *e)
{
    td_iter *it = calloc(n, sizeof *it);
    uint8_t *live = calloc(n, 1);
    int rc = MG_OK;
    buf raw_b, *raw = &raw_b; /* one posting's positions */
    buf_init(raw);
    if (!it || !live) {
        rc = err_set(e, MG_ENOMEM, "out of memory merging");
        goto out;
    }
    for (uint32_t i = 0; i < n; i++)
        live[i] = (uint8_t)td_seek(&it[i], src[i], "", 0);
    uint64_t count = 0;
    for (int b; (b = td_smallest(it, live, n)) >= 0;) {
        if ((++count & 1023) == 0) { /* count: terms and postings */
            merge_tick(w, src, n, next);
            if (stop && *stop) {
                rc = err_set(e, MG_EINTERRUPTED, "interrupted while merging");
                goto out;
            }
        }
        char term[IX_TERM_MAX + 1];
        size_t tl = it[b].cur.len;
        memcpy(term, it[b].cur.term, tl);
        int mode = it[b].cur.mode; /* all sources agree, or mixed */
        for (uint32_t i = 0; i < n; i++)
            if (live[i] && it[i].cur.len == tl && memcmp(it[i].cur.term, term, tl) == 0 &&
                it[i].cur.mode != mode)
                mode = POS_MIXED;
        segw_term(w, term, tl, mode);
        for (uint32_t i = 0; i < n; i++) {
            if (!live[i] || it[i].cur.len != tl || memcmp(it[i].cur.term, term, tl) != 0)
                continue;
            ix_post c;
            if (ix_post_open(&c, src[i], term, tl)) {
                for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c)) {
                    if (map[i][d] == IX_END)
                        continue;
                    buf_reset(raw);
                    if (post_doc_positions(&c, raw) != 0)
                        break;
                    segw_posting(w, map[i][d], ix_post_tf_title(&c), ix_post_tf_body(&c), raw->p,
                                 raw->len, c.pos_mode);
                    if ((++count & 4095) == 0) /* a long list can be much of the input */
                        merge_tick(w, src, n, next);
                }
            }
            if (raw->oom) {
                rc = err_set(e, MG_ENOMEM, "out of memory merging");
                goto out;
            }
            if (c.bad) {
                rc = err_set(e, MG_ECORRUPT, "%s: postings of a term are damaged", src[i]->path);
                goto out;
            }
            live[i] = (uint8_t)td_next(&it[i]);
            if (it[i].bad) {
                rc = err_set(e, MG_ECORRUPT, "%s: dictionary is damaged", src[i]->path);
                goto out;
            }
        }
    }
out:
    buf_free(raw);
    free(it);
    free(live);
    return rc;
}

int merge_segments(const char *dir, ix_segment *const *src, uint32_t n, uint64_t id,
                   const atomic_int *stop, uint32_t *ndocs, errbuf *e)
{
    *ndocs = 0;
    uint64_t live = 0;
    for (uint32_t i = 0; i < n; i++)
        live += ix_seg_live_docs(src[i]);
    if (live == 0)
        return MG_OK;
    if (live >= IX_END)
        return err_set(e, MG_EINVAL, "merged segment would exceed %u documents", IX_END - 1);
    uint32_t **map = calloc(n, sizeof *map);
    if (!map)
        return err_set(e, MG_ENOMEM, "out of memory merging");
    seg_writer w;
    uint64_t next = merge_release_every;
    int rc = segw_begin(&w, dir, id, NULL, e);
    if (rc == MG_OK) {
        rc = merge_docs(&w, src, n, map, &next, stop, e);
        if (rc == MG_OK)
            rc = merge_terms(&w, src, n, map, &next, stop, e);
        if (rc == MG_OK)
            rc = segw_finish(&w);
        else
            segw_abort(&w);
    }
    for (uint32_t i = 0; i < n; i++)
        free(map[i]);
    free(map);
    if (rc == MG_OK)
        *ndocs = (uint32_t)live;
    return rc;
}

static unsigned merge_tier(uint32_t live)
{
    unsigned t = 0;
    while (live >= 10) {
        live /= 10;
        t++;
    }
    return t;
}

uint32_t merge_pick(const uint32_t *live, const uint32_t *total, uint32_t n, uint32_t *pick)
{
    for (unsigned tier = 0; tier < 10; tier++) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n && k < MERGE_FACTOR; i++)
            if (merge_tier(live[i]) == tier)
                pick[k++] = i;
        if (k >= MERGE_FACTOR)
            return k;
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((uint64_t)live[i] * 2 < total[i]) {
            pick[0] = i;
            return 1;
        }
    }
    return 0;
}

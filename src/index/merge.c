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
 * Memory.  A merge reads its sources through their read-only mappings,
 * front to back within each section (stored blocks, dictionary, postings,
 * positions).  Pages of a mapping that have been read stay resident (they
 * count in the process's RSS) until they are dropped, so a merge of large
 * segments would otherwise hold its whole input in RSS.  Every
 * `release_every` bytes of output the sources' pages are dropped (madvise
 * MADV_DONTNEED: the file's pages stay in the page cache, the next access
 * maps them again); the few pages still in use fault back in.  The output
 * goes out through write() in bounded chunks.
 *
 * What a merge does hold grows with its output: the segment writer keeps
 * the new dictionary, the ids, norms and dates in memory until the end,
 * plus one term's encoded list, and the merge a docid map (4 bytes per
 * source document).  merge_cost() bounds that from the sources' section
 * sizes, and the policy only merges a group whose summed cost fits the RAM
 * budget, so the merges of a growing index stay within the budget too:
 * segments stop growing once a merge of them would not fit (as Lucene caps
 * its merged segment size), and an index then has more of them. */
#include "index/merge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index/codec.h"
#include "util/norm.h"

void merge_drop_pages(ix_segment *const *segs, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (segs[i] && segs[i]->map.p && segs[i]->map.len)
            madvise((void *)(uintptr_t)segs[i]->map.p, segs[i]->map.len, MADV_DONTNEED);
}

/* When to drop the sources' pages next: after `every` more output bytes. */
typedef struct merge_clock {
    uint64_t next, every;
} merge_clock;

static void merge_tick(seg_writer *w, ix_segment *const *src, uint32_t n, merge_clock *clk)
{
    uint64_t out = w->f.off + w->pos.off;
    if (out < clk->next)
        return;
    merge_drop_pages(src, n);
    clk->next = out + clk->every;
}

static int merge_docs(seg_writer *w, ix_segment *const *src, uint32_t n, uint32_t **map,
                      merge_clock *next, const atomic_int *stop, errbuf *e)
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
                       merge_clock *next, const atomic_int *stop, errbuf *e)
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
                   size_t release_every, const atomic_int *stop, uint32_t *ndocs, errbuf *e)
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
    merge_clock next = { release_every ? release_every : 1, release_every ? release_every : 1 };
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

uint64_t merge_cost(const ix_segment *s)
{
    /* the writer's buffers grow by doubling: up to twice what they hold */
    uint64_t kept = s->sec[SEC_DICT].len + s->sec[SEC_DICTIDX].len + s->sec[SEC_IDS].len +
                    s->sec[SEC_STOREIDX].len + s->sec[SEC_NORMS].len + s->sec[SEC_DATES].len;
    /* docid map (4), and the longest list's blocks, encoded twice (pw, post) */
    return 2 * kept + 12 * (uint64_t)s->ndocs;
}

uint32_t merge_pick(const merge_seg *seg, uint32_t n, uint64_t budget, uint32_t *pick)
{
    uint64_t room = budget;
    for (unsigned tier = 0; tier < 10; tier++) {
        uint32_t in_tier = 0, k = 0;
        for (uint32_t i = 0; i < n; i++)
            in_tier += merge_tier(seg[i].live) == tier;
        if (in_tier < MERGE_FACTOR)
            continue;
        /* up to MERGE_FACTOR of them, oldest first, as long as they fit */
        uint64_t sum = 0;
        for (uint32_t i = 0; i < n && k < MERGE_FACTOR; i++) {
            if (merge_tier(seg[i].live) != tier || sum + seg[i].cost > room)
                continue;
            sum += seg[i].cost;
            pick[k++] = i;
        }
        if (k >= 2)
            return k;
    }
    for (uint32_t i = 0; i < n; i++) {
        if ((uint64_t)seg[i].live * 2 < seg[i].total && seg[i].cost <= room) {
            pick[0] = i;
            return 1;
        }
    }
    return 0;
}

/* merge.h — merging segments into one (dropping deleted documents) and the
 * tiered policy that decides which segments to merge on commit. */
#ifndef MG_INDEX_MERGE_H
#define MG_INDEX_MERGE_H

#include <stdatomic.h>

#include "index/segment.h"

/* Segments of the same tier (live documents within a factor of
 * MERGE_FACTOR) are merged once MERGE_FACTOR of them exist. */
#define MERGE_FACTOR 10

/* Writes segment `id` in dir holding the live documents of src[0..n), in
 * that order.  *ndocs is set to their number; when it is 0 no file is
 * written.  The sources' mapped pages are dropped after every
 * `release_every` bytes of output.  stop is polled (MG_EINTERRUPTED). */
int merge_segments(const char *dir, ix_segment *const *src, uint32_t n, uint64_t id,
                   size_t release_every, const atomic_int *stop, uint32_t *ndocs, errbuf *e);

/* An upper bound of the memory that merging s with other segments adds:
 * its share of the new segment's dictionary, ids, norms and dates, of the
 * docid map and of the longest list.  (Beyond that a merge holds a few MiB
 * whatever its sources: I/O buffers, the stored writer's blocks and
 * compressor, cursors.) */
uint64_t merge_cost(const ix_segment *s);

/* Drops the resident pages of the segments' read-only mappings (they are
 * mapped again from the page cache when next read), so pages read once do
 * not stay in the process's RSS. */
void merge_drop_pages(ix_segment *const *segs, uint32_t n);

/* What the policy knows of a segment. */
typedef struct merge_seg {
    uint32_t live, total;     /* live and all documents */
    uint64_t cost;            /* merge_cost() */
} merge_seg;

/* Given n segments, picks a group to merge into pick[] (indices,
 * ascending; room for MERGE_FACTOR) and returns its size, or 0 when the
 * policy wants nothing merged.  The picked costs sum to at most budget:
 * a full tier's first segments that fit, when at least two do. */
uint32_t merge_pick(const merge_seg *seg, uint32_t n, uint64_t budget, uint32_t *pick);

#endif

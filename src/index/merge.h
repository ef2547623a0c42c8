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
 * written.  stop is polled (MG_EINTERRUPTED). */
int merge_segments(const char *dir, ix_segment *const *src, uint32_t n, uint64_t id,
                   const atomic_int *stop, uint32_t *ndocs, errbuf *e);

/* Output bytes between two drops of the sources' mapped pages during a
 * merge (see merge.c); 32 MiB.  Tests lower it to exercise the path. */
extern size_t merge_release_every;

/* Drops the resident pages of the segments' read-only mappings (they are
 * mapped again from the page cache when next read), so pages read once do
 * not stay in the process's RSS. */
void merge_drop_pages(ix_segment *const *segs, uint32_t n);

/* Given the live and total document counts of n segments, picks a group
 * to merge into pick[] (indices, ascending; room for MERGE_FACTOR) and
 * returns its size, or 0 when the policy wants nothing merged. */
uint32_t merge_pick(const uint32_t *live, const uint32_t *total, uint32_t n, uint32_t *pick);

#endif

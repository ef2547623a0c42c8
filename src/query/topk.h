/* topk.h — a bounded heap keeping the best k hits, by score or by date.
 * Order (best first): score descending, or date newest/oldest first with
 * undated articles last; ties go to the lower segment, then lower docid, so
 * results are deterministic and equal to a full sort of every match. */
#ifndef MG_QUERY_TOPK_H
#define MG_QUERY_TOPK_H

#include <stddef.h>
#include <stdint.h>
#include "morgue.h"

enum { TK_SCORE = 0, TK_NEWEST, TK_OLDEST };

typedef struct tk_hit {
    double score;
    int64_t date;
    uint32_t seg, doc;
} tk_hit;

typedef struct topk {
    tk_hit *h;    /* min-heap: h[0] is the worst kept */
    size_t n, k;
    size_t cap;   /* allocated entries (grows up to k as hits come) */
    int oom;      /* a hit could not be kept for want of memory */
    int mode;     /* TK_* */
} topk;

int  topk_init(topk *t, size_t k, int mode); /* 0, or -1 out of memory */
/* topk_init on a heap that may hold an earlier search's memory (kept
 * for reuse; all zero is fine too). */
int  topk_reinit(topk *t, size_t k, int mode);
/* Frees the heap if it holds more than max entries. */
void topk_trim(topk *t, size_t max);
void topk_free(topk *t);
/* 1 if a ranks strictly before b (inline: the heap's inner loops). */
static inline int topk_better(int mode, const tk_hit *a, const tk_hit *b)
{
    if (mode == TK_SCORE) {
        if (a->score != b->score)
            return a->score > b->score;
    } else if (a->date != b->date) {
        if (a->date == MG_NO_DATE || b->date == MG_NO_DATE)
            return b->date == MG_NO_DATE;
        return mode == TK_NEWEST ? a->date > b->date : a->date < b->date;
    }
    if (a->seg != b->seg)
        return a->seg < b->seg;
    return a->doc < b->doc;
}
/* Keeps h if it ranks among the best k so far. */
void topk_push(topk *t, const tk_hit *h);
/* 1 when k hits are kept (then h[0] is the entry bar). */
static inline int topk_full(const topk *t) { return t->n >= t->k; }
/* The score a new hit must beat once full (score mode), else -1. */
static inline double topk_threshold(const topk *t) { return topk_full(t) && t->k ? t->h[0].score : -1.0; }
/* Sorts the kept hits best first (destroys the heap order). */
void topk_sort(topk *t);

#endif

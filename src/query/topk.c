/* topk.c — the bounded best-k heap (see topk.h). */
#include "query/topk.h"

#include <stdlib.h>

#include "morgue.h"

int topk_init(topk *t, size_t k, int mode)
{
    t->n = 0;
    t->k = k;
    t->mode = mode;
    t->oom = 0;
    t->cap = k < 64 ? k : 64; /* a large k (deep paging) grows on demand */
    t->h = t->cap ? malloc(t->cap * sizeof *t->h) : NULL;
    return t->cap && !t->h ? -1 : 0;
}

int topk_reinit(topk *t, size_t k, int mode)
{
    if (!t->h || !t->cap)
        return topk_init(t, k, mode);
    t->n = 0;
    t->k = k;
    t->mode = mode;
    t->oom = 0;
    return 0;
}

void topk_trim(topk *t, size_t max)
{
    if (t->cap > max)
        topk_free(t);
}

void topk_free(topk *t)
{
    free(t->h);
    t->h = NULL;
    t->n = t->k = t->cap = 0;
}

static void sift_down(topk *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < t->n && topk_better(t->mode, &t->h[w], &t->h[l]))
            w = l;
        if (r < t->n && topk_better(t->mode, &t->h[w], &t->h[r]))
            w = r;
        if (w == i)
            return;
        tk_hit x = t->h[i];
        t->h[i] = t->h[w];
        t->h[w] = x;
        i = w;
    }
}

void topk_push(topk *t, const tk_hit *h)
{
    if (!t->k)
        return;
    if (t->n < t->k) {
        if (t->n == t->cap) {
            size_t cap = t->cap * 2 < t->k ? t->cap * 2 : t->k;
            tk_hit *h = realloc(t->h, cap * sizeof *h);
            if (!h) {
                t->oom = 1;
                return;
            }
            t->h = h;
            t->cap = cap;
        }
        size_t i = t->n++;
        t->h[i] = *h;
        while (i > 0) { /* sift up: the worst goes to the root */
            size_t p = (i - 1) / 2;
            if (!topk_better(t->mode, &t->h[p], &t->h[i]))
                break;
            tk_hit x = t->h[i];
            t->h[i] = t->h[p];
            t->h[p] = x;
            i = p;
        }
        return;
    }
    if (!topk_better(t->mode, h, &t->h[0]))
        return;
    t->h[0] = *h;
    sift_down(t, 0);
}

void topk_sort(topk *t)
{
    /* Heap-sort in place: pop the worst to the end repeatedly. */
    size_t n = t->n;
    while (t->n > 1) {
        tk_hit x = t->h[0];
        t->h[0] = t->h[t->n - 1];
        t->h[t->n - 1] = x;
        t->n--;
        sift_down(t, 0);
    }
    t->n = n; /* h[] is now best first */
}

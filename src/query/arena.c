/* arena.c — the per-query bump allocator (see arena.h).
 *
 * Blocks form a list in allocation order; allocation bumps inside cur and
 * moves on to the next kept block (or a new one) when cur is too full, so a
 * reset arena serves the next query from the same blocks. */
#include "query/arena.h"

#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer the bytes of a block that no live allocation
 * covers are poisoned, so that a use after qa_reset is reported as the
 * use after free it would be with malloc. */
#if defined(__SANITIZE_ADDRESS__)
#define QA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QA_ASAN 1
#endif
#endif
#ifdef QA_ASAN
#include <sanitizer/asan_interface.h>
#define QA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define QA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define QA_POISON(p, n) ((void)(p), (void)(n))
#define QA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct qa_block {
    qa_block *next;
    size_t used, cap;
    max_align_t data[];
};

static size_t qa_round(size_t n)
{
    return (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
}

void *qa_alloc(qarena *a, size_t n)
{
    if (n > ((size_t)-1) / 2)
        return NULL;
    n = qa_round(n ? n : 1);
    qa_block *b = a->cur;
    while (b && b->cap - b->used < n)
        b = b->next; /* blocks after cur are unused since the reset */
    if (!b) {
        size_t cap = n > QA_BLOCK ? n : QA_BLOCK;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = NULL;
        b->used = 0;
        b->cap = cap;
        QA_POISON(b->data, cap);
        if (a->tail)
            a->tail->next = b;
        else
            a->head = b;
        a->tail = b;
    }
    a->cur = b; /* what the blocks skipped still hold is left unused */
    void *p = (char *)b->data + b->used;
    b->used += n;
    QA_UNPOISON(p, n);
    return p;
}

void *qa_zalloc(qarena *a, size_t n)
{
    void *p = qa_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *qa_calloc(qarena *a, size_t count, size_t size)
{
    if (!a)
        return calloc(count, size);
    if (size && count > ((size_t)-1) / 2 / size)
        return NULL;
    return qa_zalloc(a, count * size);
}

void qa_reset(qarena *a)
{
    size_t kept = 0;
    qa_block *last = NULL, *b = a->head;
    while (b && kept + sizeof *b + b->cap <= QA_KEEP) {
        kept += sizeof *b + b->cap;
        b->used = 0;
        QA_POISON(b->data, b->cap);
        last = b;
        b = b->next;
    }
    while (b) {
        qa_block *n = b->next;
        QA_UNPOISON(b->data, b->cap);
        free(b);
        b = n;
    }
    if (last)
        last->next = NULL;
    else
        a->head = NULL;
    a->tail = last;
    a->cur = a->head;
}

void qa_free(qarena *a)
{
    for (qa_block *b = a->head, *n; b; b = n) {
        n = b->next;
        QA_UNPOISON(b->data, b->cap);
        free(b);
    }
    a->head = a->cur = a->tail = NULL;
}

size_t qa_held(const qarena *a)
{
    size_t n = 0;
    for (const qa_block *b = a->head; b; b = b->next)
        n += sizeof *b + b->cap;
    return n;
}

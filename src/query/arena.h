/* arena.h — a bump allocator for one query's memory (parse tree, plan),
 * reset between queries instead of freed, so that a searcher reusing it
 * makes no heap call per query once warm.  Blocks past QA_KEEP bytes are
 * given back at reset, so one huge query does not pin its memory. */
#ifndef MG_QUERY_ARENA_H
#define MG_QUERY_ARENA_H

#include <stddef.h>
#include <stdlib.h>

#define QA_BLOCK 8192          /* bytes of a block (a larger request gets its own) */
#define QA_KEEP  (64u << 10)   /* bytes of blocks kept across a reset, at most */

typedef struct qa_block qa_block;

/* All zero is an empty arena. */
typedef struct qarena {
    qa_block *head;   /* blocks in allocation order */
    qa_block *cur;    /* the block allocations come from */
    qa_block *tail;
} qarena;

/* n bytes aligned for any type, not zeroed; NULL when memory runs out. */
void *qa_alloc(qarena *a, size_t n);
/* The same, zeroed. */
void *qa_zalloc(qarena *a, size_t n);
/* count * size zeroed bytes from a, or from calloc when a is NULL (for
 * code that takes an optional arena; give them back with qa_drop). */
void *qa_calloc(qarena *a, size_t count, size_t size);
/* Frees p if it came from calloc (a NULL); arena memory goes at reset. */
static inline void qa_drop(qarena *a, void *p)
{
    if (!a)
        free(p);
}
/* Forgets every allocation; keeps the first blocks up to QA_KEEP bytes. */
void  qa_reset(qarena *a);
/* Frees every block (the arena is empty and usable again). */
void  qa_free(qarena *a);
/* Bytes of blocks held (tests). */
size_t qa_held(const qarena *a);

#endif

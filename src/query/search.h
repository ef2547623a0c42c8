/* search.h — one search on a reader snapshot: parse, plan, run every
 * segment (MaxScore for free-text OR; block-max and two-phase pruning for
 * AND, phrases, NEAR and the rest when ranking by relevance; exhaustive for
 * date sorts and exact totals), sort, page, fetch stored fields and
 * snippets.  Also the
 * definition of the public mg_results. */
#ifndef MG_QUERY_SEARCH_H
#define MG_QUERY_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/analyzer.h"
#include "index/index.h"
#include "morgue.h"

#define SEARCH_MAX_K (1u << 24)  /* offset + limit, at most */

struct mg_results {
    int status;            /* MG_OK or MG_E* */
    char msg[512];         /* "" when status is MG_OK */
    size_t col;            /* 1-based query column of a syntax error, else 0 */
    uint64_t total;        /* matches (exact unless estimate) */
    int estimate;
    size_t n;              /* hits in this page */
    mg_hit *hits;
    mg_doc **docs;         /* stored articles the hits' strings point into */
    char **snippets;
    void *page;            /* one block: hits, docs, snippets, seg, doc, and
                              the copies of ids taken from the ids sections */
    char *ids;             /* those copies when they did not fit in page */
    uint32_t *seg, *doc;   /* where each hit lives (tests, debugging) */
    uint64_t skipped;      /* candidate documents not fully scored (stats) */
};

typedef struct search_flags {
    int exhaustive;        /* score every match, never skip (for tests) */
    int no_phrase_bonus;   /* free text without the adjacent-pair phrases */
} search_flags;

/* Runs query on r into res (which the caller zeroed).  Returns res->status.
 * an: an analyzer for r's language that this call may use (not
 * thread-safe: one call at a time), or NULL to make one. */
int search_run(ix_reader *r, const char *query, const mg_search_options *o,
               const search_flags *f, analyzer *an, mg_results *res);

/* What one search at a time reuses from search to search (a searcher keeps
 * a pool of them): an analyzer, the arena of the parse tree and plan, the
 * analyzer's token list and the top-k heap, each kept up to a bound so
 * one huge query does not pin its memory. */
typedef struct search_ctx search_ctx;

/* A context with an analyzer for lang; NULL (e set) on failure. */
search_ctx *search_ctx_new(const char *lang, errbuf *e);
void search_ctx_free(search_ctx *c);
const char *search_ctx_language(const search_ctx *c);

/* search_run with c's analyzer and memory (c: one call at a time). */
int search_run_ctx(ix_reader *r, const char *query, const mg_search_options *o,
                   const search_flags *f, search_ctx *c, mg_results *res);

/* Makes res empty (MG_OK, no hits), as zeroing it would. */
void search_results_init(mg_results *res);

/* Frees what res holds (not res itself). */
void search_results_clear(mg_results *res);

#endif

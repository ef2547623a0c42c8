/* search_int.h — what the search driver (search.c) shares with its MaxScore
 * runner (maxscore.c): one search's running state, the filter every
 * candidate passes and the push into the top k. */
#ifndef MG_QUERY_SEARCH_INT_H
#define MG_QUERY_SEARCH_INT_H

#include <stdint.h>
#include "query/bm25.h"
#include "query/iter_int.h"
#include "query/plan.h"
#include "query/search.h"
#include "query/topk.h"

typedef struct run {
    const mg_search_options *o;
    const search_flags *f;
    bm25 m;
    topk top;
    uint64_t counted;
    uint64_t seen;     /* MaxScore candidates, before filters */
    double estimate;   /* union estimate of what MaxScore skipped */
    int skipped;       /* MaxScore skipped some documents */
    uint64_t unscored;
    int dated;         /* a date bound is set */
    int oom;
    int pruned;        /* run_topk skipped some documents ... */
    double pr_total;   /* ... and estimates the matches of its segments */
    struct qarena *itmem; /* iterator memory, reset after each segment */
} run;

static inline int passes(const run *rn, const qctx *cx, uint32_t d)
{
    if (ix_seg_is_deleted(cx->seg, d))
        return 0;
    if (rn->o->since != MG_NO_DATE || rn->o->until != MG_NO_DATE) {
        int64_t t = cx->dates ? cx->dates[d] : MG_NO_DATE;
        if (t == MG_NO_DATE || (rn->o->since != MG_NO_DATE && t < rn->o->since) ||
            (rn->o->until != MG_NO_DATE && t > rn->o->until))
            return 0;
    }
    return 1;
}

/* Ranking by relevance needs no date until the page is made (fill_hit
 * reads it then): one random read of the date column less per hit kept. */
static inline void keep(run *rn, const qctx *cx, uint32_t seg, uint32_t d, double score)
{
    int rel = rn->top.mode == TK_SCORE;
    tk_hit h = { score, cx->dates && !rel ? cx->dates[d] : MG_NO_DATE, seg, d };
    topk_push(&rn->top, &h);
}

/* MaxScore (maxscore.c): whether it takes this query, and its run over one
 * segment's postings into rn->top. */
int maxscore_fits(const run *rn, const pnode *root);
int ms_run(run *rn, const qctx *cx, uint32_t seg, const pnode *root);

#endif

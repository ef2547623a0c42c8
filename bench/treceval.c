/* treceval.c — relevance metrics as trec_eval computes them: mean average
 * precision, nDCG@10 and P@10 over the judged queries, relevance binary
 * (a judged grade counts as relevant; see judged.c for each collection). */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Relevance of doc for query qid (0 when unjudged or judged non-relevant). */
static int rel_of(const bjudged *j, int qid, const char *doc)
{
    for (size_t i = 0; i < j->nqrels; i++)
        if (j->qrels[i].qid == qid && strcmp(j->qrels[i].doc, doc) == 0)
            return j->qrels[i].rel;
    return 0;
}

static int nrel_of(const bjudged *j, int qid)
{
    int n = 0;
    for (size_t i = 0; i < j->nqrels; i++) n += j->qrels[i].qid == qid && j->qrels[i].rel > 0;
    return n;
}

/* Averages over every query with at least one relevant document; a query
 * that retrieved nothing scores 0 (trec_eval -c). */
beval bench_evaluate(const bjudged *j, char ***run, const int *nrun)
{
    beval e = { 0, 0, 0, 0 };
    for (size_t i = 0; i < j->queries.n; i++) {
        int qid = j->qids[i], R = nrel_of(j, qid);
        if (R == 0) continue;
        double ap = 0, dcg = 0, idcg = 0;
        int hits = 0, p10 = 0;
        for (int r = 0; r < nrun[i]; r++) {
            int rel = rel_of(j, qid, run[i][r]) > 0;
            if (!rel) continue;
            hits++;
            ap += (double)hits / (r + 1);
            if (r < 10) {
                p10++;
                dcg += 1.0 / log2(r + 2.0);
            }
        }
        for (int r = 0; r < 10 && r < R; r++) idcg += 1.0 / log2(r + 2.0);
        e.map += ap / R;
        e.ndcg10 += dcg / idcg;
        e.p10 += p10 / 10.0;
        e.nq++;
    }
    if (e.nq) {
        e.map /= e.nq;
        e.ndcg10 /= e.nq;
        e.p10 /= e.nq;
    }
    return e;
}

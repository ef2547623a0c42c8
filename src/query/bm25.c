/* bm25.c — BM25F parameters, idf and bounds (formulas in bm25.h). */
#include "query/bm25.h"

#include <math.h>

#include "util/norm.h"

void bm25_init(bm25 *m, double k1, double b, double title_weight, double avg_title,
               double avg_body)
{
    m->k1 = k1;
    m->b = b;
    m->wt = title_weight;
    m->avgdl = title_weight * avg_title + avg_body;
    if (!(m->avgdl > 0))
        m->avgdl = 1.0;
    m->kb = k1 * (1.0 - b);
    m->kl = k1 * b / m->avgdl;
}

/* util/norm.c's norm_decode, spelled out for the compiler. */
#define ND(b) ((b) < 40 ? (double)(b) : (double)(((16u + ((b) - 40u) % 16u) << (((b) - 40u) / 16u)) + 24u))
#define ND4(b) ND(b), ND((b) + 1u), ND((b) + 2u), ND((b) + 3u)
#define ND16(b) ND4(b), ND4((b) + 4u), ND4((b) + 8u), ND4((b) + 12u)
#define ND64(b) ND16(b), ND16((b) + 16u), ND16((b) + 32u), ND16((b) + 48u)
const double bm25_len[256] = { ND64(0u), ND64(64u), ND64(128u), ND64(192u) };

double bm25_idf(uint64_t df, uint64_t ndocs)
{
    if (df > ndocs)
        df = ndocs;
    double N = (double)ndocs, d = (double)df;
    return log(1.0 + (N - d + 0.5) / (d + 0.5));
}

double bm25_bound(const bm25 *m, double idf, uint32_t mt, uint32_t mb, uint8_t min_tn,
                  uint8_t min_bn, int field_mask)
{
    double tf = ((field_mask & 1) ? m->wt * mt : 0) + ((field_mask & 2) ? (double)mb : 0);
    return bm25_tf(m, idf, tf, bm25_norm(m, min_tn, min_bn)) * BM25_BOUND_SLACK;
}

/* bm25.h — BM25F scoring of one term (or phrase) in one document, and the
 * upper bounds that let top-k search skip documents.
 *
 *   tf'    = title_weight * tf_title + tf_body
 *   dl'    = title_weight * title_len + body_len   (lengths from the norms)
 *   avgdl' = title_weight * avg_title_len + avg_body_len
 *   idf    = log(1 + (N - df + 0.5) / (df + 0.5))   (Lucene's form, never < 0;
 *            N live documents of the snapshot, df clamped to N)
 *   score  = idf * tf' * (k1 + 1) / (tf' + k1 * (1 - b + b * dl' / avgdl'))
 *
 * A phrase is scored like a term whose tf are its phrase frequencies and
 * whose idf is the sum of its words' idfs. */
#ifndef MG_QUERY_BM25_H
#define MG_QUERY_BM25_H

#include <stdint.h>

typedef struct bm25 {
    double k1, b, wt;        /* parameters; wt = title weight */
    double avgdl;            /* avgdl' */
    double kb;               /* k1 * (1 - b) */
    double kl;               /* k1 * b / avgdl' */
} bm25;

/* norm_decode(i) for every norm byte, as a constant table (so a search
 * fills no per-query tables; test_query checks it against norm_decode). */
extern const double bm25_len[256];

/* Bounds are inflated by this factor so floating-point rounding can never
 * make a bound smaller than a score it covers. */
#define BM25_BOUND_SLACK (1.0 + 1e-9)

void   bm25_init(bm25 *m, double k1, double b, double title_weight, double avg_title,
                 double avg_body);
double bm25_idf(uint64_t df, uint64_t ndocs);

/* K = k1 * (1 - b + b * dl' / avgdl') for a document's two norm bytes. */
static inline double bm25_norm(const bm25 *m, uint8_t title_norm, uint8_t body_norm)
{
    return m->kb + m->kl * (m->wt * bm25_len[title_norm] + bm25_len[body_norm]);
}

/* The score for weighted frequency tf (= wt * tf_title + tf_body) and K. */
static inline double bm25_tf(const bm25 *m, double idf, double tf, double K)
{
    return tf <= 0 ? 0.0 : idf * tf * (m->k1 + 1.0) / (tf + K);
}

/* A bound over documents with tf_title <= mt, tf_body <= mb, norms >= the
 * given bytes.  field_mask: 1 title counts, 2 body counts. */
double bm25_bound(const bm25 *m, double idf, uint32_t mt, uint32_t mb, uint8_t min_tn,
                  uint8_t min_bn, int field_mask);

/* A bound that holds for any frequency and length: idf * (k1 + 1). */
static inline double bm25_max(const bm25 *m, double idf)
{
    return idf * (m->k1 + 1.0) * BM25_BOUND_SLACK;
}

#endif

/* test_bench.c — the benchmark's measuring instruments: the trec_eval-style
 * metrics, the judged-collection loaders with their numbering quirks, the
 * seeded query recipe and the date parser (bench/ sources compiled in). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/corpus.c"
#include "../bench/judged.c"
#include "../bench/queries.c"
#include "../bench/treceval.c"

static void add_qrel_t(bjudged *j, int qid, const char *doc, int rel)
{
    j->qrels = realloc(j->qrels, (j->nqrels + 1) * sizeof *j->qrels);
    j->qrels[j->nqrels].qid = qid;
    j->qrels[j->nqrels].doc = strdup(doc);
    j->qrels[j->nqrels].rel = rel;
    j->nqrels++;
}

/* Query 1: relevant a, c; ranked a b c.  Query 2: relevant x; nothing
 * retrieved.  Query 3: no relevant document, so not averaged. */
static void test_metrics_match_hand_computed_values(void **state)
{
    (void)state;
    bjudged j;
    memset(&j, 0, sizeof j);
    const char *w[] = { "w" };
    for (int q = 0; q < 3; q++) bqueries_add(&j.queries, Q_OR, w, 1, BENCH_NO_DATE, BENCH_NO_DATE, "q");
    int qids[3] = { 1, 2, 3 };
    j.qids = qids;
    add_qrel_t(&j, 1, "a", 1);
    add_qrel_t(&j, 1, "c", 1);
    add_qrel_t(&j, 1, "b", 0);
    add_qrel_t(&j, 2, "x", 1);
    add_qrel_t(&j, 3, "a", 0);
    char *r1[] = { "a", "b", "c" }, *r3[] = { "a" };
    char **run[3] = { r1, NULL, r3 };
    int nrun[3] = { 3, 0, 1 };
    beval e = bench_evaluate(&j, run, nrun);
    assert_int_equal(e.nq, 2);
    double ap1 = (1.0 + 2.0 / 3.0) / 2.0;
    double ndcg1 = (1.0 + 1.0 / log2(4.0)) / (1.0 + 1.0 / log2(3.0));
    assert_true(fabs(e.map - ap1 / 2) < 1e-9);
    assert_true(fabs(e.ndcg10 - ndcg1 / 2) < 1e-9);
    assert_true(fabs(e.p10 - 0.1) < 1e-9);
    for (size_t i = 0; i < j.nqrels; i++) free(j.qrels[i].doc);
    free(j.qrels);
    bqueries_free(&j.queries);
}

static void test_cranfield_queries_numbered_in_file_order(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    bjudged j;
    assert_int_equal(bjudged_load(&j, "cranfield", tu_corpus("cranfield")), 0);
    assert_int_equal(j.docs.n, 1400);
    assert_int_equal(j.queries.n, 225);
    assert_int_equal(j.qids[0], 1);
    assert_int_equal(j.qids[224], 225);
    assert_string_equal(j.docs.docs[0].id, "1");
    assert_true(strncmp(j.docs.docs[0].title, "experimental investigation", 26) == 0);
    /* cran.qry's last .I is 365, yet the qrels call it 225 */
    int has225 = 0;
    for (size_t i = 0; i < j.nqrels; i++) has225 |= j.qrels[i].qid == 225 && j.qrels[i].rel;
    assert_true(has225);
    bjudged_free(&j);
}

static void test_med_and_npl_load_every_judgment(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    bjudged j;
    assert_int_equal(bjudged_load(&j, "med", tu_corpus("med")), 0);
    assert_int_equal(j.docs.n, 1033);
    assert_int_equal(j.queries.n, 30);
    assert_int_equal(j.nqrels, 696);
    bjudged_free(&j);
    assert_int_equal(bjudged_load(&j, "npl", tu_corpus("npl")), 0);
    assert_int_equal(j.docs.n, 11429);
    assert_int_equal(j.queries.n, 93);
    assert_int_equal(j.nqrels, 2083);  /* the last block has no closing '/' */
    assert_int_equal(j.qids[92], 93);
    bjudged_free(&j);
}

static void make_corpus(bcorpus *c)
{
    static const char *const v[] = { "market", "shares", "bank", "oil", "prices", "trade",
                                     "company", "profit", "the", "of", "rates", "dollar" };
    uint64_t s = 7;
    bcorpus_init(c, "t");
    for (int d = 0; d < 600; d++) {
        char body[600] = "", id[16];
        for (int k = 0; k < 40; k++) {
            strcat(body, v[tu_rand(&s) % 12]);
            strcat(body, " ");
        }
        char more[64];  /* a rare word (3 articles) and a mid one (30 articles) */
        snprintf(more, sizeof more, "zq%c%c mid%c", 'a' + d / 3 % 26, 'a' + d / 78, 'a' + d % 20);
        strcat(body, more);
        snprintf(id, sizeof id, "%d", d);
        bcorpus_add(c, id, "title", body, 86400 * (int64_t)d);
    }
}

static int same_queries(const bqueries *a, const bqueries *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->q[i].type != b->q[i].type || a->q[i].nwords != b->q[i].nwords) return 0;
        for (int w = 0; w < a->q[i].nwords; w++)
            if (strcmp(a->q[i].words[w], b->q[i].words[w])) return 0;
    }
    return 1;
}

static void test_derived_queries_follow_the_seed(void **state)
{
    (void)state;
    bcorpus c;
    make_corpus(&c);
    bqueries a = { 0 }, b = { 0 }, d = { 0 };
    bqueries_derive(&a, &c, 10, 42);
    bqueries_derive(&b, &c, 10, 42);
    bqueries_derive(&d, &c, 10, 43);
    assert_true(same_queries(&a, &b));
    assert_false(same_queries(&a, &d));
    int per[Q_NTYPES] = { 0 };
    for (size_t i = 0; i < a.n; i++) {
        const bquery *q = &a.q[i];
        per[q->type]++;
        if (q->type == Q_RARE) assert_memory_equal(q->words[0], "zq", 2);
        if (q->type == Q_PHRASE) assert_int_equal(q->nwords, 2);
        if (q->type == Q_DATE) assert_true(q->since >= c.date_min && q->until > q->since);
        for (int w = 0; w < q->nwords && q->type != Q_PHRASE; w++)
            assert_string_not_equal(q->words[w], "the");
    }
    for (int t = 0; t < Q_NTYPES; t++) assert_int_equal(per[t], 10);
    bqueries_free(&a);
    bqueries_free(&b);
    bqueries_free(&d);
    bcorpus_free(&c);
}

static void test_dates_in_corpus_formats_parse(void **state)
{
    (void)state;
    assert_true(bench_parse_date("1970-01-02") == 86400);
    assert_true(bench_parse_date("1987-02-26T15:01:01Z") == bench_parse_date("26-FEB-1987 15:01:01.79"));
    assert_true(bench_parse_date("1790") == bench_parse_date("1790-01-01"));
    assert_true(bench_parse_date("1790") < 0);
    assert_true(bench_parse_date("not a date") == BENCH_NO_DATE);
    assert_true(bench_parse_date("") == BENCH_NO_DATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_match_hand_computed_values),
        cmocka_unit_test(test_cranfield_queries_numbered_in_file_order),
        cmocka_unit_test(test_med_and_npl_load_every_judgment),
        cmocka_unit_test(test_derived_queries_follow_the_seed),
        cmocka_unit_test(test_dates_in_corpus_formats_parse),
    };
    return cmocka_run_group_tests_name("bench", tests, NULL, NULL);
}

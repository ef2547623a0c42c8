/* test_query.c — the query engine's building blocks: BM25F values against
 * hand computations, bounds, the top-k heap against a full sort, and
 * snippets (windows, markers, multibyte text). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "query/arena.h"
#include "query/bm25.h"
#include "query/snippet.h"
#include "query/topk.h"
#include "util/norm.h"

static void test_bm25_matches_hand_computation(void **s)
{
    (void)s;
    bm25 m;
    /* avg title 4, avg body 20, title weight 2 -> avgdl' = 28 */
    bm25_init(&m, 1.2, 0.75, 2.0, 4.0, 20.0);
    double idf = bm25_idf(3, 100); /* log(1 + 97.5/3.5) */
    assert_true(fabs(idf - log(1.0 + 97.5 / 3.5)) < 1e-12);
    assert_true(fabs(idf - 3.36236) < 1e-4);
    /* tf_title 1, tf_body 2 -> tf' = 4; title 5, body 30 words -> dl' = 40 */
    double K = bm25_norm(&m, norm_encode(5), norm_encode(30));
    double want_K = 1.2 * (1 - 0.75 + 0.75 * 40.0 / 28.0);
    assert_true(fabs(K - want_K) < 1e-12);
    double sc = bm25_tf(&m, idf, 2.0 * 1 + 2, K);
    double hand = 3.36236 * 4 * 2.2 / (4 + 1.2 * (0.25 + 0.75 * 40.0 / 28.0));
    assert_true(fabs(sc - hand) < 1e-3);
    assert_true(fabs(sc - 5.29722) < 1e-4);
    assert_true(bm25_tf(&m, idf, 0, K) == 0.0);
}

static void test_bm25_length_table_is_norm_decode(void **s)
{
    (void)s;
    for (int i = 0; i < 256; i++)
        assert_true(bm25_len[i] == (double)norm_decode((uint8_t)i));
}

static void test_bm25_idf_never_negative_and_decreasing(void **s)
{
    (void)s;
    double prev = 1e9;
    for (uint64_t df = 0; df <= 120; df++) {
        double v = bm25_idf(df, 100); /* df > N is clamped */
        assert_true(v >= 0.0);
        assert_true(v <= prev);
        prev = v;
    }
}

static void test_bm25_bound_covers_every_document_under_it(void **s)
{
    (void)s;
    bm25 m;
    bm25_init(&m, 1.2, 0.75, 2.5, 7.3, 180.2);
    uint64_t st = 7;
    for (int i = 0; i < 20000; i++) {
        uint32_t tt = (uint32_t)(tu_rand(&st) % 5), tb = (uint32_t)(tu_rand(&st) % 40);
        uint8_t tn = (uint8_t)(tu_rand(&st) % 256), bn = (uint8_t)(tu_rand(&st) % 256);
        uint32_t mt = tt + (uint32_t)(tu_rand(&st) % 3), mb = tb + (uint32_t)(tu_rand(&st) % 3);
        uint8_t mtn = (uint8_t)(tu_rand(&st) % (tn + 1u)), mbn = (uint8_t)(tu_rand(&st) % (bn + 1u));
        double idf = bm25_idf(tu_rand(&st) % 1000, 1000);
        double sc = bm25_tf(&m, idf, 2.5 * tt + tb, bm25_norm(&m, tn, bn));
        assert_true(sc <= bm25_bound(&m, idf, mt, mb, mtn, mbn, 3));
        assert_true(sc <= bm25_max(&m, idf));
    }
}

static int cmp_full(const void *a, const void *b)
{
    return topk_better(TK_SCORE, a, b) ? -1 : topk_better(TK_SCORE, b, a) ? 1 : 0;
}

/* Pushes n hits with random tied scores into t (set up for k), and checks
 * that t keeps exactly the first k of their full sort. */
static void topk_check_random(topk *t, size_t n, size_t k, uint64_t *st)
{
    tk_hit *all = malloc(n * sizeof *all);
    assert_non_null(all);
    for (size_t i = 0; i < n; i++) {
        all[i].score = (double)(tu_rand(st) % 10); /* many ties */
        all[i].date = 0;
        all[i].seg = (uint32_t)(i / 100);
        all[i].doc = (uint32_t)(i % 100);
        topk_push(t, &all[i]);
    }
    qsort(all, n, sizeof *all, cmp_full);
    topk_sort(t);
    assert_int_equal(t->n, n < k ? n : k);
    for (size_t i = 0; i < t->n; i++) {
        assert_true(t->h[i].score == all[i].score);
        assert_int_equal(t->h[i].seg, all[i].seg);
        assert_int_equal(t->h[i].doc, all[i].doc);
    }
    free(all);
}

static void test_topk_equals_full_sort_with_ties(void **s)
{
    (void)s;
    uint64_t st = 3;
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + tu_rand(&st) % 300, k = 1 + tu_rand(&st) % 40;
        topk t;
        assert_int_equal(topk_init(&t, k, TK_SCORE), 0);
        topk_check_random(&t, n, k, &st);
        topk_free(&t);
    }
}

static void test_topk_date_order_puts_undated_last(void **s)
{
    (void)s;
    topk t;
    assert_int_equal(topk_init(&t, 3, TK_NEWEST), 0);
    tk_hit h[4] = { { 0, MG_NO_DATE, 0, 0 }, { 0, 100, 0, 1 }, { 0, 300, 0, 2 }, { 0, 200, 0, 3 } };
    for (int i = 0; i < 4; i++)
        topk_push(&t, &h[i]);
    topk_sort(&t);
    assert_int_equal(t.h[0].date, 300);
    assert_int_equal(t.h[1].date, 200);
    assert_int_equal(t.h[2].date, 100);
    topk_free(&t);
    assert_int_equal(topk_init(&t, 4, TK_OLDEST), 0);
    for (int i = 0; i < 4; i++)
        topk_push(&t, &h[i]);
    topk_sort(&t);
    assert_int_equal(t.h[0].date, 100);
    assert_true(t.h[3].date == MG_NO_DATE);
    topk_free(&t);
}

/* Matches tokens whose stem is in a NULL-terminated list. */
static int match_list(void *ctx, const token *t)
{
    for (const char **w = ctx; *w; w++)
        if (strlen(*w) == t->term_len && memcmp(*w, t->term, t->term_len) == 0)
            return 1;
    return 0;
}

static analyzer *english(void)
{
    errbuf e;
    analyzer *a = analyzer_new("english", &e);
    assert_non_null(a);
    return a;
}

static void test_snippet_marks_matches_in_best_window(void **s)
{
    (void)s;
    analyzer *a = english();
    const char *text = "Filler words come first here. Then oil prices rose sharply as oil "
                       "output fell. More filler text follows after the interesting part.";
    const char *terms[] = { "oil", "price", NULL };
    char *sn = snippet_make(a, text, strlen(text), 40, "[", "]", match_list, terms);
    assert_non_null(sn);
    assert_non_null(strstr(sn, "[oil] [prices]"));
    assert_true(strncmp(sn, "...", 3) == 0);
    size_t plain = 0; /* text bytes, markers and ellipses excluded */
    for (const char *p = sn; *p; p++)
        if (*p != '[' && *p != ']' && *p != '.')
            plain++;
    assert_true(plain <= 40);
    free(sn);
    /* No match: the start of the text. */
    const char *none[] = { "zebra", NULL };
    sn = snippet_make(a, text, strlen(text), 20, "<b>", "</b>", match_list, none);
    assert_true(strncmp(sn, "Filler words come", 17) == 0);
    assert_null(strstr(sn, "<b>"));
    free(sn);
    analyzer_free(a);
}

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!n)
            return 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n;
    }
    return 1;
}

static void test_snippet_respects_utf8_on_multibyte_text(void **s)
{
    (void)s;
    analyzer *a = english();
    const char *text = "Ἐν ἀρχῇ ἦν ὁ λόγος — 東京の株価は今日も上昇した。 Le café était très "
                       "animé à Zürich, où l'économie suisse résiste; naïve journalists wrote "
                       "about Zürich again.";
    const char *terms[] = { "zurich", NULL }; /* accents are folded */
    for (size_t want = 1; want < 160; want++) {
        char *sn = snippet_make(a, text, strlen(text), want, "«", "»", match_list, terms);
        assert_non_null(sn);
        assert_true(valid_utf8(sn));
        free(sn);
    }
    char *sn = snippet_make(a, text, strlen(text), 60, "«", "»", match_list, terms);
    assert_non_null(strstr(sn, "«Zürich»"));
    free(sn);
    /* Control characters are shown as spaces. */
    const char *t2 = "line one\nline\ttwo zürich";
    sn = snippet_make(a, t2, strlen(t2), 100, "[", "]", match_list, terms);
    assert_string_equal(sn, "line one line two [zürich]");
    free(sn);
    sn = snippet_make(a, t2, strlen(t2), 0, "[", "]", match_list, terms);
    assert_string_equal(sn, "");
    free(sn);
    analyzer_free(a);
}

/* Allocations are aligned and disjoint; a reset arena serves the same
 * allocations again from the blocks it kept, and gives back what a huge
 * query took beyond QA_KEEP. */
static void test_arena_reuses_its_blocks_and_bounds_what_it_keeps(void **s)
{
    (void)s;
    qarena a = { 0 };
    uint64_t st = 9;
    size_t held = 0;
    for (int round = 0; round < 6; round++) {
        unsigned char *p[300];
        size_t n[300];
        uint64_t st2 = st; /* every round asks for the same sizes */
        size_t count = round == 3 ? 300 : 60; /* round 3: a huge query */
        for (size_t i = 0; i < count; i++) {
            n[i] = 1 + tu_rand(&st2) % (i % 20 == 19 ? (round == 3 ? 20000 : 6000) : 600);
            p[i] = i % 2 ? qa_zalloc(&a, n[i]) : qa_alloc(&a, n[i]);
            assert_non_null(p[i]);
            assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
            if (i % 2)
                for (size_t j = 0; j < n[i]; j++)
                    assert_int_equal(p[i][j], 0);
            memset(p[i], (int)(i & 0xff), n[i]);
        }
        for (size_t i = 0; i < count; i++) /* nothing overwrote anything */
            for (size_t j = 0; j < n[i]; j += 7)
                assert_int_equal(p[i][j], i & 0xff);
        if (round == 2 || round == 5) /* no new block for the same query */
            assert_int_equal(qa_held(&a), held);
        held = qa_held(&a);
        qa_reset(&a);
        assert_true(qa_held(&a) <= QA_KEEP);
    }
    qa_free(&a);
    assert_int_equal(qa_held(&a), 0);
    assert_non_null(qa_alloc(&a, 10)); /* usable again after qa_free */
    qa_free(&a);
}

/* A heap reused from search to search (topk_reinit) with other k and
 * modes keeps exactly the best k each time. */
static void test_topk_reused_across_searches_equals_full_sort(void **s)
{
    (void)s;
    uint64_t st = 5;
    topk t = { 0 };
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + tu_rand(&st) % 300, k = 1 + tu_rand(&st) % (round % 2 ? 200 : 10);
        assert_int_equal(topk_reinit(&t, k, TK_SCORE), 0);
        topk_check_random(&t, n, k, &st);
        topk_trim(&t, 64);
        assert_true(t.cap <= 64);
    }
    topk_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bm25_matches_hand_computation),
        cmocka_unit_test(test_bm25_length_table_is_norm_decode),
        cmocka_unit_test(test_bm25_idf_never_negative_and_decreasing),
        cmocka_unit_test(test_bm25_bound_covers_every_document_under_it),
        cmocka_unit_test(test_topk_equals_full_sort_with_ties),
        cmocka_unit_test(test_topk_date_order_puts_undated_last),
        cmocka_unit_test(test_topk_reused_across_searches_equals_full_sort),
        cmocka_unit_test(test_arena_reuses_its_blocks_and_bounds_what_it_keeps),
        cmocka_unit_test(test_snippet_marks_matches_in_best_window),
        cmocka_unit_test(test_snippet_respects_utf8_on_multibyte_text),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}

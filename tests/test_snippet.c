/* test_snippet.c — snippets highlight what matched: phrases only where they
 * occur and as one span, NEAR operands only within their window, excluded
 * words never, free words everywhere; the window follows idf weight; UTF-8
 * kept whole. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "query/snippet.h"

static const char *axis_body =
    "In his speech the president said that states like these constitute an axis of evil, "
    "arming to threaten the peace of the world. The evil of terror and the axis it forms "
    "were named again.";

/* The snippet of the only hit of query q over a one-article index of body. */
static char *snip_of(const char *body, const char *q, size_t len)
{
    mg_article art = { .id = "a", .title = "Speech", .date = MG_NO_DATE, .body = body };
    char *dir = tu_tmpdir();
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_add(ix, &art), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    mg_searcher *s;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = len;
    o.hl_pre = "<b>";
    o.hl_post = "</b>";
    mg_results *r;
    assert_int_equal(mg_search(s, q, &o, &r), MG_OK);
    assert_int_equal(mg_results_count(r), 1);
    assert_non_null(mg_results_hit(r, 0)->snippet);
    char *sn = strdup(mg_results_hit(r, 0)->snippet);
    mg_results_free(r);
    mg_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
    return sn;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_phrase_is_one_span_only_where_it_occurs(void **state)
{
    (void)state;
    char *sn = snip_of(axis_body, "\"axis of evil\"", 400);
    assert_non_null(strstr(sn, "an <b>axis of evil</b>, arming"));
    assert_int_equal(count_of(sn, "<b>"), 1); /* "evil of", "axis it": not phrases */
    assert_non_null(strstr(sn, "The evil of terror and the axis it"));
    free(sn);
}

static void test_stopword_inside_phrase_not_highlighted_elsewhere(void **state)
{
    (void)state;
    char *sn = snip_of(axis_body, "\"axis of evil\" peace", 400);
    assert_non_null(strstr(sn, "<b>axis of evil</b>"));
    assert_non_null(strstr(sn, "the <b>peace</b> of the world"));
    assert_null(strstr(sn, "<b>of</b>"));
    assert_null(strstr(sn, "<b>the</b>"));
    assert_int_equal(count_of(sn, "<b>"), 2);
    free(sn);
}

static void test_free_words_highlighted_everywhere(void **state)
{
    (void)state;
    char *sn = snip_of(axis_body, "axis evil", 400);
    assert_int_equal(count_of(sn, "<b>axis</b>"), 2);
    assert_int_equal(count_of(sn, "<b>evil</b>"), 2);
    free(sn);
}

static void test_excluded_words_never_highlighted(void **state)
{
    (void)state;
    /* Present in the body, yet excluded: as a phrase that does not occur,
     * or in a field the article does not match in. */
    char *sn = snip_of(axis_body, "peace -\"terror forms\" -title:evil", 400);
    assert_non_null(strstr(sn, "<b>peace</b>"));
    assert_null(strstr(sn, "<b>terror</b>"));
    assert_null(strstr(sn, "<b>evil</b>"));
    assert_int_equal(count_of(sn, "<b>"), 1);
    free(sn);
    sn = snip_of(axis_body, "speech AND NOT (\"world peace\" OR title:threaten)", 400);
    assert_non_null(strstr(sn, "<b>speech</b>"));
    assert_int_equal(count_of(sn, "<b>"), 1);
    free(sn);
}

static void test_near_operands_highlighted_within_their_window(void **state)
{
    (void)state;
    const char *body = "Oil was cheap in the spring, and many other words fill this sentence "
                       "so that the distance grows. Then prices of oil rose, and prices fell "
                       "again much later.";
    char *sn = snip_of(body, "oil NEAR/2 prices", 400);
    assert_non_null(strstr(sn, "Then <b>prices</b> of <b>oil</b> rose, and <b>prices</b> fell"));
    assert_null(strstr(sn, "<b>Oil</b>"));
    free(sn);
    /* A phrase operand counts as a whole. */
    sn = snip_of(body, "\"prices fell\" NEAR/3 oil", 400);
    assert_non_null(strstr(sn, "<b>oil</b> rose, and <b>prices fell</b>"));
    assert_int_equal(count_of(sn, "<b>"), 2);
    free(sn);
}

static void test_exact_and_prefix_words_highlight_their_forms(void **state)
{
    (void)state;
    const char *body = "The runner runs; running late, she ran to the e-mail desk and e-mailed the news.";
    char *sn = snip_of(body, "=running", 400);
    assert_non_null(strstr(sn, "runs; <b>running</b> late"));
    assert_int_equal(count_of(sn, "<b>"), 1);
    free(sn);
    sn = snip_of(body, "run", 400); /* stems: runs, running; not runner, ran */
    assert_non_null(strstr(sn, "runner <b>runs</b>; <b>running</b> late"));
    assert_int_equal(count_of(sn, "<b>"), 2);
    free(sn);
    sn = snip_of(body, "runn*", 400);
    assert_non_null(strstr(sn, "<b>runner</b> runs; <b>running</b>"));
    assert_int_equal(count_of(sn, "<b>"), 2);
    free(sn);
    /* A word the analyzer splits is a phrase of its parts, one span
     * ("e-mailed" is the phrase "e mail" too, stemmed). */
    sn = snip_of(body, "e-mail", 400);
    assert_non_null(strstr(sn, "the <b>e-mail</b> desk and <b>e-mailed</b> the"));
    assert_int_equal(count_of(sn, "<b>"), 2);
    free(sn);
    sn = snip_of(body, "=e-mail", 400);
    assert_non_null(strstr(sn, "the <b>e-mail</b> desk and e-mailed the"));
    assert_int_equal(count_of(sn, "<b>"), 1);
    free(sn);
    sn = snip_of(body, "e-mai*", 400);
    assert_non_null(strstr(sn, "the <b>e-mail</b> desk and <b>e-mailed</b> the"));
    free(sn);
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

static void test_multibyte_phrase_spans_and_cuts(void **state)
{
    (void)state;
    const char *body = "東京の株価は今日も上昇した。 À Zürich, économie suisse résiste, "
                       "mais une économie européenne ralentit et la Suisse exporte moins.";
    char *sn = snip_of(body, "\"economie suisse\"", 400);
    assert_non_null(strstr(sn, "Zürich, <b>économie suisse</b> résiste"));
    assert_int_equal(count_of(sn, "<b>"), 1);
    free(sn);
    for (size_t want = 1; want < 120; want += 7) {
        sn = snip_of(body, "\"economie suisse\" zurich", want);
        assert_true(valid_utf8(sn));
        free(sn);
    }
    sn = snip_of(body, "\"economie suisse\" zurich", 40);
    assert_non_null(strstr(sn, "<b>économie suisse</b>"));
    free(sn);
}

/* Direct: the window with the rare word wins over many frequent ones. */
static void test_window_follows_idf_not_counts(void **state)
{
    (void)state;
    errbuf e;
    analyzer *a = analyzer_new("english", &e);
    assert_non_null(a);
    char text[2048] = "";
    for (int i = 0; i < 20; i++)
        strcat(text, "the king of the hill and of the valley. ");
    strcat(text, "Later a zanzibar trader came. ");
    for (int i = 0; i < 10; i++)
        strcat(text, "Filler prose ends it here. ");
    snip_word w[3] = { { SNIP_STEM, "the", 3, 0 }, { SNIP_STEM, "of", 2, 0 },
                       { SNIP_STEM, "zanzibar", 8, 0 } };
    snip_unit u[3] = { { &w[0], 1, 0.05, 0, 0, 0 }, { &w[1], 1, 0.05, 0, 0, 0 },
                       { &w[2], 1, 4.0, 0, 0, 0 } };
    snip_query q = { u, 3 };
    char *sn = snippet_query(a, text, strlen(text), 60, "[", "]", &q);
    assert_non_null(sn);
    assert_non_null(strstr(sn, "[zanzibar]"));
    free(sn);
    /* Without the rare word, the frequent ones are marked from the start. */
    q.nu = 2;
    sn = snippet_query(a, text, strlen(text), 60, "[", "]", &q);
    assert_true(strncmp(sn, "[the] king [of] [the] hill", 26) == 0);
    free(sn);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phrase_is_one_span_only_where_it_occurs),
        cmocka_unit_test(test_stopword_inside_phrase_not_highlighted_elsewhere),
        cmocka_unit_test(test_free_words_highlighted_everywhere),
        cmocka_unit_test(test_excluded_words_never_highlighted),
        cmocka_unit_test(test_near_operands_highlighted_within_their_window),
        cmocka_unit_test(test_exact_and_prefix_words_highlight_their_forms),
        cmocka_unit_test(test_multibyte_phrase_spans_and_cuts),
        cmocka_unit_test(test_window_follows_idf_not_counts),
    };
    return cmocka_run_group_tests_name("snippet", tests, NULL, NULL);
}

/* test_query_parser.c — the query language: every construct's tree, the
 * lenient readings, and every syntax error class with its column. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/parser.h"

/* Parses q and returns its dump (static buffer), or "ERR@col" on error. */
static const char *P(const char *q, int default_and)
{
    static char out[1024];
    qast *a = NULL;
    errbuf e;
    size_t col = 0;
    int rc = qparse(q, strlen(q), default_and, &a, &e, &col);
    if (rc != MG_OK) {
        assert_int_equal(rc, MG_ESYNTAX);
        assert_null(a);
        assert_true(strlen(e.msg) > 0);
        snprintf(out, sizeof out, "ERR@%zu", col);
        return out;
    }
    buf b;
    buf_init(&b);
    qnode_dump(qast_root(a), &b);
    snprintf(out, sizeof out, "%s", buf_cstr(&b));
    buf_free(&b);
    qast_free(a);
    return out;
}

#define EXPECT(q, want) assert_string_equal(P(q, 0), want)
#define EXPECT_AND(q, want) assert_string_equal(P(q, 1), want)

static const char *errmsg(const char *q)
{
    static errbuf e;
    qast *a = NULL;
    size_t col;
    assert_int_equal(qparse(q, strlen(q), 0, &a, &e, &col), MG_ESYNTAX);
    return e.msg;
}

static void test_free_text_is_or_by_default_and_and_on_request(void **s)
{
    (void)s;
    EXPECT("oil", "oil");
    EXPECT("oil price", "(oil price)");
    EXPECT_AND("oil price", "(+oil +price)");
    EXPECT("  oil \t price\n", "(oil price)");
    EXPECT("", "()");
    EXPECT("   ", "()");
}

static void test_phrases_fields_prefix_and_exact_forms(void **s)
{
    (void)s;
    EXPECT("\"new york\" times", "(\"new york\" times)");
    EXPECT("title:election", "title:election");
    EXPECT("Title:election body:\"vote count\"", "(title:election body:\"vote count\")");
    EXPECT("source:reuters section:world author:smith",
           "(source:reuters section:world author:smith)");
    EXPECT("comput*", "comput*");
    EXPECT("title:comput**", "title:comput*");
    EXPECT("=running", "=running");
    EXPECT("=\"the running man\"", "=\"the running man\"");
    EXPECT("title:=running", "title:=running");
    EXPECT("title:(a \"b c\" d*)", "(title:a title:\"b c\" title:d*)");
    EXPECT("e-mail", "e-mail");
    EXPECT("c++ a=b", "(c++ a=b)");
}

static void test_boolean_precedence_or_below_and_below_not(void **s)
{
    (void)s;
    EXPECT("a OR b", "(a b)");
    EXPECT("a AND b", "(+a +b)");
    EXPECT("a b AND c", "(a (+b +c))");
    EXPECT("a OR b AND c", "(a (+b +c))");
    EXPECT("a AND b OR c", "((+a +b) c)");
    EXPECT("(a OR b) AND c", "(+(a b) +c)");
    EXPECT("a NOT b", "(+a -b)");
    EXPECT("a NOT b NOT c", "(+a -b -c)");
    EXPECT("a AND NOT b", "(+a -b)");
    EXPECT("a and b or c", "(a and b or c)"); /* lowercase: words */
    EXPECT("a OR NOT b", "(a (-b))");          /* complement inside OR */
}

static void test_must_and_mustnot_modifiers(void **s)
{
    (void)s;
    EXPECT("+a b -c", "(+a b -c)");
    EXPECT_AND("+a b -c", "(+a +b -c)");
    EXPECT("-\"new york\" city", "(-\"new york\" city)");
    EXPECT("a -(b OR c)", "(a -(b c))");
    EXPECT("NOT a b", "(-a b)");
    EXPECT("a - b + c", "(a b c)"); /* lone signs are noise */
}

static void test_pure_negative_query_is_kept(void **s)
{
    (void)s;
    EXPECT("-sport", "(-sport)");
    EXPECT("NOT a", "(-a)");
    EXPECT("-a -b", "(-a -b)");
}

static void test_near_default_and_explicit_distance(void **s)
{
    (void)s;
    EXPECT("oil NEAR price", "(near/10 oil price)");
    EXPECT("oil NEAR/3 price", "(near/3 oil price)");
    EXPECT("a NEAR/5 \"b c\" NEAR/2 d", "(near/2 a \"b c\" d)");
    EXPECT("x a NEAR/0 b", "(x (near/0 a b))");
}

static void test_dates_cover_whole_periods(void **s)
{
    (void)s;
    EXPECT("date:2020-01-01..2020-06-30", "(+date:2020-01-01T00:00:00..2020-06-30T23:59:59)");
    EXPECT("date:..1999", "(+date:*..1999-12-31T23:59:59)");
    EXPECT("date:2021..", "(+date:2021-01-01T00:00:00..*)");
    EXPECT("date:2020-02", "(+date:2020-02-01T00:00:00..2020-02-29T23:59:59)");
    EXPECT("date:1900-02", "(+date:1900-02-01T00:00:00..1900-02-28T23:59:59)");
    EXPECT("oil date:2020", "(oil +date:2020-01-01T00:00:00..2020-12-31T23:59:59)");
    EXPECT("oil -date:2020", "(oil -date:2020-01-01T00:00:00..2020-12-31T23:59:59)");
    assert_int_equal(qp_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(qp_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(qp_days_from_civil(1969, 12, 31), -1);
}

static void test_lenient_readings(void **s)
{
    (void)s;
    EXPECT("new york\"", "(new york)");   /* lone trailing quote */
    EXPECT("new york \"  ", "(new york)");
    EXPECT("note: this", "(note: this)"); /* word followed by a colon */
    EXPECT("http://example.com/x", "http://example.com/x");
    EXPECT("at 10:30", "(at 10:30)");
    EXPECT("\"\"", "\"\"");
    EXPECT("((a))", "a");
}

static void test_unbalanced_quotes_and_parentheses_give_columns(void **s)
{
    (void)s;
    EXPECT("a \"new york", "ERR@3");
    EXPECT("(a b", "ERR@1");
    EXPECT("a (b (c)", "ERR@3");
    EXPECT("a b)", "ERR@4");
    EXPECT("a ()", "ERR@3");
    EXPECT("x ) y", "ERR@3");
    assert_non_null(strstr(errmsg("(a b"), "column 1"));
    assert_non_null(strstr(errmsg("a \"b"), "quote"));
}

static void test_dangling_operators_give_columns(void **s)
{
    (void)s;
    EXPECT("a AND", "ERR@3");
    EXPECT("AND a", "ERR@1");
    EXPECT("a OR", "ERR@3");
    EXPECT("a OR OR b", "ERR@3");
    EXPECT("a NOT", "ERR@3");
    EXPECT("NOT", "ERR@1");
    EXPECT("a NEAR", "ERR@3");
    EXPECT("(a AND) b", "ERR@4");
    EXPECT("a NEAR/x b", "ERR@3");
    EXPECT("a NEAR/ b", "ERR@3");
    EXPECT("a NEAR/3 b*", "ERR@10");
    EXPECT("a NEAR (b OR c)", "ERR@8");
    EXPECT("= a", "a");               /* '=' then a space: noise */
    EXPECT("=(a)", "ERR@1");
}

static void test_unknown_fields_and_empty_field_values(void **s)
{
    (void)s;
    EXPECT("a foo:bar", "ERR@3");
    assert_non_null(strstr(errmsg("foo:bar"), "unknown field 'foo'"));
    EXPECT("title:)", "ERR@7"); /* "title:" is a word, then an unmatched ')' */
    EXPECT("x title:(", "ERR@9");
    EXPECT("title:AND", "ERR@1");
}

static void test_bad_dates_give_columns(void **s)
{
    (void)s;
    EXPECT("date:2020-13", "ERR@6");
    EXPECT("date:2021-02-29", "ERR@6");
    EXPECT("date:20", "ERR@6");
    EXPECT("date:..", "ERR@6");
    EXPECT("date:2020..19x9", "ERR@12");
    EXPECT("date:2021..2020", "ERR@6");
    EXPECT("a date:\"2020\"", "ERR@3");
    EXPECT("date:2020*", "ERR@1");
}

static void test_columns_count_characters_not_bytes(void **s)
{
    (void)s;
    EXPECT("café AND", "ERR@6");
    EXPECT("東京 (x", "ERR@4");
    assert_int_equal(qp_column("aé", 3, 3), 3);
}

static void test_deep_nesting_and_long_queries_are_refused(void **s)
{
    (void)s;
    char q[300];
    memset(q, '(', 200);
    q[200] = 'a';
    memset(q + 201, ')', 50);
    q[251] = '\0';
    assert_string_equal(P(q, 0), "ERR@66");
    memset(q, '-', 200);
    q[200] = 'a';
    q[201] = '\0';
    assert_true(strncmp(P(q, 0), "ERR@", 4) == 0);
    size_t n = QP_MAX_QUERY + 10;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    qast *a;
    errbuf e;
    size_t col;
    assert_int_equal(qparse(big, n, 0, &a, &e, &col), MG_ESYNTAX);
    free(big);
}

static void test_parser_never_reads_past_len(void **s)
{
    (void)s;
    /* "a \"b" with len 3: the quote is the last byte -> lenient. */
    qast *a;
    errbuf e;
    size_t col;
    assert_int_equal(qparse("a \"bcd\"", 3, 0, &a, &e, &col), MG_OK);
    buf b;
    buf_init(&b);
    qnode_dump(qast_root(a), &b);
    assert_string_equal(buf_cstr(&b), "a");
    buf_free(&b);
    qast_free(a);
    /* Random bytes never crash and errors always carry a column. */
    uint64_t st = 42;
    const char alphabet[] = "ab \"()+-=*:/.NEARODT0123456789";
    for (int i = 0; i < 20000; i++) {
        char q[24];
        size_t n = tu_rand(&st) % sizeof q;
        for (size_t k = 0; k < n; k++)
            q[k] = alphabet[tu_rand(&st) % (sizeof alphabet - 1)];
        int rc = qparse(q, n, (int)(i & 1), &a, &e, &col);
        if (rc == MG_OK)
            qast_free(a);
        else
            assert_true(rc == MG_ESYNTAX && col >= 1 && col <= n + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_text_is_or_by_default_and_and_on_request),
        cmocka_unit_test(test_phrases_fields_prefix_and_exact_forms),
        cmocka_unit_test(test_boolean_precedence_or_below_and_below_not),
        cmocka_unit_test(test_must_and_mustnot_modifiers),
        cmocka_unit_test(test_pure_negative_query_is_kept),
        cmocka_unit_test(test_near_default_and_explicit_distance),
        cmocka_unit_test(test_dates_cover_whole_periods),
        cmocka_unit_test(test_lenient_readings),
        cmocka_unit_test(test_unbalanced_quotes_and_parentheses_give_columns),
        cmocka_unit_test(test_dangling_operators_give_columns),
        cmocka_unit_test(test_unknown_fields_and_empty_field_values),
        cmocka_unit_test(test_bad_dates_give_columns),
        cmocka_unit_test(test_columns_count_characters_not_bytes),
        cmocka_unit_test(test_deep_nesting_and_long_queries_are_refused),
        cmocka_unit_test(test_parser_never_reads_past_len),
    };
    return cmocka_run_group_tests_name("query_parser", tests, NULL, NULL);
}

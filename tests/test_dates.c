/* test_dates.c — every date format ingest accepts, time zones, periods for
 * --until, ISO formatting, and rejection of things that are not dates. */
#include "testutil.h"

#include <string.h>

#include "ingest/date.h"

/* 2026-11-24T00:00:00Z */
#define D20261124 1795478400LL

static int64_t parse_ok(const char *s, int expect_prec)
{
    int64_t t = 0;
    int prec = 0;
    if (date_parse(s, &t, &prec) != 0)
        fail_msg("did not parse: \"%s\"", s);
    if (expect_prec && prec != expect_prec)
        fail_msg("\"%s\": precision %d, expected %d", s, prec, expect_prec);
    return t;
}

static void test_iso_dates_with_and_without_time_and_zone(void **state)
{
    (void)state;
    assert_true(parse_ok("2026-11-24", DATE_DAY) == D20261124);
    assert_true(parse_ok("2026-11-24T10:30:05Z", DATE_SECOND) == D20261124 + 37805);
    assert_true(parse_ok("2026-11-24 10:30:05", DATE_SECOND) == D20261124 + 37805);
    assert_true(parse_ok("2026-11-24T10:30", DATE_SECOND) == D20261124 + 37800);
    assert_true(parse_ok("2026-11-24T10:30:05.123+01:00", DATE_SECOND) == D20261124 + 37805 - 3600);
    assert_true(parse_ok("2026-11-24T10:30:05-0500", DATE_SECOND) == D20261124 + 37805 + 5 * 3600);
    assert_true(parse_ok("  2026-11-24T10:30:05+00:00 ", DATE_SECOND) == D20261124 + 37805);
    assert_true(parse_ok("2026-11", DATE_MONTH) == D20261124 - 23 * 86400);
    assert_true(parse_ok("20261124", DATE_DAY) == D20261124);
    assert_true(parse_ok("2026/11/24", DATE_DAY) == D20261124);
    assert_true(parse_ok("1970-01-01T00:00:00Z", DATE_SECOND) == 0);
    assert_true(parse_ok("1969-12-31T23:59:59Z", DATE_SECOND) == -1);
}

static void test_rfc2822_dates_and_named_zones(void **state)
{
    (void)state;
    assert_true(parse_ok("Tue, 24 Nov 2026 10:30:05 +0000", DATE_SECOND) == D20261124 + 37805);
    assert_true(parse_ok("Tue, 24 Nov 2026 10:30:05 GMT", DATE_SECOND) == D20261124 + 37805);
    assert_true(parse_ok("24 Nov 2026 10:30:05 EST", DATE_SECOND) == D20261124 + 37805 + 5 * 3600);
    assert_true(parse_ok("Tuesday, 24 November 2026 10:30 -0800", DATE_SECOND) ==
                D20261124 + 37800 + 8 * 3600);
}

static void test_day_month_and_month_day_forms(void **state)
{
    (void)state;
    assert_true(parse_ok("24 Nov 2026", DATE_DAY) == D20261124);
    assert_true(parse_ok("24 November 2026", DATE_DAY) == D20261124);
    assert_true(parse_ok("Nov 24, 2026", DATE_DAY) == D20261124);
    assert_true(parse_ok("November 24th, 2026", DATE_DAY) == D20261124);
    assert_true(parse_ok("Sept 24 2026", DATE_DAY) == D20261124 - 61 * 86400);
    assert_true(parse_ok("November 2026", DATE_MONTH) == D20261124 - 23 * 86400);
    assert_true(parse_ok("Nov 24, 2026 3:15 PM", DATE_SECOND) == D20261124 + 15 * 3600 + 15 * 60);
    assert_true(parse_ok("Nov 24, 2026 12:00 am", DATE_SECOND) == D20261124);
}

static void test_reuters_date_format(void **state)
{
    (void)state;
    /* 1987-02-26T15:01:01Z = 541350061 */
    assert_true(parse_ok("26-FEB-1987 15:01:01.79", DATE_SECOND) == 541350061LL);
    assert_true(parse_ok(" 3-MAR-1987 09:18:21.26", DATE_SECOND) == 541761501LL);
}

static void test_bare_years_and_unix_seconds(void **state)
{
    (void)state;
    assert_true(parse_ok("1987", DATE_YEAR) == 536457600LL);
    assert_true(parse_ok("1700000000", DATE_SECOND) == 1700000000LL);
    assert_true(parse_ok("1700000000123", DATE_SECOND) == 1700000000LL);
    assert_true(parse_ok("1790", DATE_YEAR) < 0);
}

static void test_garbage_and_impossible_dates_are_rejected(void **state)
{
    (void)state;
    const char *bad[] = { "", "   ", "yesterday", "next tuesday", "2026-13-01", "2026-02-30",
                          "2026-11-24T25:00", "31 Foo 2026", "Nov 2026 banana", "12", "2026-11-24T10:30 +25:00",
                          "24 Nov", "1/2/3/4", "2026-11-24junk" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t t;
        if (date_parse(bad[i], &t, NULL) == 0)
            fail_msg("accepted \"%s\" as %lld", bad[i], (long long)t);
    }
    int64_t t;
    assert_int_equal(date_parse(NULL, &t, NULL), -1);
    assert_int_equal(date_parse("2024-02-29", &t, NULL), 0); /* leap day */
    assert_int_equal(date_parse("2023-02-29", &t, NULL), -1);
}

static void test_period_end_covers_the_named_period(void **state)
{
    (void)state;
    int64_t t;
    int prec;
    assert_int_equal(date_parse("1987", &t, &prec), 0);
    assert_true(date_period_end(t, prec) == 567993599LL); /* 1987-12-31T23:59:59Z */
    assert_int_equal(date_parse("1987-02", &t, &prec), 0);
    assert_true(date_period_end(t, prec) == 541555199LL); /* 1987-02-28T23:59:59Z */
    assert_int_equal(date_parse("1987-12", &t, &prec), 0);
    assert_true(date_period_end(t, prec) == 567993599LL);
    assert_int_equal(date_parse("1987-02-26", &t, &prec), 0);
    assert_true(date_period_end(t, prec) == 541382399LL);
    assert_int_equal(date_parse("1987-02-26T15:01:01Z", &t, &prec), 0);
    assert_true(date_period_end(t, prec) == t);
}

static void test_iso_formatting_round_trips(void **state)
{
    (void)state;
    char out[32];
    date_format_iso(541350061LL, out, sizeof out);
    assert_string_equal(out, "1987-02-26T15:01:01Z");
    date_format_iso(-1, out, sizeof out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    date_format_iso(parse_ok("1790-01-08", DATE_DAY), out, sizeof out);
    assert_string_equal(out, "1790-01-08T00:00:00Z");
    for (int64_t x = -5000000000LL; x < 5000000000LL; x += 123456789) {
        date_format_iso(x, out, sizeof out);
        assert_true(parse_ok(out, DATE_SECOND) == x);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_dates_with_and_without_time_and_zone),
        cmocka_unit_test(test_rfc2822_dates_and_named_zones),
        cmocka_unit_test(test_day_month_and_month_day_forms),
        cmocka_unit_test(test_reuters_date_format),
        cmocka_unit_test(test_bare_years_and_unix_seconds),
        cmocka_unit_test(test_garbage_and_impossible_dates_are_rejected),
        cmocka_unit_test(test_period_end_covers_the_named_period),
        cmocka_unit_test(test_iso_formatting_round_trips),
    };
    return cmocka_run_group_tests_name("dates", tests, NULL, NULL);
}

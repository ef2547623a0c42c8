/* test_api.c — the public C API as an embedding program sees it: version,
 * status names, exported symbols of the shared library, `make install` with
 * pkg-config, NULL handles, error messages, a service's whole lifecycle,
 * one searcher shared by threads while it reopens, and the example program. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"

static const char *build_dir(void)
{
    const char *b = getenv("MORGUE_BUILD");
    return b && *b ? b : "build";
}

static const char *src_dir(void)
{
    const char *s = getenv("MORGUE_SRC");
    return s && *s ? s : ".";
}

/* Sanitizer builds need the same runtime in programs linked to the .so. */
static const char *san_flags(void)
{
    const char *b = build_dir();
    size_t n = strlen(b);
    return n >= 9 && strcmp(b + n - 9, "build-san") == 0 ? "-fsanitize=address,undefined" : "";
}

static void test_version_macro_matches_library(void **state)
{
    (void)state;
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", MORGUE_VERSION_MAJOR, MORGUE_VERSION_MINOR,
             MORGUE_VERSION_PATCH);
    assert_string_equal(MORGUE_VERSION, want);
    assert_string_equal(mg_version(), MORGUE_VERSION);
    assert_int_equal(MORGUE_VERSION_NUMBER, MORGUE_VERSION_MAJOR * 10000 +
                                                MORGUE_VERSION_MINOR * 100 + MORGUE_VERSION_PATCH);
}

static void test_every_status_has_its_own_name(void **state)
{
    (void)state;
    const char *seen[MG_EINTERRUPTED + 1];
    for (int c = MG_OK; c <= MG_EINTERRUPTED; c++) {
        seen[c] = mg_strerror(c);
        assert_non_null(seen[c]);
        assert_true(strlen(seen[c]) > 0);
        assert_string_not_equal(seen[c], "unknown error");
        for (int d = MG_OK; d < c; d++)
            assert_string_not_equal(seen[c], seen[d]);
    }
    assert_string_equal(mg_strerror(-1), "unknown error");
    assert_string_equal(mg_strerror(MG_EINTERRUPTED + 1), "unknown error");
    assert_string_equal(mg_strerror(MG_ENOTFOUND), "not found");
}

/* Only the public mg_* functions may be visible in libmorgue.so.
 * Sanitizer builds add their own instrumentation symbols (__asan_*,
 * __odr_asan*, __ubsan_*), which are not ours. */
static void test_shared_library_exports_only_mg_symbols(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = tu_sh(&out, NULL, "nm -D --defined-only '%s/libmorgue.so' | awk '{print $3}'",
                   build_dir());
    assert_int_equal(rc, 0);
    int nmg = 0, bad = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "mg_", 3) == 0) {
            nmg++;
            continue;
        }
        if (strncmp(line, "__asan", 6) == 0 || strncmp(line, "__odr_asan", 10) == 0 ||
            strncmp(line, "___asan", 7) == 0 || strncmp(line, "__ubsan", 7) == 0 ||
            strncmp(line, "__sancov", 8) == 0 || line[0] == '\0')
            continue;
        print_message("exported but not public: %s\n", line);
        bad++;
    }
    free(out);
    assert_int_equal(bad, 0);
    assert_true(nmg >= 2); /* at least mg_version and mg_strerror */
}

/* Every function declared MG_API in the header is defined in the .so. */
static void test_every_declared_function_is_exported(void **state)
{
    (void)state;
    char *missing = NULL;
    int rc = tu_sh(&missing, NULL,
                   "grep -o '^MG_API [^(]*(' '%s/include/morgue.h' | sed 's/($//; s/.*[ *]//' "
                   "| sort -u | while read f; do nm -D --defined-only '%s/libmorgue.so' "
                   "| awk '{print $3}' | grep -qx \"$f\" || echo \"$f\"; done",
                   src_dir(), build_dir());
    assert_int_equal(rc, 0);
    if (*missing)
        print_message("declared in morgue.h, not in libmorgue.so:\n%s", missing);
    int ok = *missing == '\0';
    free(missing);
    assert_true(ok);
}

/* `make install PREFIX=tmp`, then a program built with pkg-config only. */
static void test_make_install_and_pkg_config_build_a_program(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir();
    char *out = NULL, *err = NULL;
    int rc = tu_sh(&out, &err,
                   "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C '%s' install "
                   "PREFIX='%s/usr' BUILD='%s' %s",
                   src_dir(), tmp, build_dir(), *san_flags() ? "SANITIZE=1" : "");
    if (rc != 0)
        print_message("make install failed:\n%s\n%s\n", out, err);
    assert_int_equal(rc, 0);
    free(out), free(err);

    char path[4096];
    snprintf(path, sizeof path, "%s/prog.c", tmp);
    tu_writef(path, "#include <morgue.h>\n#include <stdio.h>\n"
                    "int main(void) {\n"
                    "  printf(\"%%s %%d %%s\\n\", mg_version(), MORGUE_VERSION_NUMBER,\n"
                    "         mg_strerror(MG_ENOTFOUND));\n"
                    "  return 0;\n}\n");
    rc = tu_sh(&out, &err,
               "cd '%s' && export PKG_CONFIG_PATH='%s/usr/lib/pkgconfig' && "
               "test -f usr/include/morgue.h && test -x usr/bin/morgue && "
               "test -f usr/lib/libmorgue.a && "
               "cc -std=c11 -Wall -Werror %s prog.c $(pkg-config --cflags --libs morgue) -o prog && "
               "LD_LIBRARY_PATH='%s/usr/lib' ./prog && pkg-config --modversion morgue",
               tmp, tmp, san_flags(), tmp);
    if (rc != 0)
        print_message("pkg-config build failed:\n%s\n%s\n", out, err);
    assert_int_equal(rc, 0);
    char want[128];
    snprintf(want, sizeof want, "%s %d not found\n%s\n", MORGUE_VERSION, MORGUE_VERSION_NUMBER,
             MORGUE_VERSION);
    assert_string_equal(out, want);
    free(out), free(err);
    tu_rmrf(tmp);
    free(tmp);
}

/* ------------------------------------------------- handles and errors */

static void test_null_handles_get_einval_not_a_crash(void **state)
{
    (void)state;
    mg_article a = { .id = "x", .title = "t", .date = MG_NO_DATE };
    mg_doc *d = (mg_doc *)&a; /* must be reset to NULL */
    mg_stats st;
    assert_int_equal(mg_index_close(NULL), MG_OK);
    assert_non_null(mg_errmsg(NULL));
    assert_int_equal(mg_index_add(NULL, &a), MG_EINVAL);
    assert_int_equal(mg_index_delete(NULL, "x"), MG_EINVAL);
    assert_int_equal(mg_index_commit(NULL), MG_EINVAL);
    assert_int_equal(mg_index_rollback(NULL), MG_EINVAL);
    assert_int_equal(mg_index_optimize(NULL), MG_EINVAL);
    assert_int_equal(mg_index_check(NULL), MG_EINVAL);
    assert_int_equal(mg_index_stats(NULL, &st), MG_EINVAL);
    assert_int_equal(mg_index_get(NULL, "x", &d), MG_EINVAL);
    assert_null(d);
    mg_index_interrupt(NULL);
    mg_doc_free(NULL);
    assert_int_equal(mg_index_open("/tmp", MG_RDONLY, NULL, NULL), MG_EINVAL);
    mg_open_options o;
    mg_open_options_init(&o);
    o.threads = 3;
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open("/tmp/morgue-no-index", MG_WRITE | MG_CREATE, &o, &ix), MG_EINVAL);
    assert_non_null(strstr(mg_errmsg(ix), "threads"));
    mg_index_close(ix);

    mg_searcher *s = (mg_searcher *)&a;
    assert_int_equal(mg_searcher_open(NULL, &s), MG_EINVAL);
    assert_null(s);
    assert_int_equal(mg_searcher_open_path("/tmp", NULL), MG_EINVAL);
    assert_int_equal(mg_searcher_reopen(NULL), MG_EINVAL);
    assert_non_null(mg_searcher_errmsg(NULL));
    mg_searcher_close(NULL);

    mg_results *r = NULL;
    assert_int_equal(mg_search(NULL, "x", NULL, &r), MG_EINVAL);
    assert_non_null(r); /* a results object says what went wrong */
    assert_int_equal(mg_results_status(r), MG_EINVAL);
    assert_true(strlen(mg_results_errmsg(r)) > 0);
    assert_int_equal(mg_results_count(r), 0);
    mg_results_free(r);
    assert_int_equal(mg_search(NULL, "x", NULL, NULL), MG_EINVAL);
    mg_results_free(NULL);
}

/* Builds a small index of n articles: "a0".. with words per article. */
static void build(const char *dir, int n)
{
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    for (int i = 0; i < n; i++) {
        char id[16], title[64], body[128];
        snprintf(id, sizeof id, "a%d", i);
        snprintf(title, sizeof title, "Harbour report %d", i);
        snprintf(body, sizeof body, "Ships and cargo %s in the harbour, day %d.",
                 i % 2 ? "arrived" : "departed", i);
        mg_article a = { .id = id, .title = title, .body = body, .url = "http://x/a",
                         .source = "Wire", .section = "Port", .author = "Ann Lee",
                         .date = 946684800 + (int64_t)i * 86400 };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_close(ix), MG_OK);
}

static void test_errors_say_what_went_wrong(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096], missing[4096];
    snprintf(dir, sizeof dir, "%s/ix", tmp);
    snprintf(missing, sizeof missing, "%s/nothing-here", tmp);
    mg_index *ix = NULL, *ix2 = NULL;
    int rc = mg_index_open(missing, MG_RDONLY, NULL, &ix);
    assert_int_not_equal(rc, MG_OK);
    assert_non_null(ix);
    assert_non_null(strstr(mg_errmsg(ix), "nothing-here"));
    mg_index_close(ix);

    build(dir, 3);
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix2), MG_ELOCKED);
    assert_true(strlen(mg_errmsg(ix2)) > 0);
    mg_index_close(ix2);
    mg_article noid = { .title = "no id", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &noid), MG_EINVAL);
    assert_true(strlen(mg_errmsg(ix)) > 0);
    assert_int_equal(mg_index_add(ix, NULL), MG_EINVAL);
    assert_int_equal(mg_index_delete(ix, "nope"), MG_ENOTFOUND);
    mg_index_close(ix);

    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &ix), MG_OK);
    mg_article a = { .id = "z", .title = "t", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_EREADONLY);
    mg_doc *d = NULL;
    assert_int_equal(mg_index_get(ix, "nope", &d), MG_ENOTFOUND);
    assert_null(d);
    assert_non_null(strstr(mg_errmsg(ix), "nope"));
    mg_index_close(ix);

    mg_searcher *s = NULL;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    mg_results *r = NULL;
    assert_int_equal(mg_search(s, "harbour \"cargo", NULL, &r), MG_ESYNTAX);
    assert_int_equal(mg_results_status(r), MG_ESYNTAX);
    assert_true(strlen(mg_results_errmsg(r)) > 0);
    assert_true(mg_results_error_column(r) >= 1 && mg_results_error_column(r) <= 14);
    mg_results_free(r);
    mg_searcher_close(s);
    tu_rmrf(tmp);
    free(tmp);
}

/* What a service does, start to end, through the public API only. */
static void test_service_lifecycle_through_the_public_api(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096];
    snprintf(dir, sizeof dir, "%s/ix", tmp);
    build(dir, 10);
    mg_searcher *s = NULL;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = 3;
    o.offset = 1;
    o.sort = MG_SORT_OLDEST;
    o.since = 946684800 + 2 * 86400; /* a2 .. a8 */
    o.until = 946684800 + 8 * 86400;
    o.fields = MG_FIELDS_DEFAULT | MG_FIELD_BODY;
    o.hl_pre = "<<";
    o.hl_post = ">>";
    mg_results *r = NULL;
    assert_int_equal(mg_search(s, "harbour", &o, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 7);
    assert_int_equal(mg_results_count(r), 3);
    const char *want[] = { "a3", "a4", "a5" };
    for (size_t i = 0; i < 3; i++) {
        const mg_hit *h = mg_results_hit(r, i);
        assert_string_equal(h->id, want[i]);
        assert_string_equal(h->source, "Wire");
        assert_string_equal(h->section, "Port");
        assert_string_equal(h->author, "Ann Lee");
        assert_string_equal(h->url, "http://x/a");
        assert_non_null(strstr(h->body, "harbour"));
        assert_non_null(strstr(h->snippet, "<<"));
        assert_int_equal(h->date, 946684800 + (int64_t)(3 + i) * 86400);
    }
    mg_results_free(r);

    /* writes, then a reopen shows them to the same searcher */
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    mg_article a = { .id = "new", .title = "Lighthouse keeper", .body = "harbour light",
                     .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    assert_int_equal(mg_index_delete(ix, "a0"), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_search(s, "lighthouse", NULL, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 0); /* still the old snapshot */
    mg_results_free(r);
    assert_int_equal(mg_searcher_reopen(s), MG_OK);
    assert_int_equal(mg_search(s, "lighthouse", NULL, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 1);
    assert_string_equal(mg_results_hit(r, 0)->id, "new");
    assert_true(mg_results_hit(r, 0)->score > 0);
    mg_results_free(r);

    mg_doc *d = NULL;
    assert_int_equal(mg_index_get(ix, "a7", &d), MG_OK);
    assert_string_equal(d->a.title, "Harbour report 7");
    assert_string_equal(d->a.author, "Ann Lee");
    mg_doc_free(d);
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 10);
    assert_int_equal(mg_index_check(ix), MG_OK);
    /* results and documents outlive the handles that made them */
    assert_int_equal(mg_index_get(ix, "new", &d), MG_OK);
    assert_int_equal(mg_search(s, "lighthouse", NULL, &r), MG_OK);
    mg_index_close(ix);
    mg_searcher_close(s);
    assert_string_equal(mg_results_hit(r, 0)->title, "Lighthouse keeper");
    assert_string_equal(d->a.body, "harbour light");
    mg_results_free(r);
    mg_doc_free(d);
    tu_rmrf(tmp);
    free(tmp);
}

typedef struct searcher_job {
    mg_searcher *s;
    int bad;
    atomic_int *stop;
} searcher_job;

/* Searches in a loop; every answer must be one of the committed states:
 * n harbour articles for some n between 20 and 40. */
static void *search_loop(void *arg)
{
    searcher_job *j = arg;
    for (int i = 0; i < 200 || !atomic_load(j->stop); i++) {
        mg_results *r = NULL;
        int rc = mg_search(j->s, "harbour", NULL, &r);
        uint64_t t = mg_results_total(r);
        if (rc != MG_OK || t < 20 || t > 40 || mg_results_count(r) != 10)
            j->bad++;
        mg_results_free(r);
    }
    return NULL;
}

static void test_one_searcher_serves_threads_while_reopening(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096];
    snprintf(dir, sizeof dir, "%s/ix", tmp);
    build(dir, 20);
    mg_searcher *s = NULL;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    atomic_int stop = 0;
    pthread_t t[4];
    searcher_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (searcher_job){ s, 0, &stop };
        assert_int_equal(pthread_create(&t[i], NULL, search_loop, &jobs[i]), 0);
    }
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "n%d", i);
        mg_article a = { .id = id, .title = "Harbour news", .date = MG_NO_DATE };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
        assert_int_equal(mg_index_commit(ix), MG_OK);
        assert_int_equal(mg_searcher_reopen(s), MG_OK);
    }
    atomic_store(&stop, 1);
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        bad += jobs[i].bad;
    }
    assert_int_equal(bad, 0);
    mg_results *r = NULL;
    assert_int_equal(mg_search(s, "harbour", NULL, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 40);
    mg_results_free(r);
    mg_index_close(ix);
    mg_searcher_close(s);
    tu_rmrf(tmp);
    free(tmp);
}

typedef struct stress_job {
    mg_searcher *s;
    int bad;
    atomic_int *stop;
    atomic_int reopens;
} stress_job;

/* Many searches; each sees whole commits (20 + 5c harbour articles) and,
 * snapshots only moving forward, never fewer than the one before. */
static void *stress_search(void *arg)
{
    stress_job *j = arg;
    uint64_t last = 0;
    for (int i = 0; i < 1500; i++) {
        mg_results *r = NULL;
        int rc = mg_search(j->s, i % 2 ? "harbour" : "harbour news", NULL, &r);
        uint64_t t = mg_results_total(r);
        if (rc != MG_OK || t < 20 || t > 70 || t % 5 != 0 || t < last ||
            mg_results_count(r) != 10 || !mg_results_hit(r, 9)->id)
            j->bad++;
        last = t;
        mg_results_free(r);
    }
    return NULL;
}

/* Reopens as fast as it can until told to stop. */
static void *stress_reopen(void *arg)
{
    stress_job *j = arg;
    while (!atomic_load(j->stop)) {
        if (mg_searcher_reopen(j->s) != MG_OK)
            j->bad++;
        atomic_fetch_add(&j->reopens, 1);
    }
    return NULL;
}

static void test_lock_free_searches_survive_a_reopen_loop(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096];
    snprintf(dir, sizeof dir, "%s/ix", tmp);
    build(dir, 20);
    mg_searcher *s = NULL;
    assert_int_equal(mg_searcher_open_path(dir, &s), MG_OK);
    atomic_int stop;
    atomic_init(&stop, 0);
    pthread_t t[5];
    stress_job jobs[5];
    for (int i = 0; i < 5; i++) {
        jobs[i] = (stress_job){ .s = s, .stop = &stop };
        atomic_init(&jobs[i].reopens, 0);
        assert_int_equal(pthread_create(&t[i], NULL, i < 4 ? stress_search : stress_reopen,
                                        &jobs[i]), 0);
    }
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    for (int c = 0; c < 10; c++) { /* commits of 5 while searches run */
        for (int i = 0; i < 5; i++) {
            char id[32];
            snprintf(id, sizeof id, "s%d-%d", c, i);
            mg_article a = { .id = id, .title = "Harbour news", .date = MG_NO_DATE };
            assert_int_equal(mg_index_add(ix, &a), MG_OK);
        }
        assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        bad += jobs[i].bad;
    }
    atomic_store(&stop, 1);
    pthread_join(t[4], NULL);
    assert_int_equal(bad + jobs[4].bad, 0);
    assert_true(atomic_load(&jobs[4].reopens) > 0);
    assert_int_equal(mg_searcher_reopen(s), MG_OK);
    mg_results *r = NULL;
    assert_int_equal(mg_search(s, "harbour", NULL, &r), MG_OK);
    assert_int_equal(mg_results_total(r), 70);
    mg_results_free(r);
    mg_index_close(ix);
    mg_searcher_close(s);
    tu_rmrf(tmp);
    free(tmp);
}

/* tools/examples/embed.c, built against the shared library, runs. */
static void test_example_program_searches_an_index(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096];
    snprintf(dir, sizeof dir, "%s/ix", tmp);
    build(dir, 6);
    char *out = NULL, *err = NULL;
    int rc = tu_sh(&out, &err, "'%s/examples/embed' '%s' -n 2 departed harbour", build_dir(), dir);
    if (rc != 0)
        print_message("embed failed: %s%s\n", out, err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "6 matches for departed harbour"));
    assert_non_null(strstr(out, "1. Harbour report"));
    assert_non_null(strstr(out, "2. Harbour report"));
    assert_null(strstr(out, "3. "));
    assert_non_null(strstr(out, "[departed]")); /* the default highlight */
    free(out), free(err);
    rc = tu_sh(&out, &err, "'%s/examples/embed' '%s' 'harbour \"cargo'", build_dir(), dir);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "column"));
    free(out), free(err);
    rc = tu_sh(&out, &err, "'%s/examples/embed' '%s/none' harbour", build_dir(), tmp);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "none"));
    free(out), free(err);
    tu_rmrf(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_macro_matches_library),
        cmocka_unit_test(test_every_status_has_its_own_name),
        cmocka_unit_test(test_shared_library_exports_only_mg_symbols),
        cmocka_unit_test(test_every_declared_function_is_exported),
        cmocka_unit_test(test_make_install_and_pkg_config_build_a_program),
        cmocka_unit_test(test_null_handles_get_einval_not_a_crash),
        cmocka_unit_test(test_errors_say_what_went_wrong),
        cmocka_unit_test(test_service_lifecycle_through_the_public_api),
        cmocka_unit_test(test_one_searcher_serves_threads_while_reopening),
        cmocka_unit_test(test_lock_free_searches_survive_a_reopen_loop),
        cmocka_unit_test(test_example_program_searches_an_index),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}

/* test_cli.c — the `morgue` program end to end: indexing files the test
 * writes (every format, gzip, bad input), search --json checked with
 * jansson, get, delete, stats, check, exit codes, usage errors, an
 * interrupted indexing run, and the corpus converters in tools/. */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

static char *g_dir;      /* per-test temporary directory */
static char g_idx[4200]; /* g_dir/idx: the index the tests use */

/* Runs `morgue ARGS` (ARGS already shell-quoted as needed). */
static int mg(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int mg(char **out, char **err, const char *fmt, ...)
{
    char args[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char *discard = NULL;
    int rc = tu_sh(out, err ? err : &discard, "'%s' %s", tu_morgue_bin(), args);
    free(discard);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    g_dir = tu_tmpdir();
    snprintf(g_idx, sizeof g_idx, "%s/idx", g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf(g_dir);
    free(g_dir);
    return 0;
}

static void write_gz(const char *path, const char *text)
{
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, text, (unsigned)strlen(text)), (int)strlen(text));
    assert_int_equal(gzclose(f), Z_OK);
}

/* A small archive in every format, with a few problems mixed in. */
static void write_corpus(const char *dir)
{
    char p[8600];
    snprintf(p, sizeof p, "%s/a.jsonl", dir);
    tu_writef(p, "{\"id\":\"oil-1\",\"title\":\"Oil prices rise\",\"date\":\"26-FEB-1987 15:01:01.79\","
                 "\"source\":\"Reuters\",\"body\":\"Crude oil prices rose sharply on Monday as OPEC met.\"}\n"
                 "{\"id\":\"cocoa-1\",\"title\":\"Bahia cocoa review\",\"date\":\"1987-03-02\","
                 "\"source\":\"Reuters\",\"body\":\"Showers continued throughout the week in the Bahia cocoa zone <i>&</i>.\"}\n"
                 "{\"id\":\"bad-date\",\"title\":\"Undated wheat note\",\"date\":\"someday\","
                 "\"body\":\"Wheat harvest estimates were raised.\"}\n");
    snprintf(p, sizeof p, "%s/bad.jsonl", dir);
    tu_writef(p, "{\"id\":\"ok-2\",\"title\":\"Gold steady\",\"body\":\"Gold was steady in quiet trade.\"}\n"
                 "{\"id\": \"broken\", \"title\": \n"
                 "{\"id\":\"utf\",\"title\":\"Caf\xe9 society\",\"body\":\"bad bytes \xff\xfe here\"}\n");
    snprintf(p, sizeof p, "%s/sub/story.txt", dir);
    tu_writef(p, "Title: Zinc smelter strike\nDate: Tue, 03 Mar 1987 10:00:00 +0000\nSource: Metal Bulletin\n"
                 "Id: zinc-1\n\nWorkers at the zinc smelter walked out over pay.\n");
    snprintf(p, sizeof p, "%s/sub/page.html", dir);
    tu_writef(p, "<html><head><title>Copper page</title>"
                 "<meta property=\"article:published_time\" content=\"1987-03-04T09:00:00Z\">"
                 "<script>var copperscript = 1;</script><style>.x{}</style></head>"
                 "<body><nav>navcopper</nav><p>Copper output fell in Chile.</p></body></html>");
    snprintf(p, sizeof p, "%s/sub/more.jsonl.gz", dir);
    write_gz(p, "{\"id\":\"tin-1\",\"title\":\"Tin council talks\",\"date\":\"Nov 24, 1987\","
                "\"body\":\"The tin council resumed talks.\"}\n");
    snprintf(p, sizeof p, "%s/sub/empty.txt", dir);
    tu_write(p, "", 0);
    snprintf(p, sizeof p, "%s/sub/blob.bin", dir);
    tu_write(p, "\x7f" "ELF\0\0\0\x01\x02", 9);
}

/* Parses JSON text (failing the test on bad JSON). */
static json_t *parse_json(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        fail_msg("bad JSON (%s) in: %s", e.text, text);
    return j;
}

static int64_t stats_docs(const char *idx)
{
    char *out;
    assert_int_equal(mg(&out, NULL, "stats -i '%s' --json", idx), 0);
    json_t *j = parse_json(out);
    int64_t n = json_integer_value(json_object_get(j, "docs"));
    json_decref(j);
    free(out);
    return n;
}

/* Total matches of a query. */
static int64_t total(const char *idx, const char *query)
{
    char *out;
    assert_int_equal(mg(&out, NULL, "search -i '%s' --json -- '%s'", idx, query), 0);
    json_t *j = parse_json(out);
    int64_t n = json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    free(out);
    return n;
}

static void index_corpus(void)
{
    char corpus[4300], *out, *err;
    snprintf(corpus, sizeof corpus, "%s/corpus", g_dir);
    write_corpus(corpus);
    assert_int_equal(mg(&out, &err, "index -i '%s' '%s'", g_idx, corpus), 0);
    assert_non_null(strstr(out, "indexed 8 articles"));
    assert_non_null(strstr(err, "bad.jsonl:2: malformed JSON"));
    assert_non_null(strstr(err, "a.jsonl:3: unrecognised date"));
    assert_non_null(strstr(err, "blob.bin: binary file skipped"));
    free(out);
    free(err);
}

/* The stored article with this id as JSON (NULL when there is none). */
static json_t *get_json(const char *idx, const char *id)
{
    char *out;
    int rc = mg(&out, NULL, "get -i '%s' --json '%s'", idx, id);
    json_t *j = rc == 0 ? parse_json(out) : NULL;
    free(out);
    return j;
}

static const char *jget(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void test_index_reads_every_format(void **state)
{
    (void)state;
    index_corpus();
    assert_int_equal(stats_docs(g_idx), 8);
    /* one adding thread indexes the same */
    char one[4300], corpus[4300], *out, *err;
    snprintf(one, sizeof one, "%s/one-thread", g_dir);
    snprintf(corpus, sizeof corpus, "%s/corpus", g_dir);
    assert_int_equal(mg(&out, &err, "index --threads 1 -i '%s' '%s'", one, corpus), 0);
    assert_non_null(strstr(out, "indexed 8 articles"));
    free(out);
    free(err);
    assert_int_equal(stats_docs(one), 8);
    assert_int_equal(total(one, "oil"), total(g_idx, "oil"));
    json_t *j = get_json(g_idx, "oil-1");
    assert_non_null(j);
    assert_string_equal(jget(j, "title"), "Oil prices rise");
    assert_string_equal(jget(j, "date"), "1987-02-26T15:01:01Z");
    assert_string_equal(jget(j, "source"), "Reuters");
    assert_true(json_is_null(json_object_get(j, "url")));
    json_decref(j);
    j = get_json(g_idx, "bad-date"); /* kept despite its date */
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "date")));
    json_decref(j);
    j = get_json(g_idx, "utf");      /* bad UTF-8 repaired */
    assert_non_null(j);
    assert_string_equal(jget(j, "title"), "Caf\xEF\xBF\xBD society");
    json_decref(j);
    j = get_json(g_idx, "zinc-1");   /* text with a header */
    assert_non_null(j);
    assert_string_equal(jget(j, "source"), "Metal Bulletin");
    assert_string_equal(jget(j, "date"), "1987-03-03T10:00:00Z");
    assert_string_equal(jget(j, "body"), "Workers at the zinc smelter walked out over pay.");
    json_decref(j);
    j = get_json(g_idx, "tin-1");    /* gzip */
    assert_non_null(j);
    assert_string_equal(jget(j, "date"), "1987-11-24T00:00:00Z");
    json_decref(j);
    char id[8700], real[4096];
    snprintf(id, sizeof id, "%s/corpus/sub/page.html", g_dir);
    assert_non_null(realpath(id, real));
    j = get_json(g_idx, real);       /* HTML, id from its path */
    assert_non_null(j);
    assert_string_equal(jget(j, "title"), "Copper page");
    assert_string_equal(jget(j, "date"), "1987-03-04T09:00:00Z");
    assert_string_equal(jget(j, "body"), "Copper output fell in Chile.");
    json_decref(j);
    assert_null(get_json(g_idx, "broken"));
}

static void test_version_help_and_usage_errors(void **state)
{
    (void)state;
    char *out, *err;
    assert_int_equal(mg(&out, NULL, "--version"), 0);
    assert_non_null(strstr(out, "morgue 0."));
    free(out);
    assert_int_equal(mg(&out, NULL, "--help"), 0);
    assert_non_null(strstr(out, "search"));
    free(out);
    const char *cmds[] = { "index", "search", "get", "delete", "stats", "check" };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        assert_int_equal(mg(&out, NULL, "%s --help", cmds[i]), 0);
        assert_non_null(strstr(out, "usage: morgue"));
        assert_non_null(strstr(out, "examples:"));
        free(out);
    }
    const char *bad[] = { "", "frobnicate", "index", "index --bogus x", "index --ram lots x", "get", "get a b",
                          "delete", "stats extra", "get -i", "stats --json=yes", "check -x", "search",
                          "search -n many oil", "search --sort sideways oil", "search --since notadate oil",
                          "search -n", "search --json=yes oil", "search --color sometimes oil", "search --bogus oil",
                          "index --threads 3 x", "index --threads 0 x", "index --threads two x" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = mg(NULL, &err, "%s", bad[i]);
        if (rc != 2)
            fail_msg("'morgue %s' exited %d, expected 2", bad[i], rc);
        assert_true(strlen(err) > 0);
        free(err);
    }
    /* Errors are one line. */
    assert_int_equal(mg(NULL, &err, "index --commit-every often x"), 2);
    assert_non_null(strchr(err, '\n'));
    assert_null(strchr(strchr(err, '\n') + 1, '\n'));
    free(err);
}

static void test_missing_index_is_a_one_line_failure(void **state)
{
    (void)state;
    char *err;
    const char *cmds[] = { "search oil", "stats", "check", "get x", "delete x" };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        assert_int_equal(mg(NULL, &err, "%s -i '%s/nope'", cmds[i], g_dir), 1);
        assert_non_null(strstr(err, "nope"));
        assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
        free(err);
    }
}

static void test_index_every_format_then_search_json(void **state)
{
    (void)state;
    index_corpus();
    assert_int_equal(stats_docs(g_idx), 8);
    char *out;
    assert_int_equal(mg(&out, NULL, "search -i '%s' --json oil prices", g_idx), 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "query")), "oil prices");
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
    json_t *hits = json_object_get(j, "hits");
    assert_int_equal(json_array_size(hits), 1);
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(json_string_value(json_object_get(h, "id")), "oil-1");
    assert_string_equal(json_string_value(json_object_get(h, "title")), "Oil prices rise");
    assert_string_equal(json_string_value(json_object_get(h, "date")), "1987-02-26T15:01:01Z");
    assert_string_equal(json_string_value(json_object_get(h, "source")), "Reuters");
    assert_true(json_real_value(json_object_get(h, "score")) > 0);
    assert_non_null(strstr(json_string_value(json_object_get(h, "snippet")), "<b>"));
    assert_true(json_is_null(json_object_get(h, "url")));
    json_decref(j);
    free(out);
    /* Snippets are HTML: the text escaped, matches in <b></b>. */
    assert_int_equal(mg(&out, NULL, "search -i '%s' --json cocoa", g_idx), 0);
    j = parse_json(out);
    const char *snip = json_string_value(json_object_get(json_array_get(json_object_get(j, "hits"), 0), "snippet"));
    assert_non_null(snip);
    assert_non_null(strstr(snip, "<b>cocoa</b>"));
    assert_non_null(strstr(snip, "&lt;i&gt;&amp;&lt;/i&gt;"));
    json_decref(j);
    free(out);
    /* Each format made it in, with its fields. */
    assert_int_equal(total(g_idx, "zinc"), 1);
    assert_int_equal(total(g_idx, "copper"), 1);
    assert_int_equal(total(g_idx, "copperscript"), 0); /* scripts are not text */
    assert_int_equal(total(g_idx, "navcopper"), 0);
    assert_int_equal(total(g_idx, "tin"), 1);
    assert_int_equal(total(g_idx, "wheat"), 1);       /* kept despite its bad date */
    assert_int_equal(total(g_idx, "society"), 1);     /* bad UTF-8 repaired */
    assert_int_equal(total(g_idx, "nonexistentword"), 0);
}


static void test_search_text_output_sorting_and_date_ranges(void **state)
{
    (void)state;
    index_corpus();
    char *out;
    assert_int_equal(mg(&out, NULL, "search -i '%s' --color never cocoa", g_idx), 0);
    assert_non_null(strstr(out, "Bahia cocoa review"));
    assert_non_null(strstr(out, "1987-03-02"));
    assert_non_null(strstr(out, "cocoa-1"));
    assert_non_null(strstr(out, "[cocoa]"));
    assert_null(strstr(out, "\033["));
    free(out);
    assert_int_equal(mg(&out, NULL, "search -i '%s' --color always cocoa", g_idx), 0);
    assert_non_null(strstr(out, "\033[1;31m"));
    free(out);
    assert_int_equal(mg(&out, NULL, "search -i '%s' nonexistentword", g_idx), 0);
    assert_non_null(strstr(out, "No matches"));
    free(out);
    /* Dated articles between 1987-03-01 and the end of March 1987: cocoa, zinc, copper. */
    assert_int_equal(mg(&out, NULL, "search -i '%s' --json --since 1987-03-01 --until 1987-03 --sort oldest "
                                    "cocoa zinc copper oil tin", g_idx), 0);
    json_t *j = parse_json(out);
    json_t *hits = json_object_get(j, "hits");
    assert_int_equal(json_array_size(hits), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "id")), "cocoa-1");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 1), "id")), "zinc-1");
    const char *id2 = json_string_value(json_object_get(json_array_get(hits, 2), "id"));
    assert_non_null(id2);
    assert_string_equal(id2 + strlen(id2) - strlen("/sub/page.html"), "/sub/page.html"); /* id from the path */
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(hits, 2), "title")), "Copper"));
    json_decref(j);
    free(out);
    /* -n and --offset page through the hits. */
    assert_int_equal(mg(&out, NULL, "search -i '%s' --json -n 1 --offset 1 --sort date cocoa zinc copper oil tin", g_idx), 0);
    j = parse_json(out);
    assert_int_equal(json_array_size(json_object_get(j, "hits")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
    /* newest first: tin (Nov), copper (Mar 4), zinc, cocoa, oil */
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(json_object_get(j, "hits"), 0), "title")), "Copper"));
    json_decref(j);
    free(out);
}


static void test_bad_query_is_a_usage_error(void **state)
{
    (void)state;
    index_corpus();
    char *err;
    assert_int_equal(mg(NULL, &err, "search -i '%s' -- '(oil AND'", g_idx), 2);
    assert_non_null(strstr(err, "query"));
    free(err);
}

static void test_get_delete_and_reindex_replaces(void **state)
{
    (void)state;
    index_corpus();
    char *out, *err;
    assert_int_equal(mg(&out, NULL, "get -i '%s' zinc-1", g_idx), 0);
    assert_non_null(strstr(out, "Zinc smelter strike"));
    assert_non_null(strstr(out, "Metal Bulletin"));
    assert_non_null(strstr(out, "1987-03-03T10:00:00Z"));
    assert_non_null(strstr(out, "walked out over pay"));
    free(out);
    assert_int_equal(mg(&out, NULL, "get -i '%s' --json oil-1", g_idx), 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "body")),
                        "Crude oil prices rose sharply on Monday as OPEC met.");
    assert_string_equal(json_string_value(json_object_get(j, "date")), "1987-02-26T15:01:01Z");
    json_decref(j);
    free(out);
    assert_int_equal(mg(NULL, &err, "get -i '%s' no-such-id", g_idx), 1);
    assert_non_null(strstr(err, "no-such-id"));
    free(err);

    assert_int_equal(mg(&out, NULL, "delete -i '%s' oil-1 tin-1", g_idx), 0);
    assert_non_null(strstr(out, "deleted 2 articles"));
    free(out);
    assert_int_equal(stats_docs(g_idx), 6);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' oil-1", g_idx), 1);
    assert_int_equal(mg(NULL, &err, "delete -i '%s' oil-1 cocoa-1", g_idx), 1); /* oil-1 is gone */
    assert_non_null(strstr(err, "oil-1"));
    free(err);
    assert_int_equal(stats_docs(g_idx), 5); /* cocoa-1 was still deleted */

    /* Indexing the same files again replaces instead of duplicating. */
    char corpus[4300];
    snprintf(corpus, sizeof corpus, "%s/corpus", g_dir);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mg(NULL, &err, "index -q -i '%s' '%s'", g_idx, corpus), 0);
        assert_non_null(strstr(err, "bad.jsonl:2: malformed JSON")); /* -q keeps errors */
        assert_null(strstr(err, "unrecognised date"));                /* but not warnings */
        free(err);
    }
    assert_int_equal(stats_docs(g_idx), 8);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' oil-1", g_idx), 0);
}

static void test_missing_path_is_reported_and_the_rest_indexed(void **state)
{
    (void)state;
    char p[8600], *out, *err;
    snprintf(p, sizeof p, "%s/ok.txt", g_dir);
    tu_writef(p, "Lone article\nabout nickel\n");
    assert_int_equal(mg(&out, &err, "index -i '%s' '%s/not-there' '%s'", g_idx, g_dir, p), 1);
    assert_non_null(strstr(err, "not-there: no such file or directory"));
    assert_non_null(strstr(out, "indexed 1 article"));
    free(out);
    free(err);
    assert_int_equal(stats_docs(g_idx), 1);
}

static void test_stdin_and_index_env_variable(void **state)
{
    (void)state;
    char *out;
    int rc = tu_sh(&out, NULL,
                   "printf '%%s\\n' '{\"title\":\"piped lead story\",\"body\":\"lead prices\"}' "
                   "'{\"title\":\"piped nickel story\",\"body\":\"nickel\"}' | MORGUE_INDEX='%s' '%s' index -",
                   g_idx, tu_morgue_bin());
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "indexed 2 articles"));
    free(out);
    rc = tu_sh(&out, NULL, "MORGUE_INDEX='%s' '%s' get --json -- -:2", g_idx, tu_morgue_bin());
    assert_int_equal(rc, 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "title")), "piped nickel story");
    json_decref(j);
    free(out);
    rc = tu_sh(&out, NULL, "MORGUE_INDEX='%s' '%s' search --json nickel", g_idx, tu_morgue_bin());
    assert_int_equal(rc, 0);
    j = parse_json(out);
    assert_int_equal(json_array_size(json_object_get(j, "hits")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "hits"), 0), "id")), "-:2");
    json_decref(j);
    free(out);
}

static void test_stats_and_check_detect_damage(void **state)
{
    (void)state;
    index_corpus();
    char *out, *err;
    assert_int_equal(mg(&out, NULL, "stats -i '%s'", g_idx), 0);
    assert_non_null(strstr(out, "articles     8"));
    assert_non_null(strstr(out, "1987-02-26 .. 1987-11-24"));
    free(out);
    assert_int_equal(mg(&out, NULL, "check -i '%s'", g_idx), 0);
    assert_non_null(strstr(out, "ok"));
    free(out);
    /* Flip bytes in the middle of every file of the index. */
    int rc = tu_sh(NULL, NULL,
                   "cd '%s' && for f in $(find . -type f ! -name LOCK); do s=$(stat -c %%s \"$f\"); "
                   "[ \"$s\" -gt 16 ] || continue; "
                   "printf '\\377\\377\\377\\377' | dd of=\"$f\" bs=1 seek=$((s/2)) conv=notrunc 2>/dev/null; done",
                   g_idx);
    assert_int_equal(rc, 0);
    assert_int_equal(mg(NULL, &err, "check -i '%s'", g_idx), 1);
    assert_true(strlen(err) > 0);
    free(err);
}

static void pump_lines(int fd, int n, const char *w)
{
    char line[512];
    for (int i = 0; i < n; i++) {
        int len = snprintf(line, sizeof line,
                           "{\"id\":\"%s-%d\",\"title\":\"%s story %d\",\"body\":\"%s filler text about markets "
                           "and trade and shipping and grain number %d\"}\n", w, i, w, i, w, i);
        if (write(fd, line, (size_t)len) != len)
            return; /* the child is gone */
    }
}

/* Starts `morgue index -i IDX [extra] -` with a pipe on its stdin. */
static pid_t start_indexer(int *wfd, const char *extra)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        if (extra)
            execl(tu_morgue_bin(), "morgue", "index", "-i", g_idx, extra, "2000", "-", (char *)NULL);
        else
            execl(tu_morgue_bin(), "morgue", "index", "-i", g_idx, "-", (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    *wfd = p[1];
    return pid;
}

static int stop_indexer(pid_t pid, int wfd)
{
    /* Writing several MB through a 64 KiB pipe blocks until the child has
     * read (and so indexed) most of it: it is mid-run when the signal comes. */
    assert_int_equal(kill(pid, SIGINT), 0);
    close(wfd);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_interrupted_indexing_keeps_the_previous_commit(void **state)
{
    (void)state;
    index_corpus();
    signal(SIGPIPE, SIG_IGN);
    int wfd;
    pid_t pid = start_indexer(&wfd, NULL);
    pump_lines(wfd, 20000, "zebra");
    assert_int_equal(stop_indexer(pid, wfd), 130);
    assert_int_equal(stats_docs(g_idx), 8);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' zebra-0", g_idx), 1);
    assert_int_equal(total(g_idx, "zebra"), 0);
    assert_int_equal(mg(NULL, NULL, "check -q -i '%s'", g_idx), 0);

    /* With --commit-every, the commits made before the signal stay. */
    pid = start_indexer(&wfd, "--commit-every");
    pump_lines(wfd, 20000, "yak");
    assert_int_equal(stop_indexer(pid, wfd), 130);
    int64_t docs = stats_docs(g_idx);
    assert_true(docs >= 8 + 2000);
    assert_true((docs - 8) % 2000 == 0);
    assert_int_equal(total(g_idx, "yak"), docs - 8);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' yak-0", g_idx), 0);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' yak-%d", g_idx, (int)(docs - 8 - 1)), 0);
    assert_int_equal(mg(NULL, NULL, "get -i '%s' yak-%d", g_idx, (int)(docs - 8)), 1);
    assert_int_equal(mg(NULL, NULL, "check -q -i '%s'", g_idx), 0);
    /* The index is usable for writing again: the lock was released. */
    assert_int_equal(mg(NULL, NULL, "delete -q -i '%s' oil-1", g_idx), 0);
    signal(SIGPIPE, SIG_DFL); /* ignored signals are inherited by later children */
}

static int have_python(void) { return tu_sh(NULL, NULL, "command -v python3 >/dev/null") == 0; }

static const char *src_dir(void)
{
    const char *s = getenv("MORGUE_SRC");
    return s && *s ? s : ".";
}

static void test_reuters_converter_on_the_real_corpus(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    if (!have_python())
        skip();
    char *out, *err;
    int rc = tu_sh(&out, &err, "python3 '%s/tools/reuters2jsonl' '%s' | wc -l", src_dir(),
                   tu_corpus("reuters21578"));
    assert_int_equal(rc, 0);
    assert_int_equal(atoi(out), 20841);
    assert_non_null(strstr(err, "21578 records in, 20841 articles out (19043 with a body, 1798 title only), "
                               "737 skipped"));
    free(out);
    free(err);
    /* The first story, converted in full. */
    rc = tu_sh(&out, NULL, "python3 '%s/tools/reuters2jsonl' '%s/reut2-000.sgm.gz' 2>/dev/null | head -1",
               src_dir(), tu_corpus("reuters21578"));
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "reuters-1");
    assert_string_equal(json_string_value(json_object_get(j, "title")), "BAHIA COCOA REVIEW");
    assert_string_equal(json_string_value(json_object_get(j, "date")), "1987-02-26T15:01:01Z");
    assert_string_equal(json_string_value(json_object_get(j, "section")), "cocoa");
    const char *body = json_string_value(json_object_get(j, "body"));
    assert_non_null(strstr(body, "Showers continued throughout the week"));
    assert_null(strchr(body, '\x03'));
    assert_null(strstr(body, "&#"));
    json_decref(j);
    free(out);
}

static void test_smart_and_agnews_converters_then_index(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    if (!have_python())
        skip();
    const struct { const char *tool, *file; int n; } conv[] = {
        { "smart2jsonl", "cranfield/cran.all.1400", 1400 },
        { "smart2jsonl", "med/MED.ALL", 1033 },
        { "smart2jsonl", "npl/doc-text", 11429 },
        { "agnews2jsonl", "ag_news/test.csv.gz", 7600 },
    };
    char *out;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(tu_sh(&out, NULL, "python3 '%s/tools/%s' '%s' 2>/dev/null | wc -l", src_dir(),
                               conv[i].tool, tu_corpus(conv[i].file)), 0);
        assert_int_equal(atoi(out), conv[i].n);
        free(out);
    }
    /* Cranfield end to end: converted, indexed, searched by its .I ids. */
    char *err;
    assert_int_equal(tu_sh(NULL, &err, "python3 '%s/tools/smart2jsonl' '%s' 2>/dev/null | '%s' index -q -i '%s' -",
                           src_dir(), tu_corpus("cranfield/cran.all.1400"), tu_morgue_bin(), g_idx), 0);
    /* Documents 471 and 995 of Cranfield are empty: reported, not indexed. */
    assert_non_null(strstr(err, "-:471: record has neither a title nor a body"));
    assert_non_null(strstr(err, "-:995: record has neither a title nor a body"));
    free(err);
    assert_int_equal(stats_docs(g_idx), 1398);
    assert_int_equal(mg(&out, NULL, "get -i '%s' --json 1", g_idx), 0);
    json_t *j = parse_json(out);
    assert_string_equal(json_string_value(json_object_get(j, "title")),
                        "experimental investigation of the aerodynamics of a wing in a slipstream .");
    assert_string_equal(json_string_value(json_object_get(j, "author")), "brenckman,m.");
    json_decref(j);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_help_and_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_index_is_a_one_line_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_reads_every_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_every_format_then_search_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_text_output_sorting_and_date_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_query_is_a_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_delete_and_reindex_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_path_is_reported_and_the_rest_indexed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdin_and_index_env_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stats_and_check_detect_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_indexing_keeps_the_previous_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reuters_converter_on_the_real_corpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_smart_and_agnews_converters_then_index, setup, teardown),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}

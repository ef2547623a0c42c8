/* test_ingest.c — reading articles from files: every format (JSON Lines,
 * JSON, text, HTML, gzip), field aliases, generated ids, problems reported
 * with file and line, binary/empty files, symlink loops, long records. */
#include "testutil.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest.h"

typedef struct got_art {
    char *id, *title, *body, *url, *source, *section, *author, *file;
    int64_t date;
    uint64_t line;
} got_art;

typedef struct got {
    got_art arts[64];
    int     n;
    char    problems[64][700];
    int     kinds[64];
    int     np;
    int     stop_after;   /* return nonzero after this many (0 = never) */
} got;

static char *dup0(const char *s) { return s ? strdup(s) : NULL; }

static int on_article(void *ctx, const ingest_item *it)
{
    got *g = ctx;
    assert_true(g->n < 64);
    got_art *a = &g->arts[g->n++];
    a->id = dup0(it->art.id);
    a->title = dup0(it->art.title);
    a->body = dup0(it->art.body);
    a->url = dup0(it->art.url);
    a->source = dup0(it->art.source);
    a->section = dup0(it->art.section);
    a->author = dup0(it->art.author);
    a->file = dup0(it->file);
    a->date = it->art.date;
    a->line = it->line;
    return g->stop_after && g->n >= g->stop_after ? 42 : 0;
}

static void on_problem(void *ctx, const char *file, uint64_t line, int kind, const char *msg)
{
    got *g = ctx;
    if (g->np < 64) {
        snprintf(g->problems[g->np], sizeof g->problems[0], "%s:%llu: %s", file, (unsigned long long)line, msg);
        g->kinds[g->np++] = kind;
    }
}

static void got_free(got *g)
{
    for (int i = 0; i < g->n; i++) {
        got_art *a = &g->arts[i];
        free(a->id), free(a->title), free(a->body), free(a->url), free(a->source);
        free(a->section), free(a->author), free(a->file);
    }
    free(g);
}

/* Ingests path; returns what came out. */
static got *run(const char *path, ingest_counts *counts, int *rc)
{
    got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    ingest_callbacks cb = { on_article, on_problem, NULL, g };
    ingest *ig = ingest_new(&cb);
    assert_non_null(ig);
    int r = ingest_path(ig, path);
    if (rc)
        *rc = r;
    else
        assert_int_equal(r, 0);
    if (counts)
        *counts = *ingest_get_counts(ig);
    ingest_free(ig);
    return g;
}

static got_art *find(got *g, const char *title)
{
    for (int i = 0; i < g->n; i++)
        if (g->arts[i].title && strcmp(g->arts[i].title, title) == 0)
            return &g->arts[i];
    fail_msg("no article titled \"%s\" among %d", title, g->n);
    return NULL;
}

static int has_problem(got *g, const char *needle, int kind)
{
    for (int i = 0; i < g->np; i++)
        if (strstr(g->problems[i], needle) && (!kind || g->kinds[i] == kind))
            return 1;
    return 0;
}

static void write_gz(const char *path, const char *text)
{
    gzFile f = gzopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(gzwrite(f, text, (unsigned)strlen(text)), (int)strlen(text));
    assert_int_equal(gzclose(f), Z_OK);
}

static void test_jsonl_fields_and_aliases_are_mapped(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/a.jsonl", d);
    tu_writef(p, "%s\n%s\n\n%s\n",
              "{\"id\":\"x1\",\"url\":\"http://e/1\",\"title\":\"Oil prices\",\"date\":\"1987-02-26\","
              "\"source\":\"Reuters\",\"section\":\"markets\",\"author\":\"Ann\",\"body\":\"Crude rose.\"}",
              "{\"headline\":\"Second\",\"text\":\"Body two\",\"published_at\":\"Nov 24, 2026\","
              "\"link\":\"http://e/2\",\"authors\":[\"A\",\"B\"],\"source\":{\"id\":\"s\",\"name\":\"Wire\"},"
              "\"category\":\"world\"}",
              "{\"id\":17,\"title\":\"Third\",\"content\":\"c\",\"timestamp\":1700000000}");
    ingest_counts c;
    got *g = run(p, &c, NULL);
    assert_int_equal(g->n, 3);
    got_art *a = find(g, "Oil prices");
    assert_string_equal(a->id, "x1");
    assert_string_equal(a->url, "http://e/1");
    assert_string_equal(a->source, "Reuters");
    assert_string_equal(a->section, "markets");
    assert_string_equal(a->author, "Ann");
    assert_string_equal(a->body, "Crude rose.");
    assert_true(a->date == 541296000LL);
    assert_int_equal(a->line, 1);
    a = find(g, "Second");
    assert_string_equal(a->body, "Body two");
    assert_string_equal(a->url, "http://e/2");
    assert_string_equal(a->author, "A, B");
    assert_string_equal(a->source, "Wire");
    assert_string_equal(a->section, "world");
    assert_true(a->date == 1795478400LL);
    char real[PATH_MAX], want[PATH_MAX + 8];
    assert_non_null(realpath(p, real));
    snprintf(want, sizeof want, "%s:2", real);
    assert_string_equal(a->id, want); /* generated from path and line */
    a = find(g, "Third");
    assert_string_equal(a->id, "17");
    assert_true(a->date == 1700000000LL);
    assert_int_equal(a->line, 4);
    assert_int_equal(c.articles, 3);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.files, 1);
    assert_int_equal(g->np, 0);
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_malformed_json_lines_are_reported_with_line_numbers(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/bad.ndjson", d);
    tu_writef(p, "{\"title\":\"ok one\",\"body\":\"b\"}\n"
                 "{\"title\": \"broken\n"
                 "[1,2,3]\n"
                 "{\"id\":\"empty\"}\n"
                 "{\"title\":\"ok two\",\"body\":\"b\",\"date\":\"not a date at all\"}\n");
    ingest_counts c;
    got *g = run(p, &c, NULL);
    assert_int_equal(g->n, 2);
    find(g, "ok one");
    got_art *a = find(g, "ok two");
    assert_true(a->date == MG_NO_DATE);
    assert_int_equal(c.errors, 3);
    assert_int_equal(c.bad_dates, 1);
    assert_true(has_problem(g, "bad.ndjson:2: malformed JSON", INGEST_ERROR));
    assert_true(has_problem(g, "bad.ndjson:3: not a JSON object", INGEST_ERROR));
    assert_true(has_problem(g, "bad.ndjson:4: record has neither", INGEST_ERROR));
    assert_true(has_problem(g, "bad.ndjson:5: unrecognised date", INGEST_WARN));
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_bad_utf8_is_repaired_not_rejected(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/u.jsonl", d);
    const char line[] = "{\"title\":\"caf\xe9 \xff\",\"body\":\"ok\"}\n";
    tu_write(p, line, sizeof line - 1);
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "caf\xEF\xBF\xBD \xEF\xBF\xBD");
    got_free(g);
    size_t n;
    char *r = ingest_utf8_repair("a\xc3\xa9\xed\xa0\x80z", 7, &n); /* é, a surrogate */
    assert_string_equal(r, "a\xc3\xa9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
    assert_true(ingest_utf8_valid(r, n));
    assert_false(ingest_utf8_valid("\xc0\xaf", 2)); /* overlong */
    free(r);
    tu_rmrf(d);
    free(d);
}

static void test_json_documents_single_array_and_wrapper(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200], real[PATH_MAX], want[PATH_MAX + 8];
    snprintf(p, sizeof p, "%s/one.json", d);
    tu_writef(p, "{\n  \"title\": \"Single\",\n  \"body\": \"text with } and ] and \\\" inside\"\n}\n");
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].body, "text with } and ] and \" inside");
    assert_non_null(realpath(p, real));
    assert_string_equal(g->arts[0].id, real);
    got_free(g);

    snprintf(p, sizeof p, "%s/many.json", d);
    tu_writef(p, "[ {\"title\":\"A\",\"body\":\"a\"},\n {\"title\":\"B\",\"body\":\"b\"}, 42,\n"
                 "  {\"title\":\"C\", \"body\": [\"x\", \"y\"]} ]");
    ingest_counts c;
    g = run(p, &c, NULL);
    assert_int_equal(g->n, 3);
    assert_non_null(realpath(p, real));
    snprintf(want, sizeof want, "%s#2", real);
    assert_string_equal(find(g, "B")->id, want);
    assert_string_equal(find(g, "C")->body, "x, y");
    assert_int_equal(c.errors, 1);
    assert_true(has_problem(g, "many.json:2: not a JSON object", INGEST_ERROR));
    got_free(g);

    snprintf(p, sizeof p, "%s/api.json", d);
    tu_writef(p, "{\"status\":\"ok\",\"articles\":[{\"title\":\"W1\",\"description\":\"d1\"},"
                 "{\"title\":\"W2\",\"description\":\"d2\"}]}");
    g = run(p, NULL, NULL);
    assert_int_equal(g->n, 2);
    assert_string_equal(find(g, "W2")->body, "d2");
    got_free(g);

    snprintf(p, sizeof p, "%s/trunc.json", d);
    tu_writef(p, "[{\"title\":\"fine\",\"body\":\"x\"}, {\"title\": \"cut");
    g = run(p, &c, NULL);
    assert_int_equal(g->n, 1);
    assert_true(has_problem(g, "trunc.json:1: JSON value not closed", INGEST_ERROR));
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_text_files_with_and_without_header(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/h.txt", d);
    tu_writef(p, "Title: Headed story\nDate: 24 Nov 2026\nSource: Gazette\nURL: http://g/1\n"
                 "Author: Bo\nX-Unknown: ignored\nSection: local\nId: h-1\n\nFirst para.\n\nSecond para.\n");
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    got_art *a = &g->arts[0];
    assert_string_equal(a->title, "Headed story");
    assert_string_equal(a->id, "h-1");
    assert_string_equal(a->source, "Gazette");
    assert_string_equal(a->url, "http://g/1");
    assert_string_equal(a->author, "Bo");
    assert_string_equal(a->section, "local");
    assert_string_equal(a->body, "First para.\n\nSecond para.");
    assert_true(a->date == 1795478400LL);
    got_free(g);

    snprintf(p, sizeof p, "%s/plain.txt", d);
    tu_writef(p, "\n  The title line  \r\nbody: not a header here\nmore body\n");
    g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "The title line");
    assert_string_equal(g->arts[0].body, "body: not a header here\nmore body");
    assert_true(g->arts[0].date == MG_NO_DATE);
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_legacy_encodings_in_text_and_html(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/old.txt", d);
    const char txt[] = "Caf\xe9 society\n\x93Quoted\x94 \x80 10 \x85\n";
    tu_write(p, txt, sizeof txt - 1);
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Caf\xc3\xa9 society");
    assert_string_equal(g->arts[0].body, "\xe2\x80\x9cQuoted\xe2\x80\x9d \xe2\x82\xac 10 \xe2\x80\xa6");
    got_free(g);

    snprintf(p, sizeof p, "%s/old.html", d); /* no charset: Windows-1252 */
    const char html[] = "<html><title>Z\xfcrich</title><body><p>Gr\xfc\xdf" "e</p></body></html>";
    tu_write(p, html, sizeof html - 1);
    g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Z\xc3\xbcrich");
    assert_string_equal(g->arts[0].body, "Gr\xc3\xbc\xc3\x9f" "e");
    got_free(g);

    snprintf(p, sizeof p, "%s/bad.html", d); /* claims UTF-8: bad bytes replaced */
    const char bad[] = "<html><head><meta charset=\"utf-8\"><title>Bad \xff byte</title></head></html>";
    tu_write(p, bad, sizeof bad - 1);
    g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Bad \xef\xbf\xbd byte");
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_html_page_drops_scripts_styles_and_navigation(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/page.html", d);
    tu_writef(p, "<!DOCTYPE html><html><head><title>Site | Fallback</title>"
                 "<meta property=\"og:title\" content=\"Storm hits coast\">"
                 "<meta property=\"article:published_time\" content=\"2026-11-24T08:00:00Z\">"
                 "<meta name=\"author\" content=\"Jane Roe\">"
                 "<meta property=\"og:site_name\" content=\"Daily\">"
                 "<link rel=\"canonical\" href=\"http://daily/storm\">"
                 "<style>body { color: red; } .secretstyle {}</style>"
                 "<script>var secretscript = 1;</script></head><body>"
                 "<nav><a href=/>Home navlink</a></nav><header>Masthead text</header>"
                 "<article><h1>Storm hits coast</h1><p>Winds of <b>120</b> km/h.</p>"
                 "<script>track('secretinline')</script><p>Power is out.</p>"
                 "<aside>Related asidetext</aside></article>"
                 "<footer>Copyright footertext</footer><form>Subscribe formtext</form></body></html>");
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    got_art *a = &g->arts[0];
    assert_string_equal(a->title, "Storm hits coast");
    assert_string_equal(a->author, "Jane Roe");
    assert_string_equal(a->source, "Daily");
    assert_string_equal(a->url, "http://daily/storm");
    assert_true(a->date == 1795478400LL + 8 * 3600);
    assert_non_null(strstr(a->body, "Winds of 120 km/h."));
    assert_non_null(strstr(a->body, "Power is out."));
    const char *gone[] = { "secret", "navlink", "Masthead", "asidetext", "footertext", "formtext", "color" };
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        if (strstr(a->body, gone[i]))
            fail_msg("body kept \"%s\": %s", gone[i], a->body);
    got_free(g);

    /* No meta: <title> and a <time datetime>; body from <body>. */
    snprintf(p, sizeof p, "%s/plain.htm", d);
    tu_writef(p, "<html><title>Plain page</title><body><p>Hello <i>world</i></p><p>line one<br>line two</p>"
                 "<time datetime=\"1987-02-26\">Feb 26</time></body></html>");
    g = run(p, NULL, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Plain page");
    assert_true(g->arts[0].date == 541296000LL);
    assert_string_equal(g->arts[0].body, "Hello world\n\nline one\nline two\nFeb 26");
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_gzip_files_of_every_format(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/z/a.jsonl.gz", d);
    tu_writef(p, "x"); /* makes the directory */
    write_gz(p, "{\"title\":\"gz line one\",\"body\":\"b\"}\n{\"title\":\"gz line two\",\"body\":\"b\"}\n");
    snprintf(p, sizeof p, "%s/z/b.txt.gz", d);
    write_gz(p, "Title: gz text\n\nzipped body\n");
    snprintf(p, sizeof p, "%s/z/c.html.gz", d);
    write_gz(p, "<html><title>gz page</title><body>zipped html</body></html>");
    snprintf(p, sizeof p, "%s/z", d);
    ingest_counts c;
    got *g = run(p, &c, NULL);
    assert_int_equal(g->n, 4);
    find(g, "gz line one");
    find(g, "gz line two");
    assert_string_equal(find(g, "gz text")->body, "zipped body");
    assert_string_equal(find(g, "gz page")->body, "zipped html");
    assert_int_equal(c.files, 3);
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_symlink_loop_empty_and_binary_files(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200], q[4200];
    snprintf(p, sizeof p, "%s/top/sub/deeper/x.txt", d);
    tu_writef(p, "Deep title\nbody\n");
    snprintf(p, sizeof p, "%s/top/sub/deeper/loop", d);
    snprintf(q, sizeof q, "%s/top", d);
    assert_int_equal(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/top/sub/dangling", d);
    assert_int_equal(symlink("/nonexistent/nowhere", p), 0);
    snprintf(p, sizeof p, "%s/top/empty.txt", d);
    tu_write(p, "", 0);
    snprintf(p, sizeof p, "%s/top/image.bin", d);
    const char bin[] = { 'G', 'I', 'F', '8', 0, 1, 2, 3, 0, 0 };
    tu_write(p, bin, sizeof bin);
    snprintf(p, sizeof p, "%s/top/.hidden.txt", d);
    tu_writef(p, "Hidden\nnot read\n");
    snprintf(p, sizeof p, "%s/top/fifo", d);
    assert_int_equal(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/top", d);
    ingest_counts c;
    got *g = run(p, &c, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Deep title");
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.skipped, 3); /* binary, fifo, dangling link */
    assert_true(has_problem(g, "image.bin:0: binary file skipped", INGEST_SKIP));
    assert_true(has_problem(g, "fifo:0: not a regular file", INGEST_SKIP));
    got_free(g);

    snprintf(p, sizeof p, "%s/missing-file.txt", d);
    g = run(p, &c, NULL);
    assert_int_equal(g->n, 0);
    assert_int_equal(c.errors, 1);
    assert_true(has_problem(g, "missing-file.txt:0: cannot read", INGEST_ERROR));
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_deeply_nested_directories(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char path[8192];
    int n = snprintf(path, sizeof path, "%s", d);
    for (int i = 0; i < 600; i++) /* 600 levels, a 1.2 KB path */
        n += snprintf(path + n, sizeof path - (size_t)n, "/d");
    snprintf(path + n, sizeof path - (size_t)n, "/deep.txt");
    tu_writef(path, "Bottom of the well\nbody\n");
    ingest_counts c;
    got *g = run(d, &c, NULL);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].title, "Bottom of the well");
    assert_int_equal(c.errors, 0);
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_unknown_extensions_are_sniffed(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/feed.dat", d);
    tu_writef(p, "  [{\"title\":\"sniffed json\",\"body\":\"b\"}]");
    snprintf(p, sizeof p, "%s/page.xyz", d);
    tu_writef(p, "<!doctype html><title>sniffed html</title><p>p</p>");
    snprintf(p, sizeof p, "%s/README", d);
    tu_writef(p, "sniffed text\nbody\n");
    got *g = run(d, NULL, NULL);
    assert_int_equal(g->n, 3);
    find(g, "sniffed json");
    find(g, "sniffed html");
    find(g, "sniffed text");
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_long_lines_span_buffer_refills(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/long.jsonl", d);
    size_t big = 700000;
    char *body = malloc(big + 1);
    assert_non_null(body);
    for (size_t i = 0; i < big; i++)
        body[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
    body[big] = '\0';
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    for (int i = 0; i < 5; i++)
        fprintf(f, "{\"id\":\"L%d\",\"title\":\"long %d\",\"body\":\"%s\"}\n", i, i, body);
    fclose(f);
    got *g = run(p, NULL, NULL);
    assert_int_equal(g->n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(strlen(g->arts[i].body), big);
        assert_int_equal(g->arts[i].line, (uint64_t)i + 1);
    }
    got_free(g);
    free(body);
    tu_rmrf(d);
    free(d);
}

static void test_callback_can_stop_the_run(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/many.jsonl", d);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    for (int i = 0; i < 50; i++)
        fprintf(f, "{\"title\":\"t%d\",\"body\":\"b\"}\n", i);
    fclose(f);
    got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->stop_after = 3;
    ingest_callbacks cb = { on_article, on_problem, NULL, g };
    ingest *ig = ingest_new(&cb);
    assert_int_equal(ingest_path(ig, p), 42);
    assert_int_equal(g->n, 3);
    ingest_free(ig);
    got_free(g);

    g = calloc(1, sizeof *g);
    assert_non_null(g);
    cb.ctx = g;
    ig = ingest_new(&cb);
    ingest_stop(ig);
    assert_int_equal(ingest_path(ig, p), MG_EINTERRUPTED);
    assert_int_equal(g->n, 0);
    ingest_free(ig);
    got_free(g);
    tu_rmrf(d);
    free(d);
}

static void test_stdin_stream_reads_json_lines(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    const char text[] = "{\"title\":\"piped\",\"body\":\"x\"}\nnot json\n";
    assert_int_equal(write(fds[1], text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fds[1]);
    got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    ingest_callbacks cb = { on_article, on_problem, NULL, g };
    ingest *ig = ingest_new(&cb);
    assert_int_equal(ingest_fd_jsonl(ig, fds[0], "-"), 0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->arts[0].id, "-:1");
    assert_true(has_problem(g, "-:2: malformed JSON", INGEST_ERROR));
    assert_int_equal(ingest_get_counts(ig)->errors, 1);
    ingest_free(ig);
    got_free(g);
}

static void test_size_counts_regular_files_once(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    char p[4200];
    snprintf(p, sizeof p, "%s/a/one.txt", d);
    tu_write(p, "12345", 5);
    snprintf(p, sizeof p, "%s/a/two.txt", d);
    tu_write(p, "123", 3);
    snprintf(p, sizeof p, "%s/a/self", d);
    assert_int_equal(symlink(".", p), 0);
    assert_int_equal(ingest_size(d), 8);
    assert_int_equal(ingest_size("-"), 0);
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_fields_and_aliases_are_mapped),
        cmocka_unit_test(test_malformed_json_lines_are_reported_with_line_numbers),
        cmocka_unit_test(test_bad_utf8_is_repaired_not_rejected),
        cmocka_unit_test(test_json_documents_single_array_and_wrapper),
        cmocka_unit_test(test_text_files_with_and_without_header),
        cmocka_unit_test(test_html_page_drops_scripts_styles_and_navigation),
        cmocka_unit_test(test_legacy_encodings_in_text_and_html),
        cmocka_unit_test(test_gzip_files_of_every_format),
        cmocka_unit_test(test_symlink_loop_empty_and_binary_files),
        cmocka_unit_test(test_deeply_nested_directories),
        cmocka_unit_test(test_unknown_extensions_are_sniffed),
        cmocka_unit_test(test_long_lines_span_buffer_refills),
        cmocka_unit_test(test_callback_can_stop_the_run),
        cmocka_unit_test(test_stdin_stream_reads_json_lines),
        cmocka_unit_test(test_size_counts_regular_files_once),
    };
    return cmocka_run_group_tests_name("ingest", tests, NULL, NULL);
}

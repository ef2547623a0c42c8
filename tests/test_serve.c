/* test_serve.c — `morgue serve` end to end: the built binary is started on a
 * free loopback port against an index built here, and a small HTTP/1.1
 * client over a socket exercises every endpoint, bad requests, concurrent
 * clients and searches during writes. */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "morgue.h"

#define NDOCS 60
static const char *const TOPICS[5] = { "alpha", "bravo", "charlie", "delta", "foxtrot" };

/* --------------------------------------------------------- the test data */

/* A word found only in article i: "zq" + base-23 letters + "x". */
static void uniq_word(int i, char *out)
{
    char *p = out;
    *p++ = 'z', *p++ = 'q';
    do {
        *p++ = (char)('a' + i % 23);
        i /= 23;
    } while (i);
    *p++ = 'x';
    *p = '\0';
}

static int64_t day(int i) { return 946684800 + (int64_t)i * 86400; } /* 2000-01-01 + i */

static void build_index(const char *dir)
{
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    for (int i = 0; i < NDOCS; i++) {
        char id[16], title[64], body[256], u[16];
        uniq_word(i, u);
        snprintf(id, sizeof id, "a%02d", i);
        snprintf(title, sizeof title, "Article %d about %s", i, TOPICS[i % 5]);
        snprintf(body, sizeof body, "The %s report number %d mentions %s and the harbour.",
                 TOPICS[i % 5], i, u);
        mg_article a = { .id = id, .title = title, .body = body, .source = "Wire",
                         .url = "http://example.com/a", .date = day(i) };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
}

/* ------------------------------------------------------------ the server */

typedef struct server {
    pid_t pid;
    int port;
    char *dir;
} server;

/* Starts `morgue serve` on port 0 and reads the port from its first line. */
static void server_start(server *s, const char *dir, const char *extra)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    s->dir = strdup(dir);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* a test that dies (an assertion, a sanitizer) takes its server
         * along: an orphan would hold tests/run.sh's output pipe open */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], 1);
        close(fds[0]), close(fds[1]);
        char cmd[8192];
        snprintf(cmd, sizeof cmd,
                 "exec '%s' serve -i '%s' --port 0 --threads 4 --reopen-ms 100 %s",
                 tu_morgue_bin(), dir, extra);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[512];
    size_t n = 0;
    struct pollfd p = { fds[0], POLLIN, 0 };
    while (n < sizeof line - 1 && poll(&p, 1, 10000) == 1) {
        ssize_t k = read(fds[0], line + n, 1);
        if (k <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(fds[0]);
    const char *c = strstr(line, "127.0.0.1:");
    if (!c)
        print_message("server did not start: '%s'\n", line);
    assert_non_null(c);
    s->port = atoi(c + 10);
    assert_true(s->port > 0);
}

/* SIGTERM must stop the server cleanly (exit status 0). */
static void server_stop(server *s)
{
    int st = 0;
    assert_int_equal(kill(s->pid, SIGTERM), 0);
    assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    free(s->dir);
}

/* ------------------------------------------------------------ the client */

typedef struct conn {
    int fd;
    int port;
} conn;

typedef struct resp {
    int status;
    char *body;       /* NUL-terminated */
    size_t len;
    char allow[64];   /* the Allow header, if any */
} resp;

static int conn_open(conn *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (c->fd >= 0)
            close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        p += k, n -= (size_t)k;
    }
    return 0;
}

/* Reads one response; 0 or -1 (connection closed before a full answer). */
static int read_response(conn *c, int head, resp *r)
{
    size_t cap = 8192, len = 0;
    char *b = malloc(cap);
    char *hend = NULL;
    long clen = -1;
    for (;;) {
        if (!hend && (hend = memmem(b, len, "\r\n\r\n", 4)) != NULL) {
            *hend = '\0';
            const char *cl = strcasestr(b, "\r\ncontent-length:");
            clen = head ? 0 : cl ? atol(cl + 17) : -1;
            const char *al = strcasestr(b, "\r\nallow:");
            if (al)
                sscanf(al + 8, " %63[^\r]", r->allow);
            r->status = atoi(b + 9);
            if (strcasestr(b, "\r\nconnection: close"))
                c->fd = -c->fd - 2; /* close after this answer */
            hend += 4;
        }
        if (hend && clen >= 0 && (size_t)(b + len - hend) >= (size_t)clen)
            break;
        if (cap - len < 4096)
            b = realloc(b, cap *= 2);
        ssize_t k = recv(c->fd < -1 ? -c->fd - 2 : c->fd, b + len, cap - len - 1, 0);
        if (k <= 0) {
            if (hend && clen < 0)
                break; /* body ends at EOF */
            free(b);
            return -1;
        }
        len += (size_t)k;
    }
    size_t off = (size_t)(hend - b);
    r->len = clen >= 0 ? (size_t)clen : len - off;
    r->body = malloc(r->len + 1);
    memcpy(r->body, hend, r->len);
    r->body[r->len] = '\0';
    free(b);
    if (c->fd < -1) {
        c->fd = -c->fd - 2;
        conn_close(c);
    }
    return 0;
}

/* Sends raw bytes as one request and reads the answer; on a dead kept-alive
 * connection retries once on a new one. */
static int http_raw(conn *c, const char *req, size_t n, int head, resp *r)
{
    memset(r, 0, sizeof *r);
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && conn_open(c) != 0)
            return -1;
        if (send_all(c->fd, req, n) == 0 && read_response(c, head, r) == 0)
            return 0;
        conn_close(c);
    }
    return -1;
}

static int http(conn *c, const char *method, const char *path, const char *body, resp *r)
{
    size_t blen = body ? strlen(body) : 0;
    size_t cap = strlen(path) + blen + 256;
    char *req = malloc(cap);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n\r\n",
                     method, path, blen);
    if (blen)
        memcpy(req + n, body, blen);
    int rc = http_raw(c, req, (size_t)n + blen, strcmp(method, "HEAD") == 0, r);
    free(req);
    return rc;
}

static void resp_free(resp *r) { free(r->body); r->body = NULL; }

/* GET path; asserts the status; returns the body parsed as JSON. */
static json_t *get_json(conn *c, const char *method, const char *path, const char *body,
                        int want_status)
{
    resp r;
    assert_int_equal(http(c, method, path, body, &r), 0);
    if (r.status != want_status)
        print_message("%s %s: %d %s\n", method, path, r.status, r.body);
    assert_int_equal(r.status, want_status);
    json_error_t e;
    json_t *j = json_loads(r.body, 0, &e);
    if (!j)
        print_message("not JSON: %s\n", r.body);
    assert_non_null(j);
    resp_free(&r);
    return j;
}

/* ----------------------------------------------------------- the fixture */

typedef struct fixture {
    char *tmp;        /* holds the index */
    char ixdir[4096];
    server srv;       /* started --writable */
    conn c;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->tmp = tu_tmpdir();
    snprintf(f->ixdir, sizeof f->ixdir, "%s/ix", f->tmp);
    build_index(f->ixdir);
    server_start(&f->srv, f->ixdir, "--writable --max-body 1000000");
    f->c = (conn){ -1, f->srv.port };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    conn_close(&f->c);
    server_stop(&f->srv);
    tu_rmrf(f->tmp);
    free(f->tmp);
    free(f);
    return 0;
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static json_int_t jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* The ids of a search answer's hits, space-separated. */
static void hit_ids(json_t *res, char *out, size_t n)
{
    json_t *hits = json_object_get(res, "hits"), *h;
    size_t i;
    out[0] = '\0';
    json_array_foreach(hits, i, h) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", l ? " " : "", jstr(h, "id"));
    }
}

/* ------------------------------------------------------------- the tests */

static void test_health_answers_ok_with_version(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "GET", "/health", NULL, 200);
    assert_string_equal(jstr(j, "status"), "ok");
    assert_string_equal(jstr(j, "version"), mg_version());
    assert_true(json_is_true(json_object_get(j, "writable")));
    json_decref(j);
}

static void test_search_returns_matching_hits_with_fields(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "GET", "/search?q=alpha&n=20", NULL, 200);
    assert_string_equal(jstr(j, "query"), "alpha");
    assert_int_equal(jint(j, "total"), NDOCS / 5);
    json_t *hits = json_object_get(j, "hits"), *h;
    assert_int_equal(json_array_size(hits), NDOCS / 5);
    size_t i;
    json_array_foreach(hits, i, h) {
        const char *id = jstr(h, "id");
        assert_non_null(id);
        int n = atoi(id + 1);
        assert_int_equal(n % 5, 0);
        char title[64];
        snprintf(title, sizeof title, "Article %d about alpha", n);
        assert_string_equal(jstr(h, "title"), title);
        assert_string_equal(jstr(h, "source"), "Wire");
        assert_string_equal(jstr(h, "url"), "http://example.com/a");
        assert_true(json_is_number(json_object_get(h, "score")));
        assert_non_null(jstr(h, "snippet"));
        assert_non_null(strstr(jstr(h, "date"), "2000-"));
    }
    json_decref(j);
}

static void test_search_pages_with_n_and_offset(void **state)
{
    fixture *f = *state;
    char all[256], page[256];
    json_t *a = get_json(&f->c, "GET", "/search?q=harbour&n=4", NULL, 200);
    json_t *b = get_json(&f->c, "GET", "/search?q=harbour&n=2&offset=2", NULL, 200);
    assert_int_equal(jint(a, "total"), NDOCS);
    assert_int_equal(jint(b, "total"), NDOCS);
    hit_ids(a, all, sizeof all);
    hit_ids(b, page, sizeof page);
    const char *second_half = strchr(strchr(all, ' ') + 1, ' ') + 1;
    assert_string_equal(page, second_half);
    json_decref(a);
    json_decref(b);
}

static void test_search_filters_and_sorts_by_date(void **state)
{
    fixture *f = *state;
    char ids[256], path[256];
    json_t *j = get_json(&f->c, "GET", "/search?q=harbour&sort=oldest&n=3", NULL, 200);
    hit_ids(j, ids, sizeof ids);
    assert_string_equal(ids, "a00 a01 a02");
    json_decref(j);
    j = get_json(&f->c, "GET", "/search?q=harbour&sort=newest&n=1", NULL, 200);
    hit_ids(j, ids, sizeof ids);
    assert_string_equal(ids, "a59");
    json_decref(j);
    /* until names a whole day: 2000-01-12 includes a11 */
    j = get_json(&f->c, "GET", "/search?q=harbour&since=2000-01-10&until=2000-01-12&sort=oldest",
                 NULL, 200);
    hit_ids(j, ids, sizeof ids);
    assert_string_equal(ids, "a09 a10 a11");
    assert_int_equal(jint(j, "total"), 3);
    json_decref(j);
    snprintf(path, sizeof path, "/search?q=harbour&since=%lld", (long long)day(55));
    j = get_json(&f->c, "GET", path, NULL, 200);
    assert_int_equal(jint(j, "total"), 5);
    json_decref(j);
}

/* The server answers exactly what the library answers in-process. */
static void test_search_agrees_with_the_library(void **state)
{
    fixture *f = *state;
    const char *queries[] = { "alpha", "harbour", "bravo", "zqkx", "report" };
    mg_searcher *s = NULL;
    assert_int_equal(mg_searcher_open_path(f->ixdir, &s), MG_OK);
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        char path[128], ids[1024], want[1024] = "";
        snprintf(path, sizeof path, "/search?q=%s&n=7", queries[q]);
        json_t *j = get_json(&f->c, "GET", path, NULL, 200);
        hit_ids(j, ids, sizeof ids);
        mg_search_options o;
        mg_search_options_init(&o);
        o.limit = 7;
        mg_results *r = NULL;
        assert_int_equal(mg_search(s, queries[q], &o, &r), MG_OK);
        for (size_t i = 0; i < mg_results_count(r); i++) {
            size_t l = strlen(want);
            snprintf(want + l, sizeof want - l, "%s%s", l ? " " : "", mg_results_hit(r, i)->id);
        }
        assert_string_equal(ids, want);
        assert_int_equal(jint(j, "total"), (json_int_t)mg_results_total(r));
        mg_results_free(r);
        json_decref(j);
    }
    mg_searcher_close(s);
}

/* /search and /articles/ID answer exactly what `morgue search --json` and
 * `morgue get --json` print. */
static void test_json_is_what_the_command_line_prints(void **state)
{
    fixture *f = *state;
    struct { const char *path, *cmd; } cases[] = {
        { "/search?q=charlie&n=3", "search --json -n 3 charlie" },
        { "/search?q=harbour&n=2&offset=4&sort=oldest", "search --json -n 2 --offset 4 --sort oldest harbour" },
        { "/search?q=%22report+number%22&since=2000-01-20", "search --json --since 2000-01-20 '\"report number\"'" },
        { "/articles/a13", "get --json a13" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *out = NULL;
        assert_int_equal(tu_sh(&out, NULL, "'%s' %s -i '%s'", tu_morgue_bin(), cases[i].cmd,
                               f->ixdir), 0);
        json_t *want = json_loads(out, 0, NULL);
        assert_non_null(want);
        json_t *got = get_json(&f->c, "GET", cases[i].path, NULL, 200);
        if (!json_equal(got, want))
            print_message("%s differs from morgue %s:\n%s\n", cases[i].path, cases[i].cmd, out);
        assert_true(json_equal(got, want));
        json_decref(got);
        json_decref(want);
        free(out);
    }
}

static void test_article_by_id_returns_stored_fields(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "GET", "/articles/a07", NULL, 200);
    assert_string_equal(jstr(j, "id"), "a07");
    assert_string_equal(jstr(j, "title"), "Article 7 about charlie");
    assert_non_null(strstr(jstr(j, "body"), "report number 7 mentions"));
    assert_string_equal(jstr(j, "date"), "2000-01-08T00:00:00Z");
    assert_string_equal(jstr(j, "source"), "Wire");
    json_decref(j);
    resp r;
    assert_int_equal(http(&f->c, "HEAD", "/articles/a07", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    resp_free(&r);
    j = get_json(&f->c, "GET", "/articles/nosuchid", NULL, 404);
    assert_non_null(strstr(jstr(j, "error"), "nosuchid"));
    json_decref(j);
}

static void test_stats_count_the_articles(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "GET", "/stats", NULL, 200);
    assert_int_equal(jint(j, "docs"), NDOCS);
    assert_true(jint(j, "generation") >= 1);
    assert_string_equal(jstr(j, "language"), "english");
    json_decref(j);
}

/* An error answer: the status, and a JSON body {"error": "...", "status"}. */
static void expect_error(conn *c, const char *method, const char *path, const char *body,
                         int status, const char *needle)
{
    json_t *j = get_json(c, method, path, body, status);
    const char *e = jstr(j, "error");
    assert_non_null(e);
    assert_int_equal(jint(j, "status"), status);
    if (needle && !strstr(e, needle))
        print_message("%s %s: error '%s' lacks '%s'\n", method, path, e, needle);
    if (needle)
        assert_non_null(strstr(e, needle));
    json_decref(j);
}

static void test_bad_parameters_get_400_json(void **state)
{
    fixture *f = *state;
    expect_error(&f->c, "GET", "/search", NULL, 400, "missing parameter q");
    expect_error(&f->c, "GET", "/search?q=", NULL, 400, "missing parameter q");
    expect_error(&f->c, "GET", "/search?q=alpha&n=abc", NULL, 400, "n must be");
    expect_error(&f->c, "GET", "/search?q=alpha&n=-1", NULL, 400, "n must be");
    expect_error(&f->c, "GET", "/search?q=alpha&n=1001", NULL, 400, "n must be");
    expect_error(&f->c, "GET", "/search?q=alpha&offset=1e3", NULL, 400, "offset must be");
    expect_error(&f->c, "GET", "/search?q=alpha&sort=up", NULL, 400, "sort must be");
    expect_error(&f->c, "GET", "/search?q=alpha&since=yesterday", NULL, 400, "since");
    expect_error(&f->c, "GET", "/search?q=alpha&until=2020-13-45", NULL, 400, "until");
    expect_error(&f->c, "GET", "/search?q=al%00pha", NULL, 400, "NUL");
    char *longq = malloc(5100);
    strcpy(longq, "/search?q=");
    memset(longq + 10, 'a', 5000);
    longq[5010] = '\0';
    expect_error(&f->c, "GET", longq, NULL, 400, "longer than");
    free(longq);
    /* invalid UTF-8 in the query is answered, with valid JSON */
    json_t *j = get_json(&f->c, "GET", "/search?q=%ff%fe", NULL, 200);
    assert_int_equal(jint(j, "total"), 0);
    json_decref(j);
}

static void test_query_syntax_error_names_the_column(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "GET", "/search?q=alpha%20%22bravo", NULL, 400);
    assert_non_null(jstr(j, "error"));
    assert_string_equal(jstr(j, "code"), mg_strerror(MG_ESYNTAX));
    assert_true(jint(j, "column") >= 1);
    json_decref(j);
}

static void test_unknown_paths_and_methods_get_404_and_405(void **state)
{
    fixture *f = *state;
    expect_error(&f->c, "GET", "/nope", NULL, 404, "no such endpoint");
    expect_error(&f->c, "GET", "/", NULL, 404, "no such endpoint");
    expect_error(&f->c, "GET", "/search/more?q=a", NULL, 404, "no such endpoint");
    struct { const char *m, *path, *allow; } cases[] = {
        { "PUT", "/search?q=a", "GET, HEAD" },
        { "POST", "/health", "GET, HEAD" },
        { "GET", "/articles", "POST" },
        { "PATCH", "/articles/a01", "GET, HEAD, DELETE" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        resp r;
        assert_int_equal(http(&f->c, cases[i].m, cases[i].path, NULL, &r), 0);
        assert_int_equal(r.status, 405);
        assert_string_equal(r.allow, cases[i].allow);
        assert_non_null(strstr(r.body, "\"error\""));
        resp_free(&r);
    }
}

static void test_bad_article_bodies_get_400_and_add_nothing(void **state)
{
    fixture *f = *state;
    expect_error(&f->c, "POST", "/articles", "", 400, "no article");
    expect_error(&f->c, "POST", "/articles", "{\"id\": \"x1\", \"title\": \n", 400, "line 1");
    expect_error(&f->c, "POST", "/articles",
                 "{\"id\": \"b1\", \"body\": \"quokkaword\"}\n\n{\"title\": \"no id\"}\n", 400,
                 "line 3: missing id");
    expect_error(&f->c, "POST", "/articles", "[1, 2]\n", 400, "not a JSON object");
    expect_error(&f->c, "POST", "/articles", "{\"id\": \"b2\", \"url\": \"http://x\"}\n", 400,
                 "neither a title nor a body");
    expect_error(&f->c, "POST", "/articles", "{\"id\": \"b3\", \"date\": \"soon\"}\n", 400, "date");
    expect_error(&f->c, "POST", "/articles", "{\"id\": \"b4\", \"body\": \"a\\u0000b\"}\n", 400,
                 "line 1");
    /* the good first line of a bad body was not added */
    json_t *j = get_json(&f->c, "GET", "/search?q=quokkaword", NULL, 200);
    assert_int_equal(jint(j, "total"), 0);
    json_decref(j);
    expect_error(&f->c, "GET", "/articles/b1", NULL, 404, "b1");
}

static void test_oversized_bodies_get_413(void **state)
{
    fixture *f = *state;
    /* announced: refused before the body is sent */
    const char *hdr = "POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: 20000000\r\n\r\n";
    resp r;
    conn c = { -1, f->srv.port };
    assert_int_equal(http_raw(&c, hdr, strlen(hdr), 0, &r), 0);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body, "larger than"));
    resp_free(&r);
    conn_close(&c);
    /* chunked: read and discarded, then refused */
    size_t chunk = 64 * 1024, nchunks = 32; /* 2 MiB > --max-body 1000000 */
    char *req = malloc(chunk * nchunks + 4096);
    size_t n = (size_t)sprintf(req, "POST /articles HTTP/1.1\r\nHost: x\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t i = 0; i < nchunks; i++) {
        n += (size_t)sprintf(req + n, "%zx\r\n", chunk);
        memset(req + n, '{', chunk);
        n += chunk;
        n += (size_t)sprintf(req + n, "\r\n");
    }
    n += (size_t)sprintf(req + n, "0\r\n\r\n");
    assert_int_equal(http_raw(&c, req, n, 0, &r), 0);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    conn_close(&c);
    free(req);
}

/* Bytes that are not HTTP get an error or a closed connection, never a
 * crash: the server still answers afterwards. */
static void test_garbage_requests_do_not_hurt_the_server(void **state)
{
    fixture *f = *state;
    const char *garbage[] = {
        "\x01\x02\x03 hello\r\n\r\n",
        "GET /search?q=%zz% HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /search?q=a HTTP/9.9\r\n\r\n",
        "POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: x\r\nX: " "\xff\xfe\r\n\r\n",
        "\r\n\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        conn c = { -1, f->srv.port };
        resp r;
        memset(&r, 0, sizeof r);
        assert_int_equal(conn_open(&c), 0);
        assert_int_equal(send_all(c.fd, garbage[i], strlen(garbage[i])), 0);
        shutdown(c.fd, SHUT_WR); /* no more: the server answers, closes or times out */
        struct timeval tv = { 0, 500000 };
        setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (read_response(&c, 0, &r) == 0) {
            assert_true(r.status >= 200 && r.status < 600);
            resp_free(&r);
        }
        conn_close(&c);
    }
    json_t *j = get_json(&f->c, "GET", "/health", NULL, 200);
    json_decref(j);
}

/* Random requests (percent-encoded random bytes in paths and parameters,
 * random bodies) each get a JSON answer with a 2xx/4xx status. */
static void test_random_requests_get_json_answers(void **state)
{
    fixture *f = *state;
    static const char *const methods[] = { "GET", "POST", "DELETE", "PUT", "GET" };
    static const char *const bases[] = { "/search?q=", "/search?q=alpha&n=", "/articles/zz",
                                         "/search?q=a&since=", "/articles", "/stats?",
                                         "/zz", "/search?sort=" };
    uint64_t seed = 42;
    for (int i = 0; i < 300; i++) {
        char path[512], body[256];
        const char *m = methods[tu_rand(&seed) % 5];
        size_t n = (size_t)snprintf(path, sizeof path, "%s", bases[tu_rand(&seed) % 8]);
        for (int k = (int)(tu_rand(&seed) % 30); k > 0; k--)
            n += (size_t)snprintf(path + n, sizeof path - n, "%%%02X",
                                  (unsigned)(tu_rand(&seed) % 256));
        size_t blen = tu_rand(&seed) % (sizeof body - 1);
        static const char alphabet[] = "{}[]\":,\n abc\\0123";
        for (size_t k = 0; k < blen; k++)
            body[k] = alphabet[tu_rand(&seed) % (sizeof alphabet - 1)];
        body[blen] = '\0';
        resp r;
        assert_int_equal(http(&f->c, m, path, strcmp(m, "GET") ? body : NULL, &r), 0);
        int ok = r.status == 200 || (r.status >= 400 && r.status <= 413);
        json_t *j = json_loads(r.body, 0, NULL);
        if (!ok || !j)
            print_message("%s %s -> %d %s\n", m, path, r.status, r.body);
        assert_true(ok);
        assert_non_null(j);
        json_decref(j);
        resp_free(&r);
    }
    json_t *j = get_json(&f->c, "GET", "/stats", NULL, 200);
    assert_int_equal(jint(j, "docs"), NDOCS); /* nothing random got in */
    json_decref(j);
}

static void test_post_adds_and_delete_removes_articles(void **state)
{
    fixture *f = *state;
    json_t *j = get_json(&f->c, "POST", "/articles",
                         "{\"id\": \"p1\", \"title\": \"Kiwiword one\", \"date\": \"2001-02-03\"}\n"
                         "{\"id\": \"p2\", \"headline\": \"Second\", \"text\": \"kiwiword two\"}\n",
                         200);
    assert_int_equal(jint(j, "added"), 2);
    json_decref(j);
    j = get_json(&f->c, "GET", "/search?q=kiwiword", NULL, 200);
    assert_int_equal(jint(j, "total"), 2); /* visible as soon as the POST returned */
    json_decref(j);
    j = get_json(&f->c, "GET", "/articles/p1", NULL, 200);
    assert_string_equal(jstr(j, "title"), "Kiwiword one");
    assert_string_equal(jstr(j, "date"), "2001-02-03T00:00:00Z");
    json_decref(j);
    j = get_json(&f->c, "DELETE", "/articles/p1", NULL, 200);
    assert_string_equal(jstr(j, "deleted"), "p1");
    json_decref(j);
    j = get_json(&f->c, "GET", "/search?q=kiwiword", NULL, 200);
    char ids[64];
    hit_ids(j, ids, sizeof ids);
    assert_string_equal(ids, "p2");
    json_decref(j);
    expect_error(&f->c, "DELETE", "/articles/p1", NULL, 404, "p1");
    expect_error(&f->c, "GET", "/articles/p1", NULL, 404, "p1");
    j = get_json(&f->c, "GET", "/stats", NULL, 200);
    assert_int_equal(jint(j, "docs"), NDOCS + 1);
    json_decref(j);
}

/* ------------------------------------------------------------ concurrency */

typedef struct worker {
    int port;
    int seed;
    int requests;
    int errors;       /* wrong or missing answers */
    atomic_int *stop; /* for readers running until a writer is done */
} worker;

/* One request of a mixed load with its answer checked; 0 when right. */
static int check_one(conn *c, int i)
{
    char path[128], want[64];
    resp r;
    int kind = i % 4, n = i % NDOCS, ok = 0;
    if (kind == 0) {
        snprintf(path, sizeof path, "/search?q=%s&n=20", TOPICS[i % 5]);
    } else if (kind == 1) {
        char u[16];
        uniq_word(n, u);
        snprintf(path, sizeof path, "/search?q=%s", u);
    } else if (kind == 2) {
        snprintf(path, sizeof path, "/articles/a%02d", n);
    } else {
        snprintf(path, sizeof path, "/health");
    }
    if (http(c, "GET", path, NULL, &r) != 0)
        return 1;
    json_t *j = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
    if (j && kind == 0) {
        json_t *hits = json_object_get(j, "hits"), *h;
        size_t k;
        ok = jint(j, "total") == NDOCS / 5 && json_array_size(hits) == NDOCS / 5;
        json_array_foreach(hits, k, h) ok = ok && atoi(jstr(h, "id") + 1) % 5 == i % 5;
    } else if (j && kind == 1) {
        char ids[64];
        snprintf(want, sizeof want, "a%02d", n);
        hit_ids(j, ids, sizeof ids);
        ok = jint(j, "total") == 1 && strcmp(ids, want) == 0;
    } else if (j && kind == 2) {
        snprintf(want, sizeof want, "Article %d about %s", n, TOPICS[n % 5]);
        ok = jstr(j, "title") && strcmp(jstr(j, "title"), want) == 0;
    } else if (j) {
        ok = jstr(j, "status") && strcmp(jstr(j, "status"), "ok") == 0;
    }
    json_decref(j);
    resp_free(&r);
    return !ok;
}

static void *worker_run(void *arg)
{
    worker *w = arg;
    conn c = { -1, w->port };
    for (int i = 0; i < w->requests || (w->stop && !atomic_load(w->stop)); i++)
        w->errors += check_one(&c, w->seed + i);
    conn_close(&c);
    return NULL;
}

static void test_eight_clients_get_correct_answers_concurrently(void **state)
{
    fixture *f = *state;
    enum { THREADS = 8, REQUESTS = 500 };
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ .port = f->srv.port, .seed = i * 7, .requests = REQUESTS };
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    int errors = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        errors += w[i].errors;
    }
    assert_int_equal(errors, 0);
}

/* While readers search, each article a writer POSTs is found by the very
 * next search, and the readers' answers stay right. */
static void test_searches_during_writes_see_each_new_article(void **state)
{
    fixture *f = *state;
    enum { READERS = 3, WRITES = 15 };
    atomic_int stop = 0;
    pthread_t t[READERS];
    worker w[READERS];
    for (int i = 0; i < READERS; i++) {
        w[i] = (worker){ .port = f->srv.port, .seed = i, .requests = 0, .stop = &stop };
        assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
    }
    int missed = 0;
    for (int i = 0; i < WRITES; i++) {
        char body[256], path[64], word[16];
        uniq_word(1000 + i, word);
        snprintf(body, sizeof body, "{\"id\": \"w%d\", \"title\": \"Write %d\", \"body\": \"%s\"}",
                 i, i, word);
        json_t *j = get_json(&f->c, "POST", "/articles", body, 200);
        json_decref(j);
        snprintf(path, sizeof path, "/search?q=%s", word);
        j = get_json(&f->c, "GET", path, NULL, 200);
        missed += jint(j, "total") != 1;
        json_decref(j);
    }
    atomic_store(&stop, 1);
    int errors = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(t[i], NULL);
        errors += w[i].errors;
    }
    assert_int_equal(missed, 0);
    assert_int_equal(errors, 0);
}

/* ------------------------------------------- a read-only server, the CLI */

static void test_read_only_server_refuses_writes_and_sees_new_commits(void **state)
{
    (void)state;
    char *tmp = tu_tmpdir(), dir[4096];
    snprintf(dir, sizeof dir, "%s/ro", tmp);
    build_index(dir);
    server s;
    server_start(&s, dir, "");
    conn c = { -1, s.port };
    expect_error(&c, "POST", "/articles", "{\"id\": \"x\"}\n", 403, "read-only");
    expect_error(&c, "DELETE", "/articles/a01", NULL, 403, "read-only");
    json_t *j = get_json(&c, "GET", "/health", NULL, 200);
    assert_true(json_is_false(json_object_get(j, "writable")));
    json_decref(j);

    /* another writer commits; the server picks it up on its timer */
    mg_index *ix = NULL;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    mg_article a = { .id = "late", .title = "Latecomer news", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    json_int_t total = 0;
    for (int tries = 0; tries < 100 && total != 1; tries++) { /* up to 5 s */
        j = get_json(&c, "GET", "/search?q=latecomer", NULL, 200);
        total = jint(j, "total");
        json_decref(j);
        if (total != 1)
            usleep(50000);
    }
    assert_int_equal(total, 1);
    j = get_json(&c, "GET", "/articles/late", NULL, 200);
    assert_string_equal(jstr(j, "title"), "Latecomer news");
    json_decref(j);
    j = get_json(&c, "GET", "/stats", NULL, 200);
    assert_int_equal(jint(j, "docs"), NDOCS + 1);
    json_decref(j);
    conn_close(&c);
    server_stop(&s);
    tu_rmrf(tmp);
    free(tmp);
}

static void test_bad_command_lines_exit_with_a_message(void **state)
{
    (void)state;
    char *err = NULL;
    const char *bin = tu_morgue_bin();
    assert_int_equal(tu_sh(NULL, &err, "'%s' serve --port 70000", bin), 2);
    assert_non_null(strstr(err, "--port"));
    free(err);
    assert_int_equal(tu_sh(NULL, &err, "'%s' serve --bogus", bin), 2);
    assert_non_null(strstr(err, "--bogus"));
    free(err);
    assert_int_equal(tu_sh(NULL, &err, "'%s' serve -i /nonexistent/ix --port 0", bin), 1);
    assert_non_null(strstr(err, "/nonexistent/ix"));
    free(err);
    char *out = NULL;
    assert_int_equal(tu_sh(&out, NULL, "'%s' serve --help", bin), 0);
    assert_non_null(strstr(out, "/search"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_health_answers_ok_with_version),
        cmocka_unit_test(test_search_returns_matching_hits_with_fields),
        cmocka_unit_test(test_search_pages_with_n_and_offset),
        cmocka_unit_test(test_search_filters_and_sorts_by_date),
        cmocka_unit_test(test_search_agrees_with_the_library),
        cmocka_unit_test(test_json_is_what_the_command_line_prints),
        cmocka_unit_test(test_article_by_id_returns_stored_fields),
        cmocka_unit_test(test_stats_count_the_articles),
        cmocka_unit_test(test_bad_parameters_get_400_json),
        cmocka_unit_test(test_query_syntax_error_names_the_column),
        cmocka_unit_test(test_unknown_paths_and_methods_get_404_and_405),
        cmocka_unit_test(test_bad_article_bodies_get_400_and_add_nothing),
        cmocka_unit_test(test_oversized_bodies_get_413),
        cmocka_unit_test(test_garbage_requests_do_not_hurt_the_server),
        cmocka_unit_test(test_eight_clients_get_correct_answers_concurrently),
        cmocka_unit_test(test_random_requests_get_json_answers),
        cmocka_unit_test(test_post_adds_and_delete_removes_articles),
        cmocka_unit_test(test_searches_during_writes_see_each_new_article),
        cmocka_unit_test(test_read_only_server_refuses_writes_and_sees_new_commits),
        cmocka_unit_test(test_bad_command_lines_exit_with_a_message),
    };
    return cmocka_run_group_tests_name("serve", tests, setup, teardown);
}

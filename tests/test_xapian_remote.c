/* test_xapian_remote.c — an archive split into two shards, each served by
 * its own `xapian-tcpsrv` on a free 127.0.0.1 port, searched as one, must
 * answer exactly like a single local database holding every article:
 * same documents, same order, same BM25 weights (Xapian gathers global
 * statistics across the shards).  The servers are killed in the teardown,
 * which cmocka runs even when a test fails (and they die with this process
 * should it crash: PR_SET_PDEATHSIG). */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xapian/xbackend.h"

#define NART 120
#define NSHARD 2

typedef struct fixture {
    char *dir;                 /* temporary directory for the databases */
    pid_t pid[NSHARD];         /* the servers (0 = not running) */
    unsigned port[NSHARD];
    char spec[128];            /* "127.0.0.1:P,127.0.0.1:Q" */
} fixture;

static const char *VOCAB[] = {
    "market", "shares", "oil", "price", "bank", "rate", "trade", "deficit", "grain", "wheat",
    "coffee", "cocoa", "gold", "dollar", "yen", "profit", "loss", "quarter", "company", "merger",
    "stake", "offer", "talks", "minister", "export", "import", "crude", "barrel", "ton", "harvest",
    "running", "ran", "runs", "strike", "union", "steel", "car", "sales", "rise", "fall",
};
#define NVOCAB (sizeof VOCAB / sizeof *VOCAB)

static void random_text(uint64_t *rng, char *out, size_t cap, int words)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < words; i++) {
        /* skewed: low indexes are common, high ones rare */
        uint64_t r = tu_rand(rng) % NVOCAB;
        r = r * (tu_rand(rng) % NVOCAB) / NVOCAB;
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", VOCAB[r]);
    }
}

/* Article i, deterministic. */
static void make_article(int i, mg_article *a, char *id, char *title, char *body)
{
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(i + 1) * 0x100000001B3ULL;
    snprintf(id, 16, "art%03d", i);
    random_text(&rng, title, 200, 2 + (int)(tu_rand(&rng) % 5));
    random_text(&rng, body, 4000, 5 + (int)(tu_rand(&rng) % 120));
    memset(a, 0, sizeof *a);
    a->id = id;
    a->title = title;
    a->body = body;
    a->source = (i % 3) ? "Reuters" : "AP";
    a->date = (i % 7 == 0) ? MG_NO_DATE : (int64_t)536457600 + (int64_t)i * 86400 * 3;
}

/* Indexes the articles i with i % every == rem into dir/name. */
static void build(const char *dir, const char *name, int every, int rem)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    xb_writer *w;
    errbuf e;
    assert_int_equal(xb_writer_open(path, 1, "english", &w, &e), MG_OK);
    for (int i = 0; i < NART; i++) {
        if (i % every != rem)
            continue;
        mg_article a;
        char id[16], title[200], body[4000];
        make_article(i, &a, id, title, body);
        assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    }
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    xb_writer_close(w);
}

/* A TCP port on 127.0.0.1 that was free a moment ago. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static int can_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Starts xapian-tcpsrv on loopback serving db; returns its pid once it
 * accepts connections (bounded wait), or 0. */
static pid_t start_server(const char *db, unsigned port)
{
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        char p[16];
        snprintf(p, sizeof p, "%u", port);
        /* On SIGTERM xapian-tcpsrv signals its whole process group (to
         * stop the children it forks per connection): give it its own. */
        setpgid(0, 0);
        /* If this test process dies without its teardown, so do we. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execlp("xapian-tcpsrv", "xapian-tcpsrv", "--interface", "127.0.0.1", "--port", p,
               "--quiet", db, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) { /* up to 10 s */
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return 0; /* it died (port taken, bad db, not installed) */
        if (can_connect(port))
            return pid;
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}

static void stop_server(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) { /* up to 5 s, then no more asking */
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        sleep_ms(50);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int teardown(void **state);

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->dir = tu_tmpdir();
    build(f->dir, "all", 1, 0);
    /* Article i goes to shard i % 2: the combination's interleaved docids
     * (d -> (d-1)*2 + shard + 1) then equal the single database's. */
    build(f->dir, "shard0", NSHARD, 0);
    build(f->dir, "shard1", NSHARD, 1);
    size_t used = 0;
    for (int s = 0; s < NSHARD; s++) {
        char db[4200];
        snprintf(db, sizeof db, "%s/shard%d", f->dir, s);
        for (int attempt = 0; attempt < 5 && !f->pid[s]; attempt++) {
            f->port[s] = free_port();
            f->pid[s] = start_server(db, f->port[s]);
        }
        if (!f->pid[s]) {
            print_message("could not start xapian-tcpsrv on 127.0.0.1\n");
            teardown(state); /* cmocka skips the group teardown then */
            *state = NULL;
            return -1;
        }
        used += (size_t)snprintf(f->spec + used, sizeof f->spec - used, "%s127.0.0.1:%u",
                                 s ? "," : "", f->port[s]);
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    for (int s = 0; s < NSHARD; s++)
        stop_server(f->pid[s]);
    tu_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static xb_searcher *open_local(const fixture *f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/all", f->dir);
    xb_searcher *s;
    errbuf e;
    assert_int_equal(xb_searcher_open(path, &s, &e), MG_OK);
    return s;
}

/* Runs query on both searchers and checks hit for hit: same id, same
 * score to rounding; same total. */
static void same_answers(xb_searcher *local, xb_searcher *remote, const char *query,
                         const mg_search_options *o)
{
    xb_results *a, *b;
    errbuf e;
    assert_int_equal(xb_search(local, query, o, &a, &e, NULL), MG_OK);
    assert_int_equal(xb_search(remote, query, o, &b, &e, NULL), MG_OK);
    assert_int_equal(xb_results_count(a), xb_results_count(b));
    assert_int_equal(xb_results_total(a), xb_results_total(b));
    for (size_t i = 0; i < xb_results_count(a); i++) {
        const mg_hit *x = xb_results_hit(a, i), *y = xb_results_hit(b, i);
        if (strcmp(x->id, y->id) != 0)
            print_message("query '%s' hit %zu: %s (%.9f) vs %s (%.9f)\n", query, i, x->id,
                          x->score, y->id, y->score);
        assert_string_equal(x->id, y->id);
        assert_true(fabs(x->score - y->score) <= 1e-9 * (1 + fabs(x->score)));
        assert_true(x->date == y->date);
        assert_string_equal(x->title, y->title);
    }
    xb_results_free(a);
    xb_results_free(b);
}

static mg_search_options options(size_t limit)
{
    mg_search_options o;
    memset(&o, 0, sizeof o);
    o.limit = limit;
    o.since = o.until = MG_NO_DATE;
    o.fields = MG_FIELDS_DEFAULT;
    o.k1 = 1.2;
    o.b = 0.75;
    o.exact_total = 1;
    return o;
}

static const char *QUERIES[] = {
    "oil", "market shares", "coffee OR cocoa", "crude AND barrel", "\"oil price\"",
    "wheat -grain", "running", "=running", "source:ap profit", "dollar NEAR/3 yen",
    "stee*", "+trade deficit", "(gold OR yen) AND NOT loss", "harvest date:1987..1988",
};

static void test_two_remote_shards_answer_like_one_database(void **state)
{
    fixture *f = *state;
    xb_searcher *local = open_local(f), *remote;
    errbuf e;
    assert_int_equal(xb_searcher_open_remote(f->spec, 5000, &remote, &e), MG_OK);
    assert_int_equal(xb_searcher_ndocs(remote), NART);
    assert_int_equal(xb_searcher_ndocs(local), NART);
    mg_search_options o = options(20);
    for (size_t q = 0; q < sizeof QUERIES / sizeof *QUERIES; q++)
        same_answers(local, remote, QUERIES[q], &o);
    /* Each shard alone holds only half of the matches, with other weights:
     * the combination is what makes the scores global. */
    char one[64];
    snprintf(one, sizeof one, "127.0.0.1:%u", f->port[0]);
    xb_searcher *half;
    assert_int_equal(xb_searcher_open_remote(one, 5000, &half, &e), MG_OK);
    assert_int_equal(xb_searcher_ndocs(half), NART / 2);
    xb_results *r;
    assert_int_equal(xb_search(half, "oil", &o, &r, &e, NULL), MG_OK);
    assert_true(xb_results_count(r) > 0);
    for (size_t i = 0; i < xb_results_count(r); i++)
        assert_int_equal((atoi(xb_results_hit(r, i)->id + 3)) % 2, 0);
    xb_results_free(r);
    xb_searcher_close(half);
    xb_searcher_close(remote);
    xb_searcher_close(local);
}

static void test_remote_pages_sorts_and_filters_like_local(void **state)
{
    fixture *f = *state;
    xb_searcher *local = open_local(f), *remote;
    errbuf e;
    assert_int_equal(xb_searcher_open_remote(f->spec, 5000, &remote, &e), MG_OK);
    mg_search_options o = options(7);
    o.offset = 5; /* a second page */
    same_answers(local, remote, "oil OR market OR shares", &o);
    o.offset = 0;
    o.sort = MG_SORT_NEWEST;
    same_answers(local, remote, "price", &o);
    o.sort = MG_SORT_OLDEST;
    same_answers(local, remote, "price", &o);
    o.sort = MG_SORT_RELEVANCE;
    o.since = 536457600 + 86400 * 60;
    o.until = 536457600 + 86400 * 200;
    o.k1 = 0.9;
    o.b = 0.4;
    same_answers(local, remote, "market OR rate", &o);
    xb_searcher_close(remote);
    xb_searcher_close(local);
}

static void test_unreachable_remote_is_an_error_naming_it(void **state)
{
    fixture *f = *state;
    char spec[160];
    /* A port nothing listens on (taken and released just now). */
    unsigned dead = free_port();
    snprintf(spec, sizeof spec, "127.0.0.1:%u,127.0.0.1:%u", f->port[0], dead);
    xb_searcher *s = (xb_searcher *)1;
    errbuf e;
    assert_int_equal(xb_searcher_open_remote(spec, 2000, &s, &e), MG_EIO);
    assert_null(s);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%u", dead);
    assert_non_null(strstr(e.msg, want));
    assert_int_equal(xb_searcher_open_remote("127.0.0.1", 2000, &s, &e), MG_EINVAL);
    assert_int_equal(xb_searcher_open_remote("127.0.0.1:99999", 2000, &s, &e), MG_EINVAL);
    snprintf(spec, sizeof spec, "127.0.0.1:%u,", f->port[0]);
    assert_int_equal(xb_searcher_open_remote(spec, 2000, &s, &e), MG_EINVAL);
}

/* The raw bindings: two remote databases combined by hand. */
static void test_bindings_combine_remote_databases(void **state)
{
    fixture *f = *state;
    xap_db *comb, *r;
    assert_int_equal(xap_db_new_combined(&comb), XAP_OK);
    for (int s = 0; s < NSHARD; s++) {
        assert_int_equal(xap_db_open_remote("127.0.0.1", f->port[s], 5000, &r), XAP_OK);
        assert_int_equal(xap_db_add(comb, r), XAP_OK);
        assert_int_equal(xap_db_close(r), XAP_OK);
    }
    uint32_t n;
    assert_int_equal(xap_db_doccount(comb, &n), XAP_OK);
    assert_int_equal(n, NART);
    uint32_t df_all = 0;
    assert_int_equal(xap_db_term_stats(comb, "oil", 3, &df_all, NULL), XAP_OK);
    xb_searcher *local = open_local(f);
    uint32_t df_local = 0;
    assert_int_equal(xap_db_term_stats(xb_searcher_db(local), "oil", 3, &df_local, NULL), XAP_OK);
    assert_int_equal(df_all, df_local);
    assert_true(df_all > 0);
    /* A remote database is read-only. */
    xap_doc *d;
    assert_int_equal(xap_doc_new(&d), XAP_OK);
    assert_int_equal(xap_db_add_doc(comb, d, NULL), XAP_EUNSUPPORTED);
    xap_doc_free(d);
    xb_searcher_close(local);
    assert_int_equal(xap_db_close(comb), XAP_OK);
}

/* The command line: `morgue search --remote` prints what a search of the
 * single database prints; `morgue index/get --backend xapian` work. */
static void test_cli_searches_remote_shards_like_local(void **state)
{
    fixture *f = *state;
    const char *m = tu_morgue_bin();
    char *a = NULL, *b = NULL, *err = NULL;
    int rc = tu_sh(&a, &err, "'%s' search --remote %s --json -n 7 --snippet 80 oil OR market", m, f->spec);
    if (rc)
        print_message("stderr: %s\n", err);
    assert_int_equal(rc, 0);
    free(err);
    assert_int_equal(tu_sh(&b, NULL, "'%s' search --backend xapian -i '%s/all' --json -n 7 --snippet 80 oil OR market",
                           m, f->dir), 0);
    assert_non_null(strstr(a, "\"hits\":[{\"id\":\"art"));
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* An unreachable shard is an error, never a partial answer. */
    unsigned dead = free_port();
    assert_int_equal(tu_sh(NULL, &err, "'%s' search --remote 127.0.0.1:%u,127.0.0.1:%u oil", m, f->port[0], dead), 1);
    assert_non_null(strstr(err, "cannot open"));
    free(err);
    assert_int_equal(tu_sh(NULL, &err, "'%s' search --backend morgue --remote %s oil", m, f->spec), 2);
    assert_non_null(strstr(err, "needs --backend xapian"));
    free(err);
    /* index, get, delete, stats through the CLI */
    char jl[4200];
    snprintf(jl, sizeof jl, "%s/in/a.jsonl", f->dir);
    tu_writef(jl, "{\"id\":\"c1\",\"title\":\"Cocoa talks\",\"body\":\"Cocoa producers met.\","
                  "\"date\":\"1987-03-02\",\"author\":\"Li Wei\"}\n");
    assert_int_equal(tu_sh(NULL, NULL, "'%s' index -q --backend xapian -i '%s/cli' '%s'", m, f->dir, jl), 0);
    assert_int_equal(tu_sh(&a, NULL, "'%s' get --backend xapian -i '%s/cli' --json c1", m, f->dir), 0);
    assert_non_null(strstr(a, "\"author\":\"Li Wei\""));
    free(a);
    assert_int_equal(tu_sh(&a, NULL, "'%s' search --backend xapian -i '%s/cli' 'author:wei'", m, f->dir), 0);
    assert_non_null(strstr(a, "Cocoa talks"));
    free(a);
    assert_int_equal(tu_sh(&a, &err, "'%s' search --backend xapian -i '%s/cli' 'title:cocoa'", m, f->dir), 1);
    assert_non_null(strstr(err, "xapian backend cannot"));
    free(a);
    free(err);
    assert_int_equal(tu_sh(NULL, NULL, "'%s' delete -q --backend xapian -i '%s/cli' c1", m, f->dir), 0);
    assert_int_equal(tu_sh(&a, NULL, "'%s' stats --backend xapian -i '%s/cli' --json", m, f->dir), 0);
    assert_non_null(strstr(a, "\"docs\":0"));
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_remote_shards_answer_like_one_database),
        cmocka_unit_test(test_remote_pages_sorts_and_filters_like_local),
        cmocka_unit_test(test_unreachable_remote_is_an_error_naming_it),
        cmocka_unit_test(test_bindings_combine_remote_databases),
        cmocka_unit_test(test_cli_searches_remote_shards_like_local),
    };
    return cmocka_run_group_tests_name("xapian_remote", tests, setup, teardown);
}

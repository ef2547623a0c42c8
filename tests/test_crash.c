/* test_crash.c — durability: a writer killed with SIGKILL at random moments
 * leaves an index that opens at exactly some completed commit, never losing
 * an earlier one; a flipped byte in any file kind is reported as
 * MG_ECORRUPT naming the file; a second writer in another process gets
 * MG_ELOCKED. */
#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "index/index.h"

#define BATCH 25

/* The child: continues from what is committed, forever: each round adds a
 * batch of new documents, replaces one old document, and commits. */
static void crash_child(const char *dir)
{
    mg_open_options o;
    mg_open_options_init(&o);
    o.ram_budget = 120 * 1024; /* flushes inside some rounds too */
    mg_index *ix;
    if (mg_index_open(dir, MG_WRITE | MG_CREATE, &o, &ix) != MG_OK)
        _exit(2);
    mg_stats st;
    if (mg_index_stats(ix, &st) != MG_OK)
        _exit(3);
    uint64_t n = st.docs;
    char id[32], body[256];
    for (;;) {
        for (int i = 0; i < BATCH; i++, n++) {
            snprintf(id, sizeof id, "d%llu", (unsigned long long)n);
            snprintf(body, sizeof body, "doc number %llu shares words with batch %llu and more text",
                     (unsigned long long)n, (unsigned long long)(n / BATCH));
            mg_article a = { .id = id, .title = "crash test", .body = body, .date = (int64_t)n };
            if (mg_index_add(ix, &a) != MG_OK)
                _exit(4);
        }
        snprintf(id, sizeof id, "d%llu", (unsigned long long)(n / 2));
        mg_article r = { .id = id, .title = "replaced", .body = "again", .date = (int64_t)(n / 2) };
        if (mg_index_add(ix, &r) != MG_OK || mg_index_commit(ix) != MG_OK)
            _exit(5);
    }
}

/* Checks the index holds exactly d0..d(n-1), n a multiple of BATCH and at
 * least `at_least`; returns n. */
static uint64_t crash_verify(const char *dir, uint64_t at_least)
{
    ix_reader *r;
    errbuf e;
    int rc = ix_reader_open(dir, &r, &e);
    if (rc == MG_ENOTFOUND && at_least == 0)
        return 0; /* killed before the first commit */
    if (rc != MG_OK)
        print_error("open after kill: %s\n", e.msg);
    assert_int_equal(rc, MG_OK);
    uint64_t n = ix_reader_ndocs(r);
    assert_int_equal(n % BATCH, 0);
    assert_true(n >= at_least);
    char id[32];
    for (uint64_t i = 0; i < n + BATCH; i++) {
        uint32_t seg, doc;
        snprintf(id, sizeof id, "d%llu", (unsigned long long)i);
        assert_int_equal(ix_reader_find_id(r, id, &seg, &doc), i < n);
        if (i < n)
            assert_true(ix_seg_date(ix_reader_segment(r, seg), doc) == (int64_t)i);
    }
    /* every live document is either an original or a replacement */
    uint64_t live = 0;
    for (uint32_t s = 0; s < ix_reader_nsegments(r); s++) {
        const ix_segment *seg = ix_reader_segment(r, s);
        const char *terms[2] = { "crash", "replac" };
        for (int t = 0; t < 2; t++) {
            ix_post c;
            if (!ix_post_open(&c, seg, terms[t], strlen(terms[t])))
                continue;
            for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c))
                live += !ix_seg_is_deleted(seg, d);
        }
    }
    assert_int_equal(live, n);
    rc = ix_reader_check(r, &e);
    if (rc != MG_OK)
        print_error("check after kill: %s\n", e.msg);
    assert_int_equal(rc, MG_OK);
    ix_reader_unref(r);
    return n;
}

static void test_killed_writer_leaves_last_commit(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    uint64_t rs = (uint64_t)time(NULL) | 1, n = 0;
    for (int kill_no = 0; kill_no < 20; kill_no++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            crash_child(dir);
        struct timespec ts = { 0, (long)(20 + tu_rand(&rs) % 280) * 1000000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status)); /* it never stopped by itself */
        n = crash_verify(dir, n);
    }
    print_message("crash test: %llu documents committed across 20 kills\n", (unsigned long long)n);
    tu_rmrf(dir);
    free(dir);
}

/* ------------------------------------------------------------ corruption */

static void build_small_index(const char *dir)
{
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    char id[32], body[128];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "c%d", i);
        snprintf(body, sizeof body, "alpha beta gamma %d delta %d", i, i % 13);
        mg_article a = { .id = id, .title = "title words", .body = body, .source = "wire",
                         .author = "someone", .date = i };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
        if (i == 150)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    assert_int_equal(mg_index_delete(ix, "c3"), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_close(ix), MG_OK);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n ? *n : 1);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void spit(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* Opens and checks dir; returns the first failure code (and its message). */
static int open_and_check(const char *dir, char *msg, size_t cap)
{
    mg_index *ix;
    int rc = mg_index_open(dir, MG_RDONLY, NULL, &ix);
    if (rc == MG_OK)
        rc = mg_index_check(ix);
    if (rc == MG_OK) { /* also read documents and postings: must not crash */
        mg_doc *d;
        if (mg_index_get(ix, "c200", &d) == MG_OK)
            mg_doc_free(d);
    }
    snprintf(msg, cap, "%s", mg_errmsg(ix));
    mg_index_close(ix);
    return rc;
}

/* Flips bytes of one file at several offsets; each time open or check must
 * fail with MG_ECORRUPT (or MG_EVERSION for the version field) and name it. */
static void corrupt_file_kind(const char *dir, const char *prefix)
{
    char name[256] = "", path[4400], msg[600];
    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)))
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            snprintf(name, sizeof name, "%s", de->d_name);
    closedir(d);
    assert_true(name[0]);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t n;
    uint8_t *orig = slurp(path, &n);
    uint64_t rs = 99;
    size_t offs[24] = { 0, 5, 8, n / 2, n - 1, n - 4, n - 10, n - 20 };
    for (int i = 8; i < 24; i++)
        offs[i] = tu_rand(&rs) % n;
    for (int i = 0; i < 24; i++) {
        uint8_t *bad = malloc(n);
        memcpy(bad, orig, n);
        bad[offs[i]] ^= (uint8_t)(1u << (i % 8));
        spit(path, bad, n);
        int rc = open_and_check(dir, msg, sizeof msg);
        if (rc != MG_ECORRUPT && rc != MG_EVERSION)
            print_error("%s: flipping byte %zu gave %d (%s)\n", name, offs[i], rc, msg);
        assert_true(rc == MG_ECORRUPT || rc == MG_EVERSION);
        assert_non_null(strstr(msg, name));
        free(bad);
    }
    /* truncated */
    spit(path, orig, n / 2);
    assert_int_equal(open_and_check(dir, msg, sizeof msg), MG_ECORRUPT);
    assert_non_null(strstr(msg, name));
    spit(path, orig, n);
    assert_int_equal(open_and_check(dir, msg, sizeof msg), MG_OK);
    free(orig);
}

static void test_flipped_byte_in_any_file_is_reported(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    build_small_index(dir);
    char msg[600];
    assert_int_equal(open_and_check(dir, msg, sizeof msg), MG_OK);
    corrupt_file_kind(dir, "MANIFEST-");
    corrupt_file_kind(dir, "seg-");
    corrupt_file_kind(dir, "del-");
    tu_rmrf(dir);
    free(dir);
}

static void test_foreign_files_are_not_an_index(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char path[4400], msg[600];
    snprintf(path, sizeof path, "%s/MANIFEST-0000000000000001", dir);
    tu_writef(path, "this is not a manifest at all, just some text");
    assert_int_equal(open_and_check(dir, msg, sizeof msg), MG_ECORRUPT);
    assert_non_null(strstr(msg, "MANIFEST-0000000000000001"));
    /* a writer refuses it too instead of overwriting */
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_ECORRUPT);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_second_writer_in_another_process_is_locked(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    int ready[2], done[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        mg_index *ix;
        char c = mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix) == MG_OK ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) != 1)
            _exit(1);
        mg_index_close(ix);
        _exit(0);
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_ELOCKED);
    mg_index_close(ix);
    assert_int_equal(write(done[1], "x", 1), 1);
    int status;
    waitpid(pid, &status, 0);
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &ix), MG_OK);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* ------------------------------------------------- readers during commits */

typedef struct reader_loop {
    const char *dir;
    atomic_int stop;
    int opens, bad;
} reader_loop;

static void *reader_thread(void *arg)
{
    reader_loop *l = arg;
    while (!l->stop) {
        ix_reader *r;
        errbuf e;
        int rc = ix_reader_open(l->dir, &r, &e);
        if (rc != MG_OK) {
            l->bad++;
            continue;
        }
        uint64_t n = ix_reader_ndocs(r);
        uint32_t seg, doc;
        char id[32];
        snprintf(id, sizeof id, "d%llu", (unsigned long long)(n ? n - 1 : 0));
        if (n % BATCH != 0 || (n && !ix_reader_find_id(r, id, &seg, &doc)))
            l->bad++;
        l->opens++;
        ix_reader_unref(r);
    }
    return NULL;
}

/* Snapshots opened while a writer commits, merges and removes old files
 * always see one whole commit (the open retries when a commit removed the
 * files of the one it was opening). */
static void test_readers_see_whole_commits_while_writer_merges(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    reader_loop l = { dir, 0, 0, 0 };
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, reader_thread, &l), 0);
    char id[32];
    uint64_t n = 0;
    for (int round = 0; round < 60; round++) {
        for (int i = 0; i < BATCH; i++, n++) {
            snprintf(id, sizeof id, "d%llu", (unsigned long long)n);
            mg_article a = { .id = id, .title = "concurrent", .body = "readers and a writer",
                             .date = (int64_t)n };
            assert_int_equal(mg_index_add(ix, &a), MG_OK);
        }
        assert_int_equal(mg_index_commit(ix), MG_OK); /* merges every 10 commits */
    }
    l.stop = 1;
    pthread_join(th, NULL);
    assert_int_equal(l.bad, 0);
    assert_true(l.opens > 0);
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, n);
    assert_true(st.segments < 10);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_writer_leaves_last_commit),
        cmocka_unit_test(test_flipped_byte_in_any_file_is_reported),
        cmocka_unit_test(test_foreign_files_are_not_an_index),
        cmocka_unit_test(test_second_writer_in_another_process_is_locked),
        cmocka_unit_test(test_readers_see_whole_commits_while_writer_merges),
    };
    return cmocka_run_group_tests_name("crash", tests, NULL, NULL);
}

/* test_index.c — the index writer and reader through the public mg_index_*
 * API and the ix_* layer: add/commit/reopen, positions and exact flags,
 * prefixed terms, prefix enumeration, replace and delete by id, rollback,
 * merges, RAM-budget flushes, locking, interrupts and bad UTF-8. */
#include "testutil.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/addbuf.h"
#include "index/index.h"
#include "index/merge.h"
#include "util/cpus.h"
#include "util/norm.h"

static mg_index *open_w(const char *dir, size_t ram, int no_merge)
{
    mg_open_options o;
    mg_open_options_init(&o);
    o.ram_budget = ram;
    o.no_merge = no_merge;
    mg_index *ix;
    int rc = mg_index_open(dir, MG_WRITE | MG_CREATE, &o, &ix);
    if (rc != MG_OK)
        print_error("open %s: %s\n", dir, mg_errmsg(ix));
    assert_int_equal(rc, MG_OK);
    return ix;
}

static void add(mg_index *ix, const char *id, const char *title, const char *body, int64_t date)
{
    mg_article a = { .id = id, .title = title, .body = body, .date = date };
    int rc = mg_index_add(ix, &a);
    if (rc != MG_OK)
        print_error("add %s: %s\n", id, mg_errmsg(ix));
    assert_int_equal(rc, MG_OK);
}

static ix_reader *open_r(const char *dir)
{
    ix_reader *r;
    errbuf e;
    int rc = ix_reader_open(dir, &r, &e);
    if (rc != MG_OK)
        print_error("reader: %s\n", e.msg);
    assert_int_equal(rc, MG_OK);
    return r;
}

static uint64_t df_of(ix_reader *r, const char *term)
{
    uint64_t df, cf;
    ix_reader_term_stats(r, term, strlen(term), &df, &cf);
    return df;
}

/* Ids sharing a long prefix, ids that begin other ids, lengths around the
 * 8-byte sort key after the shared prefix, UTF-8 bytes above 0x7f, ids added
 * twice: the IDS order passes the check (sorted by id, then docid) and
 * every id finds its latest document. */
static void test_ids_order_with_shared_prefixes_and_repeats(void **state)
{
    (void)state;
    static const char *tails[] = { "", "a", "a/b", "ab", "abcdefg", "abcdefgh", "abcdefghi",
                                   "abcdefgh/1", "abcdefgh/2", "abcdefgh/10", "\xc3\xa9t\xc3\xa9",
                                   "\xf0\x9f\x93\xb0", "~", "0", "00", "000000000" };
    enum { NT = sizeof tails / sizeof *tails, NIDS = NT * 9 };
    char ids[NIDS][96], body[64];
    for (int i = 0; i < NIDS; i++)
        snprintf(ids[i], sizeof ids[i], "http://news.example.com/archive/%s%s%d", tails[i % NT],
                 i / NT % 3 ? "-" : "", i / NT);
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    uint64_t rs = 77;
    for (int round = 0; round < 2; round++) /* the second round replaces a third of them */
        for (int k = 0; k < NIDS; k++) {
            int i = (int)((uint64_t)k * 37 % NIDS);
            if (round && tu_rand(&rs) % 3)
                continue;
            snprintf(body, sizeof body, "body %d round %d", i, round);
            add(ix, ids[i], "t", body, MG_NO_DATE);
        }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_check(ix), MG_OK);
    for (int i = 0; i < NIDS; i++) {
        mg_doc *d;
        assert_int_equal(mg_index_get(ix, ids[i], &d), MG_OK);
        assert_string_equal(d->a.id, ids[i]);
        assert_true(strncmp(d->a.body, "body ", 5) == 0 && atoi(d->a.body + 5) == i);
        mg_doc_free(d);
    }
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "http://news.example.com/archive/", &d), MG_ENOTFOUND);
    assert_int_equal(mg_index_close(ix), MG_OK);
    tu_rmrf(dir);
    free(dir);
}

static void test_add_commit_reopen_reads_every_field_back(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    mg_article a = { "reu-1", "http://x/1", "Oil prices rise", "Crude oil rose 3% on Monday.",
                     "Reuters", "Markets", "Jane Doe", 545000000 };
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    mg_article b = { .id = "reu-2", .body = "No title, no date.", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &b), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_close(ix), MG_OK);

    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "reu-1", &d), MG_OK);
    assert_string_equal(d->a.id, "reu-1");
    assert_string_equal(d->a.url, "http://x/1");
    assert_string_equal(d->a.title, "Oil prices rise");
    assert_string_equal(d->a.body, "Crude oil rose 3% on Monday.");
    assert_string_equal(d->a.source, "Reuters");
    assert_string_equal(d->a.section, "Markets");
    assert_string_equal(d->a.author, "Jane Doe");
    assert_true(d->a.date == 545000000);
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "reu-2", &d), MG_OK);
    assert_null(d->a.title);
    assert_null(d->a.url);
    assert_string_equal(d->a.body, "No title, no date.");
    assert_true(d->a.date == MG_NO_DATE);
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "nope", &d), MG_ENOTFOUND);
    assert_null(d);
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 2);
    assert_int_equal(st.segments, 1);
    assert_string_equal(st.language, "english");
    assert_true(st.date_min == 545000000 && st.date_max == 545000000);
    assert_true(st.bytes_total > st.bytes_postings + st.bytes_stored);
    assert_int_equal(mg_index_check(ix), MG_OK);
    assert_int_equal(mg_index_add(ix, &a), MG_EREADONLY);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_uncommitted_adds_are_invisible(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    add(ix, "a", "hello", "world", MG_NO_DATE);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r), 0);
    assert_int_equal(df_of(r, "hello"), 0);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_true(ix_reader_stale(r));
    assert_int_equal(ix_reader_ndocs(r), 0); /* a snapshot does not move */
    ix_reader *r2 = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r2), 1);
    assert_int_equal(df_of(r2, "hello"), 1);
    assert_false(ix_reader_stale(r2));
    ix_reader_unref(r);
    ix_reader_unref(r2);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_positions_title_then_body_with_exact_flags(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    /* title: 3 tokens at 0..2; body starts at 4 */
    add(ix, "d1", "Running dogs run", "The dog runs and runs.", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    const ix_segment *s = ix_reader_segment(r, 0);
    ix_post c;
    assert_true(ix_post_open(&c, s, "run", 3));
    assert_int_equal(c.doc, 0);
    assert_int_equal(ix_post_tf_title(&c), 2); /* Running, run */
    assert_int_equal(ix_post_tf_body(&c), 2);  /* runs, runs */
    uint32_t pos[8];
    uint8_t ex[8];
    assert_int_equal(ix_post_positions(&c, pos, ex, 8), 4);
    uint32_t want[4] = { 0, 2, 6, 8 };
    uint8_t want_ex[4] = { 0, 1, 0, 0 };
    assert_memory_equal(pos, want, sizeof want);
    assert_memory_equal(ex, want_ex, sizeof want_ex);
    assert_int_equal(ix_post_next(&c), IX_END);
    /* the raw forms where they differ from the stem */
    assert_true(ix_post_open(&c, s, "Rrunning", 8));
    assert_int_equal(ix_post_positions(&c, pos, NULL, 8), 1);
    assert_int_equal(pos[0], 0);
    assert_true(ix_post_open(&c, s, "Rruns", 5));
    assert_int_equal(ix_post_tf_body(&c), 2);
    assert_false(ix_post_open(&c, s, "Rrun", 4)); /* equal to its stem: flag only */
    assert_false(ix_post_open(&c, s, "Qd1", 3)); /* ids are not terms ... */
    uint32_t from;
    assert_int_equal(seg_find_id(s, "d1", 2, &from), 1); /* ... but in IDS */
    assert_int_equal(seg_id_order(s, from), 0);
    assert_int_equal(ix_seg_title_norm(s, 0), norm_encode(3));
    assert_int_equal(ix_seg_body_norm(s, 0), norm_encode(5));
    assert_true(ix_reader_avg_title_len(r) == 3.0);
    assert_true(ix_reader_avg_body_len(r) == 5.0);
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_source_section_author_are_prefixed_terms(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    mg_article a = { .id = "x", .title = "t", .source = "New York Times", .section = "World News",
                     .author = "Running Man", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    const ix_segment *s = ix_reader_segment(r, 0);
    ix_post c;
    uint32_t pos[4];
    assert_true(ix_post_open(&c, s, "Snew", 4));
    assert_int_equal(ix_post_tf_title(&c), 0);
    assert_int_equal(ix_post_tf_body(&c), 1);
    assert_true(ix_post_open(&c, s, "Stimes", 6));
    assert_int_equal(ix_post_positions(&c, pos, NULL, 4), 1);
    assert_int_equal(pos[0], 2);
    assert_true(ix_post_open(&c, s, "Sworld", 6));
    assert_int_equal(ix_post_positions(&c, pos, NULL, 4), 1);
    assert_int_equal(pos[0], 4); /* section after source, one gap */
    assert_true(ix_post_open(&c, s, "Arunning", 8)); /* unstemmed */
    assert_false(ix_post_open(&c, s, "Arun", 4));
    assert_int_equal(ix_seg_body_norm(s, 0), 0); /* no body words */
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

typedef struct seen {
    char terms[16][64];
    uint64_t df[16];
    int n;
} seen;

static int collect(void *ctx, const char *term, size_t len, uint64_t df)
{
    seen *s = ctx;
    snprintf(s->terms[s->n], 64, "%.*s", (int)len, term);
    s->df[s->n++] = df;
    return s->n == 16;
}

static void test_prefix_enumeration_merges_segments_in_order(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 1);
    add(ix, "1", "markets", "market marketing", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    add(ix, "2", "marker", "market mars", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_nsegments(r), 2);
    seen s = { .n = 0 };
    size_t n = ix_reader_prefix(r, "mar", 3, 100, collect, &s);
    /* english stems: market, marker, mar(s) */
    assert_int_equal(n, (size_t)s.n);
    for (int i = 1; i < s.n; i++)
        assert_true(strcmp(s.terms[i - 1], s.terms[i]) < 0);
    int found_market = 0;
    for (int i = 0; i < s.n; i++) {
        assert_true(strncmp(s.terms[i], "mar", 3) == 0);
        if (strcmp(s.terms[i], "market") == 0) {
            found_market = 1;
            assert_int_equal(s.df[i], 2); /* summed over both segments */
        }
    }
    assert_true(found_market);
    seen s2 = { .n = 0 };
    assert_int_equal(ix_reader_prefix(r, "mar", 3, 1, collect, &s2), 1);
    assert_string_equal(s2.terms[0], s.terms[0]);
    assert_int_equal(ix_reader_prefix(r, "zzz", 3, 10, collect, &s2), 0);
    seen s3 = { .n = 0 };
    ix_reader_prefix(r, "R", 1, 100, collect, &s3);
    for (int i = 0; i < s3.n; i++)
        assert_true(s3.terms[i][0] == 'R');
    assert_true(s3.n >= 2); /* Rmarkets, Rmarketing, ... */
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_replace_by_id_keeps_only_the_newest(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 1);
    add(ix, "k", "first version", "alpha", 1);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    add(ix, "k", "second version", "beta", 2);
    add(ix, "k", "third version", "gamma", 3); /* replaces a pending one */
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "k", &d), MG_OK);
    assert_string_equal(d->a.title, "third version");
    mg_doc_free(d);
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 1);
    assert_int_equal(st.deleted, 2);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r), 1);
    uint32_t seg, doc;
    assert_true(ix_reader_find_id(r, "k", &seg, &doc));
    assert_true(ix_seg_date(ix_reader_segment(r, seg), doc) == 3);
    /* df counts deleted documents (as Lucene does); liveness is per doc */
    assert_int_equal(df_of(r, "alpha"), 1);
    ix_post c;
    assert_true(ix_post_open(&c, ix_reader_segment(r, 0), "alpha", 5));
    assert_true(ix_seg_is_deleted(ix_reader_segment(r, 0), c.doc));
    ix_reader_unref(r);
    /* merging reclaims them */
    assert_int_equal(mg_index_optimize(ix), MG_OK);
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 1);
    assert_int_equal(st.deleted, 0);
    assert_int_equal(st.segments, 1);
    r = open_r(dir);
    assert_int_equal(df_of(r, "alpha"), 0);
    assert_int_equal(df_of(r, "gamma"), 1);
    assert_int_equal(mg_index_check(ix), MG_OK);
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_delete_by_id_committed_and_pending(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 1);
    add(ix, "a", "apple", "", MG_NO_DATE);
    add(ix, "b", "banana", "", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    add(ix, "c", "cherry", "", MG_NO_DATE);
    assert_int_equal(mg_index_delete(ix, "a"), MG_OK);
    assert_int_equal(mg_index_delete(ix, "c"), MG_OK);
    assert_int_equal(mg_index_delete(ix, "c"), MG_ENOTFOUND);
    assert_int_equal(mg_index_delete(ix, "zz"), MG_ENOTFOUND);
    assert_true(strstr(mg_errmsg(ix), "zz") != NULL);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "a", &d), MG_OK); /* not yet committed */
    mg_doc_free(d);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_get(ix, "a", &d), MG_ENOTFOUND);
    assert_int_equal(mg_index_get(ix, "c", &d), MG_ENOTFOUND);
    assert_int_equal(mg_index_get(ix, "b", &d), MG_OK);
    mg_doc_free(d);
    mg_index_close(ix);
    /* deletions survive reopening */
    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_get(ix, "a", &d), MG_ENOTFOUND);
    mg_stats st;
    mg_index_stats(ix, &st);
    assert_int_equal(st.docs, 1);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_rollback_discards_adds_and_deletes(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 1);
    add(ix, "keep", "kept", "", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    add(ix, "new", "fresh", "", MG_NO_DATE);
    assert_int_equal(mg_index_delete(ix, "keep"), MG_OK);
    assert_int_equal(mg_index_rollback(ix), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "keep", &d), MG_OK);
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "new", &d), MG_ENOTFOUND);
    /* close without commit also rolls back */
    add(ix, "lost", "x", "", MG_NO_DATE);
    mg_index_close(ix);
    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_get(ix, "lost", &d), MG_ENOTFOUND);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* Many small documents with a tiny RAM budget: several flushes per commit,
 * the merge policy keeps the segment count bounded, and every document is
 * still found with the right postings. */
/* Every live document's ids-section id equals its stored article's id. */
static void assert_ids_match_stored(ix_reader *r, uint64_t expect_live)
{
    uint64_t live = 0;
    for (uint32_t i = 0; i < ix_reader_nsegments(r); i++) {
        const ix_segment *s = ix_reader_segment(r, i);
        size_t len;
        assert_null(ix_seg_doc_id(s, ix_seg_ndocs(s), &len));
        for (uint32_t d = 0; d < ix_seg_ndocs(s); d++) {
            if (ix_seg_is_deleted(s, d))
                continue;
            const char *id = ix_seg_doc_id(s, d, &len);
            assert_non_null(id);
            mg_doc *doc;
            errbuf e;
            assert_int_equal(ix_seg_doc(s, d, &doc, &e), MG_OK);
            assert_int_equal(len, strlen(doc->a.id));
            assert_memory_equal(id, doc->a.id, len);
            uint32_t fs, fd;
            assert_true(ix_reader_find_id(r, doc->a.id, &fs, &fd));
            assert_true(fs == i && fd == d);
            mg_doc_free(doc);
            live++;
        }
    }
    assert_int_equal(live, expect_live);
}

/* Ids come from the flushed buffer, from merges and survive replaces. */
static void test_ids_section_matches_stored_ids_after_flush_and_merge(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 200 * 1024, 0);
    char id[40], body[64];
    for (int i = 0; i < 1500; i++) {
        snprintf(id, sizeof id, i % 3 ? "doc%d" : "article-with-a-longer-id-%d", i);
        snprintf(body, sizeof body, "text %d", i);
        add(ix, id, "t", body, i);
        if (i % 400 == 399)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    add(ix, "doc1", "t", "replaced", 1); /* replace: the old doc1 is deleted */
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    assert_true(ix_reader_nsegments(r) > 1);
    assert_ids_match_stored(r, 1500);
    ix_reader_unref(r);
    assert_int_equal(mg_index_optimize(ix), MG_OK);
    r = open_r(dir);
    assert_int_equal(ix_reader_nsegments(r), 1);
    assert_ids_match_stored(r, 1500);
    size_t len;
    const char *last = ix_seg_doc_id(ix_reader_segment(r, 0), 1499, &len);
    assert_true(len == 4 && memcmp(last, "doc1", 4) == 0);
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* Ids are not terms: each segment's IDS order finds them, prefixes of one
 * another and ids replaced within one segment included. */
static void test_ids_are_found_in_every_segment_by_their_order(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 100 * 1024, 1);
    char id[40];
    for (int i = 0; i < 1000; i++) { /* not in id order */
        snprintf(id, sizeof id, "doc%d", i * 7919 % 1000);
        add(ix, id, "t", "body", i * 7919 % 1000);
        if (i % 300 == 299)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    add(ix, "d", "t", "b", 2000);
    add(ix, "do", "t", "b", 2001);
    add(ix, "doc5", "t", "again", 2005); /* replaced ... */
    add(ix, "doc5", "t", "and again", 3005); /* ... twice in one segment */
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    assert_true(ix_reader_nsegments(r) > 2);
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "doc%d", i);
        uint32_t seg, doc;
        size_t len;
        assert_true(ix_reader_find_id(r, id, &seg, &doc));
        const char *got = ix_seg_doc_id(ix_reader_segment(r, seg), doc, &len);
        assert_true(len == strlen(id) && memcmp(got, id, len) == 0);
        assert_int_equal(ix_seg_date(ix_reader_segment(r, seg), doc), i == 5 ? 3005 : i);
    }
    const char *absent[] = { "doc", "doc1000", "doc-1", "dd", "doc5 ", "e", "c" };
    for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) {
        uint32_t seg, doc;
        assert_false(ix_reader_find_id(r, absent[i], &seg, &doc));
    }
    uint32_t seg, doc;
    assert_true(ix_reader_find_id(r, "d", &seg, &doc));
    assert_int_equal(ix_seg_date(ix_reader_segment(r, seg), doc), 2000);
    ix_reader_unref(r);
    assert_int_equal(mg_index_delete(ix, "do"), MG_OK);
    assert_int_equal(mg_index_delete(ix, "do"), MG_ENOTFOUND);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_check(ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "d", &d), MG_OK);
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "do", &d), MG_ENOTFOUND);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_tiny_ram_budget_flushes_and_merges(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 300 * 1024, 0);
    char id[32], body[128];
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "doc%d", i);
        snprintf(body, sizeof body, "common word%d group%d tail", i, i % 7);
        add(ix, id, i % 2 ? "odd" : "even", body, 1000 + i);
        if (i % 500 == 499)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r), 3000);
    assert_true(ix_reader_nsegments(r) > 1);
    assert_true(ix_reader_nsegments(r) < 20);
    assert_int_equal(df_of(r, "common"), 3000);
    assert_int_equal(df_of(r, "group3"), 429); /* i % 7 == 3 for i < 3000 */
    assert_int_equal(df_of(r, "odd"), 1500);
    uint32_t seg, doc;
    assert_true(ix_reader_find_id(r, "doc1234", &seg, &doc));
    assert_true(ix_seg_date(ix_reader_segment(r, seg), doc) == 2234);
    assert_true(ix_seg_dates(ix_reader_segment(r, seg))[doc] == 2234);
    /* each segment's postings of "common" cover all its docs in order */
    uint64_t total = 0;
    for (uint32_t i = 0; i < ix_reader_nsegments(r); i++) {
        const ix_segment *s = ix_reader_segment(r, i);
        ix_post c;
        assert_true(ix_post_open(&c, s, "common", 6));
        uint32_t expect = 0;
        for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c)) {
            assert_int_equal(d, expect++);
            uint32_t pos[4];
            assert_int_equal(ix_post_positions(&c, pos, NULL, 4), 1);
            assert_int_equal(pos[0], 2); /* title (1 token), gap, then body */
        }
        assert_int_equal(expect, ix_seg_ndocs(s));
        total += expect;
    }
    assert_int_equal(total, 3000);
    ix_reader_unref(r);
    assert_int_equal(mg_index_check(ix), MG_OK);
    assert_int_equal(mg_index_optimize(ix), MG_OK);
    r = open_r(dir);
    assert_int_equal(ix_reader_nsegments(r), 1);
    assert_int_equal(df_of(r, "common"), 3000);
    ix_post c;
    assert_true(ix_post_open(&c, ix_reader_segment(r, 0), "common", 6));
    assert_int_equal(ix_post_advance(&c, 2999), 2999);
    assert_int_equal(ix_post_next(&c), IX_END);
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* A load bigger than the RAM budget flushes several segments; its commit
 * merges them into one when their merge fits the budget (a query then does
 * one dictionary lookup per word), and the merged index holds the same
 * postings as the unmerged one. */
static void test_commit_merges_the_segments_it_flushed(void **state)
{
    (void)state;
    char *dirs[2] = { tu_tmpdir(), tu_tmpdir() };
    for (int merged = 0; merged < 2; merged++) {
        mg_index *ix = open_w(dirs[merged], 4 * 1024 * 1024, !merged);
        char id[32], body[160];
        for (int i = 0; i < 12000; i++) {
            snprintf(id, sizeof id, "doc%d", i);
            snprintf(body, sizeof body, "common w%d x%d y%d group%d tail", i, i * 7, i * 13, i % 11);
            add(ix, id, "t", body, 1000 + i);
        }
        assert_int_equal(mg_index_commit(ix), MG_OK);
        mg_index_close(ix);
    }
    ix_reader *flat = open_r(dirs[0]), *one = open_r(dirs[1]);
    assert_true(ix_reader_nsegments(flat) > 1); /* the load did flush several times */
    assert_int_equal(ix_reader_nsegments(one), 1);
    assert_int_equal(ix_reader_ndocs(one), 12000);
    static const char *const terms[] = { "common", "group3", "w11999", "x7", "tail", "t" };
    for (size_t i = 0; i < sizeof terms / sizeof *terms; i++)
        assert_int_equal(df_of(one, terms[i]), df_of(flat, terms[i]));
    assert_int_equal(df_of(one, "group3"), 1091); /* i % 11 == 3 for i < 12000 */
    ix_reader_unref(flat);
    ix_reader_unref(one);
    for (int i = 0; i < 2; i++) {
        tu_rmrf(dirs[i]);
        free(dirs[i]);
    }
}

/* With a tiny budget, pending documents are flushed to segments before the
 * commit: replacing and deleting them, and rolling them back, still works. */
static void test_flushed_pending_segments_replace_delete_rollback(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 120 * 1024, 1);
    char id[32], body[64];
    for (int i = 0; i < 400; i++) {
        snprintf(id, sizeof id, "p%d", i);
        snprintf(body, sizeof body, "first text %d", i);
        add(ix, id, "v1", body, i);
    }
    add(ix, "p5", "v2", "second", 5);       /* p5 is in a flushed segment by now */
    assert_int_equal(mg_index_delete(ix, "p6"), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "p5", &d), MG_OK);
    assert_string_equal(d->a.title, "v2");
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "p6", &d), MG_ENOTFOUND);
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 399);
    assert_true(st.segments > 2);
    assert_true(st.segments < 100);
    uint32_t segs = st.segments;
    /* uncommitted flushed segments and deletions vanish on rollback */
    for (int i = 0; i < 400; i++) {
        snprintf(id, sizeof id, "q%d", i);
        add(ix, id, "later", "more text", i);
    }
    assert_int_equal(mg_index_delete(ix, "p7"), MG_OK);
    assert_int_equal(mg_index_rollback(ix), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 399);
    assert_int_equal(st.segments, segs);
    assert_int_equal(mg_index_get(ix, "p7", &d), MG_OK);
    mg_doc_free(d);
    assert_int_equal(mg_index_get(ix, "q1", &d), MG_ENOTFOUND);
    assert_int_equal(mg_index_check(ix), MG_OK);
    mg_index_close(ix);
    /* no stray files: every segment file is named by the manifest */
    char *out = NULL;
    tu_sh(&out, NULL, "ls '%s' | grep -c '^seg-'", dir);
    assert_int_equal(atoi(out), (int)segs);
    free(out);
    tu_rmrf(dir);
    free(dir);
}

static void test_merge_policy_bounds_segment_count(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    char id[32];
    for (int i = 0; i < 35; i++) {
        snprintf(id, sizeof id, "d%d", i);
        add(ix, id, "t", "body words", MG_NO_DATE);
        assert_int_equal(mg_index_commit(ix), MG_OK); /* one segment each */
    }
    mg_stats st;
    assert_int_equal(mg_index_stats(ix, &st), MG_OK);
    assert_int_equal(st.docs, 35);
    assert_true(st.segments < 10);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_second_writer_gets_locked(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *a = open_w(dir, 0, 0), *b;
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &b), MG_ELOCKED);
    assert_true(strstr(mg_errmsg(b), "LOCK") != NULL);
    mg_index_close(b);
    mg_index *rd;
    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &rd), MG_OK); /* readers welcome */
    mg_index_close(rd);
    mg_index_close(a);
    assert_int_equal(mg_index_open(dir, MG_WRITE, NULL, &b), MG_OK);
    mg_index_close(b);
    tu_rmrf(dir);
    free(dir);
}

static void test_missing_index_reports_not_found(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/none", dir);
    mg_index *ix;
    assert_int_equal(mg_index_open(path, MG_RDONLY, NULL, &ix), MG_ENOTFOUND);
    assert_non_null(ix);
    assert_true(strlen(mg_errmsg(ix)) > 0);
    mg_index_close(ix);
    assert_int_equal(mg_index_open(path, MG_WRITE, NULL, &ix), MG_ENOTFOUND);
    mg_index_close(ix);
    assert_int_equal(mg_index_open(dir, MG_RDONLY, NULL, &ix), MG_ENOTFOUND); /* empty dir */
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_language_is_kept_by_the_index(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_open_options o;
    mg_open_options_init(&o);
    o.language = "french";
    mg_index *ix;
    assert_int_equal(mg_index_open(dir, MG_WRITE | MG_CREATE, &o, &ix), MG_OK);
    add(ix, "f", "Les chevaux", "", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    o.language = "german"; /* ignored for an existing index */
    assert_int_equal(mg_index_open(dir, MG_WRITE, &o, &ix), MG_OK);
    mg_index_close(ix);
    ix_reader *r = open_r(dir);
    assert_string_equal(ix_reader_language(r), "french");
    assert_int_equal(df_of(r, "cheval"), 1);
    ix_reader_unref(r);
    o.language = "klingon";
    char path[4200];
    snprintf(path, sizeof path, "%s/k", dir);
    assert_int_equal(mg_index_open(path, MG_WRITE | MG_CREATE, &o, &ix), MG_EINVAL);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_bad_utf8_is_replaced_and_counted(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    add(ix, "u", "caf\xc3\xa9 \xff\xfe ok", "body \xc3", MG_NO_DATE);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_doc *d;
    assert_int_equal(mg_index_get(ix, "u", &d), MG_OK);
    assert_string_equal(d->a.title, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd ok");
    assert_string_equal(d->a.body, "body \xef\xbf\xbd");
    mg_doc_free(d);
    mg_stats st;
    mg_index_stats(ix, &st);
    assert_int_equal(st.bad_utf8, 3);
    ix_reader *r = open_r(dir);
    assert_int_equal(df_of(r, "cafe"), 1);
    assert_int_equal(df_of(r, "ok"), 1);
    ix_reader_unref(r);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_interrupt_stops_without_committing(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    add(ix, "one", "a", "b", MG_NO_DATE);
    mg_index_interrupt(ix);
    assert_int_equal(mg_index_commit(ix), MG_EINTERRUPTED);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r), 0);
    ix_reader_unref(r);
    assert_int_equal(mg_index_commit(ix), MG_OK); /* the request was consumed */
    r = open_r(dir);
    assert_int_equal(ix_reader_ndocs(r), 1);
    ix_reader_unref(r);
    mg_index_interrupt(ix);
    mg_article a = { .id = "two", .title = "x", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_EINTERRUPTED);
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_add_requires_an_id(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = open_w(dir, 0, 0);
    mg_article a = { .title = "x", .date = MG_NO_DATE };
    assert_int_equal(mg_index_add(ix, &a), MG_EINVAL);
    a.id = "";
    assert_int_equal(mg_index_add(ix, &a), MG_EINVAL);
    assert_int_equal(mg_index_add(ix, NULL), MG_EINVAL);
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

/* ------------------------------------------ merges keep every posting */

/* The whole content of a commit as sorted text lines: per live posting
 * (term, id, tf_title, tf_body, positions with exact flags) and per live
 * document (id, stored fields, date, norms).  Docids and segment numbers
 * are left out: a merge renumbers them. */
typedef struct dump {
    char **line;
    size_t n, cap;
    ix_reader *r;
} dump;

static void dump_add(dump *d, char *line)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->line = realloc(d->line, d->cap * sizeof *d->line);
        assert_non_null(d->line);
    }
    d->line[d->n++] = line;
}

static int dump_term(void *ctx, const char *term, size_t len, uint64_t df)
{
    (void)df;
    dump *d = ctx;
    for (uint32_t i = 0; i < ix_reader_nsegments(d->r); i++) {
        const ix_segment *s = ix_reader_segment(d->r, i);
        ix_post c;
        if (!ix_post_open(&c, s, term, len))
            continue;
        for (uint32_t doc = c.doc; doc != IX_END; doc = ix_post_next(&c)) {
            if (ix_seg_is_deleted(s, doc))
                continue;
            uint32_t pos[256];
            uint8_t ex[256];
            uint32_t np = ix_post_positions(&c, pos, ex, 256);
            assert_true(np <= 256);
            size_t idlen;
            const char *id = ix_seg_doc_id(s, doc, &idlen);
            char *line = malloc(4096);
            assert_non_null(line);
            int k = snprintf(line, 4096, "T %.*s %.*s %u %u", (int)len, term, (int)idlen, id,
                             ix_post_tf_title(&c), ix_post_tf_body(&c));
            for (uint32_t j = 0; j < np && k < 4000; j++)
                k += snprintf(line + k, 4096 - (size_t)k, " %u%s", pos[j], ex[j] ? "e" : "");
            dump_add(d, line);
        }
        assert_false(c.bad);
    }
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dump_commit(const char *dir, dump *d)
{
    memset(d, 0, sizeof *d);
    d->r = open_r(dir);
    ix_reader_prefix(d->r, "", 0, SIZE_MAX, dump_term, d);
    for (uint32_t i = 0; i < ix_reader_nsegments(d->r); i++) {
        const ix_segment *s = ix_reader_segment(d->r, i);
        for (uint32_t doc = 0; doc < ix_seg_ndocs(s); doc++) {
            if (ix_seg_is_deleted(s, doc))
                continue;
            mg_doc *m;
            errbuf e;
            assert_int_equal(ix_seg_doc(s, doc, &m, &e), MG_OK);
            char *line = malloc(4096);
            assert_non_null(line);
            snprintf(line, 4096, "D %s|%s|%s|%lld|%u|%u", m->a.id, m->a.title, m->a.body,
                     (long long)ix_seg_date(s, doc), ix_seg_title_norm(s, doc),
                     ix_seg_body_norm(s, doc));
            mg_doc_free(m);
            dump_add(d, line);
        }
    }
    qsort(d->line, d->n, sizeof *d->line, cmp_line);
    ix_reader_unref(d->r);
}

static void dump_free(dump *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->line[i]);
    free(d->line);
}

static void assert_dumps_equal(const dump *a, const dump *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->line[i], b->line[i]);
}

/* The same adds, replacements and deletions, committed now and then,
 * into dir: many small segments under a tiny RAM budget. */



/* Opens dir for writing through the index layer, with its adding threads
 * and run length (ix_writer_options). */
static ix_writer *open_ixw(const char *dir, size_t ram, int no_merge, int threads, size_t run)
{
    ix_writer_options o = { .ram_budget = ram, .create = 1, .no_merge = no_merge, .threads = threads,
                            .add_run = run };
    ix_writer *w;
    errbuf e;
    int rc = ix_writer_open(dir, &o, &w, &e);
    if (rc != MG_OK)
        print_error("open %s: %s\n", dir, e.msg);
    assert_int_equal(rc, MG_OK);
    return w;
}

static void build_churn_with(const char *dir, size_t ram, int no_merge, int threads, size_t run)
{
    static const char *words[] = { "market", "markets", "Marketing", "oil", "Oil", "prices",
                                   "priced", "running", "runs", "ran", "bank", "banks",
                                   "U.S.", "3.5%", "shares", "Shared", "trade", "trader",
                                   "trading", "the", "a", "of", "wheat", "grain", "Grain" };
    size_t nw = sizeof words / sizeof *words;
    ix_writer *w = open_ixw(dir, ram, no_merge, threads, run);
    errbuf e;
    uint64_t rs = 12345;
    char id[32], title[256], body[1024];
    for (int i = 0; i < 1200; i++) {
        int k = 0;
        for (int j = 0, n = 1 + (int)(tu_rand(&rs) % 4); j < n; j++)
            k += snprintf(title + k, sizeof title - (size_t)k, "%s ", words[tu_rand(&rs) % nw]);
        k = 0;
        for (int j = 0, n = 3 + (int)(tu_rand(&rs) % 40); j < n; j++) {
            uint64_t x = tu_rand(&rs) % (nw + 40);
            if (x < nw)
                k += snprintf(body + k, sizeof body - (size_t)k, "%s ", words[x]);
            else /* a long tail of rarer words */
                k += snprintf(body + k, sizeof body - (size_t)k, "w%llu ",
                              (unsigned long long)(tu_rand(&rs) % 3000));
        }
        /* one article in ten replaces an earlier one */
        int target = i % 10 == 9 ? (int)(tu_rand(&rs) % (uint64_t)i) : i;
        snprintf(id, sizeof id, "art-%d", target);
        mg_article a = { .id = id, .title = title, .body = body, .date = 1000 + i };
        assert_int_equal(ix_writer_add(w, &a, &e), MG_OK);
        if (i % 37 == 36) {
            snprintf(id, sizeof id, "art-%d", (int)(tu_rand(&rs) % (uint64_t)i));
            int rc = ix_writer_delete(w, id, &e);
            assert_true(rc == MG_OK || rc == MG_ENOTFOUND);
        }
        if (i % 150 == 149)
            assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    }
    assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    ix_writer_close(w);
}

/* The same adds, replacements and deletions, committed now and then,
 * into dir: many small segments under a tiny RAM budget (~40 documents
 * a segment). */
static void build_churn(const char *dir, int no_merge)
{
    build_churn_with(dir, 300 * 1024, no_merge, 0, 0);
}

/* Two inverters (the caller's and the worker's, addbuf.c) hold what one
 * would: articles taken in turns of every size, replaced or deleted by id
 * whichever inverter holds the earlier one, flushed under a small budget
 * or a large one, give exactly the content of a one-inverter build. */
static void test_two_inverters_index_what_one_does(void **state)
{
    (void)state;
    char *one = tu_tmpdir();
    build_churn_with(one, 300 * 1024, 1, 1, 0);
    dump ref;
    dump_commit(one, &ref);
    assert_true(ref.n > 10000);
    static const struct { size_t ram, run; } cfg[] = {
        { 300 * 1024, 1 },          /* every article in turn */
        { 300 * 1024, 700 },        /* a few articles each */
        { 64u << 20, 1 },           /* no flush before the commits */
        { 64u << 20, 3000 },
        { 64u << 20, 0 },           /* the default runs: a commit's articles in a few turns */
    };
    for (size_t i = 0; i < sizeof cfg / sizeof *cfg; i++) {
        char *two = tu_tmpdir();
        build_churn_with(two, cfg[i].ram, 1, 2, cfg[i].run);
        dump d;
        dump_commit(two, &d);
        assert_dumps_equal(&ref, &d);
        dump_free(&d);
        tu_rmrf(two);
        free(two);
    }
    dump_free(&ref);
    tu_rmrf(one);
    free(one);
}

/* A merge of many segments (here with the sources' pages dropped after
 * every KiB of output) keeps exactly the live documents and their
 * postings; the tiered merges on commit give the same content too. */
/* n bytes of random lower-case words (little to compress) and a '\0'. */
static void random_words(uint64_t *rs, char *out, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++, v >>= 8) {
        if (k % 7 == 0)
            v = tu_rand(rs);
        out[k] = (v & 0xff) % 6 == 0 ? ' ' : (char)('a' + (v & 0xff) % 26);
    }
    out[n] = '\0';
}

/* A segment of several MiB is written in pieces aligned to 2 MiB
 * (segment_write.c OUT_ALIGN): small puts, and stored runs of 1 MiB or
 * more written from the caller's memory, cross the boundaries; every byte
 * lands where the checksums and the readers expect it. */
static void test_large_segment_written_in_aligned_pieces_reads_back(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    enum { NART = 500, BIG = 3 << 20 };
    char *body = malloc(BIG + 1), id[16];
    uint64_t rs = 5;
    for (int i = 0; i < NART; i++) {
        size_t n = i == 250 ? BIG : 6000 + tu_rand(&rs) % 6000; /* one body alone over 2 MiB */
        random_words(&rs, body, n);
        snprintf(id, sizeof id, "a%d", i);
        mg_article a = { .id = id, .title = id, .body = body, .date = MG_NO_DATE };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_check(ix), MG_OK);
    rs = 5;
    for (int i = 0; i < NART; i++) {
        size_t n = i == 250 ? BIG : 6000 + tu_rand(&rs) % 6000;
        random_words(&rs, body, n);
        if (i % 50 && i != 250 && i != NART - 1)
            continue;
        snprintf(id, sizeof id, "a%d", i);
        mg_doc *d = NULL;
        assert_int_equal(mg_index_get(ix, id, &d), MG_OK);
        assert_string_equal(d->a.body, body);
        mg_doc_free(d);
    }
    mg_index_close(ix);
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
    assert_int_equal(ix_reader_nsegments(r), 1);
    assert_true(ix_reader_segment(r, 0)->map.len > 2 * (2u << 20)); /* several boundaries */
    ix_reader_unref(r);
    free(body);
    tu_rmrf(dir);
    free(dir);
}

/* Stored blocks of every kind of content come back byte-exact, as written
 * and after a merge re-compresses them: near-empty records, random
 * printable bytes and random multi-byte UTF-8 (little to compress), long
 * runs and repeated phrases (long matches), text-like sentences, date-only
 * records, and articles of 200-300 KiB that get blocks of their own. */
enum { SB_DOCS = 640, SB_MAX = 300 << 10 };

/* Document i's title, body (NULL when absent) and date, from rs. */
static void stored_kind(int i, uint64_t *rs, char *title, char *body, const char **t, const char **b,
                        int64_t *date)
{
    static const char *words[] = { "oil", "prices", "rose", "on", "monday", "after", "the",
                                   "central", "bank", "said", "it", "would", "cut", "rates" };
    snprintf(title, 64, "title %d", i);
    *t = title;
    *b = body;
    *date = MG_NO_DATE;
    size_t n = 0;
    int kind = i == 101 || i == 402 ? 6 : i == 205 ? 7 : i % 6;
    if (kind == 0) { /* near-empty: a one-letter body, no title */
        *t = NULL;
        body[n++] = 'x';
    } else if (kind == 1 || kind == 6) { /* random printable ASCII */
        size_t len = kind == 6 ? SB_MAX - 1 : 2000 + tu_rand(rs) % 7000;
        for (; n < len; n++)
            body[n] = (char)(' ' + tu_rand(rs) % 95);
        *date = (int64_t)(tu_rand(rs) >> 2) - ((int64_t)1 << 61);
    } else if (kind == 2) { /* random 2- and 3-byte UTF-8 (no surrogates) */
        size_t len = 2000 + tu_rand(rs) % 5000;
        while (n < len) {
            uint32_t cp = 0x80 + (uint32_t)(tu_rand(rs) % (0xd000 - 0x80));
            if (cp < 0x800) {
                body[n++] = (char)(0xc0 | cp >> 6);
            } else {
                body[n++] = (char)(0xe0 | cp >> 12);
                body[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
            }
            body[n++] = (char)(0x80 | (cp & 0x3f));
        }
    } else if (kind == 3 || kind == 7) { /* one letter repeated, or one phrase */
        size_t len = kind == 7 ? 200 << 10 : 1000 + tu_rand(rs) % 30000;
        for (; n < len; n++)
            body[n] = kind == 7 ? "breaking news. "[n % 15] : 'z';
    } else if (kind == 4) { /* text-like: random sentences of common words */
        size_t len = 500 + tu_rand(rs) % 8000;
        while (n < len) {
            const char *w = words[tu_rand(rs) % (sizeof words / sizeof *words)];
            n += (size_t)sprintf(body + n, "%s%s", w, tu_rand(rs) % 9 ? " " : ". ");
        }
        *date = 500000000 + (int64_t)(tu_rand(rs) % 1000000000);
    } else { /* date only */
        *t = NULL;
        *b = NULL;
        *date = (int64_t)(tu_rand(rs) >> 1) - ((int64_t)1 << 62);
    }
    body[n] = '\0';
}

static void assert_stored_kinds_read_back(mg_index *ix, char *title, char *body)
{
    uint64_t rs = 17;
    for (int i = 0; i < SB_DOCS; i++) {
        const char *t, *b;
        int64_t date;
        char id[16];
        stored_kind(i, &rs, title, body, &t, &b, &date);
        snprintf(id, sizeof id, "s%d", i);
        mg_doc *d = NULL;
        assert_int_equal(mg_index_get(ix, id, &d), MG_OK);
        if (t)
            assert_string_equal(d->a.title, t);
        else
            assert_null(d->a.title);
        if (b)
            assert_string_equal(d->a.body, b);
        else
            assert_null(d->a.body);
        assert_true(d->a.date == date);
        mg_doc_free(d);
    }
}

static void test_stored_blocks_of_every_kind_read_back_byte_exact(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    char *body = malloc(SB_MAX + 16), title[64], id[16];
    uint64_t rs = 17;
    for (int i = 0; i < SB_DOCS; i++) {
        mg_article a = { .id = id };
        stored_kind(i, &rs, title, body, &a.title, &a.body, &a.date);
        snprintf(id, sizeof id, "s%d", i);
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
        if (i == SB_DOCS / 2)
            assert_int_equal(mg_index_commit(ix), MG_OK); /* two segments */
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(mg_index_check(ix), MG_OK);
    assert_stored_kinds_read_back(ix, title, body);
    assert_int_equal(mg_index_optimize(ix), MG_OK); /* re-compresses every block */
    assert_int_equal(mg_index_check(ix), MG_OK);
    assert_stored_kinds_read_back(ix, title, body);
    mg_index_close(ix);
    ix_reader *r = open_r(dir);
    assert_int_equal(ix_reader_nsegments(r), 1);
    ix_reader_unref(r);
    free(body);
    tu_rmrf(dir);
    free(dir);
}

static void test_merge_of_many_segments_keeps_postings_and_documents(void **state)
{
    (void)state;
    char *many = tu_tmpdir(), *tiered = tu_tmpdir();
    build_churn(many, 1);
    build_churn(tiered, 0);
    dump before, auto_merged, after;
    dump_commit(many, &before);
    dump_commit(tiered, &auto_merged);
    assert_true(before.n > 10000);
    assert_dumps_equal(&before, &auto_merged);

    ix_reader *r = open_r(many);
    uint32_t nseg = ix_reader_nsegments(r);
    ix_reader_unref(r);
    assert_true(nseg > 15);
    r = open_r(tiered);
    assert_true(ix_reader_nsegments(r) < nseg);
    ix_reader_unref(r);

    /* an 8 KiB budget: the sources' pages are dropped every 1 KiB of output */
    mg_index *ix = open_w(many, 8 * 1024, 1);
    assert_int_equal(mg_index_optimize(ix), MG_OK);
    assert_int_equal(mg_index_check(ix), MG_OK);
    mg_index_close(ix);
    r = open_r(many);
    assert_int_equal(ix_reader_nsegments(r), 1);
    assert_int_equal(ix_seg_ndocs(ix_reader_segment(r, 0)), ix_reader_ndocs(r)); /* none deleted */
    ix_reader_unref(r);
    dump_commit(many, &after);
    assert_dumps_equal(&before, &after);

    dump_free(&before);
    dump_free(&auto_merged);
    dump_free(&after);
    tu_rmrf(many);
    tu_rmrf(tiered);
    free(many);
    free(tiered);
}

static void test_merge_policy_keeps_each_merge_within_the_budget(void **state)
{
    (void)state;
    merge_seg seg[40];
    uint32_t pick[MERGE_FACTOR];
    for (int i = 0; i < 12; i++)
        seg[i] = (merge_seg){ 50, 50, 10 }; /* one tier, cheap */
    assert_int_equal(merge_pick(seg, 12, 1000, pick), MERGE_FACTOR);
    for (uint32_t i = 0; i < MERGE_FACTOR; i++)
        assert_int_equal(pick[i], i);
    /* room for three of them: the three oldest */
    assert_int_equal(merge_pick(seg, 12, 35, pick), 3);
    assert_int_equal(pick[0], 0);
    assert_int_equal(pick[2], 2);
    /* one that does not fit is passed over */
    seg[1].cost = 30;
    assert_int_equal(merge_pick(seg, 12, 35, pick), 3);
    assert_int_equal(pick[1], 2);
    /* none fits: nothing merged, not even a mostly deleted one */
    for (int i = 0; i < 12; i++)
        seg[i] = (merge_seg){ 50, 200, 1200 };
    assert_int_equal(merge_pick(seg, 12, 1000, pick), 0);
    /* the same segment, cheaper, is rewritten alone to reclaim space */
    seg[5].cost = 100;
    assert_int_equal(merge_pick(seg, 12, 1000, pick), 1);
    assert_int_equal(pick[0], 5);

    /* random segment lists: a pick is ascending, of one tier, within budget */
    uint64_t rs = 7;
    for (int round = 0; round < 2000; round++) {
        uint32_t n = 1 + (uint32_t)(tu_rand(&rs) % 40);
        uint64_t budget = 1 + tu_rand(&rs) % 5000;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t live = (uint32_t)(tu_rand(&rs) % 3000);
            seg[i] = (merge_seg){ live, live + (uint32_t)(tu_rand(&rs) % 3000),
                                  tu_rand(&rs) % 1500 };
        }
        uint32_t k = merge_pick(seg, n, budget, pick);
        assert_true(k <= MERGE_FACTOR);
        uint64_t sum = 0;
        for (uint32_t j = 0; j < k; j++) {
            assert_true(pick[j] < n);
            if (j) {
                assert_true(pick[j] > pick[j - 1]);
                assert_int_equal(snprintf(NULL, 0, "%u", seg[pick[j]].live),
                                 snprintf(NULL, 0, "%u", seg[pick[0]].live)); /* same tier */
            }
            sum += seg[pick[j]].cost;
        }
        assert_true(sum <= budget);
    }
}

/* ------------------------------------- two inverters: edges (addbuf.c) */

/* n bytes of words from a skewed vocabulary of 4000 ("v17 v3 ..."), and a
 * '\0'. */
static void skewed_words(uint64_t *rs, char *out, size_t n)
{
    size_t k = 0;
    while (k + 8 < n)
        k += (size_t)snprintf(out + k, n - k, "v%llu ",
                              (unsigned long long)(tu_rand(rs) % (1 + tu_rand(rs) % 4000)));
    out[k] = '\0';
}

/* Adds ndocs articles "d<i>" of 200-1200 bytes of skewed words (seed
 * seeds them) through the index layer. */
static void add_skewed(ix_writer *w, int from, int ndocs, uint64_t seed)
{
    char id[32], title[64], body[1300];
    errbuf e;
    for (int i = from; i < from + ndocs; i++) {
        skewed_words(&seed, title, 40);
        skewed_words(&seed, body, 200 + tu_rand(&seed) % 1000);
        snprintf(id, sizeof id, "d%d", i);
        mg_article a = { .id = id, .title = title, .body = body, .date = 5000 + i };
        assert_int_equal(ix_writer_add(w, &a, &e), MG_OK);
    }
}

static uint32_t nsegments(const char *dir)
{
    ix_reader *r = open_r(dir);
    uint32_t n = ix_reader_nsegments(r);
    ix_reader_unref(r);
    return n;
}

/* Under a RAM budget only a few times the worker's batches (8 runs of
 * text), two inverters flush about as often as one and index the same:
 * the worker's ring is counted for the text it holds, not for what a
 * full ring could hold (that made a segment of a few articles at every
 * add once the worker had started). */
static void test_two_inverters_under_a_small_budget_flush_as_often_as_one(void **state)
{
    (void)state;
    char *dir[2] = { tu_tmpdir(), tu_tmpdir() };
    dump d[2];
    uint32_t nseg[2];
    for (int t = 0; t < 2; t++) {
        ix_writer *w = open_ixw(dir[t], 1024 * 1024, 1, t + 1, 64 * 1024);
        add_skewed(w, 0, 1500, 77);
        errbuf e;
        assert_int_equal(ix_writer_commit(w, &e), MG_OK);
        ix_writer_close(w);
        nseg[t] = nsegments(dir[t]);
        dump_commit(dir[t], &d[t]);
    }
    assert_true(nseg[0] >= 3);               /* the budget does make flushes */
    assert_true(nseg[1] <= nseg[0] * 3 / 2); /* and no more with two inverters */
    assert_dumps_equal(&d[0], &d[1]);
    for (int t = 0; t < 2; t++) {
        dump_free(&d[t]);
        tu_rmrf(dir[t]);
        free(dir[t]);
    }
}

/* Which inverter takes an article and when the budget calls for a flush
 * do not depend on the two threads' timing: two builds of the same
 * articles under a budget that flushes several times write the same
 * segment files, byte for byte. */
static void test_two_inverter_builds_are_byte_identical(void **state)
{
    (void)state;
    char *dir[2] = { tu_tmpdir(), tu_tmpdir() };
    for (int t = 0; t < 2; t++) {
        ix_writer *w = open_ixw(dir[t], 1024 * 1024, 1, 2, 8 * 1024);
        add_skewed(w, 0, 1200, 55);
        errbuf e;
        assert_int_equal(ix_writer_commit(w, &e), MG_OK);
        ix_writer_close(w);
    }
    assert_true(nsegments(dir[0]) >= 4);
    char *out;
    assert_int_equal(tu_sh(&out, NULL,
                           "cd '%s' && n=0 && for f in seg-*; do cmp -s $f '%s'/$f || exit 1; n=$((n+1)); done; "
                           "[ $n = $(ls '%s' | grep -c '^seg-') ] && echo $n",
                           dir[0], dir[1], dir[1]),
                     0);
    assert_int_equal(atoi(out), (int)nsegments(dir[0]));
    free(out);
    for (int t = 0; t < 2; t++) {
        tu_rmrf(dir[t]);
        free(dir[t]);
    }
}

/* Fills b with n articles "d<i>" of skewed words, every seventh deleting
 * by id one added three before (either inverter may hold it). */
static void ab_fill(addbuf *b, analyzer *an, int n, uint64_t seed)
{
    char id[32], title[64], body[1300];
    for (int i = 0; i < n; i++) {
        skewed_words(&seed, title, 40);
        skewed_words(&seed, body, 200 + tu_rand(&seed) % 1000);
        snprintf(id, sizeof id, "d%d", i);
        mg_article a = { .id = id, .title = title, .body = body, .date = 5000 + i };
        assert_int_equal(ab_add(b, an, &a), MG_OK);
        if (i % 7 == 6) {
            snprintf(id, sizeof id, "d%d", i - 3);
            assert_int_equal(ab_delete_id(b, id), 1);
        }
    }
}

/* A flush of two inverters interrupted (while writing the terms, after
 * the worker's stored blocks were appended to the caller's) writes
 * nothing and leaves the buffer as it was: retried, it writes the very
 * bytes of a flush that was never interrupted. */
static void test_interrupted_two_inverter_flush_retried_writes_the_same_segment(void **state)
{
    (void)state;
    errbuf e;
    analyzer *an = analyzer_new("english", &e);
    assert_non_null(an);
    char *dir[2] = { tu_tmpdir(), tu_tmpdir() }, seg[2][4300], name[64];
    seg_name(name, sizeof name, 1);
    uint8_t *del[2];
    uint32_t ndel[2];
    for (int t = 0; t < 2; t++) {
        addbuf b;
        assert_int_equal(ab_init(&b, 2, 2000), MG_OK);
        ab_fill(&b, an, 300, 9);
        assert_true(b.sent[0] > 100 && b.sent[1] > 100);
        atomic_int stop = 1;
        for (int k = 0; t == 1 && k < 2; k++) {
            assert_int_equal(ab_flush(&b, dir[t], 1, &stop, &del[t], &ndel[t], &e), MG_EINTERRUPTED);
            assert_null(del[t]);
            assert_int_equal(tu_sh(NULL, NULL, "test -z \"$(ls -A '%s')\"", dir[t]), 0);
        }
        stop = 0;
        assert_int_equal(ab_flush(&b, dir[t], 1, &stop, &del[t], &ndel[t], &e), MG_OK);
        ab_free(&b);
        snprintf(seg[t], sizeof seg[t], "%s/%s", dir[t], name);
    }
    assert_int_equal(tu_sh(NULL, NULL, "test -s '%s' && cmp -s '%s' '%s'", seg[0], seg[0], seg[1]), 0);
    assert_int_equal(ndel[0], 300 / 7);
    assert_int_equal(ndel[1], ndel[0]);
    assert_memory_equal(del[0], del[1], (300 + 7) / 8);
    ix_segment *s;
    assert_int_equal(seg_open(dir[1], 1, &s, &e), MG_OK);
    assert_int_equal(ix_seg_ndocs(s), 300);
    seg_free(s);
    for (int t = 0; t < 2; t++) {
        free(del[t]);
        tu_rmrf(dir[t]);
        free(dir[t]);
    }
    analyzer_free(an);
}

/* An allocation that failed while articles were buffered (marked here as
 * its buffer and the writer would mark it) fails the flush with MG_ENOMEM and writes
 * nothing; once the buffer is emptied (a rollback, or a flush), the same
 * articles add and flush again: a failure is not remembered for ever. */
static void test_buffer_out_of_memory_is_forgotten_once_emptied(void **state)
{
    (void)state;
    errbuf e;
    analyzer *an = analyzer_new("english", &e);
    assert_non_null(an);
    for (int where = 0; where < 5; where++) {
        char *dir = tu_tmpdir();
        addbuf b;
        assert_int_equal(ab_init(&b, 2, 2000), MG_OK);
        ab_fill(&b, an, 120, 31);
        switch (where) { /* the buffer whose allocation failed */
        case 0: b.inv[0]->title_len.oom = 1; break;
        case 1: b.inv[0]->dates.oom = 1; break;
        case 2: b.inv[0]->oom = 1; break;
        case 3: b.loc.oom = 1; break;
        default: b.deleted.oom = 1; break;
        }
        b.oom = 1; /* as ix_writer_add marks it when an add fails */
        atomic_int stop = 0;
        uint8_t *del;
        uint32_t ndel;
        assert_int_equal(ab_flush(&b, dir, 1, &stop, &del, &ndel, &e), MG_ENOMEM);
        assert_int_equal(tu_sh(NULL, NULL, "test -z \"$(ls -A '%s')\"", dir), 0);
        ab_reset(&b);
        ab_fill(&b, an, 120, 31);
        assert_int_equal(ab_flush(&b, dir, 1, &stop, &del, &ndel, &e), MG_OK);
        assert_int_equal(ndel, 120 / 7);
        free(del);
        ab_free(&b);
        ix_segment *s;
        assert_int_equal(seg_open(dir, 1, &s, &e), MG_OK);
        assert_int_equal(ix_seg_ndocs(s), 120);
        seg_free(s);
        tu_rmrf(dir);
        free(dir);
    }
    analyzer_free(an);
}

static void ixw_add(ix_writer *w, const char *id, const char *title, const char *body)
{
    errbuf e;
    mg_article a = { .id = id, .title = title, .body = body, .date = MG_NO_DATE };
    assert_int_equal(ix_writer_add(w, &a, &e), MG_OK);
}

/* A flush that wrote its segment but whose caller failed afterwards (the
 * writer could not open the segment or keep it: out of memory) is tried
 * again with the buffer as it was: the second flush of two inverters
 * writes the same bytes as the first (the worker's stored blocks are not
 * appended twice). */
static void test_two_inverter_flush_done_twice_writes_the_same_segment(void **state)
{
    (void)state;
    errbuf e;
    analyzer *an = analyzer_new("english", &e);
    assert_non_null(an);
    char *dir[2] = { tu_tmpdir(), tu_tmpdir() }, seg[2][4300], name[64];
    seg_name(name, sizeof name, 1);
    addbuf b;
    assert_int_equal(ab_init(&b, 2, 2000), MG_OK);
    ab_fill(&b, an, 200, 19);
    assert_true(b.sent[0] > 50 && b.sent[1] > 50);
    atomic_int stop = 0;
    for (int t = 0; t < 2; t++) {
        uint8_t *del;
        uint32_t ndel;
        assert_int_equal(ab_flush(&b, dir[t], 1, &stop, &del, &ndel, &e), MG_OK);
        assert_int_equal(ndel, 200 / 7);
        free(del);
        snprintf(seg[t], sizeof seg[t], "%s/%s", dir[t], name);
    }
    ab_free(&b);
    assert_int_equal(tu_sh(NULL, NULL, "test -s '%s' && cmp -s '%s' '%s'", seg[0], seg[0], seg[1]), 0);
    for (int t = 0; t < 2; t++) {
        tu_rmrf(dir[t]);
        free(dir[t]);
    }
    analyzer_free(an);
}

/* With the inverters taking turns at every article, a replacement or a
 * deletion by id finds the buffered article in the other inverter: the
 * worker's article replaced by the caller's and the other way round, an
 * article deleted while still queued for the worker, and a committed one
 * replaced by the worker's. */
static void test_replace_and_delete_by_id_across_the_two_inverters(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    ix_writer *w = open_ixw(dir, 64u << 20, 1, 2, 1);
    errbuf e;
    ixw_add(w, "c", "committed", "cone");    /* caller */
    assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    ixw_add(w, "x", "first x", "xone");      /* caller */
    ixw_add(w, "y", "first y", "yone");      /* worker */
    ixw_add(w, "y", "second y", "ytwo");     /* caller replaces the worker's */
    ixw_add(w, "x", "second x", "xtwo");     /* worker replaces the caller's */
    ixw_add(w, "z", "only z", "zone");       /* caller */
    ixw_add(w, "q", "only q", "qone");       /* worker, queued */
    assert_int_equal(ix_writer_delete(w, "q", &e), MG_OK);
    assert_int_equal(ix_writer_delete(w, "z", &e), MG_OK);
    ixw_add(w, "c", "replaced c", "ctwo");   /* caller: the run turned twice since */
    ixw_add(w, "v", "first v", "vone");      /* worker */
    ixw_add(w, "v", "second v", "vtwo");     /* caller */
    ixw_add(w, "v", "third v", "vthree");    /* worker replaces the caller's */
    assert_int_equal(ix_writer_delete(w, "q", &e), MG_ENOTFOUND);
    assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    ix_writer_close(w);
    dump d;
    dump_commit(dir, &d);
    static const char *docs[] = { "D c|replaced c|ctwo|", "D v|third v|vthree|", "D x|second x|xtwo|",
                                  "D y|second y|ytwo|" };
    size_t nd = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (d.line[i][0] != 'D')
            continue;
        assert_true(nd < 4);
        assert_memory_equal(d.line[i], docs[nd], strlen(docs[nd]));
        nd++;
    }
    assert_int_equal(nd, 4);
    dump_free(&d);
    tu_rmrf(dir);
    free(dir);
}

/* A rollback while the worker still has batches queued drops every
 * buffered article, from both inverters; what is added next (ids
 * shared with the dropped ones) commits as with one inverter.  A close
 * without a commit leaves nothing behind either. */
static void test_rollback_and_close_with_worker_batches_queued(void **state)
{
    (void)state;
    char *one = tu_tmpdir(), *two = tu_tmpdir();
    errbuf e;
    ix_writer *w = open_ixw(one, 64u << 20, 1, 1, 0);
    add_skewed(w, 250, 100, 31);
    assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    ix_writer_close(w);
    w = open_ixw(two, 64u << 20, 1, 2, 16 * 1024);
    add_skewed(w, 0, 300, 30);
    assert_int_equal(ix_writer_rollback(w, &e), MG_OK);
    add_skewed(w, 250, 100, 31);
    assert_int_equal(ix_writer_commit(w, &e), MG_OK);
    add_skewed(w, 1000, 200, 32);
    ix_writer_close(w); /* not committed */
    dump a, b;
    dump_commit(one, &a);
    dump_commit(two, &b);
    assert_true(a.n > 1000);
    assert_dumps_equal(&a, &b);
    dump_free(&a);
    dump_free(&b);
    char *out;
    assert_int_equal(tu_sh(&out, NULL, "ls '%s' | grep -c '^seg-'", two), 0);
    assert_int_equal(atoi(out), 1);
    free(out);
    tu_rmrf(one);
    tu_rmrf(two);
    free(one);
    free(two);
}

/* The worker analyses with the index's language, also when the index was
 * made earlier and reopened without naming one (articles in turns:
 * "running" is a term of its own without stemming, "run" with English). */
static void test_worker_analyses_in_the_index_language(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    errbuf e;
    for (int round = 0; round < 2; round++) {
        ix_writer_options o = { .language = round == 0 ? "none" : NULL, .create = 1, .threads = 2,
                                .add_run = 1 };
        ix_writer *w;
        assert_int_equal(ix_writer_open(dir, &o, &w, &e), MG_OK);
        for (int i = 0; i < 10; i++) {
            char id[32];
            snprintf(id, sizeof id, "r%d-%d", round, i);
            ixw_add(w, id, "Running horses", "the horses kept running");
        }
        assert_int_equal(ix_writer_commit(w, &e), MG_OK);
        ix_writer_close(w);
        ix_reader *r = open_r(dir);
        assert_string_equal(ix_reader_language(r), "none");
        assert_int_equal(df_of(r, "running"), 10 * (round + 1));
        assert_int_equal(df_of(r, "run"), 0);
        ix_reader_unref(r);
    }
    tu_rmrf(dir);
    free(dir);
}

/* Every hit of query q, one line each ("score id"), in *out: sorted as
 * lines, since hits of equal scores come in docid order. */
static void all_hits(mg_searcher *s, const char *q, char **out)
{
    mg_search_options so;
    mg_search_options_init(&so);
    so.limit = 100000;
    so.exact_total = 1;
    mg_results *res;
    assert_int_equal(mg_search(s, q, &so, &res), MG_OK);
    size_t n = mg_results_count(res), k = 0;
    assert_int_equal(mg_results_total(res), n);
    char *p = malloc(n * 48 + 1), **line = malloc((n + 1) * sizeof *line);
    assert_true(p && line);
    for (size_t i = 0; i < n; i++) {
        const mg_hit *h = mg_results_hit(res, i);
        line[i] = malloc(48);
        assert_non_null(line[i]);
        snprintf(line[i], 48, "%.17g %s\n", h->score, h->id);
    }
    qsort(line, n, sizeof *line, cmp_line);
    for (size_t i = 0; i < n; i++) {
        k += (size_t)sprintf(p + k, "%s", line[i]);
        free(line[i]);
    }
    p[k] = '\0';
    free(line);
    mg_results_free(res);
    *out = p;
}

/* The default number of adding threads counts the processors the process
 * may use: restricted to one CPU (taskset, a cpuset), a buffer never starts
 * a worker, which would only take turns with the caller on that CPU;
 * asked for two explicitly, it still may. */
static void test_default_adding_threads_follow_the_cpu_affinity(void **state)
{
    (void)state;
    cpu_set_t old;
    tu_pin_one_cpu(&old);
    addbuf pinned, asked;
    int rc1 = ab_init(&pinned, 0, 0), rc2 = ab_init(&asked, 2, 0);
    tu_unpin(&old);
    assert_int_equal(rc1, MG_OK);
    assert_int_equal(rc2, MG_OK);
    assert_true(pinned.no_worker);
    assert_false(asked.no_worker);
    ab_free(&pinned);
    ab_free(&asked);
    if (CPU_COUNT(&old) >= 2) {
        addbuf free_to_run;
        assert_int_equal(ab_init(&free_to_run, 0, 0), MG_OK);
        assert_int_equal(free_to_run.no_worker, cpus_usable() < 2);
        ab_free(&free_to_run);
    }
}

/* One adding thread or two through the public API (mg_open_options.
 * threads; the worker takes every other 64 KiB run): the same hits with
 * the same scores for every kind of query, and both indexes check clean.
 * With two, the segment holds the worker's articles after the caller's. */
static void test_one_or_two_adding_threads_search_alike(void **state)
{
    (void)state;
    static const char *qs[] = { "v1", "v2 v3", "v5 AND v6", "\"oil prices\"", "v10 OR v200 -v3", "v12*",
                                "title:v4", "oil -v3" };
    char *dir[2] = { tu_tmpdir(), tu_tmpdir() }, *hits[2][8];
    for (int t = 0; t < 2; t++) {
        mg_open_options o;
        mg_open_options_init(&o);
        o.threads = t + 1;
        mg_index *ix;
        assert_int_equal(mg_index_open(dir[t], MG_WRITE | MG_CREATE, &o, &ix), MG_OK);
        uint64_t rs = 44;
        char id[16], title[64], body[1400];
        for (int i = 0; i < 500; i++) {
            skewed_words(&rs, title, 40);
            int k = i % 2 ? 0 : snprintf(body, sizeof body, "oil v%d prices oil prices ", i % 7);
            skewed_words(&rs, body + k, 200 + tu_rand(&rs) % 1000);
            snprintf(id, sizeof id, "a%d", i);
            add(ix, id, title, body, 100 + i);
        }
        assert_int_equal(mg_index_commit(ix), MG_OK);
        assert_int_equal(mg_index_check(ix), MG_OK);
        mg_searcher *s;
        assert_int_equal(mg_searcher_open(ix, &s), MG_OK);
        for (size_t q = 0; q < 8; q++)
            all_hits(s, qs[q], &hits[t][q]);
        mg_searcher_close(s);
        mg_index_close(ix);
        ix_reader *r = open_r(dir[t]);
        assert_int_equal(ix_reader_nsegments(r), 1);
        const ix_segment *seg = ix_reader_segment(r, 0);
        int in_order = 1;
        for (uint32_t d = 0; d < ix_seg_ndocs(seg); d++) {
            size_t len;
            const char *docid = ix_seg_doc_id(seg, d, &len);
            in_order &= atoi(docid + 1) == (int)d;
        }
        assert_int_equal(in_order, t == 0); /* two: the worker did take articles */
        ix_reader_unref(r);
    }
    for (size_t q = 0; q < 8; q++) {
        assert_true(strlen(hits[0][q]) > 0);
        assert_string_equal(hits[0][q], hits[1][q]);
        free(hits[0][q]);
        free(hits[1][q]);
    }
    for (int t = 0; t < 2; t++) {
        tu_rmrf(dir[t]);
        free(dir[t]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_commit_reopen_reads_every_field_back),
        cmocka_unit_test(test_ids_order_with_shared_prefixes_and_repeats),
        cmocka_unit_test(test_uncommitted_adds_are_invisible),
        cmocka_unit_test(test_positions_title_then_body_with_exact_flags),
        cmocka_unit_test(test_source_section_author_are_prefixed_terms),
        cmocka_unit_test(test_prefix_enumeration_merges_segments_in_order),
        cmocka_unit_test(test_commit_merges_the_segments_it_flushed),
        cmocka_unit_test(test_replace_by_id_keeps_only_the_newest),
        cmocka_unit_test(test_delete_by_id_committed_and_pending),
        cmocka_unit_test(test_rollback_discards_adds_and_deletes),
        cmocka_unit_test(test_ids_are_found_in_every_segment_by_their_order),
        cmocka_unit_test(test_tiny_ram_budget_flushes_and_merges),
        cmocka_unit_test(test_ids_section_matches_stored_ids_after_flush_and_merge),
        cmocka_unit_test(test_flushed_pending_segments_replace_delete_rollback),
        cmocka_unit_test(test_merge_policy_bounds_segment_count),
        cmocka_unit_test(test_second_writer_gets_locked),
        cmocka_unit_test(test_missing_index_reports_not_found),
        cmocka_unit_test(test_language_is_kept_by_the_index),
        cmocka_unit_test(test_bad_utf8_is_replaced_and_counted),
        cmocka_unit_test(test_interrupt_stops_without_committing),
        cmocka_unit_test(test_add_requires_an_id),
        cmocka_unit_test(test_merge_of_many_segments_keeps_postings_and_documents),
        cmocka_unit_test(test_two_inverters_index_what_one_does),
        cmocka_unit_test(test_two_inverters_under_a_small_budget_flush_as_often_as_one),
        cmocka_unit_test(test_two_inverter_builds_are_byte_identical),
        cmocka_unit_test(test_interrupted_two_inverter_flush_retried_writes_the_same_segment),
        cmocka_unit_test(test_two_inverter_flush_done_twice_writes_the_same_segment),
        cmocka_unit_test(test_replace_and_delete_by_id_across_the_two_inverters),
        cmocka_unit_test(test_rollback_and_close_with_worker_batches_queued),
        cmocka_unit_test(test_worker_analyses_in_the_index_language),
        cmocka_unit_test(test_one_or_two_adding_threads_search_alike),
        cmocka_unit_test(test_default_adding_threads_follow_the_cpu_affinity),
        cmocka_unit_test(test_buffer_out_of_memory_is_forgotten_once_emptied),
        cmocka_unit_test(test_large_segment_written_in_aligned_pieces_reads_back),
        cmocka_unit_test(test_stored_blocks_of_every_kind_read_back_byte_exact),
        cmocka_unit_test(test_merge_policy_keeps_each_merge_within_the_budget),
    };
    return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}

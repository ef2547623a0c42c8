/* test_termdict.c — the term dictionary's lookups: td_lookup and td_seek
 * (through the block keys and their top-level sample) find exactly what a
 * walk of the whole dictionary finds, for terms sharing long prefixes. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "index/segment.h"

enum { NTERMS = 6000 };

static char terms[NTERMS][40];

/* Words in 8-byte-equal families ("interna" + ...), short words, and ones
 * that are prefixes of others, so the blocks' keys tie often. */
static void make_terms(void)
{
    const char *stems[] = { "internationalis", "internationaliz", "intern", "a", "zz", "bbbbbbbb", "bbbbbbb" };
    for (size_t i = 0; i < NTERMS; i++)
        snprintf(terms[i], sizeof terms[i], "%s%zx", stems[i % 7], i * 2654435761u % 100003);
}

static ix_reader *build(const char *dir)
{
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    char body[400], id[16];
    for (size_t i = 0; i < NTERMS; i += 4) {
        snprintf(body, sizeof body, "%.39s %.39s %.39s %.39s %.39s", terms[i], terms[i + 1], terms[i + 2], terms[i + 3],
                 terms[(i * 7) % NTERMS]);
        snprintf(id, sizeof id, "%zu", i);
        mg_article a = { .id = id, .body = body, .date = MG_NO_DATE };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    mg_index_close(ix);
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
    return r;
}

static void test_lookup_finds_every_term_a_walk_finds(void **state)
{
    (void)state;
    make_terms();
    char *dir = tu_tmpdir();
    ix_reader *r = build(dir);
    assert_int_equal(ix_reader_nsegments(r), 1);
    const ix_segment *s = ix_reader_segment(r, 0);
    assert_true(s->ndict_blocks > 2 * DICT_TOP_STRIDE); /* the top sample is used */
    td_iter it;
    size_t n = 0;
    for (int ok = td_seek(&it, s, "", 0); ok; ok = td_next(&it), n++) {
        td_entry e;
        assert_true(td_lookup(s, it.cur.term, it.cur.len, &e));
        assert_int_equal(e.len, it.cur.len);
        assert_memory_equal(e.term, it.cur.term, e.len);
        assert_int_equal(e.df, it.cur.df);
        assert_int_equal(e.cf, it.cur.cf);
        if (e.df == 1)
            assert_int_equal(e.inl_doc, it.cur.inl_doc);
        else if (e.inl_post)
            assert_ptr_equal(e.inl_post, it.cur.inl_post);
        else
            assert_int_equal(e.doc_off, it.cur.doc_off);
        assert_int_equal(e.bound.min_title_norm, it.cur.bound.min_title_norm);
        assert_int_equal(e.bound.min_body_norm, it.cur.bound.min_body_norm);
        assert_int_equal(e.bound.max_tf_body, it.cur.bound.max_tf_body);
    }
    assert_true(n >= NTERMS / 2);
    ix_reader_unref(r);
    tu_rmrf(dir);
    free(dir);
}

/* Term w's postings in s through a cursor, as "doc:tf:first position,". */
static void walk_docs(const ix_segment *s, const char *w, char *out, size_t cap)
{
    ix_post c;
    size_t n = 0;
    out[0] = '\0';
    assert_true(ix_post_open(&c, s, w, strlen(w)));
    for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c)) {
        uint32_t pos[8], tf = ix_post_tf_title(&c) + ix_post_tf_body(&c);
        assert_int_equal(ix_post_positions(&c, pos, NULL, 8), tf);
        n += (size_t)snprintf(out + n, cap - n, "%u:%u:%u,", d, tf, pos[0]);
    }
    assert_false(c.bad);
}

/* Article i of test_short_lists_live_in_their_dictionary_entry: word w
 * (0 kzrq, 1 kzedg, 2 kzpst) as "tf:first position" in out, or 0 if absent.
 * Titles: odd i "kzrq sometitle" (positions 0, 1), even "plaintitle" (0);
 * body from T + 1: filler, kzrq when i % 13 == 0, kzedg, kzpst, common. */
static int expect(int i, int w, char *out, size_t cap)
{
    uint32_t body = i % 2 ? 3 : 2, tf = 0, first = 0;
    if (w == 0) {
        tf = (uint32_t)(i % 2) + (i % 13 == 0);
        first = i % 2 ? 0 : body + 1;
    } else if (w == 1 && i < DICT_INLINE_MAX_DF) {
        tf = 1, first = body + 2;
    } else if (w == 2 && i <= DICT_INLINE_MAX_DF) {
        tf = 1, first = body + 3;
    }
    snprintf(out, cap, "%u:%u", tf, first);
    return tf > 0;
}

/* Lists of 2..DICT_INLINE_MAX_DF documents are written into their DICT
 * entry, when flushed and when merged, and read back as the same
 * postings; longer ones stay in POSTINGS; the segment passes the check. */
static void test_short_lists_live_in_their_dictionary_entry(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    mg_index *ix = tu_open_unmerged(dir);
    assert_non_null(ix);
    char body[200], id[16];
    for (int i = 0; i < 40; i++) { /* two flushed segments, merged below */
        snprintf(body, sizeof body, "filler %s %s %s common", i % 13 == 0 ? "kzrq" : "",
                 i < DICT_INLINE_MAX_DF ? "kzedg" : "zzz", i <= DICT_INLINE_MAX_DF ? "kzpst" : "zzz");
        if (i % 13) /* no word in kzrq's place: the positions stay put */
            snprintf(body, sizeof body, "filler filler %s %s common", i < DICT_INLINE_MAX_DF ? "kzedg" : "zzz",
                     i <= DICT_INLINE_MAX_DF ? "kzpst" : "zzz");
        snprintf(id, sizeof id, "d%d", i);
        mg_article a = { .id = id, .title = i % 2 ? "kzrq sometitle" : "plaintitle", .body = body,
                         .date = MG_NO_DATE };
        assert_int_equal(mg_index_add(ix, &a), MG_OK);
        if (i == 19)
            assert_int_equal(mg_index_commit(ix), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    for (int merged = 0; merged < 2; merged++) {
        if (merged)
            assert_int_equal(mg_index_optimize(ix), MG_OK);
        assert_int_equal(mg_index_check(ix), MG_OK);
        ix_reader *r;
        errbuf e;
        assert_int_equal(ix_reader_open(dir, &r, &e), MG_OK);
        assert_int_equal(ix_reader_nsegments(r), merged ? 1 : 2);
        for (uint32_t k = 0; k < ix_reader_nsegments(r); k++) {
            const ix_segment *s = ix_reader_segment(r, k);
            assert_int_equal(s->version, SEG_VERSION);
            const sect *dict = &s->sec[SEC_DICT];
            const char *words[] = { "kzrq", "kzedg", "kzpst", "common" };
            for (int w = 0; w < 4; w++) {
                char got[1000], want[1000] = "", one[32];
                size_t n = 0;
                uint32_t df = 0;
                for (uint32_t d = 0; d < s->ndocs; d++) {
                    size_t len;
                    int i = atoi(ix_seg_doc_id(s, d, &len) + 1);
                    if (w == 3)
                        snprintf(one, sizeof one, "1:%u", i % 2 ? 7u : 6u);
                    if (w == 3 || expect(i, w, one, sizeof one))
                        n += (size_t)snprintf(want + n, sizeof want - n, "%u:%s,", d, one), df++;
                }
                td_entry t;
                assert_int_equal(td_lookup(s, words[w], strlen(words[w]), &t), df > 0);
                if (df == 0)
                    continue;
                assert_int_equal(t.df, df);
                int inl = df > 1 && df <= DICT_INLINE_MAX_DF;
                assert_int_equal(t.inl_post != NULL && df > 1, inl);
                if (inl)
                    assert_true(t.inl_post > dict->p && t.inl_post + t.inl_post_len <= dict->p + dict->len);
                walk_docs(s, words[w], got, sizeof got);
                assert_string_equal(got, want);
            }
        }
        ix_reader_unref(r);
    }
    mg_index_close(ix);
    tu_rmrf(dir);
    free(dir);
}

static void test_seek_lands_on_the_next_term_for_missing_keys(void **state)
{
    (void)state;
    make_terms();
    char *dir = tu_tmpdir();
    ix_reader *r = build(dir);
    const ix_segment *s = ix_reader_segment(r, 0);
    /* the dictionary's own terms, in its order (the analyzer may stem) */
    static char sorted[3 * NTERMS][IX_TERM_MAX + 1];
    size_t nt = 0;
    td_iter w;
    for (int ok = td_seek(&w, s, "", 0); ok && nt < 3 * NTERMS; ok = td_next(&w))
        memcpy(sorted[nt++], w.cur.term, w.cur.len + 1);
    assert_true(nt > NTERMS / 2 && nt < 3 * NTERMS);
    for (size_t i = 1; i < nt; i++)
        assert_true(strcmp(sorted[i - 1], sorted[i]) < 0);
    for (size_t i = 0; i < nt; i += 3) {
        char key[IX_TERM_MAX + 2];
        /* a key just after term i and one just before it */
        snprintf(key, sizeof key, "%.254s0", sorted[i]);
        size_t want = i + 1;
        while (want < nt && strcmp(sorted[want], key) < 0)
            want++;
        td_iter it;
        int ok = td_seek(&it, s, key, strlen(key));
        if (want == nt) {
            assert_false(ok);
        } else {
            assert_true(ok);
            assert_string_equal(it.cur.term, sorted[want]);
        }
        td_entry e;
        assert_int_equal(td_lookup(s, key, strlen(key), &e), want < nt && !strcmp(sorted[want], key));
        size_t l = strlen(sorted[i]);
        memcpy(key, sorted[i], l - 1);
        key[l - 1] = '\0';
        assert_true(td_seek(&it, s, key, l - 1));
        assert_true(strcmp(it.cur.term, key) >= 0 && strcmp(it.cur.term, sorted[i]) <= 0);
    }
    ix_reader_unref(r);
    tu_rmrf(dir);
    free(dir);
}

static void test_key_orders_as_the_terms_unless_equal(void **state)
{
    (void)state;
    const char *t[] = { "", "a", "a\x01", "ab", "abcdefgh", "abcdefghi", "abcdefgz", "b", "\xCE\xB1", "\xff" };
    size_t n = sizeof t / sizeof *t;
    for (size_t i = 0; i + 1 < n; i++) {
        uint64_t a = td_key(t[i], strlen(t[i])), b = td_key(t[i + 1], strlen(t[i + 1]));
        assert_true(a <= b);
    }
    assert_true(td_key("abcdefgh", 8) == td_key("abcdefghi", 9));
    assert_true(td_key("abcdefgh", 8) < td_key("abcdefgz", 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_finds_every_term_a_walk_finds),
        cmocka_unit_test(test_seek_lands_on_the_next_term_for_missing_keys),
        cmocka_unit_test(test_key_orders_as_the_terms_unless_equal),
        cmocka_unit_test(test_short_lists_live_in_their_dictionary_entry),
    };
    return cmocka_run_group_tests_name("termdict", tests, NULL, NULL);
}

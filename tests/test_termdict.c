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
    };
    return cmocka_run_group_tests_name("termdict", tests, NULL, NULL);
}

/* test_inverter.c — the indexer's in-memory side: the word cache (keytab)
 * against a plain map, analyzer_run_keys + analyzer_forms against
 * analyzer_run, and whole inverter flushes against postings computed
 * directly from analyzer_run (docs, title/body frequencies, positions and
 * exact flags of every stem and R term). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/tokenizer.h"
#include "index/inverter.h"
#include "index/keytab.h"
#include "index/segment.h"
#include "util/strmap.h"

/* ---- keytab ------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

/* A random key of len bytes into k (zero bytes included: keys are bytes). */
static void rnd_key(uint8_t *k, size_t len)
{
    for (size_t i = 0; i < len; i++)
        k[i] = (uint8_t)(rnd() % 7 == 0 ? 0 : 'a' + rnd() % 4);
}

static size_t rnd_len(void)
{
    uint32_t r = rnd() % 16;
    return r < 10 ? rnd() % 17 : r < 15 ? 17 + rnd() % 40 : rnd() % (KEYTAB_MAX_LEN + 1);
}

static void test_keytab_finds_every_key_it_holds_and_no_other(void **state)
{
    (void)state;
    keytab t;
    keytab_init(&t);
    strmap *oracle = strmap_new();
    assert_non_null(oracle);
    uint8_t k[KEYTAB_MAX_LEN + 1 + 16];
    memset(k, 0x5A, sizeof k); /* garbage after the key must not matter */
    assert_null(keytab_get(&t, k, 3, 0));
    for (uint32_t i = 0; i < 60000; i++) {
        size_t len = rnd_len();
        uint32_t flags = rnd() % 4;
        rnd_key(k + 1, len);
        k[0] = (uint8_t)flags;
        uint32_t v;
        const keytab_slot *s = keytab_get(&t, k + 1, len, flags);
        if (strmap_get(oracle, k, len + 1, &v)) {
            assert_non_null(s);
            assert_int_equal(s->a, v);
            assert_int_equal(s->b, ~v);
        } else {
            assert_null(s);
            assert_int_equal(keytab_put(&t, k + 1, len, flags, i, ~i), 0);
            assert_non_null(strmap_upsert(oracle, k, len + 1, i, NULL));
        }
        memset(k + 1 + len, 0x5A, 16);
    }
    assert_int_equal(t.count, strmap_count(oracle));
    assert_true(keytab_bytes(&t) >= t.count * sizeof(keytab_slot));
    /* every key once more, in map order (so also from the main table, not
     * only the hot copies) */
    size_t i = 0, len;
    const char *key;
    uint32_t v;
    while (strmap_at(oracle, &i, &key, &len, &v)) {
        memcpy(k, key, len);
        memset(k + len, 0x33, 16);
        const keytab_slot *s = keytab_get(&t, k + 1, len - 1, (uint8_t)k[0]);
        assert_non_null(s);
        assert_int_equal(s->a, v);
        assert_int_equal(s->b, ~v);
    }
    keytab_clear(&t);
    assert_int_equal(t.count, 0);
    i = 0;
    while (strmap_at(oracle, &i, &key, &len, &v)) {
        memcpy(k, key, len);
        assert_null(keytab_get(&t, k + 1, len - 1, (uint8_t)k[0]));
    }
    strmap_free(oracle);
    keytab_free(&t);
}

static void test_keytab_tells_flags_and_lengths_apart(void **state)
{
    (void)state;
    keytab t;
    keytab_init(&t);
    uint8_t k[64] = "abc"; /* zero bytes after: "abc" vs "abc\0" */
    assert_int_equal(keytab_put(&t, k, 3, 0, 1, 0), 0);
    assert_int_equal(keytab_put(&t, k, 3, 2, 2, 0), 0);
    assert_int_equal(keytab_put(&t, k, 4, 0, 3, 0), 0);
    assert_int_equal(keytab_put(&t, k, 0, 0, 4, 0), 0);
    memcpy(k, "a-long-key-over-sixteen-bytes-x", 31);
    assert_int_equal(keytab_put(&t, k, 31, 0, 5, 0), 0);
    uint8_t k2[64];
    memcpy(k2, k, 64);
    k2[30] = 'y'; /* differs only in the arena tail */
    assert_int_equal(keytab_get(&t, (uint8_t *)"abc\0\0\0\0\0\0\0\0\0\0\0\0\0", 3, 0)->a, 1);
    assert_int_equal(keytab_get(&t, (uint8_t *)"abc\0\0\0\0\0\0\0\0\0\0\0\0\0", 3, 2)->a, 2);
    assert_int_equal(keytab_get(&t, (uint8_t *)"abc\0\0\0\0\0\0\0\0\0\0\0\0\0", 4, 0)->a, 3);
    assert_int_equal(keytab_get(&t, (uint8_t *)"abc\0\0\0\0\0\0\0\0\0\0\0\0\0", 0, 0)->a, 4);
    assert_null(keytab_get(&t, (uint8_t *)"abc\0\0\0\0\0\0\0\0\0\0\0\0\0", 3, 1));
    assert_int_equal(keytab_get(&t, k, 31, 0)->a, 5);
    assert_null(keytab_get(&t, k2, 31, 0));
    assert_null(keytab_get(&t, k, 30, 0));
    assert_int_equal(keytab_put(&t, k, KEYTAB_MAX_LEN + 1, 0, 9, 9), -1);
    keytab_free(&t);
}

/* ---- analyzer_run_keys --------------------------------------------------- */

typedef struct rec {
    char s[8192];
    size_t n;
    analyzer *an;
    strmap *forms; /* key + flags -> index of its forms in s (consistency) */
} rec;

static void rec_tok(rec *r, const token *t)
{
    int k = snprintf(r->s + r->n, sizeof r->s - r->n, "%.*s|%.*s|%u|%u|%u\n", (int)t->raw_len,
                     t->raw, (int)t->term_len, t->term, t->pos, t->start, t->end);
    assert_true(k > 0 && (size_t)k < sizeof r->s - r->n);
    r->n += (size_t)k;
}

static int on_tok(void *ctx, const token *t)
{
    rec_tok(ctx, t);
    return 0;
}

static int on_key(void *ctx, const token *t)
{
    rec *r = ctx;
    assert_null(t->term);
    assert_null(t->raw);
    assert_true(t->key_len <= ANALYZER_KEY_MAX);
    token f = *t;
    if (!analyzer_forms(r->an, &f))
        return ANALYZER_SKIP;
    rec_tok(r, &f);
    return 0;
}

static void check_same_tokens(const char *lang, const char *text)
{
    errbuf e;
    err_clear(&e);
    analyzer *a = analyzer_new(lang, &e), *b = analyzer_new(lang, &e);
    assert_non_null(a);
    assert_non_null(b);
    static rec x, y;
    x.n = y.n = 0;
    x.an = a;
    y.an = b;
    uint32_t nx = analyzer_run(a, text, strlen(text), 7, on_tok, &x);
    uint32_t ny = analyzer_run_keys(b, text, strlen(text), 7, on_key, &y);
    x.s[x.n] = y.s[y.n] = '\0';
    assert_int_equal(nx, ny);
    assert_string_equal(x.s, y.s);
    assert_int_equal(analyzer_bad_utf8(a), analyzer_bad_utf8(b));
    analyzer_free(a);
    analyzer_free(b);
}

static void test_run_keys_gives_the_tokens_of_run(void **state)
{
    (void)state;
    const char *texts[] = {
        "China's U.S.-based state-owned firms RAISED output 3.5% to 1,200 tonnes on 2026-11-24.",
        "Zürich ÉCOLE l'économie naïve café Straße \xC4\xB1\xC5\x9F\xC4\xB1k \xEF\xAC\x81nance",
        "east \xCC\x81 west \xC2\xAD a \xE2\x80\x8B b",  /* lone mark, soft hyphen, ZWSP */
        "東京は 2026年 ソニー",
        "supercalifragilisticexpialidocious antidisestablishmentarianism x",
        "bad \xFF\xFE utf8 \xC3 here",
        "",
    };
    const char *langs[] = { "english", "french", "none", "italian" };
    for (size_t l = 0; l < sizeof langs / sizeof *langs; l++)
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
            check_same_tokens(langs[l], texts[i]);
    char longw[1200];
    memset(longw, 'q', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    longw[300] = ' ';
    check_same_tokens("english", longw);
}

/* Same key and flags always give the same forms, whatever came before: the
 * property that lets the inverter cache forms by key. */
typedef struct kctx {
    analyzer *an;
    strmap *seen;     /* key + flags -> index into forms */
    char forms[200000];
    size_t nforms;
    uint32_t checked;
} kctx;

static int on_key_consistent(void *ctx, const token *t)
{
    kctx *c = ctx;
    char key[ANALYZER_KEY_MAX + 1];
    key[0] = (char)t->key_flags;
    memcpy(key + 1, t->key, t->key_len);
    token f = *t;
    char form[300];
    int ok = analyzer_forms(c->an, &f);
    int n = ok ? snprintf(form, sizeof form, "%.*s|%.*s", (int)f.raw_len, f.raw, (int)f.term_len,
                          f.term)
               : snprintf(form, sizeof form, "-");
    uint32_t at;
    if (strmap_get(c->seen, key, t->key_len + 1, &at)) {
        assert_string_equal(c->forms + at, form);
        c->checked++;
    } else if (c->nforms + (size_t)n + 1 < sizeof c->forms) {
        memcpy(c->forms + c->nforms, form, (size_t)n + 1);
        strmap_upsert(c->seen, key, t->key_len + 1, (uint32_t)c->nforms, NULL);
        c->nforms += (size_t)n + 1;
    }
    return ok ? 0 : ANALYZER_SKIP;
}

static void test_same_key_always_gives_the_same_forms(void **state)
{
    (void)state;
    errbuf e;
    err_clear(&e);
    static kctx c;
    c.an = analyzer_new("french", &e);
    c.seen = strmap_new();
    c.nforms = 0;
    c.checked = 0;
    const char *words[] = { "L'Économie", "l'economie", "ECONOMIE", "économies", "d'accord",
                            "Qu'il", "U.S.", "us", "café", "CAFÉ", "cafe", "\xCC\x81",
                            "aujourd'hui", "12,500", "3.5" };
    char text[256];
    for (int i = 0; i < 3000; i++) {
        snprintf(text, sizeof text, "%s %s %s", words[rnd() % 15], words[rnd() % 15],
                 words[rnd() % 15]);
        analyzer_run_keys(c.an, text, strlen(text), 0, on_key_consistent, &c);
    }
    assert_true(c.checked > 8000);
    strmap_free(c.seen);
    analyzer_free(c.an);
}

/* ---- the inverter against postings computed from analyzer_run ------------ */

typedef struct occ {
    char term[IX_TERM_MAX + 2];
    uint32_t doc, pos;
    int exact, title;
} occ;

typedef struct oracle {
    occ *o;
    size_t n, cap;
    uint32_t doc;
    int title;
} oracle;

static void or_add(oracle *r, const char *term, size_t len, uint32_t pos, int exact)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->o = realloc(r->o, r->cap * sizeof *r->o);
        assert_non_null(r->o);
    }
    occ *x = &r->o[r->n++];
    snprintf(x->term, sizeof x->term, "%.*s", (int)len, term);
    x->doc = r->doc;
    x->pos = pos;
    x->exact = exact;
    x->title = r->title;
}

static int on_oracle(void *ctx, const token *t)
{
    oracle *r = ctx;
    int same = t->raw_len == t->term_len && memcmp(t->raw, t->term, t->raw_len) == 0;
    or_add(r, t->term, t->term_len, t->pos, same);
    if (!same) {
        char k[IX_TERM_MAX + 2];
        int n = snprintf(k, sizeof k, "R%.*s", (int)t->raw_len, t->raw);
        or_add(r, k, (size_t)n, t->pos, 1);
    }
    return 0;
}

static int occ_cmp(const void *a, const void *b)
{
    const occ *x = a, *y = b;
    int c = strcmp(x->term, y->term);
    if (c)
        return c;
    if (x->doc != y->doc)
        return x->doc < y->doc ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Checks the postings of every title/body term of the flushed segment. */
static void check_postings(const ix_segment *s, oracle *r)
{
    qsort(r->o, r->n, sizeof *r->o, occ_cmp);
    size_t i = 0, terms = 0;
    while (i < r->n) {
        const char *term = r->o[i].term;
        ix_post c;
        assert_true(ix_post_open(&c, s, term, strlen(term)));
        terms++;
        while (i < r->n && strcmp(r->o[i].term, term) == 0) {
            uint32_t doc = r->o[i].doc, tft = 0, tfb = 0, np = 0;
            uint32_t pos[512];
            uint8_t ex[512];
            for (size_t j = i; j < r->n && r->o[j].doc == doc && strcmp(r->o[j].term, term) == 0; j++) {
                r->o[j].title ? tft++ : tfb++;
                np++;
            }
            assert_int_equal(c.doc, doc);
            assert_int_equal(ix_post_tf_title(&c), tft);
            assert_int_equal(ix_post_tf_body(&c), tfb);
            assert_true(np <= 512);
            assert_int_equal(ix_post_positions(&c, pos, ex, 512), np);
            for (uint32_t k = 0; k < np; k++, i++) {
                assert_int_equal(pos[k], r->o[i].pos);
                assert_int_equal(!!ex[k], r->o[i].exact);
            }
            ix_post_next(&c);
        }
        assert_int_equal(c.doc, IX_END);
    }
    assert_true(terms > 0);
}

static void test_inverter_postings_match_the_analyzer(void **state)
{
    (void)state;
    /* the third run: enough documents for 4 KiB slices and many chunks */
    const char *lang[] = { "english", "french", "english" };
    const uint32_t ndocs[] = { 40, 40, 3000 };
    const char *bodies[] = {
        "The running runner runs; RUNS ran. China's exports rose 3.5% in the U.S. and "
        "state-owned banks raised 1,200 loans. Running again and again.",
        "Zürich café Straße naïve naive l'économie économies \xCC\x81 lone mark, "
        "supercalifragilisticexpialidocious supercalifragilisticexpialidocious.",
        "runs run runner the the the the the the the the the a a a a a a a a a",
        "",
        /* separator runs longer than the tokenizer's 16-byte window, words
         * right after them, at its edges and in the last 16 bytes */
        "alpha ------------------------------- beta.   \n\n\t\t   ...   gamma, "
        "delta's \xC2\xAB quoted \xC2\xBB 12,345.67 \xE2\x80\x94 ((((((((((((((((((x)))) "
        "                \xC3\xA9t\xC3\xA9 ................ U.S. epsilon zeta.",
    };
    char longw[700];
    memset(longw, 'w', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    for (int l = 0; l < 3; l++) {
        errbuf e;
        err_clear(&e);
        analyzer *an = analyzer_new(lang[l], &e), *an2 = analyzer_new(lang[l], &e);
        assert_non_null(an);
        inverter v;
        assert_int_equal(inv_init(&v), MG_OK);
        oracle r = { 0 };
        char id[32], title[64];
        for (uint32_t d = 0; d < ndocs[l]; d++) {
            snprintf(id, sizeof id, "doc-%u", d);
            snprintf(title, sizeof title, "Title %u: Runs of the RUNNERS w%u", d % 7, d % 301);
            const char *body = d == 13 ? longw : bodies[d % 5];
            mg_article a = { .id = id, .title = title, .body = body, .date = MG_NO_DATE };
            assert_int_equal(inv_add(&v, an, &a), MG_OK);
            r.doc = d;
            r.title = 1;
            uint32_t nt = analyzer_run(an2, title, strlen(title), 0, on_oracle, &r);
            r.title = 0;
            analyzer_run(an2, body, strlen(body), nt + 1, on_oracle, &r);
        }
        assert_true(inv_bytes(&v) > 0);
        if (l == 2) { /* the pool is counted in the RAM budget */
            assert_true(v.pool.nchunks > 1);
            assert_true(inv_bytes(&v) >= ((size_t)v.pool.nchunks << POOL_CHUNK_BITS) +
                                             v.cap * sizeof(inv_term) + keytab_bytes(&v.keys));
        }
        char *dir = tu_tmpdir();
        assert_int_equal(inv_flush(&v, dir, 1, NULL, &e), MG_OK);
        ix_segment *s;
        assert_int_equal(seg_open(dir, 1, &s, &e), MG_OK);
        assert_int_equal(s->ndocs, ndocs[l]);
        check_postings(s, &r);
        ix_post c;
        uint32_t from;
        assert_int_equal(seg_find_id(s, "doc-7", 5, &from), 1);
        assert_int_equal(seg_id_order(s, from), 7);
        seg_free(s);
        /* the inverter is reusable after a reset */
        inv_reset(&v);
        mg_article a = { .id = "x", .title = "hello", .body = "hello world", .date = MG_NO_DATE };
        assert_int_equal(inv_add(&v, an, &a), MG_OK);
        assert_int_equal(inv_flush(&v, dir, 2, NULL, &e), MG_OK);
        assert_int_equal(seg_open(dir, 2, &s, &e), MG_OK);
        assert_true(ix_post_open(&c, s, "hello", 5));
        assert_int_equal(ix_post_tf_title(&c), 1);
        assert_int_equal(ix_post_tf_body(&c), 1);
        assert_false(ix_post_open(&c, s, "run", 3));
        seg_free(s);
        inv_free(&v);
        free(r.o);
        tu_rmrf(dir);
        free(dir);
        analyzer_free(an);
        analyzer_free(an2);
    }
}


/* The flush's term sort (multikey quicksort) against qsort with memcmp:
 * words that are prefixes of others, long shared prefixes, bytes >= 0x80,
 * in random order; the dictionary must come out in byte order with every
 * term once. */
static int str_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x, y); /* byte order: strcmp compares as unsigned char */
}

static void test_flush_writes_terms_in_byte_order(void **state)
{
    (void)state;
    errbuf e;
    err_clear(&e);
    analyzer *an = analyzer_new("none", &e);
    inverter v;
    assert_int_equal(inv_init(&v), MG_OK);
    static char words[9000][64]; /* over 4096 terms: the flush sorts in two threads */
    const char *parts[] = { "a", "aa", "ab", "b", "\xCE\xB1", "z", "0", "9" };
    size_t nw = 0;
    for (size_t i = 0; i < 9000; i++) {
        size_t n = 1 + rnd() % 12;
        words[i][0] = '\0';
        if (i % 3 == 0)
            strcat(words[i], "prefixprefixprefix");
        for (size_t k = 0; k < n; k++)
            strcat(words[i], parts[rnd() % 8]);
        nw++;
    }
    char body[400], id[16];
    for (size_t i = 0; i < nw; i += 5) {
        snprintf(body, sizeof body, "%.63s %.63s %.63s %.63s %.63s", words[i], words[i + 1], words[i + 2],
                 words[i + 3], words[i + 4]);
        snprintf(id, sizeof id, "%zu", i);
        mg_article a = { .id = id, .body = body, .date = MG_NO_DATE };
        assert_int_equal(inv_add(&v, an, &a), MG_OK);
    }
    /* expected: the distinct words, sorted (ids are in IDS, not terms) */
    static char *want[9000];
    size_t nwant = 0;
    for (size_t i = 0; i < nw; i++)
        want[nwant++] = words[i];
    qsort(want, nwant, sizeof *want, str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < nwant; i++)
        if (u == 0 || strcmp(want[u - 1], want[i]) != 0)
            want[u++] = want[i];
    char *dir = tu_tmpdir();
    assert_int_equal(inv_flush(&v, dir, 1, NULL, &e), MG_OK);
    ix_segment *s;
    assert_int_equal(seg_open(dir, 1, &s, &e), MG_OK);
    td_iter it;
    size_t k = 0;
    for (int ok = td_seek(&it, s, "", 0); ok; ok = td_next(&it), k++) {
        assert_true(k < u);
        assert_int_equal(it.cur.len, strlen(want[k]));
        assert_memory_equal(it.cur.term, want[k], it.cur.len);
    }
    assert_int_equal(k, u);
    assert_true(u > 4096);
    seg_free(s);
    inv_free(&v);
    analyzer_free(an);
    tu_rmrf(dir);
    free(dir);
}

/* utf8_valid (the writer's check before using a field in place) against a
 * byte-at-a-time decoder, with one bad or multibyte sequence at every
 * offset of texts long enough for its 32- and 8-byte ASCII steps. */
static int valid_slow(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = utf8_decode(p + i, n - i, &cp);
        if (cp < 0)
            return 0;
        i += k;
    }
    return 1;
}

static void test_utf8_valid_checks_every_offset(void **state)
{
    (void)state;
    static const char *seqs[] = { "\xc3\xa9", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xff",
                                  "\xc3", "\xe2\x80", "\xc0\xaf", "\xed\xa0\x80", "\x80" };
    char text[160];
    for (size_t q = 0; q < sizeof seqs / sizeof *seqs; q++) {
        size_t sl = strlen(seqs[q]);
        for (size_t len = sl; len <= 100; len += 7) {
            for (size_t at = 0; at + sl <= len; at++) {
                memset(text, 'a', len);
                memcpy(text + at, seqs[q], sl);
                assert_int_equal(utf8_valid(text, len), valid_slow((const uint8_t *)text, len));
            }
        }
    }
    memset(text, 'z', sizeof text);
    assert_true(utf8_valid(text, sizeof text));
    assert_true(utf8_valid(text, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keytab_finds_every_key_it_holds_and_no_other),
        cmocka_unit_test(test_keytab_tells_flags_and_lengths_apart),
        cmocka_unit_test(test_run_keys_gives_the_tokens_of_run),
        cmocka_unit_test(test_same_key_always_gives_the_same_forms),
        cmocka_unit_test(test_inverter_postings_match_the_analyzer),
        cmocka_unit_test(test_flush_writes_terms_in_byte_order),
        cmocka_unit_test(test_utf8_valid_checks_every_offset),
    };
    return cmocka_run_group_tests_name("inverter", tests, NULL, NULL);
}

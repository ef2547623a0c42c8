/* test_analyzer.c — the analysis pipeline: tokenizing news text, positions
 * and byte offsets, case and accent folding, invalid UTF-8, stemming in
 * several languages, the stem cache against uncached stemming. */
#include "testutil.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "analysis/fold.h"
#include "analysis/tokenizer.h"

/* ---- helpers ------------------------------------------------------------ */

typedef struct tok {
    char raw[ANALYZER_MAX_TOKEN + 1];
    char term[4 * ANALYZER_MAX_TOKEN + 1];
    uint32_t pos, start, end;
} tok;

typedef struct toks {
    tok t[256];
    size_t n;
    size_t stop_after;  /* 0 = never stop */
} toks;

static int collect(void *ctx, const token *t)
{
    toks *ts = ctx;
    assert_true(t->raw_len <= ANALYZER_MAX_TOKEN);
    assert_true(t->term_len <= 4 * ANALYZER_MAX_TOKEN);
    if (ts->n < sizeof ts->t / sizeof *ts->t) {
        tok *k = &ts->t[ts->n];
        memcpy(k->raw, t->raw, t->raw_len);
        k->raw[t->raw_len] = '\0';
        memcpy(k->term, t->term, t->term_len);
        k->term[t->term_len] = '\0';
        k->pos = t->pos;
        k->start = t->start;
        k->end = t->end;
    }
    ts->n++;
    return ts->stop_after && ts->n >= ts->stop_after;
}

static analyzer *mk(const char *lang)
{
    errbuf e;
    err_clear(&e);
    analyzer *a = analyzer_new(lang, &e);
    if (!a)
        fail_msg("analyzer_new(%s): %s", lang ? lang : "NULL", e.msg);
    return a;
}

/* Runs text through a fresh analyzer of lang into *ts. */
static void run(const char *lang, const char *text, toks *ts)
{
    analyzer *a = mk(lang);
    memset(ts, 0, sizeof *ts);
    uint32_t n = analyzer_run(a, text, strlen(text), 0, collect, ts);
    assert_int_equal(n, ts->n);
    analyzer_free(a);
}

/* Space-separated raw forms ("china's state owned"). */
static const char *raws(const toks *ts)
{
    static char s[4096];
    size_t o = 0;
    s[0] = '\0';
    for (size_t i = 0; i < ts->n && i < 256; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%s%s", i ? " " : "", ts->t[i].raw);
    return s;
}

static const char *terms(const toks *ts)
{
    static _Thread_local char s[4096]; /* called from several threads */
    size_t o = 0;
    s[0] = '\0';
    for (size_t i = 0; i < ts->n && i < 256; i++)
        o += (size_t)snprintf(s + o, sizeof s - o, "%s%s", i ? " " : "", ts->t[i].term);
    return s;
}

/* The input bytes a token spans. */
static const char *span(const char *text, const tok *k)
{
    static char s[512];
    snprintf(s, sizeof s, "%.*s", (int)(k->end - k->start), text + k->start);
    return s;
}

static void expect_stem(const char *lang, const char *word, const char *stem)
{
    toks ts;
    run(lang, word, &ts);
    assert_int_equal(ts.n, 1);
    if (strcmp(ts.t[0].term, stem) != 0)
        fail_msg("%s: %s -> %s, expected %s", lang, word, ts.t[0].term, stem);
}

/* ---- tokenizing --------------------------------------------------------- */

static void test_apostrophe_keeps_possessive_in_one_token(void **state)
{
    (void)state;
    toks ts;
    /* Reuters, 1987 style, with an ASCII and a typographic apostrophe. */
    const char *text = "China's exports rose; officials don\xe2\x80\x99t expect Jones' plan to pass";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "china's exports rose officials don't expect jones plan to pass");
    assert_string_equal(ts.t[0].term, "china");
    assert_string_equal(ts.t[4].term, "don't");
    assert_string_equal(span(text, &ts.t[4]), "don\xe2\x80\x99t");
    assert_string_equal(span(text, &ts.t[6]), "Jones");
}

static void test_hyphenated_word_gives_consecutive_positions(void **state)
{
    (void)state;
    toks ts;
    const char *text = "the state-owned oil company";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "the state owned oil company");
    assert_int_equal(ts.t[1].pos + 1, ts.t[2].pos);
    assert_string_equal(span(text, &ts.t[1]), "state");
    assert_string_equal(span(text, &ts.t[2]), "owned");
    /* A query "state-owned" analyzes to the same two words: a phrase. */
    toks q;
    run("english", "state-owned", &q);
    assert_string_equal(terms(&q), "state own");
}

static void test_numbers_keep_decimals_and_drop_thousands_commas(void **state)
{
    (void)state;
    toks ts;
    const char *text = "rose 3.5% to 1,200 tonnes, or 1,234,567.89 dlrs in 1987, 2,5 and 12,34";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "rose 3.5 to 1200 tonnes or 1234567.89 dlrs in 1987 2 5 and 12 34");
    assert_string_equal(span(text, &ts.t[1]), "3.5");
    assert_string_equal(span(text, &ts.t[3]), "1,200");
    assert_string_equal(span(text, &ts.t[6]), "1,234,567.89");
    toks q;
    run("english", "1200", &q);
    assert_string_equal(raws(&q), "1200");
    run("english", "1,200", &q);
    assert_string_equal(raws(&q), "1200");
    run("english", "version 2. Then", &q);  /* a sentence-ending dot is not decimal */
    assert_string_equal(raws(&q), "version 2 then");
}

static void test_acronyms_drop_their_dots(void **state)
{
    (void)state;
    toks ts;
    const char *text = "the U.S. and U.K. economies, e.g. at 10 a.m. U.S.-based J.P. Morgan";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "the us and uk economies eg at 10 am us based jp morgan");
    assert_string_equal(span(text, &ts.t[1]), "U.S.");
    assert_string_equal(span(text, &ts.t[9]), "U.S.");
    /* Not acronyms: an initial, a plain dotted word, a run into a word. */
    run("english", "John F. Kennedy met A.B.Cdef at Ph.D. level", &ts);
    assert_string_equal(raws(&ts), "john f kennedy met a b cdef at ph d level");
    /* The query U.S. meets the document's U.S. */
    run("english", "U.S.", &ts);
    assert_string_equal(raws(&ts), "us");
}

static void test_urls_and_emails_become_phrases_of_their_parts(void **state)
{
    (void)state;
    toks ts;
    const char *text = "see https://www.reuters.com/markets?id=42 or mail desk@reuters.com.";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "see https www reuters com markets id 42 or mail desk reuters com");
    for (size_t i = 1; i + 1 < ts.n; i++)
        assert_int_equal(ts.t[i].pos + 1, ts.t[i + 1].pos);
    assert_string_equal(span(text, &ts.t[3]), "reuters");
}

static void test_dates_split_into_numbers(void **state)
{
    (void)state;
    toks ts;
    run("english", "On 2026-11-24 (24.11.2026) and 11/24/2026", &ts);
    assert_string_equal(raws(&ts), "on 2026 11 24 24.11.2026 and 11 24 2026");
}

static void test_quotes_dashes_brackets_and_whitespace_separate(void **state)
{
    (void)state;
    toks ts;
    const char *text = "\"Oil\"\xe2\x80\x94they said\xe2\x80\x93(again)\t[OPEC]\r\n{quota} "
                       "\xe2\x80\x9cnew\xe2\x80\x9d \xc2\xabprix\xc2\xbb 'quoted'";
    run("english", text, &ts);
    assert_string_equal(raws(&ts), "oil they said again opec quota new prix quoted");
    assert_string_equal(span(text, &ts.t[0]), "Oil");
    assert_string_equal(span(text, &ts.t[6]), "new");
}

static void test_offsets_index_the_original_bytes(void **state)
{
    (void)state;
    toks ts;
    const char *text = "  Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve\n\tStra\xc3\x9f" "e!";
    run("english", text, &ts);
    assert_int_equal(ts.n, 3);
    assert_int_equal(ts.t[0].start, 2);
    assert_int_equal(ts.t[0].end, 7);
    assert_int_equal(ts.t[1].start, 12);
    assert_int_equal(ts.t[1].end, 18);
    assert_int_equal(ts.t[2].start, 20);
    assert_int_equal(ts.t[2].end, 27);
    assert_string_equal(raws(&ts), "cafe naive strasse");
}

static void test_positions_start_at_first_pos_and_count_tokens(void **state)
{
    (void)state;
    analyzer *a = mk("english");
    toks ts;
    memset(&ts, 0, sizeof ts);
    const char *title = "Oil prices rise";
    uint32_t n = analyzer_run(a, title, strlen(title), 100, collect, &ts);
    assert_int_equal(n, 3);
    assert_int_equal(ts.t[0].pos, 100);
    assert_int_equal(ts.t[2].pos, 102);
    /* a stopping callback ends the run early */
    memset(&ts, 0, sizeof ts);
    ts.stop_after = 2;
    n = analyzer_run(a, "one two three four", 18, 0, collect, &ts);
    assert_int_equal(n, 2);
    assert_int_equal(ts.n, 2);
    /* fn may be NULL to count tokens */
    assert_int_equal(analyzer_run(a, "a b c", 5, 0, NULL, NULL), 3);
    analyzer_free(a);
}

static void test_long_token_cut_on_utf8_boundary(void **state)
{
    (void)state;
    char text[1024];
    size_t o = 0;
    text[o++] = 'x';
    for (int i = 0; i < 200; i++) { /* x + 200 times "é" (2 bytes) */
        text[o++] = '\xc3';
        text[o++] = '\xa9';
    }
    memcpy(text + o, " next", 6);
    toks ts;
    run("none", text, &ts);
    assert_int_equal(ts.n, 2);
    assert_true(strlen(ts.t[0].raw) <= ANALYZER_MAX_TOKEN);
    assert_true(strlen(ts.t[0].raw) >= ANALYZER_MAX_TOKEN - 3);
    assert_int_equal(ts.t[0].end, 401);  /* the whole word is one token */
    assert_string_equal(ts.t[1].raw, "next");
    /* cut with multibyte letters that stay multibyte: a valid prefix */
    o = 0;
    for (int i = 0; i < 100; i++) { /* 100 times "ж" (2 bytes, unchanged by folding) */
        text[o++] = '\xd0';
        text[o++] = '\xb6';
    }
    text[o] = '\0';
    run("none", text, &ts);
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.t[0].raw), ANALYZER_MAX_TOKEN);
    size_t r = strlen(ts.t[0].raw);
    assert_int_equal(fold_word((const uint8_t *)ts.t[0].raw, r, (uint8_t *)text, sizeof text,
                               (int32_t[FOLD_WORK]){ 0 }), r);
    /* an ASCII run of 5000 letters is one token of MAX bytes */
    char *big = malloc(5002);
    memset(big, 'a', 5000);
    memcpy(big + 5000, " b", 2);
    analyzer *a = mk("english");
    memset(&ts, 0, sizeof ts);
    assert_int_equal(analyzer_run(a, big, 5002, 0, collect, &ts), 2);
    assert_int_equal(strlen(ts.t[0].raw), ANALYZER_MAX_TOKEN);
    assert_int_equal(ts.t[0].end, 5000);
    analyzer_free(a);
    free(big);
}

static void test_empty_and_punctuation_only_input_give_no_tokens(void **state)
{
    (void)state;
    analyzer *a = mk("english");
    assert_int_equal(analyzer_run(a, "", 0, 0, collect, NULL), 0);
    assert_int_equal(analyzer_run(a, NULL, 0, 0, collect, NULL), 0);
    const char *p = " ... -- !?; \xe2\x80\x94 \xe2\x80\x9c\xe2\x80\x9d ''' ,., %$ \t\n";
    assert_int_equal(analyzer_run(a, p, strlen(p), 0, collect, NULL), 0);
    /* combining marks alone fold to nothing and take no position */
    assert_int_equal(analyzer_run(a, "\xcc\x81\xcc\x88", 4, 0, collect, NULL), 0);
    assert_int_equal(analyzer_bad_utf8(a), 0);
    analyzer_free(a);
}

static void test_invalid_utf8_is_skipped_counted_and_ends_token(void **state)
{
    (void)state;
    analyzer *a = mk("english");
    toks ts;
    memset(&ts, 0, sizeof ts);
    /* a stray continuation, a truncated 3-byte sequence, an overlong '/',
     * a surrogate, a byte that never starts UTF-8, and a cut-off tail */
    const char text[] = "oil\x80price \xe2\x82" "dlrs \xc0\xaf" "x \xed\xa0\x80" "y \xff" "z caf\xc3";
    uint32_t n = analyzer_run(a, text, sizeof text - 1, 0, collect, &ts);
    assert_int_equal(n, 7);
    assert_string_equal(raws(&ts), "oil price dlrs x y z caf");
    assert_int_equal(ts.t[1].start, 4);
    /* \x80 | \xe2\x82 | \xc0 \xaf | \xed \xa0 \x80 | \xff | \xc3 */
    assert_int_equal(analyzer_bad_utf8(a), 9);
    analyzer_free(a);
}

static void test_utf8_decoder_takes_maximal_subparts(void **state)
{
    (void)state;
    int32_t cp;
    assert_int_equal(utf8_decode((const uint8_t *)"\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal(cp, 0x20AC);
    assert_int_equal(utf8_decode((const uint8_t *)"\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode((const uint8_t *)"\xe2\x82x", 3, &cp), 2);
    assert_int_equal(cp, -1);
    assert_int_equal(utf8_decode((const uint8_t *)"\xf4\x90\x80\x80", 4, &cp), 1);
    assert_int_equal(cp, -1);
    assert_int_equal(utf8_decode((const uint8_t *)"\xe0\x80\x80", 3, &cp), 1);
    assert_int_equal(utf8_decode((const uint8_t *)"\xf0\x9f", 2, &cp), 2);
    assert_int_equal(cp, -1);
}

static void test_cjk_characters_are_single_tokens(void **state)
{
    (void)state;
    toks ts;
    const char *text = "東京の株価 Tokyo\xe3\x81\x8b\xe3\x82\x99 서울 증시 ข่าว";
    run("english", text, &ts);
    /* か + combining voiced mark folds to が; Hangul and Thai stay runs */
    assert_string_equal(raws(&ts), "東 京 の 株 価 tokyo が 서울 증시 ข่าว");
    assert_int_equal(ts.t[1].start, 3);
    assert_int_equal(ts.t[1].end, 6);
}

/* ---- folding ------------------------------------------------------------ */

static void test_case_and_accent_folding(void **state)
{
    (void)state;
    toks ts;
    run("none", "\xc3\x9c" "BER Stra\xc3\x9f" "e caf\xc3\xa9 CAF\xc3\x89 Cafe\xcc\x81 na\xc3\xafve "
        "\xc3\x85ngstr\xc3\xb6m S\xc3\xa3o Paulo \xef\xac\x81nance \xef\xbc\xa1\xef\xbc\xa2 "
        "\xc5\x81\xc3\xb3" "d\xc5\xba Ma\xc3\xb1" "ana",
        &ts);
    assert_string_equal(raws(&ts),
                        "uber strasse cafe cafe cafe naive angstrom sao paulo finance ab lodz manana");
}

static void test_turkish_and_greek_folding(void **state)
{
    (void)state;
    toks ts;
    /* İSTANBUL, ışık, Iğdır, ÇOK; Ελλάδα, ΑΘΗΝΑ, οδός (final sigma) */
    run("none", "\xc4\xb0STANBUL \xc4\xb1\xc5\x9f\xc4\xb1k I\xc4\x9f" "d\xc4\xb1r \xc3\x87OK "
        "\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1 \xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91 "
        "\xce\xbf\xce\xb4\xcf\x8c\xcf\x82",
        &ts);
    assert_string_equal(raws(&ts), "istanbul isik igdir cok "
                        "\xce\xb5\xce\xbb\xce\xbb\xce\xb1\xce\xb4\xce\xb1 "
                        "\xce\xb1\xce\xb8\xce\xb7\xce\xbd\xce\xb1 "
                        "\xce\xbf\xce\xb4\xce\xbf\xcf\x83");
}

static void test_cyrillic_short_i_is_kept_and_yo_folds(void **state)
{
    (void)state;
    toks ts;
    /* Новый, ЁЛКА, Україна (ї keeps its diaeresis: a letter of its own) */
    run("none", "\xd0\x9d\xd0\xbe\xd0\xb2\xd1\x8b\xd0\xb9 \xd0\x81\xd0\x9b\xd0\x9a\xd0\x90 "
        "\xd0\xa3\xd0\xba\xd1\x80\xd0\xb0\xd1\x97\xd0\xbd\xd0\xb0", &ts);
    assert_string_equal(raws(&ts), "\xd0\xbd\xd0\xbe\xd0\xb2\xd1\x8b\xd0\xb9 "
                        "\xd0\xb5\xd0\xbb\xd0\xba\xd0\xb0 "
                        "\xd1\x83\xd0\xba\xd1\x80\xd0\xb0\xd1\x97\xd0\xbd\xd0\xb0");
}

static void test_indic_marks_kept_arabic_harakat_dropped(void **state)
{
    (void)state;
    toks ts;
    /* Hindi "की रही": vowel signs are parts of the letters, kept */
    run("none", "\xe0\xa4\x95\xe0\xa5\x80 \xe0\xa4\xb0\xe0\xa4\xb9\xe0\xa5\x80", &ts);
    assert_string_equal(raws(&ts), "\xe0\xa4\x95\xe0\xa5\x80 \xe0\xa4\xb0\xe0\xa4\xb9\xe0\xa5\x80");
    /* Arabic "المصريّ أَكبر": shadda, fatha and hamza-on-alif are dropped */
    run("none", "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb5\xd8\xb1\xd9\x8a\xd9\x91 "
        "\xd8\xa3\xd9\x8e\xd9\x83\xd8\xa8\xd8\xb1", &ts);
    assert_string_equal(raws(&ts), "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb5\xd8\xb1\xd9\x8a "
                        "\xd8\xa7\xd9\x83\xd8\xa8\xd8\xb1");
    /* Hindi and Arabic stemmers run on these forms */
    expect_stem("hindi", "\xe0\xa4\xb0\xe0\xa4\xb9\xe0\xa5\x80", "\xe0\xa4\xb0\xe0\xa4\xb9");
    expect_stem("arabic", "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb5\xd8\xb1\xd9\x8a\xd9\x91",
                "\xd9\x85\xd8\xb5\xd8\xb1");
}

static void test_query_and_document_forms_meet(void **state)
{
    (void)state;
    toks d, q;
    run("english", "The U.S. Treasury's 3.5% note", &d);
    run("english", "u.s. TREASURY\xe2\x80\x99S 3.5 notes", &q);
    assert_string_equal(terms(&d), "the us treasuri 3.5 note");
    assert_string_equal(terms(&q), "us treasuri 3.5 note");
}

/* ---- stemming ----------------------------------------------------------- */

static void test_stemming_in_several_languages(void **state)
{
    (void)state;
    expect_stem("porter", "s", "s");  /* an empty stem keeps the word */
    expect_stem("english", "Running", "run");
    expect_stem("english", "connections", "connect");
    expect_stem("en", "nationalities", "nation");
    expect_stem("french", "continuellement", "continuel");
    expect_stem("fr", "Nationales", "national");
    expect_stem("german", "Katzen", "katz");
    expect_stem("german", "aufeinanderfolgenden", "aufeinanderfolg");
    expect_stem("spanish", "corriendo", "corr");
    expect_stem("italian", "abbandonata", "abbandon");
    expect_stem("dutch", "lichamelijke", "licham");
    expect_stem("swedish", "jakten", "jakt");
    /* Russian: "книгами" -> "книг", "новый" -> "нов" (й survives folding) */
    expect_stem("russian", "\xd0\x9a\xd0\xbd\xd0\xb8\xd0\xb3\xd0\xb0\xd0\xbc\xd0\xb8",
                "\xd0\xba\xd0\xbd\xd0\xb8\xd0\xb3");
    expect_stem("russian", "\xd0\xbd\xd0\xbe\xd0\xb2\xd1\x8b\xd0\xb9", "\xd0\xbd\xd0\xbe\xd0\xb2");
    /* Turkish: "kitapları" -> "kitap" */
    expect_stem("turkish", "kitaplar\xc4\xb1", "kitap");
    expect_stem("finnish", "taloissa", "talo");
    /* none: folding only */
    expect_stem("none", "Running", "running");
}

static void test_french_and_italian_elisions_are_dropped(void **state)
{
    (void)state;
    toks ts;
    const char *text = "L'\xc3\xa9" "conomie d\xe2\x80\x99" "aujourd'hui qu'il jusqu'ici";
    run("french", text, &ts);
    assert_string_equal(raws(&ts), "economie aujourd'hui il ici");
    assert_string_equal(span(text, &ts.t[0]), "L'\xc3\xa9" "conomie");
    run("italian", "l'economia dell'anno un'altra", &ts);
    assert_string_equal(raws(&ts), "economia anno altra");
    /* English keeps them: o'neill is a name */
    run("english", "O'Neill d'Amato", &ts);
    assert_string_equal(raws(&ts), "o'neill d'amato");
}

static void test_unknown_language_is_einval(void **state)
{
    (void)state;
    errbuf e;
    err_clear(&e);
    assert_null(analyzer_new("klingon", &e));
    assert_int_equal(e.code, MG_EINVAL);
    assert_non_null(strstr(e.msg, "klingon"));
    err_clear(&e);
    assert_null(analyzer_new("", &e));
    assert_int_equal(e.code, MG_EINVAL);
    assert_null(analyzer_new("english-but-far-too-long-to-be-a-language-name", &e));
    assert_null(analyzer_new("klingon", NULL)); /* NULL errbuf allowed */
}

static void test_every_listed_language_works(void **state)
{
    (void)state;
    const char **l = analyzer_languages();
    size_t n = 0;
    int none = 0;
    for (; l[n]; n++) {
        analyzer *a = mk(l[n]);
        assert_string_equal(analyzer_language(a), l[n]);
        toks ts;
        memset(&ts, 0, sizeof ts);
        assert_int_equal(analyzer_run(a, "Nations 1987", 12, 0, collect, &ts), 2);
        assert_string_equal(ts.t[1].term, "1987");
        analyzer_free(a);
        none |= strcmp(l[n], "none") == 0;
    }
    assert_true(none);
    assert_true(n >= 20);
    analyzer *a = mk(NULL);
    assert_string_equal(analyzer_language(a), "english");
    analyzer_free(a);
    a = mk("DE");
    assert_string_equal(analyzer_language(a), "german");
    analyzer_free(a);
    a = mk("French");
    assert_string_equal(analyzer_language(a), "french");
    analyzer_free(a);
}

static void test_digits_are_left_alone_by_every_stemmer(void **state)
{
    (void)state;
    /* The analyzer skips the stemmer for words without letters; check that
     * stemming them would not have changed them either. */
    const char **l = sb_stemmer_list();
    const char *nums[] = { "0", "1987", "3.5", "1200", "192.168.0.1", "24.11.2026" };
    for (; *l; l++) {
        struct sb_stemmer *s = sb_stemmer_new(*l, NULL);
        assert_non_null(s);
        for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
            const sb_symbol *o = sb_stemmer_stem(s, (const sb_symbol *)nums[i], (int)strlen(nums[i]));
            assert_int_equal(sb_stemmer_length(s), strlen(nums[i]));
            assert_memory_equal(o, nums[i], strlen(nums[i]));
        }
        sb_stemmer_delete(s);
    }
}

/* Words built from roots and suffixes: a few thousand distinct ones. */
static size_t make_words(char words[][40], size_t max)
{
    static const char *roots[] = { "nation", "connect", "run", "happ", "organ", "generat",
                                   "market", "trad", "export", "import", "price", "bank",
                                   "govern", "produc", "oper", "econom", "industr", "financ",
                                   "invest", "compan", "relat", "condition", "electr", "respons",
                                   "develop", "agree", "decid", "expect", "report", "increas",
                                   "stat", "offic", "minist", "analy", "commun", "argu",
                                   "caf\xc3\xa9", "\xc3\xbc" "ber", "stra\xc3\x9f", "na\xc3\xaf" "v" };
    static const char *suf[] = { "", "s", "es", "ed", "ing", "ings", "er", "ers", "ly", "ally",
                                 "ation", "ations", "ational", "ness", "ful", "fulness", "ive",
                                 "ively", "iveness", "ize", "ization", "izes", "able", "ability",
                                 "ment", "ments", "al", "ism", "ist", "ists", "ity", "ities",
                                 "ies", "ied", "y", "ous", "ously", "ent", "ence", "ency", "'s",
                                 "ician", "icate", "iciti", "ical", "er's", "est", "eth", "ow", "ward" };
    size_t n = 0;
    for (size_t r = 0; r < sizeof roots / sizeof *roots; r++)
        for (size_t s = 0; s < sizeof suf / sizeof *suf && n < max; s++)
            snprintf(words[n++], 40, "%s%s", roots[r], suf[s]);
    return n;
}

static int is_ascii_word(const char *w)
{
    for (; *w; w++)
        if ((unsigned char)*w >= 0x80)
            return 0;
    return 1;
}

static void check_cache_against_stemmer(size_t cache_limit)
{
    static char words[4000][40];
    size_t n = make_words(words, 4000);
    assert_true(n >= 2000);
    analyzer *a = mk("english");
    analyzer *b = mk("english");
    if (cache_limit)
        assert_int_equal(analyzer_set_cache_limit(a, cache_limit), MG_OK);
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < n; i++) {
            toks ts;
            memset(&ts, 0, sizeof ts);
            assert_int_equal(analyzer_run(a, words[i], strlen(words[i]), 0, collect, &ts), 1);
            /* the uncached reference: fold with fold_word, stem directly */
            uint8_t folded[ANALYZER_MAX_TOKEN + 1];
            int32_t work[FOLD_WORK];
            size_t fl = fold_word((const uint8_t *)words[i], strlen(words[i]), folded,
                                  ANALYZER_MAX_TOKEN, work);
            folded[fl] = 0;
            assert_string_equal(ts.t[0].raw, (char *)folded);
            const sb_symbol *o = sb_stemmer_stem(sb, folded, (int)fl);
            char ref[256];
            snprintf(ref, sizeof ref, "%.*s", sb_stemmer_length(sb), (const char *)o);
            if (strcmp(ts.t[0].term, ref) != 0)
                fail_msg("cached stem of %s is %s, uncached %s", words[i], ts.t[0].term, ref);
            /* analyzer_stem agrees on the folded word */
            const char *st;
            size_t sl;
            analyzer_stem(b, (const char *)folded, fl, &st, &sl);
            assert_int_equal(sl, strlen(ref));
            assert_memory_equal(st, ref, sl);
        }
    }
    uint64_t hits, misses;
    size_t bytes;
    analyzer_cache_stats(a, &hits, &misses, &bytes);
    assert_int_equal(hits + misses, 3 * n);
    if (!cache_limit)
        assert_int_equal(misses, n); /* every word stemmed once */
    else
        assert_true(misses >= 3 * n - 3 * 16); /* a tiny cache keeps emptying */
    assert_true(bytes > 0);
    sb_stemmer_delete(sb);
    analyzer_free(a);
    analyzer_free(b);
}

static void test_cache_gives_same_stems_as_uncached_stemming(void **state)
{
    (void)state;
    check_cache_against_stemmer(0);
}

static void test_tiny_cache_stays_correct_while_evicting(void **state)
{
    (void)state;
    check_cache_against_stemmer(16);
}

static void test_cache_memory_stays_bounded_on_unique_words(void **state)
{
    (void)state;
    /* 30,000 distinct words (a stream of names and codes, the worst case for
     * a cache) through a cache bounded at 1,000: memory stays small. */
    analyzer *a = mk("english");
    assert_int_equal(analyzer_set_cache_limit(a, 1000), MG_OK);
    char w[64];
    size_t peak = 0;
    for (int i = 0; i < 30000; i++) {
        int n = snprintf(w, sizeof w, "w%dx%d\xc3\xa9", i * 7919, i);
        assert_int_equal(analyzer_run(a, w, (size_t)n, 0, NULL, NULL), 1);
        n = snprintf(w, sizeof w, "zq%dings", i);
        assert_int_equal(analyzer_run(a, w, (size_t)n, 0, NULL, NULL), 1);
        size_t bytes;
        analyzer_cache_stats(a, NULL, NULL, &bytes);
        if (bytes > peak)
            peak = bytes;
    }
    assert_true(peak < 256 * 1024);
    uint64_t misses;
    analyzer_cache_stats(a, NULL, &misses, NULL);
    assert_int_equal(misses, 60000);
    analyzer_free(a);
}

static void test_analyzer_stem_of_folded_words(void **state)
{
    (void)state;
    analyzer *a = mk("english");
    const char *s;
    size_t n;
    analyzer_stem(a, "running", 7, &s, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "run", 3);
    analyzer_stem(a, "running", 7, &s, &n); /* from the cache now */
    assert_memory_equal(s, "run", 3);
    analyzer_free(a);
    a = mk("none");
    analyzer_stem(a, "running", 7, &s, &n);
    assert_int_equal(n, 7);
    analyzer_free(a);
}

static void test_real_reuters_paragraph(void **state)
{
    (void)state;
    /* Reuters-21578, article 2 (with a U.S. and numbers added in its style) */
    const char *text =
        "Standard Oil Co and BP North America Inc said they plan to form a venture to "
        "manufacture and market a new type of advanced ceramics.\n"
        "The U.S. company's shares rose 1-1/2 to 57-3/4 on volume of 1,234,500.";
    toks ts;
    run("english", text, &ts);
    assert_string_equal(raws(&ts),
                        "standard oil co and bp north america inc said they plan to form a "
                        "venture to manufacture and market a new type of advanced ceramics "
                        "the us company's shares rose 1 1 2 to 57 3 4 on volume of 1234500");
    assert_string_equal(terms(&ts),
                        "standard oil co and bp north america inc said they plan to form a "
                        "ventur to manufactur and market a new type of advanc ceram "
                        "the us compani share rose 1 1 2 to 57 3 4 on volum of 1234500");
    for (size_t i = 0; i < ts.n; i++) {
        assert_int_equal(ts.t[i].pos, i);
        assert_true(ts.t[i].end > ts.t[i].start);
        assert_true(ts.t[i].end <= strlen(text));
    }
}

/* ---- robustness -------------------------------------------------------- */

typedef struct inv {
    size_t len, n;
    uint32_t last_end, next_pos;
} inv;

static int is_valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t k = utf8_decode((const uint8_t *)s + i, n - i, &cp);
        if (cp < 0)
            return 0;
        i += k;
    }
    return 1;
}

static int check_invariants(void *ctx, const token *t)
{
    inv *v = ctx;
    assert_true(t->start < t->end);
    assert_true(t->end <= v->len);
    assert_true(t->start >= v->last_end);  /* tokens in order, never overlapping */
    assert_int_equal(t->pos, v->next_pos);
    assert_true(t->raw_len >= 1 && t->raw_len <= ANALYZER_MAX_TOKEN);
    assert_true(t->term_len >= 1);
    assert_true(is_valid_utf8(t->raw, t->raw_len));
    assert_true(is_valid_utf8(t->term, t->term_len));
    v->last_end = t->end;
    v->next_pos++;
    v->n++;
    return 0;
}

static void test_random_bytes_keep_token_invariants(void **state)
{
    (void)state;
    /* Random mixes of ASCII, joiners, multibyte letters, marks and invalid
     * bytes: offsets ordered and in range, positions consecutive, forms
     * valid UTF-8 and bounded, whatever the input. */
    static const char *pieces[] = { "a", "Z", "7", " ", ".", ",", "'", "-", "\xe2\x80\x99",
                                    "\xc3\xa9", "\xc3\x9f", "\xcc\x81", "\xe6\x9d\xb1",
                                    "\xd0\xb9", "\xc2\xad", "\xe2\x80\x8d", "\xff", "\x80",
                                    "\xe2\x82", "\xf0\x9f\x98\x80", "\xef\xac\x81", "U.S.",
                                    "\xc4\xb0", "\xd8\xa3\xd9\x8e", "\n", "\0" };
    uint64_t seed = 42;
    const char **langs = analyzer_languages();
    char *buf = malloc(8192);
    for (int round = 0; round < 300; round++) {
        size_t len = 0, want = tu_rand(&seed) % 2000;
        while (len < want) {
            const char *p = pieces[tu_rand(&seed) % (sizeof pieces / sizeof *pieces)];
            size_t pl = strcmp(p, "\0") == 0 ? 1 : strlen(p);
            size_t reps = tu_rand(&seed) % 8 == 0 ? 1 + tu_rand(&seed) % 100 : 1;
            for (size_t r = 0; r < reps && len + pl < 8192; r++, len += pl)
                memcpy(buf + len, p, pl);
        }
        size_t nl = 0;
        while (langs[nl])
            nl++;
        analyzer *a = mk(langs[round % nl]);
        if (round % 3 == 0)
            analyzer_set_cache_limit(a, 16);
        inv v = { len, 0, 0, 7 };
        uint32_t n = analyzer_run(a, buf, len, 7, check_invariants, &v);
        assert_int_equal(n, v.n);
        analyzer_free(a);
    }
    free(buf);
}

/* Every word of text[0..len) as the tokenizer gives it (through the
 * general scanner alone when general): span, flags, copied key and its
 * first two words, one line each, into out. */
static size_t tokenizer_dump(const char *text, size_t len, char *out, size_t cap, int general)
{
    tokenizer z;
    tokenizer_init(&z, text, len);
    size_t o = 0;
    while ((general ? tokenizer_next_general(&z) : tokenizer_next_inline(&z)) && o < cap) {
        uint64_t k0, k1;
        tokenizer_key16(z.text, z.n, &k0, &k1);
        if (k0 != z.k0 || k1 != z.k1)
            fail_msg("key words of [%.*s] differ from its text", (int)z.n, (const char *)z.text);
        o += (size_t)snprintf(out + o, cap - o, "%u-%u f%u [%.*s] %llx %llx\n", z.start, z.end,
                              z.flags, (int)z.n, (const char *)z.text, (unsigned long long)z.k0,
                              (unsigned long long)z.k1);
    }
    return o;
}

static void test_fast_word_path_matches_the_general_scanner(void **state)
{
    (void)state;
    /* A word with 16 bytes of input from its start on may be taken by the
     * one-window fast path in place; one nearer the end, in a copy padded
     * with spaces.  Every word, span, flag and key must be the general
     * scanner's, with the text as it is and with spaces appended (which
     * moves the last words from the padded copy to the input itself). */
    static const char *pieces[] = { "a", "Bc", "the", "Reuters", "1987", "x7", "abcdefghijklmno",
                                    "ABCDEFGHIJKLMNOPQRS", " ", " ", "\n", "-", "/", "'", ".",
                                    ",", "'s", "3.5", "1,200", "U.S.", "e.g.", "\xc3\xa9",
                                    "\xe2\x80\x99", "(", "\"", ":", "%", "\xff", "don't", "Jones'",
                                    "rock'n'roll", "3.", "7,", "x'9", "'t", "9" };
    uint64_t seed = 7;
    char text[128], dump1[8192], dump2[8192], dump3[8192];
    for (int round = 0; round < 5000; round++) {
        size_t len = 0, want = 1 + tu_rand(&seed) % 60;
        while (len < want) {
            const char *p = pieces[tu_rand(&seed) % (sizeof pieces / sizeof *pieces)];
            size_t pl = strlen(p);
            if (len + pl > 80)
                break;
            memcpy(text + len, p, pl);
            len += pl;
        }
        size_t pad = 1 + tu_rand(&seed) % 40;
        memset(text + len, ' ', pad);
        size_t n1 = tokenizer_dump(text, len, dump1, sizeof dump1, 0);
        size_t n2 = tokenizer_dump(text, len + pad, dump2, sizeof dump2, 0);
        size_t n3 = tokenizer_dump(text, len, dump3, sizeof dump3, 1);
        if (n1 != n2 || memcmp(dump1, dump2, n1) != 0 || n1 != n3 || memcmp(dump1, dump3, n1) != 0)
            fail_msg("round %d, \"%.*s\":\n%.*s---\n%.*s---\n%.*s", round, (int)len, text, (int)n1,
                     dump1, (int)n2, dump2, (int)n3, dump3);
    }
}

static void test_classify16_marks_letters_digits_and_high_bytes(void **state)
{
    (void)state;
#if defined(__SSE2__)
    /* every byte value in every lane, among neighbours of every kind */
    for (int b = 0; b < 256; b++)
        for (int lane = 0; lane < 16; lane++) {
            uint8_t w[16];
            for (int j = 0; j < 16; j++)
                w[j] = (uint8_t)(j == lane ? b : (b * 7 + j * 37) & 0xFF);
            unsigned an, le, hi = tokenizer_classify16(w, &an, &le);
            for (int j = 0; j < 16; j++) {
                int c = w[j];
                int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                int digit = c >= '0' && c <= '9';
                assert_int_equal(le >> j & 1, letter);
                assert_int_equal(an >> j & 1, letter || digit);
                assert_int_equal(hi >> j & 1, c >= 0x80);
            }
        }
#else
    skip();
#endif
}

static void test_hot_table_stems_match_the_stemmer(void **state)
{
    (void)state;
    /* Long enough to switch on the hot table, with repeats so it answers. */
    analyzer *a = mk("english");
    struct sb_stemmer *sb = sb_stemmer_new("english", NULL);
    static char words[4000][40];
    size_t n = make_words(words, 4000);
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < n; i++) {
            if (!is_ascii_word(words[i]))
                continue;
            toks ts;
            memset(&ts, 0, sizeof ts);
            analyzer_run(a, words[i], strlen(words[i]), 0, collect, &ts);
            const sb_symbol *o = sb_stemmer_stem(sb, (const sb_symbol *)ts.t[0].raw,
                                                 (int)strlen(ts.t[0].raw));
            assert_int_equal(strlen(ts.t[0].term), sb_stemmer_length(sb));
            assert_memory_equal(ts.t[0].term, o, strlen(ts.t[0].term));
        }
    uint64_t hits, misses;
    analyzer_cache_stats(a, &hits, &misses, NULL);
    assert_true(hits >= 2 * misses);
    /* More words than the table has entries: sets fill, ways get swapped
     * and evicted, answers stay right. */
    for (int round = 0; round < 2; round++)
        for (unsigned i = 0; i < 20000; i++) {
            char w[16];
            size_t k = 0;
            for (unsigned v = i * 2654435761u % 456976; k < 4; v /= 26)
                w[k++] = (char)('a' + v % 26);
            strcpy(w + k, i % 2 ? "ing" : "ed");
            toks ts;
            memset(&ts, 0, sizeof ts);
            analyzer_run(a, w, strlen(w), 0, collect, &ts);
            const sb_symbol *o = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)strlen(w));
            assert_int_equal(strlen(ts.t[0].term), sb_stemmer_length(sb));
            assert_memory_equal(ts.t[0].term, o, strlen(ts.t[0].term));
        }
    sb_stemmer_delete(sb);
    analyzer_free(a);
}

typedef struct thr {
    const char *lang;
    char out[4096];
} thr;

static void *thread_main(void *arg)
{
    thr *t = arg;
    const char **l = analyzer_languages();
    while (*l)
        l++;
    analyzer *a = analyzer_new(t->lang, NULL);
    toks *ts = calloc(1, sizeof *ts);
    for (int i = 0; a && ts && i < 200; i++) {
        memset(ts, 0, sizeof *ts);
        const char *text = "Die Wirtschaft w\xc3\xa4" "chst; les \xc3\xa9" "conomies croissent; "
                           "economies are growing";
        analyzer_run(a, text, strlen(text), 0, collect, ts);
    }
    if (ts)
        snprintf(t->out, sizeof t->out, "%s", terms(ts));
    free(ts);
    analyzer_free(a);
    return NULL;
}

static void test_analyzers_in_threads_are_independent(void **state)
{
    (void)state;
    /* analyzer_languages() and one analyzer per thread, concurrently. */
    thr t[4] = { { "english", "" }, { "german", "" }, { "french", "" }, { "english", "" } };
    pthread_t id[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&id[i], NULL, thread_main, &t[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(id[i], NULL);
    assert_string_equal(t[0].out, t[3].out);
    assert_string_not_equal(t[0].out, t[1].out);
    assert_non_null(strstr(t[0].out, "economi are grow"));
    assert_non_null(strstr(t[1].out, "wirtschaft wach"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apostrophe_keeps_possessive_in_one_token),
        cmocka_unit_test(test_hyphenated_word_gives_consecutive_positions),
        cmocka_unit_test(test_numbers_keep_decimals_and_drop_thousands_commas),
        cmocka_unit_test(test_acronyms_drop_their_dots),
        cmocka_unit_test(test_urls_and_emails_become_phrases_of_their_parts),
        cmocka_unit_test(test_dates_split_into_numbers),
        cmocka_unit_test(test_quotes_dashes_brackets_and_whitespace_separate),
        cmocka_unit_test(test_offsets_index_the_original_bytes),
        cmocka_unit_test(test_positions_start_at_first_pos_and_count_tokens),
        cmocka_unit_test(test_long_token_cut_on_utf8_boundary),
        cmocka_unit_test(test_empty_and_punctuation_only_input_give_no_tokens),
        cmocka_unit_test(test_invalid_utf8_is_skipped_counted_and_ends_token),
        cmocka_unit_test(test_utf8_decoder_takes_maximal_subparts),
        cmocka_unit_test(test_cjk_characters_are_single_tokens),
        cmocka_unit_test(test_case_and_accent_folding),
        cmocka_unit_test(test_turkish_and_greek_folding),
        cmocka_unit_test(test_cyrillic_short_i_is_kept_and_yo_folds),
        cmocka_unit_test(test_indic_marks_kept_arabic_harakat_dropped),
        cmocka_unit_test(test_query_and_document_forms_meet),
        cmocka_unit_test(test_stemming_in_several_languages),
        cmocka_unit_test(test_french_and_italian_elisions_are_dropped),
        cmocka_unit_test(test_unknown_language_is_einval),
        cmocka_unit_test(test_every_listed_language_works),
        cmocka_unit_test(test_digits_are_left_alone_by_every_stemmer),
        cmocka_unit_test(test_cache_gives_same_stems_as_uncached_stemming),
        cmocka_unit_test(test_tiny_cache_stays_correct_while_evicting),
        cmocka_unit_test(test_cache_memory_stays_bounded_on_unique_words),
        cmocka_unit_test(test_analyzer_stem_of_folded_words),
        cmocka_unit_test(test_real_reuters_paragraph),
        cmocka_unit_test(test_random_bytes_keep_token_invariants),
        cmocka_unit_test(test_fast_word_path_matches_the_general_scanner),
        cmocka_unit_test(test_classify16_marks_letters_digits_and_high_bytes),
        cmocka_unit_test(test_hot_table_stems_match_the_stemmer),
        cmocka_unit_test(test_analyzers_in_threads_are_independent),
    };
    return cmocka_run_group_tests_name("analyzer", tests, NULL, NULL);
}

/* analyzer.c — ties the pipeline together: tokenizer.c segments, fold.c
 * folds, libstemmer stems, stemcache.c remembers both per distinct word.
 * Pure-ASCII words (most of news text) are lower-cased by the tokenizer and
 * never reach utf8proc; words made only of digits never reach the stemmer. */
#include "analysis/analyzer.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/fold.h"
#include "analysis/stemcache.h"
#include "analysis/tokenizer.h"

/* The hottest short ASCII words with their stems, in front of the stem
 * cache: 2-way set associative, one 64-byte cache line a set, words
 * compared as two 64-bit words.  A word of at most 16 bytes whose stem has
 * at most 14. */
#define HOT_BITS 13
/* Short texts (queries) never pay for the table. */
#define HOT_AFTER 2048
typedef struct hot {
    uint64_t k0, k1;  /* the word, zero-padded */
    uint8_t t[14];    /* its stem */
    uint8_t klen;     /* 0 = empty */
    uint8_t tlen;
} hot;
_Static_assert(sizeof(hot) == 32, "two hot entries fill one cache line");

struct analyzer {
    struct sb_stemmer *stemmer;  /* NULL for "none" */
    const char *lang;            /* canonical name (static storage) */
    const char *const *elide;    /* elided articles dropped before ', or NULL */
    stemcache *cache;
    hot *hot;                    /* 1 << HOT_BITS entries, made after HOT_AFTER words */
    uint64_t ascii_words;        /* ASCII stem lookups so far */
    uint64_t hot_hits;           /* answers from hot[] */
    int hot_off;                 /* no hot[] (a cache limit below its size) */
    uint64_t bad_utf8;
    tokenizer tok;
    uint8_t raw[ANALYZER_MAX_TOKEN + 8];  /* folded form of a cache miss */
    int32_t work[FOLD_WORK];              /* fold_word scratch */
};

/* ---- languages ---------------------------------------------------------- */

static const char *lang_list[128];
static pthread_once_t lang_once = PTHREAD_ONCE_INIT;

static void lang_init(void)
{
    const char **sb = sb_stemmer_list();
    size_t n = 0;
    for (; sb[n] && n < sizeof lang_list / sizeof *lang_list - 2; n++)
        lang_list[n] = sb[n];
    lang_list[n] = "none";
    lang_list[n + 1] = NULL;
}

const char **analyzer_languages(void)
{
    pthread_once(&lang_once, lang_init);
    return lang_list;
}

/* ISO 639 codes libstemmer also accepts, with their canonical names. */
static const char *const lang_alias[][2] = {
    { "ar", "arabic" },    { "ara", "arabic" },     { "hy", "armenian" },  { "hye", "armenian" },
    { "arm", "armenian" }, { "eu", "basque" },      { "eus", "basque" },   { "baq", "basque" },
    { "ca", "catalan" },   { "cat", "catalan" },    { "da", "danish" },    { "dan", "danish" },
    { "nl", "dutch" },     { "dut", "dutch" },      { "nld", "dutch" },    { "en", "english" },
    { "eng", "english" },  { "fi", "finnish" },     { "fin", "finnish" },  { "fr", "french" },
    { "fre", "french" },   { "fra", "french" },     { "de", "german" },    { "ger", "german" },
    { "deu", "german" },   { "el", "greek" },       { "gre", "greek" },    { "ell", "greek" },
    { "hi", "hindi" },     { "hin", "hindi" },      { "hu", "hungarian" }, { "hun", "hungarian" },
    { "id", "indonesian" }, { "ind", "indonesian" }, { "ga", "irish" },    { "gle", "irish" },
    { "it", "italian" },   { "ita", "italian" },    { "lt", "lithuanian" }, { "lit", "lithuanian" },
    { "ne", "nepali" },    { "nep", "nepali" },     { "no", "norwegian" }, { "nor", "norwegian" },
    { "pt", "portuguese" }, { "por", "portuguese" }, { "ro", "romanian" }, { "rum", "romanian" },
    { "ron", "romanian" }, { "ru", "russian" },     { "rus", "russian" },  { "sr", "serbian" },
    { "srp", "serbian" },  { "es", "spanish" },     { "esl", "spanish" },  { "spa", "spanish" },
    { "sv", "swedish" },   { "swe", "swedish" },    { "ta", "tamil" },     { "tam", "tamil" },
    { "tr", "turkish" },   { "tur", "turkish" },    { "yi", "yiddish" },   { "yid", "yiddish" },
};

/* The canonical name for a lower-cased name libstemmer accepted, or NULL. */
static const char *lang_canonical(const char *name)
{
    const char **l = analyzer_languages();
    for (; *l; l++)
        if (strcmp(*l, name) == 0)
            return *l;
    for (size_t i = 0; i < sizeof lang_alias / sizeof *lang_alias; i++)
        if (strcmp(lang_alias[i][0], name) == 0)
            return lang_canonical(lang_alias[i][1]);
    return NULL;
}

/* ---- elision ---------------------------------------------------------- */

/* Articles and pronouns elided before an apostrophe ("l'homme" -> "homme"),
 * as Lucene's French, Italian, Catalan and Irish analyzers drop them: the
 * stemmers expect the bare word. */
static const char *const elide_fr[] = { "l", "m", "t", "qu", "n", "s", "j", "d", "c",
                                        "jusqu", "quoiqu", "lorsqu", "puisqu", NULL };
static const char *const elide_it[] = { "c", "l", "all", "dall", "dell", "nell", "sull", "coll",
                                        "pell", "gl", "agl", "dagl", "degl", "negl", "sugl", "un",
                                        "m", "t", "s", "v", "d", NULL };
static const char *const elide_ca[] = { "d", "l", "m", "n", "s", "t", NULL };
static const char *const elide_ga[] = { "d", "m", "b", NULL };

static const char *const *elide_for(const char *lang)
{
    if (strcmp(lang, "french") == 0)
        return elide_fr;
    if (strcmp(lang, "italian") == 0)
        return elide_it;
    if (strcmp(lang, "catalan") == 0)
        return elide_ca;
    if (strcmp(lang, "irish") == 0)
        return elide_ga;
    return NULL;
}

/* Bytes to drop from the front of w: "l'" of "l'homme", else 0. */
static size_t elision_len(const char *const *list, const uint8_t *w, size_t n)
{
    size_t k = 0;
    while (k < n && k < 7 && w[k] != '\'')
        k++;
    if (k == 0 || k >= n - 1 || w[k] != '\'')
        return 0;
    for (; *list; list++)
        if (strlen(*list) == k && memcmp(*list, w, k) == 0)
            return k + 1;
    return 0;
}

/* ---- construction ------------------------------------------------------- */

analyzer *analyzer_new(const char *language, errbuf *e)
{
    char name[32];
    size_t n = 0;
    if (!language)
        language = "english";
    for (; language[n] && n < sizeof name - 1; n++)
        name[n] = (char)(language[n] >= 'A' && language[n] <= 'Z' ? language[n] | 0x20 : language[n]);
    name[n] = '\0';
    const char *canon = strcmp(name, "none") == 0 ? "none" : lang_canonical(name);
    if (language[n] || !canon) {
        err_set(e, MG_EINVAL, "unknown stemming language '%.64s' (try english, french, ... or none)",
                language);
        return NULL;
    }
    analyzer *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(e, MG_ENOMEM, "out of memory creating an analyzer");
        return NULL;
    }
    a->lang = canon;
    a->elide = elide_for(canon);
    if (strcmp(canon, "none") != 0)
        a->stemmer = sb_stemmer_new(canon, NULL);
    a->cache = stemcache_new(STEMCACHE_DEFAULT_ENTRIES);
    if ((strcmp(canon, "none") != 0 && !a->stemmer) || !a->cache) {
        analyzer_free(a);
        err_set(e, MG_ENOMEM, "out of memory creating an analyzer");
        return NULL;
    }
    return a;
}

void analyzer_free(analyzer *a)
{
    if (!a)
        return;
    if (a->stemmer)
        sb_stemmer_delete(a->stemmer);
    stemcache_free(a->cache);
    free(a->hot);
    free(a);
}

const char *analyzer_language(const analyzer *a) { return a->lang; }
uint64_t analyzer_bad_utf8(const analyzer *a) { return a->bad_utf8; }

int analyzer_set_cache_limit(analyzer *a, size_t max_entries)
{
    stemcache *c = stemcache_new(max_entries);
    if (!c)
        return MG_ENOMEM;
    stemcache_free(a->cache);
    a->cache = c;
    free(a->hot);
    a->hot = NULL;
    a->ascii_words = 0;
    a->hot_hits = 0;
    a->hot_off = max_entries < (1u << HOT_BITS);  /* the bound covers all memory */
    return MG_OK;
}

void analyzer_cache_stats(const analyzer *a, uint64_t *hits, uint64_t *misses, size_t *bytes)
{
    stemcache_stats s;
    stemcache_get_stats(a->cache, &s);
    if (hits)
        *hits = s.hits + a->hot_hits;
    if (misses)
        *misses = s.misses;
    if (bytes)
        *bytes = s.bytes + (a->hot ? sizeof(hot) << HOT_BITS : 0);
}

/* ---- stemming ----------------------------------------------------------- */

/* Stems without the cache; out points at the stemmer's buffer or at w. */
static void stem_direct(analyzer *a, const uint8_t *w, size_t n, const uint8_t **out,
                        size_t *out_len)
{
    *out = w;
    *out_len = n;
    if (!a->stemmer || n == 0)
        return;
    const sb_symbol *s = sb_stemmer_stem(a->stemmer, w, (int)n);
    int sl = s ? sb_stemmer_length(a->stemmer) : 0;
    /* NULL only when out of memory; an empty stem ("porter" on "s") would
     * be an unsearchable term: keep the word unstemmed in both cases */
    if (s && sl > 0) {
        *out = s;
        *out_len = (size_t)sl;
    }
}

static int is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

void analyzer_stem(analyzer *a, const char *raw, size_t len, const char **out, size_t *out_len)
{
    const uint8_t *w = (const uint8_t *)raw, *t, *r;
    size_t tl, rl;
    /* Pure-ASCII cache entries map a word to its own stem, exactly as here;
     * other entries are keyed on unfolded text, so they are not shared. */
    int shared = a->stemmer && len <= STEMCACHE_MAX_LEN && is_ascii(raw, len);
    uint64_t h = shared ? stemcache_hash(w, len) : 0;
    if (shared && stemcache_get(a->cache, w, len, h, &r, &rl, &t, &tl)) {
        *out = (const char *)t;
        *out_len = tl;
        return;
    }
    stem_direct(a, w, len, &t, &tl);
    if (shared)
        stemcache_put(a->cache, w, len, h, w, len, t, tl);
    *out = (const char *)t;
    *out_len = tl;
}

/* ---- the pipeline ------------------------------------------------------- */

/* The stem of a lower-case ASCII word: hot table, stem cache, stemmer. */
static void ascii_stem(analyzer *a, const uint8_t *key, size_t n, const uint8_t **term,
                       size_t *tl)
{
    const uint8_t *r2;
    size_t rl2;
    if (!a->hot && !a->hot_off && ++a->ascii_words >= HOT_AFTER) {
        a->hot = aligned_alloc(64, sizeof(hot) << HOT_BITS);
        if (a->hot)
            memset(a->hot, 0, sizeof(hot) << HOT_BITS);
        a->hot_off = !a->hot;  /* out of memory: go without */
    }
    if (n > 16 || !a->hot) {
        uint64_t h = stemcache_hash(key, n);
        if (!stemcache_get(a->cache, key, n, h, &r2, &rl2, term, tl)) {
            stem_direct(a, key, n, term, tl);
            stemcache_put(a->cache, key, n, h, key, n, *term, *tl);
        }
        return;
    }
    uint64_t k0, k1;
    stemcache_load16(key, n, &k0, &k1);
    uint64_t h = stemcache_hash16(k0, k1, n);
    hot *e = &a->hot[(h >> (64 - HOT_BITS)) & ~(uint64_t)1];
    if (e[0].klen == n && e[0].k0 == k0 && e[0].k1 == k1) {
        a->hot_hits++;
        *term = e[0].t;
        *tl = e[0].tlen;
        return;
    }
    if (e[1].klen == n && e[1].k0 == k0 && e[1].k1 == k1) {
        hot x = e[1];  /* most recently used first */
        e[1] = e[0];
        e[0] = x;
        a->hot_hits++;
        *term = e[0].t;
        *tl = e[0].tlen;
        return;
    }
    if (!stemcache_get(a->cache, key, n, h, &r2, &rl2, term, tl)) {
        stem_direct(a, key, n, term, tl);
        stemcache_put(a->cache, key, n, h, key, n, *term, *tl);
    }
    if (*tl <= sizeof e->t) {
        e[1] = e[0];
        e[0].k0 = k0;
        e[0].k1 = k1;
        e[0].klen = (uint8_t)n;
        e[0].tlen = (uint8_t)*tl;
        memcpy(e[0].t, *term, *tl);
    }
}

/* Fills t->raw/term for the tokenizer's current word; returns 0 when the
 * word folds to nothing. */
static int token_forms(analyzer *a, const uint8_t *key, size_t n, uint32_t flags, token *tk)
{
    const uint8_t *raw, *term;
    size_t rl, tl;
    if (!(flags & TOK_NONASCII)) {
        if (a->elide) {
            size_t k = elision_len(a->elide, key, n);
            key += k;
            n -= k;
        }
        if (n > ANALYZER_MAX_TOKEN)
            n = ANALYZER_MAX_TOKEN;
        raw = key;
        rl = n;
        if (!a->stemmer || !(flags & TOK_LETTER)) {
            term = raw;
            tl = rl;
        } else {
            ascii_stem(a, key, n, &term, &tl);
        }
    } else {
        int cacheable = n <= STEMCACHE_MAX_LEN;
        uint64_t h = cacheable ? stemcache_hash(key, n) : 0;
        if (!cacheable || !stemcache_get(a->cache, key, n, h, &raw, &rl, &term, &tl)) {
            rl = fold_word(key, n, a->raw, ANALYZER_MAX_TOKEN, a->work);
            raw = a->raw;
            if (a->elide) {
                size_t k = elision_len(a->elide, raw, rl);
                raw += k;
                rl -= k;
            }
            stem_direct(a, raw, rl, &term, &tl);
            if (cacheable)
                stemcache_put(a->cache, key, n, h, raw, rl, term, tl);
        }
    }
    tk->raw = (const char *)raw;
    tk->raw_len = (uint32_t)rl;
    tk->term = (const char *)term;
    tk->term_len = (uint32_t)tl;
    return rl > 0;
}

_Static_assert(ANALYZER_KEY_MAX == TOKENIZER_SCRATCH, "a key is the tokenizer's copy");
_Static_assert((int)ANALYZER_KEY_NONASCII == (int)TOK_NONASCII && (int)ANALYZER_KEY_LETTER == (int)TOK_LETTER,
               "key flags are the tokenizer's");

int analyzer_forms(analyzer *a, token *t)
{
    return token_forms(a, (const uint8_t *)t->key, t->key_len, t->key_flags, t);
}

tokenizer *analyzer_keys_begin(analyzer *a, const char *text, size_t len)
{
    if (len > UINT32_MAX)
        len = UINT32_MAX;  /* token offsets are 32-bit */
    tokenizer_init(&a->tok, text, len);
    return &a->tok;
}

void analyzer_keys_end(analyzer *a) { a->bad_utf8 += a->tok.bad; }

uint32_t analyzer_run_keys(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                           token_fn fn, void *ctx)
{
    tokenizer *z = analyzer_keys_begin(a, text, len);
    uint32_t count = 0;
    token tk;
    memset(&tk, 0, sizeof tk);
    tk.key = (const char *)z->text;
    while (tokenizer_next_inline(z)) {
        tk.key_len = z->n;
        tk.key_flags = z->flags & (TOK_NONASCII | TOK_LETTER);
        tk.pos = first_pos + count;
        tk.start = z->start;
        tk.end = z->end;
        int r = fn(ctx, &tk);
        if (r == ANALYZER_SKIP)
            continue;
        count++;
        if (r < 0)
            break;
    }
    analyzer_keys_end(a);
    return count;
}

uint32_t analyzer_run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                      token_fn fn, void *ctx)
{
    if (len > UINT32_MAX)
        len = UINT32_MAX;  /* token offsets are 32-bit */
    tokenizer *z = &a->tok;
    tokenizer_init(z, text, len);
    uint32_t count = 0;
    while (tokenizer_next_inline(z)) {
        token tk;
        if (!token_forms(a, z->text, z->n, z->flags, &tk))
            continue;
        tk.key = (const char *)z->text;
        tk.key_len = z->n;
        tk.key_flags = z->flags & (TOK_NONASCII | TOK_LETTER);
        tk.pos = first_pos + count;
        tk.start = z->start;
        tk.end = z->end;
        count++;
        if (fn && fn(ctx, &tk))
            break;
    }
    a->bad_utf8 += z->bad;
    return count;
}

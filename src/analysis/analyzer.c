/* analyzer.c — a first, simple analyzer: words are runs of letters and
 * digits (with inner apostrophes), folded with utf8proc and stemmed with
 * libstemmer through a cache.  The full news tokenizer replaces the
 * tokenizing part. */
#include "analysis/analyzer.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/buf.h"
#include "util/strmap.h"

struct analyzer {
    struct sb_stemmer *stemmer;  /* NULL for "none" */
    char lang[32];
    strmap *cache;               /* raw -> offset of stem in stems */
    buf stems;                   /* cached stems, each NUL-terminated */
    uint64_t bad_utf8;
    char fold[ANALYZER_MAX_TOKEN * 4 + 8];
};

analyzer *analyzer_new(const char *language, errbuf *e)
{
    if (!language)
        language = "english";
    analyzer *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(e, MG_ENOMEM, "out of memory");
        return NULL;
    }
    if (strcmp(language, "none") != 0) {
        a->stemmer = sb_stemmer_new(language, NULL);
        if (!a->stemmer) {
            err_set(e, MG_EINVAL, "unknown stemming language '%s'", language);
            free(a);
            return NULL;
        }
    }
    snprintf(a->lang, sizeof a->lang, "%s", language);
    a->cache = strmap_new();
    if (!a->cache) {
        analyzer_free(a);
        err_set(e, MG_ENOMEM, "out of memory");
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
    strmap_free(a->cache);
    buf_free(&a->stems);
    free(a);
}

const char *analyzer_language(const analyzer *a) { return a->lang; }
uint64_t analyzer_bad_utf8(const analyzer *a) { return a->bad_utf8; }

void analyzer_stem(analyzer *a, const char *raw, size_t len, const char **out, size_t *out_len)
{
    *out = raw;
    *out_len = len;
    if (!a->stemmer)
        return;
    uint32_t off;
    if (strmap_get(a->cache, raw, len, &off)) {
        *out = (const char *)a->stems.p + off;
        *out_len = strlen(*out);
        return;
    }
    const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)raw, (int)len);
    if (!s)
        return;
    size_t n = (size_t)sb_stemmer_length(a->stemmer);
    if (strmap_count(a->cache) > 1000000) { /* bound the cache */
        strmap_clear(a->cache);
        buf_reset(&a->stems);
    }
    off = (uint32_t)a->stems.len;
    buf_put(&a->stems, s, n);
    buf_put_u8(&a->stems, 0);
    uint32_t *slot = a->stems.oom ? NULL : strmap_upsert(a->cache, raw, len, off, NULL);
    if (!slot) {
        /* out of memory: answer from the stemmer's own buffer */
        *out = (const char *)s;
        *out_len = n;
        return;
    }
    *out = (const char *)a->stems.p + off;
    *out_len = n;
}

static int is_word_cp(utf8proc_int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);
    return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
           (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) ||
           (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

/* Folds text[start..end) into a->fold; returns folded length. */
static size_t fold_word(analyzer *a, const char *s, size_t n)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_COMPOSE |
                                          UTF8PROC_STABLE);
    size_t len = 0;
    if (r > 0) {
        len = (size_t)r;
        if (len > ANALYZER_MAX_TOKEN) {
            len = ANALYZER_MAX_TOKEN;
            while (len > 0 && (out[len] & 0xC0) == 0x80)
                len--;
        }
        memcpy(a->fold, out, len);
    }
    free(out);
    return len;
}

uint32_t analyzer_run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                      token_fn fn, void *ctx)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    size_t i = 0, start = 0;
    int in_word = 0;
    uint32_t count = 0;
    while (i <= len) {
        utf8proc_int32_t c = -1;
        utf8proc_ssize_t n = 1;
        if (i < len) {
            n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &c);
            if (n < 0) {
                a->bad_utf8++;
                n = 1;
                c = -1;
            }
        }
        int word = c >= 0 && is_word_cp(c);
        if (!word && in_word && (c == '\'' || c == 0x2019) && i + (size_t)n < len) {
            utf8proc_int32_t d;
            if (utf8proc_iterate(p + i + n, (utf8proc_ssize_t)(len - i - (size_t)n), &d) > 0 &&
                is_word_cp(d))
                word = 1;
        }
        if (word && !in_word) {
            start = i;
            in_word = 1;
        } else if (!word && in_word) {
            in_word = 0;
            size_t fl = fold_word(a, text + start, i - start);
            if (fl > 0) {
                token t;
                t.raw = a->fold;
                t.raw_len = (uint32_t)fl;
                const char *stem;
                size_t sl;
                analyzer_stem(a, a->fold, fl, &stem, &sl);
                t.term = stem;
                t.term_len = (uint32_t)sl;
                t.pos = first_pos + count;
                t.start = (uint32_t)start;
                t.end = (uint32_t)i;
                count++;
                if (fn && fn(ctx, &t))
                    return count;
            }
        }
        i += (size_t)n;
    }
    return count;
}

const char **analyzer_languages(void)
{
    static const char *list[64];
    if (!list[0]) {
        const char **sb = sb_stemmer_list();
        size_t n = 0;
        for (; sb[n] && n < 62; n++)
            list[n] = sb[n];
        list[n] = "none";
    }
    return list;
}

/* tokenizer.c — word segmentation of UTF-8 news text (rules in tokenizer.h).
 * One pass over the bytes; ASCII is classified inline without decoding, and
 * only non-ASCII characters go through the decoder and utf8proc's category
 * table. */
#include "analysis/tokenizer.h"

#include <string.h>
#include <utf8proc.h>

enum { C_SEP, C_LETTER, C_DIGIT, C_MARK, C_IDEO, C_BAD };

/* ASCII letters lower-cased and digits as themselves; 0 for anything else
 * (including every byte >= 0x80). */
static const uint8_t ascii_word[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 0, 0, 0, 0, 0, 0,
    0, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 0, 0, 0, 0, 0,
    0, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static inline int is_adigit(uint8_t c) { return (unsigned)(c - '0') < 10; }
static inline int is_aalpha(uint8_t c) { return (unsigned)((c | 0x20) - 'a') < 26; }


/* The end of the run of ASCII letters and digits starting at i (< len);
 * *letters set when the run holds a letter. */
static inline size_t ascii_run(const uint8_t *p, size_t i, size_t len, int *letters)
{
#if defined(__SSE2__)
    while (i + 16 <= len) {
        unsigned an, le;
        tokenizer_classify16(p + i, &an, &le);
        unsigned stop = ~an & 0xFFFF;
        if (stop) {
            unsigned k = (unsigned)__builtin_ctz(stop);
            if (le & ((1u << k) - 1))
                *letters = 1;
            return i + k;
        }
        if (le)
            *letters = 1;
        i += 16;
    }
#endif
    while (i < len && ascii_word[p[i]]) {
        if (ascii_word[p[i]] & 0x40)
            *letters = 1;
        i++;
    }
    return i;
}

/* The first i' >= i (< len) whose byte is an ASCII letter or digit or a
 * byte >= 0x80, or len. */
static inline size_t skip_ascii_sep(const uint8_t *p, size_t i, size_t len)
{
#if defined(__SSE2__)
    while (i + 16 <= len) {
        unsigned an, le;
        unsigned hi = tokenizer_classify16(p + i, &an, &le);
        unsigned go = an | hi;
        if (go)
            return i + (unsigned)__builtin_ctz(go);
        i += 16;
    }
#endif
    while (i < len && p[i] < 0x80 && !ascii_word[p[i]])
        i++;
    return i;
}

size_t utf8_decode(const uint8_t *p, size_t n, int32_t *cp)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    int32_t v;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;      /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;      /* no overlongs */
        else if (c == 0xF4)
            hi = 0x8F;      /* nothing above U+10FFFF */
    } else {
        *cp = -1;
        return 1;
    }
    for (size_t k = 1; k <= need; k++) {
        if (k >= n || p[k] < lo || p[k] > hi) {
            *cp = -1;
            return k;
        }
        lo = 0x80;
        hi = 0xBF;
        v = v << 6 | (p[k] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

/* Scripts written without spaces: each character is a word. */
static int is_ideo(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
           (cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int cp_class(int32_t cp)
{
    if (cp < 0x80) {
        if (is_aalpha((uint8_t)cp))
            return C_LETTER;
        return is_adigit((uint8_t)cp) ? C_DIGIT : C_SEP;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_ideo(cp) ? C_IDEO : C_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return C_MARK;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_NL:
        return is_ideo(cp) ? C_IDEO : C_DIGIT;
    default:
        return C_SEP;
    }
}

/* Class of the character at j (C_SEP past the end); *n its length. */
static int class_at(const tokenizer *t, size_t j, size_t *n, int32_t *cpo)
{
    int32_t cp = -1;
    *n = 1;
    if (j >= t->len) {
        if (cpo)
            *cpo = -1;
        return C_SEP;
    }
    *n = utf8_decode(t->p + j, t->len - j, &cp);
    if (cpo)
        *cpo = cp;
    return cp < 0 ? C_BAD : cp_class(cp);
}

static inline int is_wordish(int k) { return k == C_LETTER || k == C_DIGIT || k == C_MARK; }

void tokenizer_init(tokenizer *t, const char *text, size_t len)
{
    t->p = (const uint8_t *)text;
    t->len = text ? len : 0;
    t->i = 0;
    t->bad = 0;
    t->start = t->end = t->n = t->flags = 0;
}

/* Appends bytes to the word's text; once one does not fit, nothing more is
 * copied (so the text stays a prefix on a character boundary). */
static inline void put(tokenizer *t, const uint8_t *s, size_t n)
{
    if (t->n + n > t->cap) {
        t->flags |= TOK_CUT;
        t->cap = t->n;
        return;
    }
    memcpy(t->text + t->n, s, n);
    t->n += (uint32_t)n;
}

static inline void put1(tokenizer *t, uint8_t c)
{
    if (t->n < t->cap)
        t->text[t->n++] = c;
    else
        t->flags |= TOK_CUT;
}

/* "U.S.", "e.g.", "U.S" at i: single letters each followed by '.', at least
 * two letters, not followed by a word character.  Fills t on success. */
static int scan_acronym(tokenizer *t, size_t i)
{
    size_t j = i, n, n2;
    int letters = 0, dots = 0;
    if (i + 1 < t->len && t->p[i + 1] != '.' && t->p[i] < 0x80 && t->p[i + 1] < 0x80)
        return 0;  /* fast path: "the", "3rd", "I " */
    uint32_t save_n = t->n, save_flags = t->flags;
    for (;;) {
        int32_t cp;
        if (class_at(t, j, &n, &cp) != C_LETTER)
            break;
        int next = class_at(t, j + n, &n2, NULL);
        int dot = j + n < t->len && t->p[j + n] == '.';
        if (!dot && (is_wordish(next) || next == C_IDEO))
            break;  /* not a single letter */
        if (cp < 0x80)
            put1(t, (uint8_t)(cp | 0x20));
        else {
            put(t, t->p + j, n);
            t->flags |= TOK_NONASCII;
        }
        letters++;
        j += n;
        if (!dot)
            break;
        dots++;
        j++;
    }
    int after = class_at(t, j, &n, NULL);
    if (letters < 2 || dots < 1 || is_wordish(after) || after == C_IDEO) {
        t->n = save_n;
        t->flags = save_flags;
        return 0;
    }
    t->flags |= TOK_LETTER;
    t->end = (uint32_t)j;
    t->i = j;
    return 1;
}

/* A joiner at i between word parts: returns the bytes it spans (0 = none)
 * and appends what it stands for.  last is the class of the previous
 * character. */
static size_t scan_joiner(tokenizer *t, size_t i, int last)
{
    const uint8_t *p = t->p;
    size_t len = t->len, n, n2;
    uint8_t c = p[i];
    if (c == '\'') {
        if (class_at(t, i + 1, &n, NULL) == C_LETTER) {
            put1(t, '\'');
            return 1;
        }
    } else if (c == '.') {
        if (last == C_DIGIT && i + 1 < len && is_adigit(p[i + 1])) {
            put1(t, '.');
            return 1;
        }
    } else if (c == ',') {
        if (last == C_DIGIT && i + 4 <= len && is_adigit(p[i + 1]) && is_adigit(p[i + 2]) &&
            is_adigit(p[i + 3]) && (i + 4 == len || !is_adigit(p[i + 4])))
            return 1;  /* thousands separator: dropped */
    } else if (c >= 0x80) {
        int32_t cp;
        class_at(t, i, &n, &cp);
        if (cp == 0x2019 && class_at(t, i + n, &n2, NULL) == C_LETTER) {
            put1(t, '\'');
            return n;
        }
        if ((cp == 0xAD || cp == 0x200C || cp == 0x200D) &&
            is_wordish(class_at(t, i + n, &n2, NULL)))
            return n;  /* soft hyphen, ZWNJ, ZWJ inside a word */
    }
    return 0;
}

/* A run of word characters and joiners starting at i. */
static void scan_word(tokenizer *t, size_t i)
{
    const uint8_t *p = t->p;
    size_t len = t->len;
    int last = C_LETTER;
    for (;;) {
        while (i < len) {
            uint8_t c = p[i];
            if (c < 0x80) {
                /* the hot loop: a run of ASCII letters and digits */
                uint32_t n = t->n, cap = t->cap;
                int letters = 0;
                size_t j = ascii_run(p, i, len, &letters);
                c = j < len ? p[j] : p[j - 1];
                size_t m = j - i, m8 = (m + 7) & ~(size_t)7;
                if (n + m <= cap && i + m8 <= len) {
                    /* 8 bytes at a time (letters and digits lower-case
                     * with | 0x20), so that the caller's 8-byte loads of
                     * the word are forwarded from whole stores; bytes past
                     * the word are scratch (text has 8 spare bytes) */
                    for (size_t k = 0; k < m8; k += 8) {
                        uint64_t w;
                        memcpy(&w, p + i + k, 8);
                        w |= 0x2020202020202020ULL;
                        memcpy(t->text + n + k, &w, 8);
                    }
                    n += (uint32_t)m;
                } else {
                    for (size_t k = i; k < j; k++) {
                        if (n < cap)
                            t->text[n++] = ascii_word[p[k]];
                        else
                            t->flags |= TOK_CUT;
                    }
                }
                i = j;
                t->n = n;
                if (letters)
                    t->flags |= TOK_LETTER;
                if (m)
                    last = is_adigit(p[i - 1]) ? C_DIGIT : C_LETTER;
                if (i < len && c >= 0x80)
                    continue;
                break;
            }
            size_t n;
            int k = class_at(t, i, &n, NULL);
            if (!is_wordish(k))
                break;
            put(t, p + i, n);
            t->flags |= TOK_NONASCII;
            if (k == C_LETTER)
                t->flags |= TOK_LETTER;
            if (k != C_MARK)
                last = k;
            i += n;
        }
        t->end = (uint32_t)i;
        if (i >= len || p[i] == ' ' || p[i] == '\n')
            break;
        size_t j = scan_joiner(t, i, last);
        if (!j)
            break;
        i += j;
    }
    t->i = t->end;
}


static int next_word(tokenizer *t, int fast);

int tokenizer_next_slow(tokenizer *t)
{
    if (!next_word(t, 1))
        return 0;
    tokenizer_key16(t->text, t->n, &t->k0, &t->k1);
    return 1;
}

int tokenizer_next_general(tokenizer *t)
{
    if (!next_word(t, 0))
        return 0;
    tokenizer_key16(t->text, t->n, &t->k0, &t->k1);
    return 1;
}

/* The next word without k0/k1; fast: the one-window path may take it. */
static int next_word(tokenizer *t, int fast)
{
    const uint8_t *p = t->p;
    size_t len = t->len, i = t->i, n = 1;
    int k = C_SEP;
    while (i < len) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (ascii_word[c]) {
                k = is_adigit(c) ? C_DIGIT : C_LETTER;
                break;
            }
            i = skip_ascii_sep(p, i + 1, len);
            continue;
        }
        k = class_at(t, i, &n, NULL);
        if (k == C_BAD)
            t->bad++;
        else if (k != C_SEP)
            break;
        i += n;
    }
    if (i >= len) {
        t->i = len;
        return 0;
    }
#if defined(__SSE2__)
    if (!fast) {
    } else if (i + 16 <= len) {
        if (tokenizer_fast_word(t, p + i, i))
            return 1;
    } else {
        /* the input's last bytes, padded with spaces (which end a word as
         * the end of the input does): its last 16 bytes copied whole when
         * it has them (no copy of a variable length) */
        uint8_t w[32];
        const uint8_t *win = w;
        memset(w + 16, ' ', 16);
        if (len >= 16) {
            memcpy(w, p + len - 16, 16);
            win = w + 16 - (len - i);
        } else {
            memset(w, ' ', 16);
            memcpy(w, p + i, len - i);
        }
        if (tokenizer_fast_word(t, win, i)) {
            if (t->i > len)
                t->i = len;
            return 1;
        }
    }
#endif
    t->start = (uint32_t)i;
    t->n = 0;
    t->cap = TOKENIZER_SCRATCH;
    t->flags = 0;
    if (k == C_IDEO) {
        put(t, p + i, n);
        i += n;
        while (class_at(t, i, &n, NULL) == C_MARK) {
            put(t, p + i, n);
            i += n;
        }
        t->flags |= TOK_NONASCII | TOK_LETTER;
        t->end = (uint32_t)i;
        t->i = i;
        return 1;
    }
    if (k == C_LETTER && scan_acronym(t, i))
        return 1;
    scan_word(t, i);
    return 1;
}

int tokenizer_next(tokenizer *t) { return tokenizer_next_inline(t); }

/* tokenizer.h — splits UTF-8 news text into words (segmentation only; no
 * folding, no stemming).  The rules, decided for news text (README.md here):
 *   - a word is a run of letters, marks and digits;
 *   - an apostrophe (' or U+2019) between a letter/digit and a letter joins
 *     ("China's", "don't"), written as ASCII ';
 *   - '.' between digits joins ("3.5", "192.168.0.1");
 *   - ',' between digits followed by exactly three digits is a thousands
 *     separator and is dropped ("1,200" -> "1200");
 *   - single letters each followed by '.' form an acronym, dots dropped
 *     ("U.S." -> "US", "e.g." -> "eg"), when there are at least two;
 *   - soft hyphen, ZWJ and ZWNJ inside a word are dropped;
 *   - everything else separates: hyphens, slashes, '@', ':', '.', quotes,
 *     dashes, brackets, '%', '$', ... (so "state-owned", "2026-11-24",
 *     "www.reuters.com" and e-mail addresses become consecutive words);
 *   - each Han ideograph, Hiragana or Katakana character is a word by itself;
 *   - invalid UTF-8 is skipped, counted, and ends the word it interrupts.
 * ASCII letters are lower-cased on the way (the cheap part of folding);
 * other bytes are copied as they are for fold.c. */
#ifndef MG_ANALYSIS_TOKENIZER_H
#define MG_ANALYSIS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bytes of a word's text kept for folding; the rest of a longer word is
 * scanned (it stays one word) but not copied. */
#define TOKENIZER_SCRATCH 320

enum {
    TOK_NONASCII = 1,  /* the copied text holds bytes >= 0x80 */
    TOK_LETTER = 2,    /* the word holds at least one letter (not only digits) */
    TOK_CUT = 4,       /* the word was longer than TOKENIZER_SCRATCH */
};

typedef struct tokenizer {
    const uint8_t *p;      /* input */
    size_t len;            /* input length */
    size_t i;              /* scan position */
    uint64_t bad;          /* invalid UTF-8 sequences met */
    /* the current word */
    uint32_t start, end;   /* byte span in the input */
    uint32_t n;            /* bytes in text */
    uint32_t flags;        /* TOK_* */
    uint32_t cap;          /* copy limit: TOKENIZER_SCRATCH, or n once cut */
    uint64_t k0, k1;       /* text's first 16 bytes as two little-endian
                              words, zero past n (tokenizer_key16) */
    uint8_t text[TOKENIZER_SCRATCH + 8]; /* ASCII lower-cased, rest verbatim */
} tokenizer;

/* tokenizer_mask16[n < 16 ? n : 16]: the two words' masks that keep a
 * key's first n bytes (all 16 from n = 16 on). */
static const uint64_t tokenizer_mask16[17][2] = {
    { 0, 0 },
    { 0xFFULL, 0 },
    { 0xFFFFULL, 0 },
    { 0xFFFFFFULL, 0 },
    { 0xFFFFFFFFULL, 0 },
    { 0xFFFFFFFFFFULL, 0 },
    { 0xFFFFFFFFFFFFULL, 0 },
    { 0xFFFFFFFFFFFFFFULL, 0 },
    { ~0ULL, 0 },
    { ~0ULL, 0xFFULL },
    { ~0ULL, 0xFFFFULL },
    { ~0ULL, 0xFFFFFFULL },
    { ~0ULL, 0xFFFFFFFFULL },
    { ~0ULL, 0xFFFFFFFFFFULL },
    { ~0ULL, 0xFFFFFFFFFFFFULL },
    { ~0ULL, 0xFFFFFFFFFFFFFFULL },
    { ~0ULL, ~0ULL },
};

/* The first 16 bytes of a key of n bytes as two little-endian words, the
 * bytes past n zero (so a key of up to 16 bytes is exactly its two words);
 * reads 16 bytes at key. */
static inline void tokenizer_key16(const uint8_t *key, size_t n, uint64_t *k0, uint64_t *k1)
{
    const uint64_t *m = tokenizer_mask16[n < 16 ? n : 16];
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    *k0 = a & m[0];
    *k1 = b & m[1];
}

void tokenizer_init(tokenizer *t, const char *text, size_t len);

/* Advances to the next word; returns 1 and fills start/end/n/flags/text/
 * k0/k1, or 0 at the end of the input. */
int tokenizer_next(tokenizer *t);

/* tokenizer_next without its inline fast path (below). */
int tokenizer_next_slow(tokenizer *t);

/* tokenizer_next through the general scanner alone, never the one-window
 * path (tests check that the two give the same words). */
int tokenizer_next_general(tokenizer *t);

#if defined(__SSE2__)
/* 16 bytes at p classified at once: bit k of *alnum set when p[k] is an
 * ASCII letter or digit, of *letter when it is a letter, of the result when
 * it is >= 0x80. */
static inline __attribute__((always_inline)) unsigned tokenizer_classify16(const uint8_t *p, unsigned *alnum, unsigned *letter)
{
    /* a range test as one signed compare: adding 0x80 - lo moves lo..hi
     * to -128..-128 + (hi - lo), and every other byte above it */
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i f = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8(0x80 - 'a'));
    __m128i l = _mm_cmplt_epi8(f, _mm_set1_epi8(-128 + 26));
    __m128i d = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x80 - '0')), _mm_set1_epi8(-128 + 10));
    *letter = (unsigned)_mm_movemask_epi8(l);
    *alnum = (unsigned)_mm_movemask_epi8(_mm_or_si128(l, d));
    return (unsigned)_mm_movemask_epi8(v);
}

/* The common word from one classify16 of w[0..16), in registers: the
 * word's first 16 bytes lower-cased with | 0x20 (w0, w1; bytes past n are
 * scratch), its length n (1..15), its flags (TOK_LETTER or 0) and where
 * the scan resumes (next, from w). */
typedef struct tokenizer_fast {
    uint64_t w0, w1;
    unsigned n, flags, next;
} tokenizer_fast;

/* The common word at w[0]: ASCII letters and digits ended inside the
 * window w[0..16) by an ASCII byte that cannot join or make an acronym
 * (not ', not a byte >= 0x80, and '.' or ',' only after a letter, '.' only
 * after two or more characters).  Then scan_acronym and scan_word would
 * find exactly this word, so it is filled the same way; the scan resumes
 * at the window's next possible word start (the bytes between are ASCII
 * separators that tokenizer_next would skip), or at w + 16.  w holds the
 * input's bytes from the word on: in place when 16 are left, else a copy
 * of the rest padded with spaces (which end a word as the input's end
 * does).  0 (f unset) when w[0] does not start a word of that kind; -s
 * (f unset) when w[0..s) are ASCII separators, which tokenizer_next
 * skips (s = 16: the whole window). */
static inline __attribute__((always_inline)) int tokenizer_fast_scan(const uint8_t *w,
                                                                     tokenizer_fast *f)
{
    unsigned an, le;
    unsigned hi = tokenizer_classify16(w, &an, &le);
    unsigned stop = ~an & 0xFFFF;
    if (!stop)
        return 0;
    unsigned k = (unsigned)__builtin_ctz(stop);
    uint8_t c = w[k];
    if (k == 0) /* w[0] is an ASCII separator: skip to the next start */
        return c < 0x80 ? -(int)__builtin_ctz((an | hi) | 1u << 16) : 0;
    if (c >= 0x80)
        return 0;
    /* ' may join; '.' after one letter may make an acronym; '.' and ','
     * after a digit may join digits: only after a letter (and a word of
     * two or more characters for '.') do they certainly end the word */
    if ((c == '\'' || c == '.' || c == ',') &&
        (c == '\'' || !(le >> (k - 1) & 1) || (c == '.' && k == 1)))
        return 0;
    /* lower-cased with | 0x20 as scan_word does */
    memcpy(&f->w0, w, 8);
    memcpy(&f->w1, w + 8, 8);
    f->w0 |= 0x2020202020202020ULL;
    f->w1 |= 0x2020202020202020ULL;
    f->n = k;
    f->flags = (le << (32 - k)) ? TOK_LETTER : 0; /* a letter among the k bytes */
    /* the next word start after the stop, or 16 (the bit at 15 - k) */
    unsigned go = (an | hi) >> (k + 1) | 1u << (15 - k);
    f->next = k + 1 + (unsigned)__builtin_ctz(go);
    return 1;
}

/* The key words (tokenizer_key16) of the word f holds. */
static inline __attribute__((always_inline)) void tokenizer_fast_key(const tokenizer_fast *f, uint64_t *k0,
                                                                     uint64_t *k1)
{
    *k0 = f->w0 & tokenizer_mask16[f->n][0];
    *k1 = f->w1 & tokenizer_mask16[f->n][1];
}

/* Fills t with the word tokenizer_fast_scan found at input offset i: whole
 * 8-byte stores of the text (the bytes past the word are scratch).
 * t->cap is left as it is (only the general scanner uses it, and it sets
 * it for every word). */
static inline __attribute__((always_inline)) void tokenizer_fast_fill(tokenizer *t,
                                                                      const tokenizer_fast *f,
                                                                      size_t i)
{
    memcpy(t->text, &f->w0, 8);
    memcpy(t->text + 8, &f->w1, 8);
    tokenizer_fast_key(f, &t->k0, &t->k1);
    t->start = (uint32_t)i;
    t->end = (uint32_t)(i + f->n);
    t->n = f->n;
    t->flags = f->flags;
    t->i = i + f->next;
}

/* tokenizer_fast_scan of w, the input's bytes from i on, filling t. */
static inline __attribute__((always_inline)) int tokenizer_fast_word(tokenizer *t, const uint8_t *w,
                                                                     size_t i)
{
    tokenizer_fast f;
    if (tokenizer_fast_scan(w, &f) <= 0)
        return 0;
    tokenizer_fast_fill(t, &f, i);
    return 1;
}
#endif

/* tokenizer_next, with the common word (tokenizer_fast_word at t->i, where
 * the previous fast word left the scan) inline. */
static inline __attribute__((always_inline)) int tokenizer_next_inline(tokenizer *t)
{
#if defined(__SSE2__)
    if (t->i + 16 <= t->len && tokenizer_fast_word(t, t->p + t->i, t->i))
        return 1;
#endif
    return tokenizer_next_slow(t);
}

/* Decodes one UTF-8 sequence at p[0..n) (n >= 1).  Returns its length and
 * sets *cp, or returns the length of the invalid prefix to skip (>= 1) and
 * sets *cp = -1.  Rejects overlongs, surrogates and values above U+10FFFF;
 * an invalid sequence is skipped as its maximal valid-looking prefix (the
 * WHATWG / Unicode "maximal subpart" rule), so each counts once. */
size_t utf8_decode(const uint8_t *p, size_t n, int32_t *cp);

#endif

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
    uint8_t text[TOKENIZER_SCRATCH + 8]; /* ASCII lower-cased, rest verbatim */
} tokenizer;

void tokenizer_init(tokenizer *t, const char *text, size_t len);

/* Advances to the next word; returns 1 and fills start/end/n/flags/text, or
 * 0 at the end of the input. */
int tokenizer_next(tokenizer *t);

/* Decodes one UTF-8 sequence at p[0..n) (n >= 1).  Returns its length and
 * sets *cp, or returns the length of the invalid prefix to skip (>= 1) and
 * sets *cp = -1.  Rejects overlongs, surrogates and values above U+10FFFF;
 * an invalid sequence is skipped as its maximal valid-looking prefix (the
 * WHATWG / Unicode "maximal subpart" rule), so each counts once. */
size_t utf8_decode(const uint8_t *p, size_t n, int32_t *cp);

#endif

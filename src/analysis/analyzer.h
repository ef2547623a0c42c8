/* analyzer.h — the one analysis pipeline shared by indexing and querying:
 * UTF-8 text -> tokens -> Unicode case + accent folding -> Snowball stem.
 * A query word and an indexed word always meet in the same form.
 *
 * Each token carries two forms:
 *   raw   the folded, unstemmed word ("running", "us" for "U.S.", "3.5")
 *   term  the stemmed form of raw ("run"); equal to raw when the stemmer
 *         leaves it alone or the language is "none"
 * and its position (a word count; consecutive tokens differ by 1) plus the
 * byte span [start, end) in the input, for snippets and highlighting.
 *
 * The tokenizing, folding and stemming decisions are in src/analysis/README.md.
 *
 * An analyzer keeps a stem cache and scratch space, so it is NOT thread-safe:
 * use one per thread (creating one is cheap). */
#ifndef MG_ANALYSIS_ANALYZER_H
#define MG_ANALYSIS_ANALYZER_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

typedef struct analyzer analyzer;

/* Longest token kept, in bytes of folded UTF-8; longer ones are cut here. */
#define ANALYZER_MAX_TOKEN 64

typedef struct token {
    const char *term;   /* stemmed folded form (not NUL-terminated) */
    uint32_t term_len;
    const char *raw;    /* folded unstemmed form (not NUL-terminated) */
    uint32_t raw_len;
    uint32_t pos;       /* position */
    uint32_t start;     /* byte offset of the token's first byte in the input */
    uint32_t end;       /* byte offset just past its last byte */
    /* the word as the tokenizer copied it (ASCII
     * lower-cased, other bytes verbatim, at most ANALYZER_KEY_MAX bytes of
     * it) and its ANALYZER_KEY_* flags.  The same key and flags always
     * give the same raw and term, so a caller may cache forms by key. */
    const char *key;
    uint32_t key_len;
    uint32_t key_flags;
} token;

/* Bytes of a word analyzer_run_keys passes as its key (a longer word's key
 * is its first ANALYZER_KEY_MAX bytes, which still determine its forms). */
#define ANALYZER_KEY_MAX 320
enum {
    ANALYZER_KEY_NONASCII = 1,  /* the key holds bytes >= 0x80 */
    ANALYZER_KEY_LETTER = 2,    /* the word holds a letter (not only digits) */
};
/* analyzer_run_keys callback result: the word folded to nothing, it is not
 * a token (it takes no position). */
#define ANALYZER_SKIP 1

/* Called once per token; the pointers live only during the call.
 * A nonzero return stops the run. */
typedef int (*token_fn)(void *ctx, const token *t);

/* language: a libstemmer algorithm name or ISO code ("english", "en",
 * "french", ...), or "none" for no stemming.  NULL means "english".
 * Returns NULL with e set (MG_EINVAL) for an unknown language. */
analyzer *analyzer_new(const char *language, errbuf *e);
void analyzer_free(analyzer *a);

/* The canonical language name this analyzer stems with ("english", "none"). */
const char *analyzer_language(const analyzer *a);

/* Tokenizes text[0..len), calling fn for each token.  Positions start at
 * first_pos.  Returns the number of tokens produced (the position after the
 * last token is first_pos + that count).  Invalid UTF-8 is skipped and
 * counted. */
uint32_t analyzer_run(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                      token_fn fn, void *ctx);

/* Like analyzer_run, but the callback gets only key, key_len, key_flags,
 * pos, start and end (term and raw NULL): it looks its own cache up by key
 * and, when it needs the forms, calls analyzer_forms.  The callback returns
 * 0 for a token, ANALYZER_SKIP when analyzer_forms said the word folds to
 * nothing (it then takes no position), or a negative value to stop the run.
 * Returns the number of tokens, as analyzer_run. */
uint32_t analyzer_run_keys(analyzer *a, const char *text, size_t len, uint32_t first_pos,
                           token_fn fn, void *ctx);

/* analyzer_run_keys without the callback, for a caller that runs the loop
 * itself: begin returns the analyzer's tokenizer on text[0..len); each
 * tokenizer_next_inline (analysis/tokenizer.h) that returns 1 gives a word
 * whose key is z->text, z->n bytes, with flags z->flags &
 * (ANALYZER_KEY_NONASCII | ANALYZER_KEY_LETTER) (the TOK_* values); the
 * caller counts positions as analyzer_run_keys does.  end adds the run's
 * invalid UTF-8 count to the analyzer's. */
struct tokenizer *analyzer_keys_begin(analyzer *a, const char *text, size_t len);
void analyzer_keys_end(analyzer *a);

/* Fills t->raw and t->term from t->key, t->key_len and t->key_flags (a
 * key analyzer_run_keys gave, or a copy of it with 16 readable bytes past
 * its start): pointers valid until the next call on a, or into the key.
 * Returns 0 when the word folds to nothing (inside the callback for that
 * word: return ANALYZER_SKIP), else 1.  An ASCII key (no
 * ANALYZER_KEY_NONASCII) never folds to nothing. */
int analyzer_forms(analyzer *a, token *t);

/* Invalid UTF-8 sequences met so far by this analyzer. */
uint64_t analyzer_bad_utf8(const analyzer *a);

/* Stems an already folded word.  *out points into the analyzer's cache or
 * scratch space, valid until the next call on a. */
void analyzer_stem(analyzer *a, const char *raw, size_t len,
                   const char **out, size_t *out_len);

/* Bounds the stem cache to max_entries distinct words (default 131072,
 * about 6 MB); replaces (empties) the cache.  MG_OK or MG_ENOMEM. */
int analyzer_set_cache_limit(analyzer *a, size_t max_entries);

/* Stem cache counters since the cache was made, and the memory it holds;
 * any pointer may be NULL. */
void analyzer_cache_stats(const analyzer *a, uint64_t *hits, uint64_t *misses, size_t *bytes);

/* NULL-terminated list of language names analyzer_new accepts (canonical
 * names only), "none" included.  Thread-safe. */
const char **analyzer_languages(void);

#endif

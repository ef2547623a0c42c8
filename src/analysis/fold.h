/* fold.h — Unicode case folding and accent folding of one word (utf8proc):
 * NFKC compatibility mapping ("ﬁ" -> "fi", full-width -> ASCII), full case
 * folding ("ß" -> "ss", "Σ"/"ς" -> "σ"), default-ignorable characters
 * removed, and accents removed: combining diacritics on Latin, Greek and
 * Cyrillic letters ("é" -> "e", "Ü" -> "u", "ё" -> "е"; but "й" and "ї"
 * stay, they are letters of their own), Hebrew points and Arabic harakat.
 * Marks that are parts of letters in Indic and other scripts are kept.
 * A few letters Unicode does not decompose are mapped too: ı ł ø đ ħ. */
#ifndef MG_ANALYSIS_FOLD_H
#define MG_ANALYSIS_FOLD_H

#include <stddef.h>
#include <stdint.h>

/* Code points of scratch space fold_word needs. */
#define FOLD_WORK 4096

/* Folds the valid UTF-8 word s[0..n) into out (at most cap bytes, cut on a
 * character boundary).  work is scratch of FOLD_WORK code points.  Returns
 * the folded length (0 when nothing is left, e.g. only marks). */
size_t fold_word(const uint8_t *s, size_t n, uint8_t *out, size_t cap, int32_t *work);

/* The longest prefix of the UTF-8 string s[0..n) that fits in max bytes
 * and ends on a character boundary. */
size_t utf8_cut(const uint8_t *s, size_t n, size_t max);

#endif

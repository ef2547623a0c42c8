/* fold.c — case and accent folding of one word with utf8proc (see fold.h).
 * Decompose (NFKD + case fold) into code points, drop the accent marks,
 * recompose (NFC) and re-encode in place: no allocation per word. */
#include "analysis/fold.h"

#include <string.h>
#include <utf8proc.h>

size_t utf8_cut(const uint8_t *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && (s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* Letters with a stroke or without a dot, which have no decomposition. */
static utf8proc_int32_t map_undecomposable(utf8proc_int32_t cp, void *data)
{
    (void)data;
    switch (cp) {
    case 0x0131: return 'i';  /* ı dotless i (Turkish) */
    case 0x0141: case 0x0142: return 'l';  /* Ł ł */
    case 0x00D8: case 0x00F8: return 'o';  /* Ø ø */
    case 0x0110: case 0x0111: return 'd';  /* Đ đ */
    case 0x0126: case 0x0127: return 'h';  /* Ħ ħ */
    default: return cp;
    }
}

static int in(int32_t c, int32_t lo, int32_t hi) { return c >= lo && c <= hi; }

/* Is the mark m after the base letter `base` an accent to drop? */
static int is_accent(int32_t m, int32_t base)
{
    if (in(m, 0x0300, 0x036F)) {
        if (in(base, 0x0400, 0x052F))       /* Cyrillic: only ё -> е */
            return m == 0x0308 && base == 0x0435;
        return 1;
    }
    return in(m, 0x1AB0, 0x1AFF) || in(m, 0x1DC0, 0x1DFF) || in(m, 0x20D0, 0x20FF) ||
           in(m, 0xFE20, 0xFE2F) ||
           /* Hebrew points and cantillation */
           in(m, 0x0591, 0x05BD) || m == 0x05BF || m == 0x05C1 || m == 0x05C2 ||
           m == 0x05C4 || m == 0x05C5 || m == 0x05C7 ||
           /* Arabic harakat, hamza/madda above and below, Quranic marks */
           in(m, 0x0610, 0x061A) || in(m, 0x064B, 0x065F) || m == 0x0670 ||
           in(m, 0x06D6, 0x06DC) || in(m, 0x06DF, 0x06E4) || m == 0x06E7 || m == 0x06E8 ||
           in(m, 0x06EA, 0x06ED);
}

static int is_mark(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

size_t fold_word(const uint8_t *s, size_t n, uint8_t *out, size_t cap, int32_t *work)
{
    const utf8proc_option_t dopt = UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                   UTF8PROC_IGNORE | UTF8PROC_STABLE;
    utf8proc_ssize_t r;
    for (;;) {
        r = utf8proc_decompose_custom(s, (utf8proc_ssize_t)n, work, FOLD_WORK - 1, dopt,
                                      map_undecomposable, NULL);
        if (r < 0)
            return 0;
        if (r <= FOLD_WORK - 1)
            break;
        n = utf8_cut(s, n, n / 2);  /* a pathological expansion: fold less */
    }
    utf8proc_ssize_t m = 0;
    int32_t base = 0;
    for (utf8proc_ssize_t k = 0; k < r; k++) {
        int32_t c = work[k];
        if (c >= 0x300 && is_mark(c)) {
            if (is_accent(c, base))
                continue;
        } else {
            base = c;
        }
        work[m++] = c;
    }
    r = utf8proc_reencode(work, m, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (r <= 0)
        return 0;
    size_t len = utf8_cut((const uint8_t *)work, (size_t)r, cap);
    memcpy(out, work, len);
    return len;
}

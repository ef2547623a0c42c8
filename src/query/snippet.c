/* snippet.c — choosing and highlighting the best window (see snippet.h). */
#include "query/snippet.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strmap.h"

typedef struct stok {
    uint32_t start, end;
    uint64_t key;     /* hash of the matched term (distinctness), 0 if no match */
} stok;

typedef struct scan {
    stok *t;
    size_t n, cap;
    int oom;
    snip_match_fn match;
    void *ctx;
} scan;

static int on_token(void *ctx, const token *tk)
{
    scan *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        stok *t = realloc(s->t, cap * sizeof *t);
        if (!t) {
            s->oom = 1;
            return 1;
        }
        s->t = t;
        s->cap = cap;
    }
    stok *t = &s->t[s->n++];
    t->start = tk->start;
    t->end = tk->end;
    t->key = s->match(s->ctx, tk) ? hash_bytes(tk->term, tk->term_len) | 1 : 0;
    return 0;
}

/* The best window [*ws, *we) of matched tokens fitting in want bytes. */
static int best_window(const scan *s, size_t want, size_t *ws, size_t *we)
{
    long best = -1;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->t[i].key)
            continue;
        long count = 0, distinct = 0;
        uint64_t seen[16];
        size_t nseen = 0;
        size_t last = i;
        for (size_t j = i; j < s->n && s->t[j].end - s->t[i].start <= want; j++) {
            if (!s->t[j].key)
                continue;
            count++;
            last = j;
            size_t k = 0;
            while (k < nseen && seen[k] != s->t[j].key)
                k++;
            if (k == nseen) {
                distinct++;
                if (nseen < 16)
                    seen[nseen++] = s->t[j].key;
            }
        }
        long score = distinct * 1000 + count;
        if (score > best) {
            best = score;
            *ws = s->t[i].start;
            *we = s->t[last].end;
        }
    }
    return best >= 0;
}

/* Widens [ws, we) to about want bytes and snaps to token boundaries. */
static void widen(const scan *s, size_t len, size_t want, size_t *ws, size_t *we)
{
    size_t slack = want > *we - *ws ? want - (*we - *ws) : 0;
    size_t a = *ws > slack / 3 ? *ws - slack / 3 : 0;
    size_t b = a + want < len ? a + want : len;
    if (b == len)
        a = len > want ? len - want : 0;
    /* first token starting at or after a; last token ending at or before b */
    size_t na = b, nb = a;
    for (size_t i = 0; i < s->n; i++) {
        if (s->t[i].start >= a && s->t[i].start < na)
            na = s->t[i].start;
        if (s->t[i].end <= b && s->t[i].end > nb && s->t[i].start >= a)
            nb = s->t[i].end;
    }
    if (a == 0)
        na = 0;
    if (b == len)
        nb = len;
    if (nb <= na) { /* no whole word fits: cut on UTF-8 boundaries */
        na = a;
        nb = b;
    }
    *ws = na;
    *we = nb;
}

static void put_text(buf *o, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        buf_put_u8(o, c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

char *snippet_make(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                   const char *post, snip_match_fn match, void *ctx)
{
    if (!text || want == 0 || len == 0)
        return strdup("");
    buf o;
    buf_init(&o);
    scan s = { .match = match, .ctx = ctx };
    analyzer_run(a, text, len < SNIPPET_SCAN_MAX ? len : SNIPPET_SCAN_MAX, 0, on_token, &s);
    if (s.oom) {
        free(s.t);
        return NULL;
    }
    size_t ws = 0, we = 0;
    if (!best_window(&s, want, &ws, &we))
        ws = we = 0;
    widen(&s, len, want, &ws, &we);
    while (ws < we && ((unsigned char)text[ws] & 0xC0) == 0x80)
        ws++;
    while (we < len && we > ws && ((unsigned char)text[we] & 0xC0) == 0x80)
        we--;
    if (ws > 0)
        buf_put(&o, "...", 3);
    size_t at = ws;
    for (size_t i = 0; i < s.n; i++) {
        const stok *t = &s.t[i];
        if (!t->key || t->start < ws || t->end > we)
            continue;
        put_text(&o, text + at, t->start - at);
        buf_put(&o, pre, strlen(pre));
        put_text(&o, text + t->start, t->end - t->start);
        buf_put(&o, post, strlen(post));
        at = t->end;
    }
    put_text(&o, text + at, we - at);
    if (we < len)
        buf_put(&o, "...", 3);
    free(s.t);
    if (!buf_cstr(&o) || o.oom) {
        buf_free(&o);
        return NULL;
    }
    size_t n;
    return (char *)buf_steal(&o, &n);
}

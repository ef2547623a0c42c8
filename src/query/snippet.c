/* snippet.c — matching a query's units on re-analyzed text, choosing and
 * highlighting the best window (see snippet.h). */
#include "query/snippet.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strmap.h"

#define NEAR_OCC_MAX 4096  /* occurrences of one NEAR's operands considered */
#define KEYS_MAX 64        /* distinct units counted in one window */
#define REPEAT_SHARE 0.1   /* a unit's further matches in a window count this much */

typedef struct stok {
    uint32_t start, end, pos;
    uint64_t mask;    /* bit j: matches the query's j-th word */
    uint64_t key;     /* snippet_make: hash of the stemmed form */
} stok;

/* One highlighted occurrence: tokens a..b (inclusive). */
typedef struct span {
    uint32_t a, b;
    uint64_t key;     /* distinctness */
    double w;
    uint32_t op;      /* NEAR operand, while checking */
} span;

typedef struct scan {
    stok *t;
    size_t n, cap;
    span *sp;
    size_t nsp, spcap;
    int oom;
    snip_match_fn match;
    void *ctx;
    const snip_word *words[SNIPPET_WORDS_MAX];
    size_t nwords;
} scan;

static int word_hits(const snip_word *w, const token *tk)
{
    switch (w->kind) {
    case SNIP_STEM: return tk->term_len == w->len && memcmp(tk->term, w->s, w->len) == 0;
    case SNIP_RAW: return tk->raw_len == w->len && memcmp(tk->raw, w->s, w->len) == 0;
    case SNIP_PREFIX: return tk->raw_len >= w->len && memcmp(tk->raw, w->s, w->len) == 0;
    }
    return 0;
}

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
    t->pos = tk->pos;
    t->mask = 0;
    t->key = 0;
    if (s->match) {
        if (s->match(s->ctx, tk)) {
            t->mask = 1;
            t->key = hash_bytes(tk->term, tk->term_len) | 1;
        }
        return 0;
    }
    for (size_t j = 0; j < s->nwords; j++)
        if (word_hits(s->words[j], tk))
            t->mask |= (uint64_t)1 << j;
    return 0;
}

static void add_span(scan *s, const span *x)
{
    if (s->nsp == s->spcap) {
        size_t cap = s->spcap ? s->spcap * 2 : 64;
        span *n = realloc(s->sp, cap * sizeof *n);
        if (!n) {
            s->oom = 1;
            return;
        }
        s->sp = n;
        s->spcap = cap;
    }
    s->sp[s->nsp++] = *x;
}

/* The end token of the unit's occurrence starting at token i, or -1:
 * word k must be on a token at position pos(i) + off(k). */
static long unit_at(const scan *s, const snip_unit *u, size_t base, size_t i)
{
    if (!(s->t[i].mask >> base & 1))
        return -1;
    size_t last = i;
    for (size_t k = 1; k < u->nw; k++) {
        uint32_t want = s->t[i].pos + u->w[k].off;
        size_t j = i;
        while (j < s->n && s->t[j].pos < want)
            j++;
        while (j < s->n && s->t[j].pos == want && !(s->t[j].mask >> (base + k) & 1))
            j++;
        if (j >= s->n || s->t[j].pos != want)
            return -1;
        if (j > last)
            last = j;
    }
    return (long)last;
}

/* Appends every occurrence of unit ui (words from base) as a span. */
static void unit_spans(scan *s, const snip_unit *u, size_t ui, size_t base, size_t *count)
{
    for (size_t i = 0; i < s->n && !s->oom; i++) {
        long e = unit_at(s, u, base, i);
        if (e < 0)
            continue;
        span x = { (uint32_t)i, (uint32_t)e, ui + 1, u->weight > 0 ? u->weight : 0.01, u->op };
        if (count && ++*count > NEAR_OCC_MAX)
            return;
        add_span(s, &x);
    }
}

/* Words between two occurrences, or -1 when they share a token. */
static long gap_of(const scan *s, const span *x, const span *y)
{
    if (y->a > x->b)
        return (long)s->t[y->a].pos - (long)s->t[x->b].pos - 1;
    if (x->a > y->b)
        return (long)s->t[x->a].pos - (long)s->t[y->b].pos - 1;
    return -1;
}

static int span_cmp(const void *x, const void *y)
{
    const span *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* Whether an occurrence of another operand than sp[i]'s, in sp[from..to)
 * sorted by start, lies within dist words of it: marks the operands seen. */
static uint64_t near_seen(const scan *s, size_t from, size_t to, size_t i, uint32_t dist,
                          uint32_t longest)
{
    const span *x = &s->sp[i];
    uint64_t seen = (uint64_t)1 << x->op;
    uint32_t xa = s->t[x->a].pos;
    for (size_t j = i + 1; j < to; j++) { /* later starts */
        long g = gap_of(s, x, &s->sp[j]);
        if (g > (long)dist)
            break;
        if (g >= 0 && s->sp[j].op != x->op)
            seen |= (uint64_t)1 << s->sp[j].op;
    }
    for (size_t j = i; j-- > from;) { /* earlier starts */
        if ((long)xa - (long)s->t[s->sp[j].a].pos - 1 > (long)dist + (long)longest)
            break;
        long g = gap_of(s, x, &s->sp[j]);
        if (g >= 0 && g <= (long)dist && s->sp[j].op != x->op)
            seen |= (uint64_t)1 << s->sp[j].op;
    }
    return seen;
}

/* Keeps, of the occurrences sp[from..], those with an occurrence of every
 * other operand within dist words. */
static void near_filter(scan *s, size_t from, uint64_t ops, uint32_t dist)
{
    size_t to = s->nsp, keep = from;
    uint32_t longest = 0;
    if (to > from)
        qsort(s->sp + from, to - from, sizeof *s->sp, span_cmp);
    for (size_t i = from; i < to; i++) {
        uint32_t l = s->t[s->sp[i].b].pos - s->t[s->sp[i].a].pos;
        if (l > longest)
            longest = l;
    }
    unsigned char *ok = calloc(to > from ? to - from : 1, 1);
    if (!ok) {
        s->oom = 1;
        return;
    }
    for (size_t i = from; i < to; i++)
        ok[i - from] = near_seen(s, from, to, i, dist, longest) == ops;
    for (size_t i = from; i < to; i++)
        if (ok[i - from])
            s->sp[keep++] = s->sp[i];
    s->nsp = keep;
    free(ok);
}

static void query_spans(scan *s, const snip_query *q, const size_t *base)
{
    for (size_t u = 0; u < q->nu; u++)
        if (base[u] != (size_t)-1 && q->u[u].near == 0)
            unit_spans(s, &q->u[u], u, base[u], NULL);
    for (size_t u = 0; u < q->nu; u++) {
        uint32_t id = q->u[u].near;
        int first = id != 0;
        for (size_t v = 0; v < u && first; v++)
            first = q->u[v].near != id;
        if (!first)
            continue;
        uint64_t ops = 0;
        size_t from = s->nsp, count = 0;
        for (size_t v = u; v < q->nu; v++) {
            if (q->u[v].near != id || q->u[v].op >= 64)
                continue;
            ops |= (uint64_t)1 << q->u[v].op;
            if (base[v] != (size_t)-1)
                unit_spans(s, &q->u[v], v, base[v], &count);
        }
        near_filter(s, from, ops, q->u[u].dist);
    }
}

/* The best window [*ws, *we) of whole spans fitting in want bytes. */
static int best_window(const scan *s, size_t want, size_t *ws, size_t *we)
{
    double best = -1;
    for (size_t i = 0; i < s->nsp; i++) {
        uint32_t start = s->t[s->sp[i].a].start, end = start;
        double score = 0;
        uint64_t seen[KEYS_MAX];
        size_t nseen = 0;
        for (size_t j = i; j < s->nsp && s->t[s->sp[j].a].start - start < want; j++) {
            const span *x = &s->sp[j];
            if (s->t[x->b].end - start > want)
                continue;
            if (s->t[x->b].end > end)
                end = s->t[x->b].end;
            size_t k = 0;
            while (k < nseen && seen[k] != x->key)
                k++;
            int fresh = k == nseen;
            if (fresh && nseen < KEYS_MAX)
                seen[nseen++] = x->key;
            score += fresh ? x->w : REPEAT_SHARE * x->w;
        }
        if (end > start && score > best) {
            best = score;
            *ws = start;
            *we = end;
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

#define HL 1    /* token highlighted */
#define JOIN 2  /* ... in one span with the next token */

/* Writes text[ws..we) with the spans lying wholly inside it marked. */
static void render(const scan *s, const char *text, size_t len, size_t ws, size_t we,
                   const char *pre, const char *post, buf *o)
{
    unsigned char *fl = calloc(s->n ? s->n : 1, 1);
    if (!fl) {
        o->oom = 1;
        return;
    }
    for (size_t i = 0; i < s->nsp; i++) {
        const span *x = &s->sp[i];
        if (s->t[x->a].start < ws || s->t[x->b].end > we)
            continue;
        for (uint32_t k = x->a; k <= x->b; k++)
            fl[k] |= k < x->b ? HL | JOIN : HL;
    }
    if (ws > 0)
        buf_put(o, "...", 3);
    size_t at = ws;
    for (size_t i = 0; i < s->n; i++) {
        if (!(fl[i] & HL) || s->t[i].start < at)
            continue;
        size_t j = i;
        while (j + 1 < s->n && (fl[j] & JOIN) && (fl[j + 1] & HL))
            j++;
        put_text(o, text + at, s->t[i].start - at);
        buf_put(o, pre, strlen(pre));
        put_text(o, text + s->t[i].start, s->t[j].end - s->t[i].start);
        buf_put(o, post, strlen(post));
        at = s->t[j].end;
        i = j;
    }
    put_text(o, text + at, we - at);
    if (we < len)
        buf_put(o, "...", 3);
    free(fl);
}

/* Chooses the window of the scanned spans and writes the snippet. */
static char *finish(scan *s, const char *text, size_t len, size_t want, const char *pre,
                    const char *post)
{
    buf o;
    buf_init(&o);
    if (!s->oom) {
        if (s->nsp)
            qsort(s->sp, s->nsp, sizeof *s->sp, span_cmp);
        size_t ws = 0, we = 0;
        if (!best_window(s, want, &ws, &we))
            ws = we = 0;
        widen(s, len, want, &ws, &we);
        while (ws < we && ((unsigned char)text[ws] & 0xC0) == 0x80)
            ws++;
        while (we < len && we > ws && ((unsigned char)text[we] & 0xC0) == 0x80)
            we--;
        render(s, text, len, ws, we, pre, post, &o);
    }
    int oom = s->oom;
    free(s->t);
    free(s->sp);
    if (oom || !buf_cstr(&o) || o.oom) {
        buf_free(&o);
        return NULL;
    }
    size_t n;
    return (char *)buf_steal(&o, &n);
}

char *snippet_query(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                    const char *post, const snip_query *q)
{
    if (!text || want == 0 || len == 0)
        return strdup("");
    scan s = { 0 };
    size_t nu = q ? q->nu : 0;
    size_t *base = malloc((nu ? nu : 1) * sizeof *base);
    if (!base)
        return NULL;
    for (size_t u = 0; u < nu; u++) {
        base[u] = (size_t)-1;
        if (q->u[u].nw == 0 || s.nwords + q->u[u].nw > SNIPPET_WORDS_MAX)
            continue;
        base[u] = s.nwords;
        for (size_t k = 0; k < q->u[u].nw; k++)
            s.words[s.nwords++] = &q->u[u].w[k];
    }
    analyzer_run(a, text, len < SNIPPET_SCAN_MAX ? len : SNIPPET_SCAN_MAX, 0, on_token, &s);
    if (!s.oom && nu)
        query_spans(&s, q, base);
    free(base);
    return finish(&s, text, len, want, pre, post);
}

char *snippet_make(analyzer *a, const char *text, size_t len, size_t want, const char *pre,
                   const char *post, snip_match_fn match, void *ctx)
{
    if (!text || want == 0 || len == 0)
        return strdup("");
    scan s = { .match = match, .ctx = ctx };
    analyzer_run(a, text, len < SNIPPET_SCAN_MAX ? len : SNIPPET_SCAN_MAX, 0, on_token, &s);
    for (size_t i = 0; i < s.n && !s.oom; i++) {
        span x = { (uint32_t)i, (uint32_t)i, s.t[i].key, 1.0, 0 };
        if (s.t[i].key)
            add_span(&s, &x);
    }
    return finish(&s, text, len, want, pre, post);
}

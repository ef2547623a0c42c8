/* queries.c — benchmark query sets: the shared reuters-400 list and the
 * seeded recipe that derives OR, AND, phrase, rare and date-filtered
 * queries from any corpus (the recipe is documented in bench/README.md). */
#include "bench.h"
#include "util/strmap.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bqueries_add(bqueries *qs, int type, const char *const *words, int n,
                  int64_t since, int64_t until, const char *label)
{
    if (qs->n == qs->cap) {
        qs->cap = qs->cap ? qs->cap * 2 : 256;
        qs->q = realloc(qs->q, qs->cap * sizeof *qs->q);
        if (!qs->q) { perror("realloc"); exit(1); }
    }
    bquery *q = &qs->q[qs->n++];
    memset(q, 0, sizeof *q);
    q->type = type;
    q->nwords = n;
    q->words = calloc((size_t)n + 1, sizeof *q->words);
    for (int i = 0; i < n; i++) q->words[i] = strdup(words[i]);
    q->since = since;
    q->until = until;
    snprintf(q->label, sizeof q->label, "%s", label);
}

void bqueries_free(bqueries *qs)
{
    for (size_t i = 0; i < qs->n; i++) {
        for (int w = 0; w < qs->q[i].nwords; w++) free(qs->q[i].words[w]);
        free(qs->q[i].words);
    }
    free(qs->q);
    memset(qs, 0, sizeof *qs);
}

/* reuters-400.tsv: TYPE<TAB>QUERY with "+word" for AND and "\"a b\"" for
 * phrases; the markers are dropped, the type says how to combine words. */
int bqueries_load_tsv(bqueries *qs, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        int type = -1;
        for (int t = 0; t < Q_NTYPES; t++)
            if (strcmp(line, bench_qtype_name[t]) == 0) type = t;
        if (type < 0) continue;
        const char *w[8];
        int n = 0;
        char *save = NULL;
        for (char *p = tab + 1; *p; p++)
            *p = (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
                     ? (char)tolower((unsigned char)*p) : ' ';
        for (char *t = strtok_r(tab + 1, " ", &save); t && n < 8; t = strtok_r(NULL, " ", &save))
            w[n++] = t;
        char label[32];
        snprintf(label, sizeof label, "r400:%d", lineno);
        if (n) bqueries_add(qs, type, w, n, BENCH_NO_DATE, BENCH_NO_DATE, label);
    }
    fclose(f);
    return 0;
}

/* search-benchmark-game queries.txt: JSON Lines {"query", "tags"}; the
 * first tag gives the type: intersection -> AND, phrase -> phrase,
 * union -> OR.  Negated, mixed and single-term queries are left out (no
 * other type here has exclusions).  Markers (+, quotes) are dropped. */
int bqueries_load_sbg(bqueries *qs, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_t *o = json_loads(line, 0, NULL);
        const char *q = json_string_value(json_object_get(o, "query"));
        const char *tag = json_string_value(json_array_get(json_object_get(o, "tags"), 0));
        int type = !tag ? -1 : !strcmp(tag, "intersection") ? Q_AND : !strcmp(tag, "phrase") ? Q_PHRASE
                 : !strcmp(tag, "union") ? Q_OR : -1;
        if (q && type >= 0) {
            char *copy = strdup(q), *save = NULL;
            const char **w = calloc(strlen(q) + 1, sizeof *w);
            int n = 0;
            for (char *p = copy; *p; p++)
                *p = (isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
                         ? (char)tolower((unsigned char)*p) : ' ';
            for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) w[n++] = t;
            char label[32];
            snprintf(label, sizeof label, "sbg:%d", lineno);
            if (n) bqueries_add(qs, type, w, n, BENCH_NO_DATE, BENCH_NO_DATE, label);
            free(w);
            free(copy);
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

/* ---------------------------------------------------------- derivation */

static const char *const stopwords[] = {
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "had",
    "has", "have", "he", "her", "his", "if", "in", "into", "is", "it", "its",
    "not", "of", "on", "or", "said", "she", "that", "the", "their", "there",
    "they", "this", "to", "was", "were", "which", "will", "with", "would", NULL
};

static int is_stop(const char *w)
{
    for (const char *const *s = stopwords; *s; s++)
        if (strcmp(*s, w) == 0) return 1;
    return 0;
}

static int is_alpha_word(const char *w, size_t n)
{
    if (n < 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalpha((unsigned char)w[i])) return 0;
    return 1;
}

typedef struct dfctx {
    strmap   *map;
    uint32_t *df, *last;  /* by word index: document frequency, last doc */
    size_t    n, cap;
    uint32_t  doc;
} dfctx;

static void df_word(const char *w, size_t n, void *arg)
{
    dfctx *d = arg;
    if (!is_alpha_word(w, n)) return;
    int ins = 0;
    uint32_t *slot = strmap_upsert(d->map, w, n, (uint32_t)d->n, &ins);
    if (!slot) { perror("strmap"); exit(1); }
    uint32_t i = *slot;
    if (ins) {
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 65536;
            d->df = realloc(d->df, d->cap * sizeof *d->df);
            d->last = realloc(d->last, d->cap * sizeof *d->last);
        }
        d->df[i] = 0;
        d->last[i] = UINT32_MAX;
        d->n++;
    }
    if (d->last[i] != d->doc) { d->df[i]++; d->last[i] = d->doc; }
}

typedef struct wlist { char **w; size_t n, cap; } wlist;

static void wl_add(wlist *l, const char *w, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->w = realloc(l->w, l->cap * sizeof *l->w);
    }
    l->w[l->n++] = strndup(w, n);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void wl_free(wlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->w[i]);
    free(l->w);
}

/* Bigram counting over a sample of documents, for phrase queries. */
typedef struct bgctx {
    strmap   *map;
    uint32_t *cnt;
    size_t    n, cap;
    char      prev[64];
    size_t    prevn;
} bgctx;

static void bg_word(const char *w, size_t n, void *arg)
{
    bgctx *b = arg;
    if (b->prevn && is_alpha_word(w, n) && !(is_stop(w) && is_stop(b->prev))) {
        char key[160];
        int kn = snprintf(key, sizeof key, "%s %s", b->prev, w);
        int ins = 0;
        uint32_t *slot = strmap_upsert(b->map, key, (size_t)kn, (uint32_t)b->n, &ins);
        if (ins) {
            if (b->n == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 65536;
                b->cnt = realloc(b->cnt, b->cap * sizeof *b->cnt);
            }
            b->cnt[b->n++] = 0;
        }
        b->cnt[*slot]++;
    }
    if (is_alpha_word(w, n) && n < sizeof b->prev) {
        memcpy(b->prev, w, n + 1);
        b->prevn = n;
    } else {
        b->prevn = 0;
    }
}

static const char *pick(const wlist *l, uint64_t *rng)
{
    return l->w[bench_rng(rng) % l->n];
}

/* Picks `n` distinct words from l into w. */
static void pick_distinct(const wlist *l, uint64_t *rng, const char **w, int n)
{
    for (int i = 0; i < n; i++) {
        const char *c;
        int dup;
        do {
            c = pick(l, rng);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= strcmp(w[j], c) == 0;
        } while (dup && l->n > (size_t)n);
        w[i] = c;
    }
}

static void derive_phrases(bqueries *qs, const bcorpus *c, int per_type, uint64_t *rng)
{
    bgctx b = { .map = strmap_new() };
    size_t step = c->n > 20000 ? c->n / 20000 : 1;
    for (size_t i = 0; i < c->n; i += step) {
        b.prevn = 0;
        bench_tokenize(c->docs[i].body, bg_word, &b);
    }
    size_t sampled = (c->n + step - 1) / step;
    uint32_t min = sampled >= 10000 ? 15 : sampled >= 1000 ? 5 : 2;
    wlist cand = { 0 };
    size_t it = 0;
    const char *key;
    size_t kn;
    uint32_t v;
    while (strmap_at(b.map, &it, &key, &kn, &v))
        if (b.cnt[v] >= min) wl_add(&cand, key, kn);
    qsort(cand.w, cand.n, sizeof *cand.w, cmp_str);
    for (int i = 0; i < per_type && cand.n; i++) {
        char *two = strdup(pick(&cand, rng)), *sp = strchr(two, ' ');
        *sp = 0;
        const char *w[2] = { two, sp + 1 };
        char label[32];
        snprintf(label, sizeof label, "derived:phrase:%d", i);
        bqueries_add(qs, Q_PHRASE, w, 2, BENCH_NO_DATE, BENCH_NO_DATE, label);
        free(two);
    }
    wl_free(&cand);
    free(b.cnt);
    strmap_free(b.map);
}

/* The recipe: document frequencies over title + body of every article;
 * "mid" words are alphabetic, >= 3 letters, not stop words, with df in
 * [max(5, N/400), N/7]; "rare" words have df 2..8.  From an xorshift64*
 * stream seeded with `seed`: OR = 2-3 mid words, AND = 2 mid words,
 * rare = 1-2 rare words, phrase = a two-word sequence seen >= 15 times in
 * a sample of 20,000 bodies (fewer for small corpora), date = an OR query
 * limited to a random window of 10% of the corpus's date span. */
void bqueries_derive(bqueries *qs, const bcorpus *c, int per_type, uint64_t seed)
{
    dfctx d = { .map = strmap_new() };
    for (size_t i = 0; i < c->n; i++) {
        d.doc = (uint32_t)i;
        bench_tokenize(c->docs[i].title, df_word, &d);
        bench_tokenize(c->docs[i].body, df_word, &d);
    }
    uint32_t lo = (uint32_t)(c->n / 400 > 5 ? c->n / 400 : 5), hi = (uint32_t)(c->n / 7);
    wlist mid = { 0 }, rare = { 0 };
    size_t it = 0;
    const char *key;
    size_t kn;
    uint32_t v;
    while (strmap_at(d.map, &it, &key, &kn, &v)) {
        char w[64];
        snprintf(w, sizeof w, "%.*s", (int)kn, key);
        if (is_stop(w)) continue;
        if (d.df[v] >= lo && d.df[v] <= hi) wl_add(&mid, key, kn);
        else if (d.df[v] >= 2 && d.df[v] <= 8) wl_add(&rare, key, kn);
    }
    qsort(mid.w, mid.n, sizeof *mid.w, cmp_str);
    qsort(rare.w, rare.n, sizeof *rare.w, cmp_str);
    uint64_t rng = seed ? seed : 42;
    const char *w[3];
    char label[32];
    for (int i = 0; i < per_type && mid.n > 3; i++) {
        int n = 2 + (int)(bench_rng(&rng) % 2);
        pick_distinct(&mid, &rng, w, n);
        snprintf(label, sizeof label, "derived:or:%d", i);
        bqueries_add(qs, Q_OR, w, n, BENCH_NO_DATE, BENCH_NO_DATE, label);
    }
    for (int i = 0; i < per_type && mid.n > 3; i++) {
        pick_distinct(&mid, &rng, w, 2);
        snprintf(label, sizeof label, "derived:and:%d", i);
        bqueries_add(qs, Q_AND, w, 2, BENCH_NO_DATE, BENCH_NO_DATE, label);
    }
    derive_phrases(qs, c, per_type, &rng);
    for (int i = 0; i < per_type && rare.n > 3; i++) {
        int n = 1 + (int)(bench_rng(&rng) % 2);
        pick_distinct(&rare, &rng, w, n);
        snprintf(label, sizeof label, "derived:rare:%d", i);
        bqueries_add(qs, Q_RARE, w, n, BENCH_NO_DATE, BENCH_NO_DATE, label);
    }
    int64_t span = c->date_max - c->date_min;
    for (int i = 0; i < per_type && mid.n > 3 && c->date_min != BENCH_NO_DATE && span > 0; i++) {
        int n = 2 + (int)(bench_rng(&rng) % 2);
        pick_distinct(&mid, &rng, w, n);
        int64_t win = span / 10 > 86400 ? span / 10 : 86400;
        int64_t start = c->date_min + (int64_t)(bench_rng(&rng) % (uint64_t)(span - win > 0 ? span - win : 1));
        snprintf(label, sizeof label, "derived:date:%d", i);
        bqueries_add(qs, Q_DATE, w, n, start, start + win, label);
    }
    wl_free(&mid);
    wl_free(&rare);
    free(d.df);
    free(d.last);
    strmap_free(d.map);
}

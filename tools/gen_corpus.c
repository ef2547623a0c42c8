/* gen_corpus.c — a seeded generator of large synthetic news corpora that
 * keep the statistics of a real one (Reuters-21578 by default).
 *
 *   gen_corpus [-n ARTICLES] [-s SEED] [--start YEAR] [--years N] SOURCE.jsonl > OUT.jsonl
 *
 * Model, all learnt from SOURCE (JSON Lines with title and body):
 *  - words are the source's whitespace-separated tokens, case and
 *    punctuation kept, so every tokenizer sees real text shapes;
 *  - a first-order Markov chain per field (title, body): each next token is
 *    drawn from the tokens that followed the current one in the source, in
 *    proportion to how often (the empirical bigram distribution), and the
 *    first token from the source's first tokens; a dead end restarts at a
 *    random source token (the unigram distribution);
 *  - each article takes the (title length, body length) pair of a random
 *    source article, so the length distribution is the source's;
 *  - vocabulary growth follows the source's own Heaps curve V(n) = K n^b,
 *    b measured on the source (V at half its tokens vs all of them): when a
 *    token that is rare in the source (seen at most twice) is emitted at
 *    generated token n, with probability q(n) = min(1, q0 (1 + n/T0)^(b-1)) a
 *    new word is minted (the token plus a letter suffix), otherwise, half
 *    the time, an earlier minted word is reused, chosen in proportion to
 *    its uses (preferential attachment keeps the tail Zipfian); q0 makes
 *    the rate of new words where the source ends equal to the source's own
 *    rate there, b V0 / T0, so the generated text continues its Heaps curve
 *    (about V0 ((1 + n/T0)^b - 1) new words after n generated tokens);
 *  - dates rise with the article number over `--years` years from
 *    `--start` (default 1987, 30 years), with up to a day of jitter.
 * The same SOURCE, -n and -s give the same bytes. */
#include "util/strmap.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vec { uint32_t *v; size_t n, cap; } vec;

static void vpush(vec *a, uint32_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 4096;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        if (!a->v) { perror("realloc"); exit(1); }
    }
    a->v[a->n++] = x;
}

/* One field's chain: successors of each token as CSR arrays. */
typedef struct chain {
    vec pairs;        /* (from, to) flattened while reading */
    vec starts;       /* first token of each source text */
    uint32_t *off;    /* off[t] .. off[t+1]: successors of t in succ */
    uint32_t *succ;
} chain;

typedef struct model {
    strmap  *vocab;
    vec      strs;        /* token id -> offset in text */
    char    *text;        /* token strings, NUL-separated */
    size_t   textn, textcap;
    vec      count;       /* token id -> occurrences in the source */
    vec      stream;      /* every body token in order (unigram restarts) */
    chain    title, body;
    vec      tlen, blen;  /* per source article */
    uint64_t half_vocab;  /* distinct tokens after half the articles */
    double   beta, q0;
} model;

static uint64_t rng(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static double unif(uint64_t *s) { return (double)(rng(s) >> 11) / 9007199254740992.0; }

static uint32_t intern(model *m, const char *w, size_t n)
{
    int ins = 0;
    uint32_t *slot = strmap_upsert(m->vocab, w, n, (uint32_t)m->strs.n, &ins);
    if (!slot) { perror("strmap"); exit(1); }
    if (ins) {
        if (m->textn + n + 1 > m->textcap) {
            m->textcap = (m->textn + n + 1) * 2;
            m->text = realloc(m->text, m->textcap);
        }
        vpush(&m->strs, (uint32_t)m->textn);
        memcpy(m->text + m->textn, w, n);
        m->text[m->textn + n] = 0;
        m->textn += n + 1;
        vpush(&m->count, 0);
    }
    return *slot;
}

/* Splits s on white space into tokens of the chain; returns the count. */
static uint32_t learn(model *m, chain *c, const char *s, int body)
{
    uint32_t prev = UINT32_MAX, n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
        size_t k = strcspn(s, " \n\t\r");
        if (!k) break;
        uint32_t t = intern(m, s, k);
        m->count.v[t]++;
        if (body) vpush(&m->stream, t);
        if (prev == UINT32_MAX) vpush(&c->starts, t);
        else { vpush(&c->pairs, prev); vpush(&c->pairs, t); }
        prev = t;
        n++;
        s += k;
    }
    return n;
}

static void chain_finish(chain *c, size_t nv)
{
    c->off = calloc(nv + 2, sizeof *c->off);
    c->succ = malloc((c->pairs.n / 2 + 1) * sizeof *c->succ);
    for (size_t i = 0; i < c->pairs.n; i += 2) c->off[c->pairs.v[i] + 2]++;
    for (size_t t = 0; t < nv; t++) c->off[t + 2] += c->off[t + 1];
    for (size_t i = 0; i < c->pairs.n; i += 2) c->succ[c->off[c->pairs.v[i] + 1]++] = c->pairs.v[i + 1];
    free(c->pairs.v);
    c->pairs.v = NULL;
}

static int load(model *m, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lines = 0;
    while ((len = getline(&line, &cap, f)) > 0) lines++;
    rewind(f);
    size_t i = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        const char *t = json_string_value(json_object_get(o, "title"));
        const char *b = json_string_value(json_object_get(o, "body"));
        if (t || b) {
            vpush(&m->tlen, t ? learn(m, &m->title, t, 0) : 0);
            vpush(&m->blen, b ? learn(m, &m->body, b, 1) : 0);
        }
        if (++i == lines / 2) m->half_vocab = m->strs.n;
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (!m->tlen.n || !m->stream.n) { fprintf(stderr, "%s: no text\n", path); return -1; }
    chain_finish(&m->title, m->strs.n);
    chain_finish(&m->body, m->strs.n);
    /* Heaps exponent from the source: V(all) / V(half) = 2^b (by articles,
     * which is close to half the tokens). */
    m->beta = log((double)m->strs.n / (double)m->half_vocab) / log(2.0);
    if (m->beta < 0.3 || m->beta > 0.9) m->beta = 0.6;
    size_t rare = 0;
    for (size_t k = 0; k < m->stream.n; k++) rare += m->count.v[m->stream.v[k]] <= 2;
    double f_rare = (double)rare / (double)m->stream.n;
    m->q0 = m->beta * (double)m->strs.n / (double)m->stream.n / (f_rare > 0 ? f_rare : 1);
    return 0;
}

typedef struct gen {
    model   *m;
    uint64_t seed, n;      /* rng state, generated tokens so far */
    vec      minted;       /* history of minted-word uses (ids into mtext) */
    vec      moff;         /* minted id -> offset in mtext */
    char    *mtext;
    size_t   mtextn, mtextcap;
} gen;

static void out_json_str(FILE *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { fputc('\\', o); fputc(c, o); }
        else if (c == '\n') fputs("\\n", o);
        else if (c < 0x20) fprintf(o, "\\u%04x", c);
        else fputc(c, o);
    }
}

/* A new word from a rare token: its letters plus a suffix spelling the
 * minted count in base 26, trailing punctuation kept after the suffix. */
static uint32_t mint(gen *g, const char *tok)
{
    size_t n = strlen(tok), core = n;
    while (core && !((tok[core - 1] | 32) >= 'a' && (tok[core - 1] | 32) <= 'z') &&
           !(tok[core - 1] >= '0' && tok[core - 1] <= '9'))
        core--;
    char suf[16];
    size_t sn = 0;
    for (uint64_t v = g->moff.n + 1; v && sn < sizeof suf; v /= 26) suf[sn++] = (char)('a' + v % 26);
    if (g->mtextn + n + sn + 1 > g->mtextcap) {
        g->mtextcap = (g->mtextn + n + sn + 1) * 2;
        g->mtext = realloc(g->mtext, g->mtextcap);
    }
    char *d = g->mtext + g->mtextn;
    memcpy(d, tok, core);
    memcpy(d + core, suf, sn);
    memcpy(d + core + sn, tok + core, n - core);
    d[n + sn] = 0;
    vpush(&g->moff, (uint32_t)g->mtextn);
    g->mtextn += n + sn + 1;
    return (uint32_t)(g->moff.n - 1);
}

static const char *emit(gen *g, uint32_t t)
{
    model *m = g->m;
    const char *tok = m->text + m->strs.v[t];
    g->n++;
    if (m->count.v[t] > 2) return tok;
    double q = m->q0 * pow(1.0 + (double)g->n / (double)m->stream.n, m->beta - 1.0);
    if (unif(&g->seed) < (q < 1 ? q : 1)) {
        uint32_t id = mint(g, tok);
        vpush(&g->minted, id);
        return g->mtext + g->moff.v[id];
    }
    if (g->minted.n && unif(&g->seed) < 0.5) {
        uint32_t id = g->minted.v[rng(&g->seed) % g->minted.n];
        vpush(&g->minted, id);
        return g->mtext + g->moff.v[id];
    }
    return tok;
}

static void field(gen *g, FILE *o, const chain *c, uint32_t len)
{
    model *m = g->m;
    uint32_t t = c->starts.v[rng(&g->seed) % c->starts.n];
    for (uint32_t i = 0; i < len; i++) {
        if (i) {
            uint32_t a = c->off[t], b = c->off[t + 1];
            t = b > a ? c->succ[a + rng(&g->seed) % (b - a)]
                      : m->stream.v[rng(&g->seed) % m->stream.n];
            fputc(' ', o);
        }
        const char *w = emit(g, t);
        out_json_str(o, w, strlen(w));
    }
}

static void civil(int64_t days, int *y, int *mo, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
}

int main(int argc, char **argv)
{
    uint64_t n = 200000, seed = 1;
    int start = 1987, years = 30;
    const char *src = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) n = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--start") && i + 1 < argc) start = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--years") && i + 1 < argc) years = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !src) src = argv[i];
        else {
            fprintf(stderr, "usage: gen_corpus [-n ARTICLES] [-s SEED] [--start YEAR] [--years N] "
                            "SOURCE.jsonl > OUT.jsonl\n");
            return 2;
        }
    }
    if (!src) { fprintf(stderr, "gen_corpus: no SOURCE.jsonl\n"); return 2; }
    model m = { .vocab = strmap_new() };
    if (load(&m, src) != 0) return 1;
    fprintf(stderr, "gen_corpus: %zu source articles, %zu tokens, %zu distinct; Heaps b = %.3f, "
            "q0 = %.3f\n", m.tlen.n, m.stream.n, m.strs.n, m.beta, m.q0);
    gen g = { .m = &m, .seed = seed * 0x9E3779B97F4A7C15ull + 1 };
    FILE *o = stdout;
    static char obuf[1 << 20];
    setvbuf(o, obuf, _IOFBF, sizeof obuf);
    int64_t day0 = 0;
    { /* days from 1970-01-01 to start-01-01 */
        int y = start - 1;
        day0 = (int64_t)365 * (start - 1970) + (y / 4 - y / 100 + y / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);
    }
    double span = years * 365.2425 * 86400.0;
    for (uint64_t i = 0; i < n; i++) {
        size_t s = rng(&g.seed) % m.tlen.n;
        int64_t t = day0 * 86400 + (int64_t)(span * (double)i / (double)n) +
                    (int64_t)(rng(&g.seed) % 86400);
        int y, mo, d;
        civil(t / 86400, &y, &mo, &d);
        int64_t sec = t % 86400;
        fprintf(o, "{\"id\":\"gen-%llu\",\"title\":\"", (unsigned long long)i);
        field(&g, o, &m.title, m.tlen.v[s] ? m.tlen.v[s] : 1);
        fputs("\",\"body\":\"", o);
        field(&g, o, &m.body, m.blen.v[s]);
        fprintf(o, "\",\"date\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"source\":\"generated\"}\n", y, mo,
                d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
    }
    if (fflush(o) != 0) { perror("write"); return 1; }
    fprintf(stderr, "gen_corpus: %llu articles, %llu tokens, %zu minted words\n",
            (unsigned long long)n, (unsigned long long)g.n, g.moff.n);
    return 0;
}

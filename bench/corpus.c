/* corpus.c — loads article corpora (JSON Lines) into memory for the bench,
 * parses the date formats they carry, and tokenizes text for query derivation. */
#include "bench.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const bench_qtype_name[Q_NTYPES] = { "or", "and", "phrase", "rare", "date" };

static char *dupstr(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    char *d = malloc(n + 1);
    if (!d) { perror("malloc"); exit(1); }
    if (n) memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static void count_word(const char *w, size_t n, void *arg)
{
    (void)w; (void)n;
    ++*(uint64_t *)arg;
}

void bcorpus_init(bcorpus *c, const char *name)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->date_min = BENCH_NO_DATE;
    c->date_max = BENCH_NO_DATE;
}

void bcorpus_add(bcorpus *c, const char *id, const char *title,
                 const char *body, int64_t date)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->docs = realloc(c->docs, c->cap * sizeof *c->docs);
        if (!c->docs) { perror("realloc"); exit(1); }
    }
    bdoc *d = &c->docs[c->n++];
    d->id = dupstr(id);
    d->title = dupstr(title);
    d->body = dupstr(body);
    d->date = date;
    c->text_bytes += strlen(d->title) + strlen(d->body);
    bench_tokenize(d->title, count_word, &c->words);
    bench_tokenize(d->body, count_word, &c->words);
    if (date != BENCH_NO_DATE) {
        if (c->date_min == BENCH_NO_DATE || date < c->date_min) c->date_min = date;
        if (c->date_max == BENCH_NO_DATE || date > c->date_max) c->date_max = date;
    }
}

void bcorpus_free(bcorpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->docs[i].id);
        free(c->docs[i].title);
        free(c->docs[i].body);
    }
    free(c->docs);
    memset(c, 0, sizeof *c);
}

static const char *json_field(json_t *o, const char *const *names)
{
    for (; *names; names++) {
        json_t *v = json_object_get(o, *names);
        if (json_is_string(v)) return json_string_value(v);
    }
    return NULL;
}

static int64_t json_date(json_t *o)
{
    static const char *const names[] = { "date", "published", "timestamp", NULL };
    for (const char *const *n = names; *n; n++) {
        json_t *v = json_object_get(o, *n);
        if (json_is_integer(v)) return (int64_t)json_integer_value(v);
        if (json_is_string(v)) return bench_parse_date(json_string_value(v));
    }
    return BENCH_NO_DATE;
}

/* Loads at most `limit` articles (0 = all) from a JSON Lines file. */
int bcorpus_load_jsonl(bcorpus *c, const char *path, size_t limit)
{
    static const char *const idn[] = { "id", NULL };
    static const char *const tn[] = { "title", "headline", NULL };
    static const char *const bn[] = { "body", "text", "content", NULL };
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (limit && c->n >= limit) break;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)len, 0, &jerr);
        if (!json_is_object(o)) {
            fprintf(stderr, "%s:%zu: skipped: %s\n", path, lineno, jerr.text);
            json_decref(o);
            continue;
        }
        const char *id = json_field(o, idn);
        char idbuf[32];
        if (!id) { snprintf(idbuf, sizeof idbuf, "line-%zu", lineno); id = idbuf; }
        const char *t = json_field(o, tn), *b = json_field(o, bn);
        if ((t && *t) || (b && *b))
            bcorpus_add(c, id, t ? t : "", b ? b : "", json_date(o));
        json_decref(o);
    }
    free(line);
    fclose(f);
    return 0;
}

static int month_of(const char *s)
{
    static const char *const m[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec" };
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, m[i], 3) == 0) return i + 1;
    return 0;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ISO 8601 ("2020-01-02", "2020-01-02T03:04:05Z"), a bare year, Reuters'
 * "26-FEB-1987 15:01:01.79", or seconds as digits.  Offsets are ignored. */
int64_t bench_parse_date(const char *s)
{
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, se = 0;
    char mon[4] = { 0 };
    if (!s || !*s) return BENCH_NO_DATE;
    int rd = 0;
    if (sscanf(s, "%d-%3[A-Za-z]-%d %d:%d:%d", &rd, mon, &y, &h, &mi, &se) >= 3 &&
        month_of(mon)) {
        mo = month_of(mon);
        d = rd;
    } else if (sscanf(s, "%4d-%2d-%2d%*[T ]%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) >= 1 &&
               strlen(s) >= 4 && s[4] == '-') {
        /* fields parsed */
    } else if (strlen(s) == 4 && sscanf(s, "%4d", &y) == 1) {
        /* a year */
    } else {
        char *end;
        long long v = strtoll(s, &end, 10);
        return (*end == 0) ? (int64_t)v : BENCH_NO_DATE;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return BENCH_NO_DATE;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

size_t bench_tokenize(const char *s, void (*fn)(const char *w, size_t n, void *arg),
                      void *arg)
{
    char w[64];
    size_t n = 0, words = 0;
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        int in = *p && (isalnum(*p) || *p >= 0x80);
        if (in) {
            if (n < sizeof w - 1) w[n++] = (char)tolower(*p);
            continue;
        }
        if (n) {
            w[n] = 0;
            if (fn) fn(w, n, arg);
            words++;
            n = 0;
        }
        if (!*p) break;
    }
    return words;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void bench_sort(double *v, size_t n)
{
    if (n) qsort(v, n, sizeof *v, cmp_double);
}

/* The nearest-rank percentile: the smallest value with a share p of them
 * at or below it. */
double bench_pct(const double *v, size_t n, double p)
{
    if (!n) return 0;
    size_t i = (size_t)(p * (double)n + 0.999999);
    return v[i ? i - 1 : 0];
}

uint64_t bench_rng(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* bench_analysis.c — analysis throughput on real news text: every <BODY> of
 * the Reuters-21578 SGML files (Latin-1, converted to UTF-8) run through
 * analyzer_run, one analyzer, one core.  Not part of `make test`; build and
 * run from the repository root after `make`:
 *
 *   gcc -O2 -g -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -o build/bench_analysis \
 *       bench/analysis/bench_analysis.c build/libmorgue.a \
 *       -lxapian -lstemmer -lutf8proc -ljansson -lgumbo -lisal -ldeflate -lz -lpthread -lm -lstdc++
 *   zcat ../shared/corpora/reuters21578/reut2-*.sgm.gz | build/bench_analysis [language] [passes]
 *
 * Prints MB/s of body text (input bytes), tokens/s and stem cache counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analyzer.h"

typedef struct doc {
    size_t off, len;
} doc;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads stdin whole. */
static char *slurp(size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *p = malloc(cap);
    size_t r;
    while (p && (r = fread(p + n, 1, cap - n, stdin)) > 0) {
        n += r;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    *len = n;
    return p;
}

/* Appends src[0..n) as UTF-8 (from Latin-1), decoding &#N; references
 * and &lt; &gt; &amp; crudely. */
static size_t latin1_to_utf8(const unsigned char *s, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c == '&' && i + 3 < n && s[i + 1] == '#') {
            unsigned v = 0;
            size_t j = i + 2;
            while (j < n && s[j] >= '0' && s[j] <= '9' && v < 100000)
                v = v * 10 + (s[j++] - '0');
            if (j < n && s[j] == ';') {
                c = v;
                i = j;
            }
        } else if (c == '&' && i + 3 < n && memcmp(s + i, "&lt;", 4) == 0) {
            c = '<';
            i += 3;
        } else if (c == '&' && i + 4 < n && memcmp(s + i, "&amp;", 5) == 0) {
            c = '&';
            i += 4;
        }
        if (c < 0x80) {
            out[o++] = (unsigned char)c;
        } else if (c < 0x800) {
            out[o++] = (unsigned char)(0xC0 | c >> 6);
            out[o++] = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (unsigned char)(0xE0 | (c >> 12 & 0x0F));
            out[o++] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
            out[o++] = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    return o;
}

static int count_tok(void *ctx, const token *t)
{
    uint64_t *sum = ctx;
    *sum += t->term_len + t->raw_len;  /* touch the forms like an indexer would */
    return 0;
}

int main(int argc, char **argv)
{
    const char *lang = argc > 1 ? argv[1] : "english";
    int passes = argc > 2 ? atoi(argv[2]) : 5;
    size_t n;
    char *sgml = slurp(&n);
    unsigned char *text = malloc(n * 3 + 1);
    doc *docs = malloc(sizeof *docs * 30000);
    size_t ndocs = 0, tlen = 0;
    for (char *p = sgml; sgml && ndocs < 30000 && (p = strstr(p, "<BODY>"));) {
        p += 6;
        char *e = strstr(p, "</BODY>");
        if (!e)
            break;
        docs[ndocs].off = tlen;
        docs[ndocs].len = latin1_to_utf8((unsigned char *)p, (size_t)(e - p), text + tlen);
        tlen += docs[ndocs++].len;
        p = e;
    }
    errbuf err;
    analyzer *a = analyzer_new(lang, &err);
    if (!a) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double best = 1e9;
    uint64_t tokens = 0, sum = 0;
    for (int pass = 0; pass < passes; pass++) {
        double t0 = now();
        tokens = 0;
        for (size_t d = 0; d < ndocs; d++)
            tokens += analyzer_run(a, (const char *)text + docs[d].off, docs[d].len, 0, count_tok,
                                   &sum);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    uint64_t hits, misses;
    size_t bytes;
    analyzer_cache_stats(a, &hits, &misses, &bytes);
    printf("%s: %zu bodies, %.1f MB, %llu tokens; best of %d passes %.3f s = %.1f MB/s, "
           "%.1f M tokens/s\n",
           lang, ndocs, tlen / 1e6, (unsigned long long)tokens, passes, best, tlen / 1e6 / best,
           tokens / 1e6 / best);
    printf("cache: %llu hits, %llu misses (%.2f%% hit), %.1f MB; bad UTF-8 %llu; checksum %llu\n",
           (unsigned long long)hits, (unsigned long long)misses,
           100.0 * (double)hits / (double)(hits + misses + !(hits + misses)), bytes / 1e6,
           (unsigned long long)analyzer_bad_utf8(a), (unsigned long long)sum);
    analyzer_free(a);
    free(docs);
    free(text);
    free(sgml);
    return 0;
}

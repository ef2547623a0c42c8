/* bench.h — shared types of the benchmark harness: corpora in memory, query
 * sets, relevance judgments and the engine interface every peer implements. */
#ifndef MG_BENCH_H
#define MG_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_NO_DATE INT64_MIN

/* One article as the harness hands it to every engine. */
typedef struct bdoc {
    char   *id;     /* external id (the judged collections use their number) */
    char   *title;  /* may be "" */
    char   *body;   /* may be "" */
    int64_t date;   /* seconds since the epoch, or BENCH_NO_DATE */
} bdoc;

/* A corpus loaded in memory. */
typedef struct bcorpus {
    char   name[64];
    bdoc  *docs;
    size_t n, cap;
    uint64_t text_bytes;  /* bytes of title + body, the MB/s denominator */
    uint64_t words;       /* word occurrences by bench_tokenize, for bits/word */
    int64_t date_min, date_max;
} bcorpus;

enum { Q_OR = 0, Q_AND, Q_PHRASE, Q_RARE, Q_DATE, Q_NTYPES };
extern const char *const bench_qtype_name[Q_NTYPES];

/* One benchmark query: plain lower-case words, combined by type.  Every
 * engine turns it into its own query language (no syntax is shared). */
typedef struct bquery {
    int    type;        /* Q_* ; Q_DATE is an OR query with a date range */
    int    nwords;
    char **words;       /* owned copies */
    int64_t since, until; /* Q_DATE only (inclusive) */
    char   label[32];   /* e.g. "reuters-400:17" or "derived:3" */
} bquery;

typedef struct bqueries {
    bquery *q;
    size_t  n, cap;
} bqueries;

/* Judged collection: documents, queries and graded relevance. */
typedef struct bqrel { int qid; char *doc; int rel; } bqrel;
typedef struct bjudged {
    bcorpus  docs;
    bqueries queries;   /* type Q_OR, label = query id */
    int     *qids;      /* qids[i] is the id of queries.q[i] in the qrels */
    bqrel   *qrels;
    size_t   nqrels;
} bjudged;

/* Engine interface.  build() indexes docs [from, to) into dir (creating it
 * when create is nonzero) and commits once.  open() returns a handle for
 * one thread.  search() fills ids (docs' external ids, best first, at most
 * k) and returns their count, or -1 on error.  count() gives the exact
 * number of matches.  sizes() fills the bytes on disk. */
typedef struct bsizes {
    uint64_t inverted;  /* dictionary, postings, positions, norms */
    uint64_t stored;    /* stored text */
    uint64_t total;     /* all files of the index */
    uint64_t compact;   /* after the engine's own compaction, 0 if n/a */
} bsizes;

typedef struct bengine {
    const char *name;
    int  (*available)(char *why, size_t n);
    int  (*build)(const char *dir, const bcorpus *c, size_t from, size_t to,
                  int create, const char *idsuffix, char *err, size_t errn);
    void *(*open)(const char *dir, char *err, size_t errn);
    int  (*search)(void *h, const bquery *q, int k, char **ids);
    long (*count)(void *h, const bquery *q);
    void (*close)(void *h);
    int  (*sizes)(const char *dir, bsizes *out);
} bengine;

extern const bengine bench_morgue, bench_xapian, bench_fts5;

/* corpus.c */
void    bcorpus_init(bcorpus *c, const char *name);
void    bcorpus_add(bcorpus *c, const char *id, const char *title,
                    const char *body, int64_t date);
void    bcorpus_free(bcorpus *c);
int     bcorpus_load_jsonl(bcorpus *c, const char *path, size_t limit);
int64_t bench_parse_date(const char *s);
/* Calls fn on every lower-case word of s (ASCII letters/digits runs, other
 * bytes >= 0x80 kept inside words); returns the number of words. */
size_t  bench_tokenize(const char *s, void (*fn)(const char *w, size_t n, void *arg),
                       void *arg);

/* judged.c: cranfield, med and npl from ../shared/corpora. */
int  bjudged_load(bjudged *j, const char *kind, const char *dir);
void bjudged_free(bjudged *j);

/* queries.c */
void bqueries_add(bqueries *qs, int type, const char *const *words, int n,
                  int64_t since, int64_t until, const char *label);
void bqueries_free(bqueries *qs);
int  bqueries_load_tsv(bqueries *qs, const char *path);
int  bqueries_load_sbg(bqueries *qs, const char *path);  /* search-benchmark-game */
void bqueries_derive(bqueries *qs, const bcorpus *c, int per_type, uint64_t seed);

/* treceval.c: per-query and mean metrics, trec_eval's definitions. */
typedef struct beval { double map, ndcg10, p10; int nq; } beval;
/* run[i] holds the ranked doc ids for judged query i (nrun[i] of them). */
beval bench_evaluate(const bjudged *j, char ***run, const int *nrun);

/* Small helpers. */
double bench_now(void);          /* monotonic seconds */
uint64_t bench_rng(uint64_t *s); /* xorshift64* */
void   bench_sort(double *v, size_t n);                   /* ascending */
double bench_pct(const double *v, size_t n, double p);    /* of a sorted v; 0 if n is 0 */

#endif

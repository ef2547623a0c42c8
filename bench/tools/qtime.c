/* qtime.c — times one engine's queries of one type on an index that already
 * exists (built by ixtime, or kept by mgbench --keep/--reuse), for profiling:
 *     build/bench/qtime ENGINE INDEX_DIR CORPUS.jsonl TYPE [PASSES]
 * ENGINE is morgue or xapian, TYPE or|and|phrase|rare|date.  The queries are
 * the ones mgbench derives from the corpus (same seed, 50 per type).  Prints
 * p50/p95 in µs and each query's median; run it under `perf record`.
 * With QTIME_CYCLE=1 in the environment it replays mgbench's order instead:
 * every query of every type, PASSES times after a warm-up pass, timing only
 * TYPE's, so each query finds its own pages as cold as mgbench does.
 * QTIME_CYCLE=2 runs only TYPE's queries, each after writing 64 MB (caches
 * emptied), for profiling a cold query without the other types' work.
 * QTIME_WORD=w keeps only the queries with the word w (warm mode).
 * With QTIME_PERF=CTL,ACK (two fifos) it switches perf recording on around
 * each timed query only:
 *     perf record -D -1 --control=fifo:CTL,ACK -g -- build/bench/qtime ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

static FILE *perf_ctl, *perf_ack;

/* With QTIME_WORD=w, only the queries that have the word w (warm mode). */
static int q_wanted(const bquery *q)
{
    const char *w = getenv("QTIME_WORD");
    if (!w || !*w) return 1;
    for (int i = 0; i < q->nwords; i++)
        if (!strcmp(q->words[i], w)) return 1;
    return 0;
}

/* Opens the perf control fifos named in QTIME_PERF, if any. */
static void perf_open(void)
{
    const char *v = getenv("QTIME_PERF");
    const char *comma = v ? strchr(v, ',') : NULL;
    if (!comma) return;
    char ctl[512];
    snprintf(ctl, sizeof ctl, "%.*s", (int)(comma - v), v);
    perf_ctl = fopen(ctl, "w");
    perf_ack = fopen(comma + 1, "r");
}

/* Asks perf to start or stop recording, and waits until it has. */
static void perf_switch(const char *what)
{
    if (!perf_ctl || !perf_ack) return;
    char line[32];
    fprintf(perf_ctl, "%s\n", what);
    fflush(perf_ctl);
    if (!fgets(line, sizeof line, perf_ack)) perf_ack = NULL;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: qtime morgue|xapian INDEX_DIR CORPUS.jsonl TYPE [PASSES]\n");
        return 2;
    }
    const bengine *e = !strcmp(argv[1], "xapian") ? &bench_xapian : &bench_morgue;
    int type = -1, passes = argc > 5 ? atoi(argv[5]) : 20;
    for (int t = 0; t < Q_NTYPES; t++)
        if (!strcmp(argv[4], bench_qtype_name[t])) type = t;
    if (type < 0 || passes < 1) {
        fprintf(stderr, "qtime: unknown type %s\n", argv[4]);
        return 2;
    }
    bcorpus c;
    bcorpus_init(&c, "corpus");
    if (bcorpus_load_jsonl(&c, argv[3], 0) != 0 || c.n == 0) {
        fprintf(stderr, "qtime: cannot load %s\n", argv[3]);
        return 1;
    }
    bqueries qs = { 0 };
    bqueries_derive(&qs, &c, 50, 20261125);  /* mgbench's defaults */
    bcorpus_free(&c);
    char err[512];
    void *h = e->open(argv[2], err, sizeof err);
    if (!h) {
        fprintf(stderr, "qtime: %s\n", err);
        return 1;
    }
    perf_open();
    double *all = malloc(qs.n * (size_t)passes * sizeof *all), *one = malloc((size_t)passes * sizeof *one);
    size_t na = 0;
    const char *cyc = getenv("QTIME_CYCLE");
    if (cyc && *cyc == '2') {
        size_t sweep = (size_t)64 << 20;
        char *junk = calloc(1, sweep);
        for (int p = 0; junk && p < passes; p++)
            for (size_t i = 0; i < qs.n; i++) {
                if (qs.q[i].type != type) continue;
                for (size_t b = 0; b < sweep; b += 64) /* not memset: it may bypass the caches */
                    junk[b] = (char)(junk[b] + p + (int)i);
                double t0 = bench_now();
                e->search(h, &qs.q[i], 10, NULL);
                all[na++] = (bench_now() - t0) * 1e6;
            }
        free(junk);
    } else if (cyc && *cyc == '1') {
        for (int p = -1; p < passes; p++)
            for (size_t i = 0; i < qs.n; i++) {
                int timed = p >= 0 && qs.q[i].type == type;
                if (timed) perf_switch("enable");
                double t0 = bench_now();
                e->search(h, &qs.q[i], 10, NULL);
                double dt = bench_now() - t0;
                if (timed) perf_switch("disable");
                if (timed) all[na++] = dt * 1e6;
            }
    }
    for (size_t i = 0; i < qs.n && !(cyc && *cyc); i++) {
        const bquery *q = &qs.q[i];
        if (q->type != type || !q_wanted(q)) continue;
        e->search(h, q, 10, NULL);  /* warm-up */
        perf_switch("enable");
        for (int p = 0; p < passes; p++) {
            double t0 = bench_now();
            e->search(h, q, 10, NULL);
            one[p] = (bench_now() - t0) * 1e6;
        }
        perf_switch("disable");
        bench_sort(one, (size_t)passes);
        all[na++] = bench_pct(one, (size_t)passes, 0.5);
        printf("%8.1f µs  hits %5ld ", all[na - 1], e->count(h, q));
        for (int w = 0; w < q->nwords; w++) printf(" %s", q->words[w]);
        printf("\n");
    }
    bench_sort(all, na);
    if (na) printf("%s %s: %zu queries, p50 %.1f µs, p95 %.1f µs\n", e->name, argv[4], na,
                   bench_pct(all, na, 0.5), bench_pct(all, na, 0.95));
    e->close(h);
    free(all);
    free(one);
    bqueries_free(&qs);
    return 0;
}

/* report.h — the benchmark's markdown report and raw numbers. */
#ifndef MG_BENCH_REPORT_H
#define MG_BENCH_REPORT_H

#include "bench.h"

/* Most query rounds mgbench runs (--rounds). */
#define MG_BENCH_MAX_ROUNDS 15

/* What one engine did on one corpus. */
typedef struct eres {
    const char *engine;
    int    avail;           /* selected and present in this build */
    char   note[256];       /* why not, or what failed */
    int    built;           /* full build succeeded */
    int    reused;          /* --reuse: built in an earlier run, figures from then */
    double bwall, bcpu;     /* full build: wall and CPU seconds */
    double brss, bbase;     /* peak RSS of the build process, RSS at its start (MB) */
    int    obuilt;          /* a build restricted to one CPU succeeded */
    double owall, ocpu;     /* its wall and CPU seconds (the fastest) */
    int    incok;           /* incremental add succeeded */
    size_t incn;            /* articles added */
    double iwall, icpu;     /* incremental add + commit */
    int    szok;
    bsizes sz;
    int    qok;
    double lat[Q_NTYPES][3];/* p50, p95, p99 in microseconds (median of the rounds) */
    double rlat[MG_BENCH_MAX_ROUNDS][Q_NTYPES][3];  /* each round's */
    double rqps[MG_BENCH_MAX_ROUNDS][2];
    int    nlat[Q_NTYPES];  /* queries of each type */
    double qps1, qps2;      /* throughput, 1 and 2 threads */
    long  *counts;          /* exact matches per query (-1 error) */
} eres;

typedef struct report report;

report *report_new(const char *outdir, int passes, int builds, int rounds);
void    report_corpus(report *r, const bcorpus *c, const bqueries *qs, const eres *res, int n);
void    report_relevance(report *r, const char *coll, const char *engine, const char *fail,
                         const beval *ev);
/* Prints the whole report, writes table.md and raw.tsv; returns 0. */
int     report_finish(report *r);

#endif

/* report.c — turns the measurements into the markdown report (absolute
 * figures and each engine's ratio to morgue), checks the targets of the
 * indexer and query issues, and keeps every number in raw.tsv. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCORP 16

/* Figures kept per corpus for the summary and the targets. */
typedef struct keep {
    char   name[64];
    size_t n;
    double mb;
    eres   e[3];
} keep;

struct report {
    char   load0[64];     /* load average when the run started */
    char   outdir[4096];
    int    passes, builds, rounds;
    FILE  *body;  char *bodyp; size_t bodyn;  /* per-corpus sections */
    FILE  *rel;   char *relp;  size_t reln;   /* relevance rows */
    FILE  *raw;
    keep   k[MAXCORP];
    int    nk;
    beval  cran[3];
    int    cranok[3];
};

static int eidx(const char *name)
{
    return !strcmp(name, "morgue") ? 0 : !strcmp(name, "xapian") ? 1 : 2;
}

/* The 1-minute load average, from /proc/loadavg. */
static const char *loadavg(char *buf, size_t n)
{
    FILE *f = fopen("/proc/loadavg", "r");
    snprintf(buf, n, "?");
    if (f && fscanf(f, "%15s", buf) != 1) snprintf(buf, n, "?");
    if (f) fclose(f);
    return buf;
}

report *report_new(const char *outdir, int passes, int builds, int rounds)
{
    report *r = calloc(1, sizeof *r);
    loadavg(r->load0, sizeof r->load0);
    snprintf(r->outdir, sizeof r->outdir, "%s", outdir);
    r->passes = passes;
    r->builds = builds;
    r->rounds = rounds;
    r->body = open_memstream(&r->bodyp, &r->bodyn);
    r->rel = open_memstream(&r->relp, &r->reln);
    char path[4200];
    snprintf(path, sizeof path, "%s/raw.tsv", outdir);
    r->raw = fopen(path, "w");
    if (!r->raw) { perror(path); exit(1); }
    fprintf(r->raw, "corpus\tengine\tmetric\tvalue\n");
    return r;
}

static void raw(report *r, const char *c, const char *e, const char *m, double v)
{
    fprintf(r->raw, "%s\t%s\t%s\t%.6g\n", c, e, m, v);
}

/* "a / b" formatted as a ratio, or "–" when either is missing. */
static const char *ratio(char *buf, double a, double b)
{
    if (a > 0 && b > 0) snprintf(buf, 32, "%.2fx", a / b);
    else snprintf(buf, 32, "–");
    return buf;
}

/* The builds restricted to one CPU, when the run made them. */
static void one_cpu_table(report *r, const bcorpus *c, const eres *res, int n)
{
    FILE *f = r->body;
    char rb[32];
    int any = 0;
    for (int i = 0; i < n; i++) any |= res[i].obuilt;
    if (!any) return;
    fprintf(f, "\n**Indexing on one CPU** (the same full build, each build process restricted to one CPU "
               "with sched_setaffinity, as `taskset -c N` does: morgue then adds in one thread; the fastest "
               "of %d; Xapian, which indexes in one thread anyway, is not rebuilt)\n\n", r->builds);
    fprintf(f, "| engine | wall s | CPU s | MB/s | MB/s ÷ morgue | default build's MB/s ÷ this |\n"
               "|---|--:|--:|--:|--:|--:|\n");
    double m_mbs = res[0].obuilt ? c->text_bytes / 1e6 / res[0].owall : 0;
    for (int i = 0; i < n; i++) {
        const eres *e = &res[i];
        if (!e->obuilt) continue;
        double mbs = c->text_bytes / 1e6 / e->owall;
        fprintf(f, "| %s | %.2f | %.2f | %.2f | %s | %.2fx |\n", e->engine, e->owall, e->ocpu, mbs,
                ratio(rb, mbs, m_mbs), e->owall / e->bwall);
        raw(r, c->name, e->engine, "index_1cpu_wall_s", e->owall);
        raw(r, c->name, e->engine, "index_1cpu_cpu_s", e->ocpu);
        raw(r, c->name, e->engine, "index_1cpu_mb_per_s", mbs);
    }
}

static void indexing_table(report *r, const bcorpus *c, const eres *res, int n)
{
    FILE *f = r->body;
    char rb[32];
    char best[64] = "";
    if (r->builds > 1) snprintf(best, sizeof best, ", the fastest of %d builds", r->builds);
    fprintf(f, "\n**Indexing** (full build, one commit%s; then %zu more articles added and committed)\n\n",
            best, res[0].incn ? res[0].incn : (c->n / 100 ? c->n / 100 : 1));
    fprintf(f, "| engine | wall s | CPU s | articles/s | MB/s | MB/s ÷ morgue | MB per CPU s | "
               "peak RSS MB | RSS above corpus MB | +1%% wall s | +1%% CPU s |\n");
    fprintf(f, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    double m_mbs = res[0].built ? c->text_bytes / 1e6 / res[0].bwall : 0;
    for (int i = 0; i < n; i++) {
        const eres *e = &res[i];
        if (!e->built) { fprintf(f, "| %s | %s ||||||||||\n", e->engine, e->note); continue; }
        double mbs = c->text_bytes / 1e6 / e->bwall;
        char iw[32] = "failed", ic[32] = "";
        if (e->incok) {
            snprintf(iw, sizeof iw, "%.2f", e->iwall);
            snprintf(ic, sizeof ic, "%.2f", e->icpu);
        }
        fprintf(f, "| %s | %.2f | %.2f | %.0f | %.2f | %s | %.2f | %.0f | %.0f | %s | %s |\n",
                e->engine, e->bwall, e->bcpu, c->n / e->bwall, mbs, ratio(rb, mbs, m_mbs),
                c->text_bytes / 1e6 / e->bcpu, e->brss, e->brss - e->bbase, iw, ic);
        raw(r, c->name, e->engine, "index_wall_s", e->bwall);
        raw(r, c->name, e->engine, "index_cpu_s", e->bcpu);
        raw(r, c->name, e->engine, "index_mb_per_s", mbs);
        raw(r, c->name, e->engine, "index_articles_per_s", c->n / e->bwall);
        raw(r, c->name, e->engine, "index_peak_rss_mb", e->brss);
        raw(r, c->name, e->engine, "index_rss_above_corpus_mb", e->brss - e->bbase);
        if (e->incok) {
            raw(r, c->name, e->engine, "inc_add_wall_s", e->iwall);
            raw(r, c->name, e->engine, "inc_add_cpu_s", e->icpu);
        }
    }
    one_cpu_table(r, c, res, n);
}

static void size_table(report *r, const bcorpus *c, const eres *res, int n)
{
    FILE *f = r->body;
    char rb[32];
    fprintf(f, "\n**Size on disk** (MB = 10^6 bytes; bits/word = inverted bits per indexed word "
               "occurrence, %.2f M words)\n\n", c->words / 1e6);
    fprintf(f, "| engine | inverted MB | stored MB | total MB | compacted MB | bits/word | "
               "inverted ÷ morgue | total ÷ morgue |\n|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int i = 0; i < n; i++) {
        const eres *e = &res[i];
        if (!e->built || !e->szok) continue;
        char cb[32] = "–";
        if (e->sz.compact) snprintf(cb, sizeof cb, "%.1f", e->sz.compact / 1e6);
        char rb2[32];
        fprintf(f, "| %s | %.1f | %.1f | %.1f | %s | %.1f | %s | %s |\n", e->engine,
                e->sz.inverted / 1e6, e->sz.stored / 1e6, e->sz.total / 1e6, cb,
                c->words ? e->sz.inverted * 8.0 / c->words : 0,
                ratio(rb, (double)e->sz.inverted, res[0].szok ? (double)res[0].sz.inverted : 0),
                ratio(rb2, (double)e->sz.total, res[0].szok ? (double)res[0].sz.total : 0));
        raw(r, c->name, e->engine, "size_inverted_bytes", (double)e->sz.inverted);
        raw(r, c->name, e->engine, "size_stored_bytes", (double)e->sz.stored);
        raw(r, c->name, e->engine, "size_total_bytes", (double)e->sz.total);
        raw(r, c->name, e->engine, "size_compact_bytes", (double)e->sz.compact);
    }
}

/* With several rounds: morgue's p50 over each other engine's, round by
 * round, so the spread behind the medians is on the page. */
static void rounds_table(report *r, const eres *res, int n)
{
    FILE *f = r->body;
    if (!res[0].qok) return;
    fprintf(f, "\np50 ÷ the other engine's p50, round by round (morgue first: below 1 is faster)\n\n"
               "| type | engine |");
    for (int k = 0; k < r->rounds; k++) fprintf(f, " round %d |", k + 1);
    fprintf(f, "\n|---|---|");
    for (int k = 0; k < r->rounds; k++) fprintf(f, "--:|");
    fprintf(f, "\n");
    for (int t = 0; t < Q_NTYPES; t++)
        for (int i = 1; i < n; i++) {
            const eres *e = &res[i];
            if (!e->qok || !e->nlat[t] || !res[0].nlat[t]) continue;
            fprintf(f, "| %s | morgue ÷ %s |", bench_qtype_name[t], e->engine);
            for (int k = 0; k < r->rounds; k++)
                fprintf(f, e->rlat[k][t][0] > 0 ? " %.3f |" : " – |",
                        e->rlat[k][t][0] > 0 ? res[0].rlat[k][t][0] / e->rlat[k][t][0] : 0);
            fprintf(f, "\n");
        }
}

static void latency_table(report *r, const bcorpus *c, const eres *res, int n)
{
    FILE *f = r->body;
    char rb[32], rb2[32];
    char rounds[128] = "";
    if (r->rounds > 1)
        snprintf(rounds, sizeof rounds, "; each figure the median of %d rounds, the engines taking turns "
                 "in every round", r->rounds);
    fprintf(f, "\n**Query latency**, top-10, µs, single thread, %d passes after a warm-up pass%s\n\n",
            r->passes, rounds);
    fprintf(f, "| type (queries) | engine | p50 | p95 | p99 | p50 ÷ morgue | p95 ÷ morgue |\n"
               "|---|---|--:|--:|--:|--:|--:|\n");
    for (int t = 0; t < Q_NTYPES; t++)
        for (int i = 0; i < n; i++) {
            const eres *e = &res[i];
            if (!e->qok || !e->nlat[t]) continue;
            fprintf(f, "| %s (%d) | %s | %.0f | %.0f | %.0f | %s | %s |\n", bench_qtype_name[t],
                    e->nlat[t], e->engine, e->lat[t][0], e->lat[t][1], e->lat[t][2],
                    ratio(rb, e->lat[t][0], res[0].qok ? res[0].lat[t][0] : 0),
                    ratio(rb2, e->lat[t][1], res[0].qok ? res[0].lat[t][1] : 0));
            char m[64];
            static const char *const pn[3] = { "p50", "p95", "p99" };
            for (int p = 0; p < 3; p++) {
                snprintf(m, sizeof m, "lat_%s_%s_us", bench_qtype_name[t], pn[p]);
                raw(r, c->name, e->engine, m, e->lat[t][p]);
            }
            for (int k = 0; k < r->rounds && r->rounds > 1; k++) {
                snprintf(m, sizeof m, "lat_%s_p50_us_round%d", bench_qtype_name[t], k + 1);
                raw(r, c->name, e->engine, m, e->rlat[k][t][0]);
            }
        }
    if (r->rounds > 1) rounds_table(r, res, n);
    fprintf(f, "\n**Throughput**, all query types mixed, queries/s\n\n"
               "| engine | 1 thread | 2 threads | 1 thread ÷ morgue | 2 threads ÷ morgue |\n"
               "|---|--:|--:|--:|--:|\n");
    for (int i = 0; i < n; i++) {
        const eres *e = &res[i];
        if (!e->qok) continue;
        fprintf(f, "| %s | %.0f | %.0f | %s | %s |\n", e->engine, e->qps1, e->qps2,
                ratio(rb, e->qps1, res[0].qok ? res[0].qps1 : 0),
                ratio(rb2, e->qps2, res[0].qok ? res[0].qps2 : 0));
        raw(r, c->name, e->engine, "qps_1thread", e->qps1);
        raw(r, c->name, e->engine, "qps_2threads", e->qps2);
    }
}

/* Hit counts of AND and phrase queries (and the others) compared pairwise;
 * analysis differs (FTS5 stems every word with Porter, Xapian and morgue
 * use Snowball), so small differences are expected: the list shows them. */
static void sanity_table(report *r, const bcorpus *c, const bqueries *qs, const eres *res, int n)
{
    FILE *f = r->body;
    char path[4200];
    snprintf(path, sizeof path, "%s/disagreements-%s.txt", r->outdir, c->name);
    FILE *d = fopen(path, "w");
    fprintf(f, "\n**Sanity: exact hit counts compared** (same / within 10%% / further apart; "
               "all disagreements in disagreements-%s.txt)\n\n", c->name);
    fprintf(f, "| engines | type | same | within 10%% | further | biggest gap |\n"
               "|---|---|--:|--:|--:|---|\n");
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++) {
            if (!res[a].qok || !res[b].qok) continue;
            for (int t = 0; t < Q_NTYPES; t++) {
                int same = 0, near = 0, far = 0, any = 0;
                double worst = -1;
                size_t wi = 0;
                for (size_t i = 0; i < qs->n; i++) {
                    if (qs->q[i].type != t) continue;
                    long x = res[a].counts[i], y = res[b].counts[i];
                    any = 1;
                    if (x == y) { same++; continue; }
                    double gap = fabs((double)x - (double)y) / (double)(x > y ? x : y);
                    if (gap <= 0.10) near++;
                    else far++;
                    if (gap > worst) { worst = gap; wi = i; }
                    if (d) {
                        fprintf(d, "%s %s/%s %-6s %-22s %ld vs %ld :", c->name, res[a].engine,
                                res[b].engine, bench_qtype_name[t], qs->q[i].label, x, y);
                        for (int w = 0; w < qs->q[i].nwords; w++) fprintf(d, " %s", qs->q[i].words[w]);
                        fprintf(d, "\n");
                    }
                }
                if (!any) continue;
                char gap[200] = "";
                if (worst >= 0) {
                    int o = snprintf(gap, sizeof gap, "%ld vs %ld:", res[a].counts[wi], res[b].counts[wi]);
                    for (int w = 0; w < qs->q[wi].nwords && o < 150; w++)
                        o += snprintf(gap + o, sizeof gap - (size_t)o, " %s", qs->q[wi].words[w]);
                }
                fprintf(f, "| %s / %s | %s | %d | %d | %d | %s |\n", res[a].engine, res[b].engine,
                        bench_qtype_name[t], same, near, far, gap);
            }
        }
    if (d) fclose(d);
}

void report_corpus(report *r, const bcorpus *c, const bqueries *qs, const eres *res, int n)
{
    FILE *f = r->body;
    char d0[32] = "–", d1[32] = "–";
    time_t t;
    if (c->date_min != BENCH_NO_DATE) {
        t = (time_t)c->date_min;
        strftime(d0, sizeof d0, "%Y-%m-%d", gmtime(&t));
        t = (time_t)c->date_max;
        strftime(d1, sizeof d1, "%Y-%m-%d", gmtime(&t));
    }
    fprintf(f, "\n### %s: %zu articles, %.1f MB of title+body text, dates %s .. %s, %zu queries\n",
            c->name, c->n, c->text_bytes / 1e6, d0, d1, qs->n);
    for (int i = 0; i < n; i++)
        if (res[i].note[0] && (!res[i].built || !res[i].qok || res[i].reused))
            fprintf(f, "\n- %s: %s", res[i].engine, res[i].note);
    fprintf(f, "\n");
    indexing_table(r, c, res, n);
    size_table(r, c, res, n);
    latency_table(r, c, res, n);
    sanity_table(r, c, qs, res, n);
    raw(r, c->name, "-", "articles", (double)c->n);
    raw(r, c->name, "-", "text_bytes", (double)c->text_bytes);
    if (r->nk < MAXCORP) {
        keep *k = &r->k[r->nk++];
        snprintf(k->name, sizeof k->name, "%s", c->name);
        k->n = c->n;
        k->mb = c->text_bytes / 1e6;
        for (int i = 0; i < n && i < 3; i++) {
            k->e[i] = res[i];
            k->e[i].counts = NULL;
        }
    }
}

void report_relevance(report *r, const char *coll, const char *engine, const char *fail,
                      const beval *ev)
{
    if (fail) {
        fprintf(r->rel, "| %s | %s | failed: %s | | | |\n", coll, engine, fail);
        return;
    }
    fprintf(r->rel, "| %s | %s | %.4f | %.4f | %.4f | %d |\n", coll, engine, ev->map, ev->ndcg10,
            ev->p10, ev->nq);
    char m[64];
    snprintf(m, sizeof m, "%s_map", coll);
    raw(r, "relevance", engine, m, ev->map);
    snprintf(m, sizeof m, "%s_ndcg10", coll);
    raw(r, "relevance", engine, m, ev->ndcg10);
    snprintf(m, sizeof m, "%s_p10", coll);
    raw(r, "relevance", engine, m, ev->p10);
    if (!strcmp(coll, "cranfield")) {
        r->cran[eidx(engine)] = *ev;
        r->cranok[eidx(engine)] = 1;
    }
}

static void summary_table(report *r, FILE *f)
{
    fprintf(f, "\n## Summary across corpora (the growth curve when the corpora are scaled copies)\n\n"
               "| corpus | articles | engine | index s | MB/s | RSS above corpus MB | inverted MB | "
               "total MB | p50 or | p50 and | p50 phrase | p50 rare | p50 date |\n"
               "|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int ci = 0; ci < r->nk; ci++)
        for (int i = 0; i < 3; i++) {
            const eres *e = &r->k[ci].e[i];
            if (!e->built) continue;
            fprintf(f, "| %s | %zu | %s | %.1f | %.2f | %.0f | %.1f | %.1f |", r->k[ci].name,
                    r->k[ci].n, e->engine, e->bwall, r->k[ci].mb / e->bwall, e->brss - e->bbase,
                    e->sz.inverted / 1e6, e->sz.total / 1e6);
            for (int t = 0; t < Q_NTYPES; t++)
                if (e->qok && e->nlat[t]) fprintf(f, " %.0f |", e->lat[t][0]);
                else fprintf(f, " – |");
            fprintf(f, "\n");
        }
}

static const char *verdict(int ok) { return ok ? "**met**" : "**not met**"; }

/* The targets of issue 3 (indexer) and issue 4 (query engine), on the
 * corpus named "reuters" and, for "the gap widens", on every larger one. */
static void targets(report *r, FILE *f)
{
    const keep *k = NULL;
    for (int i = 0; i < r->nk; i++)
        if (!strcmp(r->k[i].name, "reuters")) k = &r->k[i];
    fprintf(f, "\n## Targets (issues 3 and 4)\n\n");
    if (!k) { fprintf(f, "No corpus named `reuters` in this run.\n"); }
    else {
        const eres *m = &k->e[0], *x = &k->e[1], *s = &k->e[2];
        fprintf(f, "| target | measured | verdict |\n|---|---|---|\n");
        if (m->built) {
            /* "On one core" is judged by the build restricted to one CPU
             * (morgue then adds in one thread), against FTS5 restricted
             * the same way and Xapian's build (one thread anyway); without
             * one, by MB per CPU second of the default build. */
            double mbs = k->mb / m->bwall;
            int one = m->obuilt;
            double m1 = one ? k->mb / m->owall : k->mb / m->bcpu;
            const char *how = one ? "MB/s restricted to one CPU" : "MB per CPU second";
            fprintf(f, "| indexing >= 50 MB/s on one core | %.1f %s (%.1f MB/s by default, with two "
                       "threads) | %s |\n", m1, how, mbs, verdict(m1 >= 50));
            fprintf(f, "| indexing faster with two threads | %.1f MB/s by default vs %.1f %s (%.2fx) | %s |\n",
                    mbs, m1, how, mbs / m1, verdict(mbs > m1));
            if (s->built) {
                double s1 = s->obuilt && one ? k->mb / s->owall : k->mb / s->bcpu;
                fprintf(f, "| indexing >= 2.5x FTS5 | %.2fx on one core (%.2fx by default) | %s |\n",
                        m1 / s1, mbs / (k->mb / s->bwall), verdict(m1 / s1 >= 2.5));
            }
            if (x->built) {
                double x1 = one ? k->mb / x->bwall : k->mb / x->bcpu;
                fprintf(f, "| indexing >= 60x Xapian | %.1fx on one core (%.1fx by default) | %s |\n",
                        m1 / x1, mbs / (k->mb / x->bwall), verdict(m1 / x1 >= 60));
            }
        }
        if (m->szok) {
            fprintf(f, "| inverted index <= 8 MB | %.2f MB | %s |\n", m->sz.inverted / 1e6,
                    verdict(m->sz.inverted <= 8000000));
            fprintf(f, "| whole index with stored text <= 16 MB | %.2f MB | %s |\n", m->sz.total / 1e6,
                    verdict(m->sz.total <= 16000000));
        }
        static const double lim[Q_NTYPES] = { 0.2, 0.5, 0.35, 0.5, 0 };
        for (int t = 0; t < Q_NTYPES && m->qok && x->qok; t++) {
            if (!m->nlat[t] || !x->nlat[t]) continue;
            double q = m->lat[t][0] / x->lat[t][0];
            if (lim[t] > 0)
                fprintf(f, "| p50 %s <= %.2fx Xapian | %.0f vs %.0f µs = %.3fx | %s |\n",
                        bench_qtype_name[t], lim[t], m->lat[t][0], x->lat[t][0], q, verdict(q <= lim[t]));
            fprintf(f, "| p95 %s <= Xapian's | %.0f vs %.0f µs | %s |\n", bench_qtype_name[t],
                    m->lat[t][1], x->lat[t][1], verdict(m->lat[t][1] <= x->lat[t][1]));
        }
    }
    if (r->cranok[0] && r->cranok[1])
        fprintf(f, "| Cranfield MAP >= Xapian (ref. 0.292) | %.4f vs %.4f | %s |\n"
                   "| Cranfield nDCG@10 >= Xapian (ref. 0.371) | %.4f vs %.4f | %s |\n",
                r->cran[0].map, r->cran[1].map, verdict(r->cran[0].map >= r->cran[1].map),
                r->cran[0].ndcg10, r->cran[1].ndcg10, verdict(r->cran[0].ndcg10 >= r->cran[1].ndcg10));
    /* The gap must widen with size: morgue/Xapian p50 per corpus. */
    fprintf(f, "\nmorgue p50 ÷ Xapian p50 per corpus (must fall as corpora grow):\n\n"
               "| corpus | articles | or | and | phrase | rare | date |\n|---|--:|--:|--:|--:|--:|--:|\n");
    for (int ci = 0; ci < r->nk; ci++) {
        const eres *m = &r->k[ci].e[0], *x = &r->k[ci].e[1];
        fprintf(f, "| %s | %zu |", r->k[ci].name, r->k[ci].n);
        for (int t = 0; t < Q_NTYPES; t++)
            if (m->qok && x->qok && m->nlat[t] && x->lat[t][0] > 0)
                fprintf(f, " %.3f |", m->lat[t][0] / x->lat[t][0]);
            else fprintf(f, " – |");
        fprintf(f, "\n");
    }
}

int report_finish(report *r)
{
    fclose(r->body);
    fclose(r->rel);
    char *all = NULL;
    size_t alln = 0;
    FILE *f = open_memstream(&all, &alln);
    char cpu[256] = "unknown CPU", line[512], date[64];
    FILE *ci = fopen("/proc/cpuinfo", "r");
    int ncpu = 0;
    while (ci && fgets(line, sizeof line, ci)) {
        if (!strncmp(line, "model name", 10) && strchr(line, ':'))
            snprintf(cpu, sizeof cpu, "%.*s", (int)strcspn(strchr(line, ':') + 2, "\n"), strchr(line, ':') + 2);
        if (!strncmp(line, "processor", 9)) ncpu++;
    }
    if (ci) fclose(ci);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    fprintf(f, "# morgue benchmark\n\nMachine: %s, %d cores; run %s; load average %s at the start, "
               "%s at the end (other work on the machine slows every engine alike). Ratios are each "
               "engine's figure divided by morgue's.\n", cpu, ncpu, date, r->load0, loadavg(line, sizeof line));
    targets(r, f);
    summary_table(r, f);
    fprintf(f, "\n## Per corpus\n%s", r->bodyp ? r->bodyp : "");
    if (r->reln)
        fprintf(f, "\n## Relevance (title + body, queries lower-cased without punctuation, OR, top 1000)\n\n"
                   "| collection | engine | MAP | nDCG@10 | P@10 | queries |\n|---|---|--:|--:|--:|--:|\n%s",
                r->relp);
    fclose(f);
    fputs(all, stdout);
    char path[4200];
    snprintf(path, sizeof path, "%s/table.md", r->outdir);
    FILE *t = fopen(path, "w");
    if (t) { fputs(all, t); fclose(t); }
    fclose(r->raw);
    free(all);
    free(r->bodyp);
    free(r->relp);
    free(r);
    return 0;
}

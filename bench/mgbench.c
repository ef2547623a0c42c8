/* mgbench.c — the benchmark driver: runs morgue, Xapian and SQLite FTS5 on
 * the same corpora and queries, each step in a child process so that time,
 * CPU and peak memory are measured per engine, and prints the report. */
#include "bench.h"
#include "report.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const bengine *const all_engines[] = { &bench_morgue, &bench_xapian, &bench_fts5 };

/* ---------------------------------------------------------- child steps */

typedef struct child {
    double wall, cpu, maxrss_mb;  /* of the child process */
    int    ok;                    /* exited 0 */
    char   why[160];              /* how it failed */
    char  *out;                   /* what it wrote, NUL-terminated */
    size_t outn;
} child;

static long self_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

/* Runs fn(out, arg) in a forked child with a time limit; the parent keeps
 * what the child wrote and its resource usage. */
static void run_child(void (*fn)(FILE *, void *), void *arg, int timeout, child *c)
{
    int fd[2];
    memset(c, 0, sizeof *c);
    fflush(NULL);
    if (pipe(fd) != 0) { perror("pipe"); exit(1); }
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(1); }
    if (pid == 0) {
        close(fd[0]);
        alarm((unsigned)timeout);
        FILE *out = fdopen(fd[1], "w");
        fprintf(out, "base_kb %ld\n", self_rss_kb());
        fn(out, arg);
        fclose(out);
        _exit(0);
    }
    close(fd[1]);
    size_t cap = 1 << 16;
    c->out = malloc(cap);
    ssize_t k;
    while ((k = read(fd[0], c->out + c->outn, cap - c->outn - 1)) != 0) {
        if (k < 0) { if (errno == EINTR) continue; break; }
        c->outn += (size_t)k;
        if (cap - c->outn < 4096) c->out = realloc(c->out, cap *= 2);
    }
    c->out[c->outn] = 0;
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {}
    c->wall = bench_now() - t0;
    c->cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
             (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
    c->maxrss_mb = (double)ru.ru_maxrss / 1024.0;
    c->ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (WIFSIGNALED(status))
        snprintf(c->why, sizeof c->why, "%s (signal %d)",
                 WTERMSIG(status) == SIGALRM ? "timed out" : "crashed", WTERMSIG(status));
    const char *err = strstr(c->out, "error ");
    if (err) {
        c->ok = 0;
        snprintf(c->why, sizeof c->why, "%.*s", (int)strcspn(err + 6, "\n"), err + 6);
    }
}

static double child_val(const child *c, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = c->out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') return atof(p + kl + 1);
    return 0;
}

typedef struct build_arg {
    const bengine *e;
    const char    *dir;
    const bcorpus *c;
    size_t from, to;
    int create;
    const char *suffix;
    int one_core;   /* restrict the build process to one CPU first */
} build_arg;

/* Restricts the calling process (and the threads it starts later) to the
 * last CPU it may run on, as `taskset -c N` would: "on one core" for an
 * engine that would otherwise add in two threads. */
static int pin_one_cpu(void)
{
    cpu_set_t set, one;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    int last = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set)) last = i;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    return sched_setaffinity(0, sizeof one, &one);
}

static void build_step(FILE *out, void *argv)
{
    build_arg *a = argv;
    char err[1024] = "";
    if (a->one_core && pin_one_cpu() != 0) {
        fprintf(out, "error cannot restrict the build to one CPU: %s\n", strerror(errno));
        return;
    }
    if (a->e->build(a->dir, a->c, a->from, a->to, a->create, a->suffix, err, sizeof err))
        fprintf(out, "error %s\n", err);
}

typedef struct query_arg {
    const bengine  *e;
    const char     *dir;
    const bqueries *qs;
    int passes, k;
    int counts;   /* also print each query's exact total (the first round) */
} query_arg;

typedef struct thr {
    const query_arg *a;
    size_t start;
    pthread_barrier_t *bar;
    long done;
    int fail;
} thr;

static void *thr_main(void *argv)
{
    thr *t = argv;
    char err[512];
    void *h = t->a->e->open(t->a->dir, err, sizeof err);
    pthread_barrier_wait(t->bar);
    size_t n = t->a->qs->n;
    for (int p = 0; h && p < t->a->passes; p++)
        for (size_t i = 0; i < n; i++) {
            if (t->a->e->search(h, &t->a->qs->q[(t->start + i) % n], t->a->k, NULL) < 0) t->fail = 1;
            t->done++;
        }
    if (!h) t->fail = 1;
    pthread_barrier_wait(t->bar);
    if (h) t->a->e->close(h);
    return NULL;
}

/* Two threads, each with its own handle, each running every query
 * `passes` times from a different starting point. */
static double two_thread_qps(const query_arg *a)
{
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 3);
    thr t[2] = { { a, 0, &bar, 0, 0 }, { a, a->qs->n / 2, &bar, 0, 0 } };
    pthread_t id[2];
    for (int i = 0; i < 2; i++) pthread_create(&id[i], NULL, thr_main, &t[i]);
    pthread_barrier_wait(&bar);
    double t0 = bench_now();
    pthread_barrier_wait(&bar);
    double wall = bench_now() - t0;
    for (int i = 0; i < 2; i++) pthread_join(id[i], NULL);
    pthread_barrier_destroy(&bar);
    return t[0].fail || t[1].fail ? -1 : (double)(t[0].done + t[1].done) / wall;
}

static void query_step(FILE *out, void *argv)
{
    query_arg *a = argv;
    char err[1024] = "";
    void *h = a->e->open(a->dir, err, sizeof err);
    if (!h) { fprintf(out, "error open: %s\n", err); return; }
    const bqueries *qs = a->qs;
    /* Exact totals, for the sanity check (not timed). */
    for (size_t i = 0; a->counts && i < qs->n; i++)
        fprintf(out, "count %zu %ld\n", i, a->e->count(h, &qs->q[i]));
    for (size_t i = 0; i < qs->n; i++) /* warm-up */
        if (a->e->search(h, &qs->q[i], a->k, NULL) < 0) {
            fprintf(out, "error search failed on query %zu (%s)\n", i, qs->q[i].label);
            a->e->close(h);
            return;
        }
    double *lat[Q_NTYPES];
    size_t nl[Q_NTYPES] = { 0 };
    for (int t = 0; t < Q_NTYPES; t++) lat[t] = malloc((qs->n * (size_t)a->passes + 1) * sizeof(double));
    double total = 0;
    for (int p = 0; p < a->passes; p++)
        for (size_t i = 0; i < qs->n; i++) {
            double t0 = bench_now();
            a->e->search(h, &qs->q[i], a->k, NULL);
            double dt = bench_now() - t0;
            total += dt;
            lat[qs->q[i].type][nl[qs->q[i].type]++] = dt * 1e6;
        }
    for (int t = 0; t < Q_NTYPES; t++) {
        bench_sort(lat[t], nl[t]);
        if (nl[t])
            fprintf(out, "lat_%s %.2f %.2f %.2f %zu\n", bench_qtype_name[t],
                    bench_pct(lat[t], nl[t], 0.5), bench_pct(lat[t], nl[t], 0.95),
                    bench_pct(lat[t], nl[t], 0.99), nl[t] / (size_t)a->passes);
        free(lat[t]);
    }
    fprintf(out, "qps1 %.1f\n", total > 0 ? (double)qs->n * a->passes / total : 0);
    a->e->close(h);
    fprintf(out, "qps2 %.1f\n", two_thread_qps(a));
}

typedef struct rel_arg {
    const bengine *e;
    const char    *dir;
    const bjudged *j;
} rel_arg;

/* Builds the judged collection and writes the top 1000 of every query. */
static void rel_step(FILE *out, void *argv)
{
    rel_arg *a = argv;
    char err[1024] = "";
    if (a->e->build(a->dir, &a->j->docs, 0, a->j->docs.n, 1, NULL, err, sizeof err)) {
        fprintf(out, "error build: %s\n", err);
        return;
    }
    void *h = a->e->open(a->dir, err, sizeof err);
    if (!h) { fprintf(out, "error open: %s\n", err); return; }
    char **ids = calloc(1000, sizeof *ids);
    for (size_t i = 0; i < a->j->queries.n; i++) {
        int n = a->e->search(h, &a->j->queries.q[i], 1000, ids);
        for (int r = 0; r < n; r++) fprintf(out, "run %zu %s\n", i, ids[r]);
    }
    for (int r = 0; r < 1000; r++) free(ids[r]);
    free(ids);
    a->e->close(h);
}

/* --------------------------------------------------------------- driver */

typedef struct opts {
    const char *work, *out, *shared, *engines, *judged, *reuse;
    const char *one_core;    /* corpora that also get one-core builds ("all", "none") */
    size_t max_articles[3];  /* per engine (all_engines order): skip larger corpora; 0 = no cap */
    int passes, per_type, timeout, keep;
    int builds, rounds;      /* best of `builds` builds; latency = median of `rounds` rounds */
    size_t limit;
    uint64_t seed;
    int ncorp;
    char cname[16][64], cpath[16][4096], ctsv[16][4096], csbg[16][4096];
    int  cnoderive[16];  /* 1: only the given query files, no derived queries */
} opts;


static void rmrf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

static int name_in(const char *list, const char *name)
{
    if (!list) return 0;
    const char *p = strstr(list, name);
    size_t n = strlen(name);
    return p && (p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ',');
}

static int engine_on(const opts *o, const bengine *e)
{
    return !o->engines || name_in(o->engines, e->name);
}

/* --reuse: a marker beside the engine's index records the corpus it was
 * built from and the build figures, so a later run can query the same
 * index (a 1M-article Xapian build takes about an hour) and report the
 * build as measured then. */
static void reuse_marker(char *path, size_t n, const char *dir)
{
    snprintf(path, n, "%s.built", dir);
}

static void reuse_save(const char *dir, const bcorpus *c, const eres *r)
{
    char path[4300];
    reuse_marker(path, sizeof path, dir);
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%zu %llu %.6f %.6f %.3f %.3f\n", c->n, (unsigned long long)c->text_bytes, r->bwall,
            r->bcpu, r->brss, r->bbase);
    fclose(f);
}

static int reuse_load(const char *dir, const bcorpus *c, eres *r)
{
    char path[4300];
    reuse_marker(path, sizeof path, dir);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = 0;
    unsigned long long bytes = 0;
    int ok = fscanf(f, "%zu %llu %lf %lf %lf %lf", &n, &bytes, &r->bwall, &r->bcpu, &r->brss,
                    &r->bbase) == 6 && n == c->n && bytes == c->text_bytes;
    fclose(f);
    r->built = r->reused = ok;
    return ok;
}

/* Where the engine's index of corpus c lives in the work directory. */
static void engine_dir(char *dir, size_t n, const opts *o, const bcorpus *c, const bengine *e)
{
    snprintf(dir, n, "%s/%s-%s", o->work, c->name, e->name);
}

/* Builds the engine's index (the best of o->builds builds, all of them
 * interleaved with the other engines' by the caller), or reuses it. */
static void bench_build(const opts *o, const bengine *e, const bcorpus *c, int round, eres *r)
{
    char dir[4200];
    engine_dir(dir, sizeof dir, o, c, e);
    int reuse = name_in(o->reuse, e->name);
    if (round == 0 && reuse && reuse_load(dir, c, r)) {
        fprintf(stderr, "  %s: reusing the index built earlier in %s\n", e->name, dir);
        return;
    }
    if (r->reused || (round > 0 && !r->built)) return;
    rmrf(dir);
    fprintf(stderr, "  %s: indexing %zu articles (build %d of %d)...\n", e->name, c->n, round + 1,
            o->builds);
    build_arg b = { e, dir, c, 0, c->n, 1, NULL, 0 };
    child ch;
    run_child(build_step, &b, o->timeout, &ch);
    if (!ch.ok) {
        r->built = 0;
        snprintf(r->note, sizeof r->note, "indexing failed: %s", ch.why);
    } else if (round == 0 || ch.wall < r->bwall) {  /* keep the fastest build's figures */
        r->built = 1;
        r->bwall = ch.wall;
        r->bcpu = ch.cpu;
        r->brss = ch.maxrss_mb;
        r->bbase = child_val(&ch, "base_kb") / 1024.0;
    }
    free(ch.out);
    if (r->built && reuse && round == o->builds - 1) reuse_save(dir, c, r);
}

/* One build of the engine's index with the process restricted to one CPU
 * (into a directory of its own, removed after), keeping the fastest. */
static void bench_build_one_core(const opts *o, const bengine *e, const bcorpus *c, int round, eres *r)
{
    char dir[4200];
    engine_dir(dir, sizeof dir, o, c, e);
    strncat(dir, "-1cpu", sizeof dir - strlen(dir) - 1);
    rmrf(dir);
    fprintf(stderr, "  %s: indexing %zu articles on one CPU (build %d of %d)...\n", e->name, c->n,
            round + 1, o->builds);
    build_arg b = { e, dir, c, 0, c->n, 1, NULL, 1 };
    child ch;
    run_child(build_step, &b, o->timeout, &ch);
    if (ch.ok && (!r->obuilt || ch.wall < r->owall)) {
        r->obuilt = 1;
        r->owall = ch.wall;
        r->ocpu = ch.cpu;
    } else if (!ch.ok)
        fprintf(stderr, "  %s: the one-CPU build failed: %s\n", e->name, ch.why);
    free(ch.out);
    if (!o->keep) rmrf(dir);
}

/* One round of timed queries on the built index: fills r->rlat[round]. */
static void bench_query(const opts *o, const bengine *e, const bcorpus *c, const bqueries *qs,
                        int round, eres *r)
{
    char dir[4200];
    engine_dir(dir, sizeof dir, o, c, e);
    fprintf(stderr, "  %s: %zu queries x %d passes (round %d of %d)...\n", e->name, qs->n, o->passes,
            round + 1, o->rounds);
    query_arg q = { e, dir, qs, o->passes, 10, round == 0 };
    child ch;
    run_child(query_step, &q, o->timeout, &ch);
    r->qok = ch.ok;
    if (!ch.ok) snprintf(r->note, sizeof r->note, "queries failed: %s", ch.why);
    if (!r->counts) {
        r->counts = malloc((qs->n + 1) * sizeof *r->counts);
        for (size_t i = 0; i < qs->n; i++) r->counts[i] = -2;
    }
    for (const char *p = ch.out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t qi;
        long cnt;
        double l[3];
        size_t n;
        char type[16];
        if (sscanf(p, "count %zu %ld", &qi, &cnt) == 2 && qi < qs->n) r->counts[qi] = cnt;
        if (sscanf(p, "lat_%15s %lf %lf %lf %zu", type, &l[0], &l[1], &l[2], &n) == 5)
            for (int t = 0; t < Q_NTYPES; t++)
                if (strcmp(type, bench_qtype_name[t]) == 0) {
                    memcpy(r->rlat[round][t], l, sizeof l);
                    r->nlat[t] = (int)n;
                }
    }
    r->rqps[round][0] = child_val(&ch, "qps1");
    r->rqps[round][1] = child_val(&ch, "qps2");
    free(ch.out);
}

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, dcmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Each figure of the latency table is the median of the rounds' figures. */
static void bench_rounds_median(int rounds, eres *r)
{
    double v[MG_BENCH_MAX_ROUNDS];
    for (int t = 0; t < Q_NTYPES; t++)
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < rounds; i++) v[i] = r->rlat[i][t][p];
            r->lat[t][p] = median(v, rounds);
        }
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < rounds; i++) v[i] = r->rqps[i][k];
        *(k ? &r->qps2 : &r->qps1) = median(v, rounds);
    }
}

/* Adds 1% more articles to the built index and commits (not on a kept
 * --reuse index, which must stay as built). */
static void bench_incremental(const opts *o, const bengine *e, const bcorpus *c, eres *r)
{
    char dir[4200];
    engine_dir(dir, sizeof dir, o, c, e);
    int reuse = name_in(o->reuse, e->name);
    if (reuse) {
        snprintf(r->note, sizeof r->note, "index %s (--reuse): no +1%% step",
                 r->reused ? "reused from an earlier run" : "kept for --reuse");
        return;
    }
    size_t inc = c->n / 100 ? c->n / 100 : 1;
    fprintf(stderr, "  %s: adding %zu more articles...\n", e->name, inc);
    build_arg bi = { e, dir, c, 0, inc, 0, "-inc", 0 };
    child ch;
    run_child(build_step, &bi, o->timeout, &ch);
    r->incok = ch.ok;
    r->incn = inc;
    r->iwall = ch.wall;
    r->icpu = ch.cpu;
    free(ch.out);
    if (!o->keep) rmrf(dir);
}

static void bench_judged(const opts *o, const char *kind, report *rep)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", o->shared, kind);
    bjudged j;
    if (bjudged_load(&j, kind, path) != 0) {
        fprintf(stderr, "%s: not found under %s, skipped\n", kind, o->shared);
        bjudged_free(&j);
        return;
    }
    fprintf(stderr, "relevance: %s (%zu documents, %zu queries, %zu judgments)\n", kind, j.docs.n,
            j.queries.n, j.nqrels);
    for (size_t ei = 0; ei < sizeof all_engines / sizeof *all_engines; ei++) {
        const bengine *e = all_engines[ei];
        char why[256];
        if (!engine_on(o, e) || !e->available(why, sizeof why) || !e->search) continue;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/judged-%s-%s", o->work, kind, e->name);
        rmrf(dir);
        rel_arg a = { e, dir, &j };
        child ch;
        run_child(rel_step, &a, o->timeout, &ch);
        char ***run = calloc(j.queries.n, sizeof *run);
        int *nrun = calloc(j.queries.n, sizeof *nrun);
        for (size_t i = 0; i < j.queries.n; i++) run[i] = calloc(1000, sizeof **run);
        for (char *p = ch.out; p && *p;) {
            char *nl = strchr(p, '\n');
            if (nl) *nl = 0;
            size_t qi;
            char id[256];
            if (sscanf(p, "run %zu %255s", &qi, id) == 2 && qi < j.queries.n && nrun[qi] < 1000)
                run[qi][nrun[qi]++] = strdup(id);
            p = nl ? nl + 1 : NULL;
        }
        beval ev = bench_evaluate(&j, run, nrun);
        report_relevance(rep, kind, e->name, ch.ok ? NULL : ch.why, &ev);
        for (size_t i = 0; i < j.queries.n; i++) {
            for (int r = 0; r < nrun[i]; r++) free(run[i][r]);
            free(run[i]);
        }
        free(run);
        free(nrun);
        free(ch.out);
        if (!o->keep) rmrf(dir);
    }
    bjudged_free(&j);
}

static void bench_corpus(const opts *o, int ci, report *rep)
{
    bcorpus c;
    bcorpus_init(&c, o->cname[ci]);
    double t0 = bench_now();
    if (bcorpus_load_jsonl(&c, o->cpath[ci], o->limit) != 0 || c.n == 0) {
        fprintf(stderr, "%s: no articles in %s, skipped\n", c.name, o->cpath[ci]);
        bcorpus_free(&c);
        return;
    }
    bqueries qs = { 0 };
    if (o->ctsv[ci][0]) bqueries_load_tsv(&qs, o->ctsv[ci]);
    if (o->csbg[ci][0]) bqueries_load_sbg(&qs, o->csbg[ci]);
    size_t shared_q = qs.n;
    if (!o->cnoderive[ci]) bqueries_derive(&qs, &c, o->per_type, o->seed);
    fprintf(stderr, "corpus %s: %zu articles, %.1f MB of text, %zu queries (%zu shared, %zu derived), "
            "loaded in %.1f s\n", c.name, c.n, c.text_bytes / 1e6, qs.n, shared_q, qs.n - shared_q,
            bench_now() - t0);
    eres res[3];
    memset(res, 0, sizeof res);
    for (size_t ei = 0; ei < 3; ei++) {
        const bengine *e = all_engines[ei];
        res[ei].engine = e->name;
        res[ei].avail = engine_on(o, e) && e->available(res[ei].note, sizeof res[ei].note) && e->build;
        if (res[ei].avail && o->max_articles[ei] && c.n > o->max_articles[ei]) {
            snprintf(res[ei].note, sizeof res[ei].note, "skipped: corpus above --max %s=%zu", e->name,
                     o->max_articles[ei]);
            res[ei].avail = 0;
        }
        if (!res[ei].avail && !engine_on(o, e))
            snprintf(res[ei].note, sizeof res[ei].note, "not selected");
    }
    /* Builds, then query rounds, each interleaving the engines (in a
     * rotating order), so that a busy moment of the machine falls on every
     * engine alike rather than on one engine's whole run. */
    /* One-core builds (morgue and FTS5: Xapian indexes in one thread
     * anyway and takes ~40x longer) judge "on one core" literally. */
    int one_core = !strcmp(o->one_core, "all") || name_in(o->one_core, c.name);
    for (int b = 0; b < o->builds; b++) {
        for (size_t k = 0; k < 3; k++)
            if (res[k].avail) bench_build(o, all_engines[k], &c, b, &res[k]);
        for (size_t k = 0; k < 3 && one_core; k += 2)
            if (res[k].avail && res[k].built && !res[k].reused)
                bench_build_one_core(o, all_engines[k], &c, b, &res[k]);
    }
    for (size_t k = 0; k < 3; k++)
        if (res[k].avail && res[k].built) {
            char dir[4200];
            engine_dir(dir, sizeof dir, o, &c, all_engines[k]);
            res[k].szok = all_engines[k]->sizes(dir, &res[k].sz) == 0;
            if (!all_engines[k]->search) snprintf(res[k].note, sizeof res[k].note, "no search in this build");
        }
    for (int rd = 0; rd < o->rounds; rd++)
        for (size_t k = 0; k < 3; k++) {
            size_t ei = (k + (size_t)rd) % 3;
            if (res[ei].avail && res[ei].built && all_engines[ei]->search)
                bench_query(o, all_engines[ei], &c, &qs, rd, &res[ei]);
        }
    for (size_t k = 0; k < 3; k++)
        if (res[k].avail && res[k].built) {
            if (all_engines[k]->search) bench_rounds_median(o->rounds, &res[k]);
            bench_incremental(o, all_engines[k], &c, &res[k]);
        }
    report_corpus(rep, &c, &qs, res, 3);
    for (int ei = 0; ei < 3; ei++) free(res[ei].counts);
    bqueries_free(&qs);
    bcorpus_free(&c);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: mgbench --work DIR --out DIR [--engines morgue,xapian,fts5] [--passes N]\n"
            "               [--builds N] [--rounds N]\n"
            "               [--per-type N] [--seed N] [--limit N] [--timeout S] [--keep]\n"
            "               [--reuse ENGINE,...] [--one-core CORPUS,...|all|none]\n"
            "               [--judged cranfield,med,npl --shared CORPORA_DIR] [--max ENGINE=ARTICLES]\n"
            "               [--corpus NAME=FILE.jsonl [--tsv QUERIES.tsv] [--sbg QUERIES.txt]\n"
            "                [--no-derive]]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
    opts o = { .work = "bench/results/work", .out = "bench/results", .one_core = "reuters",
               .passes = 5, .builds = 1, .rounds = 1,
               .per_type = 50, .timeout = 1800, .seed = 20261125 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--keep")) { o.keep = 1; continue; }
        if (!strcmp(a, "--no-derive") && o.ncorp) { o.cnoderive[o.ncorp - 1] = 1; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--work")) o.work = v;
        else if (!strcmp(a, "--out")) o.out = v;
        else if (!strcmp(a, "--engines")) o.engines = v;
        else if (!strcmp(a, "--passes")) o.passes = atoi(v);
        else if (!strcmp(a, "--builds")) o.builds = atoi(v);
        else if (!strcmp(a, "--rounds")) o.rounds = atoi(v);
        else if (!strcmp(a, "--per-type")) o.per_type = atoi(v);
        else if (!strcmp(a, "--seed")) o.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--limit")) o.limit = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--timeout")) o.timeout = atoi(v);
        else if (!strcmp(a, "--judged")) o.judged = v;
        else if (!strcmp(a, "--reuse")) o.reuse = v;
        else if (!strcmp(a, "--one-core")) o.one_core = v;
        else if (!strcmp(a, "--max") && strchr(v, '=')) {
            for (int ei = 0; ei < 3; ei++)
                if (!strncmp(v, all_engines[ei]->name, strlen(all_engines[ei]->name)) &&
                    v[strlen(all_engines[ei]->name)] == '=')
                    o.max_articles[ei] = strtoull(strchr(v, '=') + 1, NULL, 10);
        }
        else if (!strcmp(a, "--shared")) o.shared = v;
        else if (!strcmp(a, "--tsv") && o.ncorp) snprintf(o.ctsv[o.ncorp - 1], 4096, "%s", v);
        else if (!strcmp(a, "--sbg") && o.ncorp) snprintf(o.csbg[o.ncorp - 1], 4096, "%s", v);
        else if (!strcmp(a, "--corpus") && strchr(v, '=') && o.ncorp < 16) {
            snprintf(o.cname[o.ncorp], 64, "%.*s", (int)(strchr(v, '=') - v), v);
            snprintf(o.cpath[o.ncorp], 4096, "%s", strchr(v, '=') + 1);
            o.ncorp++;
        } else usage();
    }
    if (o.passes < 1 || o.builds < 1 || o.rounds < 1 || o.rounds > MG_BENCH_MAX_ROUNDS) {
        fprintf(stderr, "mgbench: --passes and --builds must be >= 1, --rounds 1..%d\n",
                MG_BENCH_MAX_ROUNDS);
        return 2;
    }
    mkdir(o.out, 0755);
    mkdir(o.work, 0755);
    report *rep = report_new(o.out, o.passes, o.builds, o.rounds);
    for (int ci = 0; ci < o.ncorp; ci++) bench_corpus(&o, ci, rep);
    if (o.judged && o.shared) {
        char list[256], *save = NULL;
        snprintf(list, sizeof list, "%s", o.judged);
        for (char *k = strtok_r(list, ",", &save); k; k = strtok_r(NULL, ",", &save))
            bench_judged(&o, k, rep);
    }
    return report_finish(rep);
}

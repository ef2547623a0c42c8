/* bench_http.c — what HTTP costs on top of a search: the same queries run
 * in-process (mg_search plus the server's JSON formatting) and over one
 * kept-alive loopback connection to `morgue serve`, paired query by query,
 * then from C concurrent connections, then a query matching nothing (the
 * transport alone).  Prints latency p50/p99 (µs) and requests/s, and the
 * HTTP overhead per request (HTTP minus in-process for the same query).
 *
 *   bench_http --morgue build/morgue [--build FILE.jsonl] [-n REQUESTS]
 *              [-c CONNS] [--threads T] INDEX QUERIES
 * QUERIES is a text file, one query per line; a line "kind<TAB>query"
 * (bench's reuters-400.tsv) uses the part after the tab. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/results_json.h"
#include "ingest/ingest.h"
#include "morgue.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *msg)
{
    fprintf(stderr, "bench_http: %s\n", msg);
    exit(1);
}

/* ---------------------------------------------------------------- index */

static int add_one(void *ctx, const ingest_item *it) { return mg_index_add(ctx, &it->art); }

static void build_index(const char *dir, const char *jsonl)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return; /* built before */
    mg_index *ix = NULL;
    if (mg_index_open(dir, MG_WRITE | MG_CREATE, NULL, &ix) != MG_OK)
        die(mg_errmsg(ix));
    ingest_callbacks cb = { .article = add_one, .ctx = ix };
    ingest *g = ingest_new(&cb);
    if (!g || ingest_path(g, jsonl) != 0 || mg_index_commit(ix) != MG_OK)
        die("indexing failed");
    fprintf(stderr, "indexed %llu articles from %s\n",
            (unsigned long long)ingest_get_counts(g)->articles, jsonl);
    ingest_free(g);
    mg_index_close(ix);
}

/* -------------------------------------------------------------- queries */

static char **load_queries(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot read the queries file");
    char line[4096];
    size_t cap = 64;
    char **q = malloc(cap * sizeof *q);
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *text = strchr(line, '\t') ? strchr(line, '\t') + 1 : line;
        if (!*text)
            continue;
        if (*n == cap)
            q = realloc(q, (cap *= 2) * sizeof *q);
        q[(*n)++] = strdup(text);
    }
    fclose(f);
    if (!*n)
        die("no queries");
    return q;
}

/* "/search?q=..." with the query percent-encoded. */
static char *search_path(const char *q)
{
    char *p = malloc(strlen(q) * 3 + 32), *o = p;
    o += sprintf(o, "/search?q=");
    for (const unsigned char *s = (const unsigned char *)q; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_' || *s == '.')
            *o++ = (char)*s;
        else
            o += sprintf(o, "%%%02X", *s);
    }
    *o = '\0';
    return p;
}

/* --------------------------------------------------------------- timing */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct summary {
    double p50, p99, mean;
} summary;

static summary summarize(double *lat, size_t n)
{
    qsort(lat, n, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    return (summary){ lat[n / 2], lat[(size_t)((double)n * 0.99)], sum / (double)n };
}

/* --------------------------------------------------------------- server */

static pid_t start_server(const char *morgue, const char *index, int threads, int *port)
{
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        char t[16];
        snprintf(t, sizeof t, "%d", threads);
        dup2(fds[1], 1);
        close(fds[0]), close(fds[1]);
        execl(morgue, morgue, "serve", "-i", index, "--port", "0", "--threads", t, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[512] = "";
    size_t n = 0;
    struct pollfd p = { fds[0], POLLIN, 0 };
    while (n < sizeof line - 1 && poll(&p, 1, 10000) == 1 && read(fds[0], line + n, 1) == 1 &&
           line[n] != '\n')
        n++;
    line[n] = '\0';
    close(fds[0]);
    const char *c = strstr(line, "127.0.0.1:");
    if (!c)
        die("the server did not start");
    *port = atoi(c + 10);
    return pid;
}

/* One kept-alive connection; sends GET path and reads the whole answer. */
static int http_get(int *fd, int port, const char *path)
{
    if (*fd < 0) {
        *fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int one = 1;
        setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(*fd, (struct sockaddr *)&a, sizeof a) != 0)
            return -1;
    }
    char req[16384];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (n >= (int)sizeof req || send(*fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        return -1;
    static __thread char buf[1 << 20];
    size_t len = 0;
    long want = -1;
    int status = 0;
    while (want < 0 || (long)len < want) {
        ssize_t k = recv(*fd, buf + len, sizeof buf - 1 - len, 0);
        if (k <= 0)
            return -1;
        len += (size_t)k;
        buf[len] = '\0';
        char *end = want < 0 ? strstr(buf, "\r\n\r\n") : NULL;
        if (end) {
            status = atoi(buf + 9);
            char *cl = strcasestr(buf, "\r\ncontent-length:");
            if (!cl)
                return -1;
            want = (end + 4 - buf) + atol(cl + 17);
        }
    }
    return status;
}

typedef struct client {
    int port;
    char **paths;
    size_t npaths, first, count;
    double *lat;
    int errors;
} client;

static void *client_run(void *arg)
{
    client *c = arg;
    int fd = -1;
    for (size_t i = 0; i < c->count; i++) {
        double t0 = now_us();
        int st = http_get(&fd, c->port, c->paths[(c->first + i) % c->npaths]);
        c->lat[i] = now_us() - t0;
        if (st != 200) {
            c->errors++;
            if (fd >= 0)
                close(fd);
            fd = -1;
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* Runs `total` requests from `conns` connections; returns requests/s. */
static double http_load(int port, char **paths, size_t np, size_t total, int conns, summary *s)
{
    pthread_t t[256];
    client c[256];
    double *lat = malloc(total * sizeof *lat);
    size_t per = total / (size_t)conns;
    double t0 = now_us();
    for (int i = 0; i < conns; i++) {
        c[i] = (client){ port, paths, np, (size_t)i * 7919, per, lat + (size_t)i * per, 0 };
        pthread_create(&t[i], NULL, client_run, &c[i]);
    }
    int errors = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(t[i], NULL);
        errors += c[i].errors;
    }
    double secs = (now_us() - t0) / 1e6;
    if (errors)
        fprintf(stderr, "bench_http: %d requests failed\n", errors);
    *s = summarize(lat, per * (size_t)conns);
    free(lat);
    return (double)(per * (size_t)conns) / secs;
}

/* CPU time in µs the process pid has used, over all its threads (from
 * /proc/PID/task/TID/schedstat, nanoseconds on a CPU). */
static double proc_cpu_us(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    double ns = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p2[320];
        snprintf(p2, sizeof p2, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        FILE *f = fopen(p2, "r");
        unsigned long long run = 0;
        if (f && fscanf(f, "%llu", &run) == 1)
            ns += (double)run;
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return ns / 1e3;
}

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One search as the server runs it (default options) plus the same JSON
 * formatting; returns microseconds. */
static double in_process(mg_searcher *s, const char *q)
{
    mg_search_options o;
    mg_search_options_init(&o);
    results_json_prepare(&o);
    double t0 = now_us();
    mg_results *r = NULL;
    mg_search(s, q, &o, &r);
    free(results_to_json(q, r, 0));
    mg_results_free(r);
    return now_us() - t0;
}

static void row(const char *label, summary s, double rps)
{
    printf("%-40s %10.1f %10.1f %10.1f %12.0f\n", label, s.p50, s.p99, s.mean, rps);
}

int main(int argc, char **argv)
{
    const char *morgue = "build/morgue", *jsonl = NULL;
    size_t total = 20000;
    int conns = 4, threads = 4, i;
    for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--morgue") == 0) morgue = argv[i + 1];
        else if (strcmp(argv[i], "--build") == 0) jsonl = argv[i + 1];
        else if (strcmp(argv[i], "-n") == 0) total = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "-c") == 0) conns = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
        else die("unknown option");
    }
    if (argc - i != 2 || conns < 1 || conns > 256 || total < (size_t)conns)
        die("usage: bench_http [--morgue BIN] [--build FILE.jsonl] [-n N] [-c CONNS] "
            "[--threads T] INDEX QUERIES");
    const char *index = argv[i], *qfile = argv[i + 1];
    if (jsonl)
        build_index(index, jsonl);
    size_t nq;
    char **queries = load_queries(qfile, &nq);
    char **paths = malloc(nq * sizeof *paths);
    for (size_t q = 0; q < nq; q++)
        paths[q] = search_path(queries[q]);

    mg_searcher *s = NULL;
    if (mg_searcher_open_path(index, &s) != MG_OK)
        die(mg_searcher_errmsg(s));
    size_t nin = total < 5000 ? total : 5000;
    for (size_t k = 0; k < nin; k++) /* warm the page cache and allocator */
        in_process(s, queries[k % nq]);
    int port;
    pid_t pid = start_server(morgue, index, threads, &port);
    summary seq, par;
    http_load(port, paths, nq, nin, 1, &seq); /* warm the server */

    /* Paired: each query in-process, then over HTTP, so that load from
     * other processes hits both alike; the overhead is their difference. */
    double *lin = malloc(nin * sizeof *lin), *lhttp = malloc(nin * sizeof *lhttp);
    double *diff = malloc(nin * sizeof *diff);
    int fd = -1;
    double cpu_in = 0, cpu_srv0 = proc_cpu_us(pid);
    for (size_t k = 0; k < nin; k++) {
        double c0 = thread_cpu_us();
        lin[k] = in_process(s, queries[k % nq]);
        cpu_in += thread_cpu_us() - c0;
        double t0 = now_us();
        if (http_get(&fd, port, paths[k % nq]) != 200)
            die("a request failed");
        lhttp[k] = now_us() - t0;
        diff[k] = lhttp[k] - lin[k];
    }
    double cpu_srv = proc_cpu_us(pid) - cpu_srv0;
    /* Transport alone: a query that matches nothing. */
    double *lnone = malloc(nin * sizeof *lnone), *lnone_in = malloc(nin * sizeof *lnone_in);
    for (size_t k = 0; k < nin; k++) {
        lnone_in[k] = in_process(s, "zzqqxxnomatch");
        double t0 = now_us();
        if (http_get(&fd, port, "/search?q=zzqqxxnomatch") != 200)
            die("a request failed");
        lnone[k] = now_us() - t0;
    }
    close(fd);
    summary in = summarize(lin, nin), http1 = summarize(lhttp, nin), d = summarize(diff, nin);
    summary none = summarize(lnone, nin), none_in = summarize(lnone_in, nin);
    double rpsc = http_load(port, paths, nq, total, conns, &par);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    mg_searcher_close(s);

    printf("queries: %zu distinct from %s; index %s; server threads %d; %ld CPUs\n", nq, qfile,
           index, threads, sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-40s %10s %10s %10s %12s\n", "", "p50 us", "p99 us", "mean us", "requests/s");
    row("in-process mg_search + JSON, 1 thread", in, 1e6 / in.mean);
    row("HTTP /search, 1 connection", http1, 1e6 / http1.mean);
    char label[64];
    snprintf(label, sizeof label, "HTTP /search, %d connections", conns);
    row(label, par, rpsc);
    row("in-process, query matching nothing", none_in, 1e6 / none_in.mean);
    row("HTTP, query matching nothing", none, 1e6 / none.mean);
    printf("HTTP overhead per request, paired (HTTP minus in-process, same query): "
           "p50 %.1f us, mean %.1f us\n", d.p50, d.mean);
    printf("HTTP overhead per request, query matching nothing: p50 %.1f us\n",
           none.p50 - none_in.p50);
    printf("CPU per request: in-process %.1f us, server %.1f us (all its threads); "
           "overhead %.1f us\n", cpu_in / (double)nin, cpu_srv / (double)nin,
           (cpu_srv - cpu_in) / (double)nin);
    return 0;
}

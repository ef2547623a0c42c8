/* cmd_index.c — `morgue index PATH...`: reads articles with the ingest
 * module and adds them to an index, with a progress bar and a summary.
 *
 * Commits.  By default one run is one transaction: everything is committed
 * at the end, so an interrupted run (Ctrl-C, SIGTERM) leaves the index
 * exactly as it was before the run.  --commit-every N also commits after
 * every N articles: an interruption then keeps those commits and rolls back
 * only the articles since the last one.  Either way, running the same
 * command again is safe: articles keep their ids, so they are replaced,
 * not duplicated. */
#include "cli/cli.h"
#include "cli/progress.h"
#include "ingest/ingest.h"
#include "xapian/xbackend.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run {
    mg_index *ix;
    xb_writer *xw;           /* --backend xapian: writes go here instead */
    errbuf    xe;
    ingest   *ing;
    progress  bar;
    int       quiet;
    uint64_t  commit_every;
    uint64_t  since_commit;  /* articles added since the last commit */
    uint64_t  committed;     /* articles committed by periodic commits */
    uint64_t  added;         /* articles accepted by the index */
    uint64_t  rejected;      /* articles the index refused */
    int       missing;       /* PATH arguments that do not exist */
    int       fatal;         /* an index error that ends the run */
} run;

static volatile sig_atomic_t g_interrupted;
static mg_index *volatile g_ix;
static ingest *volatile g_ing;

/* The first signal asks for a clean stop; a second one kills at once
 * (still safe: commits are atomic). */
static void on_signal(int sig)
{
    signal(sig, SIG_DFL);
    g_interrupted = 1;
    if (g_ix)
        mg_index_interrupt(g_ix);
    if (g_ing)
        ingest_stop(g_ing);
}

static void on_problem(void *ctx, const char *file, uint64_t line, int kind, const char *msg)
{
    run *r = ctx;
    (void)kind;
    if (r->quiet && kind != INGEST_ERROR)
        return;
    progress_clear(&r->bar);
    if (line)
        fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, msg);
    else
        fprintf(stderr, "%s: %s\n", file, msg);
}

static void on_progress(void *ctx, uint64_t bytes)
{
    run *r = ctx;
    progress_update(&r->bar, r->added, bytes);
}

/* The index operations, on whichever backend the run writes to. */
static int w_add(run *r, const mg_article *a)
{
    return r->xw ? xb_writer_add(r->xw, a, &r->xe) : mg_index_add(r->ix, a);
}
static int w_commit(run *r) { return r->xw ? xb_writer_commit(r->xw, &r->xe) : mg_index_commit(r->ix); }
static int w_rollback(run *r) { return r->xw ? xb_writer_rollback(r->xw, &r->xe) : mg_index_rollback(r->ix); }
static const char *w_errmsg(run *r) { return r->xw ? r->xe.msg : mg_errmsg(r->ix); }

static int on_article(void *ctx, const ingest_item *it)
{
    run *r = ctx;
    int rc = w_add(r, &it->art);
    if (rc == MG_EINTERRUPTED || g_interrupted)
        return MG_EINTERRUPTED;
    if (rc == MG_EINVAL) { /* this article only */
        r->rejected++;
        on_problem(r, it->file, it->line, INGEST_ERROR, w_errmsg(r));
        return 0;
    }
    if (rc != MG_OK) {
        r->fatal = rc;
        return rc;
    }
    r->added++;
    progress_update(&r->bar, r->added, r->bar.bytes);
    if (r->commit_every && ++r->since_commit >= r->commit_every) {
        rc = w_commit(r);
        if (rc == MG_EINTERRUPTED)
            return rc;
        if (rc != MG_OK) {
            r->fatal = rc;
            return rc;
        }
        r->committed = r->added;
        r->since_commit = 0;
    }
    return 0;
}

static int index_paths(run *r, char **paths, int n)
{
    ingest_callbacks cb = { on_article, on_problem, on_progress, r };
    r->ing = ingest_new(&cb);
    if (!r->ing)
        return MG_ENOMEM;
    g_ing = r->ing;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (strcmp(paths[i], "-") != 0 && access(paths[i], F_OK) != 0) {
            /* A mistyped argument, not bad input: the rest is still
             * indexed, but the exit status says so. */
            progress_clear(&r->bar);
            cli_error("index", EXIT_FAIL, "%s: no such file or directory", paths[i]);
            r->missing++;
            continue;
        }
        rc = ingest_path(r->ing, paths[i]);
    }
    return rc;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void summary(run *r, const char *path, double secs)
{
    const ingest_counts *c = ingest_get_counts(r->ing);
    char a[32], mb[32];
    double rate = secs > 0 ? (double)c->bytes / 1e6 / secs : 0;
    printf("indexed %s articles (%s) into %s in %.1f s, %.1f MB/s", cli_count(r->added, a, sizeof a),
           cli_bytes(c->bytes, mb, sizeof mb), path, secs, rate);
    printf("; %llu files read, %llu skipped, %llu errors", (unsigned long long)c->files,
           (unsigned long long)c->skipped, (unsigned long long)(c->errors + r->rejected));
    if (c->bad_dates)
        printf(", %llu dates not understood", (unsigned long long)c->bad_dates);
    printf("\n");
}

static int finish(run *r, const char *path, int rc)
{
    if (rc == 0 && !g_interrupted) {
        rc = w_commit(r);
        if (rc != MG_OK && rc != MG_EINTERRUPTED) {
            progress_clear(&r->bar);
            cli_error("index", EXIT_FAIL, "commit failed: %s", w_errmsg(r));
            return EXIT_FAIL;
        }
    }
    if (rc == MG_EINTERRUPTED || g_interrupted) {
        w_rollback(r);
        progress_clear(&r->bar);
        char a[32], b[32];
        if (r->committed)
            cli_error("index", EXIT_INTERRUPTED,
                      "interrupted: %s articles committed earlier stay, %s since the last commit rolled back",
                      cli_count(r->committed, a, sizeof a), cli_count(r->added - r->committed, b, sizeof b));
        else
            cli_error("index", EXIT_INTERRUPTED, "interrupted: nothing committed, %s is unchanged", path);
        return EXIT_INTERRUPTED;
    }
    if (rc != MG_OK) {
        progress_clear(&r->bar);
        w_rollback(r);
        cli_error("index", EXIT_FAIL, "stopped: %s (nothing since the last commit was kept)",
                  r->fatal ? w_errmsg(r) : mg_strerror(rc));
        return EXIT_FAIL;
    }
    progress_finish(&r->bar);
    return EXIT_OK;
}

int cmd_index(int argc, char **argv)
{
    cli_common co = { 0 };
    const char *language = NULL, *ram = NULL, *every = NULL, *threads = NULL;
    int quiet = 0, no_merge = 0;
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&co),
        { 0, "language", OPT_ARG, "LANG", "stemmer for a new index (english, french, ..., none)", NULL, &language },
        { 0, "ram", OPT_ARG, "MB", "memory for buffering before a segment is written (default 256)", NULL, &ram },
        { 0, "commit-every", OPT_ARG, "N", "also commit after every N articles (default: at the end only)", NULL, &every },
        { 0, "no-merge", OPT_FLAG, NULL, "never merge segments on commit", &no_merge, NULL },
        { 0, "threads", OPT_ARG, "N", "threads analysing articles: 1 or 2 (default 2 when two processors or more are usable)", NULL, &threads },
        { 'q', "quiet", OPT_FLAG, NULL, "no progress bar, no summary, no warnings", &quiet, NULL },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **paths;
    int n;
    int prc = cli_parse(&CMD_INDEX, opts, 0, argc, argv, &paths, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n == 0)
        return cli_error("index", EXIT_USAGE, "no PATH given (a file, a directory or - for stdin)");
    run r;
    memset(&r, 0, sizeof r);
    r.quiet = quiet;
    uint64_t mb = 0, nthreads = 0;
    if ((ram && cli_number("index", "--ram", ram, &mb)) ||
        (every && cli_number("index", "--commit-every", every, &r.commit_every)) ||
        (threads && cli_number("index", "--threads", threads, &nthreads)))
        return EXIT_USAGE;
    if (threads && (nthreads < 1 || nthreads > 2))
        return cli_error("index", EXIT_USAGE, "--threads: 1 or 2, not '%s'", threads);
    const char *path = cli_index_path(co.index);
    mg_open_options oo;
    mg_open_options_init(&oo);
    oo.language = language;
    oo.ram_budget = (size_t)mb << 20;
    oo.no_merge = no_merge;
    oo.threads = (int)nthreads;
    int xap = cli_backend_xapian("index", &co);
    if (xap < 0)
        return EXIT_USAGE;
    if (xap && (ram || no_merge || threads))
        return cli_error("index", EXIT_USAGE, "%s: not available with --backend xapian (Xapian "
                         "buffers a run in its transaction, merges nothing and adds in one thread)",
                         ram ? "--ram" : no_merge ? "--no-merge" : "--threads");
    install_signals();
    int rc;
    if (xap && (rc = xb_writer_open(path, 1, language, &r.xw, &r.xe)) != MG_OK) {
        cli_error("index", EXIT_FAIL, "cannot open Xapian database '%s' for writing: %s", path, r.xe.msg);
        return EXIT_FAIL;
    }
    rc = xap ? MG_OK : mg_index_open(path, MG_WRITE | MG_CREATE, &oo, &r.ix);
    if (rc != MG_OK) {
        cli_error("index", EXIT_FAIL, "cannot open index '%s' for writing: %s", path,
                  r.ix ? mg_errmsg(r.ix) : mg_strerror(rc));
        mg_index_close(r.ix);
        return EXIT_FAIL;
    }
    g_ix = r.ix;
    int tty = isatty(2) && !quiet;
    uint64_t total = 0;
    for (int i = 0; tty && i < n; i++)
        total += ingest_size(paths[i]);
    progress_init(&r.bar, tty, total);
    rc = index_paths(&r, paths, n);
    int code = finish(&r, path, rc);
    if (code == EXIT_OK && !quiet)
        summary(&r, path, progress_now() - r.bar.start);
    if (code == EXIT_OK && r.missing)
        code = EXIT_FAIL;
    g_ix = NULL;
    g_ing = NULL;
    mg_index_close(r.ix);
    xb_writer_close(r.xw);
    ingest_free(r.ing);
    return code;
}

const cli_cmd CMD_INDEX = {
    "index",
    "[-i INDEX] [--language L] [--ram MB] [--commit-every N] [-q] PATH...",
    "add articles from files, folders or stdin to an index",
    "Reads every article under each PATH (folders recursively; - reads JSON Lines from\n"
    "standard input) and adds it to the index, creating the index if needed. Formats:\n"
    "JSON Lines (.jsonl, .ndjson), JSON (.json), HTML (.html, .htm), plain text (.txt and\n"
    "anything else that is text), each optionally gzip-compressed (.gz). An article without\n"
    "an id gets one from its file's path, so indexing the same files again replaces them.\n"
    "Problems (a malformed line, an unreadable or binary file, a date that cannot be read)\n"
    "are reported as FILE:LINE: REASON and skipped; the run goes on.\n"
    "Everything is committed at the end; Ctrl-C rolls back what this run added since its\n"
    "last commit and exits with status 130.",
    "  morgue index ~/archive                       # a folder, recursively\n"
    "  morgue index -i reuters reuters.jsonl.gz     # into indexes/reuters\n"
    "  zcat dump.jsonl.gz | morgue index -          # JSON Lines from stdin\n"
    "  morgue index --commit-every 100000 big/      # keep progress if interrupted\n",
    cmd_index,
};

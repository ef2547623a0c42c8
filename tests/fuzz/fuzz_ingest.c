/* fuzz_ingest.c — libFuzzer target for what reads untrusted files: the
 * ingest readers (JSON Lines, JSON, HTML, text, each also gzip-compressed)
 * and the indexer's analysis of whatever text they produce.  The first
 * input byte picks the format; the rest is the file.  Every article must
 * come out with an id and valid UTF-8 fields, every problem report must
 * name its file and say something, and indexing the article must succeed;
 * nothing may crash, leak or read out of bounds.
 * Build and run: make fuzz / make fuzz-short. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest.h"
#include "morgue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], ixdir[300];
static mg_index *ix;
static unsigned runs;

static const char *const exts[] = { ".jsonl", ".json", ".html", ".txt", "" };
#define NEXT (sizeof exts / sizeof *exts)

static void check_utf8(const char *s)
{
    if (s && !ingest_utf8_valid(s, strlen(s)))
        abort();
}

static int on_article(void *ctx, const ingest_item *it)
{
    (void)ctx;
    const mg_article *a = &it->art;
    if (!a->id || !a->id[0] || !it->file)
        abort();
    check_utf8(a->title);
    check_utf8(a->body);
    check_utf8(a->author);
    check_utf8(a->source);
    check_utf8(a->section);
    int rc = mg_index_add(ix, a);
    if (rc != MG_OK && rc != MG_ENOMEM && !(rc == MG_EINVAL && strlen(a->id) > MG_ID_MAX))
        abort();
    return 0;
}

static void on_problem(void *ctx, const char *file, uint64_t line, int kind, const char *msg)
{
    (void)ctx;
    (void)line;
    if (!file || !msg || !msg[0] || kind < INGEST_WARN || kind > INGEST_SKIP)
        abort();
}

static int rmrf(const char *path)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    return system(cmd);
}

/* A fresh writable index every few thousand inputs, so the uncommitted
 * segments flushed meanwhile do not pile up. */
static void index_fresh(void)
{
    if (ix)
        mg_index_close(ix);
    if (rmrf(ixdir) != 0)
        abort();
    mg_open_options o = { .language = "english", .ram_budget = 8u << 20 };
    if (mg_index_open(ixdir, MG_WRITE | MG_CREATE, &o, &ix) != MG_OK)
        abort();
}

static int write_file(const char *path, const uint8_t *p, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb1");
        if (!f)
            return -1;
        int ok = n == 0 || gzwrite(f, p, (unsigned)n) == (int)n;
        return gzclose(f) == Z_OK && ok ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = n == 0 || fwrite(p, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* At exit: the scratch directory goes. */
static void cleanup(void)
{
    if (ix)
        mg_index_close(ix);
    ix = NULL;
    if (rmrf(dir) != 0)
        fprintf(stderr, "fuzz_ingest: could not remove %s\n", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/fuzz-ingest-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir))
            abort();
        snprintf(ixdir, sizeof ixdir, "%s/ix", dir);
        atexit(cleanup);
    }
    if (runs++ % 4096 == 0)
        index_fresh();
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    int gz = (sel / NEXT) % 2;
    char path[400];
    snprintf(path, sizeof path, "%s/in%s%s", dir, exts[sel % NEXT], gz ? ".gz" : "");
    if (write_file(path, data + 1, size - 1, gz) != 0)
        abort();
    ingest_callbacks cb = { on_article, on_problem, NULL, NULL };
    ingest *g = ingest_new(&cb);
    if (!g)
        return 0;
    int rc = ingest_path(g, path);
    if (rc != 0 && rc != MG_ENOMEM)
        abort();
    ingest_free(g);
    unlink(path);
    return 0;
}

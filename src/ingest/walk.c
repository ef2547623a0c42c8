/* walk.c — the ingest driver: walks paths (directories recursively, each
 * visited once by device and inode so symlink loops end), picks a reader
 * per file by extension and content, completes articles (generated ids,
 * dates) and counts and reports problems. */
#include "ingest/ingest_int.h"
#include "ingest/date.h"
#include "util/strmap.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { FMT_UNKNOWN, FMT_JSONL, FMT_JSON, FMT_TEXT, FMT_HTML };

ingest *ingest_new(const ingest_callbacks *cb)
{
    ingest *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cb = *cb;
    buf_init(&g->idbuf);
    return g;
}

void ingest_free(ingest *g)
{
    if (!g)
        return;
    strmap_free(g->dirs);
    buf_free(&g->idbuf);
    free(g);
}

void ingest_stop(ingest *g)
{
    if (g)
        g->stop = 1;
}

const ingest_counts *ingest_get_counts(const ingest *g) { return &g->c; }

void ingest_report(ingest *g, const char *file, uint64_t line, int kind, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (kind == INGEST_ERROR)
        g->c.errors++;
    else if (kind == INGEST_SKIP)
        g->c.skipped++;
    if (g->cb.problem)
        g->cb.problem(g->cb.ctx, file, line, kind, msg);
}

void ingest_set_date(ingest *g, mg_article *a, const char *file, uint64_t line, const char *s)
{
    a->date = MG_NO_DATE;
    if (!s)
        return;
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return;
    int64_t t;
    if (date_parse(s, &t, NULL) == 0) {
        a->date = t;
        return;
    }
    g->c.bad_dates++;
    ingest_report(g, file, line, INGEST_WARN, "unrecognised date \"%.60s\" (article kept without a date)", s);
}

void ingest_progress(ingest *g, istream *s)
{
    if (g->cb.progress)
        g->cb.progress(g->cb.ctx, g->bytes_done + istream_offset(s));
}

static size_t slen(const char *s) { return s ? strlen(s) : 0; }

int ingest_emit(ingest *g, ingest_item *it, int idmode, uint64_t n)
{
    if (g->stop && !g->rc)
        g->rc = MG_EINTERRUPTED;
    if (g->rc)
        return g->rc;
    if (!it->art.id || !*it->art.id) {
        /* A stable id: the absolute path, plus where in the file. */
        char abs[PATH_MAX];
        const char *base = it->file;
        if (strcmp(it->file, "-") != 0 && realpath(it->file, abs))
            base = abs;
        buf_reset(&g->idbuf);
        if (idmode)
            buf_printf(&g->idbuf, "%s%c%llu", base, idmode, (unsigned long long)n);
        else
            buf_printf(&g->idbuf, "%s", base);
        it->art.id = buf_cstr(&g->idbuf);
        if (!it->art.id)
            return g->rc = MG_ENOMEM;
    }
    g->c.articles++;
    g->c.text_bytes += slen(it->art.title) + slen(it->art.body);
    int r = g->cb.article ? g->cb.article(g->cb.ctx, it) : 0;
    if (r)
        g->rc = r;
    return g->rc;
}

/* The extension of name after any trailing ".gz", lower-cased into ext. */
static int format_by_name(const char *name)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", name);
    size_t n = strlen(tmp);
    if (n > 3 && strcasecmp(tmp + n - 3, ".gz") == 0)
        tmp[n - 3] = '\0';
    const char *slash = strrchr(tmp, '/');
    const char *dot = strrchr(slash ? slash : tmp, '.');
    if (!dot)
        return FMT_UNKNOWN;
    static const struct { const char *ext; int fmt; } exts[] = {
        { ".jsonl", FMT_JSONL }, { ".ndjson", FMT_JSONL }, { ".json", FMT_JSON },
        { ".html", FMT_HTML },   { ".htm", FMT_HTML },     { ".xhtml", FMT_HTML },
        { ".txt", FMT_TEXT },    { ".text", FMT_TEXT },
    };
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
        if (strcasecmp(dot, exts[i].ext) == 0)
            return exts[i].fmt;
    return FMT_UNKNOWN;
}

/* Looks at the first bytes: -1 binary, else a FMT_*. */
static int format_by_content(const char *p, size_t n, int by_name)
{
    size_t k = n < 1024 ? n : 1024;
    if (memchr(p, '\0', k))
        return -1;
    if (by_name != FMT_UNKNOWN)
        return by_name;
    size_t i = 0;
    if (k >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < k && isspace((unsigned char)p[i]))
        i++;
    if (i < k && (p[i] == '{' || p[i] == '['))
        return FMT_JSON;
    if (i < k && p[i] == '<') {
        char low[301];
        size_t m = k - i < 300 ? k - i : 300;
        for (size_t j = 0; j < m; j++)
            low[j] = (char)tolower((unsigned char)p[i + j]);
        low[m] = '\0';
        if (strstr(low, "<html") || strstr(low, "<!doctype html"))
            return FMT_HTML;
    }
    return FMT_TEXT;
}

static void read_stream(ingest *g, istream *s, int fmt)
{
    size_t n = istream_peek(s, 1024);
    int f = format_by_content(s->data + s->beg, n, fmt);
    if (f < 0) {
        ingest_report(g, s->name, 0, INGEST_SKIP, "binary file skipped");
        return;
    }
    g->c.files++;
    switch (f) {
    case FMT_JSONL: read_jsonl(g, s); break;
    case FMT_JSON: read_json(g, s); break;
    case FMT_HTML: read_html(g, s); break;
    default: read_text(g, s); break;
    }
}

static void read_file(ingest *g, const char *path, const struct stat *st)
{
    istream s;
    if (istream_open(&s, g, path, path, -1) != 0) {
        ingest_report(g, path, 0, INGEST_ERROR, "cannot open: %s", strerror(errno));
        g->bytes_done += (uint64_t)st->st_size;
        return;
    }
    read_stream(g, &s, format_by_name(path));
    istream_close(&s);
    g->bytes_done += (uint64_t)st->st_size;
    g->c.bytes = g->bytes_done;
    if (g->cb.progress)
        g->cb.progress(g->cb.ctx, g->bytes_done);
}

/* Marks a directory visited in *seen (a set keyed by device and inode, so
 * a loop of links or a folder reached twice is read once).  Returns 1 if
 * it was seen before, -1 when out of memory. */
static int mark_dir(strmap **seen, const struct stat *st)
{
    if (!*seen && !(*seen = strmap_new()))
        return -1;
    uint64_t key[2] = { (uint64_t)st->st_dev, (uint64_t)st->st_ino };
    int inserted = 0;
    if (!strmap_upsert(*seen, key, sizeof key, 0, &inserted))
        return -1;
    return !inserted;
}

static int dir_seen(ingest *g, const struct stat *st)
{
    int r = mark_dir(&g->dirs, st);
    if (r < 0)
        g->rc = MG_ENOMEM;
    return r != 0;
}

static int skip_name(const struct dirent *d) { return d->d_name[0] != '.'; }

static void walk(ingest *g, const char *path, int top);

static void walk_dir(ingest *g, const char *path)
{
    struct dirent **list;
    int n = scandir(path, &list, skip_name, alphasort);
    if (n < 0) {
        ingest_report(g, path, 0, INGEST_ERROR, "cannot read directory: %s", strerror(errno));
        return;
    }
    size_t plen = strlen(path);
    for (int i = 0; i < n; i++) {
        if (!g->rc && !g->stop) {
            size_t len = plen + strlen(list[i]->d_name) + 2;
            char *child = malloc(len);
            if (!child) {
                g->rc = MG_ENOMEM;
            } else {
                snprintf(child, len, "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/",
                         list[i]->d_name);
                walk(g, child, 0);
                free(child);
            }
        }
        free(list[i]);
    }
    free(list);
}

static void walk(ingest *g, const char *path, int top)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        struct stat lst;
        if (!top && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            ingest_report(g, path, 0, INGEST_SKIP, "dangling symbolic link skipped");
        else
            ingest_report(g, path, 0, INGEST_ERROR, "cannot read: %s", strerror(e));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (!dir_seen(g, &st))
            walk_dir(g, path);
    } else if (S_ISREG(st.st_mode)) {
        read_file(g, path, &st);
    } else {
        ingest_report(g, path, 0, INGEST_SKIP, "not a regular file, skipped");
    }
}

int ingest_fd_jsonl(ingest *g, int fd, const char *name)
{
    istream s;
    if (istream_open(&s, g, name, NULL, fd) != 0) {
        ingest_report(g, name, 0, INGEST_ERROR, "cannot read: %s", strerror(errno));
        return g->rc;
    }
    g->c.files++;
    read_jsonl(g, &s);
    g->bytes_done += istream_offset(&s);
    g->c.bytes = g->bytes_done;
    istream_close(&s);
    return g->rc;
}

int ingest_path(ingest *g, const char *path)
{
    if (g->rc)
        return g->rc;
    if (strcmp(path, "-") == 0) {
        int fd = dup(0);
        if (fd < 0) {
            ingest_report(g, "-", 0, INGEST_ERROR, "cannot read standard input: %s", strerror(errno));
            return g->rc;
        }
        ingest_fd_jsonl(g, fd, "-");
    } else {
        walk(g, path, 1);
    }
    if (g->stop && !g->rc)
        g->rc = MG_EINTERRUPTED;
    return g->rc;
}

static uint64_t size_walk(const char *path, strmap **seen)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (uint64_t)st.st_size;
    if (!S_ISDIR(st.st_mode) || mark_dir(seen, &st) != 0)
        return 0;
    struct dirent **list;
    int k = scandir(path, &list, skip_name, NULL);
    if (k < 0)
        return 0;
    uint64_t total = 0;
    for (int i = 0; i < k; i++) {
        char *child;
        if (asprintf(&child, "%s/%s", path, list[i]->d_name) >= 0) {
            total += size_walk(child, seen);
            free(child);
        }
        free(list[i]);
    }
    free(list);
    return total;
}

uint64_t ingest_size(const char *path)
{
    if (strcmp(path, "-") == 0)
        return 0;
    strmap *seen = NULL;
    uint64_t t = size_walk(path, &seen);
    strmap_free(seen);
    return t;
}

void ingest_squeeze(char *s, int keep_newlines)
{
    char *w = s;
    int space = 0, nl = 0;
    for (const char *r = s; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            space = 1;
            if (c == '\n')
                nl++;
            continue;
        }
        if (space && w > s) {
            if (keep_newlines && nl > 1)
                *w++ = '\n';
            *w++ = keep_newlines && nl ? '\n' : ' ';
        }
        space = 0, nl = 0;
        *w++ = (char)c;
    }
    *w = '\0';
}

/* eng_fts5.c — the SQLite FTS5 peer: one fts5 table (porter unicode61),
 * title and body indexed, id and date stored unindexed, ranked by bm25(). */
#include "bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fts {
    sqlite3      *db;
    sqlite3_stmt *top, *top_date, *cnt, *cnt_date;
} fts;

static int fts_available(char *why, size_t n)
{
    /* No global allocation statistics: their mutex serialises threads. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    snprintf(why, n, "SQLite %s", sqlite3_libversion());
    return 1;
}

static void fts_path(char *out, size_t n, const char *dir)
{
    snprintf(out, n, "%s/fts5.db", dir);
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errn)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    snprintf(err, errn, "%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
}

static int fts_build(const char *dir, const bcorpus *c, size_t from, size_t to,
                     int create, const char *idsuffix, char *err, size_t errn)
{
    char path[4096];
    mkdir(dir, 0755);
    fts_path(path, sizeof path, dir);
    if (create) remove(path);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        snprintf(err, errn, "%s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return -1;
    }
    int rc = 0;
    if (create)
        rc = exec(db, "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body, "
                      "date UNINDEXED, tokenize = 'porter unicode61')", err, errn);
    if (!rc) rc = exec(db, "BEGIN", err, errn);
    sqlite3_stmt *ins = NULL;
    if (!rc && sqlite3_prepare_v2(db, "INSERT INTO t(id, title, body, date) VALUES (?,?,?,?)",
                                  -1, &ins, NULL) != SQLITE_OK) {
        snprintf(err, errn, "prepare: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    for (size_t i = from; !rc && i < to; i++) {
        const bdoc *d = &c->docs[i];
        char id[512];
        snprintf(id, sizeof id, "%s%s", d->id, idsuffix ? idsuffix : "");
        sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, d->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, d->body, -1, SQLITE_STATIC);
        if (d->date == BENCH_NO_DATE) sqlite3_bind_null(ins, 4);
        else sqlite3_bind_int64(ins, 4, d->date);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            snprintf(err, errn, "insert: %s", sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (!rc) rc = exec(db, "COMMIT", err, errn);
    sqlite3_close(db);
    return rc;
}

static void *fts_open(const char *dir, char *err, size_t errn)
{
    char path[4096];
    fts_path(path, sizeof path, dir);
    fts *f = calloc(1, sizeof *f);
    if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_prepare_v2(f->db, "SELECT id FROM t WHERE t MATCH ?1 ORDER BY rank LIMIT ?2",
                           -1, &f->top, NULL) ||
        sqlite3_prepare_v2(f->db, "SELECT id FROM t WHERE t MATCH ?1 AND date BETWEEN ?3 AND ?4 "
                           "ORDER BY rank LIMIT ?2", -1, &f->top_date, NULL) ||
        sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &f->cnt, NULL) ||
        sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?1 AND date BETWEEN ?2 AND ?3",
                           -1, &f->cnt_date, NULL))
        goto fail;
    return f;
fail:
    snprintf(err, errn, "%s: %s", path, sqlite3_errmsg(f->db));
    sqlite3_close(f->db);
    free(f);
    return NULL;
}

/* The FTS5 query: every word quoted (no word is read as an operator). */
static void fts_query(const bquery *q, char *out, size_t n)
{
    size_t o = 0;
    out[0] = 0;
    if (q->type == Q_PHRASE) o += (size_t)snprintf(out + o, n - o, "\"");
    for (int i = 0; i < q->nwords && o < n; i++) {
        const char *sep = i == 0 ? "" : q->type == Q_PHRASE ? " " : q->type == Q_AND ? " AND " : " OR ";
        if (q->type == Q_PHRASE) o += (size_t)snprintf(out + o, n - o, "%s%s", sep, q->words[i]);
        else o += (size_t)snprintf(out + o, n - o, "%s\"%s\"", sep, q->words[i]);
    }
    if (q->type == Q_PHRASE && o < n) snprintf(out + o, n - o, "\"");
}

static int fts_search(void *h, const bquery *q, int k, char **ids)
{
    fts *f = h;
    char text[8192];
    fts_query(q, text, sizeof text);
    sqlite3_stmt *st = q->type == Q_DATE ? f->top_date : f->top;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, k);
    if (q->type == Q_DATE) {
        sqlite3_bind_int64(st, 3, q->since);
        sqlite3_bind_int64(st, 4, q->until);
    }
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < k) {
        if (ids) {
            free(ids[n]);
            ids[n] = strdup((const char *)sqlite3_column_text(st, 0));
        }
        n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? n : -1;
}

static long fts_count(void *h, const bquery *q)
{
    fts *f = h;
    char text[8192];
    fts_query(q, text, sizeof text);
    sqlite3_stmt *st = q->type == Q_DATE ? f->cnt_date : f->cnt;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    if (q->type == Q_DATE) {
        sqlite3_bind_int64(st, 2, q->since);
        sqlite3_bind_int64(st, 3, q->until);
    }
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

static void fts_close(void *h)
{
    fts *f = h;
    if (!f) return;
    sqlite3_finalize(f->top);
    sqlite3_finalize(f->top_date);
    sqlite3_finalize(f->cnt);
    sqlite3_finalize(f->cnt_date);
    sqlite3_close(f->db);
    free(f);
}

/* Page bytes per b-tree from the dbstat table: t_content holds the stored
 * text, everything else (t_data, t_idx, t_docsize, ...) is the index. */
static int fts_sizes(const char *dir, bsizes *out)
{
    char path[4096];
    struct stat st;
    fts_path(path, sizeof path, dir);
    memset(out, 0, sizeof *out);
    if (stat(path, &st) != 0) return -1;
    out->total = (uint64_t)st.st_size;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT name, sum(pgsize) FROM dbstat GROUP BY name", -1, &s,
                           NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW) {
            uint64_t b = (uint64_t)sqlite3_column_int64(s, 1);
            if (strcmp((const char *)sqlite3_column_text(s, 0), "t_content") == 0) out->stored += b;
            else out->inverted += b;
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return 0;
}

const bengine bench_fts5 = {
    "fts5", fts_available, fts_build, fts_open, fts_search, fts_count, fts_close, fts_sizes
};

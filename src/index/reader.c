/* reader.c — ix_reader: an immutable snapshot of one commit (a manifest and
 * the segments it names, each mmapped with its deletion bitmap).  Shared by
 * any number of threads; freed when its last reference goes. */
#include "index/reader_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/norm.h"

/* How often ix_reader_open retries when a writer removed the files of the
 * commit it was opening (it then finds the newer commit). */
#define OPEN_RETRIES 16

struct ix_reader {
    atomic_int refs;
    char dir[4096];
    manifest man;
    uint32_t nseg;
    ix_segment **seg;
    uint64_t ndocs;          /* live documents */
    double title_tokens;     /* of live documents (deleted ones subtracted) */
    double body_tokens;
};

static void reader_free(ix_reader *r)
{
    for (uint32_t i = 0; i < r->nseg; i++)
        seg_free(r->seg[i]);
    free(r->seg);
    man_free(&r->man);
    free(r);
}

/* Opens the segments of manifest m.  MG_ENOTFOUND means a file is gone. */
static int reader_load(ix_reader *r, errbuf *e)
{
    r->seg = calloc(r->man.nseg ? r->man.nseg : 1, sizeof *r->seg);
    if (!r->seg)
        return err_set(e, MG_ENOMEM, "out of memory opening %s", r->dir);
    for (uint32_t i = 0; i < r->man.nseg; i++) {
        const man_seg *ms = &r->man.seg[i];
        ix_segment *s;
        int rc = seg_open(r->dir, ms->id, &s, e);
        if (rc != MG_OK)
            return rc;
        r->seg[r->nseg++] = s;
        if (s->ndocs != ms->ndocs || s->map.len != ms->bytes)
            return err_set(e, MG_ECORRUPT, "%s: size or document count differs from its manifest",
                           s->path);
        if (ms->del_gen) {
            rc = del_read(r->dir, ms->id, ms->del_gen, s->ndocs, &s->deleted, &s->ndeleted, e);
            if (rc != MG_OK)
                return rc;
            s->del_gen = ms->del_gen;
        }
        r->ndocs += s->ndocs - s->ndeleted;
        double tt = (double)s->title_tokens, bt = (double)s->body_tokens;
        for (uint32_t d = 0; s->ndeleted && d < s->ndocs; d++) {
            if (bit_get(s->deleted, d)) {
                tt -= norm_decode(ix_seg_title_norm(s, d));
                bt -= norm_decode(ix_seg_body_norm(s, d));
            }
        }
        r->title_tokens += tt > 0 ? tt : 0;
        r->body_tokens += bt > 0 ? bt : 0;
    }
    return MG_OK;
}

static int reader_try(const char *dir, uint64_t gen, ix_reader **out, errbuf *e)
{
    ix_reader *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, MG_ENOMEM, "out of memory opening %s", dir);
    atomic_init(&r->refs, 1);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    int rc = man_read(dir, gen, &r->man, e);
    if (rc == MG_OK)
        rc = reader_load(r, e);
    if (rc != MG_OK) {
        reader_free(r);
        return rc;
    }
    *out = r;
    return MG_OK;
}

int ix_reader_open(const char *dir, ix_reader **out, errbuf *e)
{
    *out = NULL;
    errbuf first;
    err_clear(&first);
    for (int attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        uint64_t *gens;
        size_t n;
        int rc = man_list(dir, &gens, &n, e);
        if (rc != MG_OK)
            return rc;
        if (n == 0) {
            free(gens);
            return err_set(e, MG_ENOTFOUND, "%s: no morgue index here (no MANIFEST file)", dir);
        }
        int vanished = 0;
        for (size_t i = 0; i < n; i++) {
            errbuf e2;
            err_clear(&e2);
            rc = reader_try(dir, gens[i], out, &e2);
            if (rc == MG_OK) {
                free(gens);
                return MG_OK;
            }
            if (rc == MG_ENOTFOUND) { /* removed by a newer commit: list again */
                vanished = 1;
                if (first.code == MG_OK)
                    first = e2;
                break;
            }
            if (first.code == MG_OK || first.code == MG_ENOTFOUND)
                first = e2;
            if (rc == MG_ENOMEM || rc == MG_EIO)
                break;
        }
        free(gens);
        if (!vanished)
            break;
    }
    if (e)
        *e = first;
    return first.code ? first.code : err_set(e, MG_ECORRUPT, "%s: no readable commit", dir);
}

void ix_reader_ref(ix_reader *r) { atomic_fetch_add(&r->refs, 1); }

void ix_reader_unref(ix_reader *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1)
        reader_free(r);
}

int ix_reader_stale(const ix_reader *r)
{
    uint64_t *gens;
    size_t n;
    if (man_list(r->dir, &gens, &n, NULL) != MG_OK)
        return 0;
    int stale = n > 0 && gens[0] > r->man.gen;
    free(gens);
    return stale;
}

uint64_t ix_reader_generation(const ix_reader *r) { return r->man.gen; }
const char *ix_reader_language(const ix_reader *r) { return r->man.language; }
const char *ix_reader_dir(const ix_reader *r) { return r->dir; }
uint32_t ix_reader_nsegments(const ix_reader *r) { return r->nseg; }
const ix_segment *ix_reader_segment(const ix_reader *r, uint32_t i) { return i < r->nseg ? r->seg[i] : NULL; }
const manifest *reader_manifest(const ix_reader *r) { return &r->man; }

uint64_t ix_reader_ndocs(const ix_reader *r) { return r->ndocs; }
double ix_reader_avg_title_len(const ix_reader *r) { return r->ndocs ? r->title_tokens / (double)r->ndocs : 0; }
double ix_reader_avg_body_len(const ix_reader *r) { return r->ndocs ? r->body_tokens / (double)r->ndocs : 0; }

void ix_reader_term_stats(const ix_reader *r, const char *term, size_t len, uint64_t *df,
                          uint64_t *cf)
{
    *df = *cf = 0;
    for (uint32_t i = 0; i < r->nseg; i++) {
        td_entry e;
        if (td_lookup(r->seg[i], term, len, &e)) {
            *df += e.df;
            *cf += e.cf;
        }
    }
}

static int has_prefix(const td_entry *t, const char *prefix, size_t len)
{
    return t->len >= len && memcmp(t->term, prefix, len) == 0;
}

size_t ix_reader_prefix(const ix_reader *r, const char *prefix, size_t len, size_t max,
                        int (*fn)(void *ctx, const char *term, size_t len, uint64_t df),
                        void *ctx)
{
    td_iter *it = calloc(r->nseg ? r->nseg : 1, sizeof *it);
    uint8_t *live = calloc(r->nseg ? r->nseg : 1, 1);
    size_t visited = 0;
    if (!it || !live)
        goto out;
    for (uint32_t i = 0; i < r->nseg; i++)
        live[i] = (uint8_t)(td_seek(&it[i], r->seg[i], prefix, len) &&
                            has_prefix(&it[i].cur, prefix, len));
    while (visited < max) {
        int best = td_smallest(it, live, r->nseg);
        if (best < 0)
            break;
        char term[IX_TERM_MAX + 1];
        size_t tl = it[best].cur.len;
        memcpy(term, it[best].cur.term, tl + 1);
        uint64_t df = 0;
        for (uint32_t i = 0; i < r->nseg; i++) {
            if (!live[i] || it[i].cur.len != tl || memcmp(it[i].cur.term, term, tl) != 0)
                continue;
            df += it[i].cur.df;
            live[i] = (uint8_t)(td_next(&it[i]) && has_prefix(&it[i].cur, prefix, len));
        }
        visited++;
        if (fn && fn(ctx, term, tl, df))
            break;
    }
out:
    free(it);
    free(live);
    return visited;
}

int ix_reader_find_id(const ix_reader *r, const char *id, uint32_t *seg, uint32_t *doc)
{
    size_t n = strlen(id);
    for (uint32_t i = r->nseg; i-- > 0;) {
        uint32_t from, m = seg_find_id(r->seg[i], id, n, &from);
        for (uint32_t k = from; k < from + m; k++) {
            uint32_t d = seg_id_order(r->seg[i], k);
            if (!ix_seg_is_deleted(r->seg[i], d)) {
                *seg = i;
                *doc = d;
                return 1;
            }
        }
    }
    return 0;
}

static uint64_t file_size(const char *dir, const char *name)
{
    char path[4200];
    struct stat st;
    return stat(path_join(path, sizeof path, dir, name), &st) == 0 ? (uint64_t)st.st_size : 0;
}

void ix_reader_stats(const ix_reader *r, mg_stats *out)
{
    memset(out, 0, sizeof *out);
    out->date_min = out->date_max = MG_NO_DATE;
    char name[96];
    snprintf(name, sizeof name, "MANIFEST-%016llx", (unsigned long long)r->man.gen);
    out->bytes_total = file_size(r->dir, name);
    for (uint32_t i = 0; i < r->nseg; i++) {
        const ix_segment *s = r->seg[i];
        out->docs += s->ndocs - s->ndeleted;
        out->deleted += s->ndeleted;
        out->terms += s->nterms;
        out->postings += s->npostings;
        out->tokens += s->tokens;
        out->bytes_total += s->map.len;
        if (s->del_gen) {
            del_name(name, sizeof name, s->id, s->del_gen);
            out->bytes_total += file_size(r->dir, name);
        }
        out->bytes_postings += s->sec[SEC_DICT].len + s->sec[SEC_DICTIDX].len +
                               s->sec[SEC_POSTINGS].len + s->sec[SEC_POSITIONS].len +
                               s->sec[SEC_NORMS].len;
        out->bytes_stored += s->sec[SEC_STORED].len + s->sec[SEC_STOREIDX].len +
                             s->sec[SEC_IDS].len;
        if (s->date_min != MG_NO_DATE && (out->date_min == MG_NO_DATE || s->date_min < out->date_min))
            out->date_min = s->date_min;
        if (s->date_max != MG_NO_DATE && (out->date_max == MG_NO_DATE || s->date_max > out->date_max))
            out->date_max = s->date_max;
    }
    out->segments = r->nseg;
    out->generation = r->man.gen;
    snprintf(out->language, sizeof out->language, "%s", r->man.language);
}

int ix_reader_check(const ix_reader *r, errbuf *e)
{
    for (uint32_t i = 0; i < r->nseg; i++) {
        int rc = seg_check(r->seg[i], e);
        if (rc != MG_OK)
            return rc;
    }
    return MG_OK;
}

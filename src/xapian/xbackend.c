/* xbackend.c — the Xapian backend: morgue articles in, through morgue's
 * analyzer and term scheme (see xbackend.h), and morgue queries out.
 *
 * Document data format (version 1), written by xb_doc_data, read by
 * xb_hit_decode:
 *
 *   u8      version = 1
 *   7 x     field in the order id, url, title, body, source, section,
 *           author:  varint n (0 = absent, else byte length + 1), n-1 bytes
 *   le64    date, int64 seconds since 1970 (INT64_MIN = no date)
 *
 * Database metadata: "morgue.format" = "1", "morgue.language" = stemmer.
 */
#include "xapian/xbackend.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyzer.h"
#include "query/parser.h"
#include "query/snippet.h"
#include "util/buf.h"
#include "xapian/xquery.h"

#define XB_NFIELDS 7

int xb_status(int x)
{
    switch (x) {
    case XAP_OK: return MG_OK;
    case XAP_EINVAL: return MG_EINVAL;
    case XAP_ENOTFOUND: return MG_ENOTFOUND;
    case XAP_ELOCKED: return MG_ELOCKED;
    case XAP_ECORRUPT: return MG_ECORRUPT;
    case XAP_EUNSUPPORTED: return MG_EUNSUPPORTED;
    case XAP_ENOMEM: return MG_ENOMEM;
    default: return MG_EIO; /* opening, modified, network, other */
    }
}

/* Copies the binding's last error into e. */
static int xfail(errbuf *e, int xrc, const char *what)
{
    return err_set(e, xb_status(xrc), "xapian: %s: %s", what, xap_errmsg());
}

/* ------------------------------------------------------------------ writer */

struct xb_writer {
    xap_db *db;
    analyzer *an;
    buf term;      /* scratch: a prefixed term */
    buf data;      /* scratch: the document data */
    int rc;        /* sticky status while adding one document */
};

static int meta_language(xap_db *db, char *out, size_t cap, errbuf *e)
{
    char *v = NULL;
    size_t n = 0;
    int rc = xap_db_get_metadata(db, "morgue.language", &v, &n);
    if (rc)
        return xfail(e, rc, "reading metadata");
    out[0] = '\0';
    if (v && n < cap) {
        memcpy(out, v, n);
        out[n] = '\0';
    }
    free(v);
    return MG_OK;
}

int xb_writer_open(const char *path, int create, const char *language, xb_writer **out,
                   errbuf *e)
{
    *out = NULL;
    xb_writer *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, MG_ENOMEM, "out of memory");
    int rc = xap_db_open(path, XAP_WRITE | (create ? XAP_CREATE : 0), &w->db);
    if (rc) {
        free(w);
        return xfail(e, rc, path);
    }
    char lang[64];
    if ((rc = meta_language(w->db, lang, sizeof lang, e)) != MG_OK) {
        xb_writer_close(w);
        return rc;
    }
    int fresh = lang[0] == '\0';
    w->an = analyzer_new(fresh ? language : lang, e);
    if (!w->an) {
        xb_writer_close(w);
        return e ? e->code : MG_EINVAL;
    }
    if (fresh) {
        const char *l = analyzer_language(w->an);
        if ((rc = xap_db_set_metadata(w->db, "morgue.language", l, strlen(l))) ||
            (rc = xap_db_set_metadata(w->db, "morgue.format", XB_FORMAT, 1)) ||
            (rc = xap_db_commit(w->db))) {
            xb_writer_close(w);
            return xfail(e, rc, "writing metadata");
        }
    }
    if ((rc = xap_db_begin(w->db, 0))) {
        xb_writer_close(w);
        return xfail(e, rc, "beginning a transaction");
    }
    *out = w;
    return MG_OK;
}

void xb_writer_close(xb_writer *w)
{
    if (!w)
        return;
    if (w->db)
        xap_db_cancel_transaction(w->db); /* fails harmlessly when none */
    xap_db_close(w->db);
    analyzer_free(w->an);
    buf_free(&w->term);
    buf_free(&w->data);
    free(w);
}

xap_db *xb_writer_db(xb_writer *w) { return w ? w->db : NULL; }

/* Adds prefix+s[0..n) to doc at pos (or without a position when pos is
 * UINT32_MAX) with wdf_inc; errors stick in w->rc. */
static void add_term(xb_writer *w, xap_doc *doc, char prefix, const char *s, size_t n,
                     uint32_t pos, uint32_t wdf_inc)
{
    if (w->rc || n == 0)
        return;
    buf_reset(&w->term);
    if (prefix)
        buf_put_u8(&w->term, (uint8_t)prefix);
    buf_put(&w->term, s, n);
    if (w->term.oom) {
        w->rc = XAP_ENOMEM;
        return;
    }
    const char *t = (const char *)w->term.p;
    size_t len = w->term.len;
    if (len > 245)
        len = 245; /* Xapian's glass limit is 245 bytes per term */
    w->rc = pos == UINT32_MAX ? xap_doc_add_term(doc, t, len, wdf_inc)
                              : xap_doc_add_posting(doc, t, len, pos + XB_POS_BASE, wdf_inc);
}

typedef struct tok_ctx {
    xb_writer *w;
    xap_doc *doc;
    char prefix;   /* 0 for title/body, 'A' or 'S' for the prefixed fields */
} tok_ctx;

static int on_token(void *ctx, const token *t)
{
    tok_ctx *c = ctx;
    if (c->prefix) {
        add_term(c->w, c->doc, c->prefix, t->raw, t->raw_len, t->pos, 0);
    } else {
        add_term(c->w, c->doc, 0, t->term, t->term_len, t->pos, 1);
        if (t->raw_len != t->term_len || memcmp(t->raw, t->term, t->raw_len) != 0)
            add_term(c->w, c->doc, 'R', t->raw, t->raw_len, t->pos, 0);
    }
    return c->w->rc != XAP_OK;
}

/* Analyzes text into doc from position first; returns the token count. */
static uint32_t add_text(xb_writer *w, xap_doc *doc, char prefix, const char *text, uint32_t first)
{
    if (!text || w->rc)
        return 0;
    tok_ctx c = { w, doc, prefix };
    return analyzer_run(w->an, text, strlen(text), first, on_token, &c);
}

static void put_field(buf *b, const char *s)
{
    if (!s) {
        buf_put_varint(b, 0);
        return;
    }
    size_t n = strlen(s);
    buf_put_varint(b, (uint64_t)n + 1);
    buf_put(b, s, n);
}

/* The stored fields of a, in the format at the top of this file. */
static void xb_doc_data(buf *b, const mg_article *a)
{
    buf_reset(b);
    buf_put_u8(b, 1);
    const char *f[XB_NFIELDS] = { a->id, a->url, a->title, a->body, a->source, a->section, a->author };
    for (int i = 0; i < XB_NFIELDS; i++)
        put_field(b, f[i]);
    buf_put_le64(b, (uint64_t)a->date);
}

static int build_doc(xb_writer *w, const mg_article *a, xap_doc *doc)
{
    w->rc = XAP_OK;
    uint32_t t = add_text(w, doc, 0, a->title, 0);
    add_text(w, doc, 0, a->body, t + 1);
    add_text(w, doc, 'A', a->author, 0);
    uint32_t s = add_text(w, doc, 'S', a->source, 0);
    add_text(w, doc, 'S', a->section, s + 1);
    add_term(w, doc, 'Q', a->id, strlen(a->id), 0, 0); /* position 0, as morgue */
    if (!w->rc && a->date != MG_NO_DATE)
        w->rc = xap_doc_set_value_double(doc, XB_SLOT_DATE, (double)a->date);
    xb_doc_data(&w->data, a);
    if (!w->rc && w->data.oom)
        w->rc = XAP_ENOMEM;
    if (!w->rc)
        w->rc = xap_doc_set_data(doc, w->data.p, w->data.len);
    return w->rc;
}

int xb_writer_add(xb_writer *w, const mg_article *a, errbuf *e)
{
    if (!w || !a)
        return err_set(e, MG_EINVAL, "xb_writer_add: NULL argument");
    if (!a->id || !*a->id)
        return err_set(e, MG_EINVAL, "article without an id");
    xap_doc *doc;
    int rc = xap_doc_new(&doc);
    if (!rc)
        rc = build_doc(w, a, doc);
    if (!rc) {
        buf_reset(&w->term);
        buf_put_u8(&w->term, 'Q');
        buf_put(&w->term, a->id, strlen(a->id));
        size_t len = w->term.len > 245 ? 245 : w->term.len;
        rc = w->term.oom ? XAP_ENOMEM
                         : xap_db_replace_doc(w->db, (const char *)w->term.p, len, doc, NULL);
    }
    xap_doc_free(doc);
    return rc ? xfail(e, rc, "adding an article") : MG_OK;
}

int xb_writer_delete(xb_writer *w, const char *id, errbuf *e)
{
    if (!w || !id)
        return err_set(e, MG_EINVAL, "xb_writer_delete: NULL argument");
    buf_reset(&w->term);
    buf_put_u8(&w->term, 'Q');
    buf_put(&w->term, id, strlen(id));
    if (w->term.oom)
        return err_set(e, MG_ENOMEM, "out of memory");
    size_t len = w->term.len > 245 ? 245 : w->term.len;
    uint32_t n = 0;
    int rc = xap_db_delete_term(w->db, (const char *)w->term.p, len, &n);
    if (rc)
        return xfail(e, rc, "deleting an article");
    if (n == 0)
        return err_set(e, MG_ENOTFOUND, "no article with id '%s'", id);
    return MG_OK;
}

int xb_writer_commit(xb_writer *w, errbuf *e)
{
    if (!w)
        return err_set(e, MG_EINVAL, "xb_writer_commit: NULL writer");
    int rc = xap_db_commit_transaction(w->db);
    if (!rc)
        rc = xap_db_commit(w->db);
    int rc2 = xap_db_begin(w->db, 0);
    if (rc)
        return xfail(e, rc, "committing");
    return rc2 ? xfail(e, rc2, "beginning a transaction") : MG_OK;
}

int xb_writer_rollback(xb_writer *w, errbuf *e)
{
    if (!w)
        return err_set(e, MG_EINVAL, "xb_writer_rollback: NULL writer");
    int rc = xap_db_cancel_transaction(w->db);
    int rc2 = xap_db_begin(w->db, 0);
    if (rc)
        return xfail(e, rc, "rolling back");
    return rc2 ? xfail(e, rc2, "beginning a transaction") : MG_OK;
}

/* ---------------------------------------------------------------- searcher */

struct xb_searcher {
    xap_db *db;            /* the local database, or the combined shards */
    analyzer *an;          /* the database's analyzer (query words) */
    char lang[32];
};

static int searcher_finish(xb_searcher *s, errbuf *e)
{
    int rc = meta_language(s->db, s->lang, sizeof s->lang, e);
    if (rc)
        return rc;
    if (!s->lang[0])
        return err_set(e, MG_EVERSION, "not a morgue Xapian database (no morgue.language metadata)");
    s->an = analyzer_new(s->lang, e);
    return s->an ? MG_OK : (e ? e->code : MG_EINVAL);
}

int xb_searcher_open(const char *path, xb_searcher **out, errbuf *e)
{
    *out = NULL;
    xb_searcher *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, MG_ENOMEM, "out of memory");
    int rc = xap_db_open(path, XAP_RDONLY, &s->db);
    if (rc) {
        free(s);
        return xfail(e, rc, path);
    }
    if ((rc = searcher_finish(s, e))) {
        xb_searcher_close(s);
        return rc;
    }
    *out = s;
    return MG_OK;
}

/* Opens one "host:port" of spec[0..n), checks that it is a morgue
 * database in language lang (the first shard's when lang is "": it is
 * filled in), and adds it to comb.  (Xapian answers metadata of a
 * combination from its first database only, so each shard is asked on its
 * own.) */
static int add_remote(xap_db *comb, const char *spec, size_t n, unsigned timeout_ms,
                      char *lang, size_t langcap, errbuf *e)
{
    char host[256];
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (spec[i] == ':')
            colon = spec + i;
    size_t hl = colon ? (size_t)(colon - spec) : 0;
    char *end = NULL;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (!colon || hl == 0 || hl >= sizeof host || end != spec + n || port == 0 || port > 65535)
        return err_set(e, MG_EINVAL, "bad remote '%.*s': expected host:port", (int)n, spec);
    memcpy(host, spec, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') { /* [::1]:port */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    xap_db *r;
    int rc = xap_db_open_remote(host, (unsigned)port, timeout_ms, &r);
    if (rc)
        return err_set(e, xb_status(rc), "xapian: remote %.*s: %s", (int)n, spec, xap_errmsg());
    char l[32];
    rc = meta_language(r, l, sizeof l, e);
    if (!rc && !l[0])
        rc = err_set(e, MG_EVERSION, "remote %.*s is not a morgue Xapian database", (int)n, spec);
    if (!rc && lang[0] && strcmp(l, lang) != 0)
        rc = err_set(e, MG_EINVAL, "remote %.*s is in language '%s', the first shard in '%s'",
                     (int)n, spec, l, lang);
    if (!rc && !lang[0])
        snprintf(lang, langcap, "%s", l);
    if (!rc) {
        int x = xap_db_add(comb, r);
        if (x)
            rc = xfail(e, x, "combining remote databases");
    }
    xap_db_close(r);
    return rc;
}

int xb_searcher_open_remote(const char *spec, unsigned timeout_ms, xb_searcher **out, errbuf *e)
{
    *out = NULL;
    if (!spec || !*spec)
        return err_set(e, MG_EINVAL, "no remote given (expected host:port[,host:port...])");
    xb_searcher *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, MG_ENOMEM, "out of memory");
    int rc = xap_db_new_combined(&s->db);
    if (rc) {
        free(s);
        return xfail(e, rc, "combining remote databases");
    }
    for (const char *p = spec; *p && !rc;) {
        size_t n = strcspn(p, ",");
        rc = n ? add_remote(s->db, p, n, timeout_ms, s->lang, sizeof s->lang, e)
               : err_set(e, MG_EINVAL, "empty entry in remote list '%s'", spec);
        p += n;
        if (*p == ',' && !p[1])
            rc = rc ? rc : err_set(e, MG_EINVAL, "empty entry in remote list '%s'", spec);
        if (*p == ',')
            p++;
    }
    if (!rc)
        rc = searcher_finish(s, e);
    if (rc) {
        xb_searcher_close(s);
        return rc;
    }
    *out = s;
    return MG_OK;
}

int xb_searcher_reopen(xb_searcher *s, errbuf *e)
{
    int rc = xap_db_reopen(s->db, NULL);
    return rc ? xfail(e, rc, "reopening") : MG_OK;
}

void xb_searcher_close(xb_searcher *s)
{
    if (!s)
        return;
    xap_db_close(s->db);
    analyzer_free(s->an);
    free(s);
}

xap_db *xb_searcher_db(xb_searcher *s) { return s ? s->db : NULL; }
const char *xb_searcher_language(const xb_searcher *s) { return s ? s->lang : ""; }

uint64_t xb_searcher_ndocs(xb_searcher *s)
{
    uint32_t n = 0;
    return s && xap_db_doccount(s->db, &n) == XAP_OK ? n : 0;
}

static int build_query(xb_searcher *s, const char *query, int default_and, xsnip *sn,
                       xap_query **out, errbuf *e, size_t *col);

int xb_query_from_string(xb_searcher *s, const char *query, int default_and, xap_query **out,
                         errbuf *e, size_t *col)
{
    return build_query(s, query, default_and, NULL, out, e, col);
}

static int build_query(xb_searcher *s, const char *query, int default_and, xsnip *sn,
                       xap_query **out, errbuf *e, size_t *col)
{
    *out = NULL;
    if (col)
        *col = 0;
    if (!s || !query)
        return err_set(e, MG_EINVAL, "xb_query_from_string: NULL argument");
    size_t len = strlen(query), c = 0, off = SIZE_MAX;
    qast *ast = NULL;
    int rc = qparse(query, len, default_and, &ast, e, &c);
    if (rc) {
        if (col)
            *col = c;
        return rc;
    }
    rc = xq_build(qast_root(ast), s->an, s->db, sn, out, e, &off);
    if (rc && col && off != SIZE_MAX)
        *col = qp_column(query, len, off);
    qast_free(ast);
    return rc;
}

/* ----------------------------------------------------------------- results */

struct xb_results {
    size_t n;
    mg_hit *hits;
    uint32_t *docids;
    char **blocks;       /* per hit: its strings */
    char **snippets;     /* per hit: its snippet (or NULL) */
    uint64_t total;
    int estimate;
};

size_t xb_results_count(const xb_results *r) { return r ? r->n : 0; }
const mg_hit *xb_results_hit(const xb_results *r, size_t i) { return r && i < r->n ? &r->hits[i] : NULL; }
uint32_t xb_results_docid(const xb_results *r, size_t i) { return r && i < r->n ? r->docids[i] : 0; }
uint64_t xb_results_total(const xb_results *r) { return r ? r->total : 0; }
int xb_results_total_is_estimate(const xb_results *r) { return r ? r->estimate : 0; }

void xb_results_free(xb_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->blocks[i]);
        free(r->snippets[i]);
    }
    free(r->blocks);
    free(r->snippets);
    free(r->hits);
    free(r->docids);
    free(r);
}

/* Decodes a data blob into h, keeping the fields `fields` asks for; their
 * strings go into one malloc'd block (*block).  MG_ECORRUPT on bad data. */
static int xb_hit_decode(const char *data, size_t len, unsigned fields, mg_hit *h, char **block)
{
    static const unsigned want[XB_NFIELDS] = { MG_FIELD_ID, MG_FIELD_URL, MG_FIELD_TITLE,
                                               MG_FIELD_BODY, MG_FIELD_SOURCE, MG_FIELD_SECTION,
                                               MG_FIELD_AUTHOR };
    const char **dst[XB_NFIELDS] = { &h->id, &h->url, &h->title, &h->body, &h->source,
                                     &h->section, &h->author };
    memset(h, 0, sizeof *h);
    h->date = MG_NO_DATE;
    *block = malloc(len + XB_NFIELDS + 1);
    if (!*block)
        return MG_ENOMEM;
    rd r = rd_make(data, len);
    if (rd_u8(&r) != 1)
        return MG_ECORRUPT;
    char *out = *block;
    for (int i = 0; i < XB_NFIELDS; i++) {
        uint64_t n = rd_varint(&r);
        if (n == 0)
            continue;
        if (n - 1 > rd_left(&r))
            return MG_ECORRUPT;
        const char *s = (const char *)r.p;
        r.p += n - 1;
        if (!(fields & want[i]))
            continue;
        memcpy(out, s, (size_t)(n - 1));
        out[n - 1] = '\0';
        *dst[i] = out;
        out += n;
    }
    int64_t date = (int64_t)rd_le64(&r);
    if (r.bad)
        return MG_ECORRUPT;
    if (fields & MG_FIELD_DATE)
        h->date = date;
    return MG_OK;
}

/* q filtered to articles dated in [since, until] (MG_NO_DATE = open);
 * consumes *q. */
static int add_date_filter(xap_query **q, int64_t since, int64_t until)
{
    if (since == MG_NO_DATE && until == MG_NO_DATE)
        return XAP_OK;
    xap_query *range, *f;
    int rc = xap_query_value_range_double(XB_SLOT_DATE, since == MG_NO_DATE ? NAN : (double)since,
                                          until == MG_NO_DATE ? NAN : (double)until, &range);
    if (rc)
        return rc;
    xap_query *subs[2] = { *q, range };
    rc = xap_query_combine(XAP_OP_FILTER, subs, 2, 0, &f);
    xap_query_free(range);
    if (rc)
        return rc;
    xap_query_free(*q);
    *q = f;
    return XAP_OK;
}

static int run_enquire(xb_searcher *s, const xap_query *q, const mg_search_options *o, xap_mset **m)
{
    xap_enquire *en;
    int rc = xap_enquire_new(s->db, &en);
    if (rc)
        return rc;
    uint32_t check = 0, ndocs = 0;
    rc = xap_db_doccount(s->db, &ndocs);
    if (o->exact_total)
        check = ndocs;
    if (!rc)
        rc = xap_enquire_set_query(en, q);
    if (!rc && o->sort == MG_SORT_RELEVANCE)
        rc = xap_enquire_set_bm25(en, o->k1, 0, 1, o->b, 0);
    else if (!rc) {
        rc = xap_enquire_set_boolweight(en);
        if (!rc)
            rc = xap_enquire_set_sort_by_value(en, XB_SLOT_DATE, o->sort == MG_SORT_NEWEST);
    }
    size_t lim = o->limit > ndocs ? ndocs : o->limit; /* no huge reservations */
    size_t off = o->offset > UINT32_MAX ? UINT32_MAX : o->offset;
    if (!rc)
        rc = xap_enquire_mset(en, (uint32_t)off, (uint32_t)lim, check, m);
    xap_enquire_free(en);
    return rc;
}

typedef struct snip_ctx {
    analyzer *an;
    const xsnip *sn;      /* NULL: no snippets */
    const mg_search_options *o;
} snip_ctx;

static int collect(xap_mset *m, const snip_ctx *sc, xb_results *r, errbuf *e)
{
    const mg_search_options *o = sc->o;
    size_t n = xap_mset_size(m);
    r->hits = calloc(n ? n : 1, sizeof *r->hits);
    r->docids = calloc(n ? n : 1, sizeof *r->docids);
    r->blocks = calloc(n ? n : 1, sizeof *r->blocks);
    r->snippets = calloc(n ? n : 1, sizeof *r->snippets);
    if (!r->hits || !r->docids || !r->blocks || !r->snippets)
        return err_set(e, MG_ENOMEM, "out of memory");
    unsigned fields = o->fields | (sc->sn ? MG_FIELD_BODY : 0);
    for (size_t i = 0; i < n; i++) {
        const char *data;
        size_t len;
        int rc = xap_mset_data(m, i, &data, &len);
        if (rc)
            return xfail(e, rc, "reading a document");
        r->n = i + 1; /* block i is owned from here on */
        r->docids[i] = xap_mset_docid(m, i);
        mg_hit *h = &r->hits[i];
        rc = xb_hit_decode(data, len, fields, h, &r->blocks[i]);
        if (rc)
            return err_set(e, rc, "xapian document %u: %s", r->docids[i],
                           rc == MG_ENOMEM ? "out of memory" : "stored data is not morgue's format 1");
        h->score = o->sort == MG_SORT_RELEVANCE ? xap_mset_weight(m, i) : 0;
        if (sc->sn && h->body) {
            r->snippets[i] = snippet_query(sc->an, h->body, strlen(h->body), o->snippet_len,
                                           o->hl_pre ? o->hl_pre : "[", o->hl_post ? o->hl_post : "]",
                                           xsnip_query(sc->sn));
            if (!r->snippets[i])
                return err_set(e, MG_ENOMEM, "out of memory");
            h->snippet = r->snippets[i];
        }
        if (!(o->fields & MG_FIELD_BODY))
            h->body = NULL;
    }
    r->total = xap_mset_estimated(m);
    r->estimate = xap_mset_lower(m) != xap_mset_upper(m);
    if (!r->estimate)
        r->total = xap_mset_lower(m);
    return MG_OK;
}

int xb_search(xb_searcher *s, const char *query, const mg_search_options *opt, xb_results **out,
              errbuf *e, size_t *col)
{
    *out = NULL;
    mg_search_options o;
    if (opt)
        o = *opt;
    else
        mg_search_options_init(&o); /* the public defaults, one definition */
    xb_results *r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, MG_ENOMEM, "out of memory");
    xap_query *q = NULL;
    xsnip sn;
    memset(&sn, 0, sizeof sn);
    xsnip *snp = o.snippet_len ? &sn : NULL;
    int rc = build_query(s, query, o.default_and, snp, &q, e, col);
    if (rc || !q) { /* an empty query finds nothing */
        xap_query_free(q);
        xsnip_free(&sn);
        if (rc) {
            xb_results_free(r);
            return rc;
        }
        *out = r;
        return MG_OK;
    }
    int x = add_date_filter(&q, o.since, o.until);
    xap_mset *m = NULL;
    if (!x)
        x = run_enquire(s, q, &o, &m);
    if (x == XAP_EMODIFIED && xap_db_reopen(s->db, NULL) == XAP_OK)
        x = run_enquire(s, q, &o, &m); /* the reader fell behind: once more */
    xap_query_free(q);
    snip_ctx sc = { s->an, snp, &o };
    rc = x ? xfail(e, x, "searching") : collect(m, &sc, r, e);
    xap_mset_free(m);
    xsnip_free(&sn);
    if (rc) {
        xb_results_free(r);
        return rc;
    }
    *out = r;
    return MG_OK;
}

int xb_get(xb_searcher *s, const char *id, xb_results **out, errbuf *e)
{
    *out = NULL;
    if (!s || !id)
        return err_set(e, MG_EINVAL, "xb_get: NULL argument");
    buf t;
    buf_init(&t);
    buf_put_u8(&t, 'Q');
    buf_put(&t, id, strlen(id));
    if (t.oom)
        return err_set(e, MG_ENOMEM, "out of memory");
    xap_query *q = NULL;
    int x = xap_query_term((const char *)t.p, t.len > 245 ? 245 : t.len, 1, 0, &q);
    buf_free(&t);
    xap_mset *m = NULL;
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = 1;
    o.sort = MG_SORT_OLDEST; /* no scoring */
    o.fields = MG_FIELDS_DEFAULT | MG_FIELD_BODY;
    o.snippet_len = 0;
    if (!x)
        x = run_enquire(s, q, &o, &m);
    xap_query_free(q);
    if (x)
        return xfail(e, x, "reading an article");
    xb_results *r = calloc(1, sizeof *r);
    snip_ctx sc = { s->an, NULL, &o };
    int rc = r ? collect(m, &sc, r, e) : err_set(e, MG_ENOMEM, "out of memory");
    xap_mset_free(m);
    if (!rc && r->n == 0)
        rc = err_set(e, MG_ENOTFOUND, "no article with id '%s'", id);
    if (rc) {
        xb_results_free(r);
        return rc;
    }
    *out = r;
    return MG_OK;
}

typedef struct stat_ctx {
    mg_stats *st;
} stat_ctx;

static int on_stat_term(void *ctx, const char *term, size_t len, uint32_t df)
{
    (void)term;
    (void)len;
    stat_ctx *c = ctx;
    c->st->terms++;
    c->st->postings += df;
    return 0;
}

/* The first (reverse = 0) or last date in the value slot order. */
static int date_end(xb_searcher *s, int reverse, int64_t *out)
{
    *out = MG_NO_DATE;
    xap_query *q = NULL;
    xap_mset *m = NULL;
    int x = xap_query_value_range(XB_SLOT_DATE, NULL, 0, NULL, 0, &q);
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = 1;
    o.sort = reverse ? MG_SORT_NEWEST : MG_SORT_OLDEST;
    if (!x)
        x = run_enquire(s, q, &o, &m);
    xap_query_free(q);
    if (!x && xap_mset_size(m) == 1) {
        const char *v;
        size_t len;
        x = xap_mset_value(m, 0, XB_SLOT_DATE, &v, &len);
        if (!x && len)
            *out = (int64_t)xap_sortable_unserialise(v, len);
    }
    xap_mset_free(m);
    return x;
}

int xb_stats(xb_searcher *s, mg_stats *out, errbuf *e)
{
    memset(out, 0, sizeof *out);
    out->date_min = out->date_max = MG_NO_DATE;
    uint32_t n = 0;
    double avg = 0;
    stat_ctx c = { out };
    int x = xap_db_doccount(s->db, &n);
    if (!x)
        x = xap_db_avlength(s->db, &avg);
    if (!x)
        x = xap_db_allterms(s->db, NULL, 0, on_stat_term, &c);
    if (!x)
        x = date_end(s, 0, &out->date_min);
    if (!x)
        x = date_end(s, 1, &out->date_max);
    if (x)
        return xfail(e, x, "reading statistics");
    out->docs = n;
    out->tokens = (uint64_t)llround(avg * n);
    snprintf(out->language, sizeof out->language, "%s", s->lang);
    return MG_OK;
}

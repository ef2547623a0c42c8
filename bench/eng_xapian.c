/* eng_xapian.c — the Xapian peer through the project's C bindings
 * (src/xapian/xapian_c.h), built as users run Xapian: the terms
 * Xapian::TermGenerator makes with Stem("english") and STEM_SOME (raw words
 * with positions, "Z"-prefixed stems without), title then body, the article
 * stored as document data, the date in value slot 0 and the id in slot 1
 * (read back per hit, as cheap as morgue's and FTS5's id reads); queried as
 * Xapian::QueryParser does with STEM_SOME, ranked with BM25Weight's
 * defaults.  The bindings expose no TermGenerator/QueryParser, so their
 * term scheme is reproduced here (see bench/README.md). */
#include "bench.h"

#if BENCH_HAVE_XAPIAN
#include "xapian/xapian_c.h"

#include <dirent.h>
#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

#define XMAXWORD 64  /* TermGenerator skips longer words */

typedef struct xtok {
    xap_doc           *doc;   /* indexing: the document to fill */
    struct sb_stemmer *stem;
    uint32_t           pos;   /* term position, as TermGenerator counts */
    /* querying: the terms made, for the caller */
    char             (*terms)[XMAXWORD + 2];
    int                nterms, cap;
    int                raw;   /* querying: raw words (phrase) not stems */
} xtok;

static int is_wordchar(utf8proc_int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_PC:
        return 1;
    default:
        return 0;
    }
}

static int is_digit(utf8proc_int32_t c) { return utf8proc_category(c) == UTF8PROC_CATEGORY_ND; }

/* One lower-cased word: the raw term with its position and, when it starts
 * with a letter (TermGenerator's should_stem), the Z-stem without one. */
static void xtok_word(xtok *t, const char *w, size_t n)
{
    utf8proc_int32_t first;
    utf8proc_iterate((const utf8proc_uint8_t *)w, (utf8proc_ssize_t)n, &first);
    int stemmable = !is_digit(first) && utf8proc_category(first) != UTF8PROC_CATEGORY_NO &&
                    utf8proc_category(first) != UTF8PROC_CATEGORY_NL;
    char z[XMAXWORD * 2 + 2];
    size_t zn = 0;
    if (stemmable && !t->raw) {
        const sb_symbol *s = sb_stemmer_stem(t->stem, (const sb_symbol *)w, (int)n);
        zn = (size_t)sb_stemmer_length(t->stem);
        if (zn > XMAXWORD * 2) zn = XMAXWORD * 2;
        z[0] = 'Z';
        memcpy(z + 1, s, zn);
        zn++;
    }
    t->pos++;
    if (t->doc) {
        xap_doc_add_posting(t->doc, w, n, t->pos, 1);
        if (zn) xap_doc_add_term(t->doc, z, zn, 1);
        return;
    }
    if (t->nterms == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->terms = realloc(t->terms, (size_t)t->cap * sizeof *t->terms);
    }
    const char *term = zn ? z : w;
    size_t tn = zn ? zn : n;
    if (tn > XMAXWORD + 1) tn = XMAXWORD + 1;
    memcpy(t->terms[t->nterms], term, tn);
    t->terms[t->nterms][tn] = 0;
    t->nterms++;
}

/* Splits text into words as TermGenerator does: runs of letters, digits,
 * marks and connectors, joined across an apostrophe or '&' between word
 * characters and across '.' or ',' between digits; lower-cased. */
static void xtok_text(xtok *t, const char *text)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    char w[XMAXWORD * 4 + 8];
    size_t n = 0;
    int toolong = 0;
    utf8proc_int32_t c, prev = 0;
    for (;;) {
        utf8proc_ssize_t k = *p ? utf8proc_iterate(p, -1, &c) : 0;
        if (k < 0) { c = 0xFFFD; k = 1; }
        int in = k > 0 && is_wordchar(c);
        if (!in && k > 0 && n > 0) {
            utf8proc_int32_t next = 0;
            if (p[k]) utf8proc_iterate(p + k, -1, &next);
            if (next && is_wordchar(next) &&
                ((c == '\'' || c == 0x2019 || c == '&') ||
                 ((c == '.' || c == ',') && is_digit(prev) && is_digit(next))))
                in = 1;
        }
        if (in) {
            utf8proc_int32_t lc = utf8proc_tolower(c == 0x2019 ? '\'' : c);
            if (n + 4 < sizeof w) n += (size_t)utf8proc_encode_char(lc, (utf8proc_uint8_t *)w + n);
            else toolong = 1;
            prev = c;
            p += k;
            continue;
        }
        if (n) {
            if (!toolong && n <= XMAXWORD) xtok_word(t, w, n);
            n = 0;
            toolong = 0;
        }
        if (k == 0) break;
        p += k;
        prev = c;
    }
}

static int xap_available(char *why, size_t n)
{
    snprintf(why, n, "Xapian %s", xap_version());
    return 1;
}

static int xfail(char *err, size_t errn, const char *what, int rc)
{
    snprintf(err, errn, "%s: %s: %s", what, xap_strerror(rc), xap_errmsg());
    return -1;
}

static int xap_build(const char *dir, const bcorpus *c, size_t from, size_t to,
                     int create, const char *idsuffix, char *err, size_t errn)
{
    xap_db *db = NULL;
    int rc = xap_db_open(dir, XAP_WRITE | (create ? XAP_CREATE | XAP_OVERWRITE : 0), &db);
    if (rc) return xfail(err, errn, dir, rc);
    xtok t = { .stem = sb_stemmer_new("english", NULL) };
    for (size_t i = from; !rc && i < to; i++) {
        const bdoc *d = &c->docs[i];
        char id[512];
        int idn = snprintf(id, sizeof id, "Q%s%s", d->id, idsuffix ? idsuffix : "");
        rc = xap_doc_new(&t.doc);
        if (rc) break;
        t.pos = 0;
        xtok_text(&t, d->title);
        t.pos += 100;  /* TermGenerator::increase_termpos() between fields */
        xtok_text(&t, d->body);
        xap_doc_add_term(t.doc, id, (size_t)idn, 0);
        /* data: the id, title and body, as an application stores them */
        size_t tl = strlen(d->title), bl = strlen(d->body), il = (size_t)idn - 1;
        char *data = malloc(il + tl + bl + 3);
        memcpy(data, id + 1, il);
        data[il] = '\n';
        memcpy(data + il + 1, d->title, tl);
        data[il + 1 + tl] = '\n';
        memcpy(data + il + 2 + tl, d->body, bl + 1);
        xap_doc_set_data(t.doc, data, il + tl + bl + 2);
        free(data);
        if (d->date != BENCH_NO_DATE) xap_doc_set_value_double(t.doc, 0, (double)d->date);
        xap_doc_set_value(t.doc, 1, id + 1, (size_t)idn - 1);  /* the id, read back per hit */
        rc = xap_db_replace_doc(db, id, (size_t)idn, t.doc, NULL);
        xap_doc_free(t.doc);
        t.doc = NULL;
    }
    if (!rc) rc = xap_db_commit(db);
    int crc = xap_db_close(db);
    sb_stemmer_delete(t.stem);
    if (rc || crc) return xfail(err, errn, "index", rc ? rc : crc);
    return 0;
}

typedef struct xh {
    xap_db            *db;
    struct sb_stemmer *stem;
    uint32_t           ndocs;
} xh;

static void *xap_open(const char *dir, char *err, size_t errn)
{
    xh *h = calloc(1, sizeof *h);
    int rc = xap_db_open(dir, XAP_RDONLY, &h->db);
    if (!rc) rc = xap_db_doccount(h->db, &h->ndocs);
    if (rc) {
        xfail(err, errn, dir, rc);
        xap_db_close(h->db);
        free(h);
        return NULL;
    }
    h->stem = sb_stemmer_new("english", NULL);
    return h;
}

/* The query QueryParser(STEM_SOME) makes of lower-case words: Z-stems
 * combined by OR (or AND), raw terms in a PHRASE, a date range as a
 * FILTER on value slot 0. */
static xap_query *xap_make(xh *h, const bquery *q)
{
    xtok t = { .stem = h->stem, .raw = q->type == Q_PHRASE };
    for (int i = 0; i < q->nwords; i++) xtok_text(&t, q->words[i]);
    xap_query **subs = calloc((size_t)t.nterms + 1, sizeof *subs), *out = NULL;
    for (int i = 0; i < t.nterms; i++)
        xap_query_term(t.terms[i], strlen(t.terms[i]), 1, (uint32_t)i + 1, &subs[i]);
    xap_op op = q->type == Q_PHRASE ? XAP_OP_PHRASE : q->type == Q_AND ? XAP_OP_AND : XAP_OP_OR;
    if (t.nterms == 1) { out = subs[0]; subs[0] = NULL; }
    else if (t.nterms > 1) xap_query_combine(op, subs, (size_t)t.nterms, 0, &out);
    else xap_query_match_nothing(&out);
    if (q->type == Q_DATE && out) {
        xap_query *parts[2] = { out, NULL }, *f = NULL;
        xap_query_value_range_double(0, (double)q->since, (double)q->until, &parts[1]);
        xap_query_combine(XAP_OP_FILTER, parts, 2, 0, &f);
        xap_query_free(parts[0]);
        xap_query_free(parts[1]);
        out = f;
    }
    for (int i = 0; i < t.nterms; i++) xap_query_free(subs[i]);
    free(subs);
    free(t.terms);
    return out;
}

static xap_mset *xap_run(xh *h, const bquery *q, uint32_t k, uint32_t check)
{
    xap_query *query = xap_make(h, q);
    xap_enquire *e = NULL;
    xap_mset *m = NULL;
    if (query && xap_enquire_new(h->db, &e) == XAP_OK && xap_enquire_set_query(e, query) == XAP_OK)
        xap_enquire_mset(e, 0, k, check, &m);
    xap_enquire_free(e);
    xap_query_free(query);
    return m;
}

static int xap_search(void *hv, const bquery *q, int k, char **ids)
{
    xh *h = hv;
    xap_mset *m = xap_run(h, q, (uint32_t)k, 0);
    if (!m) return -1;
    int n = (int)xap_mset_size(m);
    /* Every hit's id is read, timed or not, as morgue's and FTS5's searches
     * return theirs: a result list is of no use without them. */
    for (int i = 0; i < n; i++) {
        const char *v = NULL;
        size_t len = 0;
        xap_mset_value(m, (size_t)i, 1, &v, &len);
        if (!ids) continue;
        free(ids[i]);
        ids[i] = strndup(v ? v : "", len);
    }
    xap_mset_free(m);
    return n;
}

static long xap_count(void *hv, const bquery *q)
{
    xh *h = hv;
    xap_mset *m = xap_run(h, q, 0, h->ndocs);
    long n = m ? (long)xap_mset_estimated(m) : -1;
    xap_mset_free(m);
    return n;
}

static void xap_close(void *hv)
{
    xh *h = hv;
    if (!h) return;
    xap_db_close(h->db);
    sb_stemmer_delete(h->stem);
    free(h);
}

static uint64_t dir_bytes(const char *dir, uint64_t *docdata)
{
    DIR *d = opendir(dir);
    uint64_t sum = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            sum += (uint64_t)st.st_size;
            if (docdata && strncmp(e->d_name, "docdata.", 8) == 0) *docdata += (uint64_t)st.st_size;
        }
    }
    if (d) closedir(d);
    return sum;
}

/* Glass tables: docdata holds the stored text; postlist, position and
 * termlist (the per-document term lists Xapian needs to update and
 * delete) are the index.  xapian-compact's output size is reported too. */
static int xap_sizes(const char *dir, bsizes *out)
{
    memset(out, 0, sizeof *out);
    out->total = dir_bytes(dir, &out->stored);
    out->inverted = out->total - out->stored;
    char cmd[8400], tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.compact", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && xapian-compact '%s' '%s' >/dev/null 2>&1", tmp, dir, tmp);
    if (system(cmd) == 0) out->compact = dir_bytes(tmp, NULL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) return 0;
    return 0;
}

const bengine bench_xapian = {
    "xapian", xap_available, xap_build, xap_open, xap_search, xap_count, xap_close, xap_sizes
};

#else  /* no bindings in this tree yet */
#include <stdio.h>
static int xap_unavailable(char *why, size_t n)
{
    snprintf(why, n, "src/xapian/xapian_c.h not in this tree");
    return 0;
}
const bengine bench_xapian = { "xapian", xap_unavailable, NULL, NULL, NULL, NULL, NULL, NULL };
#endif

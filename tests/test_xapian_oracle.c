/* test_xapian_oracle.c — Xapian as a test oracle for morgue.  The same
 * articles (generated ones always, the first Reuters-21578 stories when
 * ../shared is present) go into a morgue index (public API) and into a
 * Xapian database (src/xapian/xbackend.h, morgue's own analysis), then:
 *
 *   - both hold exactly the same terms with the same document frequencies,
 *     collection frequencies (stemmed terms) and positions;
 *   - boolean, phrase, NEAR, prefix, field and date-range queries return
 *     exactly the same sets of articles;
 *   - BM25 rankings with equal k1 and b agree closely.  They are not equal
 *     by design: morgue's idf is Lucene's log(1 + (N-n+.5)/(n+.5)), Xapian's
 *     log((N-n+.5)/(n+.5)) with the ratio t replaced by t/2 + 1 when t < 2;
 *     morgue quantises document lengths above 40 tokens (util/norm.h);
 *     morgue weighs title matches by title_weight (BM25F), Xapian has one
 *     wdf per term; morgue adds a phrase bonus for adjacent query words.
 *     With title_weight = 1 and Xapian's min_normlen = 0 and k3 = 1 (wqf
 *     is 1 here) only the idf, the quantisation and the bonus differ.
 *     The test prints the agreement it measures (Kendall tau-b over all
 *     matches, top-10 overlap) and asserts a floor.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "analysis/analyzer.h"
#include "index/index.h"
#include "morgue.h"
#include "xapian/xbackend.h"

/* ------------------------------------------------------------ the articles */

typedef struct corpus {
    mg_article *a;
    char **owned;      /* strings to free */
    size_t n, cap, nowned, capowned;
} corpus;

static char *keep(corpus *c, char *s)
{
    if (c->nowned == c->capowned) {
        c->capowned = c->capowned ? c->capowned * 2 : 256;
        c->owned = realloc(c->owned, c->capowned * sizeof *c->owned);
        assert_non_null(c->owned);
    }
    c->owned[c->nowned++] = s;
    return s;
}

static mg_article *push(corpus *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->a = realloc(c->a, c->cap * sizeof *c->a);
        assert_non_null(c->a);
    }
    mg_article *a = &c->a[c->n++];
    memset(a, 0, sizeof *a);
    a->date = MG_NO_DATE;
    return a;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->a);
}

/* Words chosen to exercise the analysis: stems shared by several forms,
 * words that are their own stems, hyphens, dots, digits, accents, case. */
static const char *WORDS[] = {
    "run", "running", "runs", "ran", "runner", "market", "markets", "marketing", "oil",
    "prices", "price", "priced", "bank", "banks", "banking", "rate", "rates", "the", "of",
    "and", "a", "to", "in", "e-mail", "U.S.", "3.5", "café", "Café", "CAFE", "naïve",
    "trade", "traders", "trading", "wheat", "grain", "dollar", "yen", "fox", "foxes",
    "talks", "talk", "talked", "minister", "ministers", "strike", "striking", "union",
    "co-operation", "year", "years", "new", "York", "new-york", "share", "shares",
    "shareholder", "company", "companies", "gold", "crude", "barrel", "barrels", "fell",
    "fall", "falls", "rose", "rise", "rising", "export", "exports", "exported",
};
#define NWORDS (sizeof WORDS / sizeof *WORDS)
static const char *AUTHORS[] = { "Jane Smith", "John Smith", "Ana María López", "Li Wei", NULL };
static const char *SOURCES[] = { "Reuters", "AP", "Agence France-Presse" };
static const char *SECTIONS[] = { "World", "Business news", "Sport", NULL };

static char *gen_text(uint64_t *rng, int words, int punct)
{
    size_t cap = (size_t)words * 16 + 16, used = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i < words; i++) {
        uint64_t r = tu_rand(rng) % NWORDS;
        r = r * (tu_rand(rng) % NWORDS + 1) / NWORDS; /* skew towards the start */
        const char *sep = i == 0 ? "" : (punct && tu_rand(rng) % 9 == 0) ? ". " : " ";
        used += (size_t)snprintf(s + used, cap - used, "%s%s", sep, WORDS[r]);
    }
    return s;
}

static void gen_corpus(corpus *c, int n)
{
    uint64_t rng = 0x5EED0F0AC1Eull;
    for (int i = 0; i < n; i++) {
        mg_article *a = push(c);
        char *id = malloc(16);
        assert_non_null(id);
        snprintf(id, 16, "g%04d", i);
        a->id = keep(c, id);
        a->title = keep(c, gen_text(&rng, 1 + (int)(tu_rand(&rng) % 8), 0));
        a->body = keep(c, gen_text(&rng, (int)(tu_rand(&rng) % 150), 1));
        a->author = AUTHORS[tu_rand(&rng) % 5];
        a->source = SOURCES[tu_rand(&rng) % 3];
        a->section = SECTIONS[tu_rand(&rng) % 4];
        if (tu_rand(&rng) % 10)
            a->date = 536457600 + (int64_t)(tu_rand(&rng) % (86400ull * 365));
    }
}

/* ------------------------------------------------- Reuters (in-test SGML) */

/* Latin-1 s[0..n) with entities decoded and control characters dropped,
 * as malloc'd UTF-8. */
static char *reuters_text(const char *s, size_t n)
{
    char *out = malloc(n * 2 + 1), *o = out;
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '&') {
            const char *semi = memchr(s + i, ';', n - i < 8 ? n - i : 8);
            if (semi) {
                size_t k = (size_t)(semi - (s + i));
                if (k == 3 && !memcmp(s + i, "&lt", 3)) *o++ = '<';
                else if (k == 3 && !memcmp(s + i, "&gt", 3)) *o++ = '>';
                else if (k == 4 && !memcmp(s + i, "&amp", 4)) *o++ = '&';
                else if (s[i + 1] != '#') { *o++ = '&'; continue; }
                i += k; /* &#N; are control characters: dropped */
                continue;
            }
        }
        if (ch < 0x20 && ch != '\n' && ch != '\t')
            continue;
        if (ch < 0x80) {
            *o++ = (char)ch;
        } else {
            *o++ = (char)(0xC0 | ch >> 6);
            *o++ = (char)(0x80 | (ch & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

/* The text between <tag> and </tag> inside [p, end), or NULL. */
static const char *between(const char *p, const char *end, const char *tag, size_t *n)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = memmem(p, (size_t)(end - p), open, strlen(open));
    if (!a)
        return NULL;
    a += strlen(open);
    const char *b = memmem(a, (size_t)(end - a), close, strlen(close));
    if (!b)
        return NULL;
    *n = (size_t)(b - a);
    return a;
}

static int64_t reuters_date(const char *s, size_t n)
{
    static const char *MON[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    char buf[64];
    if (n >= sizeof buf)
        return MG_NO_DATE;
    memcpy(buf, s, n);
    buf[n] = '\0';
    int d, y, hh, mm, ss;
    char mon[4];
    if (sscanf(buf, " %d-%3s-%d %d:%d:%d", &d, mon, &y, &hh, &mm, &ss) != 6)
        return MG_NO_DATE;
    for (int m = 0; m < 12; m++)
        if (!strcmp(mon, MON[m])) {
            struct tm tm = { .tm_year = y - 1900, .tm_mon = m, .tm_mday = d,
                             .tm_hour = hh, .tm_min = mm, .tm_sec = ss };
            return (int64_t)timegm(&tm);
        }
    return MG_NO_DATE;
}

/* Reads up to max stories with a title or a body from one .sgm.gz. */
static void reuters_corpus(corpus *c, const char *path, size_t max)
{
    gzFile f = gzopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 21, len = 0;
    char *all = malloc(cap);
    assert_non_null(all);
    int r;
    while ((r = gzread(f, all + len, (unsigned)(cap - len))) > 0) {
        len += (size_t)r;
        if (len == cap) {
            cap *= 2;
            all = realloc(all, cap);
            assert_non_null(all);
        }
    }
    gzclose(f);
    const char *p = all, *end = all + len;
    while (c->n < max) {
        const char *s = memmem(p, (size_t)(end - p), "<REUTERS", 8);
        if (!s)
            break;
        const char *e = memmem(s, (size_t)(end - s), "</REUTERS>", 10);
        if (!e)
            break;
        p = e + 10;
        const char *nid = memmem(s, (size_t)(e - s), "NEWID=\"", 7);
        size_t tn = 0, bn = 0, dn = 0;
        const char *t = between(s, e, "TITLE", &tn), *b = between(s, e, "BODY", &bn);
        const char *d = between(s, e, "DATE", &dn);
        if (!nid || (!t && !b))
            continue;
        mg_article *a = push(c);
        char *id = malloc(24);
        assert_non_null(id);
        snprintf(id, 24, "r%d", atoi(nid + 7));
        a->id = keep(c, id);
        a->title = t ? keep(c, reuters_text(t, tn)) : NULL;
        a->body = b ? keep(c, reuters_text(b, bn)) : NULL;
        a->source = "Reuters";
        a->date = d ? reuters_date(d, dn) : MG_NO_DATE;
    }
    free(all);
}

/* ------------------------------------------------------------ both indexes */

typedef struct pair {
    char *dir;
    mg_searcher *ms;
    xb_searcher *xs;
    size_t ndocs;
} pair;

static void index_both(pair *p, const corpus *c)
{
    p->dir = tu_tmpdir();
    char mp[4200], xp[4200];
    snprintf(mp, sizeof mp, "%s/morgue", p->dir);
    snprintf(xp, sizeof xp, "%s/xapian", p->dir);
    mg_index *ix;
    assert_int_equal(mg_index_open(mp, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    xb_writer *w;
    errbuf e;
    assert_int_equal(xb_writer_open(xp, 1, "english", &w, &e), MG_OK);
    for (size_t i = 0; i < c->n; i++) {
        assert_int_equal(mg_index_add(ix, &c->a[i]), MG_OK);
        assert_int_equal(xb_writer_add(w, &c->a[i], &e), MG_OK);
    }
    assert_int_equal(mg_index_commit(ix), MG_OK);
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    xb_writer_close(w);
    assert_int_equal(mg_index_close(ix), MG_OK);
    assert_int_equal(xb_searcher_open(xp, &p->xs, &e), MG_OK);
    p->ms = NULL;
    p->ndocs = c->n;
}

static void morgue_searcher_close(pair *p);

static void pair_free(pair *p)
{
    morgue_searcher_close(p);
    xb_searcher_close(p->xs);
    tu_rmrf(p->dir);
    free(p->dir);
}

/* ------------------------------------------------------------- same terms */

typedef struct tlist {
    char **t;
    uint32_t *df;
    size_t n, cap;
} tlist;

static void tl_add(tlist *l, const char *t, size_t len, uint32_t df)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->t = realloc(l->t, l->cap * sizeof *l->t);
        l->df = realloc(l->df, l->cap * sizeof *l->df);
        assert_true(l->t && l->df);
    }
    l->t[l->n] = strndup(t, len);
    assert_non_null(l->t[l->n]);
    l->df[l->n++] = df;
}

static void tl_free(tlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->t[i]);
    free(l->t);
    free(l->df);
}

static int on_ix_term(void *ctx, const char *term, size_t len, uint64_t df)
{
    tl_add(ctx, term, len, (uint32_t)df);
    return 0;
}

static int on_xap_term(void *ctx, const char *term, size_t len, uint32_t df)
{
    tl_add(ctx, term, len, df);
    return 0;
}

/* Positions of term in one morgue document. */
static uint32_t ix_positions(const ix_reader *r, uint32_t seg, uint32_t doc, const char *t,
                             uint32_t *pos, uint32_t cap)
{
    ix_post c;
    if (!ix_post_open(&c, ix_reader_segment(r, seg), t, strlen(t)))
        return 0;
    if (ix_post_advance(&c, doc) != doc)
        return 0;
    return ix_post_positions(&c, pos, NULL, cap);
}

typedef struct doc_check {
    const ix_reader *r;
    xap_db *db;
    uint32_t seg, doc, xdoc;
    size_t checked;
} doc_check;

static int on_doc_term(void *ctx, const char *term, size_t len, uint32_t wdf, uint32_t npos)
{
    (void)wdf;
    doc_check *d = ctx;
    if (len && term[0] == 'Q')
        return 0; /* the id: morgue keeps it in IDS, not as a term */
    char t[300];
    snprintf(t, sizeof t, "%.*s", (int)len, term);
    uint32_t mp[512], xp[512];
    size_t xn;
    uint32_t mn = ix_positions(d->r, d->seg, d->doc, t, mp, 512);
    assert_int_equal(xap_db_positions(d->db, d->xdoc, term, len, xp, 512, &xn), XAP_OK);
    if (mn != xn)
        print_message("term '%s': morgue %u positions, xapian %zu\n", t, mn, xn);
    assert_int_equal(mn, xn);
    assert_int_equal(npos, xn);
    for (uint32_t i = 0; i < mn && i < 512; i++)
        assert_int_equal(mp[i] + XB_POS_BASE, xp[i]);
    d->checked++;
    return 0;
}

/* Every term of both with its df (and cf for stemmed terms), and every
 * position of the first `ndocs_pos` articles. */
static void check_same_terms(pair *p, const corpus *c, size_t ndocs_pos)
{
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/morgue", p->dir);
    ix_reader *r;
    errbuf e;
    assert_int_equal(ix_reader_open(mp, &r, &e), MG_OK);
    tlist m = { 0 }, x = { 0 };
    ix_reader_prefix(r, "", 0, SIZE_MAX, on_ix_term, &m);
    xap_db *db = xb_searcher_db(p->xs);
    assert_int_equal(xap_db_allterms(db, NULL, 0, on_xap_term, &x), XAP_OK);
    size_t i = 0, j = 0, bad = 0;
    while (i < m.n || j < x.n) {
        if (j < x.n && x.t[j][0] == 'Q') { /* ids: IDS in morgue (found below) */
            j++;
            continue;
        }
        int cmp = i == m.n ? 1 : j == x.n ? -1 : strcmp(m.t[i], x.t[j]);
        if (cmp || m.df[i] != x.df[j]) {
            if (bad++ < 10)
                print_message("term differs: morgue %s/%u, xapian %s/%u\n",
                              i < m.n ? m.t[i] : "-", i < m.n ? m.df[i] : 0,
                              j < x.n ? x.t[j] : "-", j < x.n ? x.df[j] : 0);
        } else if (m.t[i][0] < 'A' || m.t[i][0] > 'Z') {
            uint64_t mdf, mcf, xcf;
            ix_reader_term_stats(r, m.t[i], strlen(m.t[i]), &mdf, &mcf);
            assert_int_equal(xap_db_term_stats(db, x.t[j], strlen(x.t[j]), NULL, &xcf), XAP_OK);
            if (mcf != xcf && bad++ < 10)
                print_message("cf of '%s': morgue %lu, xapian %lu\n", m.t[i],
                              (unsigned long)mcf, (unsigned long)xcf);
        }
        if (cmp <= 0)
            i++;
        if (cmp >= 0)
            j++;
    }
    print_message("terms: morgue %zu, xapian %zu, differing %zu\n", m.n, x.n, bad);
    assert_int_equal(bad, 0);
    size_t npos = 0;
    for (size_t k = 0; k < c->n && k < ndocs_pos; k++) {
        doc_check d = { r, db, 0, 0, 0, 0 };
        char q[64];
        int n = snprintf(q, sizeof q, "Q%s", c->a[k].id);
        assert_true(ix_reader_find_id(r, c->a[k].id, &d.seg, &d.doc));
        assert_int_equal(xap_db_find_term(db, q, (size_t)n, &d.xdoc), XAP_OK);
        assert_int_equal(xap_db_termlist(db, d.xdoc, on_doc_term, &d), XAP_OK);
        npos += d.checked;
    }
    print_message("positions compared for %zu (article, term) pairs\n", npos);
    tl_free(&m);
    tl_free(&x);
    ix_reader_unref(r);
}

/* ------------------------------------------------------- same match sets */

static void morgue_searcher_open(pair *p)
{
    char mp[4200];
    snprintf(mp, sizeof mp, "%s/morgue", p->dir);
    assert_int_equal(mg_searcher_open_path(mp, &p->ms), MG_OK);
}


static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted ids matching query in morgue (*mids) and Xapian (*xids); returns
 * the Xapian status (MG_EUNSUPPORTED: skip). */
static int match_sets(pair *p, const char *query, int default_and, char ***mids, size_t *mn,
                      char ***xids, size_t *xn)
{
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = p->ndocs + 1;
    o.fields = MG_FIELD_ID;
    o.snippet_len = 0;
    o.exact_total = 1;
    o.default_and = default_and;
    mg_results *mr;
    int rc = mg_search(p->ms, query, &o, &mr);
    if (rc)
        print_message("morgue: '%s': %s\n", query, mg_results_errmsg(mr));
    assert_int_equal(rc, MG_OK);
    *mn = mg_results_count(mr);
    assert_int_equal(mg_results_total(mr), *mn);
    *mids = calloc(*mn + 1, sizeof **mids);
    for (size_t i = 0; i < *mn; i++)
        (*mids)[i] = strdup(mg_results_hit(mr, i)->id);
    mg_results_free(mr);
    qsort(*mids, *mn, sizeof **mids, cmp_str);
    xb_results *xr;
    errbuf e;
    *xids = NULL;
    *xn = 0;
    rc = xb_search(p->xs, query, &o, &xr, &e, NULL);
    if (rc == MG_EUNSUPPORTED) {
        static int shown;
        if (shown++ < 3)
            print_message("not comparable: '%s': %s\n", query, e.msg);
        return rc;
    }
    if (rc)
        print_message("xapian: '%s': %s\n", query, e.msg);
    assert_int_equal(rc, MG_OK);
    *xn = xb_results_count(xr);
    assert_int_equal(xb_results_total(xr), *xn);
    *xids = calloc(*xn + 1, sizeof **xids);
    for (size_t i = 0; i < *xn; i++)
        (*xids)[i] = strdup(xb_results_hit(xr, i)->id);
    xb_results_free(xr);
    qsort(*xids, *xn, sizeof **xids, cmp_str);
    return MG_OK;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

/* Checks query gives the same set in both; returns 1 if compared. */
static int same_set(pair *p, const char *query, int default_and, size_t *nonempty)
{
    char **m, **x;
    size_t mn, xn;
    int rc = match_sets(p, query, default_and, &m, &mn, &x, &xn);
    if (rc == MG_OK) {
        int same = mn == xn;
        for (size_t i = 0; same && i < mn; i++)
            same = strcmp(m[i], x[i]) == 0;
        if (!same)
            print_message("'%s'%s: morgue %zu matches, xapian %zu\n", query,
                          default_and ? " (AND)" : "", mn, xn);
        assert_true(same);
        if (mn)
            (*nonempty)++;
    }
    free_ids(m, mn);
    free_ids(x, xn);
    return rc == MG_OK;
}

static const char *pick(uint64_t *rng)
{
    const char *w;
    do
        w = WORDS[tu_rand(rng) % NWORDS];
    while (strchr(w, '-') || strchr(w, '.')); /* single tokens for NEAR */
    return w;
}

static const char *SHAPES[] = {
    "%s", "%s %s", "%s AND %s", "%s OR %s", "%s -%s", "+%s %s", "%s NOT %s",
    "(%s OR %s) AND %s", "\"%s %s\"", "\"%s %s %s\"", "%s NEAR/2 %s", "%s NEAR %s",
    "%s NEAR/0 %s", "%s NEAR/3 %s NEAR/3 %s", "%s date:1987-03..1987-06",
    "date:..1987-04 %s", "-%s", "author:smith %s", "source:reuters %s", "section:news -%s",
    "=%s", "%s*", "\"%s %s\" -%s",
    "author:\"jane smith\" %s", "author:smith -author:jane %s", "source:\"france-presse\" %s",
    "source:(ap OR reuters) +%s", "section:new* %s", "e-mail %s", "\"e-mail\" -%s", "e-ma*",
    "u.s. %s", "(%s OR -%s) %s", "%s AND (%s OR -%s)", "+%s +%s -%s", "NOT %s",
    "%s NEAR/1 %s NEAR/1 %s", "\"%s the\" OR %s", "café %s", "=running -%s",
    "date:1987-02-01..1987-02-28", "-date:1987 %s", "(%s date:1987-06..) OR %s",
};

static int on_stem(void *ctx, const token *t)
{
    snprintf(ctx, 80, "%.*s", (int)t->term_len, t->term);
    return 1;
}

/* Do words a and b analyze to the same (first) stem? */
static int same_stem(analyzer *an, const char *a, const char *b)
{
    char sa[80] = "", sb[80] = "";
    analyzer_run(an, a, strlen(a), 0, on_stem, sa);
    analyzer_run(an, b, strlen(b), 0, on_stem, sb);
    return strcmp(sa, sb) == 0;
}

/* Generated queries of every shape on p; returns how many were compared. */
static size_t compare_query_shapes(pair *p, uint64_t seed, int rounds)
{
    uint64_t rng = seed;
    errbuf e;
    analyzer *an = analyzer_new("english", &e);
    assert_non_null(an);
    size_t compared = 0, unsupported = 0, nonempty = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t s = 0; s < sizeof SHAPES / sizeof *SHAPES; s++) {
            char q[256], w0[40];
            /* Three words of different stems; every other round, NEAR
             * also gets one word twice ("trade NEAR/2 trade"): both
             * need two occurrences of it. */
            const char *a = pick(&rng), *b = pick(&rng), *c = pick(&rng);
            while (same_stem(an, b, a))
                b = pick(&rng);
            while (same_stem(an, c, a) || same_stem(an, c, b))
                c = pick(&rng);
            if (r % 2 == 1 && strstr(SHAPES[s], "NEAR"))
                b = a;
            if (!strcmp(SHAPES[s], "%s*")) { /* a prefix of a word */
                snprintf(w0, sizeof w0, "%.*s", 2 + (int)(tu_rand(&rng) % 3), a);
                a = w0;
            }
            snprintf(q, sizeof q, SHAPES[s], a, b, c);
            for (int and = 0; and < 2; and++) {
                if (same_set(p, q, and, &nonempty))
                    compared++;
                else
                    unsupported++;
            }
        }
    }
    print_message("match sets: %zu queries identical (%zu non-empty), %zu unsupported by "
                  "xapian\n", compared, nonempty, unsupported);
    analyzer_free(an);
    return compared;
}

/* ---------------------------------------------------------------- ranking */

typedef struct scored {
    char *id;
    double s;
} scored;

static int cmp_scored_id(const void *a, const void *b)
{
    return strcmp(((const scored *)a)->id, ((const scored *)b)->id);
}

/* Kendall tau-b between two score vectors over the same n items. */
static double kendall_tau_b(const double *x, const double *y, size_t n)
{
    double conc = 0, disc = 0, tx = 0, ty = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            int ex = fabs(dx) <= 1e-9 * (fabs(x[i]) + 1), ey = fabs(dy) <= 1e-9 * (fabs(y[i]) + 1);
            if (ex && ey)
                continue;
            if (ex)
                tx++;
            else if (ey)
                ty++;
            else if ((dx > 0) == (dy > 0))
                conc++;
            else
                disc++;
        }
    double d = sqrt((conc + disc + tx) * (conc + disc + ty));
    return d > 0 ? (conc - disc) / d : 1.0;
}

/* All matches of query with their scores, sorted by id (*n of them), and
 * the top-10 ids in rank order in top[]. */
static scored *ranked(pair *p, const char *query, int xapian, double title_weight, size_t *n,
                      char top[10][24], size_t *ntop)
{
    mg_search_options o;
    mg_search_options_init(&o);
    o.limit = p->ndocs + 1;
    o.fields = MG_FIELD_ID;
    o.snippet_len = 0;
    o.k1 = 1.2;
    o.b = 0.75;
    o.title_weight = title_weight;
    scored *v;
    *ntop = 0;
    if (xapian) {
        xb_results *r;
        errbuf e;
        assert_int_equal(xb_search(p->xs, query, &o, &r, &e, NULL), MG_OK);
        *n = xb_results_count(r);
        v = calloc(*n + 1, sizeof *v);
        for (size_t i = 0; i < *n; i++) {
            v[i].id = strdup(xb_results_hit(r, i)->id);
            v[i].s = xb_results_hit(r, i)->score;
            if (i < 10)
                snprintf(top[(*ntop)++], 24, "%s", v[i].id);
        }
        xb_results_free(r);
    } else {
        mg_results *r;
        assert_int_equal(mg_search(p->ms, query, &o, &r), MG_OK);
        *n = mg_results_count(r);
        v = calloc(*n + 1, sizeof *v);
        for (size_t i = 0; i < *n; i++) {
            v[i].id = strdup(mg_results_hit(r, i)->id);
            v[i].s = mg_results_hit(r, i)->score;
            if (i < 10)
                snprintf(top[(*ntop)++], 24, "%s", v[i].id);
        }
        mg_results_free(r);
    }
    qsort(v, *n, sizeof *v, cmp_scored_id);
    return v;
}

typedef struct agreement {
    double tau, overlap;
    size_t queries;
} agreement;

/* Mean Kendall tau-b (all matches) and top-10 overlap over queries. */
static agreement rank_agreement(pair *p, const char **queries, size_t nq, double title_weight)
{
    agreement ag = { 0, 0, 0 };
    for (size_t q = 0; q < nq; q++) {
        size_t mn, xn, mt, xt;
        char mtop[10][24], xtop[10][24];
        scored *m = ranked(p, queries[q], 0, title_weight, &mn, mtop, &mt);
        scored *x = ranked(p, queries[q], 1, title_weight, &xn, xtop, &xt);
        assert_int_equal(mn, xn); /* same matches (OR queries) */
        if (mn >= 2) {
            double *a = calloc(mn, sizeof *a), *b = calloc(mn, sizeof *b);
            for (size_t i = 0; i < mn; i++) {
                assert_string_equal(m[i].id, x[i].id);
                a[i] = m[i].s;
                b[i] = x[i].s;
            }
            size_t common = 0;
            for (size_t i = 0; i < mt; i++)
                for (size_t j = 0; j < xt; j++)
                    common += strcmp(mtop[i], xtop[j]) == 0;
            ag.tau += kendall_tau_b(a, b, mn);
            ag.overlap += (double)common / (double)(mt < xt ? xt : mt);
            ag.queries++;
            free(a);
            free(b);
        }
        for (size_t i = 0; i < mn; i++)
            free(m[i].id);
        for (size_t i = 0; i < xn; i++)
            free(x[i].id);
        free(m);
        free(x);
    }
    if (ag.queries) {
        ag.tau /= (double)ag.queries;
        ag.overlap /= (double)ag.queries;
    }
    return ag;
}

static void morgue_searcher_close(pair *p) { mg_searcher_close(p->ms); }

/* ------------------------------------------------------------------ tests */

static void test_generated_articles_hold_the_same_terms(void **state)
{
    (void)state;
    corpus c = { 0 };
    gen_corpus(&c, 400);
    pair p;
    index_both(&p, &c);
    check_same_terms(&p, &c, 100);
    pair_free(&p);
    corpus_free(&c);
}

static void test_generated_queries_match_the_same_articles(void **state)
{
    (void)state;
    corpus c = { 0 };
    gen_corpus(&c, 400);
    pair p;
    index_both(&p, &c);
    morgue_searcher_open(&p);
    size_t n = compare_query_shapes(&p, 42, 5);
    assert_true(n >= 350);
    pair_free(&p);
    corpus_free(&c);
}

static void test_bm25_rankings_agree_with_equal_k1_and_b(void **state)
{
    (void)state;
    corpus c = { 0 };
    gen_corpus(&c, 400);
    pair p;
    index_both(&p, &c);
    morgue_searcher_open(&p);
    const char *qs[60];
    char buf[60][96];
    uint64_t rng = 7;
    for (int i = 0; i < 60; i++) {
        if (i % 2)
            snprintf(buf[i], sizeof buf[i], "%s %s", pick(&rng), pick(&rng));
        else
            snprintf(buf[i], sizeof buf[i], "%s %s %s", pick(&rng), pick(&rng), pick(&rng));
        qs[i] = buf[i];
    }
    agreement one = rank_agreement(&p, qs, 60, 1.0);
    agreement def = rank_agreement(&p, qs, 60, 2.5);
    print_message("BM25 k1=1.2 b=0.75, %zu OR queries: title_weight 1: Kendall tau-b %.3f, "
                  "top-10 overlap %.3f; title_weight 2.5: tau-b %.3f, overlap %.3f\n",
                  one.queries, one.tau, one.overlap, def.tau, def.overlap);
    /* Measured 0.977 / 0.857 and 0.906 / 0.710.  The rest is by design:
     * this vocabulary is tiny, so nearly every query word is in a third or
     * more of the articles, where the two idfs differ most (Xapian's
     * t < 2 -> t/2 + 1), and morgue also scores adjacent query words as a
     * phrase (times PLAN_PHRASE_BONUS; with a bonus of 1 instead of 0.1 the
     * top-10 overlap here was 0.563).  Reuters, with real frequencies,
     * agrees far more closely (below). */
    assert_true(one.queries >= 50);
    assert_true(one.tau >= 0.95);
    assert_true(one.overlap >= 0.75);
    assert_true(def.tau >= 0.85);
    pair_free(&p);
    corpus_free(&c);
}


static void test_reuters_stories_hold_the_same_terms(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    corpus c = { 0 };
    reuters_corpus(&c, tu_corpus("reuters21578/reut2-000.sgm.gz"), 1000);
    assert_true(c.n >= 900);
    pair p;
    index_both(&p, &c);
    check_same_terms(&p, &c, 50);
    pair_free(&p);
    corpus_free(&c);
}

static void test_reuters_queries_agree_in_both_engines(void **state)
{
    (void)state;
    TU_REQUIRE_SHARED();
    corpus c = { 0 };
    reuters_corpus(&c, tu_corpus("reuters21578/reut2-000.sgm.gz"), 1000);
    pair p;
    index_both(&p, &c);
    morgue_searcher_open(&p);
    /* Queries from the shared list (its words come from all of Reuters). */
    FILE *f = fopen(tu_corpus("queries/reuters-400.tsv"), "r");
    assert_non_null(f);
    char line[512];
    size_t compared = 0, nonempty = 0;
    const char *ors[100];
    char orbuf[100][128];
    size_t nor = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *q = tab + 1;
        q[strcspn(q, "\r\n")] = '\0';
        compared += same_set(&p, q, 0, &nonempty);
        compared += same_set(&p, q, 1, &nonempty);
        if (!strcmp(line, "or") && nor < 100) {
            snprintf(orbuf[nor], sizeof orbuf[nor], "%s", q);
            ors[nor] = orbuf[nor];
            nor++;
        }
    }
    fclose(f);
    print_message("reuters: %zu stories, %zu query runs identical (%zu non-empty)\n", c.n,
                  compared, nonempty);
    assert_true(compared >= 800);
    /* one stem on both sides of NEAR: two occurrences needed (was 306 vs 39) */
    static const char *const twice[] = { "trade NEAR/2 trade", "talks NEAR talked",
                                         "oil NEAR/0 oil", "\"oil prices\" NEAR oil" };
    for (size_t i = 0; i < sizeof twice / sizeof *twice; i++)
        same_set(&p, twice[i], 0, &nonempty);
    compare_query_shapes(&p, 99, 2);
    agreement one = rank_agreement(&p, ors, nor, 1.0);
    agreement def = rank_agreement(&p, ors, nor, 2.5);
    print_message("reuters BM25 k1=1.2 b=0.75, %zu OR queries: title_weight 1: tau-b %.3f, "
                  "top-10 overlap %.3f; title_weight 2.5: tau-b %.3f, overlap %.3f\n",
                  one.queries, one.tau, one.overlap, def.tau, def.overlap);
    /* Measured 0.990 / 0.990 and 0.949 / 0.926 on the first 985 stories. */
    assert_true(one.tau >= 0.97);
    assert_true(one.overlap >= 0.95);
    assert_true(def.tau >= 0.9);
    pair_free(&p);
    corpus_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_articles_hold_the_same_terms),
        cmocka_unit_test(test_reuters_stories_hold_the_same_terms),
        cmocka_unit_test(test_generated_queries_match_the_same_articles),
        cmocka_unit_test(test_bm25_rankings_agree_with_equal_k1_and_b),
        cmocka_unit_test(test_reuters_queries_agree_in_both_engines),
    };
    return cmocka_run_group_tests_name("xapian_oracle", tests, NULL, NULL);
}

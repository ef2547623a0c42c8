/* test_xapian.c — the C bindings over libxapian (src/xapian/xapian_c.h):
 * writing, transactions, every query operator, BM25 weights checked against
 * Xapian's formula, sorting, MSet walking, combined databases and the
 * mapping of C++ exceptions to status codes. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "morgue.h"
#include "xapian/xapian_c.h"
#include "xapian/xbackend.h"

#define OK(call) assert_int_equal((call), XAP_OK)

/* A tiny corpus: each document is words at positions 1.., a unique id term
 * "Qid", data "id" and its date (a number) in value slot 0. */
typedef struct tdoc {
    const char *id;
    const char *text;
    double date;
} tdoc;

static const tdoc CORPUS[] = {
    { "d1", "the quick brown fox jumps over the lazy dog", 100 },
    { "d2", "a quick brown dog", 200 },
    { "d3", "brown paper bag", 300 },
    { "d4", "the fox and the hound", 400 },
    { "d5", "fox fox fox everywhere", 500 },
    { "d6", "lazy afternoon with a quick nap", 600 },
};
#define NCORPUS (sizeof CORPUS / sizeof *CORPUS)

static xap_doc *make_doc(const tdoc *t)
{
    xap_doc *d;
    OK(xap_doc_new(&d));
    char qid[64];
    int n = snprintf(qid, sizeof qid, "Q%s", t->id);
    OK(xap_doc_add_term(d, qid, (size_t)n, 0));
    const char *p = t->text;
    uint32_t pos = 1;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (w)
            OK(xap_doc_add_posting(d, p, w, pos++, 1));
        p += w;
        while (*p == ' ')
            p++;
    }
    OK(xap_doc_set_data(d, t->id, strlen(t->id)));
    OK(xap_doc_set_value_double(d, 0, t->date));
    return d;
}

static void index_docs(xap_db *db, const tdoc *docs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xap_doc *d = make_doc(&docs[i]);
        char qid[64];
        int len = snprintf(qid, sizeof qid, "Q%s", docs[i].id);
        OK(xap_db_replace_doc(db, qid, (size_t)len, d, NULL));
        xap_doc_free(d);
    }
}

static xap_db *build_db(const char *dir)
{
    xap_db *db;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &db));
    index_docs(db, CORPUS, NCORPUS);
    OK(xap_db_commit(db));
    OK(xap_db_close(db));
    OK(xap_db_open(dir, XAP_RDONLY, &db));
    return db;
}

static xap_query *term(const char *t)
{
    xap_query *q;
    OK(xap_query_term(t, strlen(t), 1, 0, &q));
    return q;
}

/* q1 OP q2, freeing both inputs. */
static xap_query *op2(xap_op op, xap_query *a, xap_query *b, uint32_t window)
{
    xap_query *subs[2] = { a, b }, *q;
    OK(xap_query_combine(op, subs, 2, window, &q));
    xap_query_free(a);
    xap_query_free(b);
    return q;
}

/* The ids matching q (sorted by docid order of the db, which is insertion
 * order here) written into out as "d1 d3 ..." ; frees q. */
static void ids_of(xap_db *db, xap_query *q, char *out, size_t cap)
{
    xap_enquire *e;
    xap_mset *m;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_set_boolweight(e));
    OK(xap_enquire_mset(e, 0, 1000, 0, &m));
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        const char *data;
        size_t len;
        OK(xap_mset_data(m, i, &data, &len));
        used += (size_t)snprintf(out + used, cap - used, "%s%.*s", i ? " " : "", (int)len, data);
        assert_true(used < cap);
    }
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
}

static void test_written_documents_are_visible_after_commit(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *w;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &w));
    index_docs(w, CORPUS, 2);
    xap_db *r;
    OK(xap_db_open(dir, XAP_RDONLY, &r));
    uint32_t n = 99;
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 0); /* nothing committed yet */
    OK(xap_db_commit(w));
    int changed = 0;
    OK(xap_db_reopen(r, &changed));
    assert_true(changed);
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 2);
    uint32_t df;
    uint64_t cf;
    OK(xap_db_term_stats(r, "brown", 5, &df, &cf));
    assert_int_equal(df, 2);
    assert_int_equal(cf, 2);
    OK(xap_db_term_stats(r, "the", 3, &df, &cf));
    assert_int_equal(df, 1);
    assert_int_equal(cf, 2);
    uint32_t id;
    OK(xap_db_find_term(r, "Qd2", 3, &id));
    char *data;
    size_t len;
    OK(xap_db_get_data(r, id, &data, &len));
    assert_int_equal(len, 2);
    assert_memory_equal(data, "d2", 2);
    free(data);
    uint32_t dl;
    OK(xap_db_doclength(r, id, &dl));
    assert_int_equal(dl, 4); /* "a quick brown dog"; Qd2 has wdf 0 */
    uint32_t pos[4];
    size_t np;
    OK(xap_db_positions(r, id, "dog", 3, pos, 4, &np));
    assert_int_equal(np, 1);
    assert_int_equal(pos[0], 4);
    assert_int_equal(xap_db_find_term(r, "Qnope", 5, &id), XAP_ENOTFOUND);
    OK(xap_db_close(r));
    OK(xap_db_close(w));
    tu_rmrf(dir);
    free(dir);
}

static void test_replace_by_id_term_keeps_one_document(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *w;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &w));
    index_docs(w, CORPUS, NCORPUS);
    tdoc again = { "d3", "a different brown text", 301 };
    index_docs(w, &again, 1);
    OK(xap_db_commit(w));
    uint32_t n;
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, NCORPUS);
    uint32_t df;
    OK(xap_db_term_stats(w, "paper", 5, &df, NULL));
    assert_int_equal(df, 0);
    OK(xap_db_term_stats(w, "different", 9, &df, NULL));
    assert_int_equal(df, 1);
    uint32_t del = 0;
    OK(xap_db_delete_term(w, "Qd3", 3, &del));
    assert_int_equal(del, 1);
    OK(xap_db_delete_term(w, "Qd3", 3, &del));
    assert_int_equal(del, 0); /* gone: nothing to delete */
    OK(xap_db_commit(w));
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, NCORPUS - 1);
    OK(xap_db_close(w));
    tu_rmrf(dir);
    free(dir);
}

static void test_cancelled_transaction_leaves_nothing(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *w;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &w));
    OK(xap_db_begin(w, 1));
    index_docs(w, CORPUS, 3);
    OK(xap_db_cancel_transaction(w));
    uint32_t n;
    OK(xap_db_doccount(w, &n));
    assert_int_equal(n, 0);
    OK(xap_db_begin(w, 1));
    index_docs(w, CORPUS, 3);
    OK(xap_db_commit_transaction(w));
    xap_db *r;
    OK(xap_db_open(dir, XAP_RDONLY, &r)); /* a flushed transaction commits */
    OK(xap_db_doccount(r, &n));
    assert_int_equal(n, 3);
    /* Ending a transaction that is not open is an error, not a crash. */
    assert_int_equal(xap_db_commit_transaction(w), XAP_EUNSUPPORTED);
    assert_non_null(strstr(xap_errmsg(), "InvalidOperationError"));
    OK(xap_db_close(r));
    OK(xap_db_close(w));
    tu_rmrf(dir);
    free(dir);
}

static void test_boolean_operators_match_the_right_documents(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    char got[256];
    ids_of(db, op2(XAP_OP_AND, term("quick"), term("brown"), 0), got, sizeof got);
    assert_string_equal(got, "d1 d2");
    ids_of(db, op2(XAP_OP_OR, term("paper"), term("hound"), 0), got, sizeof got);
    assert_string_equal(got, "d3 d4");
    ids_of(db, op2(XAP_OP_AND_NOT, term("fox"), term("the"), 0), got, sizeof got);
    assert_string_equal(got, "d5");
    ids_of(db, op2(XAP_OP_AND_MAYBE, term("lazy"), term("fox"), 0), got, sizeof got);
    assert_string_equal(got, "d1 d6");
    ids_of(db, op2(XAP_OP_FILTER, term("brown"), term("dog"), 0), got, sizeof got);
    assert_string_equal(got, "d1 d2");
    ids_of(db, op2(XAP_OP_XOR, term("quick"), term("brown"), 0), got, sizeof got);
    assert_string_equal(got, "d3 d6");
    ids_of(db, op2(XAP_OP_AND, term("quick"), term("nosuchword"), 0), got, sizeof got);
    assert_string_equal(got, "");
    xap_query *all;
    OK(xap_query_match_all(&all));
    ids_of(db, all, got, sizeof got);
    assert_string_equal(got, "d1 d2 d3 d4 d5 d6");
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_phrase_and_near_respect_order_and_window(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    char got[256];
    ids_of(db, op2(XAP_OP_PHRASE, term("quick"), term("brown"), 0), got, sizeof got);
    assert_string_equal(got, "d1 d2");
    ids_of(db, op2(XAP_OP_PHRASE, term("brown"), term("quick"), 0), got, sizeof got);
    assert_string_equal(got, "");
    /* "quick ... dog": 7 apart in d1, 2 apart in d2. */
    ids_of(db, op2(XAP_OP_NEAR, term("dog"), term("quick"), 3), got, sizeof got);
    assert_string_equal(got, "d2");
    ids_of(db, op2(XAP_OP_NEAR, term("dog"), term("quick"), 8), got, sizeof got);
    assert_string_equal(got, "d1 d2");
    /* A PHRASE window wider than the terms allows gaps but keeps order. */
    ids_of(db, op2(XAP_OP_PHRASE, term("quick"), term("dog"), 3), got, sizeof got);
    assert_string_equal(got, "d2");
    ids_of(db, op2(XAP_OP_PHRASE, term("dog"), term("quick"), 8), got, sizeof got);
    assert_string_equal(got, "");
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_value_ranges_select_by_serialised_number(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    char got[256];
    xap_query *q;
    OK(xap_query_value_range_double(0, 200, 400, &q));
    ids_of(db, q, got, sizeof got);
    assert_string_equal(got, "d2 d3 d4");
    OK(xap_query_value_range_double(0, NAN, 250, &q));
    ids_of(db, q, got, sizeof got);
    assert_string_equal(got, "d1 d2");
    OK(xap_query_value_range_double(0, 450, NAN, &q));
    ids_of(db, q, got, sizeof got);
    assert_string_equal(got, "d5 d6");
    /* Documents without a value never match, whatever the bounds. */
    xap_db *w2;
    char dir2[4300];
    snprintf(dir2, sizeof dir2, "%s/novalue", dir);
    OK(xap_db_open(dir2, XAP_WRITE | XAP_CREATE, &w2));
    index_docs(w2, CORPUS, 2);
    xap_doc *nv;
    OK(xap_doc_new(&nv));
    OK(xap_doc_set_data(nv, "nv", 2));
    OK(xap_db_add_doc(w2, nv, NULL));
    xap_doc_free(nv);
    OK(xap_db_commit(w2));
    OK(xap_query_value_range_double(0, NAN, 1000, &q));
    ids_of(w2, q, got, sizeof got);
    assert_string_equal(got, "d1 d2");
    OK(xap_query_value_range(0, NULL, 0, NULL, 0, &q));
    ids_of(w2, q, got, sizeof got);
    assert_string_equal(got, "d1 d2");
    OK(xap_db_close(w2));
    /* Combined with a term, as a filter. */
    OK(xap_query_value_range_double(0, 150, 1e9, &q));
    ids_of(db, op2(XAP_OP_FILTER, term("fox"), q, 0), got, sizeof got);
    assert_string_equal(got, "d4 d5");
    /* Serialised numbers sort as numbers, negative ones too. */
    char a[XAP_SORTABLE_MAX], b[XAP_SORTABLE_MAX];
    size_t la, lb;
    xap_sortable_serialise(-5.5, a, &la);
    xap_sortable_serialise(3.0, b, &lb);
    assert_true(memcmp(a, b, la < lb ? la : lb) < 0);
    assert_true(xap_sortable_unserialise(a, la) == -5.5);
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

/* Xapian's BM25 for one term (see xapian-core/weight/bm25weight.cc). */
static double xapian_bm25(double N, double n, double wdf, double len, double avlen,
                          double k1, double b, double min_normlen)
{
    double tw = (N - n + 0.5) / (n + 0.5);
    if (tw < 2)
        tw = tw * 0.5 + 1;
    double normlen = len / avlen;
    if (normlen < min_normlen)
        normlen = min_normlen;
    return log(tw) * (k1 + 1) * wdf / (k1 * (normlen * b + 1 - b) + wdf);
}

static void test_bm25_weights_follow_xapians_formula(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    double avlen;
    OK(xap_db_avlength(db, &avlen));
    assert_true(fabs(avlen - 31.0 / 6) < 1e-9);
    const double params[][3] = { { 1.2, 0.75, 0 }, { 1.0, 0.5, 0.5 }, { 2.0, 1.0, 0 } };
    for (size_t p = 0; p < 3; p++) {
        xap_enquire *e;
        xap_mset *m;
        xap_query *q = term("fox");
        OK(xap_enquire_new(db, &e));
        OK(xap_enquire_set_query(e, q));
        OK(xap_enquire_set_bm25(e, params[p][0], 0, 1, params[p][1], params[p][2]));
        OK(xap_enquire_mset(e, 0, 10, 0, &m));
        assert_int_equal(xap_mset_size(m), 3);
        for (size_t i = 0; i < 3; i++) {
            uint32_t dl, id = xap_mset_docid(m, i), wdf = 0;
            OK(xap_db_doclength(db, id, &dl));
            wdf = (id == 5) ? 3 : 1;
            double want = xapian_bm25(6, 3, wdf, dl, avlen, params[p][0], params[p][1], params[p][2]);
            assert_true(fabs(xap_mset_weight(m, i) - want) < 1e-9);
        }
        /* d5 says "fox" three times in four words: it ranks first. */
        assert_int_equal(xap_mset_docid(m, 0), 5);
        xap_mset_free(m);
        xap_enquire_free(e);
        xap_query_free(q);
    }
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_scaled_query_multiplies_weights(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    xap_query *q = term("brown"), *q2, *q0;
    OK(xap_query_scale(q, 2.5, &q2));
    assert_int_equal(xap_query_scale(q, -1, &q0), XAP_EINVAL);
    assert_null(q0);
    OK(xap_query_scale(q, 0, &q0));
    double w[3][3];
    xap_query *qs[3] = { q, q2, q0 };
    for (int k = 0; k < 3; k++) {
        xap_enquire *e;
        xap_mset *m;
        OK(xap_enquire_new(db, &e));
        OK(xap_enquire_set_query(e, qs[k]));
        OK(xap_enquire_mset(e, 0, 10, 0, &m));
        assert_int_equal(xap_mset_size(m), 3);
        for (int i = 0; i < 3; i++)
            w[k][i] = xap_mset_weight(m, (size_t)i);
        xap_mset_free(m);
        xap_enquire_free(e);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(w[0][i] > 0);
        assert_true(fabs(w[1][i] - 2.5 * w[0][i]) < 1e-9);
        assert_true(w[2][i] == 0);
    }
    char *desc;
    OK(xap_query_describe(q2, &desc));
    assert_non_null(strstr(desc, "2.5"));
    free(desc);
    for (int k = 0; k < 3; k++)
        xap_query_free(qs[k]);
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_elite_set_keeps_the_best_terms(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    /* Of "the" (df 2), "paper" (df 1) and "brown" (df 3), an elite set of 1
     * keeps the rarest term, "paper". */
    xap_query *subs[3] = { term("the"), term("paper"), term("brown") }, *q;
    OK(xap_query_combine(XAP_OP_ELITE_SET, subs, 3, 1, &q));
    xap_enquire *e;
    xap_mset *m;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_mset(e, 0, 10, 0, &m));
    assert_int_equal(xap_mset_size(m), 1);
    assert_int_equal(xap_mset_docid(m, 0), 3);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    for (int i = 0; i < 3; i++)
        xap_query_free(subs[i]);
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_sort_by_value_orders_by_date(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    xap_query *q = op2(XAP_OP_OR, term("fox"), term("quick"), 0);
    xap_enquire *e;
    xap_mset *m;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_set_sort_by_value(e, 0, 1)); /* newest first */
    OK(xap_enquire_mset(e, 0, 10, 0, &m));
    const uint32_t newest[] = { 6, 5, 4, 2, 1 };
    assert_int_equal(xap_mset_size(m), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(xap_mset_docid(m, i), newest[i]);
        const char *v;
        size_t len;
        OK(xap_mset_value(m, i, 0, &v, &len));
        assert_true(xap_sortable_unserialise(v, len) == CORPUS[newest[i] - 1].date);
    }
    xap_mset_free(m);
    OK(xap_enquire_set_sort_by_value(e, 0, 0)); /* oldest first */
    OK(xap_enquire_mset(e, 1, 2, 0, &m));        /* second page of 2 */
    assert_int_equal(xap_mset_size(m), 2);
    assert_int_equal(xap_mset_docid(m, 0), 2);
    assert_int_equal(xap_mset_rank(m, 0), 1);
    assert_int_equal(xap_mset_docid(m, 1), 4);
    xap_mset_free(m);
    xap_enquire_free(e);
    xap_query_free(q);
    OK(xap_db_close(db));
    tu_rmrf(dir);
    free(dir);
}

static void test_mset_reports_counts_and_matching_terms(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *db = build_db(dir);
    xap_query *subs[3] = { term("quick"), term("brown"), term("lazy") }, *q;
    OK(xap_query_combine(XAP_OP_OR, subs, 3, 0, &q));
    xap_enquire *e;
    xap_mset *m;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_set_bm25(e, 1.2, 0, 1, 0.75, 0));
    OK(xap_enquire_mset(e, 0, 2, 6, &m));
    assert_int_equal(xap_mset_size(m), 2);
    /* check_at_least covers the whole db: the count is exact. */
    assert_int_equal(xap_mset_estimated(m), 4);
    assert_int_equal(xap_mset_lower(m), 4);
    assert_int_equal(xap_mset_upper(m), 4);
    /* d1 holds all three terms and is first. */
    assert_int_equal(xap_mset_docid(m, 0), 1);
    uint32_t c;
    OK(xap_mset_matching_terms(m, 0, &c));
    assert_int_equal(c, 3);
    OK(xap_mset_matching_terms(m, 1, &c));
    assert_int_equal(c, 2);
    assert_true(xap_mset_weight(m, 0) > xap_mset_weight(m, 1));
    assert_int_equal(xap_mset_percent(m, 0), 100);
    const char *data;
    size_t len;
    assert_int_equal(xap_mset_data(m, 2, &data, &len), XAP_EINVAL);
    assert_int_equal(xap_mset_docid(m, 2), 0);
    /* The mset outlives its enquire, query and database handle. */
    xap_enquire_free(e);
    xap_query_free(q);
    OK(xap_db_close(db));
    OK(xap_mset_data(m, 0, &data, &len));
    assert_int_equal(len, 2);
    assert_memory_equal(data, "d1", 2);
    xap_mset_free(m);
    for (int i = 0; i < 3; i++)
        xap_query_free(subs[i]);
    tu_rmrf(dir);
    free(dir);
}

/* Weights of q on db in docid order of the data ("d1".."d6" -> w[0..5]). */
static void weights_by_id(xap_db *db, xap_query *q, double w[NCORPUS])
{
    xap_enquire *e;
    xap_mset *m;
    for (size_t i = 0; i < NCORPUS; i++)
        w[i] = -1;
    OK(xap_enquire_new(db, &e));
    OK(xap_enquire_set_query(e, q));
    OK(xap_enquire_set_bm25(e, 1.2, 0, 1, 0.75, 0));
    OK(xap_enquire_mset(e, 0, 100, 0, &m));
    for (size_t i = 0; i < xap_mset_size(m); i++) {
        const char *data;
        size_t len;
        OK(xap_mset_data(m, i, &data, &len));
        w[data[1] - '1'] = xap_mset_weight(m, i);
    }
    xap_mset_free(m);
    xap_enquire_free(e);
}

static void test_combined_databases_score_with_global_statistics(void **state)
{
    (void)state;
    char *all = tu_tmpdir(), *a = tu_tmpdir(), *b = tu_tmpdir();
    xap_db *whole = build_db(all), *w, *da, *dbb, *comb;
    OK(xap_db_open(a, XAP_WRITE | XAP_CREATE, &w));
    index_docs(w, CORPUS, 2);
    OK(xap_db_close(w)); /* closing a writer commits */
    OK(xap_db_open(b, XAP_WRITE | XAP_CREATE, &w));
    index_docs(w, CORPUS + 2, NCORPUS - 2);
    OK(xap_db_close(w));
    OK(xap_db_open(a, XAP_RDONLY, &da));
    OK(xap_db_open(b, XAP_RDONLY, &dbb));
    OK(xap_db_new_combined(&comb));
    OK(xap_db_add(comb, da));
    OK(xap_db_add(comb, dbb));
    OK(xap_db_close(da)); /* the combination keeps its own references */
    OK(xap_db_close(dbb));
    uint32_t n;
    OK(xap_db_doccount(comb, &n));
    assert_int_equal(n, NCORPUS);
    xap_query *q = op2(XAP_OP_OR, term("fox"), term("quick"), 0);
    double w1[NCORPUS], w2[NCORPUS];
    weights_by_id(whole, q, w1);
    weights_by_id(comb, q, w2);
    for (size_t i = 0; i < NCORPUS; i++)
        assert_true(fabs(w1[i] - w2[i]) < 1e-9);
    assert_true(w1[0] > 0 && w1[2] == -1);
    xap_query_free(q);
    OK(xap_db_close(comb));
    OK(xap_db_close(whole));
    tu_rmrf(all);
    tu_rmrf(a);
    tu_rmrf(b);
    free(all);
    free(a);
    free(b);
}

static void test_errors_come_back_as_codes_with_messages(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/missing", dir);
    xap_db *db = (xap_db *)1;
    int rc = xap_db_open(path, XAP_RDONLY, &db);
    assert_true(rc == XAP_ENOTFOUND || rc == XAP_EOPENING);
    assert_null(db);
    assert_true(strlen(xap_errmsg()) > 0);
    rc = xap_db_open(path, XAP_WRITE, &db);
    assert_true(rc == XAP_ENOTFOUND || rc == XAP_EOPENING);
    /* A second writer is refused with its own code. */
    xap_db *w1, *w2;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &w1));
    assert_int_equal(xap_db_open(dir, XAP_WRITE, &w2), XAP_ELOCKED);
    assert_non_null(strstr(xap_errmsg(), "DatabaseLockError"));
    OK(xap_db_commit(w1));
    /* Writing through a reader is refused. */
    xap_db *r;
    OK(xap_db_open(dir, XAP_RDONLY, &r));
    xap_doc *d = make_doc(&CORPUS[0]);
    assert_int_equal(xap_db_add_doc(r, d, NULL), XAP_EUNSUPPORTED);
    assert_int_equal(xap_db_add(w1, r), XAP_EUNSUPPORTED);
    /* Bad BM25 parameters are refused, not clamped as Xapian would. */
    xap_enquire *e;
    OK(xap_enquire_new(r, &e));
    assert_int_equal(xap_enquire_set_bm25(e, -1, 0, 1, 0.5, 0.5), XAP_EINVAL);
    assert_non_null(strstr(xap_errmsg(), "BM25"));
    assert_int_equal(xap_enquire_set_bm25(e, 1.2, 0, 1, 1.5, 0.5), XAP_EINVAL);
    OK(xap_enquire_set_bm25(e, 1.2, 0, 1, 1.0, 0.5));
    /* An unknown operator and NULL subqueries. */
    xap_query *q = term("x"), *bad;
    assert_int_equal(xap_query_combine((xap_op)99, &q, 1, 0, &bad), XAP_EINVAL);
    xap_query *nul[2] = { q, NULL };
    assert_int_equal(xap_query_combine(XAP_OP_AND, nul, 2, 0, &bad), XAP_EINVAL);
    assert_null(bad);
    assert_int_equal(xap_query_term("", 0, 1, 0, &bad), XAP_EINVAL);
    xap_query_free(q);
    assert_int_equal(xap_doc_add_posting(d, "", 0, 1, 1), XAP_EINVAL);
    assert_int_equal(xap_doc_set_value(d, 0xffffffffu, "x", 1), XAP_EINVAL);
    /* Nothing listens on port 1 of loopback. */
    xap_db *remote = (xap_db *)1;
    assert_int_equal(xap_db_open_remote("127.0.0.1", 1, 2000, &remote), XAP_ENETWORK);
    assert_null(remote);
    assert_int_equal(xap_db_open_remote("127.0.0.1", 0, 2000, &remote), XAP_EINVAL);
    assert_string_equal(xap_strerror(XAP_EMODIFIED), "database modified (reopen and retry)");
    xap_doc_free(d);
    xap_enquire_free(e);
    OK(xap_db_close(r));
    OK(xap_db_close(w1));
    xap_db_close(NULL);
    xap_doc_free(NULL);
    xap_query_free(NULL);
    xap_enquire_free(NULL);
    xap_mset_free(NULL);
    tu_rmrf(dir);
    free(dir);
}

/* Writes `rounds` commits, each replacing every document with longer text,
 * so the blocks an old reader needs get reused. */
static void churn(xap_db *w, int from, int to)
{
    for (int r = from; r < to; r++) {
        for (int i = 0; i < 300; i++) {
            char text[600], id[16];
            int n = 0;
            for (int k = 0; k < 40; k++)
                n += snprintf(text + n, sizeof text - (size_t)n, "w%d_%d ", (i * 7 + k + r) % 500, r);
            snprintf(id, sizeof id, "c%d", i);
            tdoc t = { id, text, i };
            index_docs(w, &t, 1);
        }
        OK(xap_db_commit(w));
    }
}

static void test_modified_reader_gets_its_own_code_and_reopens(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    xap_db *w, *r;
    OK(xap_db_open(dir, XAP_WRITE | XAP_CREATE, &w));
    churn(w, 0, 1);
    OK(xap_db_open(dir, XAP_RDONLY, &r));
    churn(w, 1, 5);
    /* The reader's revision has been overwritten: reading its postings
     * fails with XAP_EMODIFIED; after a reopen the same read works. */
    int rc = XAP_OK;
    for (int i = 0; i < 500 && rc == XAP_OK; i++) {
        char t[16];
        int n = snprintf(t, sizeof t, "w%d_0", i);
        uint32_t df;
        rc = xap_db_term_stats(r, t, (size_t)n, &df, NULL);
        if (rc == XAP_OK) {
            xap_query *q;
            OK(xap_query_term(t, (size_t)n, 1, 0, &q));
            xap_enquire *e;
            xap_mset *m = NULL;
            OK(xap_enquire_new(r, &e));
            OK(xap_enquire_set_query(e, q));
            rc = xap_enquire_mset(e, 0, 10, 0, &m);
            xap_mset_free(m);
            xap_enquire_free(e);
            xap_query_free(q);
        }
    }
    assert_int_equal(rc, XAP_EMODIFIED);
    assert_non_null(strstr(xap_errmsg(), "DatabaseModifiedError"));
    int changed;
    OK(xap_db_reopen(r, &changed));
    assert_true(changed);
    uint32_t df;
    OK(xap_db_term_stats(r, "w1_4", 4, &df, NULL));
    assert_true(df > 0);
    OK(xap_db_close(r));
    OK(xap_db_close(w));
    tu_rmrf(dir);
    free(dir);
}

/* ---------------------------------------------------------------- backend */

typedef struct seen_term {
    char list[2048];
    size_t used;
} seen_term;

static int on_doc_term(void *ctx, const char *term, size_t len, uint32_t wdf, uint32_t npos)
{
    seen_term *s = ctx;
    s->used += (size_t)snprintf(s->list + s->used, sizeof s->list - s->used, "%s%.*s/%u/%u",
                                s->used ? " " : "", (int)len, term, wdf, npos);
    return 0;
}

static void positions_are(xap_db *db, uint32_t id, const char *t, const uint32_t *want, size_t n)
{
    uint32_t pos[16];
    size_t got;
    OK(xap_db_positions(db, id, t, strlen(t), pos, 16, &got));
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pos[i], want[i]);
}

static const mg_article SAMPLE = {
    .id = "a1", .url = "http://x/1", .title = "Running dogs",
    .body = "The dog runs fast", .source = "Reuters", .section = "World news",
    .author = "Jane Smith", .date = 86400 * 365,
};

static void test_backend_writes_morgues_terms_and_positions(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    errbuf e;
    xb_writer *w;
    assert_int_equal(xb_writer_open(dir, 1, "english", &w, &e), MG_OK);
    assert_int_equal(xb_writer_add(w, &SAMPLE, &e), MG_OK);
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    xap_db *db = xb_writer_db(w);
    uint32_t id;
    OK(xap_db_find_term(db, "Qa1", 3, &id));
    seen_term s = { .used = 0 };
    s.list[0] = '\0';
    OK(xap_db_termlist(db, id, on_doc_term, &s));
    /* term/wdf/positions, in byte order: stems carry the wdf, prefixed
     * terms none. */
    assert_string_equal(s.list, "Ajane/0/1 Asmith/0/1 Qa1/0/1 Rdogs/0/1 Rrunning/0/1 "
                                "Rruns/0/1 Snews/0/1 Sreuters/0/1 Sworld/0/1 "
                                "dog/2/2 fast/1/1 run/2/2 the/1/1");
    /* morgue's positions + XB_POS_BASE (1) */
    const uint32_t run[] = { 1, 6 }, dog[] = { 2, 5 }, the[] = { 4 }, world[] = { 3 };
    positions_are(db, id, "run", run, 2);
    positions_are(db, id, "dog", dog, 2);
    positions_are(db, id, "the", the, 1);
    positions_are(db, id, "Sworld", world, 1); /* source 0, gap, section 2.. */
    uint32_t len;
    OK(xap_db_doclength(db, id, &len));
    assert_int_equal(len, 6); /* title 2 + body 4 */
    char *lang;
    size_t n;
    OK(xap_db_get_metadata(db, "morgue.language", &lang, &n));
    assert_int_equal(n, 7);
    assert_memory_equal(lang, "english", 7);
    free(lang);
    xb_writer_close(w);
    tu_rmrf(dir);
    free(dir);
}

static void test_backend_close_without_commit_discards(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    errbuf e;
    xb_writer *w;
    assert_int_equal(xb_writer_open(dir, 1, NULL, &w, &e), MG_OK);
    assert_int_equal(xb_writer_add(w, &SAMPLE, &e), MG_OK);
    xb_writer_close(w);
    xb_searcher *s;
    assert_int_equal(xb_searcher_open(dir, &s, &e), MG_OK);
    assert_int_equal(xb_searcher_ndocs(s), 0);
    xb_searcher_close(s);
    assert_int_equal(xb_writer_open(dir, 0, NULL, &w, &e), MG_OK);
    assert_int_equal(xb_writer_delete(w, "a1", &e), MG_ENOTFOUND);
    mg_article noid = SAMPLE;
    noid.id = NULL;
    assert_int_equal(xb_writer_add(w, &noid, &e), MG_EINVAL);
    assert_int_equal(xb_writer_add(w, &SAMPLE, &e), MG_OK);
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    assert_int_equal(xb_writer_delete(w, "a1", &e), MG_OK);
    assert_int_equal(xb_writer_rollback(w, &e), MG_OK);
    assert_int_equal(xb_writer_delete(w, "a1", &e), MG_OK); /* back after the rollback */
    xb_writer_close(w); /* and this delete is rolled back by the close */
    assert_int_equal(xb_searcher_open(dir, &s, &e), MG_OK);
    assert_int_equal(xb_searcher_ndocs(s), 1);
    assert_string_equal(xb_searcher_language(s), "english");
    xb_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* "id id ..." of the hits of query (relevance order). */
static int search_ids(xb_searcher *s, const char *query, char *out, size_t cap)
{
    mg_search_options o;
    memset(&o, 0, sizeof o);
    o.limit = 100;
    o.since = o.until = MG_NO_DATE;
    o.fields = MG_FIELD_ID;
    o.k1 = 1.2;
    o.b = 0.75;
    xb_results *r;
    errbuf e;
    int rc = xb_search(s, query, &o, &r, &e, NULL);
    out[0] = '\0';
    if (rc)
        return rc;
    size_t used = 0;
    for (size_t i = 0; i < xb_results_count(r); i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "",
                                 xb_results_hit(r, i)->id);
    xb_results_free(r);
    return MG_OK;
}

static void test_backend_answers_morgue_queries(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    errbuf e;
    xb_writer *w;
    assert_int_equal(xb_writer_open(dir, 1, "english", &w, &e), MG_OK);
    mg_article a = SAMPLE;
    assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    a.id = "a2"; a.title = "Cats"; a.body = "A dog chased the cats running away";
    a.author = "John Smith"; a.date = 86400 * 800;
    assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    a.id = "a3"; a.title = "Markets"; a.body = "Shares rose"; a.author = NULL;
    a.source = "AP"; a.section = NULL; a.date = MG_NO_DATE;
    assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    xb_writer_close(w);
    xb_searcher *s;
    assert_int_equal(xb_searcher_open(dir, &s, &e), MG_OK);
    char got[256];
    assert_int_equal(search_ids(s, "dog", got, sizeof got), MG_OK);
    assert_string_equal(got, "a1 a2"); /* a1 says dog twice */
    search_ids(s, "\"running dogs\"", got, sizeof got);
    assert_string_equal(got, "a1");
    search_ids(s, "\"dog runs\"", got, sizeof got);
    assert_string_equal(got, "a1");
    search_ids(s, "=running", got, sizeof got);
    assert_string_equal(got, "a1 a2");
    search_ids(s, "=runs", got, sizeof got);
    assert_string_equal(got, "a1");
    search_ids(s, "author:smith -author:jane", got, sizeof got);
    assert_string_equal(got, "a2");
    search_ids(s, "source:ap OR shares", got, sizeof got);
    assert_string_equal(got, "a3");
    search_ids(s, "dog AND cats", got, sizeof got);
    assert_string_equal(got, "a2");
    search_ids(s, "dog NEAR/1 chased", got, sizeof got);
    assert_string_equal(got, "a2");
    search_ids(s, "dog NEAR/0 cats", got, sizeof got);
    assert_string_equal(got, "");
    search_ids(s, "ca*", got, sizeof got);
    assert_string_equal(got, "a2");
    search_ids(s, "runn*", got, sizeof got); /* only the raw forms start so */
    assert_string_equal(got, "a1 a2");
    search_ids(s, "author:smi*", got, sizeof got);
    assert_string_equal(got, "a1 a2");
    search_ids(s, "zz*", got, sizeof got);
    assert_string_equal(got, "");
    search_ids(s, "date:1971", got, sizeof got);
    assert_string_equal(got, "a1");
    search_ids(s, "dog date:1972..", got, sizeof got);
    assert_string_equal(got, "a2");
    search_ids(s, "-dog", got, sizeof got);
    assert_string_equal(got, "a3");
    /* Snippets come from the stored body, matches marked like morgue's. */
    xb_results *r;
    mg_search_options o;
    memset(&o, 0, sizeof o);
    o.limit = 1;
    o.since = o.until = MG_NO_DATE;
    o.fields = MG_FIELD_ID | MG_FIELD_TITLE | MG_FIELD_DATE;
    o.snippet_len = 100;
    o.hl_pre = "<b>";
    o.hl_post = "</b>";
    o.k1 = 1.2;
    o.b = 0.75;
    assert_int_equal(xb_search(s, "running", &o, &r, &e, NULL), MG_OK);
    assert_int_equal(xb_results_count(r), 1);
    assert_int_equal(xb_results_total(r), 2);
    assert_false(xb_results_total_is_estimate(r));
    const mg_hit *h = xb_results_hit(r, 0);
    assert_string_equal(h->id, "a1");
    assert_string_equal(h->title, "Running dogs");
    assert_null(h->body); /* not asked for */
    assert_null(h->url);
    assert_true(h->date == 86400 * 365);
    assert_true(h->score > 0);
    assert_non_null(h->snippet);
    assert_non_null(strstr(h->snippet, "<b>runs</b>"));
    xb_results_free(r);
    o.limit = 0; /* no hits, still the count */
    o.exact_total = 1;
    assert_int_equal(xb_search(s, "dog OR shares", &o, &r, &e, NULL), MG_OK);
    assert_int_equal(xb_results_count(r), 0);
    assert_int_equal(xb_results_total(r), 3);
    assert_false(xb_results_total_is_estimate(r));
    xb_results_free(r);
    o.exact_total = 0;
    o.sort = MG_SORT_NEWEST;
    o.limit = SIZE_MAX; /* "all of them" */
    assert_int_equal(xb_search(s, "dog OR shares", &o, &r, &e, NULL), MG_OK);
    assert_int_equal(xb_results_count(r), 3);
    assert_string_equal(xb_results_hit(r, 0)->id, "a2"); /* newest; undated last */
    assert_string_equal(xb_results_hit(r, 2)->id, "a3");
    assert_true(xb_results_hit(r, 0)->score == 0);
    xb_results_free(r);
    /* get and stats */
    assert_int_equal(xb_get(s, "a2", &r, &e), MG_OK);
    h = xb_results_hit(r, 0);
    assert_string_equal(h->body, "A dog chased the cats running away");
    assert_string_equal(h->author, "John Smith");
    assert_string_equal(h->url, "http://x/1");
    xb_results_free(r);
    assert_int_equal(xb_get(s, "nope", &r, &e), MG_ENOTFOUND);
    assert_null(r);
    mg_stats st;
    assert_int_equal(xb_stats(s, &st, &e), MG_OK);
    assert_int_equal(st.docs, 3);
    assert_true(st.date_min == 86400 * 365); /* the undated article aside */
    assert_true(st.date_max == 86400 * 800);
    assert_int_equal(st.tokens, 6 + 8 + 3);
    assert_string_equal(st.language, "english");
    assert_true(st.terms > 15);
    /* What Xapian cannot do is refused, pointing at the clause. */
    size_t col = 0;
    assert_int_equal(xb_search(s, "dog title:cats", NULL, &r, &e, &col), MG_EUNSUPPORTED);
    assert_true(col >= 5); /* the field clause, not "dog" */
    assert_non_null(strstr(e.msg, "title:"));
    assert_int_equal(xb_search(s, "=dog", NULL, &r, &e, &col), MG_EUNSUPPORTED);
    assert_int_equal(xb_search(s, "(dog", NULL, &r, &e, &col), MG_ESYNTAX);
    assert_true(col > 0);
    xb_searcher_close(s);
    tu_rmrf(dir);
    free(dir);
}

/* The body of the snippet test: phrase words also stand apart, so a
 * per-word highlighter would mark them where the phrase is not. */
static const char SNIP_BODY[] =
    "The gold price fell on Monday. Dealers said the old gold standard debate was back, "
    "and a standard view of the metal held that prices would recover. Central banks "
    "bought gold; the dollar standard stayed. Nothing else moved in the markets.";

/* Snippet of query q on the one article, from morgue's own engine (ms)
 * or the Xapian backend (xs), into out. */
static void both_snippets(mg_searcher *ms, xb_searcher *xs, const char *q, char *m, char *x,
                          size_t cap)
{
    mg_search_options o;
    mg_search_options_init(&o);
    o.snippet_len = 120;
    mg_results *mr;
    assert_int_equal(mg_search(ms, q, &o, &mr), MG_OK);
    assert_int_equal(mg_results_count(mr), 1);
    snprintf(m, cap, "%s", mg_results_hit(mr, 0)->snippet);
    mg_results_free(mr);
    xb_results *xr;
    errbuf e;
    assert_int_equal(xb_search(xs, q, &o, &xr, &e, NULL), MG_OK);
    assert_int_equal(xb_results_count(xr), 1);
    snprintf(x, cap, "%s", xb_results_hit(xr, 0)->snippet);
    xb_results_free(xr);
}

static void test_backend_snippets_mark_what_morgue_marks(void **state)
{
    (void)state;
    char *mdir = tu_tmpdir(), *xdir = tu_tmpdir();
    mg_article a = SAMPLE;
    a.body = SNIP_BODY;
    a.title = "Gold";
    mg_index *ix;
    assert_int_equal(mg_index_open(mdir, MG_WRITE | MG_CREATE, NULL, &ix), MG_OK);
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    a.id = "other";
    a.title = "Other";
    a.body = "Bond yields rose while shares of miners slipped.";
    assert_int_equal(mg_index_add(ix, &a), MG_OK);
    assert_int_equal(mg_index_commit(ix), MG_OK);
    errbuf e;
    xb_writer *w;
    assert_int_equal(xb_writer_open(xdir, 1, "english", &w, &e), MG_OK);
    assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    a.id = "a1";
    a.title = "Gold";
    a.body = SNIP_BODY;
    assert_int_equal(xb_writer_add(w, &a, &e), MG_OK);
    assert_int_equal(xb_writer_commit(w, &e), MG_OK);
    xb_writer_close(w);
    mg_searcher *ms;
    xb_searcher *xs;
    assert_int_equal(mg_searcher_open(ix, &ms), MG_OK);
    assert_int_equal(xb_searcher_open(xdir, &xs, &e), MG_OK);
    char m[512], x[512];
    /* A phrase: one span where its words stand together, nothing elsewhere. */
    both_snippets(ms, xs, "\"gold standard\"", m, x, sizeof m);
    assert_non_null(strstr(x, "[gold standard]"));
    assert_null(strstr(x, "[gold]"));
    assert_null(strstr(x, "[standard]"));
    assert_string_equal(x, m);
    /* Words and a phrase together, NEAR, a prefix, an exclusion. */
    static const char *const qs[] = {
        "gold OR \"dollar standard\"", "price NEAR/2 monday", "stand*", "metal -silver",
        "banks AND gold", "=prices",
    };
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        both_snippets(ms, xs, qs[i], m, x, sizeof m);
        assert_non_null(strchr(x, '['));
        assert_string_equal(x, m);
    }
    both_snippets(ms, xs, "price NEAR/2 monday", m, x, sizeof m);
    assert_non_null(strstr(x, "[price] fell on [Monday]"));
    both_snippets(ms, xs, "=prices", m, x, sizeof m);
    assert_non_null(strstr(x, "[prices]"));
    assert_null(strstr(x, "[price]")); /* the exact form only */
    xb_searcher_close(xs);
    mg_searcher_close(ms);
    mg_index_close(ix);
    tu_rmrf(mdir);
    tu_rmrf(xdir);
    free(mdir);
    free(xdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_documents_are_visible_after_commit),
        cmocka_unit_test(test_replace_by_id_term_keeps_one_document),
        cmocka_unit_test(test_cancelled_transaction_leaves_nothing),
        cmocka_unit_test(test_boolean_operators_match_the_right_documents),
        cmocka_unit_test(test_phrase_and_near_respect_order_and_window),
        cmocka_unit_test(test_value_ranges_select_by_serialised_number),
        cmocka_unit_test(test_bm25_weights_follow_xapians_formula),
        cmocka_unit_test(test_scaled_query_multiplies_weights),
        cmocka_unit_test(test_elite_set_keeps_the_best_terms),
        cmocka_unit_test(test_sort_by_value_orders_by_date),
        cmocka_unit_test(test_mset_reports_counts_and_matching_terms),
        cmocka_unit_test(test_combined_databases_score_with_global_statistics),
        cmocka_unit_test(test_errors_come_back_as_codes_with_messages),
        cmocka_unit_test(test_modified_reader_gets_its_own_code_and_reopens),
        cmocka_unit_test(test_backend_writes_morgues_terms_and_positions),
        cmocka_unit_test(test_backend_close_without_commit_discards),
        cmocka_unit_test(test_backend_answers_morgue_queries),
        cmocka_unit_test(test_backend_snippets_mark_what_morgue_marks),
    };
    return cmocka_run_group_tests_name("xapian", tests, NULL, NULL);
}

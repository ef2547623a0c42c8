// xapian_c.cc — the C bindings of xapian_c.h: thin extern "C" wrappers that
// catch every C++ exception at the boundary and turn it into a status code
// plus a thread-local message.  The only C++ in morgue.
#include "xapian/xapian_c.h"

#include <xapian.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <vector>

struct xap_db {
    Xapian::Database *db;           // the database (a WritableDatabase for writers)
    Xapian::WritableDatabase *wdb;  // same object when writable, else NULL
    bool in_txn;                    // a transaction is open
};

struct xap_doc {
    Xapian::Document doc;
};

struct xap_query {
    Xapian::Query q;
};

struct xap_enquire {
    xap_db *db;                     // borrowed
    Xapian::Enquire enq;
    Xapian::Query q;                // the query set, for matching-term counts
    explicit xap_enquire(xap_db *d) : db(d), enq(*d->db) {}
};

struct xap_mset {
    Xapian::Database db;            // keeps the (shared) database alive
    Xapian::MSet mset;
    Xapian::Query q;
    std::vector<std::string> qterms;  // unique query terms, filled on demand
    bool have_qterms;
    std::vector<std::string> data;    // item data fetched so far
    std::vector<bool> have_data;
    std::string value;                // last value fetched
};

namespace {

thread_local std::string g_errmsg;

int fail(int code, const char *cls, const std::string &msg)
{
    try {
        g_errmsg.assign(cls);
        if (!msg.empty()) {
            g_errmsg += ": ";
            g_errmsg += msg;
        }
    } catch (...) {
        // The message is lost; the code is not.
    }
    return code;
}

int code_of(const Xapian::Error &e)
{
    const std::string t = e.get_type();
    if (t == "DatabaseModifiedError") return XAP_EMODIFIED;
    if (t == "DatabaseLockError") return XAP_ELOCKED;
    if (t == "DatabaseCorruptError") return XAP_ECORRUPT;
    if (t == "DatabaseNotFoundError") return XAP_ENOTFOUND;
    if (t == "DatabaseOpeningError" || t == "DatabaseVersionError" ||
        t == "DatabaseCreateError")
        return XAP_EOPENING;
    if (t == "DocNotFoundError") return XAP_ENOTFOUND;
    if (t == "NetworkError" || t == "NetworkTimeoutError") return XAP_ENETWORK;
    if (t == "InvalidArgumentError" || t == "RangeError" || t == "SerialisationError")
        return XAP_EINVAL;
    if (t == "UnimplementedError" || t == "FeatureUnavailableError" ||
        t == "InvalidOperationError")
        return XAP_EUNSUPPORTED;
    return XAP_EOTHER;
}

// Runs f (a lambda returning an int status) with every exception caught.
template <class F> int guard(F f)
{
    try {
        return f();
    } catch (const Xapian::Error &e) {
        std::string m = e.get_msg();
        if (!e.get_context().empty())
            m += " (" + e.get_context() + ")";
        if (e.get_error_string())
            m += std::string(" [") + e.get_error_string() + "]";
        return fail(code_of(e), e.get_type(), m);
    } catch (const std::bad_alloc &) {
        return fail(XAP_ENOMEM, "out of memory", "");
    } catch (const std::exception &e) {
        return fail(XAP_EOTHER, "C++ exception", e.what());
    } catch (...) {
        return fail(XAP_EOTHER, "unknown C++ exception", "");
    }
}

int bad(const char *what) { return fail(XAP_EINVAL, "invalid argument", what); }

std::string str(const char *p, size_t n) { return p ? std::string(p, n) : std::string(); }

int copy_out(const std::string &d, char **data, size_t *len)
{
    if (!d.empty()) {
        char *p = static_cast<char *>(std::malloc(d.size() + 1));
        if (!p)
            throw std::bad_alloc();
        std::memcpy(p, d.data(), d.size());
        p[d.size()] = '\0';
        *data = p;
        *len = d.size();
    }
    return XAP_OK;
}

int writer_of(xap_db *db, Xapian::WritableDatabase **w)
{
    if (!db)
        return bad("NULL database");
    if (!db->wdb)
        return fail(XAP_EUNSUPPORTED, "InvalidOperationError",
                    "database is opened read-only");
    *w = db->wdb;
    return XAP_OK;
}

}  // namespace

extern "C" {

const char *xap_strerror(int code)
{
    switch (code) {
    case XAP_OK: return "ok";
    case XAP_EINVAL: return "invalid argument";
    case XAP_ENOTFOUND: return "not found";
    case XAP_EMODIFIED: return "database modified (reopen and retry)";
    case XAP_ELOCKED: return "database locked";
    case XAP_EOPENING: return "cannot open database";
    case XAP_ECORRUPT: return "database corrupt";
    case XAP_ENETWORK: return "network error";
    case XAP_EUNSUPPORTED: return "unsupported operation";
    case XAP_ENOMEM: return "out of memory";
    case XAP_EOTHER: return "xapian error";
    default: return "unknown status";
    }
}

const char *xap_errmsg(void) { return g_errmsg.c_str(); }

const char *xap_version(void) { return Xapian::version_string(); }

/* ------------------------------------------------------------- databases */

int xap_db_open(const char *path, int flags, xap_db **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!path)
        return bad("NULL path");
    return guard([&]() -> int {
        xap_db *h = new xap_db();
        try {
            if (flags & XAP_WRITE) {
                int action = Xapian::DB_OPEN;
                if (flags & XAP_OVERWRITE)
                    action = Xapian::DB_CREATE_OR_OVERWRITE;
                else if (flags & XAP_CREATE)
                    action = Xapian::DB_CREATE_OR_OPEN;
                h->wdb = new Xapian::WritableDatabase(path, action | Xapian::DB_BACKEND_GLASS);
                h->db = h->wdb;
            } else {
                h->db = new Xapian::Database(path);
            }
        } catch (...) {
            delete h;
            throw;
        }
        *out = h;
        return XAP_OK;
    });
}

int xap_db_open_remote(const char *host, unsigned port, unsigned timeout_ms, xap_db **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!host || !port || port > 65535)
        return bad("remote database needs a host and a port 1..65535");
    return guard([&]() -> int {
        useconds_t t = timeout_ms ? (useconds_t)timeout_ms : 10000;
        Xapian::Database d = Xapian::Remote::open(host, port, t, t);
        xap_db *h = new xap_db();
        try {
            h->db = new Xapian::Database(d);
        } catch (...) {
            delete h;
            throw;
        }
        *out = h;
        return XAP_OK;
    });
}

int xap_db_new_combined(xap_db **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    return guard([&]() -> int {
        xap_db *h = new xap_db();
        try {
            h->db = new Xapian::Database();
        } catch (...) {
            delete h;
            throw;
        }
        *out = h;
        return XAP_OK;
    });
}

int xap_db_add(xap_db *dst, xap_db *src)
{
    if (!dst || !src)
        return bad("NULL database");
    if (dst->wdb)
        return fail(XAP_EUNSUPPORTED, "InvalidOperationError",
                    "cannot add databases to a writable database");
    return guard([&]() -> int {
        dst->db->add_database(*src->db);
        return XAP_OK;
    });
}

int xap_db_close(xap_db *db)
{
    if (!db)
        return XAP_OK;
    // Not Database::close(): that would also close the shared backend of
    // any combination this database was added to.  Dropping our reference
    // is enough; a writer commits first so that errors are reported.
    int rc = XAP_OK;
    if (db->wdb && !db->in_txn)
        rc = guard([&]() -> int {
            db->wdb->commit();
            return XAP_OK;
        });
    try {
        delete db->db;
    } catch (...) {
        // 1.4 destructors do not throw; be safe at the C boundary anyway.
    }  // a WritableDatabase when db->wdb is set: same object
    delete db;
    return rc;
}

int xap_db_reopen(xap_db *db, int *changed)
{
    if (!db)
        return bad("NULL database");
    return guard([&]() -> int {
        bool c = db->wdb ? false : db->db->reopen();
        if (changed)
            *changed = c ? 1 : 0;
        return XAP_OK;
    });
}

int xap_db_doccount(xap_db *db, uint32_t *out)
{
    if (!db || !out)
        return bad("NULL argument");
    return guard([&]() -> int {
        *out = db->db->get_doccount();
        return XAP_OK;
    });
}

int xap_db_lastdocid(xap_db *db, uint32_t *out)
{
    if (!db || !out)
        return bad("NULL argument");
    return guard([&]() -> int {
        *out = db->db->get_lastdocid();
        return XAP_OK;
    });
}

int xap_db_avlength(xap_db *db, double *out)
{
    if (!db || !out)
        return bad("NULL argument");
    return guard([&]() -> int {
        *out = db->db->get_avlength();
        return XAP_OK;
    });
}

int xap_db_term_stats(xap_db *db, const char *term, size_t len, uint32_t *df, uint64_t *cf)
{
    if (!db || !term)
        return bad("NULL argument");
    return guard([&]() -> int {
        std::string t(term, len);
        if (df)
            *df = db->db->get_termfreq(t);
        if (cf)
            *cf = db->db->get_collection_freq(t);
        return XAP_OK;
    });
}

int xap_db_doclength(xap_db *db, uint32_t docid, uint32_t *out)
{
    if (!db || !out)
        return bad("NULL argument");
    return guard([&]() -> int {
        *out = db->db->get_doclength(docid);
        return XAP_OK;
    });
}

int xap_db_allterms(xap_db *db, const char *prefix, size_t len,
                    int (*fn)(void *, const char *, size_t, uint32_t), void *ctx)
{
    if (!db || !fn)
        return bad("NULL argument");
    return guard([&]() -> int {
        std::string p = str(prefix, len);
        for (auto it = db->db->allterms_begin(p); it != db->db->allterms_end(p); ++it) {
            std::string t = *it;
            if (fn(ctx, t.data(), t.size(), it.get_termfreq()))
                break;
        }
        return XAP_OK;
    });
}

int xap_db_termlist(xap_db *db, uint32_t docid,
                    int (*fn)(void *, const char *, size_t, uint32_t, uint32_t), void *ctx)
{
    if (!db || !fn)
        return bad("NULL argument");
    return guard([&]() -> int {
        for (auto it = db->db->termlist_begin(docid); it != db->db->termlist_end(docid); ++it) {
            std::string t = *it;
            if (fn(ctx, t.data(), t.size(), it.get_wdf(), it.positionlist_count()))
                break;
        }
        return XAP_OK;
    });
}

int xap_db_positions(xap_db *db, uint32_t docid, const char *term, size_t len,
                     uint32_t *pos, size_t cap, size_t *n)
{
    if (!db || !term || !n || (cap && !pos))
        return bad("NULL argument");
    return guard([&]() -> int {
        std::string t(term, len);
        size_t k = 0;
        for (auto it = db->db->positionlist_begin(docid, t);
             it != db->db->positionlist_end(docid, t); ++it, ++k)
            if (k < cap)
                pos[k] = *it;
        *n = k;
        return XAP_OK;
    });
}

int xap_db_postlist(xap_db *db, const char *term, size_t len,
                    int (*fn)(void *, uint32_t, uint32_t), void *ctx)
{
    if (!db || !term || !fn)
        return bad("NULL argument");
    return guard([&]() -> int {
        std::string t(term, len);
        for (auto it = db->db->postlist_begin(t); it != db->db->postlist_end(t); ++it)
            if (fn(ctx, *it, it.get_wdf()))
                break;
        return XAP_OK;
    });
}

int xap_db_get_data(xap_db *db, uint32_t docid, char **data, size_t *len)
{
    if (!db || !data || !len)
        return bad("NULL argument");
    *data = nullptr;
    *len = 0;
    return guard([&]() -> int { return copy_out(db->db->get_document(docid).get_data(), data, len); });
}

int xap_db_find_term(xap_db *db, const char *term, size_t len, uint32_t *docid)
{
    if (!db || !term || !docid)
        return bad("NULL argument");
    return guard([&]() -> int {
        std::string t(term, len);
        auto it = db->db->postlist_begin(t);
        if (it == db->db->postlist_end(t))
            return fail(XAP_ENOTFOUND, "DocNotFoundError", "no document has term " + t);
        *docid = *it;
        return XAP_OK;
    });
}

int xap_db_get_metadata(xap_db *db, const char *key, char **val, size_t *len)
{
    if (!db || !key || !*key || !val || !len)
        return bad("NULL argument or empty key");
    *val = nullptr;
    *len = 0;
    return guard([&]() -> int { return copy_out(db->db->get_metadata(key), val, len); });
}

int xap_db_set_metadata(xap_db *db, const char *key, const void *val, size_t len)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    if (!key || !*key || (len && !val))
        return bad("NULL argument or empty key");
    return guard([&]() -> int {
        w->set_metadata(key, std::string(static_cast<const char *>(val), len));
        return XAP_OK;
    });
}

/* --------------------------------------------------------------- writing */

int xap_db_begin(xap_db *db, int flushed)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    return guard([&]() -> int {
        w->begin_transaction(flushed != 0);
        db->in_txn = true;
        return XAP_OK;
    });
}

int xap_db_commit_transaction(xap_db *db)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    return guard([&]() -> int {
        db->in_txn = false;  // Xapian ends the transaction even when it throws
        w->commit_transaction();
        return XAP_OK;
    });
}

int xap_db_cancel_transaction(xap_db *db)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    return guard([&]() -> int {
        db->in_txn = false;
        w->cancel_transaction();
        return XAP_OK;
    });
}

int xap_db_commit(xap_db *db)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    return guard([&]() -> int {
        w->commit();
        return XAP_OK;
    });
}

int xap_doc_new(xap_doc **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    return guard([&]() -> int {
        *out = new xap_doc();
        return XAP_OK;
    });
}

void xap_doc_free(xap_doc *doc) { delete doc; }

int xap_doc_add_posting(xap_doc *doc, const char *term, size_t len, uint32_t pos, uint32_t wdf_inc)
{
    if (!doc || !term || !len)
        return bad("NULL document or empty term");
    return guard([&]() -> int {
        doc->doc.add_posting(std::string(term, len), pos, wdf_inc);
        return XAP_OK;
    });
}

int xap_doc_add_term(xap_doc *doc, const char *term, size_t len, uint32_t wdf_inc)
{
    if (!doc || !term || !len)
        return bad("NULL document or empty term");
    return guard([&]() -> int {
        doc->doc.add_term(std::string(term, len), wdf_inc);
        return XAP_OK;
    });
}

int xap_doc_set_data(xap_doc *doc, const void *data, size_t len)
{
    if (!doc || (len && !data))
        return bad("NULL argument");
    return guard([&]() -> int {
        doc->doc.set_data(std::string(static_cast<const char *>(data), len));
        return XAP_OK;
    });
}

int xap_doc_set_value(xap_doc *doc, uint32_t slot, const void *v, size_t len)
{
    if (!doc || (len && !v))
        return bad("NULL argument");
    if (slot == Xapian::BAD_VALUENO)
        return bad("value slot 0xffffffff is reserved");
    return guard([&]() -> int {
        doc->doc.add_value(slot, std::string(static_cast<const char *>(v), len));
        return XAP_OK;
    });
}

int xap_doc_set_value_double(xap_doc *doc, uint32_t slot, double x)
{
    if (!doc)
        return bad("NULL document");
    if (slot == Xapian::BAD_VALUENO)
        return bad("value slot 0xffffffff is reserved");
    return guard([&]() -> int {
        doc->doc.add_value(slot, Xapian::sortable_serialise(x));
        return XAP_OK;
    });
}

int xap_db_add_doc(xap_db *db, const xap_doc *doc, uint32_t *docid)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    if (!doc)
        return bad("NULL document");
    return guard([&]() -> int {
        Xapian::docid d = w->add_document(doc->doc);
        if (docid)
            *docid = d;
        return XAP_OK;
    });
}

int xap_db_replace_doc(xap_db *db, const char *idterm, size_t len, const xap_doc *doc,
                       uint32_t *docid)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    if (!doc || !idterm || !len)
        return bad("NULL document or empty id term");
    return guard([&]() -> int {
        Xapian::docid d = w->replace_document(std::string(idterm, len), doc->doc);
        if (docid)
            *docid = d;
        return XAP_OK;
    });
}

int xap_db_delete_term(xap_db *db, const char *term, size_t len, uint32_t *ndeleted)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    if (!term || !len)
        return bad("empty term");
    return guard([&]() -> int {
        std::string t(term, len);
        uint32_t n = w->get_termfreq(t);
        if (n)
            w->delete_document(t);
        if (ndeleted)
            *ndeleted = n;
        return XAP_OK;
    });
}

int xap_db_delete_doc(xap_db *db, uint32_t docid)
{
    Xapian::WritableDatabase *w = nullptr;
    int rc = writer_of(db, &w);
    if (rc)
        return rc;
    return guard([&]() -> int {
        w->delete_document(docid);
        return XAP_OK;
    });
}

void xap_sortable_serialise(double x, char *out, size_t *len)
{
    // Xapian's sortable_serialise(double, char *) never throws and writes
    // at most 18 bytes.
    size_t n = Xapian::sortable_serialise_(x, out);
    if (len)
        *len = n;
}

double xap_sortable_unserialise(const char *s, size_t len)
{
    try {
        return Xapian::sortable_unserialise(std::string(s ? s : "", s ? len : 0));
    } catch (...) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

/* --------------------------------------------------------------- queries */

namespace {

int make_query(xap_query **out, const Xapian::Query &q)
{
    *out = new xap_query{q};
    return XAP_OK;
}

bool op_of(xap_op op, Xapian::Query::op *x)
{
    switch (op) {
    case XAP_OP_AND: *x = Xapian::Query::OP_AND; return true;
    case XAP_OP_OR: *x = Xapian::Query::OP_OR; return true;
    case XAP_OP_AND_NOT: *x = Xapian::Query::OP_AND_NOT; return true;
    case XAP_OP_XOR: *x = Xapian::Query::OP_XOR; return true;
    case XAP_OP_AND_MAYBE: *x = Xapian::Query::OP_AND_MAYBE; return true;
    case XAP_OP_FILTER: *x = Xapian::Query::OP_FILTER; return true;
    case XAP_OP_SYNONYM: *x = Xapian::Query::OP_SYNONYM; return true;
    case XAP_OP_MAX: *x = Xapian::Query::OP_MAX; return true;
    case XAP_OP_PHRASE: *x = Xapian::Query::OP_PHRASE; return true;
    case XAP_OP_NEAR: *x = Xapian::Query::OP_NEAR; return true;
    case XAP_OP_ELITE_SET: *x = Xapian::Query::OP_ELITE_SET; return true;
    }
    return false;
}

}  // namespace

int xap_query_term(const char *term, size_t len, uint32_t wqf, uint32_t pos, xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!term || !len)
        return bad("empty term");
    return guard([&]() -> int {
        return make_query(out, Xapian::Query(std::string(term, len), wqf ? wqf : 1, pos));
    });
}

int xap_query_combine(xap_op op, xap_query *const *subs, size_t n, uint32_t window,
                      xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    Xapian::Query::op xop;
    if (!op_of(op, &xop))
        return bad("unknown query operator");
    if (!subs || n == 0)
        return bad("a combination needs at least one subquery");
    for (size_t i = 0; i < n; i++)
        if (!subs[i])
            return bad("NULL subquery");
    return guard([&]() -> int {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            v.push_back(subs[i]->q);
        return make_query(out, Xapian::Query(xop, v.begin(), v.end(), window));
    });
}

int xap_query_value_range(uint32_t slot, const char *lo, size_t lolen, const char *hi,
                          size_t hilen, xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    return guard([&]() -> int {
        // A document without a value in slot has the empty string there,
        // which Xapian's VALUE_LE (and VALUE_GE "") would match: start
        // ranges at "\0", the least non-empty string, instead.
        std::string l = lo ? std::string(lo, lolen) : std::string(1, '\0');
        if (l.empty())
            l.assign(1, '\0');
        if (hi)
            return make_query(out, Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, l,
                                                 std::string(hi, hilen)));
        return make_query(out, Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, l));
    });
}

int xap_query_value_range_double(uint32_t slot, double lo, double hi, xap_query **out)
{
    std::string l, h;
    if (!std::isnan(lo))
        l = Xapian::sortable_serialise(lo);
    if (!std::isnan(hi))
        h = Xapian::sortable_serialise(hi);
    return xap_query_value_range(slot, std::isnan(lo) ? nullptr : l.data(), l.size(),
                                 std::isnan(hi) ? nullptr : h.data(), h.size(), out);
}

int xap_query_scale(const xap_query *q, double factor, xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!q)
        return bad("NULL query");
    if (!(factor >= 0) || std::isinf(factor))
        return bad("scale factor must be finite and >= 0");
    return guard([&]() -> int {
        return make_query(out, Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
    });
}

int xap_query_match_all(xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    return guard([&]() -> int { return make_query(out, Xapian::Query::MatchAll); });
}

int xap_query_match_nothing(xap_query **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    return guard([&]() -> int { return make_query(out, Xapian::Query::MatchNothing); });
}

int xap_query_describe(const xap_query *q, char **out)
{
    if (!q || !out)
        return bad("NULL argument");
    *out = nullptr;
    return guard([&]() -> int {
        std::string d = q->q.get_description();
        char *p = static_cast<char *>(std::malloc(d.size() + 1));
        if (!p)
            throw std::bad_alloc();
        std::memcpy(p, d.c_str(), d.size() + 1);
        *out = p;
        return XAP_OK;
    });
}

void xap_query_free(xap_query *q) { delete q; }

/* --------------------------------------------------------------- enquire */

int xap_enquire_new(xap_db *db, xap_enquire **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!db)
        return bad("NULL database");
    return guard([&]() -> int {
        *out = new xap_enquire(db);
        return XAP_OK;
    });
}

void xap_enquire_free(xap_enquire *e)
{
    delete e;
}

int xap_enquire_set_query(xap_enquire *e, const xap_query *q)
{
    if (!e || !q)
        return bad("NULL argument");
    return guard([&]() -> int {
        e->enq.set_query(q->q);
        e->q = q->q;
        return XAP_OK;
    });
}

int xap_enquire_set_bm25(xap_enquire *e, double k1, double k2, double k3, double b,
                         double min_normlen)
{
    if (!e)
        return bad("NULL enquire");
    // Xapian silently clamps out-of-range parameters; a caller asking for
    // k1 = -1 has a bug, so say so instead.
    if (!(k1 >= 0 && k2 >= 0 && k3 >= 0 && b >= 0 && b <= 1 && min_normlen >= 0) ||
        std::isinf(k1) || std::isinf(k2) || std::isinf(k3) || std::isinf(min_normlen))
        return bad("BM25 needs finite k1, k2, k3, min_normlen >= 0 and 0 <= b <= 1");
    return guard([&]() -> int {
        e->enq.set_weighting_scheme(Xapian::BM25Weight(k1, k2, k3, b, min_normlen));
        return XAP_OK;
    });
}

int xap_enquire_set_boolweight(xap_enquire *e)
{
    if (!e)
        return bad("NULL enquire");
    return guard([&]() -> int {
        e->enq.set_weighting_scheme(Xapian::BoolWeight());
        return XAP_OK;
    });
}

int xap_enquire_set_sort_by_value(xap_enquire *e, int slot, int reverse)
{
    if (!e)
        return bad("NULL enquire");
    return guard([&]() -> int {
        if (slot < 0)
            e->enq.set_sort_by_relevance();
        else
            e->enq.set_sort_by_value_then_relevance((Xapian::valueno)slot, reverse != 0);
        return XAP_OK;
    });
}

int xap_enquire_set_docid_order(xap_enquire *e, int descending)
{
    if (!e)
        return bad("NULL enquire");
    return guard([&]() -> int {
        e->enq.set_docid_order(descending ? Xapian::Enquire::DESCENDING
                                          : Xapian::Enquire::ASCENDING);
        return XAP_OK;
    });
}

int xap_enquire_mset(xap_enquire *e, uint32_t first, uint32_t maxitems, uint32_t check_at_least,
                     xap_mset **out)
{
    if (!out)
        return bad("NULL out");
    *out = nullptr;
    if (!e)
        return bad("NULL enquire");
    return guard([&]() -> int {
        xap_mset *m = new xap_mset();
        try {
            m->db = *e->db->db;
            m->mset = e->enq.get_mset(first, maxitems, check_at_least);
            m->q = e->q;
            m->have_qterms = false;
            m->data.resize(m->mset.size());
            m->have_data.assign(m->mset.size(), false);
        } catch (...) {
            delete m;
            throw;
        }
        *out = m;
        return XAP_OK;
    });
}

void xap_mset_free(xap_mset *m) { delete m; }

size_t xap_mset_size(const xap_mset *m) { return m ? m->mset.size() : 0; }

uint32_t xap_mset_estimated(const xap_mset *m) { return m ? m->mset.get_matches_estimated() : 0; }
uint32_t xap_mset_lower(const xap_mset *m) { return m ? m->mset.get_matches_lower_bound() : 0; }
uint32_t xap_mset_upper(const xap_mset *m) { return m ? m->mset.get_matches_upper_bound() : 0; }

uint32_t xap_mset_docid(const xap_mset *m, size_t i)
{
    if (!m || i >= m->mset.size())
        return 0;
    return *(m->mset[(Xapian::doccount)i]);
}

uint32_t xap_mset_rank(const xap_mset *m, size_t i)
{
    if (!m || i >= m->mset.size())
        return 0;
    return m->mset[(Xapian::doccount)i].get_rank();
}

double xap_mset_weight(const xap_mset *m, size_t i)
{
    if (!m || i >= m->mset.size())
        return 0;
    return m->mset[(Xapian::doccount)i].get_weight();
}

int xap_mset_percent(const xap_mset *m, size_t i)
{
    if (!m || i >= m->mset.size())
        return 0;
    return m->mset[(Xapian::doccount)i].get_percent();
}

int xap_mset_data(xap_mset *m, size_t i, const char **data, size_t *len)
{
    if (!m || !data || !len)
        return bad("NULL argument");
    if (i >= m->mset.size())
        return bad("mset item out of range");
    return guard([&]() -> int {
        if (!m->have_data[i]) {
            m->data[i] = m->mset[(Xapian::doccount)i].get_document().get_data();
            m->have_data[i] = true;
        }
        *data = m->data[i].c_str();
        *len = m->data[i].size();
        return XAP_OK;
    });
}

int xap_mset_value(xap_mset *m, size_t i, uint32_t slot, const char **v, size_t *len)
{
    if (!m || !v || !len)
        return bad("NULL argument");
    if (i >= m->mset.size())
        return bad("mset item out of range");
    return guard([&]() -> int {
        m->value = m->mset[(Xapian::doccount)i].get_document().get_value(slot);
        *v = m->value.c_str();
        *len = m->value.size();
        return XAP_OK;
    });
}

int xap_mset_matching_terms(xap_mset *m, size_t i, uint32_t *count)
{
    if (!m || !count)
        return bad("NULL argument");
    if (i >= m->mset.size())
        return bad("mset item out of range");
    return guard([&]() -> int {
        if (!m->have_qterms) {
            m->qterms.assign(m->q.get_unique_terms_begin(), m->q.get_unique_terms_end());
            m->have_qterms = true;
        }
        Xapian::Document d = m->mset[(Xapian::doccount)i].get_document();
        Xapian::TermIterator it = d.termlist_begin(), end = d.termlist_end();
        uint32_t c = 0;
        for (const std::string &t : m->qterms) {  // both sorted: one merge pass
            it.skip_to(t);
            if (it == end)
                break;
            if (*it == t)
                c++;
        }
        *count = c;
        return XAP_OK;
    });
}

}  // extern "C"

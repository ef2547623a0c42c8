/* index_api.c — the mg_index_* half of the public API: a thin layer over
 * the index writer and reader that keeps the last error in the handle. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"

struct mg_index {
    char dir[4096];
    int flags;
    ix_writer *w;             /* writable handles */
    ix_reader *r;             /* read-only handles: the current snapshot */
    errbuf err;
};

const char *mgi_index_dir(const mg_index *ix) { return ix ? ix->dir : ""; }

void mg_open_options_init(mg_open_options *opt)
{
    if (opt)
        memset(opt, 0, sizeof *opt);
}

int mg_index_open(const char *path, int flags, const mg_open_options *opt, mg_index **out)
{
    if (!out)
        return MG_EINVAL;
    mg_index *ix = calloc(1, sizeof *ix);
    *out = ix;
    if (!ix)
        return MG_ENOMEM;
    ix->flags = flags;
    if (!path || !*path)
        return err_set(&ix->err, MG_EINVAL, "no index path given");
    snprintf(ix->dir, sizeof ix->dir, "%s", path);
    if (flags & ~(MG_WRITE | MG_CREATE))
        return err_set(&ix->err, MG_EINVAL, "unknown flags 0x%x", (unsigned)flags);
    if (flags & MG_WRITE) {
        ix_writer_options o = { 0 };
        if (opt) {
            o.language = opt->language;
            o.ram_budget = opt->ram_budget;
            o.no_merge = opt->no_merge;
            o.threads = opt->threads;
            if (o.threads < 0 || o.threads > 2)
                return err_set(&ix->err, MG_EINVAL, "threads must be 1 or 2 (0 for the default), not %d",
                               o.threads);
        }
        o.create = (flags & MG_CREATE) != 0;
        return ix_writer_open(path, &o, &ix->w, &ix->err);
    }
    if (flags & MG_CREATE)
        return err_set(&ix->err, MG_EINVAL, "MG_CREATE needs MG_WRITE");
    return ix_reader_open(path, &ix->r, &ix->err);
}

int mg_index_close(mg_index *ix)
{
    if (!ix)
        return MG_OK;
    ix_writer_close(ix->w);
    if (ix->r)
        ix_reader_unref(ix->r);
    free(ix);
    return MG_OK;
}

const char *mg_errmsg(const mg_index *ix)
{
    if (!ix)
        return "no index handle (out of memory?)";
    return ix->err.msg;
}

/* Clears the handle's error and checks it can write. */
static int api_writable(mg_index *ix)
{
    if (!ix)
        return MG_EINVAL;
    err_clear(&ix->err);
    if (!ix->w && !ix->r)
        return err_set(&ix->err, MG_EINVAL, "the index failed to open: %s", ix->dir);
    if (!ix->w)
        return err_set(&ix->err, MG_EREADONLY, "%s is open read-only", ix->dir);
    return MG_OK;
}

/* A reference to a snapshot of the last commit. */
static int api_reader(mg_index *ix, ix_reader **r)
{
    *r = NULL;
    err_clear(&ix->err);
    if (ix->w)
        return ix_writer_reader(ix->w, r, &ix->err);
    if (!ix->r)
        return err_set(&ix->err, MG_EINVAL, "the index failed to open: %s", ix->dir);
    if (ix_reader_stale(ix->r)) {
        ix_reader *n;
        if (ix_reader_open(ix->dir, &n, &ix->err) == MG_OK) {
            ix_reader_unref(ix->r);
            ix->r = n;
        }
        err_clear(&ix->err);
    }
    ix_reader_ref(ix->r);
    *r = ix->r;
    return MG_OK;
}

int mg_index_add(mg_index *ix, const mg_article *a)
{
    int rc = api_writable(ix);
    return rc ? rc : ix_writer_add(ix->w, a, &ix->err);
}

int mg_index_delete(mg_index *ix, const char *id)
{
    int rc = api_writable(ix);
    return rc ? rc : ix_writer_delete(ix->w, id, &ix->err);
}

int mg_index_commit(mg_index *ix)
{
    int rc = api_writable(ix);
    return rc ? rc : ix_writer_commit(ix->w, &ix->err);
}

int mg_index_rollback(mg_index *ix)
{
    int rc = api_writable(ix);
    return rc ? rc : ix_writer_rollback(ix->w, &ix->err);
}

int mg_index_optimize(mg_index *ix)
{
    int rc = api_writable(ix);
    return rc ? rc : ix_writer_optimize(ix->w, &ix->err);
}

void mg_index_interrupt(mg_index *ix)
{
    if (ix && ix->w)
        ix_writer_interrupt(ix->w);
}

int mg_index_get(mg_index *ix, const char *id, mg_doc **out)
{
    if (out)
        *out = NULL;
    if (!ix || !out)
        return MG_EINVAL;
    if (!id)
        return err_set(&ix->err, MG_EINVAL, "no id given");
    ix_reader *r;
    int rc = api_reader(ix, &r);
    if (rc != MG_OK)
        return rc;
    uint32_t seg, doc;
    if (!ix_reader_find_id(r, id, &seg, &doc))
        rc = err_set(&ix->err, MG_ENOTFOUND, "no article with id %s", id);
    else
        rc = ix_seg_doc(ix_reader_segment(r, seg), doc, out, &ix->err);
    ix_reader_unref(r);
    return rc;
}

int mg_index_stats(mg_index *ix, mg_stats *out)
{
    if (!ix || !out)
        return MG_EINVAL;
    ix_reader *r;
    int rc = api_reader(ix, &r);
    if (rc != MG_OK)
        return rc;
    ix_reader_stats(r, out);
    if (ix->w)
        out->bad_utf8 = ix_writer_bad_utf8(ix->w);
    ix_reader_unref(r);
    return MG_OK;
}

int mg_index_check(mg_index *ix)
{
    if (!ix)
        return MG_EINVAL;
    ix_reader *r;
    int rc = api_reader(ix, &r);
    if (rc != MG_OK)
        return rc;
    rc = ix_reader_check(r, &ix->err);
    ix_reader_unref(r);
    return rc;
}

void mg_doc_free(mg_doc *doc) { free(doc); }

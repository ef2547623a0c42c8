/* articles_json.c — index statistics to JSON, and the JSON Lines body of
 * POST /articles into the index through the ingest module. */
#include "serve/articles_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/ingest.h"

#include "cli/results_json.h"

json_t *aj_stats(const mg_stats *st)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:s}",
                     "docs", (json_int_t)st->docs, "deleted", (json_int_t)st->deleted,
                     "terms", (json_int_t)st->terms, "postings", (json_int_t)st->postings,
                     "tokens", (json_int_t)st->tokens, "segments", (json_int_t)st->segments,
                     "generation", (json_int_t)st->generation,
                     "bytes_total", (json_int_t)st->bytes_total,
                     "bytes_postings", (json_int_t)st->bytes_postings,
                     "bytes_stored", (json_int_t)st->bytes_stored,
                     "date_min", rj_date(st->date_min), "date_max", rj_date(st->date_max),
                     "bad_utf8", (json_int_t)st->bad_utf8, "language", st->language);
}

/* --------------------------------------------------------- JSON Lines in */

/* The stream name given to ingest: not a file, so an article without an id
 * gets the id "(request):LINE" (or "(request)#N"), which we refuse. */
#define AJ_NAME "(request)"

typedef struct adder {
    mg_index *ix;
    size_t added;
    int rc;              /* first failure */
    char *err;
    size_t errlen;
} adder;

static int generated_id(const char *id)
{
    size_t n = strlen(AJ_NAME);
    if (strncmp(id, AJ_NAME, n) != 0 || (id[n] != ':' && id[n] != '#') || !id[n + 1])
        return 0;
    return strspn(id + n + 1, "0123456789") == strlen(id + n + 1);
}

static int add_article(void *ctx, const ingest_item *it)
{
    adder *ad = ctx;
    if (ad->rc)
        return ad->rc;
    if (generated_id(it->art.id)) {
        snprintf(ad->err, ad->errlen, "line %llu: missing id", (unsigned long long)it->line);
        return ad->rc = MG_EINVAL;
    }
    int rc = mg_index_add(ad->ix, &it->art);
    if (rc != MG_OK) {
        snprintf(ad->err, ad->errlen, "line %llu: %s", (unsigned long long)it->line,
                 mg_errmsg(ad->ix));
        return ad->rc = rc;
    }
    ad->added++;
    return 0;
}

static void on_problem(void *ctx, const char *file, uint64_t line, int kind, const char *msg)
{
    adder *ad = ctx;
    (void)file, (void)kind; /* warnings too: a request is taken whole or not at all */
    if (ad->rc)
        return;
    snprintf(ad->err, ad->errlen, "line %llu: %s", (unsigned long long)line, msg);
    ad->rc = MG_EINVAL;
}

int aj_add_lines(mg_index *ix, const char *body, size_t len, size_t *added, char *err,
                 size_t errlen)
{
    adder ad = { ix, 0, MG_OK, err, errlen };
    *added = 0;
    int fd = memfd_create("morgue-post", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot buffer the request: %s", strerror(errno));
        return MG_EIO;
    }
    for (size_t off = 0; off < len;) {
        ssize_t k = write(fd, body + off, len - off);
        if (k <= 0) {
            snprintf(err, errlen, "cannot buffer the request: %s", strerror(errno));
            close(fd);
            return MG_EIO;
        }
        off += (size_t)k;
    }
    lseek(fd, 0, SEEK_SET);
    ingest_callbacks cb = { .article = add_article, .problem = on_problem, .ctx = &ad };
    ingest *g = ingest_new(&cb);
    if (!g) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return MG_ENOMEM;
    }
    int rc = ingest_fd_jsonl(g, fd, AJ_NAME); /* closes fd */
    ingest_free(g);
    if (ad.rc)
        return ad.rc;
    if (rc) {
        snprintf(err, errlen, "%s", mg_strerror(rc));
        return rc;
    }
    *added = ad.added;
    return MG_OK;
}

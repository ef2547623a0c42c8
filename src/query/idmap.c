/* idmap.c — docid -> external id, from the Q terms (see idmap.h). */
#include "query/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

struct idmap {
    uint32_t nseg;
    uint32_t *ndocs;    /* per segment */
    uint32_t **off;     /* per segment and doc: offset in ids, or UINT32_MAX */
    buf ids;            /* NUL-terminated ids back to back */
};

typedef struct build {
    const ix_reader *r;
    idmap *m;
    int oom;
} build;

static int on_q_term(void *ctx, const char *term, size_t len, uint64_t df)
{
    (void)df;
    build *b = ctx;
    idmap *m = b->m;
    uint32_t at = (uint32_t)m->ids.len;
    int used = 0;
    for (uint32_t s = 0; s < m->nseg; s++) {
        ix_post c;
        if (!ix_post_open(&c, ix_reader_segment(b->r, s), term, len))
            continue;
        for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c))
            if (d < m->ndocs[s]) {
                m->off[s][d] = at;
                used = 1;
            }
    }
    if (used) {
        buf_put(&m->ids, term + 1, len - 1);
        buf_put_u8(&m->ids, 0);
    }
    if (m->ids.oom || m->ids.len >= UINT32_MAX - IX_TERM_MAX) {
        b->oom = 1;
        return 1;
    }
    return 0;
}

int idmap_build(const ix_reader *r, idmap **out)
{
    *out = NULL;
    idmap *m = calloc(1, sizeof *m);
    if (!m)
        return MG_ENOMEM;
    buf_init(&m->ids);
    m->nseg = ix_reader_nsegments(r);
    m->ndocs = calloc(m->nseg ? m->nseg : 1, sizeof *m->ndocs);
    m->off = calloc(m->nseg ? m->nseg : 1, sizeof *m->off);
    build b = { r, m, !m->ndocs || !m->off };
    for (uint32_t s = 0; s < m->nseg && !b.oom; s++) {
        m->ndocs[s] = ix_seg_ndocs(ix_reader_segment(r, s));
        m->off[s] = malloc((m->ndocs[s] ? m->ndocs[s] : 1) * sizeof **m->off);
        if (!m->off[s])
            b.oom = 1;
        else
            memset(m->off[s], 0xff, (m->ndocs[s] ? m->ndocs[s] : 1) * sizeof **m->off);
    }
    if (!b.oom)
        ix_reader_prefix(r, "Q", 1, SIZE_MAX, on_q_term, &b);
    if (b.oom) {
        idmap_free(m);
        return MG_ENOMEM;
    }
    *out = m;
    return MG_OK;
}

void idmap_free(idmap *m)
{
    if (!m)
        return;
    for (uint32_t s = 0; m->off && s < m->nseg; s++)
        free(m->off[s]);
    free(m->off);
    free(m->ndocs);
    buf_free(&m->ids);
    free(m);
}

const char *idmap_get(const idmap *m, uint32_t seg, uint32_t doc)
{
    if (!m || seg >= m->nseg || doc >= m->ndocs[seg] || m->off[seg][doc] == UINT32_MAX)
        return NULL;
    return (const char *)m->ids.p + m->off[seg][doc];
}

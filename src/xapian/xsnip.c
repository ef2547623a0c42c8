/* xsnip.c — snippet units of a Xapian-backend query (see xsnip.h). */
#include "xapian/xsnip.h"

#include <string.h>

void xsnip_add(xsnip *s, const token *t, size_t n, int exact, int prefix, double w)
{
    if (s->oom || s->neg > 0 || n == 0)
        return;
    if (s->q.nu == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        snip_unit *u = qa_alloc(&s->a, cap * sizeof *u);
        if (!u) {
            s->oom = 1;
            return;
        }
        if (s->q.nu)
            memcpy(u, s->u, s->q.nu * sizeof *u);
        s->u = u;
        s->cap = cap;
    }
    snip_word *sw = qa_zalloc(&s->a, n * sizeof *sw);
    if (!sw) {
        s->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sw[i].kind = prefix && i + 1 == n ? SNIP_PREFIX : exact ? SNIP_RAW : SNIP_STEM;
        int raw = sw[i].kind != SNIP_STEM;
        sw[i].len = raw ? t[i].raw_len : t[i].term_len;
        sw[i].s = raw ? t[i].raw : t[i].term;
        sw[i].off = t[i].pos - t[0].pos;
    }
    snip_unit *u = &s->u[s->q.nu++];
    u->w = sw;
    u->nw = n;
    u->weight = w;
    u->near = s->near_id;
    u->op = s->near_op;
    u->dist = s->near_dist;
    s->q.u = s->u;
}

const snip_query *xsnip_query(const xsnip *s)
{
    return s->q.nu ? &s->q : NULL;
}

void xsnip_free(xsnip *s)
{
    qa_free(&s->a);
    memset(s, 0, sizeof *s);
}

/* iter.c — leaf iterators: terms, phrases, NEAR, date ranges, nothing.
 * Boolean iterators are in iter_bool.c.  (See iter.h.) */
#include "query/iter.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "query/arena.h"
#include "query/iter_int.h"

/* --------------------------------------------------------------- spans */

int spans_push(qspans *sp, uint32_t start, uint32_t end, uint8_t title)
{
    if (sp->n == sp->cap) {
        uint32_t cap = sp->cap ? sp->cap * 2 : 32;
        qspan *s = realloc(sp->s, cap * sizeof *s);
        if (!s)
            return -1;
        sp->s = s;
        sp->cap = cap;
    }
    sp->s[sp->n].start = start;
    sp->s[sp->n].end = end;
    sp->s[sp->n].title = title;
    sp->n++;
    return 0;
}

/* ---------------------------------------------------------------- empty */

static uint32_t empty_next(qit *it) { (void)it; return IX_END; }
static uint32_t empty_adv(qit *it, uint32_t t) { (void)it; (void)t; return IX_END; }
static double empty_score(qit *it) { (void)it; return 0.0; }
static void plain_destroy(qit *it) { free(it); }

double flat_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    (void)d;
    *upto = IX_END - 1;
    return it->ub;
}

static const qit_vt empty_vt = { empty_next, empty_adv, empty_score, plain_destroy, NULL,
                                 flat_bound_at, NULL, NULL };

qit *empty_new(void)
{
    qit *it = calloc(1, sizeof *it);
    if (it) {
        it->vt = &empty_vt;
        it->doc = IX_END;
    }
    return it;
}

/* ----------------------------------------------------------------- term */

typedef struct term_it {
    qit b;
    const qctx *cx;
    ix_post pc;
    int fmask, exact;
    double idf, boost;
    uint32_t tft, tfb;     /* counted frequencies at the current document */
    uint32_t *pos;
    uint8_t *ex;
    uint32_t cap;
    uint32_t blk_last;     /* bound_at cache: last doc of the block ... */
    double blk_ub;         /* ... and its bound (valid when blk_ok) */
    int blk_ok;
    uint32_t rb_last;      /* term_block cache: last doc of the block ... */
    ix_bound rb;           /* ... its bound ... */
    int rb_ok, rb_none;    /* ... (valid when rb_ok; none: past the list) */
    int in_arena;          /* in cx->mem with pos and ex, not freed alone */
} term_it;

/* Decodes the current document's positions; returns their count or -1. */
static int64_t term_positions(term_it *t)
{
    uint32_t tt, tb;
    ix_post_tfs_fast(&t->pc, &tt, &tb);
    uint32_t want = tt + tb;
    if (want > t->cap && t->in_arena) { /* nothing to keep: grow in the arena */
        uint32_t cap = want + 16 > 2 * t->cap ? want + 16 : 2 * t->cap;
        uint32_t *p = qa_alloc(t->cx->mem, (size_t)cap * sizeof *p);
        uint8_t *e = p ? qa_alloc(t->cx->mem, cap) : NULL;
        if (!e) {
            t->b.oom = 1;
            return -1;
        }
        t->pos = p;
        t->ex = e;
        t->cap = cap;
    } else if (want > t->cap) {
        uint32_t cap = want + 16;
        uint32_t *p = realloc(t->pos, cap * sizeof *p);
        if (p)
            t->pos = p;
        uint8_t *e = p ? realloc(t->ex, cap) : NULL;
        if (!e) {
            t->b.oom = 1;
            return -1;
        }
        t->ex = e;
        t->cap = cap;
    }
    uint32_t n = ix_post_positions(&t->pc, t->pos, t->exact ? t->ex : NULL, t->cap);
    return n < t->cap ? n : t->cap;
}

/* Whether the current posting counts; sets tft/tfb. */
static int term_counts(term_it *t)
{
    if (t->fmask == 3 && !t->exact)
        return 1; /* every posting holds the word; term_score reads its tfs */
    uint32_t tt, tb;
    ix_post_tfs(&t->pc, &tt, &tb);
    if (t->exact) {
        int64_t n = term_positions(t);
        uint32_t et = 0, eb = 0;
        for (int64_t i = 0; i < n; i++)
            if (t->ex[i])
                *((uint32_t)i < tt ? &et : &eb) += 1;
        tt = et;
        tb = eb;
    }
    t->tft = (t->fmask & 1) ? tt : 0;
    t->tfb = (t->fmask & 2) ? tb : 0;
    return t->tft + t->tfb > 0;
}

static uint32_t term_settle(term_it *t)
{
    while (t->pc.doc != IX_END && !term_counts(t))
        ix_post_next(&t->pc);
    return t->b.doc = t->pc.doc;
}

static uint32_t term_next(qit *it)
{
    term_it *t = (term_it *)it;
    ix_post_next(&t->pc);
    return term_settle(t);
}

static uint32_t term_adv(qit *it, uint32_t target)
{
    term_it *t = (term_it *)it;
    ix_post_advance(&t->pc, target);
    return term_settle(t);
}

/* term_score with the current document's K (qit_doc_K) given. */
static inline double term_score_k(term_it *t, double K)
{
    const bm25 *m = t->cx->m;
    if (t->fmask == 3 && !t->exact) { /* left unread by term_counts */
        uint32_t tt, tb;
        ix_post_tfs_fast(&t->pc, &tt, &tb);
        return t->boost * bm25_tf(m, t->idf, m->wt * tt + tb, K);
    }
    return t->boost * bm25_tf(m, t->idf, m->wt * t->tft + t->tfb, K);
}

static double term_score(qit *it)
{
    /* postings hold docids < ndocs only */
    return term_score_k((term_it *)it, qit_doc_K(((term_it *)it)->cx, it->doc));
}

static int term_spans(qit *it, qspans *sp)
{
    term_it *t = (term_it *)it;
    uint32_t tt = ix_post_tf_title(&t->pc);
    int64_t n = term_positions(t);
    if (n < 0)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        uint8_t title = (uint32_t)i < tt;
        if ((t->exact && !t->ex[i]) || !(t->fmask & (title ? 1 : 2)))
            continue;
        if (spans_push(sp, t->pos[i], t->pos[i], title))
            return -1;
    }
    return 0;
}

static double term_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    term_it *t = (term_it *)it;
    if (t->blk_ok && d <= t->blk_last) {
        *upto = t->blk_last;
        return t->blk_ub;
    }
    ix_bound bd;
    if (!ix_post_block_bound(&t->pc, d, &t->blk_last, &bd)) {
        t->blk_ok = 1;
        *upto = t->blk_last = IX_END - 1;
        return t->blk_ub = 0.0;
    }
    *upto = t->blk_last;
    t->blk_ok = 1;
    t->blk_ub = t->boost * bm25_bound(t->cx->m, t->idf, bd.max_tf_title, bd.max_tf_body,
                                      bd.min_title_norm, bd.min_body_norm, t->fmask);
    return t->blk_ub;
}

/* The frequency and norm bound of the block of t's list holding the first
 * document >= d, and its last document; 0 when the list has none.  d must
 * not decrease between calls (one block is cached). */
static int term_block(term_it *t, uint32_t d, uint32_t *last, ix_bound *bd)
{
    if (!t->rb_ok || d > t->rb_last) {
        t->rb_ok = 1;
        t->rb_none = !ix_post_block_bound(&t->pc, d, &t->rb_last, &t->rb);
        if (t->rb_none)
            t->rb_last = IX_END - 1;
    }
    *last = t->rb_last;
    *bd = t->rb;
    return !t->rb_none;
}

static void term_destroy(qit *it)
{
    term_it *t = (term_it *)it;
    if (t->in_arena)
        return; /* with its positions, gone at the arena's reset */
    free(t->pos);
    free(t->ex);
    free(t);
}

static const qit_vt term_vt = { term_next, term_adv, term_score, term_destroy, term_spans,
                                 term_bound_at, NULL, NULL };

/* A term iterator; fmask/exact as in the plan. */
qit *term_new(const qctx *cx, const pword *w, int fmask, double boost)
{
    /* Everything but the (large) cursor is zeroed: the cursor is copied
     * or opened below. */
    term_it *t = cx->mem ? qa_alloc(cx->mem, sizeof *t) : malloc(sizeof *t);
    if (!t)
        return NULL;
    size_t pc_end = offsetof(term_it, pc) + sizeof t->pc;
    memset(t, 0, offsetof(term_it, pc));
    memset((char *)t + pc_end, 0, sizeof *t - pc_end);
    t->b.vt = &term_vt;
    t->cx = cx;
    t->in_arena = cx->mem != NULL;
    t->fmask = fmask;
    t->exact = w->exact;
    t->idf = w->idf;
    t->boost = boost;
    int found;
    if (w->cur) {
        memcpy(&t->pc, &w->cur[cx->segi], sizeof t->pc); /* opened by the plan */
        found = t->pc.doc != IX_END;
    } else {
        found = ix_post_open(&t->pc, cx->seg, w->term, w->len);
    }
    if (!found) {
        t->b.doc = IX_END;
        return &t->b;
    }
    ix_bound bd;
    ix_post_list_bound(&t->pc, &bd);
    t->b.ub = boost * bm25_bound(cx->m, w->idf, bd.max_tf_title, bd.max_tf_body, bd.min_title_norm,
                                 bd.min_body_norm, fmask);
    t->b.cost = t->pc.df;
    term_settle(t);
    if (fmask == 3 && !t->exact)
        t->b.plain = &t->pc; /* every posting counts: term_settle moves nothing */
    return &t->b;
}

ix_post *term_plain_cursor(qit *it, double *idf, double *boost)
{
    term_it *t = (term_it *)it;
    if (it->vt != &term_vt || t->fmask != 3 || t->exact)
        return NULL;
    *idf = t->idf;
    *boost = t->boost;
    return &t->pc;
}

/* The list bound of a term iterator (for phrase bounds). */
void term_list_bound(const qit *it, ix_bound *bd)
{
    const term_it *t = (const term_it *)it;
    if (t->b.doc == IX_END && t->b.cost == 0)
        memset(bd, 0, sizeof *bd);
    else
        ix_post_list_bound(&t->pc, bd);
}

/* --------------------------------------------------------------- phrase */

typedef struct phrase_it {
    qit b;
    const qctx *cx;
    qit **w;            /* one term iterator per word (no field mask) */
    uint32_t *off;
    size_t n;
    int fmask;
    double idf, boost;
    double a;           /* boost * idf * (k1 + 1) * BM25_BOUND_SLACK: a bound
                           is a * tf / (tf + K) (see phrase_bound_le) */
    uint32_t tft, tfb;
    int lazy;           /* positions checked only when scoring or confirming
                           (a lazy bonus, see plan.h, or two-phase) */
    int checked;        /* tft/tfb are known for the current document */
    size_t lead;        /* the word with the fewest documents */
    int shared;         /* w are another iterator's (not freed here) */
    int tight;          /* offsets grow by at most 1: an occurrence lies in
                           one field, so each word's title (body) frequency
                           bounds the phrase's (see phrase_tf_bound) */
    uint32_t pf_next;   /* the lead's documents below it have their norms
                           prefetched (phrase_prefetch) */
    uint32_t oth_t, oth_b; /* phrase_lead_le (tight): the other words' block
                              maxima's minima, valid up to oth_last */
    uint32_t oth_last;
    int oth_ok;
    uint32_t *np;       /* per word: its occurrences at the current document */
    uint32_t *cur;      /* per word: scan position in them */
    qspans hits;        /* phrase occurrences at the current document */
} phrase_it;

/* The current document's occurrences of a phrase word, ascending in t->pos
 * (only the exact ones for =word); *ntitle of them are the title's.
 * Their count, or -1 out of memory. */
static int64_t word_occ(term_it *t, uint32_t *ntitle)
{
    uint32_t tt, tb;
    ix_post_tfs_fast(&t->pc, &tt, &tb);
    int64_t n = term_positions(t);
    if (n < 0 || !t->exact) {
        *ntitle = n < 0 ? 0 : tt < n ? tt : (uint32_t)n;
        return n;
    }
    uint32_t k = 0, nt = 0;
    for (int64_t i = 0; i < n; i++)
        if (t->ex[i]) {
            t->pos[k++] = t->pos[i];
            nt += (uint64_t)i < tt;
        }
    *ntitle = nt;
    return k;
}

/* Counts the phrase occurrences at the current (aligned) document: word
 * 0's occurrences in the fields asked for, each kept when every other
 * word sits at its offset from it (one forward merge per word). */
static int phrase_match(phrase_it *ph)
{
    ph->hits.n = 0;
    ph->tft = ph->tfb = 0;
    uint32_t nt0, nt;
    for (size_t i = 0; i < ph->n; i++) {
        int64_t c = word_occ((term_it *)ph->w[i], i ? &nt : &nt0);
        if (c < 0) {
            ph->b.oom = 1;
            return 0;
        }
        if (c == 0)
            return 0;
        ph->np[i] = (uint32_t)c;
        ph->cur[i] = 0;
    }
    const uint32_t *p0 = ((term_it *)ph->w[0])->pos;
    uint32_t span = ph->off[ph->n - 1];
    for (uint32_t k = 0; k < ph->np[0]; k++) {
        uint8_t title = k < nt0;
        if (!(ph->fmask & (title ? 1 : 2)))
            continue;
        int ok = 1;
        for (size_t i = 1; i < ph->n && ok; i++) {
            const uint32_t *pi = ((term_it *)ph->w[i])->pos;
            uint64_t want = (uint64_t)p0[k] + ph->off[i];
            uint32_t c = ph->cur[i];
            while (c < ph->np[i] && pi[c] < want)
                c++;
            ph->cur[i] = c;
            ok = c < ph->np[i] && pi[c] == want;
        }
        if (!ok)
            continue;
        *(title ? &ph->tft : &ph->tfb) += 1;
        if (spans_push(&ph->hits, p0[k], p0[k] + span, title))
            ph->b.oom = 1;
    }
    return ph->tft + ph->tfb > 0;
}

static int phrase_lead_le(phrase_it *ph, uint32_t d, double theta);

/* Lead documents whose norms are prefetched ahead of the one examined,
 * in segments of at least PHRASE_PREFETCH_NDOCS documents (smaller ones'
 * norms, 2 bytes a document, stay in the caches). */
#define PHRASE_PREFETCH 8
#define PHRASE_PREFETCH_NDOCS 65536

/* Starts loading the norms of the lead's documents up to PHRASE_PREFETCH
 * ahead in its decoded block (each pruning test reads a document's two
 * norm bytes: on a large segment, two cache misses).  Hint only. */
static inline void phrase_prefetch(phrase_it *ph, const ix_post *c)
{
    uint32_t top = ph->pf_next;
    for (uint32_t k = PHRASE_PREFETCH; k >= 1; k--) {
        uint32_t a = ix_post_ahead(c, k);
        if (a == IX_END)
            continue;
        if (a < ph->pf_next)
            break; /* done on an earlier call */
        top = a + 1 > top ? a + 1 : top;
        qit_prefetch_norms(ph->cx, a);
    }
    ph->pf_next = top;
}

/* qit_advance for a phrase word (a term iterator): a plain word's cursor
 * is moved inline, without the iterator's indirect calls. */
static inline uint32_t word_advance(qit *w, uint32_t target)
{
    term_it *t = (term_it *)w;
    if (t->exact)
        return qit_advance(w, target);
    return w->doc = ix_post_advance_fast(&t->pc, target);
}

/* Leapfrogs the words from target to a document holding them all, led by
 * the rarest; when pruning, a document of the lead whose bound (its
 * frequencies, the others' block maxima) cannot beat theta is passed over
 * before the others move.  Unless lazy, checks the positions too. */
static uint32_t phrase_find(phrase_it *ph, uint32_t target)
{
    for (;;) {
        uint32_t d = word_advance(ph->w[ph->lead], target);
        if (d == IX_END)
            return ph->b.doc = IX_END;
        if (ph->b.prune) {
            if (ph->cx->ndocs >= PHRASE_PREFETCH_NDOCS)
                phrase_prefetch(ph, &((term_it *)ph->w[ph->lead])->pc);
            ph->b.lead_seen++;
            int le = phrase_lead_le(ph, d, ph->b.theta);
            if (le < 0)
                return ph->b.doc = IX_END; /* a word has no document from d on */
            if (le) {
                ph->b.lead_skip++;
                target = d + 1;
                continue;
            }
        }
        uint32_t x = d;
        for (size_t i = 0; i < ph->n && x == d; i++)
            if (i != ph->lead)
                x = word_advance(ph->w[i], d);
        if (x == IX_END)
            return ph->b.doc = IX_END;
        if (x != d) {
            target = x;
            continue;
        }
        ph->b.doc = d;
        ph->checked = 0;
        if (ph->lazy)
            return d;
        ph->checked = 1;
        if (phrase_match(ph) || ph->b.oom)
            return d;
        target = d + 1;
    }
}

static uint32_t phrase_next(qit *it) { return phrase_find((phrase_it *)it, it->doc + 1); }
static uint32_t phrase_adv(qit *it, uint32_t t) { return phrase_find((phrase_it *)it, t); }

static void phrase_check(phrase_it *ph)
{
    if (!ph->checked) {
        phrase_match(ph);
        ph->checked = 1;
    }
}

/* phrase_score with the current document's K given. */
static double phrase_score_k(phrase_it *ph, double K)
{
    const bm25 *m = ph->cx->m;
    phrase_check(ph);
    if (ph->tft + ph->tfb == 0)
        return 0.0;
    return ph->boost * bm25_tf(m, ph->idf, m->wt * ph->tft + ph->tfb, K);
}

static double phrase_score(qit *it)
{
    return phrase_score_k((phrase_it *)it, qit_doc_K(((phrase_it *)it)->cx, it->doc));
}

static int phrase_confirm(qit *it)
{
    phrase_it *ph = (phrase_it *)it;
    phrase_check(ph);
    return ph->tft + ph->tfb > 0;
}

/* Bounds of the phrase's title and body frequencies from its words' (in a
 * document, or maxima over a block): each occurrence starts at its own
 * occurrence of word 0, in word 0's field, and takes one occurrence of
 * every word; when tight, in that same field. */
static void phrase_tf_bound(const phrase_it *ph, size_t n, const uint32_t *tt, const uint32_t *tb,
                            uint32_t *nt, uint32_t *nb)
{
    if (ph->tight) { /* each min is below every word's total already */
        uint32_t t = tt[0], b = tb[0];
        for (size_t i = 1; i < n; i++) {
            t = tt[i] < t ? tt[i] : t;
            b = tb[i] < b ? tb[i] : b;
        }
        *nt = t;
        *nb = b;
        return;
    }
    uint64_t t = UINT32_MAX, b = UINT32_MAX, tot = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        if (i == 0) {
            t = tt[i] < t ? tt[i] : t;
            b = tb[i] < b ? tb[i] : b;
        }
        uint64_t s = (uint64_t)tt[i] + tb[i];
        tot = s < tot ? s : tot;
    }
    *nt = (uint32_t)(t < tot ? t : tot);
    *nb = (uint32_t)(b < tot ? b : tot);
}

/* A bound of the phrase's score at a document from its first n words'
 * frequency bounds tt/tb (phrase_tf_bound) and the document's K. */
static double phrase_bound_with_norms(const phrase_it *ph, size_t n, const uint32_t *tt,
                                      const uint32_t *tb, double K)
{
    uint32_t nt, nb;
    phrase_tf_bound(ph, n, tt, tb, &nt, &nb);
    const bm25 *m = ph->cx->m;
    double tf = ((ph->fmask & 1) ? m->wt * nt : 0) + ((ph->fmask & 2) ? (double)nb : 0);
    return ph->boost * bm25_tf(m, ph->idf, tf, K) * BM25_BOUND_SLACK;
}

/* Whether phrase_bound_with_norms(ph, n, tt, tb, d) <= theta (theta >= 0),
 * decided without its division: a * tf / (tf + K) <= theta where
 * a * tf <= theta * (tf + K).  The two sides round differently by a few
 * ulps at most, far inside the bound's slack (BM25_BOUND_SLACK), so a
 * document this passes over could not have scored above theta. */
static inline int phrase_tf_le(const phrase_it *ph, uint32_t nt, uint32_t nb, uint32_t d,
                               double theta)
{
    const bm25 *m = ph->cx->m;
    double tf = ((ph->fmask & 1) ? m->wt * nt : 0) + ((ph->fmask & 2) ? (double)nb : 0);
    if (tf <= 0)
        return 1; /* a bound of 0 */
    double K = bm25_norm(m, ph->cx->tnorm[d], ph->cx->bnorm[d]);
    return ph->a * tf <= theta * (tf + K);
}

static int phrase_bound_le(const phrase_it *ph, size_t n, const uint32_t *tt, const uint32_t *tb,
                           uint32_t d, double theta)
{
    uint32_t nt, nb;
    phrase_tf_bound(ph, n, tt, tb, &nt, &nb);
    return phrase_tf_le(ph, nt, nb, d, theta);
}

#define PHRASE_BOUND_WORDS 16 /* longer phrases bound on their first words */

/* phrase_doc_bound with the current document's K given. */
static double phrase_doc_bound_k(phrase_it *ph, double K)
{
    if (ph->checked)
        return phrase_score_k(ph, K);
    uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS];
    size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
    for (size_t i = 0; i < n; i++)
        ix_post_tfs_fast(&((term_it *)ph->w[i])->pc, &tt[i], &tb[i]);
    return phrase_bound_with_norms(ph, n, tt, tb, K);
}

static double phrase_doc_bound(qit *it)
{
    return phrase_doc_bound_k((phrase_it *)it, qit_doc_K(((phrase_it *)it)->cx, it->doc));
}

static const qit_vt phrase_vt, phrase_approx_vt;

int qit_doc_le(qit *it, double theta)
{
    phrase_it *ph = (phrase_it *)it;
    if ((it->vt != &phrase_vt && it->vt != &phrase_approx_vt) || ph->checked || theta < 0)
        return qit_doc_bound(it) <= theta;
    uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS];
    size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
    if (ph->tight && ph->n <= PHRASE_BOUND_WORDS) { /* phrase_tf_bound's minima, inline */
        uint32_t t = UINT32_MAX, b = UINT32_MAX, x, y;
        for (size_t i = 0; i < n; i++) {
            ix_post_tfs_fast(&((term_it *)ph->w[i])->pc, &x, &y);
            t = x < t ? x : t;
            b = y < b ? y : b;
        }
        return phrase_tf_le(ph, t, b, it->doc, theta);
    }
    for (size_t i = 0; i < n; i++)
        ix_post_tfs_fast(&((term_it *)ph->w[i])->pc, &tt[i], &tb[i]);
    return phrase_bound_le(ph, n, tt, tb, it->doc, theta);
}

/* Whether the phrase's score at d, where its lead word is, is bounded by
 * theta from the lead's frequencies, the other words' block maxima and
 * d's norms: 1 if so, 0 if not, -1 when a word has no document from d
 * on. */
static int phrase_lead_le(phrase_it *ph, uint32_t d, double theta)
{
    if (ph->tight && ph->n <= PHRASE_BOUND_WORDS) {
        /* the minima of the frequencies (phrase_tf_bound): the other
         * words' block maxima change only with their blocks */
        if (!ph->oth_ok || d > ph->oth_last) {
            uint32_t t = UINT32_MAX, b = UINT32_MAX, end = IX_END - 1, last;
            for (size_t i = 0; i < ph->n; i++) {
                ix_bound bd;
                if (i == ph->lead)
                    continue;
                if (!term_block((term_it *)ph->w[i], d, &last, &bd))
                    return -1;
                t = bd.max_tf_title < t ? bd.max_tf_title : t;
                b = bd.max_tf_body < b ? bd.max_tf_body : b;
                end = last < end ? last : end;
            }
            ph->oth_t = t;
            ph->oth_b = b;
            ph->oth_last = end;
            ph->oth_ok = 1;
        }
        uint32_t lt, lb;
        ix_post_tfs_all(&((term_it *)ph->w[ph->lead])->pc, &lt, &lb); /* every doc's, pruning */
        return phrase_tf_le(ph, lt < ph->oth_t ? lt : ph->oth_t, lb < ph->oth_b ? lb : ph->oth_b,
                            d, theta);
    }
    uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS];
    size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
    for (size_t i = 0; i < n; i++) {
        term_it *t = (term_it *)ph->w[i];
        if (i == ph->lead) {
            ix_post_tfs(&t->pc, &tt[i], &tb[i]);
            continue;
        }
        ix_bound bd;
        uint32_t last;
        if (!term_block(t, d, &last, &bd))
            return -1;
        tt[i] = bd.max_tf_title;
        tb[i] = bd.max_tf_body;
    }
    return phrase_bound_le(ph, n, tt, tb, d, theta);
}

static double phrase_bound_at(qit *it, uint32_t d, uint32_t *upto)
{
    phrase_it *ph = (phrase_it *)it;
    uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS], nt, nb, end = IX_END - 1;
    uint8_t tn = 0, bn = 0;
    size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
    for (size_t i = 0; i < n; i++) {
        term_it *t = (term_it *)ph->w[i];
        ix_bound bd;
        uint32_t last;
        if (!term_block(t, d, &last, &bd)) {
            *upto = IX_END - 1; /* a word has no document from d on */
            return 0.0;
        }
        end = last < end ? last : end;
        tt[i] = bd.max_tf_title;
        tb[i] = bd.max_tf_body;
        tn = bd.min_title_norm > tn ? bd.min_title_norm : tn;
        bn = bd.min_body_norm > bn ? bd.min_body_norm : bn;
    }
    phrase_tf_bound(ph, n, tt, tb, &nt, &nb);
    *upto = end;
    return ph->boost * bm25_bound(ph->cx->m, ph->idf, nt, nb, tn, bn, ph->fmask);
}

static const qit_vt term_vt;

double qit_score_k(qit *it, double K)
{
    if (it->vt == &term_vt)
        return term_score_k((term_it *)it, K);
    if (it->vt == &phrase_vt || it->vt == &phrase_approx_vt)
        return phrase_score_k((phrase_it *)it, K);
    return qit_score(it);
}

double qit_doc_bound_k(qit *it, double K)
{
    if (it->vt == &term_vt)
        return term_score_k((term_it *)it, K);
    if (it->vt == &phrase_vt || it->vt == &phrase_approx_vt)
        return phrase_doc_bound_k((phrase_it *)it, K);
    return qit_doc_bound(it);
}

/* A bound of it's score at document d (not yet reached), K = d's
 * qit_doc_K: for a term or a phrase, the block maxima of frequencies at d
 * with d's own norms (tighter than the blocks' smallest norms); for others
 * qit_bound_at.  d must not decrease between calls. */
double qit_bound_doc(qit *it, uint32_t d, double K)
{
    uint32_t last, tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS], nt, nb;
    ix_bound bd;
    if (it->vt == &term_vt) {
        term_it *t = (term_it *)it;
        if (t->b.doc == d)
            return term_score_k(t, K) * BM25_BOUND_SLACK;
        if (!term_block(t, d, &last, &bd))
            return 0.0;
        nt = (t->fmask & 1) ? bd.max_tf_title : 0;
        nb = (t->fmask & 2) ? bd.max_tf_body : 0;
        const bm25 *m = t->cx->m;
        return t->boost * bm25_tf(m, t->idf, m->wt * nt + nb, K) * BM25_BOUND_SLACK;
    }
    if (it->vt == &phrase_vt || it->vt == &phrase_approx_vt) {
        phrase_it *ph = (phrase_it *)it;
        size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
        for (size_t i = 0; i < n; i++) {
            if (!term_block((term_it *)ph->w[i], d, &last, &bd))
                return 0.0;
            tt[i] = bd.max_tf_title;
            tb[i] = bd.max_tf_body;
        }
        return phrase_bound_with_norms(ph, n, tt, tb, K);
    }
    return qit_bound_at(it, d, &last);
}

/* The bound of qit_bound_doc at any document in [d, *last] (d not yet
 * reached by it) as a * tf / (tf + K), K the document's: a term's or a
 * phrase's block maxima do not change over the range.  1 if so; 0 for
 * other iterators, or when it sits on d already (qit_bound_doc then uses
 * the document's own frequencies).  a includes BM25_BOUND_SLACK, far
 * larger than the few ulps by which the two forms may round apart. */
int qit_bound_parts(qit *it, uint32_t d, double *a, double *tf, uint32_t *last)
{
    ix_bound bd;
    if (it->doc == d)
        return 0;
    if (it->vt == &term_vt) {
        term_it *t = (term_it *)it;
        const bm25 *m = t->cx->m;
        *a = t->boost * t->idf * (m->k1 + 1.0) * BM25_BOUND_SLACK;
        if (!term_block(t, d, last, &bd)) {
            *tf = 0;
            return 1;
        }
        uint32_t nt = (t->fmask & 1) ? bd.max_tf_title : 0, nb = (t->fmask & 2) ? bd.max_tf_body : 0;
        *tf = m->wt * nt + nb;
        return 1;
    }
    if (it->vt == &phrase_vt || it->vt == &phrase_approx_vt) {
        phrase_it *ph = (phrase_it *)it;
        uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS], nt, nb, l;
        size_t n = ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS;
        const bm25 *m = ph->cx->m;
        *a = ph->a;
        *last = IX_END - 1;
        for (size_t i = 0; i < n; i++) {
            if (!term_block((term_it *)ph->w[i], d, &l, &bd)) {
                *tf = 0; /* a word has no document from d on */
                *last = IX_END - 1;
                return 1;
            }
            *last = l < *last ? l : *last;
            tt[i] = bd.max_tf_title;
            tb[i] = bd.max_tf_body;
        }
        phrase_tf_bound(ph, n, tt, tb, &nt, &nb);
        *tf = ((ph->fmask & 1) ? m->wt * nt : 0) + ((ph->fmask & 2) ? (double)nb : 0);
        return 1;
    }
    return 0;
}

static int phrase_spans(qit *it, qspans *sp)
{
    phrase_it *ph = (phrase_it *)it;
    phrase_check(ph);
    for (uint32_t i = 0; i < ph->hits.n; i++)
        if (spans_push(sp, ph->hits.s[i].start, ph->hits.s[i].end, ph->hits.s[i].title))
            return -1;
    return 0;
}

static void phrase_destroy(qit *it)
{
    phrase_it *ph = (phrase_it *)it;
    qarena *m = ph->cx->mem;
    if (ph->w && !ph->shared)
        qit_free_all(ph->w, ph->n);
    qa_drop(m, ph->w);
    qa_drop(m, ph->np);
    qa_drop(m, ph->off);
    qa_drop(m, ph->cur);
    free(ph->hits.s);
    qa_drop(m, ph);
}

static const qit_vt phrase_vt = { phrase_next, phrase_adv, phrase_score, phrase_destroy,
                                   phrase_spans, phrase_bound_at, phrase_doc_bound, NULL };
static const qit_vt phrase_approx_vt = { phrase_next, phrase_adv, phrase_score, phrase_destroy,
                                          phrase_spans, phrase_bound_at, phrase_doc_bound,
                                          phrase_confirm };

qit *phrase_new(const qctx *cx, const pnode *n, int approx, qit **shared)
{
    phrase_it *ph = qa_calloc(cx->mem, 1, sizeof *ph);
    if (!ph)
        return NULL;
    ph->b.vt = approx && !n->lazy ? &phrase_approx_vt : &phrase_vt;
    ph->cx = cx;
    ph->n = n->nw;
    ph->fmask = n->fmask;
    ph->idf = n->idf;
    ph->boost = n->boost;
    ph->a = n->boost * n->idf * (cx->m->k1 + 1.0) * BM25_BOUND_SLACK;
    ph->lazy = n->lazy || approx;
    ph->shared = shared != NULL;
    ph->tight = 1;
    for (size_t i = 1; i < n->nw; i++)
        if (n->w[i].off < n->w[i - 1].off || n->w[i].off - n->w[i - 1].off > 1)
            ph->tight = 0;
    ph->w = qa_calloc(cx->mem, n->nw, sizeof *ph->w);
    ph->np = qa_calloc(cx->mem, n->nw, sizeof *ph->np);
    ph->off = qa_calloc(cx->mem, n->nw, sizeof *ph->off);
    ph->cur = qa_calloc(cx->mem, n->nw, sizeof *ph->cur);
    if (!ph->w || !ph->np || !ph->off || !ph->cur) {
        phrase_destroy(&ph->b);
        return NULL;
    }
    uint32_t tt[PHRASE_BOUND_WORDS], tb[PHRASE_BOUND_WORDS], mt, mb;
    uint8_t tn = 0, bn = 0;
    ph->b.cost = UINT64_MAX;
    int missing = 0;
    for (size_t i = 0; i < n->nw; i++) {
        ph->off[i] = n->w[i].off;
        ph->w[i] = shared ? shared[i] : term_new(cx, &n->w[i], 3, 1.0);
        if (!ph->w[i]) {
            phrase_destroy(&ph->b);
            return NULL;
        }
        ix_bound bd;
        term_list_bound(ph->w[i], &bd);
        if (ph->w[i]->doc == IX_END)
            missing = 1;
        if (i < PHRASE_BOUND_WORDS) {
            tt[i] = bd.max_tf_title;
            tb[i] = bd.max_tf_body;
        }
        tn = bd.min_title_norm > tn ? bd.min_title_norm : tn;
        bn = bd.min_body_norm > bn ? bd.min_body_norm : bn;
        if (ph->w[i]->cost < ph->b.cost) {
            ph->b.cost = ph->w[i]->cost;
            ph->lead = i;
        }
    }
    if (missing) {
        ph->b.doc = IX_END;
        ph->b.cost = 0;
        return &ph->b;
    }
    phrase_tf_bound(ph, ph->n < PHRASE_BOUND_WORDS ? ph->n : PHRASE_BOUND_WORDS, tt, tb, &mt, &mb);
    ph->b.ub = n->boost * bm25_bound(cx->m, n->idf, mt, mb, tn, bn, n->fmask);
    phrase_find(ph, 0);
    return &ph->b;
}

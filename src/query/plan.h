/* plan.h — a parsed query turned into index terms: every word analyzed with
 * the index's analyzer, fields mapped to term prefixes and title/body masks,
 * prefixes expanded, idf computed over the whole snapshot.  A plan does not
 * depend on segments; iter.c builds per-segment iterators from it. */
#ifndef MG_QUERY_PLAN_H
#define MG_QUERY_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "analysis/analyzer.h"
#include "index/index.h"
#include "query/arena.h"
#include "query/parser.h"
#include "query/snippet.h"

#define PLAN_PREFIX_MAX 1024  /* terms a word* expands to, at most */
#define PLAN_CURSOR_SEGS 64   /* cursors are kept for indexes of at most this
                                 many segments (~1.7 KB each) */
/* Free-text queries of several plain words also score each adjacent pair
 * as a phrase, times this weight, so that phrase matches rank above
 * scattered matches of the same words.  Measured with bench/ (MAP / nDCG@10,
 * k1 1.2, b 0.75, title weight 2.5):
 *   weight     Cranfield        MED              NPL
 *   0          0.3088 / 0.3887  0.5215 / 0.6833  0.2812 / 0.4316
 *   0.1        0.3111 / 0.3927  0.5237 / 0.6861  0.2839 / 0.4378
 *   0.2        0.3109 / 0.3963  0.5225 / 0.6896  0.2744 / 0.4197
 *   0.5        0.3112 / 0.3967  0.5226 / 0.6939  0.2542 / 0.3988
 *   1          0.2940 / 0.3780  0.5088 / 0.6791  0.2259 / 0.3581
 * 0.1 is better than none on all three collections; more hurts NPL. */
#define PLAN_PHRASE_BONUS 0.1

typedef enum pkind { PN_TERM, PN_PHRASE, PN_NEAR, PN_BOOL, PN_DATE } pkind;

typedef struct pword {
    char term[IX_TERM_MAX + 1];  /* the index term (NUL-terminated) */
    uint32_t len;
    uint32_t off;                /* PHRASE: position offset from the first word */
    int exact;                   /* only occurrences flagged exact count */
    double idf;
    const ix_post *cur;          /* the term's cursor opened in each segment
                                    (doc IX_END where absent), copied by the
                                    iterators instead of a second lookup; or
                                    NULL (then they open it) */
} pword;

typedef struct pnode pnode;
struct pnode {
    pkind kind;
    qoccur occur;      /* in the parent BOOL */
    int fmask;         /* TERM/PHRASE: 1 title counts, 2 body counts */
    pword *w;          /* TERM: 1 word; PHRASE: nw words */
    size_t nw;
    double idf;        /* TERM: w[0].idf; PHRASE: sum of its words' idf */
    double boost;      /* score multiplier (1, or the phrase bonus) */
    int lazy;          /* PHRASE bonus: matches wherever its words co-occur
                          and scores 0 there unless the phrase occurs (its
                          words are clauses too, so matches are the same) */
    size_t pair[2];    /* lazy PHRASE: its words' indices among the root's kids */
    pnode **kids;      /* BOOL / NEAR */
    size_t nkids;
    int need_should;   /* BOOL: its only required clauses are date filters,
                          so one optional clause must match too */
    uint32_t dist;     /* NEAR */
    int64_t lo, hi;    /* DATE */
};

typedef struct plan plan;

#define PLAN_TOK_KEEP (64u << 10) /* bytes of token list kept across plans */

/* Memory a searcher reuses from plan to plan (plan_build_in): the arena
 * the plan lives in (the parse tree may share it) and the token list of
 * the analyzer's output.  All zero is empty. */
typedef struct plan_mem {
    qarena a;
    void *tok;
    size_t tokcap;  /* bytes */
} plan_mem;

/* Forgets the plans built in m (and anything else in m->a), keeping a
 * bounded amount of memory for the next. */
void plan_mem_reset(plan_mem *m);
void plan_mem_free(plan_mem *m);

/* Builds the plan of ast for reader r.  An empty plan (root NULL) matches
 * nothing.  matches: also collect the units of plan_snippet_query.
 * Returns MG_OK or MG_ENOMEM. */
int   plan_build(const qast *ast, analyzer *a, const ix_reader *r, int phrase_bonus,
                 int matches, plan **out, errbuf *e);
/* The same with the plan in m (plan_free then does nothing: the plan goes
 * with plan_mem_reset), or as plan_build when m is NULL. */
int   plan_build_in(const qast *ast, analyzer *a, const ix_reader *r, int phrase_bonus,
                    int matches, plan_mem *m, plan **out, errbuf *e);
void  plan_free(plan *p);
pnode *plan_root(const plan *p);
/* The query's units for snippets (valid while p lives; empty unless built
 * with matches): every title/body word, phrase and prefix not under a
 * MUSTNOT clause (title: ones excepted, snippets being of the body), NEAR
 * operands tagged with their NEAR and operand; free-text phrase bonuses are
 * not units. */
const snip_query *plan_snippet_query(const plan *p);
/* Appends a readable form of the plan (tests, debugging). */
void  plan_dump(const pnode *n, buf *out);

#endif

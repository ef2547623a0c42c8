/* parser.h — the query language (see parser.c and README.md) parsed into an
 * abstract syntax tree.  Parsing is purely syntactic: words are kept as the
 * user typed them (spans of the query string) and analyzed later by the
 * planner with the index's analyzer, exactly like indexed text. */
#ifndef MG_QUERY_PARSER_H
#define MG_QUERY_PARSER_H

#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "util/err.h"

#define QP_MAX_QUERY 65536   /* longest query accepted, in bytes */
#define QP_MAX_DEPTH 64      /* deepest nesting of parentheses / operators */
#define QP_NEAR_DEFAULT 10   /* n of a plain NEAR */

typedef enum qfield {
    QF_ANY = 0,   /* title and body */
    QF_TITLE,
    QF_BODY,
    QF_SOURCE,    /* S terms */
    QF_SECTION,   /* S terms too (the index shares them with source) */
    QF_AUTHOR     /* A terms */
} qfield;

typedef enum qkind {
    QN_WORD,      /* one word as typed (may analyze into several tokens) */
    QN_PHRASE,    /* "quoted words" */
    QN_PREFIX,    /* word* */
    QN_DATE,      /* date:lo..hi */
    QN_BOOL,      /* clauses with MUST / SHOULD / MUSTNOT occurrence */
    QN_NEAR       /* operands within dist words of each other */
} qkind;

typedef enum qoccur { QO_SHOULD = 0, QO_MUST, QO_MUSTNOT } qoccur;

typedef struct qnode qnode;
struct qnode {
    qkind kind;
    qoccur occur;       /* how the parent BOOL uses this node */
    qfield field;       /* leaves: field restriction */
    int exact;          /* WORD / PHRASE: =word, unstemmed form */
    int required;       /* written with a leading '+' */
    const char *text;   /* WORD / PHRASE / PREFIX: the span in the query */
    size_t len;
    size_t off;         /* byte offset in the query where the node starts */
    int64_t lo, hi;     /* DATE: inclusive bounds in seconds, MG_NO_DATE = open */
    uint32_t dist;      /* NEAR: at most dist other words between operands */
    qnode **kids;       /* BOOL / NEAR children */
    size_t nkids;
};

typedef struct qast qast;
typedef struct qarena qarena;

/* Parses q[0..len).  default_and: bare words are required (AND) instead of
 * optional (OR).  On success returns MG_OK and *out (free with qast_free).
 * On a syntax error returns MG_ESYNTAX, sets e's message and *col to the
 * 1-based column (in characters) of the problem, *out = NULL.  MG_ENOMEM
 * when memory runs out.  Never reads past len; q need not be NUL-terminated. */
int qparse(const char *q, size_t len, int default_and, qast **out, errbuf *e, size_t *col);
/* The same with the tree in mem (qast_free then does nothing: the tree
 * goes with mem's reset), or as qparse when mem is NULL. */
int qparse_in(const char *q, size_t len, int default_and, qarena *mem, qast **out, errbuf *e,
              size_t *col);
void qast_free(qast *a);
/* The root node, or NULL for an empty query (nothing to search for). */
qnode *qast_root(const qast *a);

/* Writes a canonical S-expression of the tree (for tests and debugging):
 * BOOL "(+must should -mustnot)", NEAR "(near/N a b)", WORD "title:=word",
 * PHRASE "\"a b\"", PREFIX "word*", DATE "date:2020-01-01T00:00:00..*". */
void qnode_dump(const qnode *n, buf *out);

/* 1-based character column of byte offset off in q. */
size_t qp_column(const char *q, size_t len, size_t off);

/* Days since 1970-01-01 of a proleptic Gregorian date (exposed for tests). */
int64_t qp_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif

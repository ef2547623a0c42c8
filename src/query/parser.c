/* parser.c — a recursive-descent parser for morgue's query language.
 *
 * Query language (also in README.md, "Query language")
 * ----------------------------------------------------
 *   word word          free text: either word may match (ranked, default OR);
 *                      mg_search_options.default_and makes bare words required
 *   "exact phrase"     the words in this order, adjacent; stopwords are kept
 *   a AND b, a OR b    boolean operators (uppercase only; lowercase "and" is
 *   a NOT b            a word).  Precedence, loosest first: juxtaposition,
 *                      OR, AND, NOT, NEAR; so `a b AND c` is a OR (b AND c)
 *   +word  -word       required / excluded (also +"phrase", -(group));
 *                      NOT x at the start of a clause is the same as -x
 *   ( ... )            grouping
 *   field:word         title, body, source, section, author (field names are
 *   field:"phrase"     case-insensitive); field:(a b) applies the field to
 *   field:(...)        every word of the group.  source: and section: search
 *                      the same terms (the index does not tell them apart)
 *   word*              prefix: every indexed word starting with `word`
 *                      (expanded to at most 1024 terms, see plan.c)
 *   a NEAR b           a and b with at most 10 words between them, any order
 *   a NEAR/n b         ... at most n words between them; a chain
 *                      a NEAR/n b NEAR/m c needs all of them within the
 *                      smallest n.  Operands are words or phrases
 *   date:2020-01-01..2020-06-30   inclusive range; YYYY, YYYY-MM or
 *   date:..1999  date:2021..      YYYY-MM-DD; an upper bound means the end
 *   date:2020-03                  of its period (..1999 = through 1999-12-31)
 *                      A date: clause is always a filter (required unless
 *                      written -date:...), never a scoring term; beside
 *                      optional words, one of the words must still match
 *   =word  ="phrase"   the exact, unstemmed form (=running does not match
 *                      "runs")
 * A word that the analyzer splits into several tokens ("e-mail", "U.S.")
 * is searched as a phrase of those tokens.
 *
 * Lenient readings (instead of errors):
 *   - a lone '"' at the very end of the query (after the last word) is
 *     ignored; '+', '-' or '=' followed by a space are ignored as noise;
 *   - "word:" followed by a space, "http://...", "10:30" are plain text;
 *   - a query with only excluded clauses ("-sport", "NOT a") matches every
 *     article except those; a query of only date: clauses matches every
 *     article in the range (both score 0, so sort by date to be useful).
 * Errors (MG_ESYNTAX, with a 1-based column counted in characters):
 *   unclosed quote, unclosed or unmatched parenthesis, empty parentheses,
 *   an operator missing an operand (dangling AND/OR/NOT/NEAR), NEAR/ with
 *   a bad number or operand, unknown field, field: with no value, a bad or
 *   reversed date, nesting deeper than 64, a query longer than 64 KiB.
 */
#include "query/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "morgue.h"
#include "query/arena.h"

/* ------------------------------------------------------------------ arena */

struct qast {
    qnode *root;
    qarena *mem;   /* &own, or the caller's arena (qparse_in) */
    qarena own;
};

static void *arena_alloc(qast *a, size_t n) { return qa_zalloc(a->mem, n); }

void qast_free(qast *a)
{
    if (!a || a->mem != &a->own)
        return; /* in the caller's arena: reset with it */
    qa_free(&a->own);
    free(a);
}

qnode *qast_root(const qast *a) { return a ? a->root : NULL; }

/* ------------------------------------------------------------------ lexer */

typedef enum tkind {
    TK_EOF, TK_LP, TK_RP, TK_WORD, TK_PHRASE, TK_FIELD, TK_PLUS, TK_MINUS, TK_EQ,
    TK_AND, TK_OR, TK_NOT, TK_NEAR
} tkind;

typedef struct tok {
    tkind kind;
    size_t off;        /* byte offset of the token */
    const char *text;  /* WORD / PHRASE content, FIELD name */
    size_t len;
    int prefix;        /* WORD ended with '*' */
    uint32_t num;      /* NEAR distance */
} tok;

typedef struct parser {
    const char *q;
    size_t len, i;
    tok t;
    int default_and;
    qast *ast;
    errbuf *e;
    size_t err_off;
    int failed;        /* MG_ESYNTAX or MG_ENOMEM once set */
} parser;

static int fail(parser *p, size_t off, const char *fmt, const char *arg)
{
    if (p->failed)
        return 0;
    p->failed = MG_ESYNTAX;
    p->err_off = off;
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    err_set(p->e, MG_ESYNTAX, "%s (column %zu)", msg, qp_column(p->q, p->len, off));
    return 0;
}

static void *palloc(parser *p, size_t n)
{
    void *r = arena_alloc(p->ast, n);
    if (!r && !p->failed) {
        p->failed = MG_ENOMEM;
        err_set(p->e, MG_ENOMEM, "out of memory parsing the query");
    }
    return r;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_delim(char c) { return is_space(c) || c == '(' || c == ')' || c == '"'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int word_is(const char *s, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(s, kw, n) == 0;
}

/* A quote; sets t to a PHRASE, or to EOF for a lone trailing quote. */
static void lex_phrase(parser *p, tok *t)
{
    const char *q = p->q;
    size_t start = p->i + 1, j = start;
    while (j < p->len && q[j] != '"')
        j++;
    if (j >= p->len) {
        size_t k = start;
        while (k < p->len && is_space(q[k]))
            k++;
        if (k >= p->len) { /* lone trailing quote: ignored */
            p->i = p->len;
            t->kind = TK_EOF;
            t->off = p->len;
            return;
        }
        fail(p, p->i, "unclosed quote: a phrase needs a closing '\"'%s", NULL);
        t->kind = TK_EOF;
        return;
    }
    t->kind = TK_PHRASE;
    t->text = q + start;
    t->len = j - start;
    p->i = j + 1;
}

/* NEAR or NEAR/n spelled s[0..n); returns 1 if it is one. */
static int lex_near(parser *p, tok *t, const char *s, size_t n)
{
    if (word_is(s, n, "NEAR")) {
        t->kind = TK_NEAR;
        t->num = QP_NEAR_DEFAULT;
        return 1;
    }
    if (n < 5 || memcmp(s, "NEAR/", 5) != 0)
        return 0;
    uint32_t v = 0;
    size_t k = 5;
    for (; k < n && is_digit(s[k]) && v <= 100000; k++)
        v = v * 10 + (uint32_t)(s[k] - '0');
    if (k == 5 || k < n || v > 100000) {
        fail(p, t->off, "NEAR/ must be followed by a number from 0 to 100000%s", NULL);
        t->kind = TK_EOF;
        return 1;
    }
    t->kind = TK_NEAR;
    t->num = v;
    return 1;
}

/* A run of non-delimiters: keyword, field name, or word. */
static void lex_word(parser *p, tok *t)
{
    const char *q = p->q;
    size_t s = p->i, j = s;
    while (j < p->len && is_alpha(q[j]))
        j++;
    if (j > s && j + 1 < p->len && q[j] == ':' && !is_space(q[j + 1]) && q[j + 1] != ')' &&
        q[j + 1] != '/') {
        t->kind = TK_FIELD;
        t->text = q + s;
        t->len = j - s;
        p->i = j + 1;
        return;
    }
    while (j < p->len && !is_delim(q[j]))
        j++;
    p->i = j;
    const char *w = q + s;
    size_t n = j - s;
    if (word_is(w, n, "AND")) { t->kind = TK_AND; return; }
    if (word_is(w, n, "OR"))  { t->kind = TK_OR;  return; }
    if (word_is(w, n, "NOT")) { t->kind = TK_NOT; return; }
    if (lex_near(p, t, w, n))
        return;
    t->kind = TK_WORD;
    while (n > 1 && w[n - 1] == '*') {
        n--;
        t->prefix = 1;
    }
    t->text = w;
    t->len = n;
}

static void lex(parser *p)
{
    tok *t = &p->t;
    memset(t, 0, sizeof *t);
    for (;;) {
        while (p->i < p->len && is_space(p->q[p->i]))
            p->i++;
        t->off = p->i;
        if (p->i >= p->len || p->failed) {
            t->kind = TK_EOF;
            return;
        }
        char c = p->q[p->i];
        if (c == '+' || c == '-' || c == '=') {
            char d = p->i + 1 < p->len ? p->q[p->i + 1] : ' ';
            p->i++;
            if (is_space(d) || d == ')')
                continue; /* noise */
            t->kind = c == '+' ? TK_PLUS : c == '-' ? TK_MINUS : TK_EQ;
            return;
        }
        if (c == '(') { p->i++; t->kind = TK_LP; return; }
        if (c == ')') { p->i++; t->kind = TK_RP; return; }
        if (c == '"') { lex_phrase(p, t); return; }
        lex_word(p, t);
        return;
    }
}

/* ------------------------------------------------------------------ nodes */

static qnode *mk(parser *p, qkind k, size_t off)
{
    qnode *n = palloc(p, sizeof *n);
    if (n) {
        n->kind = k;
        n->off = off;
        n->lo = n->hi = MG_NO_DATE;
    }
    return n;
}

static void add_kid(parser *p, qnode *parent, qnode *kid, qoccur occ)
{
    if (!parent || !kid)
        return;
    /* -x / NOT x used where a required clause goes: exclude x. */
    if (occ == QO_MUST && kid->kind == QN_BOOL && kid->nkids == 1 &&
        kid->kids[0]->occur == QO_MUSTNOT && !kid->required) {
        kid = kid->kids[0];
        occ = QO_MUSTNOT;
    }
    if ((parent->nkids & (parent->nkids - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        size_t cap = parent->nkids ? parent->nkids * 2 : 1;
        qnode **k = palloc(p, cap * sizeof *k);
        if (!k)
            return;
        if (parent->nkids)
            memcpy(k, parent->kids, parent->nkids * sizeof *k);
        parent->kids = k;
    }
    kid->occur = occ;
    parent->kids[parent->nkids++] = kid;
}

static qnode *wrap_not(parser *p, qnode *x, size_t off)
{
    qnode *n = mk(p, QN_BOOL, off);
    add_kid(p, n, x, QO_MUSTNOT);
    return n;
}

/* ----------------------------------------------------------------- grammar */

static qnode *parse_seq(parser *p, int depth, qfield f);
static qnode *parse_or(parser *p, int depth, qfield f);

static const char *tok_name(tkind k)
{
    switch (k) {
    case TK_AND: return "AND";
    case TK_OR: return "OR";
    case TK_NOT: return "NOT";
    case TK_NEAR: return "NEAR";
    default: return "operator";
    }
}

/* After an operator at off: fails unless an operand can follow. */
static int expect_operand(parser *p, const char *op, size_t off)
{
    tkind k = p->t.kind;
    if (k == TK_EOF || k == TK_RP || k == TK_AND || k == TK_OR || k == TK_NEAR)
        return fail(p, off, "'%s' needs a word after it", op);
    return 1;
}

static int field_of(const char *s, size_t n, qfield *f, int *is_date)
{
    static const struct { const char *name; qfield f; } map[] = {
        { "title", QF_TITLE }, { "body", QF_BODY }, { "source", QF_SOURCE },
        { "section", QF_SECTION }, { "author", QF_AUTHOR } };
    *is_date = n == 4 && strncasecmp(s, "date", 4) == 0;
    if (*is_date)
        return 1;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strlen(map[i].name) == n && strncasecmp(s, map[i].name, n) == 0) {
            *f = map[i].f;
            return 1;
        }
    return 0;
}

int64_t qp_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int read_num(const char *s, size_t n, size_t *i, size_t digits, unsigned *v)
{
    *v = 0;
    for (size_t k = 0; k < digits; k++, (*i)++) {
        if (*i >= n || !is_digit(s[*i]))
            return 0;
        *v = *v * 10 + (unsigned)(s[*i] - '0');
    }
    return 1;
}

/* One period YYYY[-MM[-DD]] in s[0..n) -> its first or last second. */
static int parse_period(const char *s, size_t n, int upper, int64_t *out)
{
    size_t i = 0;
    unsigned y, m = 1, d = 1;
    int has_m = 0, has_d = 0;
    if (!read_num(s, n, &i, 4, &y))
        return 0;
    if (i < n) {
        if (s[i++] != '-' || !read_num(s, n, &i, 2, &m) || m < 1 || m > 12)
            return 0;
        has_m = 1;
    }
    if (i < n) {
        if (s[i++] != '-' || !read_num(s, n, &i, 2, &d) || d < 1 || d > days_in_month(y, m))
            return 0;
        has_d = 1;
    }
    if (i != n)
        return 0;
    if (upper && !has_m)
        m = 12;
    if (upper && !has_d)
        d = days_in_month(y, m);
    int64_t t = qp_days_from_civil(y, m, d) * 86400;
    *out = upper ? t + 86399 : t;
    return 1;
}

static qnode *parse_date(parser *p, size_t field_off)
{
    tok t = p->t;
    if (t.kind != TK_WORD || t.prefix)
        return fail(p, field_off, "date: needs a range such as 2020-01-01..2020-06-30, ..1999 or 2021..%s", NULL), NULL;
    const char *s = t.text;
    size_t n = t.len, dots = n;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = i;
            break;
        }
    qnode *d = mk(p, QN_DATE, field_off);
    if (!d)
        return NULL;
    if (dots == n) {
        if (!parse_period(s, n, 0, &d->lo) || !parse_period(s, n, 1, &d->hi))
            return fail(p, t.off, "bad date '%s': use YYYY, YYYY-MM or YYYY-MM-DD", NULL), NULL;
    } else {
        if (dots == 0 && n == 2)
            return fail(p, t.off, "date range '..' has no bound%s", NULL), NULL;
        if (dots > 0 && !parse_period(s, dots, 0, &d->lo))
            return fail(p, t.off, "bad start date: use YYYY, YYYY-MM or YYYY-MM-DD%s", NULL), NULL;
        if (dots + 2 < n && !parse_period(s + dots + 2, n - dots - 2, 1, &d->hi))
            return fail(p, t.off + dots + 2, "bad end date: use YYYY, YYYY-MM or YYYY-MM-DD%s", NULL), NULL;
        if (d->lo != MG_NO_DATE && d->hi != MG_NO_DATE && d->lo > d->hi)
            return fail(p, t.off, "date range ends before it starts%s", NULL), NULL;
    }
    lex(p);
    return d;
}

static qnode *leaf(parser *p, qkind k, qfield f, int exact)
{
    qnode *n = mk(p, k, p->t.off);
    if (n) {
        n->field = f;
        n->exact = exact;
        n->text = p->t.text;
        n->len = p->t.len;
    }
    lex(p);
    return n;
}

static qnode *parse_prim(parser *p, int depth, qfield f);

static qnode *parse_group(parser *p, int depth, qfield f)
{
    size_t off = p->t.off;
    lex(p);
    if (p->t.kind == TK_RP)
        return fail(p, off, "empty parentheses%s", NULL), NULL;
    qnode *g = parse_seq(p, depth + 1, f);
    if (p->failed)
        return NULL;
    if (p->t.kind != TK_RP)
        return fail(p, off, "unclosed parenthesis: '(' needs a ')'%s", NULL), NULL;
    lex(p);
    if (g && g->nkids == 1 && g->kids[0]->occur != QO_MUSTNOT)
        g = g->kids[0];
    if (g && g->kind == QN_BOOL)
        g->off = off; /* errors about a group point at its '(' */
    return g;
}

static qnode *parse_field(parser *p, int depth)
{
    size_t off = p->t.off;
    qfield f = QF_ANY;
    int is_date;
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)(p->t.len < 24 ? p->t.len : 24), p->t.text);
    if (!field_of(p->t.text, p->t.len, &f, &is_date))
        return fail(p, off, "unknown field '%s' (fields: title, body, source, section, author, date)", name), NULL;
    lex(p);
    if (is_date)
        return parse_date(p, off);
    switch (p->t.kind) {
    case TK_WORD: return leaf(p, p->t.prefix ? QN_PREFIX : QN_WORD, f, 0);
    case TK_PHRASE: return leaf(p, QN_PHRASE, f, 0);
    case TK_LP: return parse_group(p, depth, f);
    case TK_EQ: return parse_prim(p, depth, f);
    default: return fail(p, off, "'%s:' needs a word, a \"phrase\" or a (group) right after it", name), NULL;
    }
}

static qnode *parse_prim(parser *p, int depth, qfield f)
{
    if (depth > QP_MAX_DEPTH)
        return fail(p, p->t.off, "query nested too deeply (more than 64 levels)%s", NULL), NULL;
    switch (p->t.kind) {
    case TK_LP: return parse_group(p, depth, f);
    case TK_FIELD: return parse_field(p, depth);
    case TK_PHRASE: return leaf(p, QN_PHRASE, f, 0);
    case TK_WORD: return leaf(p, p->t.prefix ? QN_PREFIX : QN_WORD, f, 0);
    case TK_EQ: {
        size_t off = p->t.off;
        lex(p);
        if (p->t.kind == TK_WORD && !p->t.prefix)
            return leaf(p, QN_WORD, f, 1);
        if (p->t.kind == TK_PHRASE)
            return leaf(p, QN_PHRASE, f, 1);
        return fail(p, off, "'=' must be followed by a word or a \"phrase\"%s", NULL), NULL;
    }
    case TK_RP: return fail(p, p->t.off, "unmatched ')'%s", NULL), NULL;
    case TK_EOF: return fail(p, p->t.off, "the query ends where a word was expected%s", NULL), NULL;
    default: return fail(p, p->t.off, "'%s' needs a word before it", tok_name(p->t.kind)), NULL;
    }
}

static qnode *parse_unary(parser *p, int depth, qfield f)
{
    if (depth > QP_MAX_DEPTH)
        return fail(p, p->t.off, "query nested too deeply (more than 64 levels)%s", NULL), NULL;
    tkind k = p->t.kind;
    size_t off = p->t.off;
    if (k == TK_PLUS) {
        lex(p);
        qnode *n = parse_unary(p, depth + 1, f);
        if (n)
            n->required = 1;
        return n;
    }
    if (k == TK_MINUS || k == TK_NOT) {
        lex(p);
        if (k == TK_NOT && !expect_operand(p, "NOT", off))
            return NULL;
        qnode *n = parse_unary(p, depth + 1, f);
        return n ? wrap_not(p, n, off) : NULL;
    }
    return parse_prim(p, depth, f);
}

static int near_operand_ok(parser *p, const qnode *n)
{
    if (!n)
        return 0;
    if (n->kind == QN_WORD || n->kind == QN_PHRASE)
        return 1;
    return fail(p, n->off, "NEAR works on words and \"phrases\" only%s", NULL);
}

static qnode *parse_near(parser *p, int depth, qfield f)
{
    qnode *first = parse_unary(p, depth, f);
    if (!first || p->t.kind != TK_NEAR)
        return first;
    qnode *n = mk(p, QN_NEAR, first->off);
    if (!n || !near_operand_ok(p, first))
        return NULL;
    n->dist = UINT32_MAX;
    add_kid(p, n, first, QO_MUST);
    while (p->t.kind == TK_NEAR && !p->failed) {
        size_t off = p->t.off;
        if (p->t.num < n->dist)
            n->dist = p->t.num;
        lex(p);
        if (!expect_operand(p, "NEAR", off))
            return NULL;
        qnode *k = parse_unary(p, depth + 1, f);
        if (!near_operand_ok(p, k))
            return NULL;
        add_kid(p, n, k, QO_MUST);
    }
    return p->failed ? NULL : n;
}

static qnode *parse_not(parser *p, int depth, qfield f)
{
    qnode *first = parse_near(p, depth, f);
    if (!first || p->t.kind != TK_NOT)
        return first;
    qnode *b = mk(p, QN_BOOL, first->off);
    add_kid(p, b, first, QO_MUST);
    while (p->t.kind == TK_NOT && !p->failed) {
        size_t off = p->t.off;
        lex(p);
        if (!expect_operand(p, "NOT", off))
            return NULL;
        qnode *k = parse_near(p, depth + 1, f);
        if (k)
            add_kid(p, b, k, QO_MUSTNOT);
    }
    return p->failed ? NULL : b;
}

static qnode *parse_and(parser *p, int depth, qfield f)
{
    qnode *first = parse_not(p, depth, f);
    if (!first || p->t.kind != TK_AND)
        return first;
    qnode *b = mk(p, QN_BOOL, first->off);
    add_kid(p, b, first, QO_MUST);
    while (p->t.kind == TK_AND && !p->failed) {
        size_t off = p->t.off;
        lex(p);
        if (!expect_operand(p, "AND", off))
            return NULL;
        add_kid(p, b, parse_not(p, depth + 1, f), QO_MUST);
    }
    return p->failed ? NULL : b;
}

static qnode *parse_or(parser *p, int depth, qfield f)
{
    if (depth > QP_MAX_DEPTH)
        return fail(p, p->t.off, "query nested too deeply (more than 64 levels)%s", NULL), NULL;
    qnode *first = parse_and(p, depth, f);
    if (!first || p->t.kind != TK_OR)
        return first;
    qnode *b = mk(p, QN_BOOL, first->off);
    add_kid(p, b, first, QO_SHOULD);
    while (p->t.kind == TK_OR && !p->failed) {
        size_t off = p->t.off;
        lex(p);
        if (!expect_operand(p, "OR", off))
            return NULL;
        add_kid(p, b, parse_and(p, depth + 1, f), QO_SHOULD);
    }
    return p->failed ? NULL : b;
}

static qnode *parse_seq(parser *p, int depth, qfield f)
{
    qnode *seq = mk(p, QN_BOOL, p->t.off);
    while (!p->failed && p->t.kind != TK_EOF && p->t.kind != TK_RP) {
        qnode *it = parse_or(p, depth, f);
        if (!it)
            break;
        qoccur occ = p->default_and ? QO_MUST : QO_SHOULD;
        if (it->required || it->kind == QN_DATE)
            occ = QO_MUST;
        if (it->kind == QN_BOOL && it->nkids == 1 && it->kids[0]->occur == QO_MUSTNOT)
            occ = QO_MUST; /* add_kid turns it into MUSTNOT */
        add_kid(p, seq, it, occ);
    }
    return p->failed ? NULL : seq;
}

int qparse(const char *q, size_t len, int default_and, qast **out, errbuf *e, size_t *col)
{
    return qparse_in(q, len, default_and, NULL, out, e, col);
}

int qparse_in(const char *q, size_t len, int default_and, qarena *mem, qast **out, errbuf *e,
              size_t *col)
{
    *out = NULL;
    if (col)
        *col = 0;
    err_clear(e);
    if (len > QP_MAX_QUERY) {
        if (col)
            *col = QP_MAX_QUERY + 1;
        return err_set(e, MG_ESYNTAX, "query longer than %d bytes", QP_MAX_QUERY);
    }
    parser p = { .q = q ? q : "", .len = q ? len : 0, .default_and = default_and, .e = e };
    p.ast = mem ? qa_zalloc(mem, sizeof *p.ast) : calloc(1, sizeof *p.ast);
    if (!p.ast)
        return err_set(e, MG_ENOMEM, "out of memory parsing the query");
    p.ast->mem = mem ? mem : &p.ast->own;
    lex(&p);
    qnode *root = parse_seq(&p, 0, QF_ANY);
    if (!p.failed && p.t.kind == TK_RP)
        fail(&p, p.t.off, "unmatched ')'%s", NULL);
    if (p.failed) {
        if (col && p.failed == MG_ESYNTAX)
            *col = qp_column(p.q, p.len, p.err_off);
        int rc = p.failed;
        qast_free(p.ast);
        return rc;
    }
    if (root && root->nkids == 1 && root->kids[0]->occur != QO_MUSTNOT &&
        root->kids[0]->kind != QN_DATE)
        root = root->kids[0];
    if (root && root->kind == QN_BOOL && root->nkids == 0)
        root = NULL;
    p.ast->root = root;
    *out = p.ast;
    return MG_OK;
}

size_t qp_column(const char *q, size_t len, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off && i < len; i++)
        if (((unsigned char)q[i] & 0xC0) != 0x80)
            col++;
    if (off > len)
        col += off - len;
    return col;
}

/* ------------------------------------------------------------------- dump */

static void dump_date(buf *out, int64_t t)
{
    if (t == MG_NO_DATE) {
        buf_put(out, "*", 1);
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void dump_leaf_prefix(const qnode *n, buf *out)
{
    static const char *names[] = { "", "title:", "body:", "source:", "section:", "author:" };
    buf_printf(out, "%s%s", names[n->field], n->exact ? "=" : "");
}

void qnode_dump(const qnode *n, buf *out)
{
    if (!n) {
        buf_put(out, "()", 2);
        return;
    }
    switch (n->kind) {
    case QN_WORD:
        dump_leaf_prefix(n, out);
        buf_put(out, n->text, n->len);
        break;
    case QN_PHRASE:
        dump_leaf_prefix(n, out);
        buf_printf(out, "\"%.*s\"", (int)n->len, n->text);
        break;
    case QN_PREFIX:
        dump_leaf_prefix(n, out);
        buf_printf(out, "%.*s*", (int)n->len, n->text);
        break;
    case QN_DATE:
        buf_put(out, "date:", 5);
        dump_date(out, n->lo);
        buf_put(out, "..", 2);
        dump_date(out, n->hi);
        break;
    case QN_NEAR:
    case QN_BOOL:
        buf_put(out, "(", 1);
        if (n->kind == QN_NEAR)
            buf_printf(out, "near/%u ", n->dist);
        for (size_t i = 0; i < n->nkids; i++) {
            if (i)
                buf_put(out, " ", 1);
            if (n->kind == QN_BOOL && n->kids[i]->occur == QO_MUST)
                buf_put(out, "+", 1);
            if (n->kids[i]->occur == QO_MUSTNOT)
                buf_put(out, "-", 1);
            qnode_dump(n->kids[i], out);
        }
        buf_put(out, ")", 1);
        break;
    }
}

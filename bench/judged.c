/* judged.c — reads the judged collections in ../shared/corpora (Cranfield,
 * MED, NPL): documents, queries and relevance judgments, with each one's
 * numbering quirks (see the README beside each collection). */
#include "bench.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sbuf { char *p; size_t n, cap; } sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 2 > b->cap) {
        b->cap = (b->n + n + 2) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) { perror("realloc"); exit(1); }
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static const char *sb_str(sbuf *b) { return b->p ? b->p : ""; }

/* Strips \r and trailing white space in place; returns the length. */
static size_t chomp(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    return n;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) perror(path);
    return f;
}

/* Lower-cases the text and turns everything but letters and digits into
 * spaces: queries are free text, "lower-cased with punctuation removed". */
static void query_words(bqueries *qs, const char *text, const char *label)
{
    char *copy = strdup(text), *save = NULL;
    for (char *p = copy; *p; p++)
        *p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : ' ';
    size_t cap = 0, n = 0;
    const char **all = NULL;
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (n == cap) { cap = cap ? cap * 2 : 16; all = realloc(all, cap * sizeof *all); }
        all[n++] = t;
    }
    bqueries_add(qs, Q_OR, all, (int)n, BENCH_NO_DATE, BENCH_NO_DATE, label);
    free(all);
    free(copy);
}

static void add_qrel(bjudged *j, int qid, const char *doc, int rel, size_t *cap)
{
    if (j->nqrels == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        j->qrels = realloc(j->qrels, *cap * sizeof *j->qrels);
    }
    j->qrels[j->nqrels].qid = qid;
    j->qrels[j->nqrels].doc = strdup(doc);
    j->qrels[j->nqrels].rel = rel;
    j->nqrels++;
}

/* SMART records: ".I n" then fields ".T", ".W", ... each followed by lines.
 * Title (.T) and text (.W) are kept; .A and .B are dropped. */
static int smart_read(FILE *f, bcorpus *docs, bqueries *qs, int *qids)
{
    char line[8192], id[32] = "", field = 0;
    sbuf title = { 0 }, body = { 0 };
    int nq = 0, have = 0;
    for (;;) {
        int eof = !fgets(line, sizeof line, f);
        if (!eof) chomp(line);
        if (eof || strncmp(line, ".I", 2) == 0) {
            if (have) {
                if (docs) {
                    bcorpus_add(docs, id, sb_str(&title), sb_str(&body), BENCH_NO_DATE);
                } else {
                    /* Queries are numbered 1..n in file order (Cranfield's
                     * .I numbers are not the qrels ids; MED's are 1..30). */
                    nq++;
                    char label[32];
                    snprintf(label, sizeof label, "%d", nq);
                    query_words(qs, sb_str(&body), label);
                    qids[nq - 1] = nq;
                }
            }
            if (eof) break;
            snprintf(id, sizeof id, "%d", atoi(line + 2));
            title.n = body.n = 0;
            if (title.p) title.p[0] = 0;
            if (body.p) body.p[0] = 0;
            have = 1;
            field = 0;
            continue;
        }
        if (line[0] == '.' && line[1] && line[2] == 0) { field = line[1]; continue; }
        sbuf *dst = field == 'T' ? &title : field == 'W' ? &body : NULL;
        if (!dst) continue;
        if (dst->n) sb_add(dst, " ", 1);
        sb_add(dst, line, strlen(line));
    }
    free(title.p);
    free(body.p);
    return nq;
}

/* NPL: the id on a line, the text, then a line holding only "/". */
static int npl_read(FILE *f, bcorpus *docs, bqueries *qs, int *qids)
{
    char line[8192], id[32] = "";
    sbuf text = { 0 };
    int nq = 0, want_id = 1;
    for (;;) {
        int eof = !fgets(line, sizeof line, f);
        if (!eof) chomp(line);
        const char *t = line;
        while (!eof && isspace((unsigned char)*t)) t++;
        if (eof || strcmp(t, "/") == 0) {
            if (!want_id) {
                if (docs) {
                    bcorpus_add(docs, id, "", sb_str(&text), BENCH_NO_DATE);
                } else {
                    qids[nq++] = atoi(id);
                    query_words(qs, sb_str(&text), id);
                }
            }
            if (eof) break;
            want_id = 1;
            text.n = 0;
            if (text.p) text.p[0] = 0;
            continue;
        }
        if (want_id) {
            if (!*t) continue;
            snprintf(id, sizeof id, "%d", atoi(t));
            want_id = 0;
            continue;
        }
        if (text.n) sb_add(&text, " ", 1);
        sb_add(&text, t, strlen(t));
    }
    free(text.p);
    return nq;
}

static int cran_qrels(bjudged *j, FILE *f)
{
    int q, rel;
    char doc[32];
    size_t cap = 0;
    while (fscanf(f, "%d %31s %d", &q, doc, &rel) == 3)
        add_qrel(j, q, doc, rel >= 1 && rel <= 4 ? 1 : 0, &cap);
    return 0;
}

static int med_qrels(bjudged *j, FILE *f)
{
    int q, zero, rel;
    char doc[32];
    size_t cap = 0;
    while (fscanf(f, "%d %d %31s %d", &q, &zero, doc, &rel) == 4)
        add_qrel(j, q, doc, rel > 0, &cap);
    return 0;
}

/* rlv-ass: query id, then doc ids over several lines, then "/"; the last
 * block may end at end of file. */
static int npl_qrels(bjudged *j, FILE *f)
{
    char tok[64];
    int q = -1;
    size_t cap = 0;
    while (fscanf(f, "%63s", tok) == 1) {
        if (strcmp(tok, "/") == 0) { q = -1; continue; }
        if (q < 0) { q = atoi(tok); continue; }
        add_qrel(j, q, tok, 1, &cap);
    }
    return 0;
}

int bjudged_load(bjudged *j, const char *kind, const char *dir)
{
    memset(j, 0, sizeof *j);
    bcorpus_init(&j->docs, kind);
    j->qids = calloc(4096, sizeof *j->qids);
    const char *dn, *qn, *rn;
    int smart = 1;
    if (strcmp(kind, "cranfield") == 0) { dn = "cran.all.1400"; qn = "cran.qry"; rn = "cranqrel"; }
    else if (strcmp(kind, "med") == 0) { dn = "MED.ALL"; qn = "MED.QRY"; rn = "MED.REL"; }
    else if (strcmp(kind, "npl") == 0) { dn = "doc-text"; qn = "query-text"; rn = "rlv-ass"; smart = 0; }
    else return -1;
    FILE *fd = open_in(dir, dn), *fq = open_in(dir, qn), *fr = open_in(dir, rn);
    int rc = -1;
    if (fd && fq && fr) {
        if (smart) {
            smart_read(fd, &j->docs, NULL, NULL);
            smart_read(fq, NULL, &j->queries, j->qids);
        } else {
            npl_read(fd, &j->docs, NULL, NULL);
            npl_read(fq, NULL, &j->queries, j->qids);
        }
        if (strcmp(kind, "cranfield") == 0) cran_qrels(j, fr);
        else if (strcmp(kind, "med") == 0) med_qrels(j, fr);
        else npl_qrels(j, fr);
        rc = 0;
    }
    if (fd) fclose(fd);
    if (fq) fclose(fq);
    if (fr) fclose(fr);
    return rc;
}

void bjudged_free(bjudged *j)
{
    bcorpus_free(&j->docs);
    bqueries_free(&j->queries);
    for (size_t i = 0; i < j->nqrels; i++) free(j->qrels[i].doc);
    free(j->qrels);
    free(j->qids);
    memset(j, 0, sizeof *j);
}

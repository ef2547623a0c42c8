/* json.c — JSON Lines and JSON documents to articles (jansson).  JSON Lines
 * are parsed line by line, so one malformed line costs only itself.  A JSON
 * file is split into its top-level objects (or the objects of a top-level
 * array) by a small bracket-matching scanner, so a huge array is streamed
 * one object at a time rather than parsed whole. */
#include "ingest/ingest_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field aliases, first present wins (see ingest.h). */
static const char *const K_ID[] = { "id", "_id", "guid", "uuid", "doc_id", "docid", "article_id", NULL };
static const char *const K_URL[] = { "url", "link", "href", "uri", "permalink", "canonical_url", NULL };
static const char *const K_TITLE[] = { "title", "headline", "heading", "subject", NULL };
static const char *const K_DATE[] = { "date", "published", "published_at", "publishedAt", "pubdate",
                                      "pub_date", "date_published", "datePublished",
                                      "publication_date", "datetime", "timestamp", "created_at",
                                      "time", NULL };
static const char *const K_SOURCE[] = { "source", "publisher", "site", "site_name", "feed", "outlet",
                                        "source_name", NULL };
static const char *const K_SECTION[] = { "section", "category", "categories", "topic", "desk", NULL };
static const char *const K_AUTHOR[] = { "author", "authors", "byline", "creator", "by", NULL };
static const char *const K_BODY[] = { "body", "text", "content", "article", "article_text", "full_text",
                                      "story", "description", "summary", "abstract", NULL };
/* Keys of a wrapper object whose array holds the articles (NewsAPI etc.). */
static const char *const K_LIST[] = { "articles", "items", "data", "results", "docs", "documents",
                                      "stories", NULL };

typedef struct owned {
    char *s[8];     /* strings made for this record, freed after it */
    int   n;
} owned;

static void owned_free(owned *o)
{
    for (int i = 0; i < o->n; i++)
        free(o->s[i]);
    o->n = 0;
}

static json_t *lookup(json_t *obj, const char *const *keys)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(obj, *keys);
        if (v && !json_is_null(v))
            return v;
    }
    return NULL;
}

/* A field value as text: strings as they are, numbers printed, arrays of
 * scalars joined by ", ", objects by their "name". */
static const char *as_text(json_t *v, owned *o)
{
    if (!v)
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_object(v))
        return as_text(json_object_get(v, "name"), o);
    if (o->n >= 8)
        return NULL;
    char *s = NULL;
    if (json_is_integer(v)) {
        if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
            s = NULL;
    } else if (json_is_real(v)) {
        if (asprintf(&s, "%.17g", json_real_value(v)) < 0)
            s = NULL;
    } else if (json_is_array(v)) {
        buf b;
        buf_init(&b);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            const char *t = json_is_array(e) ? NULL : as_text(e, o);
            if (t && *t) {
                if (b.len)
                    buf_put(&b, ", ", 2);
                buf_put(&b, t, strlen(t));
            }
        }
        s = b.len ? buf_cstr(&b) : NULL;
        if (!s)
            buf_free(&b);
    }
    if (s)
        o->s[o->n++] = s;
    return s;
}

/* Builds and emits the article of one JSON object. */
static void emit_object(ingest *g, istream *s, json_t *obj, uint64_t line, int idmode, uint64_t n)
{
    owned o = { { 0 }, 0 };
    ingest_item it;
    memset(&it, 0, sizeof it);
    it.file = s->name;
    it.line = line;
    it.art.id = as_text(lookup(obj, K_ID), &o);
    it.art.url = as_text(lookup(obj, K_URL), &o);
    it.art.title = as_text(lookup(obj, K_TITLE), &o);
    it.art.body = as_text(lookup(obj, K_BODY), &o);
    it.art.source = as_text(lookup(obj, K_SOURCE), &o);
    it.art.section = as_text(lookup(obj, K_SECTION), &o);
    it.art.author = as_text(lookup(obj, K_AUTHOR), &o);
    json_t *d = lookup(obj, K_DATE);
    if (d && json_is_integer(d)) {
        json_int_t t = json_integer_value(d);
        it.art.date = t > 100000000000LL || t < -100000000000LL ? t / 1000 : t;
    } else if (d && json_is_real(d)) {
        it.art.date = (int64_t)json_real_value(d);
    } else {
        ingest_set_date(g, &it.art, s->name, line, d ? as_text(d, &o) : NULL);
    }
    if ((!it.art.title || !*it.art.title) && (!it.art.body || !*it.art.body))
        ingest_report(g, s->name, line, INGEST_ERROR, "record has neither a title nor a body, skipped");
    else
        ingest_emit(g, &it, idmode, n);
    owned_free(&o);
}

/* An object, or a wrapper object holding an array of articles.  idmode:
 * 0 the file is this one article, ':' number by line, '#' by *counter. */
static void emit_value(ingest *g, istream *s, json_t *v, uint64_t line, int idmode, uint64_t *counter)
{
    if (!json_is_object(v)) {
        ingest_report(g, s->name, line, INGEST_ERROR, "not a JSON object, skipped");
        return;
    }
    if (!lookup(v, K_TITLE) && !lookup(v, K_BODY)) {
        json_t *list = lookup(v, K_LIST);
        if (list && json_is_array(list)) {
            size_t i;
            json_t *e;
            json_array_foreach(list, i, e) {
                if (g->rc)
                    break;
                emit_value(g, s, e, line, '#', counter);
            }
            return;
        }
    }
    emit_object(g, s, v, line, idmode, idmode == '#' ? ++*counter : line);
}

/* Parses text (repairing bad UTF-8 first); reports errors at `line`. */
static json_t *parse(ingest *g, istream *s, const char *text, size_t len, uint64_t line)
{
    char *fixed = NULL;
    if (!ingest_utf8_valid(text, len)) {
        fixed = ingest_utf8_repair(text, len, &len);
        if (!fixed) {
            g->rc = MG_ENOMEM;
            return NULL;
        }
        text = fixed;
    }
    json_error_t err;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &err);
    free(fixed);
    if (!v)
        ingest_report(g, s->name, line + (err.line > 1 ? (uint64_t)err.line - 1 : 0), INGEST_ERROR,
                      "malformed JSON (column %d): %s", err.column, err.text);
    return v;
}

void read_jsonl(ingest *g, istream *s)
{
    const char *p;
    size_t len;
    int toolong;
    uint64_t counter = 0;
    while (!g->rc && !g->stop && istream_getline(s, &p, &len, &toolong)) {
        size_t i = 0;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i == len)
            continue; /* blank line (or a skipped over-long one) */
        if (s->lineno == 1 && len - i >= 3 && memcmp(p + i, "\xEF\xBB\xBF", 3) == 0)
            i += 3;
        json_t *v = parse(g, s, p + i, len - i, s->lineno);
        if (v) {
            emit_value(g, s, v, s->lineno, ':', &counter);
            json_decref(v);
        }
    }
}

/* Reads one JSON value starting with c (already read) into b, tracking
 * lines.  Returns 1 when complete, 0 at a premature end. */
static int scan_value(istream *s, int c, buf *b, uint64_t *line, int *toolong)
{
    int depth = 0, in_str = 0, esc = 0;
    for (;;) {
        if (b->len < INGEST_MAX_RECORD)
            buf_put_u8(b, (uint8_t)c);
        else
            *toolong = 1;
        if (c == '\n')
            (*line)++;
        if (in_str) {
            if (esc)
                esc = 0;
            else if (c == '\\')
                esc = 1;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return 1;
        }
        if (depth == 0 && !in_str && c != '"') {
            /* a scalar: ends before a delimiter */
            int n = s->beg < s->end || istream_peek(s, 1) ? (unsigned char)s->data[s->beg] : -1;
            if (n < 0 || n == ',' || n == ']' || n == '}' || n == ' ' || n == '\n' || n == '\t' || n == '\r')
                return 1;
        } else if (depth == 0 && !in_str) {
            return 1; /* a string just closed */
        }
        if ((c = istream_getc(s)) < 0)
            return 0;
    }
}

static int next_nonblank(istream *s, uint64_t *line)
{
    int c;
    while ((c = istream_getc(s)) >= 0) {
        if (c == '\n')
            (*line)++;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0xEF && c != 0xBB && c != 0xBF)
            return c;
    }
    return -1;
}

void read_json(ingest *g, istream *s)
{
    uint64_t line = 1, counter = 0, values = 0;
    buf b;
    buf_init(&b);
    int c = next_nonblank(s, &line);
    int in_array = c == '[';
    if (in_array)
        c = next_nonblank(s, &line);
    while (c >= 0 && !g->rc && !g->stop) {
        if (in_array && (c == ',' || c == ']')) {
            c = next_nonblank(s, &line);
            continue;
        }
        uint64_t start = line;
        int toolong = 0;
        buf_reset(&b);
        int done = scan_value(s, c, &b, &line, &toolong);
        values++;
        if (!done) {
            ingest_report(g, s->name, start, INGEST_ERROR, "JSON value not closed before the end of the file");
            break;
        }
        c = next_nonblank(s, &line);
        if (toolong) {
            ingest_report(g, s->name, start, INGEST_ERROR, "record longer than %u MiB skipped",
                          INGEST_MAX_RECORD >> 20);
            continue;
        }
        json_t *v = parse(g, s, (const char *)b.p, b.len, start);
        if (v) {
            int single = !in_array && values == 1 && c < 0;
            emit_value(g, s, v, start, single ? 0 : '#', &counter);
            json_decref(v);
        }
    }
    buf_free(&b);
}

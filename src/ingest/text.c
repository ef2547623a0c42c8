/* text.c — a plain-text file is one article.  It may open with a header
 * block of "Key: value" lines (Title, Date, Source, URL, Author, Section, Id
 * and a few synonyms) ended by a blank line; without a title in a header,
 * the first non-blank line is the title and the rest the body. */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum { H_NONE = -1, H_TITLE, H_DATE, H_SOURCE, H_URL, H_AUTHOR, H_SECTION, H_ID, H_COUNT };

static int header_key(const char *k, size_t n)
{
    static const struct { const char *name; int key; } keys[] = {
        { "title", H_TITLE },   { "headline", H_TITLE },  { "subject", H_TITLE },
        { "date", H_DATE },     { "published", H_DATE },  { "source", H_SOURCE },
        { "publisher", H_SOURCE }, { "url", H_URL },      { "link", H_URL },
        { "author", H_AUTHOR }, { "by", H_AUTHOR },       { "byline", H_AUTHOR },
        { "section", H_SECTION }, { "category", H_SECTION }, { "id", H_ID },
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i].name) == n && strncasecmp(k, keys[i].name, n) == 0)
            return keys[i].key;
    return H_NONE;
}

/* If line [p, e) is "Key: value", sets *key (H_NONE for an unknown key)
 * and *val and returns 1. */
static int header_line(char *p, char *e, int *key, char **val)
{
    char *q = p;
    while (q < e && (isalpha((unsigned char)*q) || *q == '-' || *q == '_') && q - p < 32)
        q++;
    if (q == p || q >= e || *q != ':')
        return 0;
    *key = header_key(p, (size_t)(q - p));
    q++;
    while (q < e && (*q == ' ' || *q == '\t'))
        q++;
    *val = q;
    return 1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Splits off the first line of *rest (NUL-terminating it) and returns it. */
static char *cut_line(char **rest)
{
    char *p = *rest;
    char *nl = strchr(p, '\n');
    if (nl) {
        *nl = '\0';
        *rest = nl + 1;
    } else {
        *rest = p + strlen(p);
    }
    size_t n = strlen(p);
    if (n && p[n - 1] == '\r')
        p[n - 1] = '\0';
    return p;
}

/* Parses the header block at the start of text; returns where the body
 * starts.  h[] receives the known values. */
static char *parse_header(char *text, char *h[H_COUNT])
{
    char *rest = text;
    int key;
    char *val;
    char *nl = strchr(rest, '\n');
    char *e = nl ? nl : rest + strlen(rest);
    if (!header_line(rest, e, &key, &val) || key == H_NONE)
        return text;
    while (*rest) {
        char *save = rest;
        nl = strchr(rest, '\n');
        e = nl ? nl : rest + strlen(rest);
        char *line = rest;
        while (line < e && (*line == ' ' || *line == '\t' || *line == '\r'))
            line++;
        if (line == e) { /* blank line: the body follows */
            rest = nl ? nl + 1 : e;
            break;
        }
        if (!header_line(rest, e, &key, &val))
            return save; /* the body starts without a blank line */
        cut_line(&rest);
        if (key != H_NONE && !h[key])
            h[key] = trim(val);
    }
    return rest;
}

void read_text(ingest *g, istream *s)
{
    buf b;
    buf_init(&b);
    if (istream_read_all(s, &b, INGEST_MAX_RECORD))
        ingest_report(g, s->name, 0, INGEST_WARN, "longer than %u MiB: only the start is indexed",
                      INGEST_MAX_RECORD >> 20);
    /* Text that is not valid UTF-8 is taken as Windows-1252/Latin-1, the
     * usual encoding of older archives (so "caf\xe9" keeps its accent). */
    if (!b.oom && !ingest_utf8_valid((const char *)b.p, b.len))
        (void)ingest_cp1252_to_utf8(&b); /* out of memory: left as is, repaired later */
    char *text = buf_cstr(&b);
    if (!text) {
        g->rc = MG_ENOMEM;
        buf_free(&b);
        return;
    }
    if (b.len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    char *h[H_COUNT] = { 0 };
    char *body = parse_header(text, h);
    body = trim(body);
    if (!h[H_TITLE] && *body) {
        h[H_TITLE] = trim(cut_line(&body));
        body = trim(body);
    }
    if ((!h[H_TITLE] || !*h[H_TITLE]) && !*body) {
        buf_free(&b);
        return; /* an empty file: nothing to index, not an error */
    }
    ingest_item it;
    memset(&it, 0, sizeof it);
    it.file = s->name;
    it.art.id = h[H_ID];
    it.art.title = h[H_TITLE];
    it.art.body = body;
    it.art.source = h[H_SOURCE];
    it.art.url = h[H_URL];
    it.art.author = h[H_AUTHOR];
    it.art.section = h[H_SECTION];
    ingest_set_date(g, &it.art, s->name, 0, h[H_DATE]);
    ingest_emit(g, &it, 0, 0);
    buf_free(&b);
}

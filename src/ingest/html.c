/* html.c — an HTML page is one article, parsed with gumbo (the HTML5
 * algorithm browsers use, so broken markup is fine).  Title: og:title,
 * else <title>, else the first <h1>.  Date: the article meta tags
 * (article:published_time, itemprop=datePublished, name=date/pubdate/...),
 * else a <time datetime>.  Body: the text of <article> (else <main>, else
 * <body>) without script, style, nav, header, footer, aside, form and the
 * like; block elements become line breaks. */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { M_TITLE, M_DATE, M_AUTHOR, M_SOURCE, M_SECTION, M_URL, M_COUNT };

typedef struct page {
    const char *meta[M_COUNT];   /* from meta/link tags (gumbo's strings) */
    int         rank[M_COUNT];   /* priority of what set meta[] (lower wins) */
    const GumboNode *title, *h1, *article, *main, *body, *time;
} page;

/* Meta names and properties, in order of preference per field. */
static const struct { const char *name; int field; int rank; } METAS[] = {
    { "og:title", M_TITLE, 0 },
    { "twitter:title", M_TITLE, 1 },
    { "article:published_time", M_DATE, 0 },
    { "datepublished", M_DATE, 1 },
    { "og:published_time", M_DATE, 2 },
    { "og:article:published_time", M_DATE, 2 },
    { "pubdate", M_DATE, 3 },
    { "publishdate", M_DATE, 3 },
    { "publish-date", M_DATE, 3 },
    { "date", M_DATE, 4 },
    { "dc.date", M_DATE, 5 },
    { "dc.date.issued", M_DATE, 5 },
    { "dcterms.date", M_DATE, 5 },
    { "dcterms.created", M_DATE, 6 },
    { "sailthru.date", M_DATE, 6 },
    { "parsely-pub-date", M_DATE, 6 },
    { "article:modified_time", M_DATE, 9 },
    { "author", M_AUTHOR, 0 },
    { "article:author", M_AUTHOR, 1 },
    { "byl", M_AUTHOR, 2 },
    { "dc.creator", M_AUTHOR, 3 },
    { "og:site_name", M_SOURCE, 0 },
    { "publisher", M_SOURCE, 1 },
    { "article:section", M_SECTION, 0 },
    { "section", M_SECTION, 1 },
    { "og:url", M_URL, 0 },
};

static const char *attr(const GumboNode *n, const char *name)
{
    GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static void take_meta(page *pg, const char *key, const char *content)
{
    if (!key || !content || !*content)
        return;
    for (size_t i = 0; i < sizeof METAS / sizeof *METAS; i++) {
        int f = METAS[i].field;
        if (strcasecmp(key, METAS[i].name) == 0 && (!pg->meta[f] || METAS[i].rank < pg->rank[f])) {
            pg->meta[f] = content;
            pg->rank[f] = METAS[i].rank;
        }
    }
}

/* One pass over the tree collecting the metadata nodes. */
static void scan(page *pg, const GumboNode *n, int depth)
{
    if ((n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) || depth > 400)
        return;
    const GumboElement *el = &n->v.element;
    switch (el->tag) {
    case GUMBO_TAG_META: {
        const char *content = attr(n, "content");
        take_meta(pg, attr(n, "property"), content);
        take_meta(pg, attr(n, "name"), content);
        take_meta(pg, attr(n, "itemprop"), content);
        break;
    }
    case GUMBO_TAG_LINK: {
        const char *rel = attr(n, "rel");
        if (rel && strcasecmp(rel, "canonical") == 0 && !pg->meta[M_URL])
            pg->meta[M_URL] = attr(n, "href"), pg->rank[M_URL] = 1;
        break;
    }
    case GUMBO_TAG_TITLE: if (!pg->title) pg->title = n; break;
    case GUMBO_TAG_H1: if (!pg->h1) pg->h1 = n; break;
    case GUMBO_TAG_ARTICLE: if (!pg->article) pg->article = n; break;
    case GUMBO_TAG_MAIN: if (!pg->main) pg->main = n; break;
    case GUMBO_TAG_BODY: if (!pg->body) pg->body = n; break;
    case GUMBO_TAG_TIME: {
        const char *dt = attr(n, "datetime");
        const char *ip = attr(n, "itemprop");
        if (dt && ip && strcasecmp(ip, "datePublished") == 0)
            take_meta(pg, "datepublished", dt);
        if (dt && (!pg->time || attr(n, "pubdate")))
            pg->time = n;
        break;
    }
    default: break;
    }
    for (unsigned i = 0; i < el->children.length; i++)
        scan(pg, el->children.data[i], depth + 1);
}

static int skipped_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NAV: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE:
    case GUMBO_TAG_MATH: case GUMBO_TAG_CANVAS: case GUMBO_TAG_OBJECT: case GUMBO_TAG_MENU:
        return 1;
    default:
        return 0;
    }
}

static int block_tag(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI: case GUMBO_TAG_H1:
    case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_TR: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_HR:
        return 1;
    default:
        return 0;
    }
}

/* Appends the visible text under n to b. */
static void text_of(const GumboNode *n, buf *b, int depth)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
        buf_put(b, n->v.text.text, strlen(n->v.text.text));
        return;
    }
    if ((n->type != GUMBO_NODE_ELEMENT) || depth > 400)
        return;
    GumboTag t = n->v.element.tag;
    if (skipped_tag(t))
        return;
    if (t == GUMBO_TAG_BR) {
        buf_put(b, "\n", 1);
        return;
    }
    int block = block_tag(t);
    if (block)
        buf_put(b, "\n\n", t == GUMBO_TAG_LI ? 1 : 2);
    for (unsigned i = 0; i < n->v.element.children.length; i++)
        text_of(n->v.element.children.data[i], b, depth + 1);
    if (block)
        buf_put(b, "\n", 1);
}

/* The squeezed text of node n into its own string in pool (offset). */
static size_t node_text(const GumboNode *n, buf *pool, int keep_newlines)
{
    size_t off = pool->len;
    if (n) {
        /* <title>/<h1> are read directly: skipped_tag() would drop <title>. */
        for (unsigned i = 0; n->type == GUMBO_NODE_ELEMENT && i < n->v.element.children.length; i++)
            text_of(n->v.element.children.data[i], pool, 1);
    }
    buf_put_u8(pool, 0);
    if (!pool->oom)
        ingest_squeeze((char *)pool->p + off, keep_newlines);
    return off;
}

/* 1 if the start of the page declares its charset as UTF-8. */
static int declares_utf8(const char *p, size_t n)
{
    size_t k = n < 2048 ? n : 2048;
    char low[2049];
    for (size_t i = 0; i < k; i++)
        low[i] = p[i] ? (char)tolower((unsigned char)p[i]) : ' ';
    low[k] = '\0';
    return strstr(low, "charset=utf-8") || strstr(low, "charset=\"utf-8") || strstr(low, "charset=utf8") ||
           strstr(low, "charset='utf-8");
}

/* Makes b valid UTF-8.  A page that is not valid UTF-8 and does not claim
 * to be is read as Windows-1252 (HTML5's default for undeclared pages, and
 * what "iso-8859-1" means in practice); a page that claims UTF-8 but is
 * not has its bad bytes replaced by U+FFFD. */
static int to_utf8(buf *b)
{
    if (ingest_utf8_valid((const char *)b->p, b->len))
        return 0;
    if (!declares_utf8((const char *)b->p, b->len))
        return ingest_cp1252_to_utf8(b);
    size_t n;
    char *r = ingest_utf8_repair((const char *)b->p, b->len, &n);
    if (!r)
        return -1;
    buf_free(b);
    b->p = (uint8_t *)r, b->len = n, b->cap = n + 1, b->oom = 0;
    return 0;
}

static void emit_page(ingest *g, istream *s, page *pg)
{
    buf pool;
    buf_init(&pool);
    size_t t_title = node_text(pg->title, &pool, 0);
    size_t t_h1 = node_text(pg->h1, &pool, 0);
    const GumboNode *root = pg->article ? pg->article : pg->main ? pg->main : pg->body;
    size_t t_body = pool.len;
    if (root)
        text_of(root, &pool, 0);
    buf_put_u8(&pool, 0);
    if (pool.oom) {
        g->rc = MG_ENOMEM;
        buf_free(&pool);
        return;
    }
    char *base = (char *)pool.p;
    ingest_squeeze(base + t_body, 1);
    ingest_item it;
    memset(&it, 0, sizeof it);
    it.file = s->name;
    it.art.title = pg->meta[M_TITLE] ? pg->meta[M_TITLE] : base[t_title] ? base + t_title : base + t_h1;
    it.art.body = base + t_body;
    it.art.author = pg->meta[M_AUTHOR];
    it.art.source = pg->meta[M_SOURCE];
    it.art.section = pg->meta[M_SECTION];
    it.art.url = pg->meta[M_URL];
    const char *date = pg->meta[M_DATE] ? pg->meta[M_DATE] : pg->time ? attr(pg->time, "datetime") : NULL;
    ingest_set_date(g, &it.art, s->name, 0, date);
    if (!*it.art.title && !*it.art.body)
        ingest_report(g, s->name, 0, INGEST_ERROR, "HTML page without a title or any text, skipped");
    else
        ingest_emit(g, &it, 0, 0);
    buf_free(&pool);
}

void read_html(ingest *g, istream *s)
{
    buf b;
    buf_init(&b);
    if (istream_read_all(s, &b, INGEST_MAX_RECORD))
        ingest_report(g, s->name, 0, INGEST_WARN, "longer than %u MiB: only the start is indexed",
                      INGEST_MAX_RECORD >> 20);
    if (b.oom || !buf_cstr(&b) || to_utf8(&b) != 0) {
        g->rc = MG_ENOMEM;
        buf_free(&b);
        return;
    }
    GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, (const char *)b.p, b.len);
    if (!out) {
        ingest_report(g, s->name, 0, INGEST_ERROR, "HTML could not be parsed");
        buf_free(&b);
        return;
    }
    page pg;
    memset(&pg, 0, sizeof pg);
    scan(&pg, out->root, 0);
    emit_page(g, s, &pg);
    gumbo_destroy_output(&kGumboDefaultOptions, out);
    buf_free(&b);
}

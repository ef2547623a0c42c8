/* results_json.c — see results_json.h.  JSON is built with jansson; text
 * that is not valid UTF-8 is repaired (U+FFFD) first, since JSON must be. */
#include "cli/results_json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

void results_json_prepare(mg_search_options *o)
{
    o->hl_pre = RJ_HL_PRE;
    o->hl_post = RJ_HL_POST;
}

char *snippet_mark(const char *snippet, const char *pre, const char *post)
{
    buf b;
    buf_init(&b);
    for (const char *p = snippet ? snippet : ""; *p; p++) {
        if (*p == ' ' && p[1] == ' ')
            continue; /* the text's line breaks and indents, squeezed */
        if (*p == RJ_HL_PRE[0])
            buf_put(&b, pre, strlen(pre));
        else if (*p == RJ_HL_POST[0])
            buf_put(&b, post, strlen(post));
        else
            buf_put_u8(&b, (uint8_t)*p);
    }
    char *s = buf_cstr(&b);
    if (!s)
        buf_free(&b);
    return s;
}

/* The snippet as HTML: escaped text, <b></b> around matches. */
static json_t *jsnippet(const char *snippet)
{
    if (!snippet)
        return json_null();
    buf b;
    buf_init(&b);
    for (const char *p = snippet; *p; p++) {
        if (*p == ' ' && p[1] == ' ')
            continue;
        switch (*p) {
        case '&': buf_put(&b, "&amp;", 5); break;
        case '<': buf_put(&b, "&lt;", 4); break;
        case '>': buf_put(&b, "&gt;", 4); break;
        case '"': buf_put(&b, "&quot;", 6); break;
        case 0x01: /* RJ_HL_PRE */ buf_put(&b, "<b>", 3); break;
        case 0x02: /* RJ_HL_POST */ buf_put(&b, "</b>", 4); break;
        default: buf_put_u8(&b, (uint8_t)*p);
        }
    }
    char *s = buf_cstr(&b);
    json_t *j = s ? rj_string(s) : NULL;
    buf_free(&b);
    return j;
}

static const mg_hit *mg_hit_at(const void *r, size_t i) { return mg_results_hit(r, i); }

char *results_to_json(const char *query, const mg_results *r, size_t offset)
{
    return results_page_to_json(query, r, mg_results_count(r), mg_hit_at, mg_results_total(r),
                                mg_results_total_is_estimate(r), offset);
}

char *results_page_to_json(const char *query, const void *r, size_t n, rj_hit_fn hit,
                           uint64_t total, int estimate, size_t offset)
{
    json_t *root = json_object(), *hits = json_array();
    if (!root || !hits) {
        json_decref(root);
        json_decref(hits);
        return NULL;
    }
    int bad = 0;
    bad |= rj_set(root, "query", rj_string(query ? query : ""));
    bad |= rj_set(root, "total", json_integer((json_int_t)total));
    bad |= rj_set(root, "total_is_estimate", json_boolean(estimate));
    bad |= rj_set(root, "offset", json_integer((json_int_t)offset));
    for (size_t i = 0; i < n && !bad; i++) {
        const mg_hit *h = hit(r, i);
        json_t *o = json_object();
        if (!o) {
            bad = 1;
            break;
        }
        bad |= rj_set(o, "id", rj_string(h->id));
        bad |= rj_set(o, "score", json_real(h->score));
        bad |= rj_set(o, "title", rj_string(h->title));
        bad |= rj_set(o, "date", rj_date(h->date));
        bad |= rj_set(o, "url", rj_string(h->url));
        bad |= rj_set(o, "source", rj_string(h->source));
        bad |= rj_set(o, "section", rj_string(h->section));
        bad |= rj_set(o, "author", rj_string(h->author));
        bad |= rj_set(o, "snippet", jsnippet(h->snippet));
        bad |= json_array_append_new(hits, o);
    }
    bad |= rj_set(root, "hits", hits);
    return rj_dump(root, bad);
}


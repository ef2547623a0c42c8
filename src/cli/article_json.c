/* article_json.c — an article as JSON (for `morgue get --json`), and the
 * JSON helpers results_json.c shares (see results_json.h). */
#include "cli/results_json.h"

#include <stdlib.h>
#include <string.h>

#include "ingest/date.h"
#include "ingest/ingest.h"

/* A JSON string of s (null for NULL), valid UTF-8 whatever s holds. */
json_t *rj_string(const char *s)
{
    if (!s)
        return json_null();
    size_t n = strlen(s);
    if (ingest_utf8_valid(s, n))
        return json_stringn(s, n);
    char *fixed = ingest_utf8_repair(s, n, &n);
    json_t *j = fixed ? json_stringn(fixed, n) : NULL;
    free(fixed);
    return j;
}

json_t *rj_date(int64_t t)
{
    if (t == MG_NO_DATE)
        return json_null();
    char iso[40];
    date_format_iso(t, iso, sizeof iso);
    return json_string(iso);
}

int rj_set(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

char *rj_dump(json_t *root, int bad)
{
    char *s = bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(8));
    json_decref(root);
    return s;
}

char *article_to_json(const mg_article *a)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
    bad |= rj_set(o, "id", rj_string(a->id));
    bad |= rj_set(o, "title", rj_string(a->title));
    bad |= rj_set(o, "date", rj_date(a->date));
    bad |= rj_set(o, "url", rj_string(a->url));
    bad |= rj_set(o, "source", rj_string(a->source));
    bad |= rj_set(o, "section", rj_string(a->section));
    bad |= rj_set(o, "author", rj_string(a->author));
    bad |= rj_set(o, "body", rj_string(a->body));
    return rj_dump(o, bad);
}

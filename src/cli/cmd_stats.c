/* cmd_stats.c — `morgue stats`: what an index holds (articles, terms,
 * segments, sizes, date span, language), as text or JSON. */
#include "cli/cli.h"
#include "cli/results_json.h"
#include "ingest/date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *day(int64_t t, char *out, size_t n)
{
    if (t == MG_NO_DATE)
        return "-";
    date_format_iso(t, out, n);
    out[10] = '\0';
    return out;
}

static void print_text(const char *path, const mg_stats *s)
{
    char a[32], b[32];
    printf("index        %s\n", path);
    printf("articles     %s", cli_count(s->docs, a, sizeof a));
    if (s->deleted)
        printf(" (+%s deleted, not yet merged away)", cli_count(s->deleted, b, sizeof b));
    printf("\n");
    printf("terms        %s\n", cli_count(s->terms, a, sizeof a));
    printf("postings     %s\n", cli_count(s->postings, a, sizeof a));
    printf("tokens       %s\n", cli_count(s->tokens, a, sizeof a));
    printf("segments     %u\n", s->segments);
    printf("commit       %llu\n", (unsigned long long)s->generation);
    printf("size         %s", cli_bytes(s->bytes_total, a, sizeof a));
    printf(" (postings %s, ", cli_bytes(s->bytes_postings, a, sizeof a));
    printf("stored %s)\n", cli_bytes(s->bytes_stored, a, sizeof a));
    printf("dates        %s", day(s->date_min, a, sizeof a));
    printf(" .. %s\n", day(s->date_max, a, sizeof a));
    printf("language     %s\n", s->language);
    if (s->bad_utf8)
        printf("bad UTF-8    %llu sequences replaced\n", (unsigned long long)s->bad_utf8);
}

static int print_json(const char *path, const mg_stats *s)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, s:s}",
                          "index", path, "docs", (json_int_t)s->docs, "deleted", (json_int_t)s->deleted,
                          "terms", (json_int_t)s->terms, "postings", (json_int_t)s->postings,
                          "tokens", (json_int_t)s->tokens, "segments", (json_int_t)s->segments,
                          "generation", (json_int_t)s->generation, "bytes_total", (json_int_t)s->bytes_total,
                          "bytes_postings", (json_int_t)s->bytes_postings,
                          "bytes_stored", (json_int_t)s->bytes_stored, "date_min", rj_date(s->date_min),
                          "date_max", rj_date(s->date_max), "bad_utf8", (json_int_t)s->bad_utf8,
                          "language", s->language);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return cli_error("stats", EXIT_FAIL, "out of memory");
    printf("%s\n", text);
    free(text);
    return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
    cli_common co = { 0 };
    int json = 0;
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&co),
        { 0, "json", OPT_FLAG, NULL, "print one JSON object", &json, NULL },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **pos;
    int n;
    int prc = cli_parse(&CMD_STATS, opts, 0, argc, argv, &pos, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n)
        return cli_error("stats", EXIT_USAGE, "unexpected argument '%s'", pos[0]);
    const char *path = cli_index_path(co.index);
    int xap = cli_backend_xapian("stats", &co);
    if (xap < 0)
        return EXIT_USAGE;
    if (xap) { /* segments, commit and sizes are morgue's notions: 0 */
        mg_stats xs;
        if (cli_xapian_stats("stats", path, &xs) != MG_OK)
            return EXIT_FAIL;
        if (json)
            return print_json(path, &xs);
        print_text(path, &xs);
        return EXIT_OK;
    }
    mg_index *ix = cli_open_ro("stats", path);
    if (!ix)
        return EXIT_FAIL;
    mg_stats s;
    int rc = mg_index_stats(ix, &s);
    int code = EXIT_OK;
    if (rc != MG_OK)
        code = cli_error("stats", EXIT_FAIL, "%s", mg_errmsg(ix));
    else if (json)
        code = print_json(path, &s);
    else
        print_text(path, &s);
    mg_index_close(ix);
    return code;
}

const cli_cmd CMD_STATS = {
    "stats",
    "[-i INDEX] [--json]",
    "what an index holds: articles, terms, segments, sizes, dates",
    "Prints the number of articles, distinct terms, postings and segments of the last\n"
    "commit, the bytes on disk, the span of publication dates and the stemmer language.",
    "  morgue stats\n"
    "  morgue stats -i sotu --json\n",
    cmd_stats,
};

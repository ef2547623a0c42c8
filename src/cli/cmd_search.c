/* cmd_search.c — `morgue search QUERY...`: ranked hits with title, date,
 * source, id, score and a highlighted snippet (colour on a terminal), or
 * one JSON object with --json. */
#include "cli/cli.h"
#include "cli/results_json.h"
#include "ingest/date.h"
#include "xapian/xbackend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define C_BOLD  "\033[1m"
#define C_DIM   "\033[2m"
#define C_MATCH "\033[1;31m"
#define C_OFF   "\033[0m"

typedef struct search_args {
    cli_common  co;
    const char *limit, *offset, *sort, *since, *until, *color, *snippet;
    const char *remote;  /* --remote host:port,... (Xapian shards) */
    int         all_words, json, exact;
} search_args;

/* Joins the query words with spaces (malloc'd). */
static char *join(char **w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *q = malloc(len);
    if (!q)
        return NULL;
    q[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(q, " ");
        strcat(q, w[i]);
    }
    return q;
}

static int parse_date_opt(const char *opt, const char *s, int end_of_period, int64_t *out)
{
    int prec;
    if (date_parse(s, out, &prec) != 0)
        return cli_error("search", EXIT_USAGE, "%s: '%s' is not a date (try 1987-02-26, 1987-02 or 1987)", opt, s);
    if (end_of_period)
        *out = date_period_end(*out, prec);
    return 0;
}

/* Fills o from the command line; EXIT_USAGE (printed) on a bad value. */
static int options_from(const search_args *a, mg_search_options *o)
{
    uint64_t v;
    if (a->limit) {
        if (cli_number("search", "-n", a->limit, &v))
            return EXIT_USAGE;
        o->limit = (size_t)v;
    }
    if (a->offset) {
        if (cli_number("search", "--offset", a->offset, &v))
            return EXIT_USAGE;
        o->offset = (size_t)v;
    }
    if (a->snippet) {
        if (cli_number("search", "--snippet", a->snippet, &v))
            return EXIT_USAGE;
        o->snippet_len = (size_t)v;
    }
    if (a->sort) {
        if (strcmp(a->sort, "relevance") == 0)
            o->sort = MG_SORT_RELEVANCE;
        else if (strcmp(a->sort, "date") == 0 || strcmp(a->sort, "newest") == 0)
            o->sort = MG_SORT_NEWEST;
        else if (strcmp(a->sort, "oldest") == 0)
            o->sort = MG_SORT_OLDEST;
        else
            return cli_error("search", EXIT_USAGE, "--sort must be relevance, date (newest first) or oldest, not '%s'",
                             a->sort);
    }
    if (a->since && parse_date_opt("--since", a->since, 0, &o->since))
        return EXIT_USAGE;
    if (a->until && parse_date_opt("--until", a->until, 1, &o->until))
        return EXIT_USAGE;
    o->default_and = a->all_words;
    o->exact_total = a->exact;
    return 0;
}

static int use_colour(const char *when)
{
    if (!when || strcmp(when, "auto") == 0)
        return isatty(1) && !getenv("NO_COLOR") && !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
    if (strcmp(when, "always") == 0)
        return 1;
    if (strcmp(when, "never") == 0)
        return 0;
    return -1;
}

static void print_hit(const mg_hit *h, size_t rank, int colour, int by_date)
{
    char day[40] = "";
    if (h->date != MG_NO_DATE) {
        date_format_iso(h->date, day, sizeof day);
        day[10] = '\0';
    }
    printf("%3zu. %s%s%s\n", rank, colour ? C_BOLD : "", h->title && *h->title ? h->title : "(no title)",
           colour ? C_OFF : "");
    printf("     %s", colour ? C_DIM : "");
    if (*day)
        printf("%s · ", day);
    if (h->source && *h->source)
        printf("%s · ", h->source);
    printf("%s", h->id ? h->id : "?");
    if (!by_date)
        printf(" · score %.3f", h->score);
    printf("%s\n", colour ? C_OFF : "");
    if (h->snippet && *h->snippet) {
        char *s = snippet_mark(h->snippet, colour ? C_MATCH : "[", colour ? C_OFF : "]");
        if (s)
            printf("     %s\n", s);
        free(s);
    }
    printf("\n");
}

/* A page of hits from either backend: hit(r, i) for i < n. */
typedef struct page {
    const void *r;
    size_t n;
    rj_hit_fn hit;
    uint64_t total;
    int estimate;
} page;

static const mg_hit *mg_hit_at(const void *r, size_t i) { return mg_results_hit(r, i); }
static const mg_hit *xb_hit_at(const void *r, size_t i) { return xb_results_hit(r, i); }

static void print_text(const char *query, const page *pg, size_t offset, int colour, int by_date)
{
    size_t n = pg->n;
    uint64_t total = pg->total;
    char t[32];
    if (total == 0) {
        printf("No matches for: %s\n", query);
        return;
    }
    printf("%s%s match%s for: %s", pg->estimate ? "About " : "", cli_count(total, t, sizeof t),
           total == 1 ? "" : "es", query);
    if (n)
        printf(", showing %zu-%zu:\n\n", offset + 1, offset + n);
    else
        printf(", none from %zu on.\n", offset + 1);
    for (size_t i = 0; i < n; i++)
        print_hit(pg->hit(pg->r, i), offset + i + 1, colour, by_date);
}

/* Prints the page as text or JSON; an exit code. */
static int print_page(const char *query, const page *pg, const mg_search_options *o, int json, int colour)
{
    if (!json) {
        print_text(query, pg, o->offset, colour, o->sort != MG_SORT_RELEVANCE);
        return EXIT_OK;
    }
    char *js = results_page_to_json(query, pg->r, pg->n, pg->hit, pg->total, pg->estimate, o->offset);
    if (!js)
        return cli_error("search", EXIT_FAIL, "out of memory");
    printf("%s\n", js);
    free(js);
    return EXIT_OK;
}

/* --backend xapian or --remote: the same search on a Xapian database. */
static int search_xapian(const search_args *a, const char *path, const char *query,
                         const mg_search_options *o, int colour)
{
    xb_searcher *s = NULL;
    xb_results *r = NULL;
    errbuf e;
    size_t col = 0;
    int rc;
    if (a->remote)
        rc = xb_searcher_open_remote(a->remote, 10000, &s, &e);
    else if (access(path, F_OK) != 0)
        return cli_error("search", EXIT_FAIL, "no Xapian database at '%s' (create one with: "
                         "morgue index --backend xapian -i %s PATH...)", path, path);
    else
        rc = xb_searcher_open(path, &s, &e);
    if (rc != MG_OK)
        return cli_error("search", EXIT_FAIL, "cannot open %s: %s", a->remote ? a->remote : path, e.msg);
    rc = xb_search(s, query, o, &r, &e, &col);
    int code;
    if (rc == MG_ESYNTAX && col)
        code = cli_error("search", EXIT_USAGE, "bad query at column %zu: %s", col, e.msg);
    else if (rc == MG_ESYNTAX)
        code = cli_error("search", EXIT_USAGE, "bad query: %s", e.msg);
    else if (rc != MG_OK && col)
        code = cli_error("search", EXIT_FAIL, "at column %zu: %s", col, e.msg);
    else if (rc != MG_OK)
        code = cli_error("search", EXIT_FAIL, "%s", e.msg);
    else {
        page pg = { r, xb_results_count(r), xb_hit_at, xb_results_total(r), xb_results_total_is_estimate(r) };
        code = print_page(query, &pg, o, a->json, colour);
    }
    xb_results_free(r);
    xb_searcher_close(s);
    return code;
}

int cmd_search(int argc, char **argv)
{
    search_args a;
    memset(&a, 0, sizeof a);
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&a.co),
        { 'n', "limit", OPT_ARG, "K", "hits to show (default 10)", NULL, &a.limit },
        { 0, "offset", OPT_ARG, "N", "skip the first N hits (pagination)", NULL, &a.offset },
        { 0, "sort", OPT_ARG, "ORDER", "relevance (default), date (newest first) or oldest", NULL, &a.sort },
        { 0, "since", OPT_ARG, "DATE", "only articles dated on or after DATE", NULL, &a.since },
        { 0, "until", OPT_ARG, "DATE", "only articles dated up to DATE (a year or month: its end)", NULL, &a.until },
        { 0, "and", OPT_FLAG, NULL, "every word must match (default: any word, best first)", &a.all_words, NULL },
        { 0, "json", OPT_FLAG, NULL, "print one JSON object instead of text", &a.json, NULL },
        { 0, "exact", OPT_FLAG, NULL, "count every match exactly", &a.exact, NULL },
        { 0, "snippet", OPT_ARG, "BYTES", "snippet length (default 240, 0 for none)", NULL, &a.snippet },
        { 0, "color", OPT_ARG, "WHEN", "highlight in colour: auto (default), always, never", NULL, &a.color },
        { 0, "remote", OPT_ARG, "HOST:PORT,...", "search Xapian shards served by xapian-tcpsrv as one "
          "(implies --backend xapian)", NULL, &a.remote },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **words;
    int n;
    int prc = cli_parse(&CMD_SEARCH, opts, 1, argc, argv, &words, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n == 0)
        return cli_error("search", EXIT_USAGE, "no QUERY given (see morgue search --help)");
    mg_search_options o;
    mg_search_options_init(&o);
    if (options_from(&a, &o))
        return EXIT_USAGE;
    int colour = use_colour(a.color);
    if (colour < 0)
        return cli_error("search", EXIT_USAGE, "--color must be auto, always or never");
    results_json_prepare(&o);
    char *query = join(words, n);
    if (!query)
        return cli_error("search", EXIT_FAIL, "out of memory");
    const char *path = cli_index_path(a.co.index);
    int xap = cli_backend_xapian("search", &a.co);
    if (xap >= 0 && a.remote && a.co.backend && !xap)
        xap = -1, cli_error("search", EXIT_USAGE, "--remote searches Xapian shards: it needs --backend xapian");
    if (xap < 0 || xap || a.remote) {
        int c = xap < 0 ? EXIT_USAGE : search_xapian(&a, path, query, &o, colour);
        free(query);
        return c;
    }
    int code = EXIT_FAIL;
    mg_searcher *s = NULL;
    mg_results *r = NULL;
    if (access(path, F_OK) != 0) {
        cli_error("search", EXIT_FAIL, "no index at '%s' (create one with: morgue index -i %s PATH...)", path, path);
        goto out;
    }
    int rc = mg_searcher_open_path(path, &s);
    if (rc != MG_OK) {
        cli_error("search", EXIT_FAIL, "cannot open index '%s': %s", path, s ? mg_searcher_errmsg(s) : mg_strerror(rc));
        goto out;
    }
    rc = mg_search(s, query, &o, &r);
    if (rc == MG_ESYNTAX) {
        size_t col = r ? mg_results_error_column(r) : 0;
        const char *msg = r ? mg_results_errmsg(r) : mg_strerror(rc);
        if (col && !strstr(msg, "column"))
            cli_error("search", EXIT_USAGE, "bad query at column %zu: %s", col, msg);
        else
            cli_error("search", EXIT_USAGE, "bad query: %s", msg);
        code = EXIT_USAGE;
        goto out;
    }
    if (rc != MG_OK) {
        cli_error("search", EXIT_FAIL, "%s", r && *mg_results_errmsg(r) ? mg_results_errmsg(r) : mg_strerror(rc));
        goto out;
    }
    page pg = { r, mg_results_count(r), mg_hit_at, mg_results_total(r), mg_results_total_is_estimate(r) };
    code = print_page(query, &pg, &o, a.json, colour);
out:
    mg_results_free(r);
    mg_searcher_close(s);
    free(query);
    return code;
}

const cli_cmd CMD_SEARCH = {
    "search",
    "[-i INDEX] [-n K] [--offset N] [--sort relevance|date|oldest] [--since D] [--until D] [--and] [--json]\n"
    "       [--backend xapian] [--remote HOST:PORT,...] QUERY...",
    "search an index; ranked hits with highlighted snippets",
    "Runs QUERY (the words are joined with spaces; see \"Query language\" in README.md)\n"
    "and prints the best hits: title, date, source, id, score and a snippet with the\n"
    "matching words highlighted (in colour on a terminal, [like this] otherwise).\n"
    "Words starting with '-' that are not options are part of the query (oil -opec);\n"
    "after -- everything is. Dates take the forms morgue index understands\n"
    "(1987-02-26, 26 Feb 1987, 1987-02, 1987, ...).\n"
    "--json prints {\"query\",\"total\",\"hits\":[{\"id\",\"score\",\"title\",\"date\",\"url\",\n"
    "\"source\",\"snippet\"}]} with ISO 8601 dates and <b></b> around matches in snippets.\n"
    "Exit status 0 also when nothing matched; 2 for a malformed query.",
    "  morgue search oil prices                    # any word, best first\n"
    "  morgue search '\"oil prices\"'                # a phrase\n"
    "  morgue search --and cocoa brazil -n 5\n"
    "  morgue search --since 1987-03 --until 1987-03 --sort oldest wheat\n"
    "  morgue search --json -n 3 gold | jq '.hits[].title'\n",
    cmd_search,
};

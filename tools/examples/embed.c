/* embed.c — the smallest useful program on libmorgue's public API: opens an
 * index read-only, runs one query and prints the hits.  Built by `make`
 * against the shared library (build/examples/embed); see "Embedding" in
 * README.md.
 *
 *   usage: embed INDEX [-n K] QUERY...
 *   e.g.   build/examples/embed indexes/sotu -n 3 '"new deal"' recovery
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <morgue.h>

/* Joins argv[from..argc) with spaces into one query string (caller frees). */
static char *join_args(int argc, char **argv, int from)
{
    size_t len = 1;
    for (int i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *q = calloc(1, len);
    for (int i = from; q && i < argc; i++) {
        if (i > from)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    return q;
}

static void print_hit(size_t rank, const mg_hit *h)
{
    char day[16] = "no date";
    if (h->date != MG_NO_DATE) {
        time_t t = (time_t)h->date;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(day, sizeof day, "%Y-%m-%d", &tm);
    }
    printf("%zu. %s  (%s, score %.3f, id %s)\n", rank, h->title ? h->title : "(untitled)", day,
           h->score, h->id);
    if (h->snippet && *h->snippet)
        printf("   %s\n", h->snippet);
}

int main(int argc, char **argv)
{
    int first = 2;
    mg_search_options opt;
    mg_search_options_init(&opt);         /* k = 10, relevance, snippets */
    if (argc > 3 && strcmp(argv[2], "-n") == 0) {
        opt.limit = (size_t)strtoul(argv[3], NULL, 10);
        first = 4;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: %s INDEX [-n K] QUERY...   (libmorgue %s)\n", argv[0],
                mg_version());
        return 2;
    }

    mg_searcher *s = NULL;                /* a snapshot of the last commit */
    int rc = mg_searcher_open_path(argv[1], &s);
    if (rc != MG_OK) {
        fprintf(stderr, "%s: %s: %s\n", argv[1], mg_strerror(rc),
                s ? mg_searcher_errmsg(s) : "out of memory");
        mg_searcher_close(s);
        return 1;
    }

    char *query = join_args(argc, argv, first);
    mg_results *r = NULL;                 /* set even on error */
    rc = query ? mg_search(s, query, &opt, &r) : MG_ENOMEM;
    if (rc != MG_OK) {
        fprintf(stderr, "query error: %s", r ? mg_results_errmsg(r) : mg_strerror(rc));
        if (r && mg_results_error_column(r))
            fprintf(stderr, " (column %zu)", mg_results_error_column(r));
        fprintf(stderr, "\n");
    } else {
        printf("%llu match%s for %s%s\n", (unsigned long long)mg_results_total(r),
               mg_results_total(r) == 1 ? "" : "es", query,
               mg_results_total_is_estimate(r) ? " (estimated)" : "");
        for (size_t i = 0; i < mg_results_count(r); i++)
            print_hit(opt.offset + i + 1, mg_results_hit(r, i));
    }
    mg_results_free(r);                   /* hits and their strings go too */
    free(query);
    mg_searcher_close(s);
    return rc == MG_OK ? 0 : 1;
}

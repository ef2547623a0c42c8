/* cmd_get.c — `morgue get ID`: prints a stored article (header lines and
 * the body, or one JSON object with --json). */
#include "cli/cli.h"
#include "cli/results_json.h"
#include "ingest/date.h"

#include <stdio.h>
#include <stdlib.h>

static void field(const char *name, const char *v)
{
    if (v && *v)
        printf("%-8s %s\n", name, v);
}

int cmd_get(int argc, char **argv)
{
    cli_common co = { 0 };
    int json = 0;
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&co),
        { 0, "json", OPT_FLAG, NULL, "print one JSON object", &json, NULL },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **ids;
    int n;
    int prc = cli_parse(&CMD_GET, opts, 0, argc, argv, &ids, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n != 1)
        return cli_error("get", EXIT_USAGE, n ? "give exactly one ID" : "no ID given");
    const char *path = cli_index_path(co.index);
    int xap = cli_backend_xapian("get", &co);
    if (xap < 0)
        return EXIT_USAGE;
    mg_index *ix = NULL;
    mg_doc *d = NULL, xd;
    void *xown = NULL; /* what xd points into (--backend xapian) */
    int rc;
    if (xap) {
        rc = cli_xapian_get("get", path, ids[0], &xd.a, &xown);
        if (rc != MG_OK && rc != MG_ENOTFOUND)
            return EXIT_FAIL; /* printed */
        if (rc == MG_OK)
            d = &xd;
    } else {
        ix = cli_open_ro("get", path);
        if (!ix)
            return EXIT_FAIL;
        rc = mg_index_get(ix, ids[0], &d);
    }
    int code = EXIT_OK;
    if (rc == MG_ENOTFOUND) {
        code = cli_error("get", EXIT_FAIL, "no article with id '%s' in %s", ids[0], path);
    } else if (rc != MG_OK) {
        code = cli_error("get", EXIT_FAIL, "%s", mg_errmsg(ix));
    } else if (json) {
        char *js = article_to_json(&d->a);
        if (js)
            printf("%s\n", js);
        else
            code = cli_error("get", EXIT_FAIL, "out of memory");
        free(js);
    } else {
        char iso[40];
        field("id", d->a.id);
        field("title", d->a.title);
        if (d->a.date != MG_NO_DATE) {
            date_format_iso(d->a.date, iso, sizeof iso);
            field("date", iso);
        }
        field("source", d->a.source);
        field("section", d->a.section);
        field("author", d->a.author);
        field("url", d->a.url);
        if (d->a.body && *d->a.body)
            printf("\n%s\n", d->a.body);
    }
    if (!xap)
        mg_doc_free(d);
    cli_xapian_free(xown);
    mg_index_close(ix);
    return code;
}

const cli_cmd CMD_GET = {
    "get",
    "[-i INDEX] [--json] ID",
    "print a stored article",
    "Prints the article with this id as stored: id, title, date, source, section,\n"
    "author and url lines, a blank line, then the body. --json prints one object\n"
    "{\"id\",\"title\",\"date\",\"url\",\"source\",\"section\",\"author\",\"body\"}.",
    "  morgue get reuters-1\n"
    "  morgue get --json sotu-1941 | jq -r .body | less\n",
    cmd_get,
};

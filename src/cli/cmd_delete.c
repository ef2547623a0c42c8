/* cmd_delete.c — `morgue delete ID...`: removes articles by id and
 * commits.  Ids that are not in the index are reported (exit 1) but do not
 * stop the others from being deleted. */
#include "cli/cli.h"

#include <stdio.h>
#include <unistd.h>

int cmd_delete(int argc, char **argv)
{
    cli_common co = { 0 };
    int quiet = 0;
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&co),
        { 'q', "quiet", OPT_FLAG, NULL, "no summary", &quiet, NULL },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **ids;
    int n;
    int prc = cli_parse(&CMD_DELETE, opts, 0, argc, argv, &ids, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n == 0)
        return cli_error("delete", EXIT_USAGE, "no ID given");
    const char *path = cli_index_path(co.index);
    int xap = cli_backend_xapian("delete", &co);
    if (xap)
        return xap < 0 ? EXIT_USAGE : cli_xapian_delete(path, ids, n, quiet);
    if (access(path, F_OK) != 0)
        return cli_error("delete", EXIT_FAIL, "no index at '%s'", path);
    mg_index *ix = NULL;
    int rc = mg_index_open(path, MG_WRITE, NULL, &ix);
    if (rc != MG_OK) {
        cli_error("delete", EXIT_FAIL, "cannot open index '%s' for writing: %s", path,
                  ix ? mg_errmsg(ix) : mg_strerror(rc));
        mg_index_close(ix);
        return EXIT_FAIL;
    }
    int deleted = 0, missing = 0, code = EXIT_OK;
    for (int i = 0; i < n && code == EXIT_OK; i++) {
        rc = mg_index_delete(ix, ids[i]);
        if (rc == MG_OK)
            deleted++;
        else if (rc == MG_ENOTFOUND)
            missing++, cli_error("delete", EXIT_FAIL, "no article with id '%s'", ids[i]);
        else
            code = cli_error("delete", EXIT_FAIL, "%s", mg_errmsg(ix));
    }
    if (code == EXIT_OK && deleted && (rc = mg_index_commit(ix)) != MG_OK)
        code = cli_error("delete", EXIT_FAIL, "commit failed: %s", mg_errmsg(ix));
    if (code == EXIT_OK && !quiet)
        printf("deleted %d article%s from %s\n", deleted, deleted == 1 ? "" : "s", path);
    mg_index_close(ix);
    return code != EXIT_OK ? code : missing ? EXIT_FAIL : EXIT_OK;
}

const cli_cmd CMD_DELETE = {
    "delete",
    "[-i INDEX] [-q] ID...",
    "remove articles by id",
    "Deletes each article ID and commits. An ID that is not in the index is reported\n"
    "and makes the exit status 1; the other ids are still deleted.",
    "  morgue delete reuters-17 reuters-18\n"
    "  morgue search --json -n 100 spam | jq -r '.hits[].id' | xargs morgue delete\n",
    cmd_delete,
};

/* cmd_check.c — `morgue check`: verifies every file of the last commit
 * (magic numbers, versions, checksums, structure); exit 1 on damage. */
#include "cli/cli.h"

#include <stdio.h>

int cmd_check(int argc, char **argv)
{
    cli_common co = { 0 };
    int quiet = 0;
    const cli_opt opts[] = {
        CLI_COMMON_OPTS(&co),
        { 'q', "quiet", OPT_FLAG, NULL, "print nothing when the index is sound", &quiet, NULL },
        { 0, NULL, 0, NULL, NULL, NULL, NULL },
    };
    char **pos;
    int n;
    int prc = cli_parse(&CMD_CHECK, opts, 0, argc, argv, &pos, &n);
    if (prc != CLI_PROCEED)
        return prc;
    if (n)
        return cli_error("check", EXIT_USAGE, "unexpected argument '%s'", pos[0]);
    const char *path = cli_index_path(co.index);
    int xap = cli_backend_xapian("check", &co);
    if (xap)
        return xap < 0 ? EXIT_USAGE
                       : cli_error("check", EXIT_FAIL, "--backend xapian: morgue cannot check a Xapian "
                                   "database; Xapian's own checker does: xapian-check %s", path);
    mg_index *ix = cli_open_ro("check", path);
    if (!ix)
        return EXIT_FAIL;
    int rc = mg_index_check(ix);
    int code = EXIT_OK;
    if (rc != MG_OK) {
        code = cli_error("check", EXIT_FAIL, "%s is damaged: %s", path, mg_errmsg(ix));
    } else if (!quiet) {
        mg_stats s;
        char a[32];
        if (mg_index_stats(ix, &s) == MG_OK)
            printf("ok: %s verified (%s article%s, %u segment%s, commit %llu)\n", path,
                   cli_count(s.docs, a, sizeof a), s.docs == 1 ? "" : "s", s.segments,
                   s.segments == 1 ? "" : "s",
                   (unsigned long long)s.generation);
        else
            printf("ok: %s verified\n", path);
    }
    mg_index_close(ix);
    return code;
}

const cli_cmd CMD_CHECK = {
    "check",
    "[-i INDEX] [-q]",
    "verify every checksum and structure of an index",
    "Reads every file of the index's last commit and verifies magic numbers, format\n"
    "versions, checksums and structure. Exit status 0 when sound, 1 (with the first\n"
    "damaged file and offset named) when not.",
    "  morgue check\n"
    "  morgue check -i reuters -q || echo damaged\n",
    cmd_check,
};

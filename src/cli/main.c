/* main.c — the `morgue` command: global --help/--version, then dispatch to
 * one subcommand (one file each: cmd_index.c, cmd_search.c, ...). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "morgue.h"
#include "serve/serve.h"

static const cli_cmd *const COMMANDS[] = {
    &CMD_INDEX, &CMD_SEARCH, &CMD_GET, &CMD_DELETE, &CMD_STATS, &CMD_CHECK, &CMD_SERVE,
};
#define NCOMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

static void usage(FILE *f)
{
    fprintf(f, "usage: morgue COMMAND [OPTIONS] [ARGS]\n\n"
               "morgue is a full-text search engine for news archives.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s %s\n", COMMANDS[i]->name, COMMANDS[i]->summary);
    fprintf(f, "\n`morgue COMMAND --help` shows a command's options and examples.\n"
               "The index is indexes/default unless $MORGUE_INDEX or -i INDEX names another.\n"
               "Exit status: 0 success (also when nothing matched), 1 failure, 2 usage error,\n"
               "130 interrupted.\n\n"
               "examples:\n"
               "  morgue index ~/news                 index a folder of articles\n"
               "  morgue search oil prices            search it\n"
               "  morgue search --json '\"oil prices\"' | jq .\n"
               "  morgue --version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0 || strcmp(c, "version") == 0) {
        printf("morgue %s\n", mg_version());
        return EXIT_OK;
    }
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        if (argc > 2) /* `morgue help search` */
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (strcmp(argv[2], COMMANDS[i]->name) == 0) {
                    char *sub[] = { argv[2], "--help", NULL };
                    return COMMANDS[i]->run(2, sub);
                }
        usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(c, COMMANDS[i]->name) == 0)
            return COMMANDS[i]->run(argc - 1, argv + 1);
    cli_error(NULL, EXIT_USAGE, "unknown command '%s' (see morgue --help)", c);
    return EXIT_USAGE;
}

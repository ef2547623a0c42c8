/* main.c — the `morgue` command: dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "morgue.h"

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--version") == 0)) {
        printf("morgue %s\n", mg_version());
        return 0;
    }
    fprintf(stderr, "usage: morgue COMMAND [ARGS]  (commands are being built)\n");
    return 2;
}

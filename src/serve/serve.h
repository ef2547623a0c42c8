/* serve.h — `morgue serve`: an HTTP/JSON front end to one index, built on
 * libmicrohttpd with a thread pool.  See README.md ("HTTP server"). */
#ifndef MG_SERVE_SERVE_H
#define MG_SERVE_SERVE_H

#include "cli/cli.h"

/* Runs the server until SIGINT or SIGTERM.  argv[0] is "serve".
 * Returns the process exit status: 0 after a clean stop, 1 when the index
 * cannot be opened or the port cannot be bound, 2 for a usage error. */
int serve_main(int argc, char **argv);

/* The `serve` entry of the morgue command's table (run = serve_main). */
extern const cli_cmd CMD_SERVE;

#endif

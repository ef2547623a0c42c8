/* cli.h — what the `morgue` subcommands share: a small option-table parser
 * (so a new option is one table line), the index location rule, one-line
 * error messages and the exit codes. */
#ifndef MG_CLI_CLI_H
#define MG_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "morgue.h"

/* Exit codes. */
enum {
    EXIT_OK = 0,          /* success, also "nothing matched" */
    EXIT_FAIL = 1,        /* anything else that went wrong */
    EXIT_USAGE = 2,       /* bad command line or query syntax */
    EXIT_INTERRUPTED = 130 /* stopped by SIGINT/SIGTERM (128 + SIGINT) */
};

/* Option kinds. */
enum { OPT_FLAG, OPT_ARG };

typedef struct cli_opt {
    char        shortname;  /* 'n' for -n, or 0 */
    const char *longname;   /* "limit" for --limit, or NULL */
    int         kind;       /* OPT_FLAG or OPT_ARG */
    const char *argname;    /* "K" in the help, for OPT_ARG */
    const char *help;       /* one line */
    int        *flag;       /* OPT_FLAG: set to 1 */
    const char **value;     /* OPT_ARG: the argument (last one wins) */
} cli_opt;

/* A command: its name, usage line, description, examples, option table
 * (ending with an all-zero entry) and whether words starting with '-' that
 * are not options are positionals (query words like -opec). */
typedef struct cli_cmd {
    const char    *name;
    const char    *usage;      /* after "morgue NAME " */
    const char    *summary;    /* one line for `morgue --help` */
    const char    *details;    /* paragraph(s) for `morgue NAME --help` */
    const char    *examples;   /* lines for `morgue NAME --help` */
    int          (*run)(int argc, char **argv);
} cli_cmd;

/* Options every command that touches an index accepts.  CLI_COMMON_OPTS
 * expands to table lines; commands embed it in their tables so that an
 * option added here (another backend, a remote) reaches all of them. */
typedef struct cli_common {
    const char *index;   /* -i/--index */
    int         help;    /* -h/--help */
    const char *backend; /* --backend morgue|xapian (NULL: morgue) */
} cli_common;

#define CLI_COMMON_OPTS(c)                                                                   \
    { 'i', "index", OPT_ARG, "INDEX", "indexes/INDEX, or a path if it has a '/' "            \
      "(default: $MORGUE_INDEX, else indexes/default)", NULL, &(c)->index },                 \
    { 0, "backend", OPT_ARG, "NAME", "morgue (default) or xapian: a Xapian database built "  \
      "with morgue's analysis (README: Xapian remote shards)", NULL, &(c)->backend },        \
    { 'h', "help", OPT_FLAG, NULL, "show this help", &(c)->help, NULL }

/* Parses argv[1..argc) of command `cmd` against opts.  Positionals are
 * moved to pos (argv's own storage), their count to *npos.  Returns
 * CLI_PROCEED when the command should run; otherwise the exit status to
 * return: EXIT_OK after printing the help (--help was given), EXIT_USAGE
 * after printing a one-line error.  "--" ends options;
 * "-" alone is a positional. */
#define CLI_PROCEED (-1)
int cli_parse(const cli_cmd *cmd, const cli_opt *opts, int dash_words, int argc, char **argv,
              char ***pos, int *npos);

/* Prints `morgue NAME --help` (usage, details, options, examples). */
void cli_help(const cli_cmd *cmd, const cli_opt *opts);

/* Prints "morgue CMD: message" on stderr (one line) and returns code. */
int cli_error(const char *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The index directory for -i value v (NULL: $MORGUE_INDEX or the default):
 * a value without '/' is a name under indexes/.  Static storage. */
const char *cli_index_path(const char *v);

/* Parses a count option; EXIT_USAGE (printed) when not a number. */
int cli_number(const char *cmd, const char *opt, const char *s, uint64_t *out);

/* Opens the index read-only for cmd; prints a one-line error and returns
 * NULL on failure (a missing index is named as such). */
mg_index *cli_open_ro(const char *cmd, const char *path);

/* Human sizes: "1.5 MB" (decimal units) into out. */
const char *cli_bytes(uint64_t n, char *out, size_t len);
/* 1234567 -> "1,234,567". */
const char *cli_count(uint64_t n, char *out, size_t len);

/* --backend (cli_xapian.c): 1 for xapian, 0 for morgue, or -1 after
 * printing a usage error for any other name. */
int cli_backend_xapian(const char *cmd, const cli_common *co);
/* The Xapian side of get, delete and stats, for the commands to print as
 * they print morgue's.  get: *a points into *owner (free with
 * cli_xapian_free); MG_ENOTFOUND when there is no such id.  delete: like
 * morgue delete (prints, returns an exit code).  Errors other than
 * MG_ENOTFOUND are printed; the return value is an MG_* code. */
int  cli_xapian_get(const char *cmd, const char *path, const char *id, mg_article *a, void **owner);
void cli_xapian_free(void *owner);
int  cli_xapian_stats(const char *cmd, const char *path, mg_stats *out);
int  cli_xapian_delete(const char *path, char **ids, int n, int quiet);

/* Commands. */
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_get(int argc, char **argv);

extern const cli_cmd CMD_INDEX, CMD_SEARCH, CMD_STATS, CMD_CHECK, CMD_DELETE, CMD_GET;

#endif

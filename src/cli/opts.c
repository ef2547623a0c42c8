/* opts.c — the option-table parser, help printer and small helpers every
 * `morgue` command uses (see cli.h). */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_error(const char *cmd, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++) /* one line, always */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "morgue%s%s: %s\n", cmd ? " " : "", cmd ? cmd : "", msg);
    return code;
}

static const cli_opt *find_long(const cli_opt *o, const char *name, size_t n)
{
    for (; o->shortname || o->longname; o++)
        if (o->longname && strlen(o->longname) == n && strncmp(o->longname, name, n) == 0)
            return o;
    return NULL;
}

static const cli_opt *find_short(const cli_opt *o, char c)
{
    for (; o->shortname || o->longname; o++)
        if (o->shortname == c)
            return o;
    return NULL;
}

int cli_parse(const cli_cmd *cmd, const cli_opt *opts, int dash_words, int argc, char **argv,
              char ***pos, int *npos)
{
    int np = 0, only_pos = 0;
    char **out = argv + 1; /* positionals are compacted in place */
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            out[np++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        const cli_opt *o;
        const char *inline_val = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            o = find_long(opts, a + 2, n);
            if (eq)
                inline_val = eq + 1;
        } else {
            o = find_short(opts, a[1]);
            if (o && a[2]) {
                if (o->kind == OPT_ARG)
                    inline_val = a + 2;
                else
                    o = NULL;
            }
        }
        if (!o) {
            if (dash_words && a[1] != '-') {
                out[np++] = a;
                continue;
            }
            return cli_error(cmd->name, EXIT_USAGE, "unknown option '%s' (see morgue %s --help)", a,
                             cmd->name);
        }
        if (o->kind == OPT_FLAG) {
            if (inline_val)
                return cli_error(cmd->name, EXIT_USAGE, "option '%s' takes no value", a);
            *o->flag = 1;
            continue;
        }
        if (!inline_val) {
            if (i + 1 >= argc)
                return cli_error(cmd->name, EXIT_USAGE, "option '%s' needs a value (%s)", a, o->argname);
            inline_val = argv[++i];
        }
        *o->value = inline_val;
    }
    *pos = out;
    *npos = np;
    const cli_opt *h = find_long(opts, "help", 4);
    if (h && h->flag && *h->flag) {
        cli_help(cmd, opts);
        return EXIT_OK;
    }
    return CLI_PROCEED;
}

void cli_help(const cli_cmd *cmd, const cli_opt *opts)
{
    printf("usage: morgue %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->details);
    printf("\noptions:\n");
    for (const cli_opt *o = opts; o->shortname || o->longname; o++) {
        char left[64];
        int n = 0;
        if (o->shortname)
            n += snprintf(left + n, sizeof left - (size_t)n, "-%c", o->shortname);
        if (o->longname)
            n += snprintf(left + n, sizeof left - (size_t)n, "%s--%s", o->shortname ? ", " : "    ",
                          o->longname);
        if (o->kind == OPT_ARG)
            snprintf(left + n, sizeof left - (size_t)n, " %s", o->argname);
        printf("  %-24s %s\n", left, o->help);
    }
    if (cmd->examples && *cmd->examples)
        printf("\nexamples:\n%s", cmd->examples);
}

const char *cli_index_path(const char *v)
{
    static char path[4096];
    if (!v || !*v)
        v = getenv("MORGUE_INDEX");
    if (!v || !*v)
        v = "default";
    if (strchr(v, '/'))
        snprintf(path, sizeof path, "%s", v);
    else
        snprintf(path, sizeof path, "indexes/%s", v);
    return path;
}

int cli_number(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        goto bad;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        goto bad;
    *out = v;
    return 0;
bad:
    return cli_error(cmd, EXIT_USAGE, "%s expects a whole number, got '%s'", opt, s ? s : "");
}

mg_index *cli_open_ro(const char *cmd, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error(cmd, EXIT_FAIL, "no index at '%s' (create one with: morgue index -i %s PATH...)", path, path);
        return NULL;
    }
    mg_index *ix = NULL;
    int rc = mg_index_open(path, MG_RDONLY, NULL, &ix);
    if (rc != MG_OK) {
        cli_error(cmd, EXIT_FAIL, "cannot open index '%s': %s", path, ix ? mg_errmsg(ix) : mg_strerror(rc));
        mg_index_close(ix);
        return NULL;
    }
    return ix;
}

const char *cli_bytes(uint64_t n, char *out, size_t len)
{
    static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 4)
        v /= 1000, u++;
    if (u == 0)
        snprintf(out, len, "%llu B", (unsigned long long)n);
    else
        snprintf(out, len, "%.1f %s", v, unit[u]);
    return out;
}

const char *cli_count(uint64_t n, char *out, size_t len)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n);
    size_t w = 0;
    for (int i = 0; i < k && w + 2 < len; i++) {
        if (i > 0 && (k - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = tmp[i];
    }
    out[w] = '\0';
    return out;
}

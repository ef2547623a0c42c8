/* cli_xapian.c — `--backend xapian` for the commands: the choice of backend
 * and the Xapian side of get, delete and stats (src/xapian/xbackend.h).
 * index and search call xbackend directly. */
#include "cli/cli.h"
#include "xapian/xbackend.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cli_backend_xapian(const char *cmd, const cli_common *co)
{
    if (!co->backend || strcmp(co->backend, "morgue") == 0)
        return 0;
    if (strcmp(co->backend, "xapian") == 0)
        return 1;
    cli_error(cmd, EXIT_USAGE, "--backend must be morgue or xapian, not '%s'", co->backend);
    return -1;
}

static xb_searcher *open_ro(const char *cmd, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error(cmd, EXIT_FAIL, "no Xapian database at '%s' (create one with: morgue index --backend xapian -i %s PATH...)",
                  path, path);
        return NULL;
    }
    xb_searcher *s = NULL;
    errbuf e;
    if (xb_searcher_open(path, &s, &e) != MG_OK) {
        cli_error(cmd, EXIT_FAIL, "cannot open Xapian database '%s': %s", path, e.msg);
        return NULL;
    }
    return s;
}

int cli_xapian_get(const char *cmd, const char *path, const char *id, mg_article *a, void **owner)
{
    *owner = NULL;
    xb_searcher *s = open_ro(cmd, path);
    if (!s)
        return MG_EIO;
    xb_results *r = NULL;
    errbuf e;
    int rc = xb_get(s, id, &r, &e);
    xb_searcher_close(s);
    if (rc == MG_ENOTFOUND)
        return rc;
    if (rc != MG_OK) {
        cli_error(cmd, EXIT_FAIL, "%s", e.msg);
        return rc;
    }
    const mg_hit *h = xb_results_hit(r, 0);
    memset(a, 0, sizeof *a);
    a->id = h->id;
    a->url = h->url;
    a->title = h->title;
    a->body = h->body;
    a->source = h->source;
    a->section = h->section;
    a->author = h->author;
    a->date = h->date;
    *owner = r;
    return MG_OK;
}

void cli_xapian_free(void *owner) { xb_results_free(owner); }

/* Bytes of the files directly in dir (a glass database is flat). */
static uint64_t dir_bytes(const char *dir)
{
    uint64_t total = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[4096];
    struct stat st;
    while (d && (de = readdir(d)) != NULL) {
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            total += (uint64_t)st.st_size;
    }
    if (d)
        closedir(d);
    return total;
}

int cli_xapian_stats(const char *cmd, const char *path, mg_stats *out)
{
    xb_searcher *s = open_ro(cmd, path);
    if (!s)
        return MG_EIO;
    errbuf e;
    int rc = xb_stats(s, out, &e);
    xb_searcher_close(s);
    out->bytes_total = dir_bytes(path);
    if (rc != MG_OK)
        cli_error(cmd, EXIT_FAIL, "%s", e.msg);
    return rc;
}

int cli_xapian_delete(const char *path, char **ids, int n, int quiet)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return cli_error("delete", EXIT_FAIL, "no Xapian database at '%s'", path);
    xb_writer *w = NULL;
    errbuf e;
    if (xb_writer_open(path, 0, NULL, &w, &e) != MG_OK)
        return cli_error("delete", EXIT_FAIL, "cannot open Xapian database '%s' for writing: %s", path, e.msg);
    int deleted = 0, missing = 0, code = EXIT_OK;
    for (int i = 0; i < n && code == EXIT_OK; i++) {
        int rc = xb_writer_delete(w, ids[i], &e);
        if (rc == MG_OK)
            deleted++;
        else if (rc == MG_ENOTFOUND)
            missing++, cli_error("delete", EXIT_FAIL, "no article with id '%s'", ids[i]);
        else
            code = cli_error("delete", EXIT_FAIL, "%s", e.msg);
    }
    if (code == EXIT_OK && deleted && xb_writer_commit(w, &e) != MG_OK)
        code = cli_error("delete", EXIT_FAIL, "commit failed: %s", e.msg);
    if (code == EXIT_OK && !quiet)
        printf("deleted %d article%s from %s\n", deleted, deleted == 1 ? "" : "s", path);
    xb_writer_close(w);
    return code != EXIT_OK ? code : missing ? EXIT_FAIL : EXIT_OK;
}

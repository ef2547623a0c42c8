/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "morgue.h"

char *tu_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/morgue-test-XXXXXX", t && *t ? t : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

void tu_rmrf(const char *path)
{
    if (!path || !*path || strcmp(path, "/") == 0)
        return;
    tu_sh(NULL, NULL, "rm -rf '%s'", path);
}

const char *tu_shared_dir(void)
{
    static char dir[4096];
    const char *s = getenv("MORGUE_SHARED");
    if (!s || !*s)
        s = "../shared";
    snprintf(dir, sizeof dir, "%s/corpora", s);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    snprintf(dir, sizeof dir, "%s", s);
    return dir;
}

const char *tu_corpus(const char *rel)
{
    static char path[4096];
    const char *s = tu_shared_dir();
    if (!s)
        return NULL;
    snprintf(path, sizeof path, "%s/corpora/%s", s, rel);
    return path;
}

const char *tu_morgue_bin(void)
{
    const char *b = getenv("MORGUE_BIN");
    return b && *b ? b : "build/morgue";
}

static char *slurp(FILE *f)
{
    size_t cap = 4096, len = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    size_t n;
    while ((n = fread(p + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
    }
    p[len] = '\0';
    return p;
}

int tu_sh(char **out, char **err, const char *fmt, ...)
{
    char cmd[16384], errpath[64] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[17000];
    if (err) {
        snprintf(errpath, sizeof errpath, "/tmp/morgue-test-err-XXXXXX");
        int fd = mkstemp(errpath);
        assert_true(fd >= 0);
        close(fd);
        snprintf(full, sizeof full, "(%s) 2>%s", cmd, errpath);
    } else {
        snprintf(full, sizeof full, "%s", cmd);
    }
    FILE *f = popen(full, "r");
    assert_non_null(f);
    char *o = slurp(f);
    int st = pclose(f);
    if (out)
        *out = o;
    else
        free(o);
    if (err) {
        FILE *ef = fopen(errpath, "r");
        *err = ef ? slurp(ef) : strdup("");
        if (ef)
            fclose(ef);
        unlink(errpath);
    }
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

void tu_write(const char *path, const void *data, size_t len)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        tu_sh(NULL, NULL, "mkdir -p '%s'", dir);
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void tu_writef(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    tu_write(path, s, (size_t)n);
    free(s);
}

uint64_t tu_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ULL;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

mg_index *tu_open_unmerged(const char *dir)
{
    mg_open_options o;
    mg_open_options_init(&o);
    o.no_merge = 1;
    mg_index *ix = NULL;
    if (mg_index_open(dir, MG_WRITE | MG_CREATE, &o, &ix) != MG_OK) {
        mg_index_close(ix);
        return NULL;
    }
    return ix;
}

void tu_pin_one_cpu(void *old)
{
    cpu_set_t *was = old, one;
    assert_int_equal(sched_getaffinity(0, sizeof *was, was), 0);
    int first = 0;
    while (!CPU_ISSET(first, was))
        first++;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
}

void tu_unpin(const void *old)
{
    assert_int_equal(sched_setaffinity(0, sizeof(cpu_set_t), old), 0);
}

/* fileio.c — see fileio.h. */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
    return out;
}

int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Opens path read-only and stats it: MG_OK with *fd open, or an error
 * (MG_ENOTFOUND when it does not exist) with nothing left open. */
static int open_stat(const char *path, struct stat *st, int *fd, errbuf *e)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return err_errno(e, errno == ENOENT ? MG_ENOTFOUND : MG_EIO, "%s", path);
    if (fstat(*fd, st) != 0) {
        close(*fd);
        *fd = -1;
        return err_errno(e, MG_EIO, "%s", path);
    }
    return MG_OK;
}

int file_read_all(const char *path, uint8_t **data, size_t *len, errbuf *e)
{
    *data = NULL;
    *len = 0;
    struct stat st;
    int fd, rc = open_stat(path, &st, &fd, e);
    if (rc)
        return rc;
    size_t n = (size_t)st.st_size;
    uint8_t *p = calloc(1, n + 16);
    if (!p) {
        close(fd);
        return err_set(e, MG_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(p);
            close(fd);
            return r < 0 ? err_errno(e, MG_EIO, "%s", path)
                         : err_set(e, MG_EIO, "%s: file shrank while reading", path);
        }
        got += (size_t)r;
    }
    close(fd);
    *data = p;
    *len = n;
    return MG_OK;
}

static int write_full(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int file_fsync_path(const char *path, errbuf *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_errno(e, MG_EIO, "%s", path);
    int rc = fsync(fd);
    close(fd);
    if (rc != 0)
        return err_errno(e, MG_EIO, "fsync %s", path);
    return MG_OK;
}

int file_write_atomic(const char *path, const void *data, size_t len, errbuf *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return err_errno(e, MG_EIO, "%s", tmp);
    if (write_full(fd, data, len) != 0 || fsync(fd) != 0) {
        err_errno(e, MG_EIO, "writing %s", tmp);
        close(fd);
        unlink(tmp);
        return MG_EIO;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        err_errno(e, MG_EIO, "rename %s", tmp);
        unlink(tmp);
        return MG_EIO;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    return file_fsync_path(dirname(dir), e);
}

int file_mkdirs(const char *path, errbuf *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return err_errno(e, MG_EIO, "mkdir %s", tmp);
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return err_errno(e, MG_EIO, "mkdir %s", tmp);
    return MG_OK;
}

int file_map(const char *path, mapping *m, errbuf *e)
{
    m->p = NULL;
    m->len = 0;
    struct stat st;
    int fd, rc = open_stat(path, &st, &fd, e);
    if (rc)
        return rc;
    if (st.st_size == 0) {
        close(fd);
        return MG_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return err_errno(e, MG_EIO, "mmap %s", path);
    m->p = p;
    m->len = (size_t)st.st_size;
    return MG_OK;
}

void file_unmap(mapping *m)
{
    if (m->p)
        munmap((void *)m->p, m->len);
    m->p = NULL;
    m->len = 0;
}

int file_lock(const char *path, errbuf *e)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_errno(e, MG_EIO, "%s", path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        if (busy)
            err_set(e, MG_ELOCKED, "%s: another writer holds the index lock", path);
        else
            err_errno(e, MG_EIO, "flock %s", path);
        close(fd);
        return -1;
    }
    return fd;
}

void file_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

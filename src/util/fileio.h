/* fileio.h — the file operations durability rests on: whole-file reads,
 * crash-safe writes (temp file, fsync, rename, fsync of the directory),
 * read-only mappings, and an exclusive lock file. */
#ifndef MG_UTIL_FILEIO_H
#define MG_UTIL_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include "util/err.h"

/* Reads a whole file into a malloc'd buffer with 16 zero bytes of padding
 * after it (so decoders can over-read safely).  MG_OK or MG_EIO/MG_ENOTFOUND. */
int file_read_all(const char *path, uint8_t **data, size_t *len, errbuf *e);

/* Writes data to path atomically: path.tmp, fsync, rename, fsync(dir).
 * After a crash, path holds either the old or the new contents. */
int file_write_atomic(const char *path, const void *data, size_t len, errbuf *e);

/* fsyncs a file or directory by path. */
int file_fsync_path(const char *path, errbuf *e);

/* Creates a directory and its parents (like mkdir -p). */
int file_mkdirs(const char *path, errbuf *e);

/* 1 if path exists, 0 if not. */
int file_exists(const char *path);

/* A read-only mapping of a whole file.  An empty file maps to len 0, p NULL. */
typedef struct mapping {
    const uint8_t *p;
    size_t len;
} mapping;

int  file_map(const char *path, mapping *m, errbuf *e);
void file_unmap(mapping *m);

/* Takes an exclusive, non-blocking flock on path (created if missing).
 * Returns the descriptor, or -1 with e set (MG_ELOCKED when held). */
int file_lock(const char *path, errbuf *e);
void file_unlock(int fd);

/* path joined with name into out (size n); returns out. */
char *path_join(char *out, size_t n, const char *dir, const char *name);

#endif

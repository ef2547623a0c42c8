/* manifest.c — MANIFEST-<generation> files: the list of segments (and
 * their deletes generations) that make up one commit.  A commit is the
 * atomic appearance of a new manifest (util/fileio.h file_write_atomic:
 * temp file, fsync, rename, fsync of the directory).
 *
 * File name: MANIFEST-<generation as 16 hex digits>.
 * File format (little-endian):
 *   8 bytes   magic "MGMANIF\x1a"
 *   u32       format version (1)
 *   u32       0 (reserved)
 *   u64       generation (equal to the one in the name)
 *   u64       next segment id to allocate
 *   u8 len, len bytes   the index's language (stemmer name, < 32 bytes)
 *   u32       number of segments
 *   per segment, 32 bytes:
 *     u64 segment id, u32 ndocs, u32 ndeleted, u64 deletes generation
 *     (0 = no deletes file), u64 size of the segment file in bytes
 *   u32       crc32 of every byte before it
 */
#include "index/segment.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc.h"

#define MAN_MAGIC   "MGMANIF\x1a"
#define MAN_VERSION 1u

void man_free(manifest *m)
{
    free(m->seg);
    m->seg = NULL;
    m->nseg = 0;
}

static void man_path(char *out, size_t n, const char *dir, uint64_t gen)
{
    snprintf(out, n, "%s/MANIFEST-%016llx", dir, (unsigned long long)gen);
}

int man_write(const char *dir, const manifest *m, errbuf *e)
{
    buf b;
    buf_init(&b);
    buf_put(&b, MAN_MAGIC, 8);
    buf_put_le32(&b, MAN_VERSION);
    buf_put_le32(&b, 0);
    buf_put_le64(&b, m->gen);
    buf_put_le64(&b, m->next_seg);
    size_t ll = strlen(m->language);
    buf_put_u8(&b, (uint8_t)ll);
    buf_put(&b, m->language, ll);
    buf_put_le32(&b, m->nseg);
    for (uint32_t i = 0; i < m->nseg; i++) {
        buf_put_le64(&b, m->seg[i].id);
        buf_put_le32(&b, m->seg[i].ndocs);
        buf_put_le32(&b, m->seg[i].ndeleted);
        buf_put_le64(&b, m->seg[i].del_gen);
        buf_put_le64(&b, m->seg[i].bytes);
    }
    buf_put_le32(&b, crc32_update(0, b.p, b.len));
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MG_ENOMEM, "out of memory writing a manifest");
    }
    char path[4200];
    man_path(path, sizeof path, dir, m->gen);
    int rc = file_write_atomic(path, b.p, b.len, e);
    buf_free(&b);
    return rc;
}

int man_read(const char *dir, uint64_t gen, manifest *m, errbuf *e)
{
    memset(m, 0, sizeof *m);
    char path[4200];
    man_path(path, sizeof path, dir, gen);
    uint8_t *p;
    size_t n;
    int rc = file_read_all(path, &p, &n, e);
    if (rc != MG_OK)
        return rc;
    rd r = rd_make(p, n);
    const uint8_t *magic = rd_bytes(&r, 8);
    uint32_t ver = rd_le32(&r);
    if (!magic || memcmp(magic, MAN_MAGIC, 8) != 0) {
        rc = err_set(e, MG_ECORRUPT, "%s: offset 0: not a morgue manifest (bad magic)", path);
    } else if (ver != MAN_VERSION) {
        rc = err_set(e, MG_EVERSION, "%s: offset 8: manifest format version %u, this build reads %u",
                     path, ver, MAN_VERSION);
    } else if (n < 4 || crc32_update(0, p, n - 4) != le32(p + n - 4)) {
        rc = err_set(e, MG_ECORRUPT, "%s: offset %zu: checksum mismatch", path, n >= 4 ? n - 4 : 0);
    } else {
        rd_le32(&r);
        m->gen = rd_le64(&r);
        m->next_seg = rd_le64(&r);
        uint8_t ll = rd_u8(&r);
        const uint8_t *lang = rd_bytes(&r, ll);
        m->nseg = rd_le32(&r);
        if (r.bad || ll >= sizeof m->language || m->gen != gen ||
            (uint64_t)m->nseg * 32 != rd_left(&r) - 4) {
            rc = err_set(e, MG_ECORRUPT, "%s: offset %zu: malformed manifest", path,
                         (size_t)(r.p - p));
        } else {
            memcpy(m->language, lang, ll);
            m->language[ll] = '\0';
            m->seg = calloc(m->nseg ? m->nseg : 1, sizeof *m->seg);
            if (!m->seg)
                rc = err_set(e, MG_ENOMEM, "out of memory reading %s", path);
            for (uint32_t i = 0; rc == MG_OK && i < m->nseg; i++) {
                m->seg[i].id = rd_le64(&r);
                m->seg[i].ndocs = rd_le32(&r);
                m->seg[i].ndeleted = rd_le32(&r);
                m->seg[i].del_gen = rd_le64(&r);
                m->seg[i].bytes = rd_le64(&r);
            }
        }
    }
    free(p);
    if (rc != MG_OK)
        man_free(m);
    return rc;
}

static int gen_cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int man_list(const char *dir, uint64_t **gens, size_t *n, errbuf *e)
{
    *gens = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return err_errno(e, errno == ENOENT ? MG_ENOTFOUND : MG_EIO, "%s", dir);
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *s = de->d_name;
        if (strncmp(s, "MANIFEST-", 9) != 0 || strlen(s) != 9 + 16)
            continue;
        char *end;
        uint64_t g = strtoull(s + 9, &end, 16);
        if (*end)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            uint64_t *ng = realloc(*gens, cap * sizeof *ng);
            if (!ng) {
                closedir(d);
                free(*gens);
                *gens = NULL;
                *n = 0;
                return err_set(e, MG_ENOMEM, "out of memory listing %s", dir);
            }
            *gens = ng;
        }
        (*gens)[(*n)++] = g;
    }
    closedir(d);
    if (*n)
        qsort(*gens, *n, sizeof **gens, gen_cmp_desc);
    return MG_OK;
}

/* deletes.c — deletion bitmaps.  Segments never change; deleting a
 * document writes a new generation of its segment's deletes file, named
 * del-<segment id>-<generation>.mgd (16 hex digits each), and the manifest
 * of that commit names the generation to use.
 *
 * File format (little-endian):
 *   8 bytes   magic "MGDEL\r\n\x1a"
 *   u32       format version (1)
 *   u32       ndocs of the segment
 *   u32       number of deleted documents (bits set)
 *   ceil(ndocs / 8) bytes  bitmap: bit (d & 7) of byte d >> 3 set = deleted
 *   u32       crc32 of every byte before it
 */
#include "index/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc.h"

#define DEL_MAGIC   "MGDEL\r\n\x1a"
#define DEL_VERSION 1u
#define DEL_HEADER  20u

void del_name(char *out, size_t n, uint64_t seg_id, uint64_t gen)
{
    snprintf(out, n, "del-%016llx-%016llx.mgd", (unsigned long long)seg_id, (unsigned long long)gen);
}

int del_write(const char *dir, uint64_t seg_id, uint64_t gen, const uint8_t *bits,
              uint32_t ndocs, errbuf *e)
{
    size_t nb = ((size_t)ndocs + 7) / 8;
    uint32_t count = 0;
    for (size_t i = 0; i < nb; i++)
        count += (uint32_t)__builtin_popcount(bits[i]);
    buf b;
    buf_init(&b);
    buf_put(&b, DEL_MAGIC, 8);
    buf_put_le32(&b, DEL_VERSION);
    buf_put_le32(&b, ndocs);
    buf_put_le32(&b, count);
    buf_put(&b, bits, nb);
    buf_put_le32(&b, crc32_update(0, b.p, b.len));
    if (b.oom) {
        buf_free(&b);
        return err_set(e, MG_ENOMEM, "out of memory writing a deletes file");
    }
    char name[80], path[4200];
    del_name(name, sizeof name, seg_id, gen);
    int rc = file_write_atomic(path_join(path, sizeof path, dir, name), b.p, b.len, e);
    buf_free(&b);
    return rc;
}

int del_read(const char *dir, uint64_t seg_id, uint64_t gen, uint32_t ndocs, uint8_t **bits,
             uint32_t *ndeleted, errbuf *e)
{
    *bits = NULL;
    *ndeleted = 0;
    char name[80], path[4200];
    del_name(name, sizeof name, seg_id, gen);
    path_join(path, sizeof path, dir, name);
    uint8_t *p;
    size_t n;
    int rc = file_read_all(path, &p, &n, e);
    if (rc != MG_OK)
        return rc == MG_ENOTFOUND ? err_set(e, MG_ECORRUPT, "%s: deletes file named by the manifest is missing", path) : rc;
    size_t nb = ((size_t)ndocs + 7) / 8;
    if (n < 12 || memcmp(p, DEL_MAGIC, 8) != 0)
        rc = err_set(e, MG_ECORRUPT, "%s: offset 0: not a morgue deletes file (bad magic)", path);
    else if (le32(p + 8) != DEL_VERSION)
        rc = err_set(e, MG_EVERSION, "%s: offset 8: deletes format version %u, this build reads %u",
                     path, le32(p + 8), DEL_VERSION);
    else if (n != DEL_HEADER + nb + 4)
        rc = err_set(e, MG_ECORRUPT, "%s: offset %zu: file size %zu, expected %zu", path, n, n,
                     DEL_HEADER + nb + 4);
    else if (crc32_update(0, p, n - 4) != le32(p + n - 4))
        rc = err_set(e, MG_ECORRUPT, "%s: offset %zu: checksum mismatch", path, n - 4);
    else if (le32(p + 12) != ndocs)
        rc = err_set(e, MG_ECORRUPT, "%s: offset 12: made for %u documents, the segment has %u",
                     path, le32(p + 12), ndocs);
    if (rc != MG_OK) {
        free(p);
        return rc;
    }
    uint8_t *b = calloc(1, nb ? nb : 1);
    if (!b) {
        free(p);
        return err_set(e, MG_ENOMEM, "out of memory reading %s", path);
    }
    memcpy(b, p + DEL_HEADER, nb);
    if (ndocs % 8)
        b[nb - 1] &= (uint8_t)((1u << (ndocs % 8)) - 1);
    uint32_t count = 0;
    for (size_t i = 0; i < nb; i++)
        count += (uint32_t)__builtin_popcount(b[i]);
    free(p);
    *bits = b;
    *ndeleted = count;
    return MG_OK;
}

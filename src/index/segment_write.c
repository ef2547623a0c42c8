/* segment_write.c — writes one immutable segment file, seg-<id>.mgs, from
 * documents (in docid order) and then terms (in byte order).  Used by the
 * writer's flush and by merges.  Stored fields and postings stream to the
 * file as they come; positions stream to a temporary file that is appended
 * at the end; dictionary, norms and dates are kept in memory (they grow with
 * the vocabulary and the number of documents, not with the text).
 *
 * File format (all integers little-endian):
 *
 *   header, 16 bytes
 *     8 bytes  magic "MGSEG\r\n\x1a"
 *     u32      format version (11; 4 added IDS, 5 took the id out of
 *              the stored records, 6 packed positions in blocks of 128,
 *              7 coded posting blocks with PFor and tf - 1 / tf_title,
 *              8 moved each posting's first position beside it, in the
 *              bits its document's norms allow, 9 dropped the Q+id
 *              terms for an id order in IDS, 10 packed blocks from 4
 *              postings and left short lists' bounds out of DICT,
 *              11 moved lists of 2..15 documents into their DICT entry;
 *              10 is still read)
 *     u32      0 (reserved)
 *   sections, each starting at a multiple of 8 (zero bytes pad between):
 *     STORED     compressed stored-field blocks       (stored.c)
 *     POSTINGS   per term: skip table and blocks      (postings_write.c)
 *     POSITIONS  per term: packed position blocks     (postings_write.c)
 *                (all but each posting's first position)
 *     DICT       front-coded dictionary blocks        (termdict.c)
 *     DICTIDX    sparse index of DICT                 (termdict.c)
 *     STOREIDX   index of STORED                      (stored.c)
 *     NORMS      ndocs title norms, then ndocs body norms (util/norm.h)
 *     DATES      ndocs i64, MG_NO_DATE when unknown (8-aligned, so it is
 *                used in place as an int64_t array)
 *     IDS        external ids, uncompressed             (stored.c)
 *     META       72 bytes:
 *                  u32 ndocs, u32 ndict_blocks, u64 nterms, u64 npostings,
 *                  u64 tokens (title + body words), u64 title_tokens,
 *                  u64 body_tokens, i64 date_min, i64 date_max,
 *                  u32 nstored_blocks, u32 0
 *   directory, SEC_COUNT-1 entries of 24 bytes, one per section:
 *     u32 kind (1..10, as listed), u32 crc32 of the section's bytes,
 *     u64 offset, u64 length
 *   trailer, 24 bytes
 *     u64 directory offset
 *     u32 number of directory entries
 *     u32 crc32 of the directory
 *     u32 end magic "MGSE"
 *     u32 crc32 of every byte of the file before this field
 *
 * Opening checks the header, the trailer, the directory and the CRCs of the
 * small sections (DICTIDX, STOREIDX, NORMS, DATES, IDS, META); `check` verifies
 * everything.
 */
#include "index/segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/crc.h"
#include "util/norm.h"

#define OUT_CHUNK (1u << 20)
/* The file is written in pieces ending at multiples of this (2 MiB, an
 * x86-64 huge page): a file system that caches files in large folios
 * (ext4, xfs on Linux 6.x) then keeps the segment in 2 MiB folios, which
 * a search's mapping maps with huge pages, so its random reads (a rare
 * word's dictionary block, norms, ids) cost no page walk.  Measured on
 * gen-208410: 156 of 156 MiB so mapped, against 6 MiB from 1 MiB writes
 * at unaligned offsets; rare-word p50 3.7-3.9 -> 3.3-3.4 us. */
#define OUT_ALIGN (2u << 20)
#define POS_CHUNK (1u << 16) /* positions bytes kept per term before writing */

void seg_name(char *out, size_t n, uint64_t id) { snprintf(out, n, "seg-%016llx.mgs", (unsigned long long)id); }

/* ------------------------------------------------------- buffered output */

static int out_open(out_file *o, const char *path, errbuf *e)
{
    memset(o, 0, sizeof *o);
    buf_init(&o->b);
    o->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0)
        return err_errno(e, MG_EIO, "%s", path);
    return MG_OK;
}

static void out_write(out_file *o, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (!o->err && done < n) {
        ssize_t w = write(o->fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->err = errno ? errno : EIO;
        else
            done += (size_t)w;
    }
}

/* Starts the disk writes of what has been written (Linux), so that the
 * fsync before the commit names the file waits for little more than the
 * last chunk instead of the whole file. */
static void out_writeback(out_file *o)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (o->writeback && !o->err)
        (void)sync_file_range(o->fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* errors: the fsync reports them */
#else
    (void)o;
#endif
}

/* Brings crc and crc_all up to date with the buffered bytes: they are
 * checksummed in large pieces (at section ends and when the buffer is
 * written), not at every out_put, most of which are a few bytes. */
static void out_crc(out_file *o)
{
    size_t n = o->b.len - o->crc_at;
    if (n) {
        o->crc = crc32_update(o->crc, o->b.p + o->crc_at, n);
        o->crc_all = crc32_update(o->crc_all, o->b.p + o->crc_at, n);
        o->crc_at = o->b.len;
    }
}

static void out_drain(out_file *o)
{
    out_crc(o);
    out_write(o, o->b.p, o->b.len);
    buf_reset(&o->b);
    o->crc_at = 0;
    out_writeback(o);
}

/* Writes the buffered bytes up to the last OUT_ALIGN boundary of the file
 * they reach and keeps the rest buffered. */
static void out_spill(out_file *o)
{
    size_t keep = (size_t)(o->off % OUT_ALIGN); /* o->off: the file offset after the buffer */
    if (keep >= o->b.len)
        return; /* no boundary reached */
    size_t n = o->b.len - keep;
    out_crc(o);
    out_write(o, o->b.p, n);
    memmove(o->b.p, o->b.p + n, keep);
    o->b.len = keep;
    o->crc_at = keep;
    out_writeback(o);
}

static void out_put(out_file *o, const void *p, size_t n)
{
    const uint8_t *q = p;
    o->off += n;
    if (n >= OUT_CHUNK) { /* its aligned middle written from the caller's memory, not copied */
        uint64_t at = o->off - n; /* where q goes in the file */
        size_t head = (size_t)((OUT_ALIGN - at % OUT_ALIGN) % OUT_ALIGN);
        size_t mid = head < n ? (n - head) / OUT_ALIGN * OUT_ALIGN : 0;
        if (mid) {
            buf_put(&o->b, q, head); /* the buffer then ends at a boundary */
            out_drain(o);
            o->crc = crc32_update(o->crc, q + head, mid);
            o->crc_all = crc32_update(o->crc_all, q + head, mid);
            out_write(o, q + head, mid);
            out_writeback(o);
            q += head + mid;
            n -= head + mid;
        }
    }
    buf_put_fast(&o->b, q, n);
    if (o->b.oom)
        o->err = ENOMEM;
    if (o->b.len >= OUT_CHUNK)
        out_spill(o);
}

static void out_close(out_file *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    buf_free(&o->b);
}

/* ------------------------------------------------------------- sections */

static void sec_begin(seg_writer *w, int kind)
{
    static const uint8_t zero[8];
    if (w->f.off % 8)
        out_put(&w->f, zero, 8 - w->f.off % 8);
    out_crc(&w->f);
    w->sec[kind].off = w->f.off;
    w->f.crc = 0;
}

static void sec_end(seg_writer *w, int kind)
{
    out_crc(&w->f);
    w->sec[kind].len = w->f.off - w->sec[kind].off;
    w->sec[kind].crc = w->f.crc;
}

static void sec_put(seg_writer *w, int kind, const void *p, size_t n)
{
    sec_begin(w, kind);
    out_put(&w->f, p, n);
    sec_end(w, kind);
}

/* ------------------------------------------------------------ documents */

int segw_begin(seg_writer *w, const char *dir, uint64_t id, stored_writer *st, errbuf *e)
{
    memset(w, 0, sizeof *w);
    w->f.fd = w->pos.fd = -1;
    w->e = e;
    w->id = id;
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    char name[64];
    seg_name(name, sizeof name, id);
    path_join(w->path, sizeof w->path, dir, name);
    snprintf(w->pos_path, sizeof w->pos_path, "%s.pos.tmp", w->path);
    buf_init(&w->norms_t);
    buf_init(&w->norms_b);
    buf_init(&w->dates);
    buf_init(&w->post);
    td_writer_init(&w->td);
    pw_init(&w->pw);
    w->date_min = w->date_max = MG_NO_DATE;
    w->sync = 1;
    if (st) {
        w->st = st;
    } else {
        w->st = malloc(sizeof *w->st);
        if (!w->st || stw_init(w->st) != 0) {
            free(w->st);
            w->st = NULL;
            return w->rc = err_set(e, MG_ENOMEM, "out of memory starting a segment");
        }
        w->own_st = 1;
    }
    if (out_open(&w->f, w->path, e) != MG_OK || out_open(&w->pos, w->pos_path, e) != MG_OK) {
        w->rc = e->code;
        segw_abort(w);
        return w->rc;
    }
    w->f.writeback = 1; /* the positions file is temporary: never synced */
    uint8_t h[SEG_HEADER] = { 0 };
    memcpy(h, SEG_MAGIC, 8);
    st_le32(h + 8, SEG_VERSION);
    out_put(&w->f, h, sizeof h);
    sec_begin(w, SEC_STORED);
    return MG_OK;
}

/* Writes out the compressed stored blocks the stored writer holds. */
static void segw_drain_stored(seg_writer *w)
{
    if (w->st->comp.len) {
        out_put(&w->f, w->st->comp.p, w->st->comp.len);
        if (w->own_st) /* a borrowed writer keeps its blocks until the flush succeeds */
            buf_reset(&w->st->comp);
    }
    if (w->st_tail && w->st_tail->comp.len) /* borrowed too; drained once, at the end of the documents */
        out_put(&w->f, w->st_tail->comp.p, w->st_tail->comp.len);
}

void segw_doc(seg_writer *w, const mg_article *a, uint32_t title_len, uint32_t body_len,
              int64_t date)
{
    if (a) {
        stw_add(w->st, a);
        if (w->own_st && w->st->comp.len >= OUT_CHUNK)
            segw_drain_stored(w);
    }
    uint8_t tn = norm_encode(title_len), bn = norm_encode(body_len), d[8];
    st_le64(d, (uint64_t)date);
    buf_put_fast(&w->norms_t, &tn, 1);
    buf_put_fast(&w->norms_b, &bn, 1);
    buf_put_fast(&w->dates, d, 8);
    if (date != MG_NO_DATE) {
        if (w->date_min == MG_NO_DATE || date < w->date_min)
            w->date_min = date;
        if (w->date_max == MG_NO_DATE || date > w->date_max)
            w->date_max = date;
    }
    w->ndocs++;
}

void segw_add_tokens(seg_writer *w, uint64_t title, uint64_t body)
{
    w->title_tokens += title;
    w->body_tokens += body;
    w->tokens += title + body;
}

/* ---------------------------------------------------------------- terms */

static void segw_end_docs(seg_writer *w)
{
    stw_flush(w->st);
    segw_drain_stored(w);
    sec_end(w, SEC_STORED);
    sec_begin(w, SEC_POSTINGS);
    out_crc(&w->pos);
    w->pos.crc = 0;
    w->phase = 1;
}

/* Moves the term's encoded positions so far to the positions file. */
static void segw_put_positions(seg_writer *w)
{
    out_put(&w->pos, w->pw.pos.p, w->pw.pos.len);
    if (w->pw.pos.oom)
        w->f.err = ENOMEM;
    w->pw.pos_flushed += w->pw.pos.len;
    buf_reset(&w->pw.pos);
}

/* Places the list of w->cur (df > 1): in its dictionary entry when it is
 * short (DICT_INLINE_MAX_DF), else in POSTINGS at doc_off. */
static void segw_put_list(seg_writer *w, const uint8_t *post, size_t len)
{
    w->cur.inl_post = NULL;
    w->cur.inl_post_len = 0;
    if (w->cur.df <= DICT_INLINE_MAX_DF && len > 0 && len <= UINT32_MAX) {
        w->cur.inl_post = post; /* copied by td_writer_add at once */
        w->cur.inl_post_len = (uint32_t)len;
        return;
    }
    w->cur.doc_off = w->f.off - w->sec[SEC_POSTINGS].off;
    out_put(&w->f, post, len);
}

static void segw_end_term(seg_writer *w)
{
    if (!w->in_term)
        return;
    w->in_term = 0;
    if (w->pw.df == 0)
        return;
    pw_finish_positions(&w->pw);
    segw_put_positions(w);
    w->cur.df = w->pw.df;
    w->cur.cf = w->pw.cf;
    w->cur.bound = w->pw.bound;
    w->cur.pos_off = w->cur_pos_start;
    if (w->pw.df == 1) { /* inlined in the dictionary */
        w->cur.inl_doc = w->pw.docs[0];
        w->cur.inl_tft = w->pw.tft[0];
        w->cur.inl_tfb = w->pw.tfb[0];
        w->cur.inl_fv = w->pw.fv[0];
    } else {
        buf_reset(&w->post);
        pw_finish(&w->pw, &w->post);
        w->cur.escs = (uint8_t)w->pw.escs; /* known once the last block is out */
        segw_put_list(w, w->post.p, w->post.len);
        if (w->post.oom)
            w->f.err = ENOMEM;
    }
    td_writer_add(&w->td, &w->cur);
    w->npostings += w->pw.df;
}

/* Ends what came before (the documents, the previous term) and names the
 * next term in w->cur. */
static void segw_next_term(seg_writer *w, const char *term, size_t len, uint8_t mode)
{
    if (w->phase == 0)
        segw_end_docs(w);
    segw_end_term(w);
    if (len > IX_TERM_MAX)
        len = IX_TERM_MAX;
    memcpy(w->cur.term, term, len);
    w->cur.len = len;
    w->cur.mode = mode;
}

void segw_term(seg_writer *w, const char *term, size_t len, int mode)
{
    segw_next_term(w, term, len, (uint8_t)mode);
    w->cur_pos_start = w->pos.off;
    pw_begin(&w->pw);
    w->in_term = 1;
}

void segw_posting(seg_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb,
                  const uint8_t *pos, size_t pos_len, int pos_mode)
{
    uint8_t tn = doc < w->ndocs ? w->norms_t.p[doc] : 0;
    uint8_t bn = doc < w->ndocs ? w->norms_b.p[doc] : 0;
    pw_add(&w->pw, doc, tft, tfb, tn, bn);
    if (!pw_positions(&w->pw, pos, pos + pos_len, tft + tfb, pos_mode, w->cur.mode))
        w->f.err = EINVAL; /* the caller's positions are malformed */
    if (w->pw.pos.len >= POS_CHUNK)
        segw_put_positions(w);
}

/* ------------------------------------------------------ encoded apart */

void segw_enc_begin(post_writer *pw) { pw_begin(pw); }

void segw_enc_end(post_writer *pw, int mode, seg_enc *e, buf *post, buf *pos)
{
    memset(e, 0, sizeof *e);
    if (pw->df == 0)
        return;
    pw_finish_positions_lean(pw);
    buf_put_fast(pos, pw->pos.p, pw->pos.len);
    if (pw->pos.oom)
        pos->oom = 1;
    e->df = pw->df;
    e->cf = pw->cf;
    e->bound = pw->bound;
    e->mode = (uint8_t)mode;
    if (pw->df == 1) {
        e->inl_doc = pw->docs[0];
        e->inl_tft = pw->tft[0];
        e->inl_tfb = pw->tfb[0];
        e->inl_fv = pw->fv[0];
    } else {
        pw_finish(pw, post);
        e->escs = (uint8_t)pw->escs; /* known once the last block is out */
    }
}

/* Fills w->cur's fields exactly as segw_term and segw_end_term do (the
 * ones a term of this df leaves alone keep the previous term's values). */
void segw_term_encoded(seg_writer *w, const char *term, size_t len, const seg_enc *e,
                       const uint8_t *post, size_t post_len, const uint8_t *pos, size_t pos_len)
{
    segw_next_term(w, term, len, e->mode);
    w->cur.pos_off = w->pos.off;
    if (pos_len)
        out_put(&w->pos, pos, pos_len);
    w->cur.df = e->df;
    w->cur.cf = e->cf;
    w->cur.bound = e->bound;
    if (e->df == 1) {
        w->cur.inl_doc = e->inl_doc;
        w->cur.inl_tft = e->inl_tft;
        w->cur.inl_tfb = e->inl_tfb;
        w->cur.inl_fv = e->inl_fv;
    } else {
        w->cur.escs = e->escs;
        segw_put_list(w, post, post_len);
    }
    td_writer_add(&w->td, &w->cur);
    w->npostings += e->df;
}

/* ---------------------------------------------------------------- finish */

/* Appends the temporary positions file as the POSITIONS section. */
static void segw_copy_positions(seg_writer *w)
{
    out_drain(&w->pos);
    sec_begin(w, SEC_POSITIONS);
    if (w->pos.err || lseek(w->pos.fd, 0, SEEK_SET) != 0) {
        w->f.err = w->pos.err ? w->pos.err : errno;
        return;
    }
    uint8_t *chunk = malloc(OUT_CHUNK);
    if (!chunk) {
        w->f.err = ENOMEM;
        return;
    }
    for (;;) {
        ssize_t n = read(w->pos.fd, chunk, OUT_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            w->f.err = errno;
        if (n <= 0)
            break;
        out_put(&w->f, chunk, (size_t)n);
    }
    free(chunk);
    sec_end(w, SEC_POSITIONS);
}

static void segw_meta(seg_writer *w)
{
    uint8_t m[META_SIZE] = { 0 };
    st_le32(m, w->ndocs);
    st_le32(m + 4, w->td.nblocks);
    st_le64(m + 8, w->td.nterms);
    st_le64(m + 16, w->npostings);
    st_le64(m + 24, w->tokens);
    st_le64(m + 32, w->title_tokens);
    st_le64(m + 40, w->body_tokens);
    st_le64(m + 48, (uint64_t)w->date_min);
    st_le64(m + 56, (uint64_t)w->date_max);
    st_le32(m + 64, w->st->nblocks);
    sec_put(w, SEC_META, m, sizeof m);
}

static void segw_tail(seg_writer *w)
{
    buf d;
    buf_init(&d);
    for (int k = 1; k < SEC_COUNT; k++) {
        buf_put_le32(&d, (uint32_t)k);
        buf_put_le32(&d, w->sec[k].crc);
        buf_put_le64(&d, w->sec[k].off);
        buf_put_le64(&d, w->sec[k].len);
    }
    uint64_t dir_off = w->f.off;
    out_crc(&w->f);
    w->f.crc = 0;
    out_put(&w->f, d.p, d.len);
    uint32_t dir_crc = crc32_update(0, d.p, d.len);
    if (d.oom)
        w->f.err = ENOMEM;
    buf_free(&d);
    uint8_t t[SEG_TRAILER - 4];
    st_le64(t, dir_off);
    st_le32(t + 8, SEC_COUNT - 1);
    st_le32(t + 12, dir_crc);
    st_le32(t + 16, SEG_END_MAGIC);
    out_put(&w->f, t, sizeof t);
}

int segw_finish(seg_writer *w)
{
    if (w->rc)
        return w->rc;
    if (w->phase == 0)
        segw_end_docs(w);
    segw_end_term(w);
    sec_end(w, SEC_POSTINGS);
    segw_copy_positions(w);
    td_writer_finish(&w->td);
    sec_put(w, SEC_DICT, w->td.dict.p, w->td.dict.len);
    sec_put(w, SEC_DICTIDX, w->td.idx.p, w->td.idx.len);
    sec_put(w, SEC_STOREIDX, w->st->idx.p, w->st->idx.len);
    sec_begin(w, SEC_NORMS);
    out_put(&w->f, w->norms_t.p, w->norms_t.len);
    out_put(&w->f, w->norms_b.p, w->norms_b.len);
    sec_end(w, SEC_NORMS);
    sec_put(w, SEC_DATES, w->dates.p, w->dates.len);
    buf ids;
    buf_init(&ids);
    stw_ids_section(w->st, &ids);
    sec_put(w, SEC_IDS, ids.p, ids.len);
    if (ids.oom)
        w->f.err = ENOMEM;
    buf_free(&ids);
    segw_meta(w);
    segw_tail(w);
    out_drain(&w->f);
    int oom = w->td.dict.oom || w->td.idx.oom || w->norms_t.oom || w->norms_b.oom ||
              w->dates.oom || w->st->oom;
    if (!w->f.err && !oom) {
        uint8_t c[4];
        st_le32(c, w->f.crc_all);
        if (!w->f.err && pwrite(w->f.fd, c, 4, (off_t)w->f.off) != 4)
            w->f.err = errno ? errno : EIO;
        if (!w->f.err && w->sync && fsync(w->f.fd) != 0)
            w->f.err = errno;
    }
    if (oom)
        w->rc = err_set(w->e, MG_ENOMEM, "%s: out of memory writing the segment", w->path);
    else if (w->f.err)
        w->rc = err_set(w->e, MG_EIO, "%s: %s", w->path, strerror(w->f.err));
    if (w->rc) {
        segw_abort(w);
        return w->rc;
    }
    out_close(&w->f);
    out_close(&w->pos);
    unlink(w->pos_path);
    segw_abort(w); /* frees the rest; the file stays */
    return MG_OK;
}

void segw_abort(seg_writer *w)
{
    if (w->f.fd >= 0 || w->rc) {
        out_close(&w->f);
        unlink(w->path);
    }
    if (w->pos.fd >= 0) {
        out_close(&w->pos);
        unlink(w->pos_path);
    }
    buf_free(&w->f.b);
    buf_free(&w->pos.b);
    buf_free(&w->norms_t);
    buf_free(&w->norms_b);
    buf_free(&w->dates);
    buf_free(&w->post);
    td_writer_free(&w->td);
    pw_free(&w->pw);
    if (w->own_st) {
        stw_free(w->st);
        free(w->st);
    }
    w->st = NULL;
    w->own_st = 0;
}

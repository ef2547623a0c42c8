/* segment_read.c — opens a segment file (format in segment_write.c):
 * mmaps it, checks header, trailer, directory and the small sections, and
 * parses the sparse dictionary index.  Also the per-segment accessors and
 * the full verification used by `check`. */
#include "index/segment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/crc.h"

#define SEG_BAD(e, s, off, fmt, ...) \
    err_set(e, MG_ECORRUPT, "%s: offset %llu: " fmt, (s)->path, (unsigned long long)(off), ##__VA_ARGS__)

static int seg_header(ix_segment *s, errbuf *e)
{
    const uint8_t *p = s->map.p;
    size_t n = s->map.len;
    if (n < SEG_HEADER || memcmp(p, SEG_MAGIC, 8) != 0)
        return SEG_BAD(e, s, 0, "not a morgue segment file (bad magic)");
    s->version = le32(p + 8);
    if (s->version < SEG_VERSION_MIN || s->version > SEG_VERSION)
        return err_set(e, MG_EVERSION, "%s: offset 8: segment format version %u, this build reads %u..%u",
                       s->path, s->version, SEG_VERSION_MIN, SEG_VERSION);
    if (n < SEG_HEADER + SEG_TRAILER)
        return SEG_BAD(e, s, n, "file truncated");
    const uint8_t *t = p + n - SEG_TRAILER;
    uint64_t toff = n - SEG_TRAILER;
    if (le32(t + 16) != SEG_END_MAGIC)
        return SEG_BAD(e, s, toff + 16, "bad trailer magic (file truncated or damaged)");
    uint64_t dir_off = le64(t);
    uint32_t nsec = le32(t + 8);
    if (nsec != SEC_COUNT - 1 || dir_off > toff || toff - dir_off != (uint64_t)nsec * 24)
        return SEG_BAD(e, s, toff, "bad section directory location");
    const uint8_t *d = p + dir_off;
    if (crc32_update(0, d, (size_t)nsec * 24) != le32(t + 12))
        return SEG_BAD(e, s, dir_off, "section directory checksum mismatch");
    for (uint32_t i = 0; i < nsec; i++) {
        const uint8_t *x = d + 24 * i;
        uint32_t kind = le32(x);
        uint64_t off = le64(x + 8), len = le64(x + 16);
        if (kind != i + 1 || off < SEG_HEADER || off > dir_off || len > dir_off - off)
            return SEG_BAD(e, s, dir_off + 24 * i, "bad section directory entry");
        s->sec[kind].p = p + off;
        s->sec[kind].off = off;
        s->sec[kind].len = len;
        s->sec[kind].crc = le32(x + 4);
    }
    return MG_OK;
}

static int seg_sec_crc(const ix_segment *s, int kind, errbuf *e)
{
    const sect *x = &s->sec[kind];
    static const char *names[SEC_COUNT] = { "", "stored", "postings", "positions", "dictionary",
                                            "dictionary index", "stored index", "norms", "dates",
                                            "ids", "meta" };
    if (crc32_update(0, x->p, (size_t)x->len) != x->crc)
        return SEG_BAD(e, s, x->off, "%s section checksum mismatch", names[kind]);
    return MG_OK;
}

/* The ids section: ndocs ascending end offsets, that many bytes, ndocs
 * docids in id order. */
static int seg_ids(ix_segment *s, errbuf *e)
{
    const sect *x = &s->sec[SEC_IDS];
    if (x->len < 8ull * s->ndocs)
        return SEG_BAD(e, s, x->off, "ids section too short for %u documents", s->ndocs);
    uint64_t room = x->len - 8ull * s->ndocs;
    const uint8_t *order = x->p + x->len - 4ull * s->ndocs;
    for (uint32_t k = 0; k < s->ndocs; k++)
        if (le32(order + 4ull * k) >= s->ndocs)
            return SEG_BAD(e, s, x->off + (uint64_t)(order - x->p) + 4ull * k,
                           "ids section order names no document");
    uint32_t prev = 0;
    for (uint32_t d = 0; d < s->ndocs; d++) {
        uint32_t end = le32(x->p + 4ull * d);
        if (end < prev || end > room)
            return SEG_BAD(e, s, x->off + 4ull * d, "ids section offset out of order");
        prev = end;
    }
    if (prev != room)
        return SEG_BAD(e, s, x->off, "ids section size does not match its offsets");
    return MG_OK;
}

static int seg_meta(ix_segment *s, errbuf *e)
{
    const sect *m = &s->sec[SEC_META];
    if (m->len != META_SIZE)
        return SEG_BAD(e, s, m->off, "meta section has the wrong size");
    const uint8_t *p = m->p;
    s->ndocs = le32(p);
    s->ndict_blocks = le32(p + 4);
    s->nterms = le64(p + 8);
    s->npostings = le64(p + 16);
    s->tokens = le64(p + 24);
    s->title_tokens = le64(p + 32);
    s->body_tokens = le64(p + 40);
    s->date_min = (int64_t)le64(p + 48);
    s->date_max = (int64_t)le64(p + 56);
    s->nstored_blocks = le32(p + 64);
    if (s->sec[SEC_NORMS].len != 2ull * s->ndocs)
        return SEG_BAD(e, s, s->sec[SEC_NORMS].off, "norms section size does not match %u documents",
                       s->ndocs);
    if (s->sec[SEC_DATES].len != 8ull * s->ndocs || s->sec[SEC_DATES].off % 8)
        return SEG_BAD(e, s, s->sec[SEC_DATES].off, "dates section size does not match %u documents",
                       s->ndocs);
    if (s->sec[SEC_STOREIDX].len != (uint64_t)STOREIDX_ENTRY * s->nstored_blocks ||
        (s->ndocs > 0) != (s->nstored_blocks > 0))
        return SEG_BAD(e, s, s->sec[SEC_STOREIDX].off, "stored index size is inconsistent");
    if (s->ndocs >= IX_END || (s->ndict_blocks == 0) != (s->sec[SEC_DICT].len == 0))
        return SEG_BAD(e, s, m->off, "inconsistent counts");
    return seg_ids(s, e);
}

static int seg_dictidx(ix_segment *s, errbuf *e)
{
    uint32_t n = s->ndict_blocks;
    const sect *x = &s->sec[SEC_DICTIDX];
    if (n > x->len / 9 + 1)
        return SEG_BAD(e, s, x->off, "dictionary index too short for %u blocks", n);
    s->dict_off = malloc(sizeof *s->dict_off * (n ? n : 1));
    s->dict_first = malloc(sizeof *s->dict_first * (n ? n : 1));
    s->dict_first_len = malloc(n ? n : 1);
    s->dict_key = malloc(sizeof *s->dict_key * (n ? n : 1));
    s->ndict_top = (n + DICT_TOP_STRIDE - 1) / DICT_TOP_STRIDE;
    s->dict_top = malloc(sizeof *s->dict_top * (s->ndict_top ? s->ndict_top : 1));
    if (!s->dict_off || !s->dict_first || !s->dict_first_len || !s->dict_key || !s->dict_top)
        return err_set(e, MG_ENOMEM, "%s: out of memory", s->path);
    rd r = rd_make(x->p, (size_t)x->len);
    uint64_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t off = rd_le64(&r);
        uint8_t len = rd_u8(&r);
        const uint8_t *t = rd_bytes(&r, len);
        if (r.bad || off >= s->sec[SEC_DICT].len || (i > 0 && off <= prev))
            return SEG_BAD(e, s, x->off + (uint64_t)(r.p - x->p), "bad dictionary index entry %u", i);
        s->dict_off[i] = prev = off;
        s->dict_first[i] = t;
        s->dict_first_len[i] = len;
        s->dict_key[i] = td_key(t, len);
        if (i % DICT_TOP_STRIDE == 0)
            s->dict_top[i / DICT_TOP_STRIDE] = s->dict_key[i];
    }
    if (rd_left(&r))
        return SEG_BAD(e, s, x->off + (uint64_t)(r.p - x->p), "trailing bytes in dictionary index");
    return MG_OK;
}

/* Asks for the mapping in huge pages (Linux; a hint, failure is fine):
 * what is read in from the file from then on comes in 2 MiB folios mapped
 * with one page-table entry each, so a query's random reads pay no 4 KiB
 * page walks (the writer's aligned pieces do the same for a segment still
 * cached from its writing: segment_write.c OUT_ALIGN).  On gen-20841
 * evicted and read back: 16 of 16.4 MiB huge-mapped, against none. */
static void seg_advise(ix_segment *s)
{
#ifdef MADV_HUGEPAGE
    if (s->map.p && s->map.len >= (2u << 20))
        (void)madvise((void *)(uintptr_t)s->map.p, s->map.len, MADV_HUGEPAGE);
#else
    (void)s;
#endif
}

int seg_open(const char *dir, uint64_t id, ix_segment **out, errbuf *e)
{
    *out = NULL;
    ix_segment *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, MG_ENOMEM, "out of memory opening a segment");
    s->id = id;
    seg_name(s->name, sizeof s->name, id);
    path_join(s->path, sizeof s->path, dir, s->name);
    int rc = file_map(s->path, &s->map, e);
    if (rc == MG_OK)
        seg_advise(s);
    if (rc == MG_OK)
        rc = seg_header(s, e);
    static const int small[] = { SEC_META, SEC_DICTIDX, SEC_STOREIDX, SEC_NORMS, SEC_DATES,
                                 SEC_IDS };
    for (size_t i = 0; rc == MG_OK && i < sizeof small / sizeof *small; i++)
        rc = seg_sec_crc(s, small[i], e);
    if (rc == MG_OK)
        rc = seg_meta(s, e);
    if (rc == MG_OK)
        rc = seg_dictidx(s, e);
    if (rc == MG_OK && post_first_widths(s) != 0)
        rc = err_set(e, MG_ENOMEM, "%s: out of memory", s->path);
    if (rc != MG_OK) {
        seg_free(s);
        return rc;
    }
    *out = s;
    return MG_OK;
}

void seg_free(ix_segment *s)
{
    if (!s)
        return;
    file_unmap(&s->map);
    free(s->deleted);
    free(s->dict_off);
    free(s->dict_first);
    free(s->dict_first_len);
    free(s->dict_key);
    free(s->dict_top);
    free(s->first_w);
    free(s);
}

/* Where term t's list is in the file: its DICT entry or POSTINGS. */
static uint64_t seg_list_off(const ix_segment *s, const td_entry *t)
{
    if (t->df > 1 && t->inl_post)
        return s->sec[SEC_DICT].off + (uint64_t)(t->inl_post - s->sec[SEC_DICT].p);
    return s->sec[SEC_POSTINGS].off + t->doc_off;
}

/* Walks every term and every posting: structure, order, docid range. */
static int seg_check_lists(const ix_segment *s, errbuf *e)
{
    td_iter it;
    char prev[IX_TERM_MAX + 1];
    size_t prev_len = 0;
    uint64_t nterms = 0;
    int more = s->ndict_blocks ? td_seek(&it, s, "", 0) : 0;
    for (; more; more = td_next(&it)) {
        const td_entry *t = &it.cur;
        if (nterms > 0) {
            size_t m = t->len < prev_len ? t->len : prev_len;
            int c = memcmp(prev, t->term, m);
            if (c > 0 || (c == 0 && t->len <= prev_len))
                return SEG_BAD(e, s, s->sec[SEC_DICT].off + s->dict_off[it.block],
                               "dictionary terms out of order");
        }
        memcpy(prev, t->term, t->len);
        prev_len = t->len;
        nterms++;
        ix_post c;
        if (!ix_post_open(&c, s, t->term, t->len))
            return SEG_BAD(e, s, seg_list_off(s, t),
                           "postings of term #%llu cannot be read", (unsigned long long)nterms);
        uint32_t n = 0, last = 0;
        uint64_t cf = 0;
        for (uint32_t d = c.doc; d != IX_END; d = ix_post_next(&c)) {
            if (n > 0 && d <= last)
                break;
            last = d;
            n++;
            uint32_t tf = ix_post_tf_title(&c) + ix_post_tf_body(&c);
            cf += tf;
            uint32_t pos[64];
            if (ix_post_positions(&c, pos, NULL, 64) != tf || c.bad)
                break;
        }
        if (c.bad || n != t->df || cf != t->cf)
            return SEG_BAD(e, s, seg_list_off(s, t),
                           "postings of term #%llu are inconsistent with the dictionary",
                           (unsigned long long)nterms);
    }
    if (it.bad || nterms != s->nterms)
        return SEG_BAD(e, s, s->sec[SEC_DICT].off, "dictionary is damaged (%llu of %llu terms read)",
                       (unsigned long long)nterms, (unsigned long long)s->nterms);
    return MG_OK;
}

/* The IDS order lists every document once, sorted by id then docid. */
static int seg_check_ids(const ix_segment *s, errbuf *e)
{
    uint8_t *seen = calloc(((size_t)s->ndocs + 7) / 8 + 1, 1);
    if (!seen)
        return err_set(e, MG_ENOMEM, "out of memory checking %s", s->name);
    const char *pp = NULL;
    size_t pl = 0;
    uint32_t pd = 0;
    int rc = MG_OK;
    for (uint32_t k = 0; k < s->ndocs && rc == MG_OK; k++) {
        uint32_t d = seg_id_order(s, k);
        size_t l;
        const char *p = ix_seg_doc_id(s, d, &l);
        int c = k ? memcmp(pp, p, pl < l ? pl : l) : -1;
        if (c == 0)
            c = pl < l ? -1 : pl > l ? 1 : (pd < d ? -1 : 1);
        if (bit_get(seen, d) || c > 0)
            rc = SEG_BAD(e, s, s->sec[SEC_IDS].off, "ids section order is not sorted by id");
        bit_set(seen, d);
        pp = p;
        pl = l;
        pd = d;
    }
    free(seen);
    return rc;
}

int seg_check(const ix_segment *s, errbuf *e)
{
    size_t n = s->map.len;
    if (crc32_update(0, s->map.p, n - 4) != le32(s->map.p + n - 4))
        return SEG_BAD(e, s, n - 4, "file checksum mismatch");
    for (int k = 1; k < SEC_COUNT; k++) {
        int rc = seg_sec_crc(s, k, e);
        if (rc)
            return rc;
    }
    int rc = seg_check_lists(s, e);
    if (rc == MG_OK)
        rc = seg_check_ids(s, e);
    stored_cursor sc;
    stc_init(&sc, s);
    for (uint32_t d = 0; rc == MG_OK && d < s->ndocs; d++) {
        mg_doc *doc;
        rc = stc_next(&sc, &doc, e);
        mg_doc_free(doc);
    }
    if (rc == MG_OK && s->ndocs && sc.block + 1 != s->nstored_blocks)
        rc = SEG_BAD(e, s, s->sec[SEC_STOREIDX].off, "stored index has blocks past the last document");
    stc_free(&sc);
    return rc;
}

/* ------------------------------------------------------------ accessors */

uint32_t ix_seg_ndocs(const ix_segment *s) { return s->ndocs; }
int ix_seg_is_deleted(const ix_segment *s, uint32_t doc) { return doc >= s->ndocs || bit_get(s->deleted, doc); }
uint32_t ix_seg_live_docs(const ix_segment *s) { return s->ndocs - s->ndeleted; }

uint8_t ix_seg_title_norm(const ix_segment *s, uint32_t doc)
{
    return doc < s->ndocs ? s->sec[SEC_NORMS].p[doc] : 0;
}

uint8_t ix_seg_body_norm(const ix_segment *s, uint32_t doc)
{
    return doc < s->ndocs ? s->sec[SEC_NORMS].p[s->ndocs + doc] : 0;
}

int64_t ix_seg_date(const ix_segment *s, uint32_t doc)
{
    return doc < s->ndocs ? (int64_t)le64(s->sec[SEC_DATES].p + 8ull * doc) : MG_NO_DATE;
}

const uint8_t *ix_seg_norms(const ix_segment *s)
{
    return s->sec[SEC_NORMS].p;
}

const int64_t *ix_seg_dates(const ix_segment *s)
{
    /* the section is 8-aligned in the file and the map is page-aligned */
    return (const int64_t *)(const void *)s->sec[SEC_DATES].p;
}

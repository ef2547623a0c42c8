/* test_util.c — buffers, varints, the bounds-checked reader, norms, the
 * string map, atomic file writes and the usable CPU count. */
#include "testutil.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/cpus.h"
#include "util/crc.h"
#include "util/fileio.h"
#include "util/norm.h"
#include "util/strmap.h"

static void test_varint_round_trip_edges(void **state)
{
    (void)state;
    const uint64_t vals[] = { 0, 1, 127, 128, 255, 16383, 16384, 0xFFFFFFFFULL,
                              0x100000000ULL, UINT64_MAX };
    buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        buf_put_varint(&b, vals[i]);
    assert_false(b.oom);
    rd r = rd_make(b.p, b.len);
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
        assert_true(rd_varint(&r) == vals[i]);
    assert_int_equal(rd_left(&r), 0);
    assert_false(r.bad);
    buf_free(&b);
}

static void test_reader_never_reads_past_end(void **state)
{
    (void)state;
    uint8_t bytes[3] = { 0xff, 0xff, 0xff }; /* a varint that never ends */
    rd r = rd_make(bytes, sizeof bytes);
    assert_int_equal(rd_varint(&r), 0);
    assert_true(r.bad);
    rd r2 = rd_make(bytes, 2);
    assert_int_equal(rd_le32(&r2), 0);
    assert_true(r2.bad);
    uint8_t s[2] = { 5, 'a' }; /* length 5, one byte present */
    rd r3 = rd_make(s, 2);
    size_t n;
    assert_null(rd_str(&r3, &n));
    assert_true(r3.bad);
}

static void test_norm_is_exact_small_and_monotone(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < 40; n++)
        assert_int_equal(norm_decode(norm_encode(n)), n);
    uint8_t prev = 0;
    for (uint32_t n = 0; n < 300000; n++) {
        uint8_t b = norm_encode(n);
        assert_true(b >= prev);
        assert_true(norm_decode(b) <= n);
        if (n < 200000)
            assert_true(norm_decode(b) * 1.07 + 1 >= n);
        prev = b;
    }
}

static void test_strmap_insert_find_iterate(void **state)
{
    (void)state;
    strmap *m = strmap_new();
    assert_non_null(m);
    char key[32];
    for (uint32_t i = 0; i < 10000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        int ins;
        uint32_t *v = strmap_upsert(m, key, (size_t)n, i * 3, &ins);
        assert_non_null(v);
        assert_true(ins);
    }
    assert_int_equal(strmap_count(m), 10000);
    for (uint32_t i = 0; i < 10000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        uint32_t v;
        assert_true(strmap_get(m, key, (size_t)n, &v));
        assert_int_equal(v, i * 3);
    }
    uint32_t v;
    assert_false(strmap_get(m, "missing", 7, &v));
    size_t it = 0, seen = 0, len;
    const char *k;
    while (strmap_at(m, &it, &k, &len, &v))
        seen++;
    assert_int_equal(seen, 10000);
    strmap_free(m);
}

static void test_crc32_matches_known_value(void **state)
{
    (void)state;
    /* The standard check value of CRC-32 for "123456789". */
    assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926u);
}

static void test_atomic_write_replaces_whole_file(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char path[4096];
    path_join(path, sizeof path, dir, "f");
    errbuf e;
    err_clear(&e);
    assert_int_equal(file_write_atomic(path, "old", 3, &e), MG_OK);
    assert_int_equal(file_write_atomic(path, "newer", 5, &e), MG_OK);
    uint8_t *data;
    size_t len;
    assert_int_equal(file_read_all(path, &data, &len, &e), MG_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "newer", 5);
    free(data);
    path_join(path, sizeof path, dir, "missing");
    assert_int_equal(file_read_all(path, &data, &len, &e), MG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "missing"));
    tu_rmrf(dir);
    free(dir);
}

static void test_cpu_quota_text_gives_whole_processors(void **state)
{
    (void)state;
    assert_int_equal(cpus_quota_parse("max 100000\n"), 0);      /* cgroup v2, no quota */
    assert_int_equal(cpus_quota_parse("-1 100000"), 0);          /* cgroup v1, no quota */
    assert_int_equal(cpus_quota_parse("100000 100000\n"), 1);
    assert_int_equal(cpus_quota_parse("150000 100000"), 2);      /* 1.5 CPUs: rounded up */
    assert_int_equal(cpus_quota_parse("50000 100000"), 1);
    assert_int_equal(cpus_quota_parse("400000 100000"), 4);
    assert_int_equal(cpus_quota_parse("100000 0"), 0);
    assert_int_equal(cpus_quota_parse("12x 100000"), 0);
    assert_int_equal(cpus_quota_parse("100000"), 0);
    assert_int_equal(cpus_quota_parse(""), 0);
    assert_int_equal(cpus_quota_parse(NULL), 0);
}

/* Restricted to one CPU (as `taskset -c N` does), the process has one
 * processor to use, whatever the machine has online. */
static void test_usable_cpus_follow_the_affinity_mask(void **state)
{
    (void)state;
    cpu_set_t old;
    int n = cpus_usable();
    tu_pin_one_cpu(&old);
    int pinned = cpus_usable();
    tu_unpin(&old);
    assert_true(n >= 1 && n <= CPU_COUNT(&old));
    assert_int_equal(pinned, 1);
    assert_int_equal(cpus_usable(), n);
}

static void test_lock_is_exclusive(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    char path[4096];
    path_join(path, sizeof path, dir, "LOCK");
    errbuf e;
    int fd = file_lock(path, &e);
    assert_true(fd >= 0);
    assert_int_equal(file_lock(path, &e), -1);
    assert_int_equal(e.code, MG_ELOCKED);
    file_unlock(fd);
    fd = file_lock(path, &e);
    assert_true(fd >= 0);
    file_unlock(fd);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_round_trip_edges),
        cmocka_unit_test(test_reader_never_reads_past_end),
        cmocka_unit_test(test_norm_is_exact_small_and_monotone),
        cmocka_unit_test(test_strmap_insert_find_iterate),
        cmocka_unit_test(test_crc32_matches_known_value),
        cmocka_unit_test(test_atomic_write_replaces_whole_file),
        cmocka_unit_test(test_lock_is_exclusive),
        cmocka_unit_test(test_cpu_quota_text_gives_whole_processors),
        cmocka_unit_test(test_usable_cpus_follow_the_affinity_mask),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}

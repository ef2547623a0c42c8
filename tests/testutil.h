/* testutil.h — helpers shared by the cmocka tests: temporary directories,
 * the ../shared corpora (skipped with a reason when absent), running the
 * built `morgue` binary.  Include after <cmocka.h>'s prerequisites. */
#ifndef MG_TESTUTIL_H
#define MG_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh empty directory under $TMPDIR (malloc'd path); tu_rmrf removes it. */
char *tu_tmpdir(void);
void  tu_rmrf(const char *path);

/* The ../shared folder (from $MORGUE_SHARED), or NULL when it is absent. */
const char *tu_shared_dir(void);
/* The corpora folder path joined with rel into a static buffer, or NULL. */
const char *tu_corpus(const char *rel);

/* Skips the current test, printing why, when ../shared is absent. */
#define TU_REQUIRE_SHARED()                                                       \
    do {                                                                          \
        if (!tu_shared_dir()) {                                                   \
            print_message("skipped: ../shared/corpora not found (set MORGUE_SHARED)\n"); \
            skip();                                                               \
        }                                                                         \
    } while (0)

/* The path of the built morgue binary ($MORGUE_BIN). */
const char *tu_morgue_bin(void);

/* Runs a shell command; stdout (malloc'd, NUL-terminated) into *out if
 * out is non-NULL, stderr into *err likewise.  Returns the exit status
 * (or 128+signal). */
int tu_sh(char **out, char **err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes a file (creating parent directories). */
void tu_write(const char *path, const void *data, size_t len);
void tu_writef(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens (creating) an index at dir for writing with merges off, so that
 * every flush stays a segment of its own; NULL when it cannot. */
struct mg_index;
struct mg_index *tu_open_unmerged(const char *dir);

/* Deterministic random numbers (xorshift64*) so failures reproduce. */
uint64_t tu_rand(uint64_t *state);

/* Restricts the calling thread to the first CPU its affinity mask allows
 * (as `taskset -c N` does), keeping the old mask in *old (a cpu_set_t,
 * from <sched.h>) for tu_unpin; asserts both succeed. */
void tu_pin_one_cpu(void *old);
void tu_unpin(const void *old);

#endif

/* ixtime.c — times one morgue index build of a JSON Lines corpus already in
 * memory (the same steps as mgbench's morgue build), for profiling:
 *     build/bench/ixtime CORPUS.jsonl [INDEX_DIR] [REPEAT]
 * Prints wall and CPU seconds and MB/s of title+body text; run it under
 * `perf record` to see where indexing time goes.  Not part of `make test`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "bench.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* One build the way mgbench times it: the bench's own morgue engine
 * (bench/eng_morgue.c) into an emptied directory. */
static int build_once(const bcorpus *c, const char *dir)
{
    char cmd[4200], err[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    if (bench_morgue.build(dir, c, 0, c->n, 1, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "ixtime: %s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ixtime CORPUS.jsonl [INDEX_DIR] [REPEAT]\n");
        return 2;
    }
    const char *dir = argc > 2 ? argv[2] : "/tmp/ixtime-index";
    int repeat = argc > 3 ? atoi(argv[3]) : 1;
    bcorpus c;
    bcorpus_init(&c, "corpus");
    if (bcorpus_load_jsonl(&c, argv[1], 0) != 0 || c.n == 0) {
        fprintf(stderr, "ixtime: cannot load %s\n", argv[1]);
        return 1;
    }
    for (int r = 0; r < repeat; r++) {
        double w0 = bench_now(), c0 = cpu_s();
        if (build_once(&c, dir)) return 1;
        double w = bench_now() - w0, cpu = cpu_s() - c0;
        printf("%zu articles, %.1f MB: wall %.3f s, CPU %.3f s, %.2f MB/s wall, "
               "%.2f MB per CPU s\n", c.n, (double)c.text_bytes / 1e6, w, cpu,
               (double)c.text_bytes / 1e6 / w, (double)c.text_bytes / 1e6 / cpu);
    }
    bcorpus_free(&c);
    return 0;
}

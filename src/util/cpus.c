/* cpus.c — the processors this process may use (affinity and cgroup quota). */
#include "util/cpus.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cpus_quota_parse(const char *text)
{
    char a[32], b[32];
    if (!text || sscanf(text, "%31s %31s", a, b) != 2 || !strcmp(a, "max"))
        return 0;
    char *end;
    long long quota = strtoll(a, &end, 10);
    if (*end || quota <= 0)
        return 0; /* v1 says -1 for no quota */
    long long period = strtoll(b, &end, 10);
    if (*end || period <= 0)
        return 0;
    long long n = (quota + period - 1) / period;
    return n > 1 << 20 ? 1 << 20 : (int)n;
}

/* The first line of a small file, or 0 if it cannot be read. */
static int read_line(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(out, (int)n, f) != NULL;
    fclose(f);
    return ok;
}

static int cgroup_quota(void)
{
    char line[128];
    if (read_line("/sys/fs/cgroup/cpu.max", line, sizeof line))
        return cpus_quota_parse(line);
    char q[64], p[64];
    if (read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", q, sizeof q) &&
        read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", p, sizeof p)) {
        q[strcspn(q, "\n")] = 0;
        snprintf(line, sizeof line, "%s %s", q, p);
        return cpus_quota_parse(line);
    }
    return 0;
}

int cpus_usable(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n < 1)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    int q = cgroup_quota();
    if (q > 0 && q < n)
        n = q;
    return (int)n;
}

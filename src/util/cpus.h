/* cpus.h — how many processors this process may really use: the CPUs its
 * affinity mask allows (taskset, cpusets), capped by a cgroup CPU quota
 * (`docker --cpus`, systemd CPUQuota=), not merely the CPUs online. */
#ifndef MG_UTIL_CPUS_H
#define MG_UTIL_CPUS_H

/* Processors usable by the calling thread, at least 1. */
int cpus_usable(void);

/* The processors a quota allows, rounded up: `text` is "QUOTA PERIOD",
 * as in a cgroup v2 cpu.max line ("max 100000" for none, "150000 100000"
 * for 1.5 CPUs) or cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us
 * values ("-1 100000" for none).  0 when there is no quota or the text is
 * not understood. */
int cpus_quota_parse(const char *text);

#endif

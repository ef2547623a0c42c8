/* progress.c — see progress.h. */
#include "cli/progress.h"

#include <stdio.h>
#include <time.h>

double progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, int enabled, uint64_t total)
{
    p->enabled = enabled;
    p->drawn = 0;
    p->total = total;
    p->bytes = p->articles = 0;
    p->start = progress_now();
    p->last = p->start; /* first drawn after 0.1 s, once rates mean something */
}

static void draw(progress *p, double now)
{
    double secs = now - p->start;
    double mb = (double)p->bytes / 1e6;
    double rate = secs > 0 ? mb / secs : 0;
    char bar[32] = "";
    char eta[32] = "";
    if (p->total > 0) {
        double frac = (double)p->bytes / (double)p->total;
        if (frac > 1)
            frac = 1;
        int fill = (int)(frac * 20);
        for (int i = 0; i < 20; i++)
            bar[i] = i < fill ? '#' : '-';
        bar[20] = '\0';
        if (rate > 0 && frac > 0.001) {
            long left = (long)(secs / frac - secs);
            snprintf(eta, sizeof eta, "ETA %ld:%02ld", left / 60, left % 60);
        }
        fprintf(stderr, "\r\033[K[%s] %3.0f%%  %llu articles  %.1f/%.1f MB  %.1f MB/s  %s", bar,
                frac * 100, (unsigned long long)p->articles, mb, (double)p->total / 1e6, rate, eta);
    } else {
        fprintf(stderr, "\r\033[K%llu articles  %.1f MB  %.1f MB/s", (unsigned long long)p->articles, mb,
                rate);
    }
    fflush(stderr);
    p->drawn = 1;
    p->last = now;
}

void progress_update(progress *p, uint64_t articles, uint64_t bytes)
{
    p->articles = articles;
    if (bytes > p->bytes)
        p->bytes = bytes;
    if (!p->enabled)
        return;
    double now = progress_now();
    if (now - p->last >= 0.1)
        draw(p, now);
}

void progress_clear(progress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = 0;
        p->last = 0;
    }
}

void progress_finish(progress *p)
{
    if (!p->enabled)
        return;
    draw(p, progress_now());
    fputc('\n', stderr);
    p->drawn = 0;
}

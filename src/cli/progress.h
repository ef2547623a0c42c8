/* progress.h — the one-line progress bar of `morgue index` on a terminal:
 * articles, MB read of the total, rate and ETA, redrawn at most ten times a
 * second on stderr; and the clock the final summary uses. */
#ifndef MG_CLI_PROGRESS_H
#define MG_CLI_PROGRESS_H

#include <stdint.h>

typedef struct progress {
    int      enabled;     /* draw at all (stderr is a terminal, not -q) */
    int      drawn;       /* a line is on screen now */
    uint64_t total;       /* expected input bytes (0: unknown) */
    uint64_t bytes;       /* input bytes read so far */
    uint64_t articles;    /* articles indexed so far */
    double   start;       /* seconds, monotonic */
    double   last;        /* when last drawn */
} progress;

/* Monotonic seconds. */
double progress_now(void);

void progress_init(progress *p, int enabled, uint64_t total);
/* Records new counts and redraws if enough time has passed. */
void progress_update(progress *p, uint64_t articles, uint64_t bytes);
/* Erases the bar (before printing a message); the next update redraws. */
void progress_clear(progress *p);
/* Draws the final state and moves to a new line. */
void progress_finish(progress *p);

#endif

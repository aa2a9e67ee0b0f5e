/* ctr_logs.h: `logs` (GET /containers/ID/logs): a container's log, as the
 * monitor kept it (logfile.h), in a window of time, followed or not. */
#ifndef MOAT_ENGINE_CTR_LOGS_H
#define MOAT_ENGINE_CTR_LOGS_H

#include "logfile.h"
#include "store.h"
#include <stdbool.h>
#include <stdint.h>

struct ctr_logs_opts {
    int64_t tail;         /* the last tail records; -1: all */
    int64_t since, until; /* ns since the epoch, 0: none (Docker's --since, --until) */
    bool follow;          /* then what comes, until the container's monitor is gone */
};

/* Each record of container name's log (a name, an id or a unique prefix)
 * in the window, in order, to out (which returns < 0 to stop: its reader
 * went away). A damaged log file is skipped, the rest shown: the first
 * such damage is then the error. A container whose log driver is none
 * has nothing to show: an error. */
int ctr_logs(struct store *s, const char *name, const struct ctr_logs_opts *o,
             int (*out)(const struct log_rec *r, void *ctx), void *ctx, merr_t *err);

#endif

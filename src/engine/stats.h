/* stats.h: what `moat stats` shows, read from a container's cgroups (v1,
 * v2 or hybrid, through the runtime's record of its directories). */
#ifndef MOAT_STATS_H
#define MOAT_STATS_H

#include "store.h"
#include <stdint.h>

struct ctr_stats {
    uint64_t cpu_ns;              /* CPU time used */
    uint64_t mem, mem_limit;      /* bytes; limit 0: none */
    uint64_t pids, pids_limit;    /* limit 0: none */
    uint64_t blk_read, blk_write; /* bytes */
};

int ctr_stats_read(struct store *s, const char *id, struct ctr_stats *st, merr_t *err);

#endif

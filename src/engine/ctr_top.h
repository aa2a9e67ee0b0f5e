/* ctr_top.h: `top` (GET /containers/ID/top): a running container's
 * processes, as the host sees them. */
#ifndef MOAT_ENGINE_CTR_TOP_H
#define MOAT_ENGINE_CTR_TOP_H

#include "store.h"
#include <jansson.h>

/* Docker's {"Titles": [UID, PID, PPID, STIME, TTY, TIME, CMD], "Processes":
 * [[...], ...]} of container name (a name, an id or a unique prefix): host
 * uids and pids, the start time (HH:MM), the cpu time (HH:MM:SS). */
json_t *ctr_top(struct store *s, const char *name, merr_t *err);

#endif

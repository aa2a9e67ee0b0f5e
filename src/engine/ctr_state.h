/* ctr_state.h: a container's name and its frozen state: rename, pause and
 * unpause, as the CLI (and the API daemon next) call them. */
#ifndef MOAT_ENGINE_CTR_STATE_H
#define MOAT_ENGINE_CTR_STATE_H

#include "store.h"

#include <stdbool.h>

/* Docker's container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
bool ctr_name_ok(const char *name);
/* Give container id the name `name` (no other container may have it), under
 * the store lock; running or not. */
int ctr_rename(struct store *s, const char *id, const char *name, merr_t *err);
/* Freeze (pause) or thaw every process of a running container: its cgroup
 * freezer, through the runtime. */
int ctr_pause(struct store *s, const char *id, bool pause, merr_t *err);
/* Thaw it if it is frozen (a stop: the signal just sent is delivered) */
void ctr_thaw(struct store *s, const char *id);
/* Is the container frozen now? (the runtime's answer: the freezer) */
bool ctr_paused(struct store *s, const char *id);
/* A running record as it is now: State.Status "paused" while it is
 * frozen (State.Running stays true, as in Docker). */
void ctr_mark_paused(struct store *s, const char *id, json_t *rec);

#endif

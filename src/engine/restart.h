/* restart.h: Docker's restart policies. The container's monitor starts it
 * again after it exits, as its policy says and with a growing delay; a
 * stop, kill or rm by the user holds the policy off until the next start;
 * at boot, `moat __boot` (a systemd unit that meson install provides)
 * starts what `always` and `unless-stopped` keep running. */
#ifndef MOAT_ENGINE_RESTART_H
#define MOAT_ENGINE_RESTART_H

#include "store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* --restart no|always|unless-stopped|on-failure[:N] as HostConfig's
 * RestartPolicy {Name, MaximumRetryCount} */
int restart_parse(const char *spec, json_t **policy, merr_t *err);
/* after an exit with code and count restarts so far: go again? */
bool restart_wanted(json_t *rec, int code, int64_t count, bool manual);
/* how long to wait before restart number n (0 the first) */
unsigned restart_delay_ms(int64_t n);
/* the user stopped it (stop, kill, rm), or started it again (off) */
void restart_mark_manual(struct store *s, const char *id, bool on);
bool restart_manual(struct store *s, const char *id);
/* start what the policies keep running, in the store at root (NULL: the
 * default store and every store of the host's list) */
int restart_at_boot(const char *root);

#endif

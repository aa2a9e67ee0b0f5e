/* ctr_verbs.h: the container verbs, as the CLI (and the API daemon next)
 * call them: create, start, stop, kill, remove, wait. Each acts on one
 * container of the store, by its full id; none prints (a pull for a
 * missing image reports its progress on stderr, as Docker's CLI does). */
#ifndef MOAT_ENGINE_CTR_VERBS_H
#define MOAT_ENGINE_CTR_VERBS_H

#include "ctr_config.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"

/* A new container from o (its image pulled if missing); its id to id */
int ctr_create(struct store *s, struct run_opts *o, char id[65], merr_t *err);
/* Start it, and when attached (ao not NULL) relay its stdio as ao says
 * until it ends (its exit status to code; ATTACH_EXITED) or the detach
 * keys are read (ATTACH_DETACHED). rm: return once --rm removed it. */
int ctr_start_attach(struct store *s, const char *id, const struct attach_opts *ao, bool rm,
                     int *code, merr_t *err);
/* Start it as its record says (a running one: nothing to do); ao as
 * above, its stdin and terminal as the record has them */
int ctr_start(struct store *s, const char *id, const struct attach_opts *ao, int *code,
              merr_t *err);
/* Attach to the running container as ao says (its terminal as the record
 * has it) */
int ctr_attach(struct store *s, const char *id, const struct attach_opts *ao, int *code,
               merr_t *err);
/* Wait up to secs (negative: for ever) for its monitor to end: true if it
 * did */
bool ctr_wait_monitor(struct store *s, const char *id, int secs);
int ctr_signal(struct store *s, const char *id, int sig, merr_t *err);
/* sig (0: its stop signal), then SIGKILL after secs (-1: never;
 * CTR_STOP_DEFAULT: its --stop-timeout, else 10) */
#define CTR_STOP_DEFAULT (-1000)
int ctr_stop(struct store *s, const char *id, int secs, int sig, merr_t *err);
/* sig to a running container (an error if it is not running) */
int ctr_kill(struct store *s, const char *id, int sig, merr_t *err);
/* Remove it; force: a running one too (SIGKILL first) */
int ctr_rm(struct store *s, const char *id, bool force, bool volumes, merr_t *err);
/* Wait until it has run and stopped: its exit code */
int ctr_wait(struct store *s, const char *id, int64_t *code, merr_t *err);

#endif

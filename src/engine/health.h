/* health.h: Docker's health checks, run by the container's monitor.
 *
 * The check (Config.Healthcheck: ["CMD", ...] or ["CMD-SHELL", "..."])
 * runs inside the container exactly as `moat exec` runs a process
 * (ctr_exec.h), from a child of the monitor, every interval (the start
 * interval while the container starts); the monitor's loop never waits
 * for it. Its stdin is /dev/null; its stdout and stderr come back through
 * a pipe, of which the first 4096 bytes are kept (Docker's "..." marks
 * the rest). A check past its timeout is killed with its whole process
 * group (the child, and what the check runs unless it left the group) and
 * counts as a failure (exit code -1). State.Health in the record:
 * {Status: starting|healthy|unhealthy, FailingStreak, Log: the last 5
 * results {Start, End, ExitCode, Output}}. Docker's rules: a success makes
 * it healthy; failures during the start period do not count while it
 * starts; `retries` failures in a row make it unhealthy. When the
 * container stops the status is unhealthy (as Docker's); at a start it is
 * starting again. */
#ifndef MOAT_HEALTH_H
#define MOAT_HEALTH_H

#include "store.h"
#include <stdbool.h>
#include <sys/types.h>

#define HEALTH_MAX_OUTPUT 4096
#define HEALTH_MAX_LOG 5

struct health;

/* The health check of container id (its record rec), or NULL when it has
 * none (no Healthcheck, Test NONE, or one that does not check). */
struct health *health_new(struct store *s, const char *id, json_t *rec);
void health_free(struct health *h);
/* The container was started (again): starting, no failures; recorded. */
void health_start(struct health *h);
/* The pipe of a running check's output to poll for input, or -1. */
int health_fd(const struct health *h);
/* Milliseconds until health_tick has work (a check is due, or a running
 * one reaches its timeout); -1 for never (h NULL). */
int health_poll_ms(const struct health *h);
/* After poll: read the check's output (readable), start a check that is
 * due, kill one past its timeout. */
void health_tick(struct health *h, bool readable);
/* A child was reaped: true when it was the check (its result is then
 * recorded). */
bool health_reaped(struct health *h, pid_t pid, int status);
/* The container ended: a running check is killed and dropped (no
 * result); the status is unhealthy, as Docker records it. */
void health_stop(struct health *h);

#endif

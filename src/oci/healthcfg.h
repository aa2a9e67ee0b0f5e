/* healthcfg.h: a container's health check, Docker's HealthConfig:
 *
 *   {"Test": ["CMD", "prog", "arg"...] | ["CMD-SHELL", "command"] | ["NONE"],
 *    "Interval": ns, "Timeout": ns, "StartPeriod": ns, "StartInterval": ns,
 *    "Retries": n}
 *
 * from an image's config (untrusted: checked and bounded here, fuzzed by
 * tests/fuzz/fuzz_imgconfig) and from run's --health-* flags, which
 * override the image's field by field as Docker's merge does. A zero
 * field means Docker's default (30s interval, 30s timeout, no start
 * period, 5s start interval, 3 retries). Pure code. */
#ifndef MOAT_OCI_HEALTHCFG_H
#define MOAT_OCI_HEALTHCFG_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* bounds on a Test: what a command line can be, not what a file can */
#define HEALTH_TEST_MAX_ARGS 1024
#define HEALTH_TEST_MAX_BYTES 65536

#define HEALTH_DEFAULT_INTERVAL INT64_C(30000000000)
#define HEALTH_DEFAULT_TIMEOUT INT64_C(30000000000)
#define HEALTH_DEFAULT_START_INTERVAL INT64_C(5000000000)
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_MIN_DURATION INT64_C(1000000) /* Docker's MinimumDuration, 1ms */

struct health_cfg {
    char **test; /* NULL-ended; NULL: not set */
    int64_t interval, timeout, start_period, start_interval, retries;
};

/* Check j, a Healthcheck object (NULL or null: none), into c: Test a list
 * of at most HEALTH_TEST_MAX_ARGS strings without NUL, of at most
 * HEALTH_TEST_MAX_BYTES in all, that starts with CMD or CMD-SHELL and
 * something to run, or NONE; the durations and Retries integers. `what`
 * names j in errors ("image config: Healthcheck"). */
int health_cfg_from_json(json_t *j, const char *what, struct health_cfg *c, merr_t *err);
/* Docker's merge: what user leaves unset (no Test, a zero) from image. */
void health_cfg_merge(struct health_cfg *user, const struct health_cfg *image);
/* Docker's rules for a container's: each duration 0 or at least 1ms,
 * Retries not negative (Docker's words). */
int health_cfg_check(const struct health_cfg *c, merr_t *err);
/* Does it run a check (Test CMD or CMD-SHELL)? */
bool health_cfg_enabled(const struct health_cfg *c);
/* Docker's shape; NULL when nothing is set at all */
json_t *health_cfg_json(const struct health_cfg *c);
void health_cfg_free(struct health_cfg *c);

/* The effective values, defaults filled in (interval, timeout, start
 * interval in ns; retries) */
int64_t health_cfg_interval(const struct health_cfg *c);
int64_t health_cfg_timeout(const struct health_cfg *c);
int64_t health_cfg_start_interval(const struct health_cfg *c);
int64_t health_cfg_retries(const struct health_cfg *c);

#endif

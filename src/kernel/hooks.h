/* hooks.h: run an OCI hook with the container state on stdin, a timeout,
 * and its output captured for the error message. */
#ifndef MOAT_HOOKS_H
#define MOAT_HOOKS_H

#include "../oci/spec.h"
#include "../util/err.h"

/* `what` names the hook in errors ("hooks.prestart[0]"). */
int hook_run(const struct spec_hook *h, const char *what, const char *state_json, merr_t *err);

#endif

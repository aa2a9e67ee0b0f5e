/* ops.h: an opened container (its locked state directory), for the
 * operations on existing containers; the operations themselves (runc's
 * commands, op_*) are declared in runtime.h. */
#ifndef MOAT_OPS_H
#define MOAT_OPS_H

#include "runtime.h"
#include "../oci/spec.h"
#include "state.h"
#include "../kernel/cgroup.h"
#include "../util/err.h"
#include <stdbool.h>

/* An opened container: locked state directory, state, stored config. */
struct handle {
    int dirfd;
    struct state st;
    enum cstatus status;
    struct spec *spec; /* loaded on demand */
    bool spec_borrowed;
    struct cg_host host;
    struct cg cg;
    bool have_cg;
};

int handle_open(int rootfd, const char *id, struct handle *h, merr_t *err);
/* read-only look (state, list): no lock */
int handle_peek(int rootfd, const char *id, struct handle *h, merr_t *err);
int handle_load_spec(struct handle *h, merr_t *err);
int handle_cgroup(struct handle *h, merr_t *err);
/* Give a handle what the create of container c already knows, so run's
 * delete does not read it again: the parsed config (borrowed) and the
 * host's cgroup layout (taken from c). */
void handle_adopt(struct handle *h, struct container *c);
void handle_close(struct handle *h);
/* pidfd of the init, checked against the recorded start time. */
int handle_pidfd(const struct handle *h, merr_t *err);

/* Kill, reap leftovers, remove the cgroup, run poststop hooks, remove the
 * state: the end of every container (delete, and run after exit). */
int container_destroy(int rootfd, struct handle *h, merr_t *err);
/* Run poststart hooks (failures are warnings). */
void run_poststart(const struct spec *s, const char *state_json);

#endif

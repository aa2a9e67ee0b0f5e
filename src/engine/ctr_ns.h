/* ctr_ns.h: --pid, --ipc and --uts (HostConfig's PidMode, IpcMode and
 * UTSMode): private (the default), the host's, or (pid, ipc) another
 * container's: "container:NAME". A container that joins another's
 * namespaces joins its user namespace too, and shares its id range: the
 * kernel only lets a process into namespaces its user namespace owns. */
#ifndef MOAT_ENGINE_CTR_NS_H
#define MOAT_ENGINE_CTR_NS_H

#include "store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Check the modes of hc; userns: the container has a user namespace of
 * its own; hostname: --hostname was given. */
int ctr_ns_check(json_t *hc, bool userns, bool hostname, merr_t *err);

/* At create, under the store lock: "container:NAME" modes become
 * "container:ID"; *joined says whether there was one, *base is then that
 * container's id range (0: it has no user namespace). */
int ctr_ns_join(struct store *s, json_t *hc, bool userns, bool *joined, uint64_t *base,
                merr_t *err);

/* Must the process that creates the container run from a sealed moat
 * (seal.h)? Its init is in the host's pid namespace as host root, or it
 * joins another container's user namespace. */
bool ctr_ns_needs_seal(json_t *hc, bool userns);

/* The modes into config.json c: shared namespaces dropped, another
 * container's joined by path (it must run). */
int ctr_ns_oci(struct store *s, json_t *c, json_t *hc, merr_t *err);

#endif

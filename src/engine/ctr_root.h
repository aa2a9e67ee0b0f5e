/* ctr_root.h: a container's root filesystem, opened for a copy, an export
 * or a commit, running or not.
 *
 * A running container: its root as its processes see it (/proc/PID/root
 * of its init, checked with a pidfd; volumes and tmpfs included) or the
 * overlay alone (containers/ID/rootfs, which its monitor mounted). A
 * stopped one: the overlay as a detached mount (an fd attached nowhere,
 * gone when closed, even if moat is killed), with the container's monitor
 * lock held so that it cannot start meanwhile. */
#ifndef MOAT_ENGINE_CTR_ROOT_H
#define MOAT_ENGINE_CTR_ROOT_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>

enum ctr_root_view {
    CTR_ROOT_PROC, /* what its processes see (mounts included) */
    CTR_ROOT_FS,   /* the overlay alone: image layers + its writable layer */
};

struct ctr_root {
    int fd;        /* the root directory (O_RDONLY) */
    uint32_t base; /* the host id of its root (UsernsBase) */
    bool running;
    char id[65];
    json_t *rec; /* its record */
    int lock;    /* the monitor lock (stopped), else -1 */
    int mnt;     /* the detached overlay (stopped), else -1 */
};

/* Open the root of container `what` (id, prefix or name). */
int ctr_root_open(struct store *s, const char *what, enum ctr_root_view v, struct ctr_root *r,
                  merr_t *err);
void ctr_root_close(struct ctr_root *r);

/* A host id as the container sees it: minus base, or 65534 (nobody) when
 * it is outside the container's range. */
uint32_t ctr_id_in(uint32_t base, uint32_t host);

#endif

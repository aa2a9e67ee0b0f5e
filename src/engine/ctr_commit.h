/* ctr_commit.h: docker commit: a new image from a container. */
#ifndef MOAT_ENGINE_CTR_COMMIT_H
#define MOAT_ENGINE_CTR_COMMIT_H

#include "store.h"
#include <stdbool.h>
#include <stddef.h>

struct commit_opts {
    const char *ref;      /* REPO[:TAG] to name it, or NULL */
    const char *author;   /* or NULL */
    const char *message;  /* the history entry's comment, or NULL */
    char *const *changes; /* Dockerfile instructions (dockerfile_change.h) */
    size_t nchanges;
    bool pause; /* freeze a running container while its layer is read */
};

/* The container's image layers plus a layer made of its writable layer
 * (overlay whiteouts as OCI ".wh." entries, ids as the container sees
 * them, the image's own), its config (Cmd, Entrypoint, Env, WorkingDir,
 * User, Labels, ExposedPorts, Volumes, StopSignal, Healthcheck) with the
 * changes applied, and a history entry: stored as an image, its id into
 * id. A stopped container is held (its monitor lock) so that it cannot
 * start meanwhile; on failure the store keeps nothing of it. */
int ctr_commit(struct store *s, const char *what, const struct commit_opts *o, char id[72],
               merr_t *err);

#endif

/* ctr_export.h: docker export: a container's root filesystem as a tar. */
#ifndef MOAT_ENGINE_CTR_EXPORT_H
#define MOAT_ENGINE_CTR_EXPORT_H

#include "store.h"

/* A tar of the root filesystem of container `what` (running or not) as
 * the container sees it, the overlay of its image's layers and its
 * writable layer (not its volumes or other mounts), ids as seen inside,
 * written to fd (tarwrite.h says how the files are read). */
int ctr_export(struct store *s, const char *what, int fd, merr_t *err);

#endif

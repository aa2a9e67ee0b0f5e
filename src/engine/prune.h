/* prune.h: removing what nothing uses, as `system prune` (and the
 * container, image and volume prunes) do. */
#ifndef MOAT_ENGINE_PRUNE_H
#define MOAT_ENGINE_PRUNE_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Each removes what is unused and appends what it removed (ids, names) to
 * deleted, and adds the bytes freed to *freed. Failures on one object are
 * skipped (it stays). */
/* containers that are not running (nor being started) */
void prune_containers(struct store *s, json_t *deleted, uint64_t *freed);
/* dangling images (no name), or with all every image no container uses;
 * and what killed writers left (store_sweep) */
int prune_images(struct store *s, bool all, json_t *deleted, uint64_t *freed, merr_t *err);
/* volumes no container mounts: anonymous ones (Docker's), or with all
 * named ones too */
void prune_volumes(struct store *s, bool all, json_t *deleted, uint64_t *freed);

#endif

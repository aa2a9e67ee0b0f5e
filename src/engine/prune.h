/* prune.h: removing what nothing uses, as `system prune` (and the
 * container, image and volume prunes) do. */
#ifndef MOAT_ENGINE_PRUNE_H
#define MOAT_ENGINE_PRUNE_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* what a prune removes; a system prune is several */
enum { PRUNE_CONTAINERS = 1, PRUNE_IMAGES = 2, PRUNE_VOLUMES = 4, PRUNE_NETWORKS = 8 };

/* --filter of the prunes, Docker's keys: containers and images take
 * until (a time or a duration: created then or before), label and label!
 * (KEY or KEY=VALUE; see filters_match_labels); volumes take label,
 * label! and all (true: named volumes too, as --all); networks take until,
 * label and label!. */
struct prune_filter {
    json_t *args;  /* filters.h's; NULL: none */
    int64_t until; /* ns since the epoch; INT64_MAX: no until */
    bool all;      /* all=true */
    /* set by the API for a restricted caller: only volumes and networks
     * whose record's "Owner" is this one are pruned */
    const char *owner;
};
/* args (NULL-ended, may be NULL) for the prunes of what (PRUNE_*, or'd):
 * a key must be one that each of them takes. vol_all: volume prune's
 * --all, which the all filter may not repeat (Docker's). On an unknown
 * key or a bad value: -1 with err, pf empty. */
int prune_filter_parse(char *const *args, unsigned what, bool vol_all, struct prune_filter *pf,
                       merr_t *err);
void prune_filter_free(struct prune_filter *pf);
/* pf's filters as Docker's prompt lists them ("label=x"), sorted */
char **prune_filter_list(const struct prune_filter *pf);

/* Each removes what is unused and passes pf (NULL: no filter), appends
 * what it removed (ids, names) to deleted, and adds the bytes freed to
 * *freed. Failures on one object are skipped (it stays). */
/* containers that are not running (nor being started) */
void prune_containers(struct store *s, const struct prune_filter *pf, json_t *deleted,
                      uint64_t *freed);
/* dangling images (no tag and no digest reference), or with all every
 * image no container uses; and what killed writers left (store_sweep) */
int prune_images(struct store *s, bool all, const struct prune_filter *pf, json_t *deleted,
                 uint64_t *freed, merr_t *err);
/* volumes no container mounts: anonymous ones (Docker's), or with all (or
 * pf's all) named ones too */
void prune_volumes(struct store *s, bool all, const struct prune_filter *pf, json_t *deleted,
                   uint64_t *freed);

#endif

/* ctr_user.h: a container's user, from "user[:group]" (names or numbers).
 *
 * Names are looked up in the image's own /etc/passwd and /etc/group,
 * never through NSS and without following a link out of the image: in
 * the mounted root (at start and exec), or in the image's layers (at
 * create, so that a user the image lacks is refused before anything is
 * made). A numeric user takes its group from /etc/passwd too, as Docker
 * does (gid 0 where the image has no line for it). Ids must lie inside
 * the container's range. */
#ifndef MOAT_CTR_USER_H
#define MOAT_CTR_USER_H

#include "store.h"
#include <jansson.h>
#include <stdint.h>

/* In the root at rootfd. */
int ctr_resolve_user(int rootfd, const char *spec, uint64_t *uid, uint64_t *gid, merr_t *err);
/* A group, a number or a name of the image's /etc/group, to its gid */
int ctr_resolve_group(int rootfd, const char *group, uint64_t *gid, merr_t *err);
/* In the image's layers (diff_ids, bottom first), before a container
 * exists. Where the layers cannot answer without mounting (a link on the
 * way), nothing is refused: the start checks it. */
int ctr_check_user_layers(struct store *s, json_t *layers, const char *spec, merr_t *err);

#endif

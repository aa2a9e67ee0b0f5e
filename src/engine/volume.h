/* volume.h: named volumes in the store.
 *
 *   volumes/NAME/_data        the volume's files
 *   volumes/NAME/volume.json  {"Name", "CreatedAt", "UsernsBase", "Anonymous",
 *                             "Labels"}
 *
 * Each volume owns a range of 65536 subordinate ids of its own (taken
 * from the same pool as containers' ranges): its files belong to that
 * range on the host, never to host root. A container mounting it sees it
 * through an idmapped mount that maps the volume's range onto the
 * container's own, so every container that shares the volume sees the
 * same owners, and none of them writes as a host id below the
 * subordinate ranges. */
#ifndef MOAT_VOLUME_H
#define MOAT_VOLUME_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>

bool volume_name_ok(const char *name);
/* 64 random hex digits: the name of an anonymous volume (or an id) */
char *volume_random_name(void);
/* Make the volume if it is missing (under the store lock: it takes an id
 * range); *created says whether it did. A volume of an older moat (no
 * range) gets one now, its files shifted into it. */
int volume_ensure(struct store *s, const char *name, bool anonymous, bool *created, merr_t *err);

/* the labels of a volume, as compact JSON, at most (its record is read
 * back only up to 64 KiB) */
#define VOLUME_LABELS_MAX (32 * 1024)
/* `volume create`'s --label KEY[=VALUE] (NULL-ended, may be NULL) and
 * --opt KEY=VALUE, checked before anything is made: a label's key is not
 * empty (Docker's rule), it is UTF-8, all fit VOLUME_LABELS_MAX; moat's
 * local driver takes no option yet, so any --opt is refused. The labels
 * as an object, or NULL and err. */
json_t *volume_create_args(char *const *labels, char *const *opts, merr_t *err);
/* `volume create NAME`: checks as above, then, under the store lock, the
 * volume with those labels; a volume that exists is left as it is
 * (Docker's), *created false. */
int volume_create(struct store *s, const char *name, char *const *labels, char *const *opts,
                  bool *created, merr_t *err);
/* The volume's record as stored (its "Owner" too), or NULL if there is no
 * such volume (or the name is not one). */
json_t *volume_stored(struct store *s, const char *name);
/* Give a volume that has no owner one ("uid:N", the API's restricted
 * callers; see daemon/own.c). */
int volume_own(struct store *s, const char *name, const char *owner, merr_t *err);
/* The volume's files as an O_PATH fd (no symlink followed) and its range. */
int volume_open(struct store *s, const char *name, uint64_t *base, merr_t *err);
/* The volume's record (Docker's `volume inspect` shape). */
json_t *volume_inspect(struct store *s, const char *name, merr_t *err);
char **volume_names(struct store *s);
/* `volume ls --filter`: Docker's keys, dangling (true: no container
 * mounts it), driver, label (KEY or KEY=VALUE, all must hold), name (a
 * value that is the name or, as a regular expression, matches in it; one
 * must). volume_list_filters checks args (NULL and err on an unknown key
 * or a bad value) and returns them parsed; volume_list returns the
 * volumes that pass, in inspect's shape. */
json_t *volume_list_filters(char *const *args, merr_t *err);
json_t *volume_list(struct store *s, char *const *args, merr_t *err);
/* The ranges of all volumes (for the range allocator); *n of them. */
uint64_t *volume_bases(struct store *s, size_t *n);
/* The first container (short id in buf) that mounts the volume, or NULL. */
const char *volume_user(struct store *s, const char *name, char *buf, size_t n);
int volume_remove(struct store *s, const char *name, bool force, merr_t *err);
/* The anonymous volumes among a container's Mounts that no other
 * container uses: removed (rm -v, run --rm), quietly. */
void volume_remove_anonymous(struct store *s, json_t *mounts);

#endif

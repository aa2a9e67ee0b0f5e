/* volume.h: named volumes in the store.
 *
 *   volumes/NAME/_data        the volume's files
 *   volumes/NAME/volume.json  {"Name", "CreatedAt", "UsernsBase"}
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
/* The volume's files as an O_PATH fd (no symlink followed) and its range. */
int volume_open(struct store *s, const char *name, uint64_t *base, merr_t *err);
/* The volume's record (Docker's `volume inspect` shape). */
json_t *volume_inspect(struct store *s, const char *name, merr_t *err);
char **volume_names(struct store *s);
/* The ranges of all volumes (for the range allocator); *n of them. */
uint64_t *volume_bases(struct store *s, size_t *n);
/* The first container (short id in buf) that mounts the volume, or NULL. */
const char *volume_user(struct store *s, const char *name, char *buf, size_t n);
int volume_remove(struct store *s, const char *name, bool force, merr_t *err);
/* The anonymous volumes among a container's Mounts that no other
 * container uses: removed (rm -v, run --rm), quietly. */
void volume_remove_anonymous(struct store *s, json_t *mounts);

#endif

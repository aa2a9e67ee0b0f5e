/* stores.h: the host's list of moat stores, so that a bind mount can be
 * refused for any of them (and what is above or inside one), not only the
 * store in use. Every store_open adds its root; paths that are gone are
 * dropped when the list is written. */
#ifndef MOAT_STORES_H
#define MOAT_STORES_H

#include "../util/err.h"
#include <stdbool.h>
#include <sys/stat.h>

/* one path a line, root's only */
#define STORES_LIST "/var/lib/moat/stores.list"

/* Add root (absolute) to the list unless it is there; errors are ignored
 * (the list only widens a check). */
void stores_register(const char *root);
/* Serialise what must not happen in two stores at once (the choice of an
 * id range): the lock's fd, held until closed. */
int stores_lock(merr_t *err);
/* The roots in the list (a NULL-terminated vector, maybe empty). */
char **stores_list(void);
/* A listed root as an O_PATH fd, or -1: only a real directory (no symbolic
 * link on the way) that is root's and written by nobody else counts. The
 * list outlives its stores; a user may make what a path names now. */
int stores_open(const char *path);
/* A store root is root's alone */
bool stores_owner_ok(const struct stat *st);

#endif

/* intent.h: the record a create writes before it makes anything outside
 * its state directory, and the cleanup of what a killed create left (see
 * intent.c). */
#ifndef MOAT_INTENT_H
#define MOAT_INTENT_H

#include "../kernel/cgroup.h"
#include "../util/err.h"

/* where an extended attribute of the directory cannot hold it */
#define INTENT_FILE "intent"

/* Record in the (new, locked) state directory the cgroup directories the
 * create is about to make (cg, resolved, not made yet) for container id.
 * Nothing is written when there are none. */
int intent_write(int dirfd, const struct cg *cg, const char *id, merr_t *err);
/* The record's text (pure, for tests): NULL when cg has no directory. */
char *intent_encode(const struct cg *cg, const char *id);
/* The directories a record names on `host` (NULL-terminated; empty when
 * the record is cut short or names anything but plain absolute paths).
 * May change text. */
char **intent_decode(char *text, size_t len, const char *id, const struct cg_host *host);
/* If `id` under rootfd was left by a create that was killed (no state
 * file, nobody holds it), kill the processes in its recorded cgroups and
 * remove them and the directory. 1: cleaned; 0: nothing abandoned there
 * (absent, complete, or in use); -1: the cleanup failed (the record stays
 * for a later try). */
int intent_clean(int rootfd, const char *id, merr_t *err);

#endif

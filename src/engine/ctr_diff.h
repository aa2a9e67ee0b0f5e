/* ctr_diff.h: what a container changed in its root filesystem (docker
 * diff): its writable layer (the overlay's upper directory) against the
 * image's layers. */
#ifndef MOAT_ENGINE_CTR_DIFF_H
#define MOAT_ENGINE_CTR_DIFF_H

#include "store.h"

/* Docker's change kinds */
enum { CTR_CHANGE_MODIFY = 0, CTR_CHANGE_ADD = 1, CTR_CHANGE_DELETE = 2 };

/* emit(kind, "/path", ctx) for each change, in path order, Docker's
 * rules: a whiteout is a deletion, an opaque directory that hides one of
 * the image is deleted (what is in it now is added), a path the image has
 * is modified (a directory only if it differs, or if something was added
 * or deleted in it), anything else is added. Reads the upper directory
 * through treewalk (no symlink followed, nothing but directories
 * opened). */
int ctr_diff(struct store *s, const char *id, void (*emit)(int kind, const char *path, void *ctx),
             void *ctx, merr_t *err);

#endif

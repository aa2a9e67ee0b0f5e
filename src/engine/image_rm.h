/* image_rm.h: `rmi` (DELETE /images/NAME): a name, or the image. */
#ifndef MOAT_ENGINE_IMAGE_RM_H
#define MOAT_ENGINE_IMAGE_RM_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The short id of a container that uses image id into buf (NULL: none). */
const char *image_user(struct store *s, const char *id, char *buf, size_t n);

/* Remove `what` as Docker does. Given by a reference (a tag, or
 * REPO@DIGEST), that reference goes, and with a tag the digest references
 * of its repository when no other tag of the image is left there; the
 * image goes too when no reference is left. Given by id, the image goes
 * with all its references, but without force only if they are at most one
 * tag and all in one repository. Never while a container uses it.
 * Appends Docker's report to out, in order: {"Untagged": NAME} per
 * reference and {"Deleted": ID}. */
int image_remove(struct store *s, const char *what, bool force, json_t *out, merr_t *err);

#endif

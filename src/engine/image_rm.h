/* image_rm.h: `rmi` (DELETE /images/NAME): a name, or the image. */
#ifndef MOAT_ENGINE_IMAGE_RM_H
#define MOAT_ENGINE_IMAGE_RM_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The short id of a container that uses image id into buf (NULL: none). */
const char *image_user(struct store *s, const char *id, char *buf, size_t n);

/* Remove `what` as Docker does: given by a name that is one of several
 * of its image, only that name; else the image with all its names, unless
 * a container uses it (or, without force, more than one name holds it).
 * Appends Docker's report to out, in order: {"Untagged": NAME} per name
 * and {"Deleted": ID}. */
int image_remove(struct store *s, const char *what, bool force, json_t *out, merr_t *err);

#endif

/* image_info.h: an image as Docker shows it. */
#ifndef MOAT_ENGINE_IMAGE_INFO_H
#define MOAT_ENGINE_IMAGE_INFO_H

#include "store.h"
#include <jansson.h>

/* the names (full references) of image id in the store's names (NULL-ended) */
char **image_names(json_t *names, const char *id);
/* `docker image inspect`'s object for image id */
json_t *image_inspect_json(struct store *s, const char *id, merr_t *err);
/* `docker history`'s rows (GET /images/ID/history), newest first: {Id
 * (the image's for the newest, else "<missing>"), Created (RFC 3339, as
 * in the config), CreatedBy, Tags, Size (the layer blob's bytes; 0 for a
 * step without a layer), Comment}, from the config's history (one step a
 * layer if it has none) */
json_t *image_history(struct store *s, const char *id, merr_t *err);

#endif

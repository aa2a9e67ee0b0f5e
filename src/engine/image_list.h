/* image_list.h: the images `images` lists (and GET /images/json will), in
 * Docker's ImageSummary shape; how rows look is the front end's. */
#ifndef MOAT_ENGINE_IMAGE_LIST_H
#define MOAT_ENGINE_IMAGE_LIST_H

#include "store.h"
#include <jansson.h>

/* An ImageSummary per image that passes filters (images --filter's
 * KEY=VALUE: dangling, label, before, since, reference): Id, ParentId,
 * RepoTags and RepoDigests (familiar names; with a reference filter only
 * the names it matches, as moby lists them), Created (Unix seconds), Size,
 * SharedSize and Containers (-1: not computed), Labels. NULL and err on a
 * bad filter. */
json_t *image_list(struct store *s, char **filters, merr_t *err);

#endif

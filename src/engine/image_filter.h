/* image_filter.h: `images --filter` (Docker's: dangling, label, before,
 * since, reference), one image row (an image and one of its names) at a
 * time. */
#ifndef MOAT_ENGINE_IMAGE_FILTER_H
#define MOAT_ENGINE_IMAGE_FILTER_H

#include "store.h"
#include <stdbool.h>

struct image_filter {
    int dangling;         /* -1 any, 0 named only, 1 nameless only (no tag, no digest) */
    char **labels;        /* KEY or KEY=VALUE, all must match */
    char **references;    /* globs on REPO[:TAG] or REPO@DIGEST, one must match */
    char *before, *since; /* "created" of those images */
};

/* KEY=VALUE filters into f; an unknown key or a bad value is an error */
int image_filter_parse(struct store *s, char **filters, struct image_filter *f, merr_t *err);
void image_filter_free(struct image_filter *f);
/* Does the row of img named name (familiar "repo:tag", "repo@digest" for
 * a row of a digest reference, NULL for a nameless image) pass? */
bool image_filter_match(const struct image_filter *f, const struct image *img, const char *name);

#endif

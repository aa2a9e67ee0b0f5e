/* imgio.h: images in and out of the store as files: `import` (a root
 * filesystem tarball), `load` (docker-archive or OCI layout tarballs) and
 * `save` (one tarball that is both). */
#ifndef MOAT_IMGIO_H
#define MOAT_IMGIO_H

#include "../oci/imgjson.h"
#include "../oci/ref.h"
#include "store.h"

/* A layer blob's media type from its first bytes (tar, gzip or zstd). */
const char *layer_media_type(int fd);

/* The tarball in fd as one layer; named `name` when not NULL; the
 * Dockerfile instructions `changes` (dockerfile_change.h) applied to its
 * config, `message` (or NULL) its history's comment. */
int image_import(struct store *s, int fd, const char *name, char *const *changes, size_t nchanges,
                 const char *message, char id[72], merr_t *err);

/* Every image in the tarball in fd; `loaded` receives a line per image
 * ("Loaded image: NAME" or "Loaded image ID: sha256:..."). */
int image_load(struct store *s, int fd, char **loaded, merr_t *err);

/* The one image of the OCI layout directory moat-fetch wrote for the pull
 * of r, named `name` (full; NULL for none) whatever the layout says, and
 * given the digest reference "registry/path@DIGEST" of the repo digest the
 * layout records (checked: it must lead to the image's manifest, and be
 * r's digest when r has one); its id to id. */
int image_load_pulled(struct store *s, int root, const char *name, const struct ref *r, char id[72],
                      merr_t *err);

/* The images that refs (NULL-ended) name, as a tarball on fd (`docker
 * save`, GET /images/get): each named in the archive by the name it was
 * given by, if it was one. */
int image_save(struct store *s, char *const *refs, int fd, merr_t *err);

#endif

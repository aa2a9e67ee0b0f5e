/* store.h: the engine's image and container store (/var/lib/moat).
 *
 *   blobs/sha256/HEX      manifests, configs and layer tarballs, by digest
 *   layers/HEX/diff       a layer unpacked once, by its diff_id, shared
 *   images/HEX.json       an image: its config and manifest digests
 *   repositories.json     "registry/name:tag" -> image id
 *   digests.json          "registry/name@sha256:..." -> image id: the digest
 *                         of what the registry served for a pull (Docker's
 *                         RepoDigests)
 *   containers/ID/        the engine's containers (container.c)
 *   tmp/ID/               a moat's staging area: work in progress, renamed
 *                         into place when whole
 *   tmp/ID.journal        flock held while that moat lives; lists what it
 *                         put into blobs/ and layers/ (store_txn.c)
 *   lock                  flock for changes to names, images and containers
 *   users                 flock held shared by every moat using the store
 *
 * Everything that appears under a name appears by rename(2), so a reader
 * never sees half of it. A killed moat leaves its staging area and a
 * journal nobody holds: the next store_open removes both, and what the
 * journal lists that no image uses. */
#ifndef MOAT_STORE_H
#define MOAT_STORE_H

#include "../oci/ref.h"
#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define STORE_DEFAULT_ROOT "/var/lib/moat"

struct store {
    char *root;
    int fd;            /* the root directory */
    int lockfd;        /* "lock", held exclusively by store_lock */
    int idsfd;         /* the host-wide lock of id ranges, held until store_unlock */
    uint64_t *pending; /* ranges taken under this lock, not yet in a record */
    size_t npending;
    int usefd;   /* "users", held shared while the store is open */
    char *stage; /* "tmp/ID", made when first needed */
    int journalfd;
    pid_t stagepid; /* the process the staging area belongs to */
    /* the API's restricted caller this handle acts for ("uid:N", see
     * daemon/own.c): the volumes and networks it makes are recorded as its
     * ("Owner"), and so are their events; NULL for the CLI and admins */
    const char *owner;
};

int store_open(struct store *s, const char *root, merr_t *err);
void store_close(struct store *s);
int store_lock(struct store *s, merr_t *err);
void store_unlock(struct store *s);

/* After a failed import, load or pull: remove the blobs and layers this
 * process journaled that no image uses (and no other live moat is making).
 * store_commit forgets them instead. */
void store_rollback(struct store *s);
void store_commit(struct store *s);

/* A fresh directory in this process's staging area (its name into *name,
 * relative to root). */
int store_tmpdir(struct store *s, char **name, merr_t *err);
char *store_rand_name(void);

/* store_txn.c: the staging area (made when first needed), its journal
 * (what is about to appear in blobs/ or layers/: appended before the
 * rename), and the recovery of dead moats' staging areas. */
int store_stage(struct store *s, merr_t *err);
int store_journal_add(struct store *s, const char *rel, merr_t *err);
void store_journal_clear(struct store *s);
void store_rollback_journal(struct store *s);
void store_stage_close(struct store *s);
void store_recover(struct store *s);
/* Is tmp/name a staging area (or journal) of a live moat, ours included? */
bool store_tmp_in_use(struct store *s, const char *name);
/* Remove blobs and layers that no image uses and no live journal lists,
 * and temporary files of dead writers (image prune; under the lock). The
 * bytes of blobs removed are added to *freed. */
void store_sweep(struct store *s, uint64_t *freed);
/* The blob digests (configs, manifests, layers) and diff_ids of every
 * image but `skip`, as keys of the two objects. */
void store_refs(struct store *s, const char *skip, json_t *digests, json_t *diffs);
/* Remove the tree at rel: renamed into tmp/ first (a reader sees it whole
 * or not at all), then deleted. -1 with errno if it cannot be moved. */
int store_remove_tree(struct store *s, const char *rel);

/* Copy fd into the blob store; when `expect` is set the digest must match.
 * The digest is returned in out, the size in *size. */
int store_blob_put_fd(struct store *s, int fd, const char *expect, char out[72], uint64_t *size,
                      merr_t *err);
int store_blob_put(struct store *s, const void *data, size_t len, char out[72], merr_t *err);
bool store_blob_has(struct store *s, const char *digest);
int store_blob_open(struct store *s, const char *digest, merr_t *err);
json_t *store_blob_json(struct store *s, const char *digest, merr_t *err);

/* Unpack the layer blob `digest` (its diff_id must be `diff_id`) unless
 * it is there already. `what` names it in errors. */
int store_layer_add(struct store *s, const char *digest, const char *diff_id, merr_t *err);
bool store_layer_has(struct store *s, const char *diff_id);
/* "ROOT/layers/HEX/diff" */
char *store_layer_path(struct store *s, const char *diff_id);

/* An image: the manifest (OCI or Docker schema 2) and its config. */
struct image {
    char id[72];       /* the config digest */
    char manifest[72]; /* the manifest digest */
    json_t *config;
    json_t *manifest_json;
    char **diff_ids;
    size_t nlayers;
    uint64_t size; /* bytes of the layer blobs */
};

/* Record the image whose manifest blob is `manifest` (its config and
 * layers must be stored already), name it `name` and give it the digest
 * reference `dref` (either may be NULL; see store_name_set). */
int store_image_add(struct store *s, const char *manifest, const char *name, const char *dref,
                    char id[72], merr_t *err);
/* Find an image by name, NAME@DIGEST (a digest reference), id, or an
 * unambiguous id prefix. */
int store_image_find(struct store *s, const char *what, char id[72], merr_t *err);
int store_image_load(struct store *s, const char *id, struct image *img, merr_t *err);
void image_free(struct image *img);

/* Write the store's file rel (0600) through the staging area and rename(2). */
int store_write_file(struct store *s, const char *rel, const char *data, size_t len, merr_t *err);
/* The JSON object in the store's file rel, or an empty one. */
json_t *store_json_object(struct store *s, const char *rel);
/* store_names.c: the name table and the digest references; changes are
 * made with the lock taken by the caller. */
json_t *store_names(struct store *s);
int store_names_save(struct store *s, json_t *names, merr_t *err);
json_t *store_digests(struct store *s);
int store_digests_save(struct store *s, json_t *digests, merr_t *err);
/* Point the name `full` and the digest reference `dref` (either may be
 * NULL) at image `id`, under the lock. An image the name moves away from
 * loses its digest references of the name's repository if it has no other
 * tag there (Docker's rule when a tag is removed): what a pull of a tag
 * left stays only as long as a tag of it does. */
int store_name_set(struct store *s, const char *full, const char *dref, const char *id,
                   merr_t *err);
/* Drop from digests image id's digest references of repo ("registry/path")
 * unless names has a tag of id in repo; what was dropped, a NULL-ended list. */
char **store_digests_orphaned(json_t *names, json_t *digests, const char *repo, const char *id);
/* Point the name `full` at image `id` (takes the lock). */
int store_tag(struct store *s, const char *full, const char *id, merr_t *err);
/* The image of the digest reference r ("registry/path@digest") into id,
 * if r has a digest, it is recorded and the image is there. */
bool store_digest_find(struct store *s, const struct ref *r, char id[72]);
/* Image ids in the store. */
char **store_image_ids(struct store *s);
/* Remove image `id` (names pointing at it must be gone) and the blobs and
 * layers no other image uses. */
int store_image_remove(struct store *s, const char *id, merr_t *err);

#endif

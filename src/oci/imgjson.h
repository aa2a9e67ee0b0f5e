/* imgjson.h: the JSON documents of an image, checked into C structs: a
 * manifest (OCI or Docker schema 2), an index (OCI index or Docker
 * manifest list), an image config's rootfs, and a docker-archive's
 * manifest.json. Pure code: what comes from a registry or an archive is
 * checked here before any file is written (tests/fuzz covers it).
 *
 * Strings point into the json_t the document was checked from, which must
 * outlive the struct; the *_free functions release only the arrays. */
#ifndef MOAT_IMGJSON_H
#define MOAT_IMGJSON_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Media types of the OCI image spec. */
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

/* The full name a user-given name is stored under, or NULL (err set). */
char *image_name_full(const char *name, merr_t *err);

/* A descriptor: a manifest's config or layer, or an index's entry. */
struct img_desc {
    const char *digest;     /* a valid sha256 digest */
    const char *media_type; /* NULL if not given */
    uint64_t size;          /* 0 if not given */
    bool has_platform;      /* index entries */
    const char *os, *arch;  /* NULL if not given */
};

struct img_manifest {
    bool index; /* "manifests" is a list: the other fields are unset */
    const char *media_type;
    struct img_desc config;
    struct img_desc *layers;
    size_t nlayers;
    struct img_desc *manifests; /* an index's */
    size_t nmanifests;
};

/* Check the manifest or index j; `what` names it in errors ("manifest
 * sha256:..."). A manifest's mediaType, when given, must be an OCI or
 * Docker image manifest; every descriptor (config, layers, an index's
 * manifests) needs a valid digest, and a size, when given, must not be
 * negative. */
int img_manifest_check(json_t *j, const char *what, struct img_manifest *m, merr_t *err);
/* The same from the bytes of a document. */
int img_manifest_parse(const char *text, size_t len, const char *what, struct img_manifest *m,
                       json_t **keep, merr_t *err);
void img_manifest_free(struct img_manifest *m);
/* The index entry for linux/amd64 (the first one so marked, or without a
 * platform), or NULL. */
const struct img_desc *img_index_pick(const struct img_manifest *m);

/* An image config's rootfs.diff_ids: a list of valid digests (a NULL-
 * terminated vector of copies). `n`, when not (size_t)-1, is the number
 * of layers the manifest has, which it must match. */
int img_config_diff_ids(json_t *config, const char *what, size_t n, char ***out, merr_t *err);

/* One image of a docker-archive's manifest.json:
 * [{"Config": PATH, "RepoTags": [NAME...], "Layers": [PATH...]}] */
struct img_darchive {
    const char *config;
    const char **layers; /* NULL-terminated */
    size_t nlayers;
    char **names; /* full names ("docker.io/library/busybox:latest"), NULL-terminated */
};

/* The layout moat-fetch writes for a pull: an index.json with one
 * manifest descriptor, annotated with the digest of the document the
 * registry served for the reference (IMG_REPO_DIGEST: the manifest itself,
 * or the index or manifest list that leads to it), which becomes the
 * image's RepoDigest. *manifest and *repo_digest point into index;
 * *repo_digest is NULL when there is no annotation. Any other shape, or a
 * digest that is not sha256: and 64 lowercase hex digits, is refused. */
#define IMG_REPO_DIGEST "run.moat.repo-digest"
int img_pulled_index_check(json_t *index, const char **manifest, const char **repo_digest,
                           merr_t *err);

/* Check manifest.json (every name is parsed as a reference). */
int img_darchive_check(json_t *list, struct img_darchive **out, size_t *n, merr_t *err);
void img_darchive_free(struct img_darchive *v, size_t n);

#endif

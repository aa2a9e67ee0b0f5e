/* ref.h: image references as Docker writes them ("busybox",
 * "localhost:5000/app:1.0", "name@sha256:..."), and digests. Pure code. */
#ifndef MOAT_REF_H
#define MOAT_REF_H

#include "../util/err.h"
#include <stdbool.h>

struct ref {
    char *registry; /* "docker.io", "localhost:5000" */
    char *path;     /* "library/busybox" */
    char *tag;      /* NULL when only a digest is given */
    char *digest;   /* "sha256:..." or NULL */
};

#define REF_DEFAULT_REGISTRY "docker.io"
/* Docker's limits: the name with its registry, and the tag */
#define REF_NAME_MAX 255
#define REF_TAG_MAX 128

/* Parse `s`; a missing tag (and digest) becomes "latest". An error quotes
 * at most the first 80 characters of `s`. */
int ref_parse(const char *s, struct ref *r, merr_t *err);
void ref_free(struct ref *r);
/* "registry/path:tag" (or "@digest" when there is no tag). */
char *ref_string(const struct ref *r);
/* The short form Docker prints: "busybox:latest", "localhost:5000/app:1". */
char *ref_familiar(const char *full);
/* The repository of a full or familiar name, without its tag or digest:
 * "docker.io/library/busybox:1" and "docker.io/library/busybox@sha256:..."
 * are both "docker.io/library/busybox"; "localhost:5000/app" stays. */
char *ref_repo(const char *name);
/* "sha256:" and 64 lowercase hex digits? */
bool digest_valid(const char *d);
/* The hex part of a valid digest. */
const char *digest_hex(const char *d);

#endif

/* route.h: the Docker Engine API's paths, as moat serves them: a method
 * and a path (already unescaped) to an operation and its path
 * parameters. Pure (no I/O), so it is unit tested and fuzzed
 * (tests/fuzz/fuzz_api_route.c); the front (moat-api) routes every request
 * here before anything else reads it. */
#ifndef MOAT_API_ROUTE_H
#define MOAT_API_ROUTE_H

#include <stddef.h>

/* the versions served: /v1.24/... to /v1.44/... and unversioned paths */
#define API_VERSION "1.44"
#define API_MIN_VERSION "1.24"

enum {
    API_BODY_NONE = 0, /* a body is refused */
    API_BODY_JSON = 1, /* a JSON body (capped, parsed by the front) */
    API_UPGRADE = 2,   /* answered with 101 and a hijacked stream */
    API_BODY_RAW = 4,  /* a raw body (a tarball), streamed to the back as it comes */
};

struct api_route {
    const char *op;   /* "container.create", ... */
    int flags;        /* API_BODY_*, API_UPGRADE */
    const char *pkey; /* the path parameter's name ("id", "name") or NULL */
    char *pval;       /* its value (malloc'd), or NULL */
    char version[8];  /* "1.41", or "" for an unversioned path */
    char *msg;        /* on an error: Docker's message (malloc'd) */
};

/* Route a request. 0 and *r filled; else an HTTP status (400 for a version
 * out of range, 404 for no such path or method) and r->msg. Free *r with
 * api_route_free either way. */
int api_route(const char *method, const char *path, struct api_route *r);
void api_route_free(struct api_route *r);

/* Compare two versions "MAJOR.MINOR" numerically (<0, 0, >0). */
int api_version_cmp(const char *a, const char *b);

#endif

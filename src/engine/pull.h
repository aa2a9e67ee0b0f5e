/* pull.h: `moat pull` and `moat login`, through the moat-fetch helper.
 *
 * The helper does the network and TLS work as the user moat-fetch, in a
 * sandbox (fetch_run.h, src/fetch/sandbox.h), into a directory of the
 * store's staging area; moat (root) then checks every digest again while
 * it loads that OCI layout into the store. Credentials live in the store's
 * auth.json (0600, Docker's config.json shape); the helper only sees the
 * entry of the registry it talks to, on a descriptor. */
#ifndef MOAT_PULL_H
#define MOAT_PULL_H

#include "store.h"
#include <stdbool.h>

/* A registry's own CA certificate: CERTS_DIR/REGISTRY/ca.crt, as Docker's
 * /etc/docker/certs.d. */
#define PULL_CERTS_DIR "/etc/moat/certs.d"

struct pull_opts {
    bool tls_verify_off; /* --tls-verify=false: plain HTTP allowed */
    bool quiet;
    int out_fd; /* where the helper's progress goes (1, or 2 for run) */
    /* anonymously, without the store's credentials (the API's restricted
     * callers: an admin's login is not theirs to use) */
    bool no_auth;
};

/* Is `host` a registry that may be reached over plain HTTP (localhost,
 * 127.0.0.0/8, ::1), as Docker does? */
bool pull_insecure_default(const char *host);

/* Pull `name` into the store; its image id in id. */
int image_pull(struct store *s, const char *name, const struct pull_opts *o, char id[72],
               merr_t *err);

/* Check the credentials against the registry and keep them. */
int registry_login(struct store *s, const char *registry, const char *user, const char *password,
                   bool tls_verify_off, merr_t *err);
int registry_logout(struct store *s, const char *registry, merr_t *err);

#endif

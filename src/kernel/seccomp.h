/* seccomp.h: compile linux.seccomp to a BPF program with libseccomp (in
 * the runtime, before the container exists) and install it in the
 * container process with seccomp(2) right before execve. */
#ifndef MOAT_SECCOMP_H
#define MOAT_SECCOMP_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <linux/filter.h>

struct seccomp_prog {
    struct sock_filter *filter;
    unsigned short len;
    unsigned flags; /* SECCOMP_FILTER_FLAG_* */
    bool notify;    /* has SCMP_ACT_NOTIFY rules: install returns a listener fd */
};

int seccomp_compile(const struct spec_seccomp *s, struct seccomp_prog *out, merr_t *err);
/* As seccomp_compile, through a cache of compiled programs in cache_dirfd
 * keyed by the SHA-256 of key_text (the canonical JSON of the profile),
 * the libseccomp version and the native architecture. A cache that cannot
 * be read or written is only a slower start. */
int seccomp_compile_cached(const struct spec_seccomp *s, const char *key_text, int cache_dirfd,
                           struct seccomp_prog *out, merr_t *err);
void seccomp_prog_free(struct seccomp_prog *p);
/* Install; returns the listener fd if p->notify, else 0. */
int seccomp_install(const struct seccomp_prog *p, merr_t *err);
/* Send the listener fd and state to listenerPath (SCM_RIGHTS). */
int seccomp_send_listener(const char *path, int fd, const char *state_json, merr_t *err);

#endif

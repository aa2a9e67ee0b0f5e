/* seccomp_profile.h: a seccomp profile given by a user (`moat spec
 * --seccomp FILE`, `run --security-opt seccomp=FILE`): either OCI's
 * linux.seccomp object, or the profile format of Docker and containers
 * (archMap, rules with includes/excludes on capabilities, architectures
 * and minKernel). The conditions are resolved for the container at hand,
 * once: a rule meant only for CAP_SYS_ADMIN holders applies only when the
 * container holds it. Anything moat would otherwise ignore is refused. */
#ifndef MOAT_SECCOMP_PROFILE_H
#define MOAT_SECCOMP_PROFILE_H

#include "runtime.h"
#include "../util/err.h"
#include <jansson.h>
#include <stdint.h>

struct seccomp_host {
    unsigned kmajor, kminor;
    const char *goarch;    /* "amd64": how Docker's profiles name it */
    const char *scmp_arch; /* "SCMP_ARCH_X86_64" */
};
void seccomp_host_detect(struct seccomp_host *h);

/* The profile, resolved for a process holding caps (bits), as OCI's
 * linux.seccomp (pure: unit-tested). */
json_t *seccomp_profile_resolve(json_t *profile, uint64_t caps, const struct seccomp_host *h,
                                merr_t *err);
/* seccomp_profile_load (the file, read, resolved and checked): runtime.h */

#endif

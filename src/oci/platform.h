/* platform.h: OCI platforms ("linux/amd64"): moat runs this host's only. */
#ifndef MOAT_OCI_PLATFORM_H
#define MOAT_OCI_PLATFORM_H

#include "../util/err.h"

/* This host's platform, "linux/amd64" (static storage) */
const char *platform_host(void);
/* Is spec ("linux", "amd64", "linux/amd64") this host's? Else an error
 * naming the host's. */
int platform_check(const char *spec, merr_t *err);

#endif

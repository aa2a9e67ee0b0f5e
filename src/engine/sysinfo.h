/* sysinfo.h: what `version` and `info` report (Docker's /version and /info
 * shapes, the facts moat has; moat's own under "Moat"). */
#ifndef MOAT_ENGINE_SYSINFO_H
#define MOAT_ENGINE_SYSINFO_H

#include "store.h"
#include <jansson.h>

/* the Engine API version moat speaks, and the oldest it serves */
#define SYS_API_VERSION "1.44"
#define SYS_API_MIN_VERSION "1.24"

/* Go's name of this machine's architecture: amd64, arm64, ... */
const char *sys_goarch(void);
/* GET /version: {Platform, Components, Version, ApiVersion, ...} */
json_t *sys_version(void);
/* GET /info: counts of the store's containers and images, the host */
json_t *sys_info(struct store *s);

#endif

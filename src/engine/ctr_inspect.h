/* ctr_inspect.h: a container as Docker shows it. */
#ifndef MOAT_ENGINE_CTR_INSPECT_H
#define MOAT_ENGINE_CTR_INSPECT_H

#include <jansson.h>

/* Docker's inspect object (Path, Args, State, Name "/NAME", HostConfig,
 * Mounts, Config, ...) made from the container's record; moat's own
 * facts under "Moat". A new reference. */
json_t *ctr_inspect_json(json_t *rec);

#endif

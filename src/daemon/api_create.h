/* api_create.h: the Docker Engine API's container-create request
 * (POST /containers/create?name=NAME, API 1.24 to 1.44) into the engine's
 * struct run_opts, as `moat create` with the same flags fills it, with the
 * CLI's checks (engine/run_check.h). Pure code: no store, no HTTP.
 *
 * null and absent fields are "not given", and so are the zero values
 * Docker's clients send for what their user did not set (0, "", [],
 * NetworkMode "default", RestartPolicy "no", MemorySwappiness -1).
 * Unknown fields are ignored, as Docker does; fields moat cannot honour
 * that would change what the container may do or what it is (MaskedPaths,
 * DeviceRequests, a bind's propagation, IPv6 addresses, ...) are refused.
 * An Env entry without '=' is dropped: the CLI would take it from its own
 * environment, and the daemon's is not the caller's.
 * Errors name the field as the API spells it ("HostConfig.Memory: ..."). */
#ifndef MOAT_DAEMON_API_CREATE_H
#define MOAT_DAEMON_API_CREATE_H

#include "../engine/engine.h"
#include "../util/err.h"
#include <jansson.h>

/* body: the request's JSON (an object); name: ?name= (NULL or "": none);
 * api_version: "1.41" etc. (NULL: the newest). o: run_opts_init'ed; it
 * holds a copy of body, so the caller may drop body at once; the caller
 * run_opts_free's o on success and on failure alike. */
int api_create_opts(json_t *body, const char *name, const char *api_version, struct run_opts *o,
                    merr_t *err);

#endif

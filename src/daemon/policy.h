/* policy.h: what a restricted caller (the user socket, a TLS client that
 * is not an admin) may ask of the engine (daemon-design.md, "Restricted
 * create"). Pure code: what exists and who owns it is the caller's
 * owns() to say. */
#ifndef MOAT_DAEMON_POLICY_H
#define MOAT_DAEMON_POLICY_H

#include "../engine/engine.h"
#include "../util/err.h"
#include <stdbool.h>

/* owns(kind, name, ctx): kind "container", "volume" or "network"; true
 * when the caller may use that object. For "volume" it must also be true
 * for a volume that does not exist yet: create makes it, and the caller
 * of api_policy_create must then make it first, owned by the caller
 * (volume create with its Owner), before ctr_create, which would make it
 * without one. */
typedef bool (*api_owns_fn)(const char *kind, const char *name, void *ctx);

/* o (from api_create_opts) for a restricted caller: 0, or -1 with err
 * naming the first option refused ("HostConfig.Privileged is not allowed
 * on the user socket"). Refused: Privileged, UsernsMode/NetworkMode/
 * PidMode/IpcMode/UTSMode/CgroupnsMode host; container:X modes,
 * VolumesFrom and Links of a container it does not own; a user network it
 * does not own; CapAdd beyond moat's default set; Devices,
 * DeviceCgroupRules; Blkio*Device (host paths); SecurityOpt seccomp=, apparmor=unconfined,
 * landlock=unconfined, allow-sensitive-mounts; binds (Binds of a path,
 * Mounts of type bind); named volumes it does not own; Sysctls;
 * OomScoreAdj < 0; CgroupParent; Runtime. */
int api_policy_create(const struct run_opts *o, api_owns_fn owns, void *ctx, merr_t *err);

#endif

/* dockerfile_change.h: the Dockerfile instructions of `commit -c` and
 * `import -c` (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,
 * VOLUME, WORKDIR), applied to an image's config as Docker does. The
 * strings may come from an API client: every one is bounded (length,
 * words, port ranges) and a bad one is an error that names it, never a
 * partial change (the config is changed only when all of them parse). */
#ifndef MOAT_ENGINE_DOCKERFILE_CHANGE_H
#define MOAT_ENGINE_DOCKERFILE_CHANGE_H

#include "../util/err.h"
#include <jansson.h>
#include <stddef.h>

#define DFC_MAX_LEN (64 * 1024)    /* of one instruction */
#define DFC_MAX_WORDS 4096         /* of one instruction */
#define DFC_MAX_PORTS 65536        /* EXPOSE, ranges expanded */
#define DFC_MAX_EXPANDED (1 << 20) /* the words of one instruction, variables expanded */

/* Apply the n instructions to cfg (the "config" object of an image config:
 * Cmd, Entrypoint, Env, ExposedPorts, Labels, StopSignal, User, Volumes,
 * WorkingDir). Exec form (a JSON array) or shell form (["/bin/sh", "-c",
 * TEXT]) for CMD and ENTRYPOINT; an ENTRYPOINT resets a Cmd that no CMD
 * of the same list set; ENV and LABEL take KEY=VALUE words (quotes and
 * backslashes as the shell has them) or the old "KEY VALUE"; WORKDIR is
 * relative to the one before. $NAME, ${NAME}, ${NAME:-word} and
 * ${NAME:+word} are the config's Env (as it was before the instruction)
 * in ENV, LABEL, EXPOSE, VOLUME (not its JSON form), USER, WORKDIR and
 * STOPSIGNAL, as in a Dockerfile; never in CMD or ENTRYPOINT. ONBUILD, HEALTHCHECK and everything
 * else are refused. */
int dfc_apply(json_t *cfg, char *const *changes, size_t n, merr_t *err);

#endif

/* api_create_int.h: the parts of api_create_opts (see api_create.h). */
#ifndef MOAT_DAEMON_API_CREATE_INT_H
#define MOAT_DAEMON_API_CREATE_INT_H

#include "api_json.h"
#include "../engine/engine.h"

/* s (taken) kept with o, for the const char * fields of o */
const char *ac_keep(struct run_opts *o, char *s);
/* HostConfig (api_create_hc.c) */
int ac_hostconfig(json_t *hc, struct run_opts *o, merr_t *err);
/* HostConfig.Mounts (api_create_ep.c) */
int ac_mounts(json_t *hc, struct run_opts *o, merr_t *err);
/* NetworkingConfig, after HostConfig.NetworkMode (api_create_ep.c) */
int ac_networking(json_t *body, struct run_opts *o, merr_t *err);

#endif

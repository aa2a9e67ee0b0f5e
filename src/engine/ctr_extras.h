/* ctr_extras.h: Docker's process and resource flags of run and create. */
#ifndef MOAT_ENGINE_CTR_EXTRAS_H
#define MOAT_ENGINE_CTR_EXTRAS_H

#include "ctr_config.h"

#include <jansson.h>
#include <stdbool.h>

/* KEY=VALUE entries (a bare KEY: an empty value) as a JSON object, later
 * ones over earlier ones */
json_t *ctr_kv_object(char *const *v);
/* a NULL-ended vector as a JSON array of strings */
json_t *ctr_strv_json(char *const *v);
/* NULL if --sysctl KEY=VALUE may be set in the container, else why not */
const char *ctr_sysctl_bad(const char *kv, bool net_host);
/* The flags of o into the record (HostConfig, Config.Domainname) */
void ctr_extras_record(json_t *rec, const struct run_opts *o);
/* Config.Healthcheck: the image's (ic's, checked: it is untrusted) with
 * the --health-* flags of o over it, as Docker merges them */
int ctr_health_record(json_t *rec, json_t *ic, const struct run_opts *o, merr_t *err);
/* The record's into config.json c; groups are looked up in the mounted
 * root (rootfd) */
int ctr_extras_oci(json_t *c, json_t *rec, int rootfd, merr_t *err);

#endif

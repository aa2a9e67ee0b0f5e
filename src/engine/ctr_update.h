/* ctr_update.h: `update` of an engine container: new resource limits and
 * restart policy, kept in the record's HostConfig (the next start uses
 * them) and applied at once to a running container through the
 * runtime's update. */
#ifndef MOAT_ENGINE_CTR_UPDATE_H
#define MOAT_ENGINE_CTR_UPDATE_H

#include "store.h"

#include <jansson.h>

/* body as Docker's UpdateConfig (POST /containers/{id}/update): any of
 * CpuShares, Memory, NanoCpus, CpuPeriod, CpuQuota, CpusetCpus,
 * CpusetMems, CpuRealtimePeriod, CpuRealtimeRuntime, MemoryReservation, MemorySwap, PidsLimit,
 * BlkioWeight, RestartPolicy {Name, MaximumRetryCount}. Checked as create checks them; on any error
 * nothing is changed. Emits an "update" event. */
int ctr_update(struct store *s, const char *id, json_t *body, merr_t *err);

#endif

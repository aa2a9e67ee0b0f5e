/* ctr_res.h: Docker's cgroup, device and namespace settings of a container,
 * kept in the record's HostConfig under Docker's names (what `run` flags
 * and the API's create body both give):
 *
 *   CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetMems
 *   BlkioWeight BlkioWeightDevice BlkioDevice{Read,Write}{Bps,IOps}
 *   MemorySwappiness OomKillDisable KernelMemory (ignored, as Docker 28)
 *   CgroupParent CgroupnsMode Devices DeviceCgroupRules
 *   PidMode IpcMode UTSMode
 *
 * checked once at create, and written into config.json at every start. */
#ifndef MOAT_ENGINE_CTR_RES_H
#define MOAT_ENGINE_CTR_RES_H

#include "../util/err.h"

#include <jansson.h>
#include <stdbool.h>

/* Check hc (HostConfig, or a part of it): values in range, device paths
 * that are devices. userns: the container has a user namespace of its
 * own. nano_cpus: --cpus was given too. */
int ctr_res_check(json_t *hc, bool userns, bool nano_cpus, merr_t *err);

/* HostConfig's settings into config.json c (the container's id names its
 * cgroup under CgroupParent). */
int ctr_res_oci(json_t *c, json_t *hc, const char *id, merr_t *err);

/* "c 1:3 rwm" (a --device-cgroup-rule) as the cgroup rule of config.json;
 * NULL if it is not one */
json_t *ctr_res_device_rule(const char *rule);

#endif

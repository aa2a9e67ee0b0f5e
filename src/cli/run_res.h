/* run_res.h: the run/create flags that fill HostConfig under Docker's
 * names (engine/ctr_res.h checks and applies them). */
#ifndef MOAT_CLI_RUN_RES_H
#define MOAT_CLI_RUN_RES_H

#include "flags.h"

struct run_opts;

enum {
    R_FIRST = 600,
    R_CPU_PERIOD = R_FIRST,
    R_CPU_QUOTA,
    R_CPU_RT_PERIOD,
    R_CPU_RT_RUNTIME,
    R_CPUSET_MEMS,
    R_BLKIO_WEIGHT,
    R_BLKIO_WEIGHT_DEVICE,
    R_READ_BPS,
    R_WRITE_BPS,
    R_READ_IOPS,
    R_WRITE_IOPS,
    R_SWAPPINESS,
    R_OOM_KILL_DISABLE,
    R_KERNEL_MEMORY,
    R_CGROUP_PARENT,
    R_CGROUPNS,
    R_DEVICE,
    R_DEVICE_RULE,
    R_PID,
    R_IPC,
    R_UTS,
    R_RUNTIME,
    R_VOLUME_DRIVER,
    R_ISOLATION,
    R_CONTENT_TRUST,
    R_GPUS,
    R_LAST,
};

/* one of the flags above into o->hc; -1 after a message */
int run_res_flag(struct run_opts *o, int id, struct flags_it *it);

#endif

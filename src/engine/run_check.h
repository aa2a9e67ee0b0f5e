/* run_check.h: the checks of run/create options that do not need the
 * store, shared by the CLI's flags (cli/cmd_run_*.c) and the API's create
 * body (daemon/api_create.c), so that both refuse the same values. Each
 * takes the option's name as its caller spells it ("--security-opt",
 * "HostConfig.SecurityOpt") for its messages. Pure code. */
#ifndef MOAT_ENGINE_RUN_CHECK_H
#define MOAT_ENGINE_RUN_CHECK_H

#include "ctr_config.h"
#include "../util/err.h"
#include <stdbool.h>
#include <stdint.h>

/* a container's name: letters, digits, _ . - (not first), at most 128 */
bool run_name_ok(const char *name);
/* --cpuset-cpus: CPU numbers and ranges (0-3,5) */
bool run_cpuset_ok(const char *v);
/* --annotation: KEY=VALUE, not one of moat's own run.moat.* keys */
bool run_annotation_ok(const char *kv);
/* --pids-limit: 1 to 4194304, or -1 */
bool run_pids_ok(int64_t n);
/* --pid, --ipc, --uts (which: 'p', 'i', 'u'): host, private, "",
 * shareable and none (ipc), container:NAME (pid, ipc) */
bool run_ns_mode_ok(char which, const char *v);
/* --cap-add (add) or --cap-drop v into o: a capability's name, with or
 * without CAP_, any case, or ALL; -1 if it is none */
int run_cap(struct run_opts *o, bool add, const char *v);
/* --security-opt v into o (o keeps pointers into v) */
int run_security_opt(struct run_opts *o, const char *v, const char *flag, merr_t *err);

#endif

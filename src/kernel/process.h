/* process.h: per-process attributes applied to the container process:
 * rlimits, personality, scheduler, I/O priority, CPU affinity, OOM score,
 * hostname, sysctls, session keyring. */
#ifndef MOAT_PROCESS_H
#define MOAT_PROCESS_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <sched.h>

int proc_set_rlimits(const struct spec_rlimit *r, size_t n, merr_t *err);
int proc_set_personality(unsigned long domain, merr_t *err);
int proc_set_sched(const struct spec_sched *s, merr_t *err);
int proc_set_ioprio(int klass, int prio, merr_t *err);
/* "0-3,7" -> cpu_set_t; -1 on syntax error */
int cpulist_parse(const char *list, cpu_set_t *set);
int proc_set_affinity(pid_t pid, const char *list, merr_t *err);
int proc_set_oom_score_adj(pid_t pid, int adj, merr_t *err);
int proc_set_hostname(const char *name, const char *domain, merr_t *err);
/* Is this sysctl namespaced by a namespace the container has? Sets a
 * reason and returns -1 if not. */
int sysctl_check(const char *key, const struct spec_linux *l, merr_t *err);
int proc_sysctl(int procfd, const char *key, const char *value, merr_t *err);
int proc_join_keyring(const char *name, merr_t *err);

#endif

/* lsm.h: AppArmor and SELinux, applied only where the kernel has them.
 * Asking for a label on a host without that LSM is an error, never a
 * silent no-op. */
#ifndef MOAT_LSM_H
#define MOAT_LSM_H

#include "../util/err.h"
#include <stdbool.h>

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* Landlock ABI version, 0 if unavailable. */
int lsm_landlock_abi(void);
/* Comma-separated active LSMs (/sys/kernel/security/lsm), or "" */
char *lsm_active_list(void);

/* Arrange for the next execve to switch to this profile/label. */
int lsm_apparmor_exec(int procfd, const char *profile, merr_t *err);
int lsm_selinux_exec(int procfd, const char *label, merr_t *err);

#endif

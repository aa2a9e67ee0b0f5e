/* ns.h: namespaces: open and verify by path, join, compare. */
#ifndef MOAT_NS_H
#define MOAT_NS_H

#include "../util/err.h"
#include <stdbool.h>
#include <sys/types.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Open a namespace file and check that it is a namespace of type
 * clone_flag (CLONE_NEW*). `what` names it in errors. */
int ns_open_checked(const char *path, int clone_flag, const char *what, merr_t *err);
/* The CLONE_NEW* type of a namespace fd, or -1. */
int ns_fd_type(int fd);
/* True if fd refers to the same namespace as /proc/self/ns/<name>. */
bool ns_is_current(int fd, const char *name);
/* name of /proc/PID/ns/<name> for a CLONE_NEW* flag */
const char *ns_proc_name(int clone_flag);

#endif

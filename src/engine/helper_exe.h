/* helper_exe.h: what the engine's separate programs (moat-fetch, moat-net)
 * have in common: where their executable is trusted from, the
 * environment they get, and the text they read from a descriptor. */
#ifndef MOAT_HELPER_EXE_H
#define MOAT_HELPER_EXE_H

#include "../util/err.h"
#include <stddef.h>
#include <sys/types.h>

#if defined(__SANITIZE_ADDRESS__)
#define HELPER_SANITIZED 1 /* the test builds */
#else
#define HELPER_SANITIZED                                                                           \
    0 /* The uid and gid of the system user `name` (made by scripts/setup.sh)                      \
       * from /etc/passwd; neither may be 0. `what` runs as it (for the error). */
int helper_user(const char *name, const char *what, uid_t *uid, gid_t *gid, merr_t *err);

#endif

/* The executable `name` beside moat (a build tree), else the installed
 * one (MOAT_LIBEXECDIR/moat/NAME); either must be a regular file owned by
 * root or by moat's owner and writable by no one else. Opened O_PATH once,
 * to be executed through the fd (execveat); *path for its argv[0]. */
int helper_exe_open(const char *name, char **path, merr_t *err);
/* An environment of the variables keep[0..n) that are set (each under
 * 4 KiB) and, in the sanitizer builds, the sanitizers' options with leak
 * detection off (LeakSanitizer's ptrace is denied by a helper's seccomp
 * filter). Never NULL; strv_free it. */
char **helper_env(const char *const *keep, size_t n);
/* A memfd holding text, at offset 0: what the helper reads is there whole
 * before it starts, so nothing of ours waits on it (or dies of SIGPIPE
 * when it exits without reading). */
int helper_text_fd(const char *name, const char *text, size_t len, merr_t *err);
/* The uid and gid of the system user `name` (made by scripts/setup.sh)
 * from /etc/passwd; neither may be 0. `what` runs as it (for the error). */
int helper_user(const char *name, const char *what, uid_t *uid, gid_t *gid, merr_t *err);

#endif

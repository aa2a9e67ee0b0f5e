/* helper_exe.c: the engine's separate programs, found, trusted and given
 * their environment (see helper_exe.h). */
#include "helper_exe.h"
#include "../kernel/selfexe.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* path, opened O_PATH, if it is a regular file owned by root or `owner`
 * and writable by no one else; -1 with *why set if it is there but not */
static int open_trusted(const char *path, uid_t owner, const char **why)
{
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        *why = "not a regular file";
    else if (st.st_uid != 0 && st.st_uid != owner)
        *why = "owned by another user than root or moat's owner";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        *why = "writable by its group or others";
    if (*why) {
        close(fd);
        return -1;
    }
    return fd;
}

int helper_exe_open(const char *name, char **path, merr_t *err)
{
    struct stat st;
    const char *why = NULL, *dir = selfexe_dir();
    if (dir && stat("/proc/self/exe", &st) == 0) {
        *path = xasprintf("%s/%s", dir, name);
        int fd = open_trusted(*path, st.st_uid, &why);
        if (fd >= 0 || why)
            return fd >= 0 ? fd : err_set(err, 0, "%s: %s", *path, why);
        free(*path);
    }
    *path = xasprintf("%s/moat/%s", MOAT_LIBEXECDIR, name);
    int fd = open_trusted(*path, 0, &why);
    if (fd < 0)
        return why ? err_set(err, 0, "%s: %s", *path, why)
                   : err_sys(err, "%s (meson install puts it there)", *path);
    return fd;
}

char **helper_env(const char *const *keep, size_t n)
{
    char **env = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *v = getenv(keep[i]);
        if (v && strlen(v) < 4096) {
            cleanup_free char *kv = xasprintf("%s=%s", keep[i], v);
            strv_push(&env, kv);
        }
    }
    if (HELPER_SANITIZED) {
        const char *a = getenv("ASAN_OPTIONS"), *u = getenv("UBSAN_OPTIONS");
        cleanup_free char *kv =
            xasprintf("ASAN_OPTIONS=%s%sdetect_leaks=0", a ? a : "", a ? ":" : "");
        strv_push(&env, kv);
        if (u) {
            cleanup_free char *ukv = xasprintf("UBSAN_OPTIONS=%s", u);
            strv_push(&env, ukv);
        }
    }
    if (!env)
        env = xzalloc(sizeof(char *));
    return env;
}

int helper_text_fd(const char *name, const char *text, size_t len, merr_t *err)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "memfd");
    if (write_all(fd, text, len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return err_sys(err, "memfd");
    }
    return fd;
}

int helper_user(const char *name, const char *what, uid_t *uid, gid_t *gid, merr_t *err)
{
    cleanup_free char *pw = NULL;
    if (read_file_at(AT_FDCWD, "/etc/passwd", &pw, NULL, err) < 0)
        return -1;
    cleanup_free char *prefix = xasprintf("%s:", name);
    for (char *save = NULL, *l = strtok_r(pw, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        uint64_t u, g;
        char *f[4] = {0};
        if (strncmp(l, prefix, strlen(prefix)) != 0)
            continue;
        f[0] = strtok_r(l, ":", &f[3]); /* name, password, uid, gid */
        strtok_r(NULL, ":", &f[3]);
        f[1] = strtok_r(NULL, ":", &f[3]);
        f[2] = strtok_r(NULL, ":", &f[3]);
        if (!f[1] || !f[2] || parse_u64(f[1], &u) < 0 || parse_u64(f[2], &g) < 0 || u == 0 ||
            g == 0 || u >= UINT32_MAX || g >= UINT32_MAX)
            return err_set(err, 0, "/etc/passwd: the user %s must have a uid and gid other than 0",
                           name);
        *uid = (uid_t)u;
        *gid = (gid_t)g;
        return 0;
    }
    return err_set(err, 0,
                   "the user %s does not exist: scripts/setup.sh creates it (%s runs as that user)",
                   name, what);
}

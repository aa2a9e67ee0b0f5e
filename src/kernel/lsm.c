#include "lsm.h"
#include "proc.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

static bool file_starts_with(const char *path, char c)
{
    char buf[2] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, 1);
    close(fd);
    return n == 1 && buf[0] == c;
}

bool lsm_apparmor_enabled(void)
{
    return file_starts_with("/sys/module/apparmor/parameters/enabled", 'Y') &&
           access("/sys/kernel/security/apparmor", F_OK) == 0;
}

bool lsm_selinux_enabled(void)
{
    struct statfs s;
    return statfs("/sys/fs/selinux", &s) == 0 && (unsigned)s.f_type == SELINUX_MAGIC;
}

int lsm_landlock_abi(void)
{
    /* landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) */
    long v = syscall(444, NULL, 0, 1U << 0);
    return v < 0 ? 0 : (int)v;
}

char *lsm_active_list(void)
{
    char *text = NULL;
    size_t len;
    int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read_fd(fd, &text, &len) < 0) {
        if (fd >= 0)
            close(fd);
        return xstrdup("");
    }
    close(fd);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == 0))
        text[--len] = 0;
    return text;
}

int lsm_apparmor_exec(int procfd, const char *profile, merr_t *err)
{
    if (!lsm_apparmor_enabled())
        return err_set(err, 0,
                       "process.apparmorProfile: \"%s\" requested but AppArmor is not enabled on "
                       "this host",
                       profile);
    cleanup_free char *cmd = xasprintf("exec %s", profile);
    merr_t e2 = MERR_INIT;
    if (proc_write(procfd, "thread-self/attr/apparmor/exec", cmd, &e2) == 0)
        return 0;
    err_clear(&e2);
    if (proc_write(procfd, "thread-self/attr/exec", cmd, err) < 0)
        return err_wrap(err, "process.apparmorProfile");
    return 0;
}

int lsm_selinux_exec(int procfd, const char *label, merr_t *err)
{
    if (!lsm_selinux_enabled())
        return err_set(err, 0,
                       "process.selinuxLabel: \"%s\" requested but SELinux is not enabled on this "
                       "host",
                       label);
    if (proc_write(procfd, "thread-self/attr/exec", label, err) < 0)
        return err_wrap(err, "process.selinuxLabel");
    return 0;
}

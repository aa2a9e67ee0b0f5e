#include "ns.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

const char *ns_proc_name(int clone_flag)
{
    switch (clone_flag) {
    case CLONE_NEWPID:
        return "pid";
    case CLONE_NEWNET:
        return "net";
    case CLONE_NEWNS:
        return "mnt";
    case CLONE_NEWIPC:
        return "ipc";
    case CLONE_NEWUTS:
        return "uts";
    case CLONE_NEWUSER:
        return "user";
    case CLONE_NEWCGROUP:
        return "cgroup";
    case CLONE_NEWTIME:
        return "time";
    }
    return "?";
}

int ns_fd_type(int fd)
{
    return ioctl(fd, NS_GET_NSTYPE);
}

int ns_open_checked(const char *path, int clone_flag, const char *what, merr_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "%s: open namespace \"%s\"", what, path);
    int t = ns_fd_type(fd);
    if (t < 0) {
        err_set(err, 0, "%s: \"%s\" is not a namespace file", what, path);
        close(fd);
        return -1;
    }
    if (t != clone_flag) {
        err_set(err, 0, "%s: \"%s\" is a %s namespace, not %s", what, path, ns_proc_name(t),
                ns_proc_name(clone_flag));
        close(fd);
        return -1;
    }
    return fd;
}

bool ns_is_current(int fd, const char *name)
{
    char path[64];
    struct stat a, b;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
    if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
        return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

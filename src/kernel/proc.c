#include "proc.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#define PROC_ROOT_INO 1

int proc_open_root(merr_t *err)
{
    int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct statfs sfs;
    struct stat st;
    if (fd < 0)
        return err_sys(err, "open /proc");
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC || fstat(fd, &st) < 0 ||
        st.st_ino != PROC_ROOT_INO) {
        close(fd);
        return err_set(err, 0, "/proc is not the root of a procfs mount");
    }
    return fd;
}

int proc_openat(int procfd, const char *path, int flags, merr_t *err)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
    };
    int fd = (int)syscall(SYS_openat2, procfd, path, &how, sizeof(how));
    if (fd < 0)
        return err_sys(err, "open /proc/%s", path);
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        close(fd);
        return err_set(err, 0, "/proc/%s is not on procfs", path);
    }
    return fd;
}

int proc_write(int procfd, const char *path, const char *data, merr_t *err)
{
    cleanup_close int fd = proc_openat(procfd, path, O_WRONLY, err);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, strlen(data)) < 0)
        return err_sys(err, "write \"%s\" to /proc/%s", data, path);
    return 0;
}

int proc_stat(pid_t pid, uint64_t *start_time, char *state)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    /* comm may contain spaces and parens: fields start after the last ')' */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return -1;
    p += 2;
    if (state)
        *state = *p;
    /* p is field 3; start time is field 22 */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    if (start_time)
        *start_time = strtoull(p, NULL, 10);
    return 0;
}

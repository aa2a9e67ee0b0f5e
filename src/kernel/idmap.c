#include "idmap.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

char *idmap_format(const struct spec_idmap *m, size_t n)
{
    struct sbuf b = {0};
    for (size_t i = 0; i < n; i++)
        sbuf_printf(&b, "%u %u %u\n", m[i].container, m[i].host, m[i].size);
    return sbuf_steal(&b);
}

int64_t idmap_to_host(const struct spec_idmap *m, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (id >= m[i].container && (uint64_t)id < (uint64_t)m[i].container + m[i].size)
            return (int64_t)m[i].host + (id - m[i].container);
    return -1;
}

bool idmap_is_self(const struct spec_idmap *m, size_t n, uint32_t self)
{
    return n == 1 && m[0].host == self && m[0].size == 1;
}

/* newuidmap PID cid hid size ... */
static int run_helper(const char *helper, pid_t pid, const struct spec_idmap *m, size_t n,
                      merr_t *err)
{
    char **argv = xzalloc((3 + 3 * n) * sizeof(char *));
    size_t k = 0;
    argv[k++] = xstrdup(helper);
    argv[k++] = xasprintf("%d", (int)pid);
    for (size_t i = 0; i < n; i++) {
        argv[k++] = xasprintf("%u", m[i].container);
        argv[k++] = xasprintf("%u", m[i].host);
        argv[k++] = xasprintf("%u", m[i].size);
    }
    pid_t c = fork();
    if (c < 0) {
        strv_free(argv);
        return err_sys(err, "fork %s", helper);
    }
    if (c == 0) {
        execvp(helper, argv);
        _exit(127);
    }
    strv_free(argv);
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return err_set(
            err, 0, "%s failed (exit %d)%s", helper, WIFEXITED(st) ? WEXITSTATUS(st) : -1,
            WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ": not installed (apt-get install uidmap)"
                                                    : ": check /etc/subuid and /etc/subgid");
    return 0;
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n, merr_t *err)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    cleanup_free char *text = idmap_format(m, n);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open %s", path);
    int r = write_all(fd, text, strlen(text));
    int e = errno;
    close(fd);
    if (r < 0) {
        errno = e;
        return err_sys(err, "write %s", path);
    }
    return 0;
}

int idmap_write(pid_t pid, const struct spec_idmap *uids, size_t nu, const struct spec_idmap *gids,
                size_t ng, merr_t *err)
{
    bool root = geteuid() == 0;
    /* gid_map first: an unprivileged caller must deny setgroups before it */
    if (root || idmap_is_self(gids, ng, getegid())) {
        if (!root) {
            char path[64];
            snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
            if (write_file_at(AT_FDCWD, path, "deny", 4, err) < 0)
                return -1;
        }
        if (write_map(pid, "gid_map", gids, ng, err) < 0)
            return err_wrap(err, "linux.gidMappings");
    } else if (run_helper("newgidmap", pid, gids, ng, err) < 0) {
        return err_wrap(err, "linux.gidMappings");
    }
    if (root || idmap_is_self(uids, nu, geteuid())) {
        if (write_map(pid, "uid_map", uids, nu, err) < 0)
            return err_wrap(err, "linux.uidMappings");
    } else if (run_helper("newuidmap", pid, uids, nu, err) < 0) {
        return err_wrap(err, "linux.uidMappings");
    }
    return 0;
}

int idmap_userns_fd(const struct spec_idmap *uids, size_t nu, const struct spec_idmap *gids,
                    size_t ng, merr_t *err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return err_sys(err, "pipe");
    pid_t c = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
    if (c < 0) {
        close(p[0]);
        close(p[1]);
        return err_sys(err, "clone a user namespace for an idmapped mount");
    }
    if (c == 0) {
        char x;
        close(p[1]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        (void)!read(p[0], &x, 1);
        _exit(0);
    }
    close(p[0]);
    int fd = -1;
    if (idmap_write(c, uids, nu, gids, ng, err) == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            err_sys(err, "open %s", path);
    }
    close(p[1]);
    kill(c, SIGKILL);
    while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
        ;
    return fd;
}

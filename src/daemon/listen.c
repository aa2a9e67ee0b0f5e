/* listen.c: the daemon's sockets (see listen.h). */
#include "listen.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int group_gid(const char *name, gid_t *gid)
{
    cleanup_free char *text = NULL;
    merr_t err = MERR_INIT;
    if (read_file_at(AT_FDCWD, "/etc/group", &text, NULL, &err) < 0) {
        err_clear(&err);
        return -1;
    }
    size_t n = strlen(name);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (strncmp(l, name, n) || l[n] != ':')
            continue;
        char *p = strchr(l + n + 1, ':'); /* past the password */
        char *end;
        unsigned long g = p ? strtoul(p + 1, &end, 10) : 0;
        if (!p || end == p + 1 || *end != ':' || g == 0 || g >= 0xffffffffUL)
            return -1;
        *gid = (gid_t)g;
        return 0;
    }
    return -1;
}

static int addr_of(const char *path, struct sockaddr_un *sa, merr_t *err)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    if (path[0] != '/' || strlen(path) >= sizeof(sa->sun_path))
        return err_set(err, EINVAL, "%s: a socket needs an absolute path under %zu bytes", path,
                       sizeof(sa->sun_path));
    strcpy(sa->sun_path, path);
    return 0;
}

int listen_unix(const char *path, gid_t gid, merr_t *err)
{
    struct sockaddr_un sa;
    if (addr_of(path, &sa, err) < 0)
        return -1;
    cleanup_free char *dir = xstrdup(path);
    *strrchr(dir, '/') = 0;
    if (*dir && mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_sys(err, "%s", dir);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return err_set(err, EEXIST, "%s: exists and is not a socket", path);
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0)
            close(probe);
        if (live)
            return err_set(err, EADDRINUSE, "%s: another daemon is serving it", path);
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_sys(err, "socket");
    /* made 0600: nobody else can connect before its group and mode are set */
    mode_t old = umask(0177);
    int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (r < 0 || lchown(path, 0, gid) < 0 || chmod(path, 0660) < 0 || listen(fd, 128) < 0) {
        err_sys(err, "%s", path);
        close(fd);
        if (r == 0)
            unlink(path);
        return -1;
    }
    return fd;
}

int listen_tcp(const char *addr, merr_t *err)
{
    cleanup_free char *host = xstrdup(addr);
    char *colon = strrchr(host, ':');
    if (!colon)
        return err_set(err, EINVAL, "tcp://%s: ADDRESS:PORT expected", addr);
    *colon = 0;
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port == 0 || port > 65535)
        return err_set(err, EINVAL, "tcp://%s: not a port: \"%s\"", addr, colon + 1);
    char *h = host;
    size_t hl = strlen(h);
    if (h[0] == '[' && hl > 2 && h[hl - 1] == ']') {
        h[hl - 1] = 0;
        h++;
    }
    struct sockaddr_storage ss = {0};
    socklen_t len;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        len = sizeof(*in4);
    } else if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        len = sizeof(*in6);
    } else {
        return err_set(err, EINVAL, "tcp://%s: not an IP address: \"%s\"", addr, h);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
        err_sys(err, "tcp://%s", addr);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int listen_systemd(const char *path)
{
    const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
    if (!pid || !n || strtol(pid, NULL, 10) != getpid())
        return -1;
    long count = strtol(n, NULL, 10);
    for (int fd = 3; fd < 3 + count && fd < 64; fd++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
            continue;
        if (ss.ss_family == AF_UNIX && path) {
            struct sockaddr_un *un = (struct sockaddr_un *)&ss;
            if (!strncmp(un->sun_path, path, sizeof(un->sun_path))) {
                fcntl(fd, F_SETFD, FD_CLOEXEC);
                return fd;
            }
        } else if (ss.ss_family != AF_UNIX && !path) {
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            return fd;
        }
    }
    return -1;
}

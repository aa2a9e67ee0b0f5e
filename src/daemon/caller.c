/* caller.c: who is asking (see caller.h). */
#include "caller.h"
#include "../util/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define OVERFLOW_UID 65534 /* a peer from a user namespace that does not map it */
#define MAX_GROUPS 256

static bool in_group(int fd, gid_t primary, gid_t g)
{
    if (g == 0)
        return false;
    if (primary == g)
        return true;
    gid_t groups[MAX_GROUPS];
    socklen_t len = sizeof(groups);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
        return false;
    for (size_t i = 0; i < len / sizeof(gid_t); i++)
        if (groups[i] == g)
            return true;
    return false;
}

static int unix_caller(int fd, const char *path, const struct daemon_cfg *cfg, struct caller *c,
                       merr_t *err)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
        return err_sys(err, "the caller's credentials");
    if (cr.uid == OVERFLOW_UID || cr.uid == (uid_t)-1)
        return err_set(err, EACCES, "callers from another user namespace are refused");
    if (!strcmp(path, cfg->admin_path)) {
        if (cr.uid != 0 && !in_group(fd, cr.gid, cfg->admin_gid))
            return err_set(err, EACCES, "uid %u may not use the admin socket", (unsigned)cr.uid);
        c->admin = true;
        return 0;
    }
    if (cfg->user_path && !strcmp(path, cfg->user_path)) {
        c->admin = false;
        snprintf(c->owner, sizeof(c->owner), "uid:%u", (unsigned)cr.uid);
        return 0;
    }
    return err_set(err, EACCES, "a connection on an unknown socket");
}

int caller_of(int fd, const char *cn, const struct daemon_cfg *cfg, struct caller *c, merr_t *err)
{
    *c = (struct caller){0};
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return err_sys(err, "the caller's connection");
    if (ss.ss_family == AF_UNIX) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        size_t n = len > offsetof(struct sockaddr_un, sun_path)
                       ? len - offsetof(struct sockaddr_un, sun_path)
                       : 0;
        char path[sizeof(un->sun_path) + 1];
        memcpy(path, un->sun_path, n);
        path[n] = 0;
        return unix_caller(fd, path, cfg, c, err);
    }
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
        return err_set(err, EACCES, "a connection of an unknown kind");
    if (!cn || !*cn || strlen(cn) > 64)
        return err_set(err, EACCES, "a client certificate is required");
    if (strv_contains(cfg->admin_cns, cn)) {
        c->admin = true;
        return 0;
    }
    snprintf(c->owner, sizeof(c->owner), "cn:%s", cn);
    return 0;
}

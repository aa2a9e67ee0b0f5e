#include "landlock.h"
#include "mount.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the UAPI, up to ABI 7 (Debian 12's headers stop at ABI 1) */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define SYS_ll_create_ruleset 444
#define SYS_ll_add_rule 445
#define SYS_ll_restrict_self 446

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
};

/* rights that apply to a file that is not a directory */
#define LL_FILE_RIGHTS ((1ULL << 0) | (1ULL << 1) | (1ULL << 2) | (1ULL << 14) | (1ULL << 15))

int landlock_abi(void)
{
    long v = syscall(SYS_ll_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

uint64_t landlock_fs_mask(int abi)
{
    if (abi <= 0)
        return 0;
    if (abi == 1)
        return (1ULL << 13) - 1;
    if (abi == 2)
        return (1ULL << 14) - 1;
    if (abi <= 4)
        return (1ULL << 15) - 1;
    return (1ULL << 16) - 1;
}

uint64_t landlock_net_mask(int abi)
{
    return abi >= 4 ? 3 : 0;
}

uint64_t landlock_scope_mask(int abi)
{
    return abi >= 6 ? 3 : 0;
}

int landlock_prepare(const struct spec_landlock *l, int rootfd, uint64_t keep_scopes, merr_t *err)
{
    uint64_t scoped = l->scoped & keep_scopes;
    int abi = landlock_abi();
    bool strict = l->disable_best_effort;
    struct ll_ruleset_attr attr = {
        .handled_access_fs = l->handled_fs & landlock_fs_mask(abi),
        .handled_access_net = l->handled_net & landlock_net_mask(abi),
        .scoped = scoped & landlock_scope_mask(abi),
    };
    if (strict && (attr.handled_access_fs != l->handled_fs ||
                   attr.handled_access_net != l->handled_net || attr.scoped != scoped))
        return err_set(err, ENOTSUP,
                       "process.landlock: the kernel's Landlock ABI %d lacks rights the ruleset "
                       "handles (disableBestEffort is set)",
                       abi);
    if (abi == 0 || (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)) {
        log_debug("Landlock: not available (ABI %d): running without it", abi);
        return -2;
    }
    int rs = (int)syscall(SYS_ll_create_ruleset, &attr, sizeof(attr), 0);
    if (rs < 0)
        return err_sys(err, "process.landlock: create the ruleset");
    for (size_t i = 0; i < l->npaths; i++) {
        for (size_t k = 0; l->paths[i].paths && l->paths[i].paths[k]; k++) {
            const char *path = l->paths[i].paths[k];
            int fd = mnt_openat_in_root(rootfd, path, O_PATH);
            if (fd < 0) {
                if (errno == ENOENT && !strict)
                    continue;
                err_sys(err, "process.landlock.rules.pathBeneath[%zu]: \"%s\"", i, path);
                close(rs);
                return -1;
            }
            struct stat st;
            struct ll_path_beneath_attr pb = {l->paths[i].allowed & attr.handled_access_fs, fd};
            if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
                pb.allowed_access &= LL_FILE_RIGHTS;
            int r = pb.allowed_access
                        ? (int)syscall(SYS_ll_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0)
                        : 0;
            int e = errno;
            close(fd);
            if (r < 0) {
                errno = e;
                err_sys(err, "process.landlock.rules.pathBeneath[%zu]: add \"%s\"", i, path);
                close(rs);
                return -1;
            }
        }
    }
    for (size_t i = 0; attr.handled_access_net && i < l->nports; i++)
        for (size_t k = 0; k < l->ports[i].nports; k++) {
            struct ll_net_port_attr np = {l->ports[i].allowed & attr.handled_access_net,
                                          l->ports[i].ports[k]};
            if (np.allowed_access && syscall(SYS_ll_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0) {
                err_sys(err, "process.landlock.rules.netPort[%zu]: add port %llu", i,
                        (unsigned long long)np.port);
                close(rs);
                return -1;
            }
        }
    return rs;
}

int landlock_enforce(int ruleset_fd, merr_t *err)
{
    if (syscall(SYS_ll_restrict_self, ruleset_fd, 0) < 0)
        return err_sys(err, "process.landlock: enforce");
    return 0;
}

int landlock_ruleset(uint64_t fs, uint64_t net, uint64_t scoped, merr_t *err)
{
    int abi = landlock_abi();
    struct ll_ruleset_attr attr = {
        .handled_access_fs = fs & landlock_fs_mask(abi),
        .handled_access_net = net & landlock_net_mask(abi),
        .scoped = scoped & landlock_scope_mask(abi),
    };
    if (abi == 0)
        return -2;
    int rs = (int)syscall(SYS_ll_create_ruleset, &attr, sizeof(attr), 0);
    if (rs < 0)
        return err_sys(err, "Landlock: create a ruleset");
    return rs;
}

int landlock_allow(int rs, int fd, uint64_t access, merr_t *err)
{
    struct stat st;
    int abi = landlock_abi();
    struct ll_path_beneath_attr pb = {access & landlock_fs_mask(abi), fd};
    if (fstat(fd, &st) < 0)
        return err_sys(err, "Landlock: stat");
    if (!S_ISDIR(st.st_mode))
        pb.allowed_access &= LL_FILE_RIGHTS;
    if (pb.allowed_access && syscall(SYS_ll_add_rule, rs, LL_RULE_PATH_BENEATH, &pb, 0) < 0)
        return err_sys(err, "Landlock: add a rule");
    return 0;
}

int landlock_allow_port(int rs, uint64_t port, uint64_t access, merr_t *err)
{
    struct ll_net_port_attr np = {access & landlock_net_mask(landlock_abi()), port};
    if (np.allowed_access && syscall(SYS_ll_add_rule, rs, LL_RULE_NET_PORT, &np, 0) < 0)
        return err_sys(err, "Landlock: add a rule for port %llu", (unsigned long long)port);
    return 0;
}

/* rwlayer.c: a container's writable layer and its size limit (see
 * rwlayer.h). */
#include "rwlayer.h"
#include "../kernel/btrfs.h"
#include "../kernel/projquota.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LAYER "layer"

int rwl_parse_opt(const char *kv, int64_t *size, merr_t *err)
{
    if (strncmp(kv, "size=", 5) != 0)
        return err_set(err, 0, "\"%.64s\": only size=SIZE (or size=max) is known", kv);
    const char *v = kv + 5;
    if (strcmp(v, "-1") == 0 || parse_size(v, size) < 0 || (*size >= 0 && *size < RWL_MIN_SIZE))
        return err_set(
            err, 0, "%.64s: not a size of at least 1m (like 512m or 10g), or max for no limit", kv);
    return 0;
}

/* STORE/storage-opts: lines of size=SIZE|max, # comments; 0 when absent */
static int store_default(struct store *s, int64_t *size, merr_t *err)
{
    *size = 0;
    cleanup_close int fd =
        openat(s->fd, "storage-opts", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    cleanup_free char *text = NULL;
    if (fd < 0 || read_regular_fd(fd, 4096, &text, NULL) < 0)
        return err_sys(err, "%s/storage-opts", s->root);
    char *save = NULL;
    int line = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        l += strspn(l, " \t");
        if (!*l || *l == '#')
            continue;
        if (rwl_parse_opt(l, size, err) < 0)
            return err_wrap(err, "%s/storage-opts: line %d", s->root, line);
    }
    return 0;
}

static const char *fs_name(int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return "an unknown filesystem";
    switch ((unsigned long)sf.f_type) {
    case EXT4_SUPER_MAGIC:
        return "ext4";
    case XFS_SUPER_MAGIC:
        return "xfs";
    case BTRFS_SUPER_MAGIC:
        return "btrfs";
    case TMPFS_MAGIC:
        return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC:
        return "overlayfs";
    default:
        return "a filesystem that is not btrfs, xfs or ext4";
    }
}

/* The mechanism the filesystem of fd offers, or NONE with the reason. */
static enum rwl_mech probe(struct store *s, int fd, char **why)
{
    if (btrfs_is(fd)) {
        if (btrfs_quota_enabled(fd))
            return RWL_BTRFS;
        *why = xasprintf("btrfs with quotas off (`btrfs quota enable %s` turns them on)", s->root);
        return RWL_NONE;
    }
    merr_t e = MERR_INIT;
    if (pq_enforced(fd, &e) == 0)
        return RWL_PROJECT;
    const char *name = fs_name(fd);
    *why = strcmp(name, "ext4") == 0 || strcmp(name, "xfs") == 0
               ? xstrdup(e.msg)
               : xasprintf("%s (it takes btrfs with quotas, or xfs or ext4 with project quotas)",
                           name);
    err_clear(&e);
    return RWL_NONE;
}

/* Has the store been told this already? */
static bool told(struct store *s, const char *why)
{
    cleanup_close int fd =
        openat(s->fd, "unlimited-layers", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    size_t len = 0;
    return fd >= 0 && read_regular_fd(fd, 4096, &text, &len) == 0 && len == strlen(why) + 1 &&
           strncmp(text, why, len - 1) == 0 && text[len - 1] == '\n';
}

int rwl_plan(struct store *s, int64_t asked, struct rwl_plan *p, merr_t *err)
{
    memset(p, 0, sizeof(*p));
    int64_t size = asked;
    if (!size && store_default(s, &size, err) < 0)
        return -1;
    cleanup_close int fd = openat(s->fd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "store %s: open containers/", s->root);
    p->mech = probe(s, fd, &p->why);
    if (p->mech != RWL_NONE) {
        p->size = size ? size : RWL_DEFAULT_SIZE;
        return 0;
    }
    p->size = -1;
    if (asked > 0) {
        err_set(err, 0,
                "--storage-opt size: the store %s is on %s: it cannot limit a container's "
                "writable layer",
                s->root, p->why);
        rwl_plan_free(p);
        return -1;
    }
    /* no limit possible, and none asked: unless someone said max, say so
     * once per store */
    if (size != -1 && !told(s, p->why))
        p->warning = xasprintf("the store %s is on %s: the writable layers of its containers "
                               "have no size limit (said once per store)",
                               s->root, p->why);
    return 0;
}

void rwl_plan_free(struct rwl_plan *p)
{
    free(p->why);
    free(p->warning);
    memset(p, 0, sizeof(*p));
}

static int make_btrfs(int dirfd, const struct rwl_plan *p, merr_t *err)
{
    if (btrfs_subvol_create(dirfd, LAYER, err) < 0)
        return -1;
    cleanup_close int fd = openat(dirfd, LAYER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open the new subvolume");
    if (fchmod(fd, 0700) < 0)
        return err_sys(err, "chmod the new subvolume");
    if (p->size > 0 && btrfs_qgroup_limit(fd, (uint64_t)p->size, err) < 0)
        return -1;
    return 0;
}

static int make_project(int dirfd, struct rwl_plan *p, merr_t *err)
{
    if (mkdirat(dirfd, LAYER, 0700) < 0)
        return err_sys(err, "create " LAYER);
    cleanup_close int fd = openat(dirfd, LAYER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open " LAYER);
    if (pq_free_id(fd, RWL_PROJID_FIRST, RWL_PROJID_COUNT, &p->projid, err) < 0 ||
        pq_set_dir(fd, p->projid, err) < 0)
        return -1;
    if (p->size > 0 && pq_limit(fd, p->projid, (uint64_t)p->size, err) < 0)
        return -1;
    return 0;
}

int rwl_create(struct store *s, int dirfd, struct rwl_plan *p, merr_t *err)
{
    int r;
    if (p->mech == RWL_BTRFS)
        r = make_btrfs(dirfd, p, err);
    else if (p->mech == RWL_PROJECT)
        r = make_project(dirfd, p, err);
    else
        r = mkdirat(dirfd, LAYER, 0700) < 0 ? err_sys(err, "create " LAYER) : 0;
    if (r == 0 &&
        (mkdirat(dirfd, LAYER "/upper", 0700) < 0 || mkdirat(dirfd, LAYER "/work", 0700) < 0))
        r = err_sys(err, "create " LAYER "/upper and work");
    if (r < 0) {
        err_wrap(err, "the container's writable layer");
        rwl_remove(dirfd);
        rm_rf_at(dirfd, LAYER);
        return -1;
    }
    if (p->warning && told(s, p->why)) { /* another moat said it meanwhile */
        free(p->warning);
        p->warning = NULL;
    }
    if (p->warning) {
        cleanup_free char *text = xasprintf("%s\n", p->why);
        merr_t e = MERR_INIT;
        atomic_write_at(s->fd, "unlimited-layers", text, strlen(text), 0600, &e);
        err_clear(&e);
    }
    return 0;
}

void rwl_record(json_t *rec, const struct rwl_plan *p)
{
    static const char *const names[] = {"none", "btrfs-qgroup", "project-quota"};
    json_t *hc = json_object_get(rec, "HostConfig");
    cleanup_free char *bytes = xasprintf("%lld", (long long)p->size);
    json_object_set_new(hc, "StorageOpt",
                        p->size > 0 ? json_pack("{s:s}", "size", bytes) : json_null());
    json_t *wl = json_pack("{s:s,s:I}", "Mechanism", names[p->mech], "Limit",
                           (json_int_t)(p->size > 0 ? p->size : 0));
    if (p->mech == RWL_PROJECT)
        json_object_set_new(wl, "ProjectId", json_integer(p->projid));
    if (p->why)
        json_object_set_new(wl, "Reason", json_string(p->why));
    json_object_set_new(rec, "WritableLayer", wl);
}

void rwl_remove(int dirfd)
{
    cleanup_close int fd = openat(dirfd, LAYER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    merr_t e = MERR_INIT;
    uint32_t id;
    if (btrfs_is_subvol(fd)) {
        close(fd);
        fd = -1;
        btrfs_subvol_destroy(dirfd, LAYER, &e);
    } else if (pq_get(fd, &id) == 0 && id >= RWL_PROJID_FIRST &&
               id - RWL_PROJID_FIRST < RWL_PROJID_COUNT) {
        /* "layer" is never in the container's view: its id is the one
         * rwl_create gave it */
        pq_limit(fd, id, 0, &e);
    }
    err_clear(&e);
}

const char *rwl_prefix(json_t *rec)
{
    return json_object_get(rec, "WritableLayer") ? LAYER "/" : "";
}

bool rwl_opaque(int dirfd, const char *name)
{
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    char v[2];
    if (fd < 0)
        return false;
    ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));
    if (n < 0)
        n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
    return n == 1 && v[0] == 'y';
}

const char *const rwl_own_binds[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf", NULL};

bool rwl_mount_point(const char *path, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size != 0)
        return false;
    for (const char *const *p = rwl_own_binds; *p; p++)
        if (strcmp(path, *p) == 0)
            return true;
    return false;
}

/* ctr_user.c: a container's user and group ids (see ctr_user.h). */
#include "ctr_user.h"
#include "ctr.h"
#include "../kernel/mount.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

/* what of an image's /etc/passwd or /etc/group is read at most */
#define ID_FILE_MAX (4 << 20)

/* Opens a file of the image ("/etc/passwd"): an fd, -1 (not there), or
 * -2 (cannot tell). */
typedef int (*opener)(void *ctx, const char *path);

enum field { BY_NAME, BY_ID };

/* The id (third field) and, for passwd, the group (fourth) of the line of
 * the file whose first field is name (BY_NAME) or whose third is *id
 * (BY_ID). 0 found, -1 not found, -2 cannot tell. */
static int lookup(opener open_fn, void *ctx, const char *file, enum field by, const char *name,
                  uint64_t *id, uint64_t *gid)
{
    int fd = open_fn(ctx, file);
    if (fd < 0)
        return fd;
    cleanup_free char *text = NULL;
    int r = read_regular_fd(fd, ID_FILE_MAX, &text, NULL);
    close(fd);
    if (r < 0)
        return -1;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *f[4] = {0};
        char *p = l;
        for (int i = 0; i < 4 && p; i++) {
            f[i] = p;
            p = strchr(p, ':');
            if (p)
                *p++ = 0;
        }
        uint64_t v;
        if (!f[2] || parse_u64(f[2], &v) < 0)
            continue;
        if (by == BY_NAME ? strcmp(f[0], name) != 0 : v != *id)
            continue;
        *id = v;
        if (gid && (!f[3] || parse_u64(f[3], gid) < 0))
            return -1;
        return 0;
    }
    return -1;
}

static int resolve(opener open_fn, void *ctx, const char *spec, uint64_t *uid, uint64_t *gid,
                   merr_t *err)
{
    *uid = *gid = 0;
    if (!spec || !*spec)
        return 0;
    cleanup_free char *u = xstrdup(spec);
    char *g = strchr(u, ':');
    if (g)
        *g++ = 0;
    int r = 0;
    if (parse_u64(u, uid) == 0) {
        /* a number: its group from its passwd line, if it has one */
        uint64_t pg = 0;
        if (!g && lookup(open_fn, ctx, "/etc/passwd", BY_ID, NULL, uid, &pg) == 0)
            *gid = pg;
    } else if ((r = lookup(open_fn, ctx, "/etc/passwd", BY_NAME, u, uid, gid)) < 0) {
        return r == -2 ? -2
                       : err_set(err, 0, "user \"%.64s\": not found in the image's /etc/passwd", u);
    }
    if (g && parse_u64(g, gid) < 0 &&
        (r = lookup(open_fn, ctx, "/etc/group", BY_NAME, g, gid, NULL)) < 0)
        return r == -2 ? -2
                       : err_set(err, 0, "group \"%.64s\": not found in the image's /etc/group", g);
    if (*uid >= CTR_USERNS_SIZE || *gid >= CTR_USERNS_SIZE)
        return err_set(err, 0, "user \"%.64s\": ids must be below %d", spec, CTR_USERNS_SIZE);
    return 0;
}

static int open_in_root(void *ctx, const char *path)
{
    int fd = mnt_openat_in_root(*(int *)ctx, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    return fd < 0 ? -1 : fd;
}

int ctr_resolve_user(int rootfd, const char *spec, uint64_t *uid, uint64_t *gid, merr_t *err)
{
    int r = resolve(open_in_root, &rootfd, spec, uid, gid, err);
    return r == -2 ? err_set(err, 0, "user \"%.64s\": cannot read the image's files", spec) : r;
}

int ctr_resolve_group(int rootfd, const char *group, uint64_t *gid, merr_t *err)
{
    if (parse_u64(group, gid) < 0) {
        int r = lookup(open_in_root, &rootfd, "/etc/group", BY_NAME, group, gid, NULL);
        if (r < 0)
            return err_set(err, 0, "group \"%.64s\": not found in the image's /etc/group", group);
    }
    if (*gid >= CTR_USERNS_SIZE)
        return err_set(err, 0, "group \"%.64s\": ids must be below %d", group, CTR_USERNS_SIZE);
    return 0;
}

/* ---- in the layers ---- */

struct layers {
    struct store *s;
    json_t *diff_ids;
};

static bool whiteout(int dir, const char *name)
{
    struct stat st;
    return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
           st.st_rdev == makedev(0, 0);
}

static bool opaque(int dir)
{
    char v[2] = {0};
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", dir);
    return getxattr(p, "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y';
}

/* "/etc/NAME" in one layer: fd, -1 (go lower), -3 (deleted here, or
 * hidden by an opaque /etc: stop), -2 (cannot tell) */
static int in_layer(int root, const char *name)
{
    struct stat st;
    if (whiteout(root, "etc"))
        return -3;
    if (fstatat(root, "etc", &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? -1 : -2;
    if (!S_ISDIR(st.st_mode))
        return -2; /* /etc a link: only a mount can tell */
    cleanup_close int etc = openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (etc < 0)
        return -2;
    if (whiteout(etc, name))
        return -3;
    int fd = openat(etc, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ELOOP)
        return -2;
    if (errno != ENOENT)
        return -2;
    return opaque(etc) ? -3 : -1;
}

static int open_in_layers(void *ctx, const char *path)
{
    const struct layers *l = ctx;
    const char *name = strrchr(path, '/') + 1;
    for (size_t i = json_array_size(l->diff_ids); i-- > 0;) {
        const char *diff = json_string_value(json_array_get(l->diff_ids, i));
        if (!diff)
            return -2;
        cleanup_free char *p = store_layer_path(l->s, diff);
        cleanup_close int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
            return -2;
        int r = in_layer(root, name);
        if (r >= 0 || r == -2)
            return r;
        if (r == -3)
            return -1;
    }
    return -1;
}

int ctr_check_user_layers(struct store *s, json_t *layers, const char *spec, merr_t *err)
{
    struct layers l = {s, layers};
    uint64_t uid, gid;
    int r = resolve(open_in_layers, &l, spec, &uid, &gid, err);
    return r == -2 ? 0 : r;
}

/* cp_tar.c: see cp_tar.h. */
#include "cp_tar.h"
#include "cp.h"
#include "ctr.h"
#include "ctr_root.h"
#include "tarwrite.h"
#include "unpack.h"
#include "../kernel/mount.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the name the source has in the archive: its last component */
static char *src_name(const char *src)
{
    cleanup_free char *b = xstrdup(src);
    size_t l = strlen(b);
    while (l > 1 && b[l - 1] == '/')
        b[--l] = 0;
    const char *bn = basename(b);
    return xstrdup(strcmp(bn, "/") == 0 ? "." : bn);
}

static int tar_out(struct tarw *w, int rootfd, const char *src, bool follow, merr_t *err)
{
    cleanup_free char *name = src_name(src);
    cleanup_free char *base = NULL;
    int dfd;
    if (cp_resolve(rootfd, src, follow, &dfd, &base, err) < 0)
        return -1;
    cleanup_close int dirfd = dfd;
    struct stat st;
    if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_sys(err, "container path \"%s\"", src);
    bool root = strcmp(name, ".") == 0;
    if (!root && tarw_add(w, dirfd, base, name, &st, err) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return 0;
    cleanup_close int sub = openat(dirfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat now;
    if (sub < 0 || fstat(sub, &now) < 0)
        return err_sys(err, "container path \"%s\"", src);
    if (now.st_ino != st.st_ino || now.st_dev != st.st_dev)
        return err_set(err, 0, "container path \"%s\" changed during the copy", src);
    return tarw_tree(w, sub, root ? "" : name, err);
}

int cp_tar_out(int rootfd, const char *src, bool follow, uint32_t base, int fd, merr_t *err)
{
    struct tarw w;
    if (tarw_open(&w, fd, base, false, err) < 0)
        return -1;
    int r = tar_out(&w, rootfd, src, follow, err);
    if (tarw_close(&w, r == 0, err) < 0)
        r = -1;
    return r;
}

int cp_tar_in(int fd, int rootfd, const char *dst, uint32_t base, bool archive, merr_t *err)
{
    cleanup_close int dfd = mnt_openat_in_root(rootfd, dst, O_RDONLY | O_DIRECTORY);
    if (dfd < 0) {
        if (errno == ENOTDIR)
            return err_set(err, 0,
                           "container path \"%s\": the destination of a tar stream must "
                           "be a directory",
                           dst);
        return err_sys(err, "container directory \"%s\"", dst);
    }
    struct unpack_opts o;
    unpack_defaults(&o);
    o.whiteouts = false; /* ".wh." names are plain files here */
    o.id_base = base;
    o.id_count = CTR_USERNS_SIZE;
    o.owner_base = !archive;
    o.guard = true; /* only where the container's root could write */
    cp_become(base, base);
    int r = unpack_tar(fd, dfd, &o, NULL, err);
    cp_become(0, 0);
    return r < 0 ? err_wrap(err, "extract into \"%s\"", dst) : 0;
}

int ctr_cp(struct store *s, const struct cp_req *q, merr_t *err)
{
    if (!q->ctr_path || !*q->ctr_path)
        return err_set(err, 0, "the container path is empty");
    struct ctr_root r;
    if (ctr_root_open(s, q->ctr, CTR_ROOT_PROC, &r, err) < 0)
        return -1;
    bool tar = strcmp(q->host_path, "-") == 0;
    int ret;
    if (q->to_ctr)
        ret = tar ? cp_tar_in(q->tar_fd, r.fd, q->ctr_path, r.base, q->archive, err)
                  : cp_in(q->host_path, r.fd, q->ctr_path, r.base, q->follow, q->archive, err);
    else
        ret = tar ? cp_tar_out(r.fd, q->ctr_path, q->follow, r.base, q->tar_fd, err)
                  : cp_out(r.fd, q->ctr_path, q->host_path, r.base, q->follow, q->archive, err);
    ctr_root_close(&r);
    return ret;
}

int ctr_path_stat(struct store *s, const char *ctr, const char *path, struct stat *st, char **link,
                  merr_t *err)
{
    struct ctr_root r;
    if (ctr_root_open(s, ctr, CTR_ROOT_PROC, &r, err) < 0)
        return -1;
    int dirfd = -1;
    char *name = NULL;
    int ret = cp_resolve(r.fd, path, false, &dirfd, &name, err);
    if (ret == 0 && fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
        ret = err_sys(err, "Could not find the file %s in container %s", path, ctr);
    *link = NULL;
    if (ret == 0 && S_ISLNK(st->st_mode)) {
        char buf[4096];
        ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        *link = xstrdup(buf);
    }
    if (dirfd >= 0)
        close(dirfd);
    free(name);
    ctr_root_close(&r);
    return ret;
}

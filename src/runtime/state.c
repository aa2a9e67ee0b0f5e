#include "state.h"
#include "intent.h"
#include "../kernel/cgroup.h"
#include "../kernel/proc.h"
#include "../util/fs.h"
#include "../util/jpath.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

const char *cstatus_name(enum cstatus s)
{
    static const char *const n[] = {"creating", "created", "running", "paused", "stopped"};
    return n[s];
}

bool state_valid_id(const char *id)
{
    if (!id || !*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
        return false;
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '+' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

char *state_default_root(void)
{
    if (geteuid() == 0)
        return xstrdup(STATE_DEFAULT_ROOT);
    const char *x = getenv("XDG_RUNTIME_DIR");
    if (x && *x)
        return xasprintf("%s/moat", x);
    return xasprintf("/tmp/moat-%u", (unsigned)geteuid());
}

/* does directory fd hold a container (a subdirectory not moat's own)? */
static bool holds_containers(int fd)
{
    int d = dup(fd);
    DIR *dir = d >= 0 ? fdopendir(d) : NULL;
    bool found = !dir; /* unknown: assume so */
    struct dirent *de;
    while (dir && !found && (de = readdir(dir)))
        found = de->d_type == DT_DIR && de->d_name[0] != '.'; /* .seccomp-cache is moat's */
    if (dir)
        closedir(dir);
    return found;
}

/* Runtime state must not outlive a reboot, and /run is a tmpfs on almost
 * every host. Where it is not (this project's CI VM has /run on ext4,
 * whose inode allocator scans past recently deleted inodes: 30% of the CPU
 * of starting 500 containers), the default root gets a tmpfs of its own
 * the first time it is used while it holds no container. A process that
 * works in the root while it is on disk holds /run/moat.lock shared, for
 * its lifetime, so the tmpfs never hides a container being made. Returns
 * the fd to use (fd itself, or one of the tmpfs). */
static int default_root_tmpfs(const char *root, int fd)
{
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type == TMPFS_MAGIC)
        return fd;
    int lk = open(STATE_DEFAULT_ROOT ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lk < 0 || flock(lk, LOCK_EX) < 0) {
        if (lk >= 0)
            close(lk);
        return fd;
    }
    /* another moat may have mounted it meanwhile */
    int now = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (now >= 0 && fstatfs(now, &sf) == 0 && sf.f_type != TMPFS_MAGIC && !holds_containers(now) &&
        mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0711") == 0) {
        close(now);
        now = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    if (now >= 0 && fstatfs(now, &sf) == 0 && sf.f_type == TMPFS_MAGIC) {
        close(lk);
        close(fd);
        return now;
    }
    /* still on disk: keep others from mounting over it while we work */
    if (now >= 0)
        close(now);
    flock(lk, LOCK_SH); /* lk stays open (close-on-exec) until moat exits */
    return fd;
}

/* The state root holds what later commands trust (hooks run from it): it
 * must be the caller's and writable by nobody else. A rootless default
 * root outside XDG_RUNTIME_DIR (a predictable /tmp/moat-UID that anyone
 * could make first) must be exactly the caller's 0700 directory. */
static int check_root(int fd, const char *root, bool strict, merr_t *err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return err_sys(err, "--root: \"%s\"", root);
    if (st.st_uid != geteuid() || (st.st_mode & (strict ? 077 : 022)))
        return err_set(err, 0,
                       "--root: \"%s\" belongs to uid %u with mode %04o: the state root must "
                       "be the caller's (uid %u) and %s; refusing to trust what is in it",
                       root, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
                       (unsigned)geteuid(), strict ? "mode 0700" : "writable by no one else");
    return 0;
}

int state_root_open(const char *root, bool create, merr_t *err)
{
    cleanup_free char *tmp_default = xasprintf("/tmp/moat-%u", (unsigned)geteuid());
    bool strict = geteuid() != 0 && strcmp(root, tmp_default) == 0;
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        if (strict ? mkdir(root, 0700) < 0 && errno != EEXIST : mkdir_p(root, 0711, err) < 0)
            return strict ? err_sys(err, "--root: create \"%s\"", root) : err_wrap(err, "--root");
        fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return err_sys(err, "--root: open \"%s\"", root);
    if (check_root(fd, root, strict, err) < 0) {
        close(fd);
        return -1;
    }
    if (strcmp(root, STATE_DEFAULT_ROOT) == 0 && geteuid() == 0)
        fd = default_root_tmpfs(root, fd);
    return fd;
}

int state_root_lock(int rootfd)
{
    /* a file of its own, 0600: a lock on the root directory itself could
     * be held by anyone who may read the directory */
    int fd = openat(rootfd, STATE_ROOT_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int r;
    while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
        ;
    if (r < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void state_root_unlock(int lockfd)
{
    if (lockfd >= 0)
        close(lockfd);
}

/* mkdir and flock are two steps: the root is locked around them, and a
 * cleaner of abandoned directories (intent.c) locks it too, so it never
 * takes a directory being made for one left by a killed create. */
static int dir_make_locked(int rootfd, const char *id, int *mkdir_errno)
{
    *mkdir_errno = 0;
    int lk = state_root_lock(rootfd);
    if (lk < 0)
        return -1;
    int fd = -1;
    if (mkdirat(rootfd, id, 0711) < 0) {
        *mkdir_errno = errno;
    } else {
        fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
            close(fd);
            fd = -1;
        }
        if (fd < 0) {
            int e = errno;
            unlinkat(rootfd, id, AT_REMOVEDIR);
            errno = e;
        }
    }
    int e = errno;
    state_root_unlock(lk);
    errno = e;
    return fd;
}

int state_dir_create(int rootfd, const char *id, merr_t *err)
{
    for (int tries = 0;; tries++) {
        int mkdir_errno;
        int fd = dir_make_locked(rootfd, id, &mkdir_errno);
        if (fd >= 0)
            return fd;
        if (mkdir_errno != EEXIST) {
            if (mkdir_errno)
                errno = mkdir_errno;
            return err_sys(err, "create state directory for \"%s\"", id);
        }
        /* what a killed create of this id left goes first */
        if (tries == 0 && intent_clean(rootfd, id, NULL) > 0)
            continue;
        return err_set(err, EEXIST, "container \"%s\" already exists", id);
    }
}

static char **json_strv(json_t *arr)
{
    size_t n = json_array_size(arr);
    char **v = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(json_string_value(json_array_get(arr, i)) ?: "");
    return v;
}

int state_dir_open(int rootfd, const char *id, struct state *st, bool lock, merr_t *err)
{
    memset(st, 0, sizeof(*st));
    if (!state_valid_id(id))
        return err_set(err, EINVAL, "invalid container id \"%s\"", id);
    int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return err_set(err, ENOENT, "container \"%s\" does not exist", id);
        return err_sys(err, "open state of \"%s\"", id);
    }
    if (lock && flock(fd, LOCK_EX) < 0) {
        close(fd);
        return err_sys(err, "lock state of \"%s\"", id);
    }
    char *text = NULL;
    size_t len;
    if (read_file_at(fd, STATE_FILE, &text, &len, NULL) < 0) {
        close(fd);
        /* a directory without its state: a create that is still running,
         * or one that was killed before it finished */
        return err_set(err, ENOENT, "container \"%s\" does not exist (creation incomplete)", id);
    }
    /* the state line, then the config */
    char *nl = memchr(text, '\n', len);
    size_t sl = nl ? (size_t)(nl - text) : len;
    if (nl) {
        st->config_len = len - sl - 1;
        st->config = xmalloc(st->config_len + 1);
        memcpy(st->config, nl + 1, st->config_len);
        st->config[st->config_len] = 0;
    }
    json_error_t je;
    json_t *j = json_loadb(text, sl, 0, &je);
    free(text);
    if (!j) {
        close(fd);
        state_free(st);
        return err_set(err, EINVAL, "state of \"%s\" is corrupt: %s", id, je.text);
    }
    st->id = xstrdup(id);
    st->pid = (pid_t)json_integer_value(json_object_get(j, "pid"));
    st->start_time = (uint64_t)json_integer_value(json_object_get(j, "startTime"));
    st->bundle = xstrdup(json_string_value(json_object_get(j, "bundle")) ?: "");
    st->rootfs = xstrdup(json_string_value(json_object_get(j, "rootfs")) ?: "");
    st->created = xstrdup(json_string_value(json_object_get(j, "created")) ?: "");
    st->owner = (uid_t)json_integer_value(json_object_get(j, "owner"));
    st->userns = json_is_true(json_object_get(j, "userns"));
    st->detached = json_is_true(json_object_get(j, "detached"));
    st->cgroup_dirs = json_strv(json_object_get(j, "cgroupDirs"));
    json_t *ann = json_object_get(j, "annotations");
    if (json_is_object(ann))
        st->annotations = json_dumps(ann, JSON_COMPACT);
    st->poststart = json_is_true(json_object_get(j, "poststart"));
    st->poststop = json_is_true(json_object_get(j, "poststop"));
    json_decref(j);
    return fd;
}

int state_save(int dirfd, const struct state *st, merr_t *err)
{
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"id\":");
    sbuf_json_str(&b, st->id);
    sbuf_printf(&b, ",\"pid\":%d,\"startTime\":%llu,\"bundle\":", (int)st->pid,
                (unsigned long long)st->start_time);
    sbuf_json_str(&b, st->bundle);
    sbuf_puts(&b, ",\"rootfs\":");
    sbuf_json_str(&b, st->rootfs);
    sbuf_puts(&b, ",\"created\":");
    sbuf_json_str(&b, st->created);
    sbuf_printf(&b, ",\"owner\":%u,\"userns\":%s,\"detached\":%s,\"cgroupDirs\":[",
                (unsigned)st->owner, st->userns ? "true" : "false",
                st->detached ? "true" : "false");
    for (size_t i = 0; st->cgroup_dirs && st->cgroup_dirs[i]; i++) {
        if (i)
            sbuf_puts(&b, ",");
        sbuf_json_str(&b, st->cgroup_dirs[i]);
    }
    sbuf_printf(&b, "],\"poststart\":%s,\"poststop\":%s", st->poststart ? "true" : "false",
                st->poststop ? "true" : "false");
    if (st->annotations) {
        sbuf_puts(&b, ",\"annotations\":");
        sbuf_puts(&b, st->annotations);
    }
    sbuf_puts(&b, "}\n");
    if (st->config)
        sbuf_add(&b, st->config, st->config_len);
    int r = atomic_write_at(dirfd, STATE_FILE, b.buf, b.len, 0600, err);
    free(b.buf);
    return r;
}

int state_remove(int rootfd, const char *id)
{
    return rm_rf_at(rootfd, id);
}

void state_free(struct state *st)
{
    free(st->id);
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    strv_free(st->cgroup_dirs);
    free(st->annotations);
    free(st->config);
    memset(st, 0, sizeof(*st));
}

enum cstatus state_status(int dirfd, const struct state *st)
{
    uint64_t start;
    char pstate;
    if (st->pid <= 0 || proc_stat(st->pid, &start, &pstate) < 0 || start != st->start_time ||
        pstate == 'Z' || pstate == 'X')
        return CS_STOPPED;
    if (faccessat(dirfd, STATE_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return CS_CREATED;
    if (st->cgroup_dirs && st->cgroup_dirs[0]) {
        struct cg_host host;
        if (cg_detect(&host, NULL) == 0) {
            struct cg cg;
            cg_from_dirs(&host, st->cgroup_dirs, strv_len(st->cgroup_dirs), &cg);
            bool frozen = cg_is_frozen(&cg);
            cg_free(&cg);
            cg_host_free(&host);
            if (frozen)
                return CS_PAUSED;
        }
    }
    return CS_RUNNING;
}

char *state_to_json(const struct state *st, enum cstatus status, const char *annotations_json)
{
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"ociVersion\":\"1.1.0\",\"id\":");
    sbuf_json_str(&b, st->id);
    sbuf_printf(&b, ",\"pid\":%d,\"status\":\"%s\",\"bundle\":",
                status == CS_STOPPED ? 0 : (int)st->pid, cstatus_name(status));
    sbuf_json_str(&b, st->bundle);
    sbuf_puts(&b, ",\"rootfs\":");
    sbuf_json_str(&b, st->rootfs);
    sbuf_puts(&b, ",\"created\":");
    sbuf_json_str(&b, st->created);
    sbuf_printf(&b, ",\"owner\":\"\"");
    if (annotations_json && *annotations_json) {
        sbuf_puts(&b, ",\"annotations\":");
        sbuf_puts(&b, annotations_json);
    }
    sbuf_puts(&b, "}");
    return sbuf_steal(&b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **state_list(int rootfd)
{
    int fd = dup(rootfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    size_t n = 0, cap = 16;
    char **v = xzalloc(cap * sizeof(char *));
    if (!d) {
        if (fd >= 0)
            close(fd);
        return v;
    }
    rewinddir(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !state_valid_id(de->d_name))
            continue;
        if (n + 2 > cap)
            v = xrealloc(v, (cap *= 2) * sizeof(char *));
        v[n++] = xstrdup(de->d_name);
        v[n] = NULL;
    }
    closedir(d);
    qsort(v, n, sizeof(char *), cmp_str);
    return v;
}

char *now_rfc3339(void)
{
    char buf[64];
    utc_now_rfc3339(buf, sizeof(buf));
    return xstrdup(buf);
}

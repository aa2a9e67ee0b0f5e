/* ctr.c: the engine's container records, root filesystems and user
 * namespace ranges (see ctr.h). */
#include "ctr.h"
#include "ctr_net.h"
#include "net_fw.h"
#include "ctr_state.h"
#include "idrange.h"
#include "../oci/ref.h"
#include "rwlayer.h"
#include "events.h"
#include "volume.h"
#include "../kernel/caps.h"
#include "../kernel/idmap.h"
#include "../kernel/mount.h"
#include "../kernel/proc.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

char *ctr_runtime_root(struct store *s)
{
    return xasprintf("%s/run", s->root);
}

int ctr_runtime_rootfd(struct store *s, merr_t *err)
{
    cleanup_free char *r = ctr_runtime_root(s);
    return state_root_open(r, true, err);
}

char *ctr_now(void)
{
    char b[48];
    utc_now_rfc3339(b, sizeof(b));
    return xstrdup(b);
}

static bool hex_id(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static char *keep_id(const char *name, void *ctx)
{
    (void)ctx;
    return hex_id(name) ? xstrdup(name) : NULL;
}

char **ctr_list(struct store *s)
{
    return dir_collect(s->fd, "containers", keep_id, NULL);
}

int ctr_dirfd(struct store *s, const char *id, merr_t *err)
{
    if (!hex_id(id))
        return err_set(err, 0, "container \"%s\": not a container id", id);
    cleanup_free char *p = xasprintf("containers/%s", id);
    int fd = openat(s->fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return err_set(err, 0, "no such container: %.12s", id);
    return fd;
}

json_t *ctr_load(struct store *s, const char *id, merr_t *err)
{
    cleanup_close int d = ctr_dirfd(s, id, err);
    if (d < 0)
        return NULL;
    cleanup_free char *text = NULL;
    if (read_file_at(d, "container.json", &text, NULL, NULL) < 0) {
        err_set(err, 0, "container %.12s: no record (being created or removed)", id);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        err_set(err, 0, "container %.12s: damaged record: %s", id, je.text);
        return NULL;
    }
    return j;
}

int ctr_record_lock(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    int d = ctr_dirfd(s, id, &e);
    err_clear(&e);
    if (d >= 0 && flock(d, LOCK_EX) < 0) {
        close(d);
        return -1;
    }
    return d;
}

int ctr_save(struct store *s, const char *id, json_t *rec, merr_t *err)
{
    cleanup_close int d = ctr_dirfd(s, id, err);
    if (d < 0)
        return -1;
    cleanup_free char *text = json_dumps(rec, JSON_INDENT(2));
    return atomic_write_at(d, "container.json", text, strlen(text), 0600, err);
}

int ctr_find(struct store *s, const char *what, char id[65], merr_t *err)
{
    if (!what || !*what)
        return err_set(err, 0, "container: empty name");
    char **ids = ctr_list(s);
    size_t found = 0, hl = strlen(what);
    bool hexy = hl >= 1 && hl <= 64 && strspn(what, "0123456789abcdef") == hl;
    /* an exact name wins over an id prefix, as in Docker */
    for (size_t i = 0; ids[i] && !found; i++) {
        merr_t e = MERR_INIT;
        json_t *r = ctr_load(s, ids[i], &e);
        err_clear(&e);
        const char *n = r ? json_string_value(json_object_get(r, "Name")) : NULL;
        if (n && strcmp(n, what) == 0) {
            snprintf(id, 65, "%s", ids[i]);
            found = 1;
        }
        json_decref(r);
    }
    for (size_t i = 0; ids[i] && hexy && !found; i++)
        if (strncmp(ids[i], what, hl) == 0) {
            snprintf(id, 65, "%s", ids[i]);
            for (size_t k = i + 1; ids[k]; k++)
                if (strncmp(ids[k], what, hl) == 0)
                    found = 2;
            if (found != 2)
                found = 1;
        }
    strv_free(ids);
    if (found == 1)
        return 0;
    if (found == 2)
        return err_set(err, 0, "container \"%s\": ambiguous id prefix", what);
    return err_set(err, 0, "no such container: %s", what);
}

bool ctr_named(json_t *rec, const void *ctx)
{
    const char *n = json_string_value(json_object_get(rec, "Name"));
    return n && strcmp(n, (const char *)ctx) == 0;
}

const char *ctr_first(struct store *s, bool (*match)(json_t *rec, const void *ctx), const void *ctx,
                      char *buf, size_t n)
{
    char **ids = ctr_list(s);
    const char *found = NULL;
    for (size_t i = 0; ids[i] && !found; i++) {
        merr_t e = MERR_INIT;
        json_t *r = ctr_load(s, ids[i], &e);
        err_clear(&e);
        if (r && match(r, ctx)) {
            snprintf(buf, n, "%.12s", ids[i]);
            found = buf;
        }
        json_decref(r);
    }
    strv_free(ids);
    return found;
}

int ctr_lock_open(struct store *s, const char *id, bool create)
{
    cleanup_free char *p = xasprintf("containers/%s/monitor.lock", id);
    return create ? openat(s->fd, p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)
                  : openat(s->fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

bool ctr_monitor_alive(struct store *s, const char *id)
{
    cleanup_close int fd = ctr_lock_open(s, id, false);
    if (fd < 0)
        return false;
    if (flock(fd, LOCK_SH | LOCK_NB) == 0)
        return false;
    return errno == EWOULDBLOCK;
}

void ctr_monitor_record_pid(int lockfd)
{
    uint64_t start = 0;
    proc_stat(getpid(), &start, NULL);
    /* fixed width: it replaces what an earlier monitor wrote without a
     * truncate (which costs more than the write on ext4) */
    char b[48];
    int n = snprintf(b, sizeof(b), "%10d %20llu\n", (int)getpid(), (unsigned long long)start);
    (void)!pwrite(lockfd, b, (size_t)n, 0);
}

int ctr_monitor_kill(struct store *s, const char *id)
{
    cleanup_close int fd = ctr_lock_open(s, id, false);
    char b[48] = {0};
    if (fd < 0 || pread(fd, b, sizeof(b) - 1, 0) <= 0)
        return -1;
    int pid = 0;
    unsigned long long start = 0;
    if (sscanf(b, "%d %llu", &pid, &start) != 2 || pid <= 1)
        return -1;
    /* the pidfd pins the process; its start time says it is the monitor
     * that wrote the file, not a process that took over the pid since */
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (pidfd < 0)
        return errno == ESRCH ? 0 : -1; /* gone already */
    uint64_t now = 0;
    int r = -1;
    if (proc_stat(pid, &now, NULL) < 0)
        r = 0; /* exited between the two */
    else if (now == start &&
             (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0 || errno == ESRCH))
        r = 0;
    close(pidfd);
    return r;
}

static bool mounted(const char *path)
{
    struct stat a, b;
    cleanup_free char *up = xasprintf("%s/..", path);
    return stat(path, &a) == 0 && stat(up, &b) == 0 && a.st_dev != b.st_dev;
}

void ctr_umount_rootfs(struct store *s, const char *id)
{
    cleanup_free char *p = xasprintf("%s/containers/%s/rootfs", s->root, id);
    while (mounted(p) && umount2(p, MNT_DETACH) == 0)
        ;
}

/* A container that is not running but has its root mounted or a state in
 * the runtime: a monitor is starting it, or died doing so. */
static bool started_partly(struct store *s, const char *id)
{
    cleanup_free char *rt = xasprintf("run/%s", id);
    cleanup_free char *root = xasprintf("%s/containers/%s/rootfs", s->root, id);
    return faccessat(s->fd, rt, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || mounted(root);
}

static json_t *refresh(struct store *s, const char *id, bool *repaired, merr_t *err)
{
    json_t *r = ctr_load(s, id, err);
    if (!r)
        return NULL;
    json_t *st = json_object_get(r, "State");
    bool running = json_is_true(json_object_get(st, "Running"));
    /* a monitor waiting to restart it holds it too */
    bool restarting = !strcmp(json_string_value(json_object_get(st, "Status")) ?: "", "restarting");
    if (!running && !restarting && !started_partly(s, id))
        return r;
    /* the monitor's lock, held through the repair: a monitor starting the
     * container now cannot take it between the check and the repair (and
     * see its container removed under it); it fails to start instead */
    cleanup_close int lock = ctr_lock_open(s, id, false);
    if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0)
        return r; /* a monitor holds it */
    /* what a monitor that ended just now wrote (its real exit code) */
    cleanup_close_held int rl = ctr_record_lock(s, id);
    json_t *again = ctr_load(s, id, err);
    if (!again) {
        err_clear(err);
        return r;
    }
    json_decref(r);
    r = again;
    st = json_object_get(r, "State");
    running = json_is_true(json_object_get(st, "Running"));
    restarting = !strcmp(json_string_value(json_object_get(st, "Status")) ?: "", "restarting");
    if (!running && !restarting && !started_partly(s, id))
        return r;
    /* its monitor died without recording the end (or the start): repair */
    *repaired = true;
    ctr_runtime_delete(s, id);
    ctr_umount_rootfs(s, id);
    cleanup_free char *now = ctr_now();
    json_object_set_new(st, "Status", json_string("exited"));
    json_object_set_new(st, "Running", json_false());
    json_object_set_new(st, "Pid", json_integer(0));
    json_object_set_new(st, "ExitCode", json_integer(255));
    json_object_set_new(st, "Error",
                        json_string(running ? "the monitor of the container died"
                                            : "the monitor of the container died "
                                              "while it started it"));
    json_object_set_new(st, "FinishedAt", json_string(now));
    merr_t e = MERR_INIT;
    ctr_save(s, id, r, &e);
    err_clear(&e);
    return r;
}

json_t *ctr_refresh(struct store *s, const char *id, merr_t *err)
{
    bool repaired = false;
    json_t *r = refresh(s, id, &repaired, err);
    if (r)
        ctr_mark_paused(s, id, r);
    if (repaired) /* its endpoints and their rules (no lock held now) */
        net_cleanup_ctr(s, id);
    return r;
}

/* ---- root filesystem ---- */

/* A container removed at its end (--rm) gets a volatile overlay, as
 * Podman gives its own: the overlay never syncs it. Otherwise its
 * unmount syncs the store's whole filesystem, every dirty page of the
 * host's on it, which takes seconds on a host that writes; and a syncfs
 * of the container's (a VM's guest syncs at its end) does the same.
 * Its writes are thrown away, so nothing is lost; fsync of a file in
 * the container reaches the disk only on a volume.
 * A volatile mount leaves a marker (WORK/work/incompat/volatile/dirty)
 * that refuses the next mount of the same layer (moat cp, start again): it
 * goes first, since a throwaway layer needs no such warning. Kernels
 * before 5.10 have no volatile overlay: the mount is made without. */
static int mount_overlay(int d, const char *id, json_t *rec, const char *target, const char *opts,
                         int *mfd, merr_t *err)
{
    json_t *hc = json_object_get(rec, "HostConfig");
    bool vol = json_is_true(json_object_get(hc, "AutoRemove"));
    if (vol) {
        cleanup_free char *mark = xasprintf("%swork/work/incompat/volatile", rwl_prefix(rec));
        cleanup_free char *dirty = xasprintf("%s/dirty", mark);
        (void)unlinkat(d, dirty, 0);
        (void)unlinkat(d, mark, AT_REMOVEDIR);
    }
    cleanup_free char *with = xasprintf("%s,volatile", opts);
    for (int v = vol; v >= 0; v--) {
        const char *o = v ? with : opts;
        err_clear(err);
        if (mfd && (*mfd = mnt_new_fs("overlay", "overlay", o, MS_NODEV, err)) >= 0)
            return 0;
        if (!mfd && mount("overlay", target, "overlay", MS_NODEV, o) == 0)
            return 0;
        if (mfd)
            err_wrap(err, "container %.12s: mount the overlay root", id);
        else
            err_sys(err, "container %.12s: mount the overlay root", id);
        if (err->errnum != EINVAL)
            break;
    }
    return -1;
}

/* The overlay of the container: attached at containers/ID/rootfs, or
 * (detached) as a mount fd in *mfd that goes away with its last fd. */
static int rootfs(struct store *s, const char *id, json_t *rec, int *mfd, merr_t *err)
{
    json_t *layers = json_object_get(rec, "Layers");
    json_int_t base = json_integer_value(json_object_get(rec, "UsernsBase"));
    size_t n = json_array_size(layers);
    if (!n)
        return err_set(err, 0, "container %.12s: no layers recorded", id);
    cleanup_close int d = ctr_dirfd(s, id, err);
    if (d < 0)
        return -1;
    if (!mfd)
        ctr_umount_rootfs(s, id);
    int ufd = -1, ret = -1;
    cleanup_free char *target = xasprintf("%s/containers/%s/rootfs", s->root, id);
    cleanup_free char *upper = NULL;
    int *fds = xzalloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++)
        fds[i] = -1;
    struct sbuf opts = {0};
    if (base > 0) {
        struct spec_idmap m = {0, (uint32_t)base, CTR_USERNS_SIZE};
        ufd = idmap_userns_fd(&m, 1, &m, 1, err);
        if (ufd < 0)
            goto out;
    }
    sbuf_puts(&opts, "lowerdir=");
    /* the top layer first */
    for (size_t i = 0; i < n; i++) {
        const char *diff = json_string_value(json_array_get(layers, n - 1 - i));
        if (!digest_valid(diff)) {
            err_set(err, 0, "container %.12s: Layers[%zu]: not a digest", id, n - 1 - i);
            goto out;
        }
        cleanup_free char *path = store_layer_path(s, diff);
        fds[i] = mnt_clone_tree(AT_FDCWD, path, false, err);
        if (fds[i] < 0) {
            err_wrap(err, "layer %s", diff);
            goto out;
        }
        if (ufd >= 0 && mnt_setattr(fds[i], 0, 0, false, 0, ufd, err) < 0) {
            err_wrap(err, "idmapped mount of layer %s", diff);
            goto out;
        }
        sbuf_printf(&opts, "%s/proc/self/fd/%d", i ? ":" : "", fds[i]);
    }
    const char *pre = rwl_prefix(rec);
    sbuf_printf(&opts, ",upperdir=%s/containers/%s/%supper,workdir=%s/containers/%s/%swork",
                s->root, id, pre, s->root, id, pre);
    /* the container's root owns its "/", with the image's mode (the upper
     * directory's own 0700 would shut out every other user) */
    struct stat top;
    upper = xasprintf("%supper", pre);
    if (fstat(fds[0], &top) < 0 ||
        fchownat(d, upper, (uid_t)base, (gid_t)base, AT_SYMLINK_NOFOLLOW) < 0 ||
        fchmodat(d, upper, top.st_mode & 07777, 0) < 0) {
        err_sys(err, "container %.12s: give its root the image's owner and mode", id);
        goto out;
    }
    /* the overlay writes to its upper directory with the credentials it
     * was mounted with: without CAP_SYS_RESOURCE, which would let the
     * container's writes past a project quota (ext4) and into the root
     * reserve of the store's filesystem */
    if (caps_set_effective(CAP_SYS_RESOURCE, false, err) < 0)
        goto out;
    int mr = mount_overlay(d, id, rec, target, opts.buf, mfd, err);
    merr_t ce = MERR_INIT;
    caps_set_effective(CAP_SYS_RESOURCE, true, &ce);
    err_clear(&ce);
    if (mr < 0)
        goto out;
    ret = 0;
out:
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    free(opts.buf);
    if (ufd >= 0)
        close(ufd);
    return ret;
}

int ctr_mount_rootfs(struct store *s, const char *id, json_t *rec, merr_t *err)
{
    return rootfs(s, id, rec, NULL, err);
}

int ctr_rootfs_detached(struct store *s, const char *id, json_t *rec, merr_t *err)
{
    int fd = -1;
    return rootfs(s, id, rec, &fd, err) < 0 ? -1 : fd;
}

/* ---- user namespace ranges ---- */

int ctr_alloc_userns(struct store *s, uint64_t *base, merr_t *err)
{
    return idrange_alloc(s, base, err);
}

char *ctr_make_name(struct store *s)
{
    static const char *const adj[] = {"brave",  "calm",  "eager", "fierce",  "gentle",
                                      "happy",  "jolly", "keen",  "lucid",   "mighty",
                                      "noble",  "proud", "quiet", "serene",  "swift",
                                      "tender", "vivid", "witty", "zealous", "bold"};
    static const char *const noun[] = {"turing",   "hopper", "lovelace", "ritchie", "thompson",
                                       "torvalds", "knuth",  "dijkstra", "liskov",  "hamilton",
                                       "perlman",  "kay",    "lamport",  "wirth",   "backus"};
    for (int tries = 0;; tries++) {
        uint32_t r = 0;
        if (getrandom(&r, sizeof(r), 0) != sizeof(r))
            r = (uint32_t)getpid() + (uint32_t)tries;
        char *n = tries < 50 ? xasprintf("%s_%s", adj[r % ARRAY_SIZE(adj)],
                                         noun[(r / 32) % ARRAY_SIZE(noun)])
                             : xasprintf("%s_%s_%u", adj[r % ARRAY_SIZE(adj)],
                                         noun[(r / 32) % ARRAY_SIZE(noun)], r % 100000);
        char id[65];
        merr_t e = MERR_INIT;
        if (ctr_find(s, n, id, &e) < 0) {
            err_clear(&e);
            return n;
        }
        free(n);
    }
}

void ctr_clean_partial(struct store *s)
{
    char **ids = ctr_list(s);
    for (size_t i = 0; ids[i]; i++) {
        cleanup_free char *rec = xasprintf("containers/%s/container.json", ids[i]);
        if (faccessat(s->fd, rec, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
            continue;
        cleanup_free char *dir = xasprintf("containers/%s", ids[i]);
        cleanup_free char *mnt = xasprintf("%s/containers/%s/rootfs", s->root, ids[i]);
        if (mounted(mnt))
            continue;
        int d = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d >= 0) {
            rwl_remove(d);
            close(d);
        }
        rm_rf_at(s->fd, dir);
    }
    strv_free(ids);
}

int ctr_make(struct store *s, const char *id, json_t *rec, struct rwl_plan *lp, merr_t *err)
{
    const char *hn =
        json_string_value(json_object_get(json_object_get(rec, "Config"), "Hostname")) ?: "";
    cleanup_free char *hosts = ctr_net_hosts(rec);
    cleanup_free char *resolv = ctr_net_resolv(rec);
    cleanup_free char *hname = xasprintf("%s\n", hn);
    cleanup_free char *dir = xasprintf("containers/%s", id);
    if (mkdirat(s->fd, dir, 0700) < 0)
        return err_sys(err, "create %s", dir);
    int d = ctr_dirfd(s, id, err), r = d < 0 ? -1 : 0;
    if (r == 0 && (mkdirat(d, "bundle", 0700) < 0 || mkdirat(d, "rootfs", 0700) < 0))
        r = err_sys(err, "create %s/bundle and rootfs", dir);
    if (r == 0 && (r = rwl_create(s, d, lp, err)) == 0)
        rwl_record(rec, lp);
    if (r == 0)
        r = atomic_write_at(d, "hosts", hosts, strlen(hosts), 0644, err);
    if (r == 0)
        r = atomic_write_at(d, "hostname", hname, strlen(hname), 0644, err);
    if (r == 0)
        r = atomic_write_at(d, "resolv.conf", resolv, strlen(resolv), 0644, err);
    /* the record last: a directory without one is a creation that died */
    if (r == 0)
        r = ctr_save(s, id, rec, err);
    if (r < 0) {
        if (d >= 0)
            rwl_remove(d);
        rm_rf_at(s->fd, dir);
    }
    if (d >= 0)
        close(d);
    return r;
}

void ctr_runtime_delete(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    int rootfd = ctr_runtime_rootfd(s, &e);
    if (rootfd >= 0) {
        op_delete(rootfd, id, true, &e); /* kills what is left, removes the cgroup */
        close(rootfd);
    }
    err_clear(&e);
}

static int remove_dir(struct store *s, const char *id, merr_t *err);

int ctr_remove(struct store *s, const char *id, merr_t *err)
{
    merr_t le = MERR_INIT;
    json_t *rec = ctr_load(s, id, &le); /* for its event */
    err_clear(&le);
    int ret = remove_dir(s, id, err);
    if (ret == 0) /* endpoints a dead monitor left */
        net_cleanup_ctr(s, id);
    if (ret == 0 && rec && store_lock(s, &le) == 0) { /* its addresses */
        ctr_net_release(s, rec);
        store_unlock(s);
    }
    err_clear(&le);
    if (ret == 0)
        events_container(s, id, rec, "destroy", NULL);
    json_decref(rec);
    return ret;
}

static int remove_dir(struct store *s, const char *id, merr_t *err)
{
    ctr_runtime_delete(s, id);
    ctr_umount_rootfs(s, id);
    cleanup_free char *rootfs = xasprintf("%s/containers/%s/rootfs", s->root, id);
    if (mounted(rootfs))
        return err_set(err, 0, "container %.12s: its root is still mounted", id);
    merr_t e = MERR_INIT;
    int d = ctr_dirfd(s, id, &e);
    err_clear(&e);
    if (d >= 0) {
        rwl_remove(d);
        close(d);
    }
    cleanup_free char *src = xasprintf("containers/%s", id);
    if (store_remove_tree(s, src) < 0)
        return err_sys(err, "remove container %.12s", id);
    return 0;
}

int ctr_exec_status(const merr_t *err)
{
    if (!err->msg || strncmp(err->msg, "exec \"", 6) != 0)
        return 0;
    return err->errnum == ENOENT ? 127 : 126;
}

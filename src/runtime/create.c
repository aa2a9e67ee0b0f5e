/* create.c: the runtime side of create and run. It validates the config,
 * makes the state directory and cgroup, opens everything the init will
 * need from the host, starts the init, answers its requests (id maps,
 * hooks) and records the result. Any failure undoes all of it: no state
 * directory, cgroup, process or mount is left behind. */
#include "container.h"
#include "intent.h"
#include "seal.h"
#include "../kernel/apparmor.h"
#include "../kernel/hooks.h"
#include "../kernel/idmap.h"
#include "../kernel/mount.h"
#include "../kernel/ns.h"
#include "../kernel/proc.h"
#include "../kernel/process.h"
#include "../kernel/terminal.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int seccomp_compile_spec(const struct spec *s, int rootfd, struct seccomp_prog *out, merr_t *err)
{
    json_t *l = s->json ? json_object_get(s->json, "linux") : NULL;
    json_t *sc = l ? json_object_get(l, "seccomp") : NULL;
    cleanup_free char *key = sc ? json_dumps(sc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int cache = -1;
    if (key && rootfd >= 0) {
        if (mkdirat(rootfd, ".seccomp-cache", 0700) < 0 && errno != EEXIST)
            log_debug("seccomp cache: %s", strerror(errno));
        cache = openat(rootfd, ".seccomp-cache", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    int r = seccomp_compile_cached(s->linux_.seccomp, key, cache, out, err);
    if (cache >= 0)
        close(cache);
    return r;
}

char *container_annotations_json(const struct spec *s)
{
    json_t *a = s && s->json ? json_object_get(s->json, "annotations") : NULL;
    if (!a || !json_is_object(a))
        return NULL;
    return json_dumps(a, JSON_COMPACT);
}

char *container_state_json(const struct container *c, enum cstatus status)
{
    return state_to_json(&c->st, status, c->st.annotations);
}

static int validate(struct container *c, merr_t *err)
{
    const struct spec *s = c->spec;
    const struct spec_linux *l = &s->linux_;
    if (!s->has_process)
        return err_set(err, EINVAL, "config.json: process: is required to create a container");
    if (!s->process.args || !s->process.args[0])
        return err_set(err, EINVAL, "config.json: process.args: must not be empty");
    if (s->process.terminal && c->o.mode != RUN_FOREGROUND && !c->o.console_socket)
        return err_set(err, EINVAL,
                       "process.terminal is true: --console-socket is required (or run in the "
                       "foreground)");
    if (!s->process.terminal && c->o.console_socket)
        return err_set(err, EINVAL, "--console-socket given but process.terminal is false");
    for (size_t i = 0; i < l->nsysctl; i++)
        if (sysctl_check(l->sysctl[i].key, l, err) < 0)
            return -1;
    for (size_t i = 0; i < s->nmounts; i++)
        if (s->mounts[i].idmap && !s->mounts[i].n_uid_mappings && !l->ns[NS_USER].want)
            return err_set(err, EINVAL,
                           "config.json: mounts[%zu].options: idmap needs uidMappings or a user "
                           "namespace",
                           i);
    if (!l->ns[NS_USER].want && geteuid() != 0)
        return err_set(err, EPERM,
                       "running as uid %u: an unprivileged container needs a user namespace "
                       "(moat spec --rootless)",
                       (unsigned)geteuid());
    struct stat st;
    if (stat(c->rootfs, &st) < 0)
        return err_sys(err, "config.json: root.path: \"%s\"", c->rootfs);
    if (!S_ISDIR(st.st_mode))
        return err_set(err, ENOTDIR, "config.json: root.path: \"%s\" is not a directory",
                       c->rootfs);
    return 0;
}

static int open_namespaces(struct container *c, merr_t *err)
{
    const struct spec_linux *l = &c->spec->linux_;
    for (int k = 0; k < NS_N; k++) {
        if (!l->ns[k].want || !l->ns[k].path)
            continue;
        cleanup_free char *what = xasprintf("linux.namespaces (%s)", ns_kind_name(k));
        c->ns_fds[k] = ns_open_checked(l->ns[k].path, ns_kind_clone_flag(k), what, err);
        if (c->ns_fds[k] < 0)
            return -1;
    }
    return 0;
}

static int setup_console(struct container *c, merr_t *err)
{
    if (!c->spec->process.terminal)
        return 0;
    if (c->o.console_socket) {
        c->console_fd = unix_connect(c->o.console_socket, "--console-socket", err);
        return c->console_fd < 0 ? -1 : 0;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return err_sys(err, "terminal socketpair");
    c->console_fd = sv[0];
    c->console_peer = sv[1];
    return 0;
}

static int run_runtime_hooks(struct container *c, merr_t *err)
{
    /* the namespaces exist and the init is waiting: "created", as crun */
    c->st.pid = c->host_pid;
    cleanup_free char *state = container_state_json(c, CS_CREATED);
    static const enum hook_kind kinds[] = {HOOK_PRESTART, HOOK_CREATE_RUNTIME};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < c->spec->nhooks[kinds[k]]; i++) {
            cleanup_free char *what = xasprintf("hooks.%s[%zu]", hook_kind_name(kinds[k]), i);
            if (hook_run(&c->spec->hooks[kinds[k]][i], what, state, err) < 0)
                return -1;
        }
    return 0;
}

/* The init is gone: turn its wait status into a sentence. */
static int init_died(struct container *c, merr_t *err)
{
    int st = 0;
    if (c->host_pid > 0 && waitpid(c->host_pid, &st, 0) == c->host_pid) {
        c->host_pid = -1;
        if (WIFSIGNALED(st))
            return err_set(err, 0, "container init was killed by signal %d", WTERMSIG(st));
        return err_set(err, 0, "container init exited with status %d", WEXITSTATUS(st));
    }
    return err_set(err, 0, "container init exited unexpectedly");
}

/* The container process state sent to linux.seccomp.listenerPath. */
int seccomp_forward(struct container *c, int fd, merr_t *err)
{
    const struct spec_seccomp *sc = c->spec->linux_.seccomp;
    c->st.pid = c->host_pid;
    cleanup_free char *state = container_state_json(c, CS_CREATING);
    struct sbuf b = {0};
    sbuf_printf(&b, "{\"ociVersion\":\"1.1.0\",\"fds\":[\"seccompFd\"],\"pid\":%d,",
                (int)c->host_pid);
    sbuf_puts(&b, "\"metadata\":");
    sbuf_json_str(&b, sc && sc->listener_metadata ? sc->listener_metadata : "");
    sbuf_printf(&b, ",\"state\":%s}", state);
    int r = seccomp_send_listener(sc ? sc->listener_path : "", fd, b.buf, err);
    free(b.buf);
    return r;
}

#define UNTIL_EOF 0

/* Talk to the init until it sends `until`, or closes its end (UNTIL_EOF:
 * it is set up; asked for only after the handover, see step_handover in
 * init.c: before it, EOF means that the init died), or fails. */
static int converse(struct container *c, enum sync_type until, merr_t *err)
{
    for (;;) {
        enum sync_type t;
        int64_t v;
        char *text = NULL;
        int fd = -1;
        int r = sync_recv_any(c->sync_parent, &t, &v, &text, &fd);
        if (r < 0)
            return err_sys(err, "sync with the container init");
        if (r == 0) {
            /* EOF: the init closed its end at wait-start, or died. A
             * death after the handover shows later: run's wait_exec sees
             * it, and a created container whose init died is stopped. */
            if (until == UNTIL_EOF)
                return 0;
            return init_died(c, err);
        }
        if (t == SYNC_ERROR) {
            err_set(err, 0, "%s", text);
            err->errnum = (int)v;
            free(text);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        free(text);
        if (t == SYNC_PID)
            c->host_pid = (pid_t)v;
        if (t == until)
            return 0;
        if (t == SYNC_SECCOMP) {
            int fr = fd >= 0 ? seccomp_forward(c, fd, err)
                             : err_set(err, EPROTO, "no seccomp listener fd received");
            if (fd >= 0)
                close(fd);
            if (fr < 0)
                return -1;
        } else if (t == SYNC_MAPS) {
            const struct spec_linux *l = &c->spec->linux_;
            if (idmap_write((pid_t)v, l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
                            l->n_gid_mappings, err) < 0)
                return -1;
            sync_send(c->sync_parent, SYNC_MAPS_DONE, 0, NULL);
        } else if (t == SYNC_TREES) {
            int fds[64];
            int n = rootfs_make_trees(c, (size_t)v, fds, ARRAY_SIZE(fds), err);
            if (n < 0)
                return -1;
            int sr = sync_send_fds(c->sync_parent, SYNC_TREES, v, fds, (size_t)n);
            while (n > 0)
                close(fds[--n]);
            if (sr < 0)
                return err_sys(err, "pass bind mounts to the container init");
        } else if (t == SYNC_NET) {
            if (c->o.netns_ready(c->o.netns_arg, c->host_pid, err) < 0)
                return -1;
            sync_send(c->sync_parent, SYNC_NET_DONE, 0, NULL);
        } else if (t == SYNC_HOOKS) {
            if (run_runtime_hooks(c, err) < 0)
                return -1;
            sync_send(c->sync_parent, SYNC_HOOKS_DONE, 0, NULL);
        } else {
            if (fd >= 0)
                close(fd);
            return err_set(err, EPROTO, "unexpected message %d from the container init", (int)t);
        }
    }
}

/* "run.moat.rootfs.idmap": "true": present the rootfs (owned by host
 * ids) through an idmapped mount with the container's user namespace, so
 * that host root's files are the container root's. Where the filesystem
 * cannot be idmapped the container runs without it (files then show as
 * the overflow id) and a warning says so. */
static int idmap_rootfs(struct container *c, merr_t *err)
{
    const char *a = spec_annotation(c->spec, "run.moat.rootfs.idmap");
    if (!a || strcmp(a, "true") != 0 || c->rootfs_tree < 0 || !c->plan.userns_new)
        return 0;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)c->host_pid);
    int ufd = open(path, O_RDONLY | O_CLOEXEC);
    if (ufd < 0)
        return err_sys(err, "open %s", path);
    merr_t e2 = MERR_INIT;
    int r = mnt_setattr(c->rootfs_tree, 0, 0, true, 0, ufd, &e2);
    close(ufd);
    if (r < 0) {
        log_warn("root.path: \"%s\" cannot be idmapped (%s); its files keep their host "
                 "owners and show as nobody in the container",
                 c->rootfs, e2.msg);
        err_clear(&e2);
    }
    (void)err;
    return 0;
}

static int launch(struct container *c, merr_t *err)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return err_sys(err, "socketpair");
    c->sync_parent = sv[0];
    c->sync_child = sv[1];
    if (c->o.mode != RUN_CREATE) {
        int pp[2];
        if (pipe2(pp, O_CLOEXEC) < 0)
            return err_sys(err, "pipe");
        c->start_r = pp[0];
        c->start_w = pp[1];
    }
    if (c->have_cg && cg_join_open(&c->cg, &c->cgj, err) < 0)
        return -1;
    struct clone_args ca = {.exit_signal = SIGCHLD};
    if (!c->plan.need_stage1)
        ca.flags = (uint64_t)c->plan.clone_flags;
    if (c->cgj.v2dir >= 0) {
        ca.flags |= CLONE_INTO_CGROUP;
        ca.cgroup = (uint64_t)c->cgj.v2dir;
    }
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0 && (ca.flags & CLONE_INTO_CGROUP)) {
        /* refused (an old kernel, a cgroup that cannot take processes):
         * the init is joined by pid below, or that fails clearly */
        log_debug("clone3 CLONE_INTO_CGROUP: %s", strerror(errno));
        ca.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
        ca.cgroup = 0;
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    }
    if (pid < 0)
        return err_sys(err, "clone the container init (namespaces %#x)", c->plan.clone_flags);
    if (pid == 0) {
        if (c->plan.need_stage1)
            stage1_main(c);
        init_main(c);
    }
    log_debug("phase: init cloned");
    close_fd(&c->sync_child);
    close_fd(&c->start_w);
    bool by_pid = c->cgj.v2dir >= 0 && !(ca.flags & CLONE_INTO_CGROUP);
    cg_join_close(&c->cgj);
    if (c->plan.need_stage1) {
        pid_t stage1 = pid;
        int r = converse(c, SYNC_PID, err);
        int st;
        while (waitpid(stage1, &st, 0) < 0 && errno == EINTR)
            ;
        if (r < 0)
            return -1;
    } else {
        c->host_pid = pid;
        const struct spec_linux *l = &c->spec->linux_;
        if (c->plan.userns_new && idmap_write(pid, l->uid_mappings, l->n_uid_mappings,
                                              l->gid_mappings, l->n_gid_mappings, err) < 0)
            return -1;
    }
    const struct spec_process *p = &c->spec->process;
    if (p->oom_score_adj.has && proc_set_oom_score_adj(c->host_pid, p->oom_score_adj.v, err) < 0)
        return -1;
    if (p->cpu_affinity_initial && proc_set_affinity(c->host_pid, p->cpu_affinity_initial, err) < 0)
        return -1;
    /* not cloned into its cgroup: joined by pid, as before (a v1 hierarchy
     * it is joining itself is written again harmlessly) */
    if (by_pid && cg_enter(&c->cg, c->host_pid, err) < 0)
        return -1;
    if (idmap_rootfs(c, err) < 0)
        return -1;
    if (sync_send(c->sync_parent, SYNC_GO, c->host_pid, NULL) < 0)
        return err_sys(err, "start the container init");
    log_debug("phase: init started (pid %d)", (int)c->host_pid);
    int r = converse(c, SYNC_READY, err);
    log_debug("phase: init set up, waiting for the state to be recorded");
    return r;
}

/* The cgroups a killed create leaves are killed and removed: only those
 * it will make count, never one that exists (another container's, which
 * this one only joins). */
static int record_intent(struct container *c, merr_t *err)
{
    struct cg fresh = c->cg;
    fresh.dirs = xzalloc((c->cg.n + 1) * sizeof(char *));
    for (size_t i = 0; i < c->cg.n; i++)
        if (c->cg.dirs[i] && access(c->cg.dirs[i], F_OK) < 0)
            fresh.dirs[i] = c->cg.dirs[i];
    int r = intent_write(c->statefd, &fresh, c->o.id, err);
    free(fresh.dirs);
    return r;
}

/* The container's cgroups: recorded in the intent first, so that a create
 * killed from here on leaves nothing that `delete` cannot find. */
static int make_cgroups(struct container *c, merr_t *err)
{
    const struct spec_linux *l = &c->spec->linux_;
    if (c->cghost.mode == CG_NONE)
        return 0;
    bool optional = geteuid() != 0 && !l->has_resources;
    /* Only the hierarchies the resources configure (plus the unified one,
     * and freezer on pure v1, for tracking and pause). A caller that names
     * linux.cgroupsPath (every engine does) reads its statistics from
     * every hierarchy, so it gets the container in all of them, as runc
     * does. */
    const char *needed[16];
    cg_needed(&l->resources, l->has_resources, needed, ARRAY_SIZE(needed));
    bool all = l->cgroups_path && *l->cgroups_path;
    cg_resolve(&c->cghost, l->cgroups_path, c->o.id, all ? NULL : needed, &c->cg);
    if (record_intent(c, err) < 0) {
        cg_free(&c->cg);
        return -1;
    }
    if (cg_make(&c->cg, optional, err) < 0)
        return err_wrap(err, "linux.cgroupsPath");
    c->have_cg = true;
    /* an init in a cgroup of its own is found through the intent */
    for (size_t i = 0; i < c->cg.n; i++)
        c->tracked = c->tracked || (c->cg.dirs[i] && c->cg.created[i]);
    if (l->has_resources && cg_apply_container(&c->cg, &l->resources, err) < 0)
        return -1;
    return 0;
}

static int prepare(struct container *c, merr_t *err)
{
    struct plan_opts po = {c->o.no_pivot, c->o.no_new_keyring, geteuid() != 0,
                           c->o.netns_ready != NULL};
    /* before anything is made: this may re-execute the process */
    if (seal_for_create(c->spec, err) < 0 || validate(c, err) < 0 ||
        plan_build(c->spec, &po, &c->plan, err) < 0)
        return -1;
    if (log_debug_enabled())
        for (size_t i = 0; i < c->plan.n; i++) {
            cleanup_free char *d = step_describe(c->spec, &c->plan, &c->plan.steps[i]);
            log_debug("plan %2zu: %s", i, d);
        }
    if (open_namespaces(c, err) < 0)
        return -1;
    log_debug("phase: config checked, plan built");
    c->statefd = state_dir_create(c->rootfd, c->o.id, err);
    if (c->statefd < 0 || userns_auto(c, err) < 0)
        return -1;
    if (c->o.mode == RUN_CREATE) {
        /* the init opens it after switching to the process' user: owned
         * by that user's host id, mode 0600, so only it and `start` (root,
         * or the same user when rootless) may open it */
        const struct spec_linux *ul = &c->spec->linux_;
        const struct spec_user *pu = &c->spec->process.user;
        int64_t fuid = pu->uid, fgid = pu->gid;
        mode_t fmode = 0600;
        if (ul->ns[NS_USER].want && !ul->ns[NS_USER].path) {
            fuid = idmap_to_host(ul->uid_mappings, ul->n_uid_mappings, pu->uid);
            fgid = idmap_to_host(ul->gid_mappings, ul->n_gid_mappings, pu->gid);
        } else if (ul->ns[NS_USER].want) {
            fuid = fgid = -1; /* a joined user namespace: mapping unknown */
        }
        if (fuid < 0 || fgid < 0) {
            fuid = geteuid();
            fgid = getegid();
            fmode = 0622; /* as runc */
        }
        if (mkfifoat(c->statefd, STATE_FIFO, fmode) < 0 ||
            fchownat(c->statefd, STATE_FIFO, (uid_t)fuid, (gid_t)fgid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(c->statefd, STATE_FIFO, fmode, 0) < 0)
            return err_sys(err, "create the exec fifo");
        c->fifo_fd = openat(c->statefd, STATE_FIFO, O_PATH | O_CLOEXEC);
        if (c->fifo_fd < 0)
            return err_sys(err, "open the exec fifo");
    }
    log_debug("phase: state directory written");
    c->procfd = proc_open_root(err);
    if (c->procfd < 0)
        return -1;
    if (cg_detect(&c->cghost, err) < 0)
        return -1;
    if (make_cgroups(c, err) < 0)
        return -1;
    log_debug("phase: cgroups created");
    const struct spec_linux *l = &c->spec->linux_;
    if (l->seccomp) {
        if (seccomp_compile_spec(c->spec, c->rootfd, &c->seccomp, err) < 0)
            return -1;
        c->has_seccomp = true;
    }
    const char *aa = c->spec->process.apparmor_profile;
    if (aa && *aa && apparmor_ensure_loaded(aa, err) < 0)
        return -1;
    if (setup_console(c, err) < 0 || rootfs_prepare(c, err) < 0)
        return -1;
    log_debug("phase: host mounts cloned");
    /* state fields known before the init exists (st.id: rt_new) */
    c->st.bundle = xstrdup(c->bundle);
    c->st.rootfs = xstrdup(c->rootfs);
    c->st.created = now_rfc3339();
    c->st.owner = geteuid();
    c->st.userns = l->ns[NS_USER].want;
    c->st.detached = c->o.mode != RUN_FOREGROUND;
    c->st.annotations = container_annotations_json(c->spec);
    c->st.poststart = c->spec->nhooks[HOOK_POSTSTART] > 0;
    c->st.poststop = c->spec->nhooks[HOOK_POSTSTOP] > 0;
    c->st.cgroup_dirs = c->have_cg ? cg_dir_list(&c->cg) : xzalloc(sizeof(char *));
    return 0;
}

/* Undo everything a failed create did. */
static void abort_create(struct container *c)
{
    if (c->host_pid > 0) {
        kill(c->host_pid, SIGKILL);
        while (waitpid(c->host_pid, NULL, 0) < 0 && errno == EINTR)
            ;
        c->host_pid = -1;
    }
    bool cg_left = false;
    if (c->have_cg) {
        merr_t e = MERR_INIT;
        if (cg_destroy(&c->cg, &e) < 0) {
            /* the state directory (its intent) is what finds them later */
            log_warn("%s: %s; `delete --force %s` removes it", c->o.id, e.msg, c->o.id);
            err_clear(&e);
            cg_left = true;
        }
        c->have_cg = false;
    }
    if (c->statefd >= 0) {
        close_fd(&c->statefd);
        if (!cg_left)
            state_remove(c->rootfd, c->o.id);
    }
}

/* Record the state and say so to the init (which waits for that only if
 * it is in no cgroup: see step_handover). Then wait for the rest of its
 * setup (its last steps). */
static int finish(struct container *c, merr_t *err)
{
    uint64_t start = 0;
    if (proc_stat(c->host_pid, &start, NULL) < 0)
        return err_set(err, ESRCH, "container init exited during create");
    c->st.pid = c->host_pid;
    c->st.start_time = start;
    if (state_save(c->statefd, &c->st, err) < 0)
        return -1;
    if (c->o.pid_file && write_pid_file(c->o.pid_file, c->host_pid, err) < 0)
        return -1;
    /* an init in a cgroup has not waited: it may have exec'd (or even
     * exited) by now */
    if (!c->tracked && sync_send(c->sync_parent, SYNC_COMMIT, 0, NULL) < 0)
        return errno == EPIPE ? init_died(c, err) : err_sys(err, "hand over to the container init");
    log_debug("phase: state recorded, init handed over");
    return converse(c, UNTIL_EOF, err);
}

int container_create(struct container *c, merr_t *err)
{
    if (prepare(c, err) < 0 || launch(c, err) < 0 || finish(c, err) < 0) {
        abort_create(c);
        return -1;
    }
    if (c->o.mode == RUN_CREATE)
        return 0;
    /* run: the init goes on at once; wait until it has exec'd */
    int pidfd = (int)syscall(SYS_pidfd_open, c->host_pid, 0);
    int r = wait_exec(c->start_r, pidfd, err);
    if (pidfd >= 0)
        close(pidfd);
    log_debug("phase: process exec'd");
    close_fd(&c->start_r);
    close_fd(&c->sync_parent);
    if (r < 0) {
        abort_create(c);
        return -1;
    }
    return 0;
}

void container_init_fds(struct container *c)
{
    c->sync_parent = c->sync_child = c->procfd = c->rootfs_tree = c->devnull_tree = -1;
    c->fifo_fd = c->console_fd = c->console_peer = c->rootfd = c->statefd = -1;
    c->croot = c->devnull_attached = c->emptydir_attached = c->fifo_wfd = c->cwd_fd = c->start_r =
        c->start_w = -1;
    c->landlock_fd = c->resize_fd = -1;
    for (int k = 0; k < 3; k++)
        c->stdio[k] = c->relay[k] = -1;
    c->cgj.v2dir = -1;
    c->host_pid = -1;
    for (int k = 0; k < NS_N; k++)
        c->ns_fds[k] = -1;
}

static void close_array(int **a, size_t n)
{
    for (size_t i = 0; *a && i < n; i++)
        if ((*a)[i] >= 0)
            close((*a)[i]);
    free(*a);
    *a = NULL;
}

void container_drop_trees(struct container *c)
{
    close_array(&c->mount_trees, c->spec ? c->spec->nmounts : 0);
    close_array(&c->mount_srcs, c->spec ? c->spec->nmounts : 0);
    close_array(&c->dev_trees, DEFAULT_DEVICES + (c->spec ? c->spec->linux_.ndevices : 0));
    close_array(&c->cg_trees, c->cg.n);
}

void container_release(struct container *c)
{
    close_fd(&c->sync_parent);
    close_fd(&c->sync_child);
    close_fd(&c->procfd);
    close_fd(&c->rootfs_tree);
    close_fd(&c->devnull_tree);
    close_fd(&c->fifo_fd);
    close_fd(&c->console_fd);
    close_fd(&c->console_peer);
    close_fd(&c->statefd);
    close_fd(&c->start_r);
    close_fd(&c->start_w);
    for (int k = 0; k < 3; k++) {
        close_fd(&c->stdio[k]);
        close_fd(&c->relay[k]);
    }
    cg_join_close(&c->cgj);
    for (int k = 0; k < NS_N; k++)
        close_fd(&c->ns_fds[k]);
    container_drop_trees(c);
    seccomp_prog_free(&c->seccomp);
    cg_free(&c->cg);
    cg_host_free(&c->cghost);
    plan_free(&c->plan);
    state_free(&c->st);
    spec_free(c->spec);
    c->spec = NULL;
    free(c->bundle);
    free(c->rootfs);
    c->bundle = c->rootfs = NULL;
}

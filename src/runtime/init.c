/* init.c: the container's init process. It is a copy of the runtime made
 * by clone; it executes the plan step by step and ends in execve. Errors
 * go to the runtime over the sync socket (or, after `start`, through the
 * exec fifo to the `start` command) and the process exits. */
#include "container.h"
#include "../kernel/caps.h"
#include "../kernel/hooks.h"
#include "../kernel/idmap.h"
#include "../kernel/landlock.h"
#include "../kernel/loopback.h"
#include "../kernel/lsm.h"
#include "../kernel/mount.h"
#include "../kernel/process.h"
#include "../kernel/proc.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void child_fail(struct container *c, merr_t *err)
{
    const char *msg = err && err->msg ? err->msg : "container init failed";
    if (c->fifo_wfd >= 0) {
        /* `start` is reading: after the first byte, anything is an error,
         * "ERRNO:" first (127 or 126 to a Docker user: see wait_exec) */
        char num[16];
        int n = snprintf(num, sizeof(num), "%d:", err ? err->errnum : 0);
        (void)write_all(c->fifo_wfd, num, (size_t)n);
        (void)write_all(c->fifo_wfd, msg, strlen(msg));
    } else if (c->sync_child >= 0) {
        sync_send(c->sync_child, SYNC_ERROR, err ? err->errnum : 0, msg);
    }
    _exit(1);
}

static char *state_json(struct container *c, enum cstatus status)
{
    c->st.pid = c->host_pid;
    return container_state_json(c, status);
}

static int run_hooks(struct container *c, enum hook_kind k, enum cstatus status, merr_t *err)
{
    cleanup_free char *state = state_json(c, status);
    for (size_t i = 0; i < c->spec->nhooks[k]; i++) {
        cleanup_free char *what = xasprintf("hooks.%s[%zu]", hook_kind_name(k), i);
        if (hook_run(&c->spec->hooks[k][i], what, state, err) < 0)
            return -1;
    }
    return 0;
}

static bool uid_mapped(const struct container *c, uint32_t id, bool gid)
{
    const struct spec_linux *l = &c->spec->linux_;
    if (gid)
        return idmap_to_host(l->gid_mappings, l->n_gid_mappings, id) >= 0;
    return idmap_to_host(l->uid_mappings, l->n_uid_mappings, id) >= 0;
}

static int step_setuid_root(struct container *c, merr_t *err)
{
    if (!c->plan.userns_new) { /* joined: its mapping is the kernel's to say */
        if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
            return err_sys(err, "setgid 0 in the joined user namespace");
        if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
            return err_sys(err, "setuid 0 in the joined user namespace");
        return 0;
    }
    if (uid_mapped(c, 0, true) && setresgid(0, 0, 0) < 0)
        return err_sys(err, "setgid 0 in the user namespace");
    if (uid_mapped(c, 0, false) && setresuid(0, 0, 0) < 0)
        return err_sys(err, "setuid 0 in the user namespace");
    return 0;
}

/* the runtime's caller sets the network namespace up meanwhile */
static int step_network(struct container *c, merr_t *err)
{
    enum sync_type t;
    if (sync_send(c->sync_child, SYNC_NET, 0, NULL) < 0)
        return err_sys(err, "sync with the runtime");
    int r = sync_recv(c->sync_child, &t, NULL, NULL);
    if (r <= 0 || t != SYNC_NET_DONE)
        _exit(1); /* the runtime reports the error */
    return 0;
}

static int step_hooks_runtime(struct container *c, merr_t *err)
{
    enum sync_type t;
    if (sync_send(c->sync_child, SYNC_HOOKS, 0, NULL) < 0)
        return err_sys(err, "sync with the runtime");
    int r = sync_recv(c->sync_child, &t, NULL, NULL);
    if (r <= 0 || t != SYNC_HOOKS_DONE)
        _exit(1); /* the runtime reports the hook error */
    return 0;
}

/* Resolve the cwd in the container root with magic links refused, so that
 * a leaked fd such as /proc/self/fd/N can never become the cwd
 * (CVE-2024-21626). Done before seccomp and the user switch; the fchdir
 * itself comes later with the user's permissions. */
static int step_open_cwd(struct container *c, merr_t *err)
{
    const char *cwd = c->spec->process.cwd;
    c->cwd_fd = mnt_openat_in_root(c->croot, cwd, O_PATH | O_DIRECTORY);
    if (c->cwd_fd >= 0)
        return 0;
    if (errno != ENOENT || !c->plan.mountns)
        return err_sys(err, "process.cwd: \"%s\"", cwd);
    int fd = mnt_open_in_root(c->croot, cwd, MNT_CREATE_DIR, err);
    if (fd < 0)
        return err_wrap(err, "process.cwd");
    close(fd);
    c->cwd_fd = mnt_openat_in_root(c->croot, cwd, O_PATH | O_DIRECTORY);
    return c->cwd_fd < 0 ? err_sys(err, "process.cwd: \"%s\"", cwd) : 0;
}

static int step_close_fds(struct container *c, merr_t *err)
{
    unsigned first = 3 + (unsigned)c->o.preserve_fds;
    if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        /* old kernel: walk the fds */
        for (int fd = (int)first; fd < 65536; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (unsigned fd = 0; fd < first; fd++) {
        int fl = fcntl((int)fd, F_GETFD);
        if (fl >= 0 && (fl & FD_CLOEXEC) && fcntl((int)fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
            return err_sys(err, "keep fd %u open", fd);
    }
    return 0;
}

/* The handover. Until here the init dies with the runtime: its
 * parent-death signal is SIGKILL, and a runtime gone while the init waits
 * for it is an EOF. From here on it must outlive the runtime (`create`
 * exits), so the signal goes off first, then the runtime is told (it
 * records the state). A runtime killed before it has recorded the state
 * must not leave a process that no command can find: an init in the
 * container's cgroups is found through the intent (intent.c), which names
 * them, and goes on at once; one in no cgroup (a host without them, a
 * rootless runtime that may not make any) waits for the runtime's word
 * that the state is recorded, and exits if the runtime is gone. */
static int step_handover(struct container *c, merr_t *err)
{
    enum sync_type t;
    (void)err;
    prctl(PR_SET_PDEATHSIG, 0);
    if (sync_send(c->sync_child, SYNC_READY, 0, NULL) < 0)
        _exit(1); /* the runtime is gone */
    if (!c->tracked && (sync_recv(c->sync_child, &t, NULL, NULL) <= 0 || t != SYNC_COMMIT))
        _exit(1); /* the runtime is gone, or gave up on us */
    return 0;
}

/* A change of the effective ids clears the parent-death signal: set it
 * again, then make sure the runtime did not go in between (its end of
 * the sync socket closed). */
static void rearm_pdeathsig(struct container *c)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    struct pollfd p = {c->sync_child, 0, 0};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
        _exit(1);
}

/* Everything is set up. Closing the sync socket tells the runtime so
 * (create returns); then wait for start: in create by opening exec.fifo for
 * writing, which blocks until `start` opens it for reading; in run at once
 * through a pipe. One byte says "started"; what follows is an error, and
 * EOF (the fd is close-on-exec) says the user's program was exec'd. */
static int step_wait_start(struct container *c, merr_t *err)
{
    char path[32];
    snprintf(path, sizeof(path), "self/fd/%d", c->fifo_fd);
    if (c->o.mode == RUN_CREATE) {
        /* no reader yet, so this fails with ENXIO, after the permission
         * check: a fifo we may not open is reported by create, not start */
        int probe = openat(c->procfd, path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (probe >= 0)
            close(probe);
        else if (errno != ENXIO)
            return err_sys(err, "open exec fifo");
    }
    close_fd(&c->sync_child);
    int fd = c->start_w;
    c->start_w = -1;
    if (c->o.mode == RUN_CREATE) {
        do
            fd = openat(c->procfd, path, O_WRONLY | O_CLOEXEC);
        while (fd < 0 && errno == EINTR);
        if (fd < 0)
            _exit(1); /* nobody to tell: start sees the init gone */
        close_fd(&c->fifo_fd);
    }
    c->fifo_wfd = fd;
    if (write_all(fd, "0", 1) < 0)
        _exit(1);
    return 0;
}

static int step_user(struct container *c, merr_t *err)
{
    const struct spec_process *p = &c->spec->process;
    const struct spec_caps *sc = &p->caps;
    if (caps_apply_bounding(p->has_caps && sc->has[CAPSET_BOUNDING] ? sc->set[CAPSET_BOUNDING] : 0,
                            err) < 0)
        return err_wrap(err, "process.capabilities.bounding");
    if (prctl(PR_SET_KEEPCAPS, 1) < 0)
        return err_sys(err, "keep capabilities");
    if (setgroups(p->user.ngids, p->user.gids) < 0) {
        /* setgroups is denied in a user namespace made by an unprivileged user */
        if (!(errno == EPERM && p->user.ngids == 0))
            return err_sys(err, "process.user.additionalGids: setgroups");
    }
    if (setresgid(p->user.gid, p->user.gid, p->user.gid) < 0)
        return err_sys(err, "process.user.gid: setgid %u", p->user.gid);
    if (setresuid(p->user.uid, p->user.uid, p->user.uid) < 0)
        return err_sys(err, "process.user.uid: setuid %u", p->user.uid);
    if (prctl(PR_SET_KEEPCAPS, 0) < 0)
        return err_sys(err, "clear keepcaps");
    return 0;
}

static int step_caps(struct container *c, merr_t *err)
{
    const struct spec_process *p = &c->spec->process;
    const struct spec_caps *sc = &p->caps;
    struct cap_state cs = {0};
    if (p->has_caps) {
        cs.effective = sc->set[CAPSET_EFFECTIVE];
        cs.permitted = sc->set[CAPSET_PERMITTED];
        cs.inheritable = sc->set[CAPSET_INHERITABLE];
        cs.ambient = sc->set[CAPSET_AMBIENT];
    }
    if (caps_apply_sets(&cs, err) < 0)
        return err_wrap(err, "process.capabilities");
    return 0;
}

static int step_cwd(struct container *c, merr_t *err)
{
    const char *cwd = c->spec->process.cwd;
    if (fchdir(c->cwd_fd) < 0)
        return err_sys(err, "process.cwd: chdir \"%s\"", cwd);
    close_fd(&c->cwd_fd);
    /* second line of defence: a cwd outside the root reads "(unreachable)"
     * (skipped if a seccomp profile denies getcwd) */
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) && buf[0] != '/')
        return err_set(err, EPERM, "process.cwd: \"%s\" is outside the container root", cwd);
    return 0;
}

static int step_seccomp(struct container *c, merr_t *err)
{
    int fd = seccomp_install(&c->seccomp, err);
    if (fd < 0)
        return -1;
    if (c->seccomp.notify) {
        /* listenerPath is a host path: the runtime connects to it */
        int r = sync_send_fds(c->sync_child, SYNC_SECCOMP, 0, &fd, 1);
        close(fd);
        if (r < 0)
            return err_sys(err, "linux.seccomp.listenerPath: pass the listener fd");
    }
    return 0;
}

/* HOME from /etc/passwd of the container, as runc does, if env lacks it */
static char *home_for(uint32_t uid)
{
    char *text = NULL;
    /* the image's file: a FIFO must not hold the init up, nor a huge file
     * fill its memory */
    int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    int r = fd < 0 ? -1 : read_regular_fd(fd, 4 << 20, &text, NULL);
    if (fd >= 0)
        close(fd);
    if (r < 0)
        return xstrdup("/");
    char *save = NULL, *home = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && !home;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[7] = {0};
        int n = 0;
        for (char *p = line; n < 7; n++) {
            f[n] = p;
            p = strchr(p, ':');
            if (!p)
                break;
            *p++ = 0;
        }
        if (n >= 5 && f[2] && f[5] && (uint32_t)strtoul(f[2], NULL, 10) == uid && *f[5])
            home = xstrdup(f[5]);
    }
    free(text);
    return home ? home : xstrdup("/");
}

/* Signals the runtime's caller ignored (nohup's HUP, a shell's QUIT)
 * stay ignored across execve: the container's process starts with none,
 * as under Docker (a shell cannot even trap one that was ignored on
 * entry). They are found when the init starts, before any filter makes
 * each look-up dearer, and set back to their default only before the
 * exec (usually none). */
static sigset_t ignored;

static void find_ignored(void)
{
    sigemptyset(&ignored);
    for (int s = 1; s < NSIG; s++) {
        struct sigaction old;
        if (s != SIGKILL && s != SIGSTOP && sigaction(s, NULL, &old) == 0 &&
            old.sa_handler == SIG_IGN)
            sigaddset(&ignored, s);
    }
}

static void unignore_signals(void)
{
    for (int s = 1; s < NSIG; s++)
        if (sigismember(&ignored, s) == 1)
            signal(s, SIG_DFL);
}

static void step_exec(struct container *c, merr_t *err)
{
    const struct spec_process *p = &c->spec->process;
    unignore_signals();
    if (!p->args || !p->args[0]) {
        err_set(err, EINVAL, "process.args: is empty");
        return;
    }
    size_t ne = strv_len(p->env);
    char **env = xzalloc((ne + 2) * sizeof(char *));
    const char *path = NULL;
    bool home = false;
    for (size_t i = 0; i < ne; i++) {
        env[i] = p->env[i];
        if (strncmp(p->env[i], "PATH=", 5) == 0)
            path = p->env[i] + 5;
        if (strncmp(p->env[i], "HOME=", 5) == 0)
            home = true;
    }
    if (!home)
        env[ne] = xasprintf("HOME=%s", home_for(p->user.uid));
    const char *file = p->args[0];
    if (strchr(file, '/')) {
        execve(file, p->args, env);
        err_sys(err, "exec \"%s\"", file);
        return;
    }
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saved = ENOENT;
    cleanup_free char *dirs = xstrdup(path);
    char *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        cleanup_free char *full = xasprintf("%s/%s", *d ? d : ".", file);
        execve(full, p->args, env);
        if (errno == EACCES)
            saved = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
            err_sys(err, "exec \"%s\"", full);
            return;
        }
    }
    if (saved == ENOENT)
        err_set(err, ENOENT, "exec \"%s\": executable file not found in $PATH", file);
    else
        err_set(err, saved, "exec \"%s\"", file);
}

/* The Landlock scopes of a process: all the config's for the init's tree.
 * An exec'd process is in a Landlock domain of its own, which the scopes
 * would cut off from the container's processes (it could not signal them
 * or reach their abstract sockets); it keeps only the abstract-socket
 * scope, and only where the container shares a network namespace (the
 * host's, with --network host), since abstract sockets belong to the
 * network namespace: there, it would otherwise reach the host's. */
static uint64_t exec_scopes(const struct container *c)
{
    if (!c->is_exec)
        return ~0ULL;
    const struct spec_ns *net = &c->spec->linux_.ns[NS_NET];
    return net->want && !net->path ? 0 : LANDLOCK_SCOPE_ABSTRACT_UNIX;
}

static int run_step(struct container *c, const struct step *st, merr_t *err)
{
    const struct spec *s = c->spec;
    const struct spec_process *p = &s->process;
    const struct spec_linux *l = &s->linux_;
    switch (st->kind) {
    case STEP_SETUID_ROOT:
        if (step_setuid_root(c, err) < 0)
            return -1;
        rearm_pdeathsig(c);
        return 0;
    case STEP_UNSHARE_CGROUPNS:
        return unshare(CLONE_NEWCGROUP) < 0 ? err_sys(err, "unshare the cgroup namespace") : 0;
    case STEP_LOOPBACK:
        return loopback_up(err);
    case STEP_NETWORK:
        return step_network(c, err);
    case STEP_ROOT_PRIVATE:
        return mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0
                   ? err_sys(err, "make / a slave mount")
                   : 0;
    case STEP_ROOTFS:
        return rootfs_attach(c, err);
    case STEP_MOUNT:
        return rootfs_mount(c, st->idx, err);
    case STEP_DEV_DEFAULTS:
        return rootfs_dev_defaults(c, err);
    case STEP_DEVICE:
        return rootfs_device(c, st->idx, err);
    case STEP_DEV_LINKS:
        return rootfs_dev_links(c, err);
    case STEP_CONSOLE:
        return rootfs_console(c, err);
    case STEP_HOOKS_RUNTIME:
        return step_hooks_runtime(c, err);
    case STEP_HOOKS_CREATE:
        return run_hooks(c, HOOK_CREATE_CONTAINER, CS_CREATED, err);
    case STEP_PIVOT_ROOT:
        return rootfs_pivot(c, err);
    case STEP_CHROOT:
        return rootfs_chroot(c, err);
    case STEP_OPEN_CWD:
        return step_open_cwd(c, err);
    case STEP_ROOT_PROPAGATION:
        return rootfs_propagation(c, err);
    case STEP_MASK:
        return rootfs_mask(c, l->masked_paths[st->idx], err);
    case STEP_READONLY:
        return rootfs_readonly(c, l->readonly_paths[st->idx], err);
    case STEP_ROOT_READONLY:
        return rootfs_root_readonly(c, err);
    case STEP_LANDLOCK_PREPARE:
        c->landlock_fd = landlock_prepare(p->landlock, c->croot, exec_scopes(c), err);
        return c->landlock_fd == -1 ? -1 : 0;
    case STEP_LANDLOCK:
        if (c->landlock_fd < 0)
            return 0;
        return landlock_enforce(c->landlock_fd, err) < 0 ? -1 : (close_fd(&c->landlock_fd), 0);
    case STEP_HOSTNAME:
        return proc_set_hostname(s->hostname && *s->hostname ? s->hostname : NULL,
                                 s->domainname && *s->domainname ? s->domainname : NULL, err);
    case STEP_SYSCTL:
        return proc_sysctl(c->procfd, l->sysctl[st->idx].key, l->sysctl[st->idx].value, err);
    case STEP_RLIMITS:
        return proc_set_rlimits(p->rlimits, p->nrlimits, err);
    case STEP_PERSONALITY:
        return proc_set_personality(l->personality.v.domain, err);
    case STEP_SCHED:
        return proc_set_sched(&p->sched, err);
    case STEP_IOPRIO:
        return proc_set_ioprio(p->io_priority.v.klass, p->io_priority.v.prio, err);
    case STEP_KEYRING:
        return proc_join_keyring(c->o.id, err);
    case STEP_UMASK:
        umask(p->user.umask.has ? p->user.umask.v : 022);
        return 0;
    case STEP_CLOSE_FDS:
        return step_close_fds(c, err);
    case STEP_HANDOVER:
        return step_handover(c, err);
    case STEP_WAIT_START:
        return step_wait_start(c, err);
    case STEP_HOOKS_START:
        return run_hooks(c, HOOK_START_CONTAINER, CS_CREATED, err);
    case STEP_LSM_LABEL:
        if (p->apparmor_profile && *p->apparmor_profile &&
            lsm_apparmor_exec(c->procfd, p->apparmor_profile, err) < 0)
            return -1;
        if (p->selinux_label && *p->selinux_label &&
            lsm_selinux_exec(c->procfd, p->selinux_label, err) < 0)
            return -1;
        return 0;
    case STEP_SECCOMP_EARLY:
    case STEP_SECCOMP:
        return step_seccomp(c, err);
    case STEP_NO_NEW_PRIVS:
        return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? err_sys(err, "set no_new_privs") : 0;
    case STEP_USER:
        return step_user(c, err);
    case STEP_CAPS:
        return step_caps(c, err);
    case STEP_CWD:
        return step_cwd(c, err);
    case STEP_AFFINITY:
        return proc_set_affinity(0, p->cpu_affinity_final, err);
    case STEP_EXEC:
        step_exec(c, err);
        return -1;
    }
    return 0;
}

void init_main(struct container *c)
{
    enum sync_type t;
    int64_t value;
    close_fd(&c->sync_parent);
    close_fd(&c->console_peer);
    /* the state directory is locked through this fd: holding a copy would
     * keep it locked for as long as the container lives */
    close_fd(&c->statefd);
    close_fd(&c->rootfd);
    c->fifo_wfd = -1;
    close_fd(&c->start_r);
    c->devnull_attached = c->emptydir_attached = -1;
    c->croot = -1;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    merr_t err = MERR_INIT;
    if (cg_join_self(&c->cgj, &err) < 0)
        child_fail(c, &err);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (sync_recv(c->sync_child, &t, &value, NULL) <= 0 || t != SYNC_GO)
        _exit(1);
    c->host_pid = (pid_t)value;
    /* nothing of the runtime may be read through /proc/<pid> from inside;
     * only now: an unprivileged runtime had to write our id maps there */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    init_run_steps(c);
}

void init_run_steps(struct container *c)
{
    merr_t err = MERR_INIT;
    find_ignored();
    for (size_t i = 0; i < c->plan.n; i++) {
        const struct step *st = &c->plan.steps[i];
        if (log_debug_enabled()) {
            cleanup_free char *d = step_describe(c->spec, &c->plan, st);
            log_debug("init step %zu: %s", i, d);
        }
        if (run_step(c, st, &err) < 0)
            child_fail(c, &err);
    }
    err_set(&err, 0, "container init: the plan did not end in exec");
    child_fail(c, &err);
}

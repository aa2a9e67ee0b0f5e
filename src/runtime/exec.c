/* exec.c: start another process in a running container. A helper joins
 * the container's namespaces (one setns on the init's pidfd), enters its
 * cgroup and root, and forks the process, which then runs the same steps
 * as the init's last ones (user, capabilities, seccomp, exec). */
#include "runtime.h"
#include "container.h"
#include "handler/vm_config.h"
#include "handler/vm_exec.h"
#include "ops.h"
#include "seal.h"
#include "../kernel/caps.h"
#include "../kernel/ns.h"
#include "../kernel/proc.h"
#include "../kernel/selfexe.h"
#include "../kernel/terminal.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* namespaces of pid that differ from ours */
static int ns_flags_of(pid_t pid)
{
    static const struct {
        const char *name;
        int flag;
    } all[] = {{"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},   {"pid", CLONE_NEWPID},
               {"net", CLONE_NEWNET},       {"ipc", CLONE_NEWIPC},  {"uts", CLONE_NEWUTS},
               {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};
    int flags = 0;
    for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
        char a[64], b[64];
        struct stat sa, sb;
        snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, all[i].name);
        snprintf(b, sizeof(b), "/proc/self/ns/%s", all[i].name);
        if (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino != sb.st_ino)
            flags |= all[i].flag;
    }
    return flags;
}

/* --user "uid[:gid]" */
static int parse_user(const char *s, struct spec_user *u, merr_t *err)
{
    uint64_t v;
    cleanup_free char *copy = xstrdup(s);
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = 0;
    if (parse_u64(copy, &v) < 0 || v > UINT32_MAX)
        return err_set(err, EINVAL, "--user: \"%s\" is not uid[:gid] (numeric)", s);
    u->uid = (uint32_t)v;
    if (colon) {
        if (parse_u64(colon + 1, &v) < 0 || v > UINT32_MAX)
            return err_set(err, EINVAL, "--user: \"%s\" is not uid[:gid] (numeric)", s);
        u->gid = (uint32_t)v;
    }
    return 0;
}

/* The exec'd process: the container's process with the command line's
 * changes, or the whole of --process. */
static int build_process(const struct exec_opts *o, const struct spec *s, struct spec_process *p,
                         json_t **keep, merr_t *err)
{
    if (o->process_file) {
        cleanup_free char *text = NULL;
        size_t len;
        if (spec_read_file(o->process_file, &text, &len, err) < 0)
            return err_wrap(err, "--process");
        if (spec_parse_process_json(text, len, o->process_file, p, keep, err) < 0)
            return -1;
    } else {
        const struct spec_process *base = &s->process;
        *p = *base;
        /* everything that spec_process_free releases must be our own copy */
        size_t n = strv_len(o->args);
        p->args = xzalloc((n + 1) * sizeof(char *));
        if (n)
            memcpy(p->args, o->args, n * sizeof(char *));
        size_t ne = strv_len(base->env), na = strv_len(o->env);
        p->env = xzalloc((ne + na + 1) * sizeof(char *));
        if (ne)
            memcpy(p->env, base->env, ne * sizeof(char *));
        if (na)
            memcpy(p->env + ne, o->env, na * sizeof(char *));
        p->user.gids = NULL;
        p->user.ngids = 0;
        if (base->user.ngids) {
            p->user.gids = xmalloc(base->user.ngids * sizeof(uint32_t));
            memcpy(p->user.gids, base->user.gids, base->user.ngids * sizeof(uint32_t));
            p->user.ngids = base->user.ngids;
        }
        p->rlimits = NULL;
        p->nrlimits = 0;
        if (base->nrlimits) {
            p->rlimits = xmalloc(base->nrlimits * sizeof(struct spec_rlimit));
            memcpy(p->rlimits, base->rlimits, base->nrlimits * sizeof(struct spec_rlimit));
            p->nrlimits = base->nrlimits;
        }
        p->terminal = o->tty;
        p->console_size.has = false;
        if (o->cwd)
            p->cwd = o->cwd;
        if (o->user && parse_user(o->user, &p->user, err) < 0)
            return -1;
        for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++) {
            uint64_t g;
            if (parse_u64(o->additional_gids[i], &g) < 0 || g > UINT32_MAX)
                return err_set(err, EINVAL, "--additional-gids: \"%s\" is not a gid",
                               o->additional_gids[i]);
            p->user.gids = xrealloc(p->user.gids, (p->user.ngids + 1) * sizeof(uint32_t));
            p->user.gids[p->user.ngids++] = (uint32_t)g;
        }
        for (size_t i = 0; o->caps && o->caps[i]; i++) {
            int cap = cap_from_name(o->caps[i], 1);
            if (cap < 0)
                return err_set(err, EINVAL, "--cap: unknown capability \"%s\"", o->caps[i]);
            p->has_caps = true;
            static const enum cap_set sets[] = {CAPSET_BOUNDING, CAPSET_EFFECTIVE,
                                                CAPSET_PERMITTED};
            for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
                p->caps.has[sets[k]] = true;
                p->caps.set[sets[k]] |= 1ULL << cap;
            }
        }
        if (o->no_new_privs)
            p->no_new_privileges = true;
        if (o->apparmor)
            p->apparmor_profile = o->apparmor;
        if (o->process_label)
            p->selinux_label = o->process_label;
    }
    if (o->tty && !p->terminal)
        p->terminal = true;
    if (!p->args || !p->args[0])
        return err_set(err, EINVAL, "exec: no command given");
    if (p->terminal && o->detach && !o->console_socket)
        return err_set(err, EINVAL, "exec --tty --detach needs --console-socket");
    return 0;
}

/* relay_stdio: the process' stdio, and our ends to relay */
static int make_stdio(const struct exec_opts *o, struct container *c, merr_t *err)
{
    if (!o->relay_stdio || c->spec->process.terminal)
        return 0;
    for (int k = 0; k < 3; k++) {
        /* detached: nothing to relay; no -i: an empty stdin */
        if (o->detach || (k == 0 && !o->stdin_open)) {
            c->stdio[k] = open("/dev/null", (k == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
            if (c->stdio[k] < 0)
                return err_sys(err, "open /dev/null");
            continue;
        }
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
            return err_sys(err, "pipe");
        c->stdio[k] = k == 0 ? p[0] : p[1];
        c->relay[k] = k == 0 ? p[1] : p[0];
    }
    return 0;
}

/* the helper: joins the container, forks the process, reports its pid */
static void helper_main(struct container *c, int pidfd, int rootfd, int flags)
{
    merr_t err = MERR_INIT;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    close_fd(&c->sync_parent);
    close_fd(&c->console_peer);
    for (int k = 0; k < 3; k++) {
        close_fd(&c->relay[k]);
        if (c->stdio[k] >= 0 && dup2(c->stdio[k], k) < 0)
            _exit(1);
        close_fd(&c->stdio[k]);
    }
    enum sync_type t;
    if (sync_recv(c->sync_child, &t, NULL, NULL) <= 0 || t != SYNC_GO)
        _exit(1);
    if (flags && setns(pidfd, flags) < 0) {
        err_sys(&err, "join the namespaces of container \"%s\"", c->o.id);
        child_fail(c, &err);
    }
    if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
        err_sys(&err, "enter the root of container \"%s\"", c->o.id);
        child_fail(c, &err);
    }
    close(rootfd);
    close(pidfd);
    struct clone_args ca = {.flags = CLONE_PARENT};
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0) {
        err_sys(&err, "fork the exec process");
        child_fail(c, &err);
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        c->croot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        init_run_steps(c);
    }
    sync_send(c->sync_child, SYNC_PID, pid, NULL);
    _exit(0);
}

/* A created container's init still runs moat; if from a writable binary,
 * a process with CAP_SYS_PTRACE next to it could write that
 * (CVE-2019-5736). */
static int ptrace_guard(const struct exec_opts *o, const struct handle *h,
                        const struct spec_process *proc, merr_t *err)
{
    if (h->status != CS_CREATED || !spec_host_ptrace(h->spec, proc))
        return 0;
    char exe[64];
    snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)h->st.pid);
    if (selfexe_path_protected(exe))
        return 0;
    return err_set(err, EPERM,
                   "cannot exec with CAP_SYS_PTRACE in container \"%s\" before it is started: "
                   "its init still runs the moat binary (CVE-2019-5736)",
                   o->id);
}

/* process.terminal: the console socket, or a pair whose far end gets the
 * master (exec in the foreground) */
static int make_console(const struct exec_opts *o, struct container *c, merr_t *err)
{
    if (o->console_socket) {
        c->console_fd = unix_connect(o->console_socket, "--console-socket", err);
        return c->console_fd < 0 ? -1 : 0;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return err_sys(err, "socketpair");
    c->console_fd = sv[0];
    c->console_peer = sv[1];
    return 0;
}

/* EOF: exec'd; an error message: it failed. A seccomp listener fd on the
 * way is passed on. */
static int await_exec(struct container *c, pid_t pid, int *exit_code, merr_t *err)
{
    for (;;) {
        enum sync_type t;
        int64_t v;
        char *text = NULL;
        int lfd = -1;
        int r = sync_recv_any(c->sync_parent, &t, &v, &text, &lfd);
        if (r > 0 && t == SYNC_SECCOMP && lfd >= 0) {
            free(text);
            int fr = seccomp_forward(c, lfd, err);
            close(lfd);
            if (fr < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return -1;
            }
            continue;
        }
        if (lfd >= 0)
            close(lfd);
        if (r > 0 && t == SYNC_ERROR) {
            err_set(err, 0, "%s", text);
            err->errnum = (int)v;
            free(text);
            waitpid(pid, NULL, 0);
            *exit_code = 255;
            return -1;
        }
        free(text);
        return 0;
    }
}

/* The helper joins the container and forks the process: its pid (the
 * helper is gone by then), or -1 */
static pid_t spawn(struct container *c, struct handle *h, int pidfd, int croot, int flags,
                   merr_t *err)
{
    struct clone_args ca = {.exit_signal = SIGCHLD};
    pid_t helper = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (helper < 0)
        return err_sys(err, "fork");
    if (helper == 0)
        helper_main(c, pidfd, croot, flags);
    close_fd(&c->sync_child);
    close_fd(&c->console_fd);
    for (int k = 0; k < 3; k++)
        close_fd(&c->stdio[k]); /* the helper's now */
    if (handle_cgroup(h, NULL) == 0 && cg_enter(&h->cg, helper, err) < 0) {
        kill(helper, SIGKILL);
        waitpid(helper, NULL, 0);
        return -1;
    }
    sync_send(c->sync_parent, SYNC_GO, 0, NULL);
    enum sync_type t;
    int64_t v;
    char *text = NULL;
    int r = sync_recv(c->sync_parent, &t, &v, &text);
    int hst;
    waitpid(helper, &hst, 0);
    if (r <= 0 || t != SYNC_PID) {
        if (r > 0 && t == SYNC_ERROR) {
            err_set(err, 0, "%s", text);
            err->errnum = (int)v;
        } else
            err_set(err, 0, "exec helper failed");
        free(text);
        return -1;
    }
    free(text);
    return (pid_t)v;
}

int op_exec(int rootfd, const struct exec_opts *o, int *exit_code, merr_t *err)
{
    struct handle h;
    struct container c = {0};
    struct spec es;
    struct spec_process proc = {0};
    json_t *keep = NULL;
    int ret = -1, pidfd = -1, croot = -1;
    *exit_code = 0;
    container_init_fds(&c);
    if (handle_open(rootfd, o->id, &h, err) < 0)
        return -1;
    if (h.status == CS_STOPPED) {
        err_set(err, ESRCH, "cannot exec in container \"%s\": it is stopped", o->id);
        goto out;
    }
    if (h.status == CS_PAUSED && !o->ignore_paused) {
        err_set(err, EBUSY, "cannot exec in container \"%s\": it is paused", o->id);
        goto out;
    }
    if (handle_load_spec(&h, err) < 0)
        goto out;
    const char *handler = spec_annotation(h.spec, VM_HANDLER_KEY);
    if (handler && !strcmp(handler, VM_HANDLER_VALUE)) { /* the process is the guest's */
        ret = vm_exec(o, h.st.pid, h.st.config, h.st.config_len, h.dirfd, exit_code, err);
        goto out;
    }
    /* enter only from a read-only view of the binary where the container
     * could write it (CVE-2019-5736); may re-execute this process */
    if (seal_for_exec(h.spec, err) < 0 || build_process(o, h.spec, &proc, &keep, err) < 0)
        goto out;
    if (ptrace_guard(o, &h, &proc, err) < 0)
        goto out;
    es = *h.spec;
    es.process = proc;
    c.spec = &es;
    c.o.id = o->id;
    c.o.preserve_fds = o->preserve_fds;
    c.o.mode = o->detach ? RUN_DETACHED : RUN_FOREGROUND;
    c.st = h.st; /* borrowed for state JSON */
    c.host_pid = h.st.pid;
    c.is_exec = true;
    /* as Docker: the keys are looked for on a terminal's input only; a
     * pipe's bytes all go to the process, whatever they are */
    if (o->detach_keys && o->relay_stdio && o->stdin_open && proc.terminal)
        c.detach = *o->detach_keys;
    if (o->has_resize && o->relay_stdio && proc.terminal)
        c.resize_fd = o->resize_fd;
    plan_build_exec(&es, &c.plan);
    if ((pidfd = handle_pidfd(&h, err)) < 0)
        goto out;
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/root", (int)h.st.pid);
    croot = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (croot < 0) {
        err_sys(err, "open the root of container \"%s\"", o->id);
        goto out;
    }
    int flags = ns_flags_of(h.st.pid);
    if ((c.procfd = proc_open_root(err)) < 0)
        goto out;
    if (es.linux_.seccomp) {
        if (seccomp_compile_spec(h.spec, rootfd, &c.seccomp, err) < 0)
            goto out;
        c.has_seccomp = true;
    }
    if ((proc.terminal && make_console(o, &c, err) < 0) || make_stdio(o, &c, err) < 0)
        goto out;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        err_sys(err, "socketpair");
        goto out;
    }
    c.sync_parent = sv[0];
    c.sync_child = sv[1];
    sigset_t oldmask;
    if (!o->detach)
        run_block_signals(&oldmask);
    pid_t pid = spawn(&c, &h, pidfd, croot, flags, err);
    if (pid < 0)
        goto out;
    c.host_pid = pid;
    if (await_exec(&c, pid, exit_code, err) < 0)
        goto out;
    if (o->pid_file && write_pid_file(o->pid_file, pid, err) < 0) {
        kill(pid, SIGKILL);
        goto out;
    }
    if (o->detach) {
        ret = 0;
        goto out;
    }
    /* it runs: the container's lock is for changes of its state, not for
     * as long as a process of it lives (others exec, kill, delete) */
    flock(h.dirfd, LOCK_UN);
    ret = rt_wait(&c, exit_code, err);
out:
    if (pidfd >= 0)
        close(pidfd);
    if (croot >= 0)
        close(croot);
    c.spec = NULL;
    memset(&c.st, 0, sizeof(c.st));
    container_release(&c);
    if (!o->process_file)
        proc.landlock = NULL; /* borrowed from the container's config */
    spec_process_free(&proc);
    json_decref(keep);
    handle_close(&h);
    return ret;
}

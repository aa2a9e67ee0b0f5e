/* stage1.c: the two-stage start, used when the config joins existing
 * namespaces or asks for a time namespace. Stage 1 joins the namespaces
 * given by path, creates the new ones (a new user namespace first, with
 * its id maps written by the runtime), then forks the init with
 * CLONE_PARENT so that the runtime is its parent, reports its pid and
 * exits. Without joins the runtime clones the init directly. */
#include "container.h"
#include "../kernel/ns.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int join(struct container *c, enum ns_kind k, merr_t *err)
{
    if (c->ns_fds[k] < 0)
        return 0;
    if (setns(c->ns_fds[k], ns_kind_clone_flag(k)) < 0)
        return err_sys(err, "linux.namespaces: join %s namespace \"%s\"", ns_kind_name(k),
                       c->spec->linux_.ns[k].path);
    close_fd(&c->ns_fds[k]);
    return 0;
}

static int write_time_offsets(struct container *c, merr_t *err)
{
    static const char *const clocks[2] = {"monotonic", "boottime"};
    struct sbuf b = {0};
    for (int t = 0; t < 2; t++) {
        const typeof(c->spec->linux_.time_offsets[0]) *o = &c->spec->linux_.time_offsets[t];
        if (o->has)
            sbuf_printf(&b, "%s %lld %u\n", clocks[t], (long long)o->secs, o->nanosecs);
    }
    int r = 0;
    if (b.len)
        r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", b.buf, b.len, err);
    free(b.buf);
    return r < 0 ? err_wrap(err, "linux.timeOffsets") : 0;
}

void stage1_main(struct container *c)
{
    merr_t err = MERR_INIT;
    const struct spec_linux *l = &c->spec->linux_;
    enum sync_type t;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    close_fd(&c->sync_parent);
    close_fd(&c->statefd);
    close_fd(&c->rootfd);
    /* first, while it is still itself: the init it forks inherits them */
    if (cg_join_self(&c->cgj, &err) < 0)
        child_fail(c, &err);
    /* a user namespace given by path first: the others may belong to it */
    if (join(c, NS_USER, &err) < 0)
        child_fail(c, &err);
    static const enum ns_kind order[] = {NS_IPC, NS_UTS, NS_NET, NS_CGROUP, NS_TIME, NS_MNT};
    for (size_t i = 0; i < ARRAY_SIZE(order); i++)
        if (join(c, order[i], &err) < 0)
            child_fail(c, &err);
    if (l->ns[NS_USER].want && !l->ns[NS_USER].path) {
        if (unshare(CLONE_NEWUSER) < 0) {
            err_sys(&err, "unshare the user namespace");
            child_fail(c, &err);
        }
        if (sync_send(c->sync_child, SYNC_MAPS, getpid(), NULL) < 0 ||
            sync_recv(c->sync_child, &t, NULL, NULL) <= 0 || t != SYNC_MAPS_DONE)
            _exit(1);
    }
    if (join(c, NS_PID, &err) < 0)
        child_fail(c, &err);
    int flags = c->plan.clone_flags & ~CLONE_NEWUSER;
    if (flags && unshare(flags) < 0) {
        err_sys(&err, "unshare namespaces (%#x)", flags);
        child_fail(c, &err);
    }
    if (l->ns[NS_TIME].want && !l->ns[NS_TIME].path) {
        if (unshare(CLONE_NEWTIME) < 0) {
            err_sys(&err, "unshare the time namespace");
            child_fail(c, &err);
        }
        if (write_time_offsets(c, &err) < 0)
            child_fail(c, &err);
    }
    struct clone_args ca = {.flags = CLONE_PARENT, .exit_signal = 0};
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0) {
        err_sys(&err, "fork the container init");
        child_fail(c, &err);
    }
    if (pid == 0)
        init_main(c);
    sync_send(c->sync_child, SYNC_PID, pid, NULL);
    _exit(0);
}

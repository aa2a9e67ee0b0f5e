#include "plan.h"
#include "../kernel/ns.h"
#include "../util/util.h"

#include <sched.h>
#include <string.h>

static const char *const names[] = {
    [STEP_SETUID_ROOT] = "setuid-root",
    [STEP_UNSHARE_CGROUPNS] = "unshare-cgroupns",
    [STEP_LOOPBACK] = "loopback-up",
    [STEP_NETWORK] = "network",
    [STEP_ROOT_PRIVATE] = "root-private",
    [STEP_ROOTFS] = "rootfs",
    [STEP_MOUNT] = "mount",
    [STEP_DEV_DEFAULTS] = "dev-defaults",
    [STEP_DEVICE] = "device",
    [STEP_DEV_LINKS] = "dev-links",
    [STEP_CONSOLE] = "console",
    [STEP_HOOKS_RUNTIME] = "hooks-prestart-createRuntime",
    [STEP_HOOKS_CREATE] = "hooks-createContainer",
    [STEP_PIVOT_ROOT] = "pivot-root",
    [STEP_CHROOT] = "chroot",
    [STEP_OPEN_CWD] = "open-cwd",
    [STEP_ROOT_PROPAGATION] = "root-propagation",
    [STEP_MASK] = "mask",
    [STEP_READONLY] = "readonly",
    [STEP_ROOT_READONLY] = "root-readonly",
    [STEP_LANDLOCK_PREPARE] = "landlock-ruleset",
    [STEP_LANDLOCK] = "landlock",
    [STEP_HOSTNAME] = "hostname",
    [STEP_SYSCTL] = "sysctl",
    [STEP_RLIMITS] = "rlimits",
    [STEP_PERSONALITY] = "personality",
    [STEP_SCHED] = "scheduler",
    [STEP_IOPRIO] = "io-priority",
    [STEP_KEYRING] = "session-keyring",
    [STEP_UMASK] = "umask",
    [STEP_CLOSE_FDS] = "close-fds",
    [STEP_HANDOVER] = "handover",
    [STEP_WAIT_START] = "wait-start",
    [STEP_HOOKS_START] = "hooks-startContainer",
    [STEP_LSM_LABEL] = "lsm-label",
    [STEP_SECCOMP_EARLY] = "seccomp",
    [STEP_NO_NEW_PRIVS] = "no-new-privs",
    [STEP_USER] = "user",
    [STEP_CAPS] = "capabilities",
    [STEP_CWD] = "cwd",
    [STEP_AFFINITY] = "cpu-affinity",
    [STEP_SECCOMP] = "seccomp",
    [STEP_EXEC] = "exec",
};

const char *step_name(enum step_kind k)
{
    return names[k];
}

static void add(struct plan *p, enum step_kind k, size_t idx)
{
    p->steps = xrealloc(p->steps, (p->n + 1) * sizeof(struct step));
    p->steps[p->n++] = (struct step){k, idx};
}

static bool is_type(const struct spec_mount *m, const char *t)
{
    return m->type && strcmp(m->type, t) == 0;
}

/* The end of every process start (the init and exec): labels, seccomp
 * (before the capabilities are dropped unless no_new_privs is set), the
 * user, capabilities, cwd. */
static void add_final_steps(const struct spec *s, struct plan *p)
{
    const struct spec_process *pr = &s->process;
    const struct spec_linux *l = &s->linux_;
    if (pr->apparmor_profile || pr->selinux_label)
        add(p, STEP_LSM_LABEL, 0);
    if (l->seccomp && !pr->no_new_privileges)
        add(p, STEP_SECCOMP_EARLY, 0);
    if (pr->no_new_privileges)
        add(p, STEP_NO_NEW_PRIVS, 0);
    add(p, STEP_USER, 0);
    add(p, STEP_CAPS, 0);
    add(p, STEP_CWD, 0);
    if (pr->cpu_affinity_final)
        add(p, STEP_AFFINITY, 0);
    if (l->seccomp && pr->no_new_privileges)
        add(p, STEP_SECCOMP, 0);
}

int plan_build(const struct spec *s, const struct plan_opts *o, struct plan *p, merr_t *err)
{
    const struct spec_linux *l = &s->linux_;
    memset(p, 0, sizeof(*p));
    (void)err;
    p->userns_new = l->ns[NS_USER].want && !l->ns[NS_USER].path;
    p->userns = l->ns[NS_USER].want;
    /* a joined mount namespace is used as it is */
    p->mountns = l->ns[NS_MNT].want && !l->ns[NS_MNT].path;
    for (int k = 0; k < NS_N; k++) {
        if (!l->ns[k].want)
            continue;
        if (l->ns[k].path || k == NS_TIME)
            p->need_stage1 = true;
        else if (k != NS_CGROUP)
            p->clone_flags |= ns_kind_clone_flag(k);
    }
    /* mounts: decide how each one is made */
    p->mount_kinds = xzalloc((s->nmounts + 1) * sizeof(enum mount_kind));
    bool dev_bound = false;
    for (size_t i = 0; i < s->nmounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        enum mount_kind k = MK_FS;
        if (m->bind)
            k = MK_BIND;
        else if (is_type(m, "cgroup") || is_type(m, "cgroup2"))
            k = MK_CGROUP;
        else if (l->ns[NS_USER].want && is_type(m, "sysfs") &&
                 !(l->ns[NS_NET].want && !l->ns[NS_NET].path))
            k = MK_HOSTBIND; /* sysfs needs a network namespace we own */
        else if (l->ns[NS_USER].want && is_type(m, "mqueue") &&
                 !(l->ns[NS_IPC].want && (!l->ns[NS_IPC].path || l->ns[NS_USER].path)))
            k = MK_HOSTBIND; /* mqueue needs an IPC namespace we own (or one of the
                              * user namespace joined with it) */
        p->mount_kinds[i] = k;
        if (strcmp(m->destination, "/dev") == 0 && k == MK_BIND)
            dev_bound = true;
    }
    p->setup_dev = p->mountns && !dev_bound;

    /* a joined one too: setns leaves the host's ids, which it does not map */
    if (p->userns)
        add(p, STEP_SETUID_ROOT, 0);
    if (l->ns[NS_CGROUP].want && !l->ns[NS_CGROUP].path)
        add(p, STEP_UNSHARE_CGROUPNS, 0);
    /* a network namespace of its own: lo up, as runc and crun */
    if (l->ns[NS_NET].want && !l->ns[NS_NET].path)
        add(p, STEP_LOOPBACK, 0);
    if (o->netns_ready)
        add(p, STEP_NETWORK, 0);
    if (p->mountns) {
        add(p, STEP_ROOT_PRIVATE, 0);
        add(p, STEP_ROOTFS, 0);
        for (size_t i = 0; i < s->nmounts; i++)
            add(p, STEP_MOUNT, i);
        if (p->setup_dev) {
            add(p, STEP_DEV_DEFAULTS, 0);
            for (size_t i = 0; i < l->ndevices; i++)
                add(p, STEP_DEVICE, i);
            add(p, STEP_DEV_LINKS, 0);
        }
    }
    if (s->has_process && s->process.terminal)
        add(p, STEP_CONSOLE, 0);
    if (s->nhooks[HOOK_PRESTART] || s->nhooks[HOOK_CREATE_RUNTIME])
        add(p, STEP_HOOKS_RUNTIME, 0);
    if (s->nhooks[HOOK_CREATE_CONTAINER])
        add(p, STEP_HOOKS_CREATE, 0);
    add(p, p->mountns && !o->no_pivot ? STEP_PIVOT_ROOT : STEP_CHROOT, 0);
    if (s->has_process)
        add(p, STEP_OPEN_CWD, 0);
    if (p->mountns && l->rootfs_propagation)
        add(p, STEP_ROOT_PROPAGATION, 0);
    if (p->mountns) {
        for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++)
            add(p, STEP_MASK, i);
        for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++)
            add(p, STEP_READONLY, i);
        if (s->root_readonly)
            add(p, STEP_ROOT_READONLY, 0);
    }
    if (s->process.landlock)
        add(p, STEP_LANDLOCK_PREPARE, 0);
    if ((s->hostname && *s->hostname) || (s->domainname && *s->domainname))
        add(p, STEP_HOSTNAME, 0);
    for (size_t i = 0; i < l->nsysctl; i++)
        add(p, STEP_SYSCTL, i);
    const struct spec_process *pr = &s->process;
    if (pr->nrlimits)
        add(p, STEP_RLIMITS, 0);
    if (l->personality.has)
        add(p, STEP_PERSONALITY, 0);
    if (pr->sched.has)
        add(p, STEP_SCHED, 0);
    if (pr->io_priority.has)
        add(p, STEP_IOPRIO, 0);
    if (!o->no_new_keyring)
        add(p, STEP_KEYRING, 0);
    add(p, STEP_UMASK, 0);
    add(p, STEP_CLOSE_FDS, 0);
    /* the state is recorded before the last steps: they may load a seccomp
     * filter that a talk with the runtime would have to get past */
    add(p, STEP_HANDOVER, 0);
    add_final_steps(s, p);
    /* everything is set up: create returns; start releases the exec (as
     * runc: the startContainer hooks run with the process' restrictions) */
    add(p, STEP_WAIT_START, 0);
    if (s->process.landlock)
        add(p, STEP_LANDLOCK, 0);
    if (s->nhooks[HOOK_START_CONTAINER])
        add(p, STEP_HOOKS_START, 0);
    add(p, STEP_EXEC, 0);
    return 0;
}

void plan_build_exec(const struct spec *s, struct plan *p)
{
    const struct spec_process *pr = &s->process;
    memset(p, 0, sizeof(*p));
    if (pr->terminal)
        add(p, STEP_CONSOLE, 0);
    if (pr->nrlimits)
        add(p, STEP_RLIMITS, 0);
    add(p, STEP_CLOSE_FDS, 0);
    add(p, STEP_OPEN_CWD, 0);
    if (pr->landlock)
        add(p, STEP_LANDLOCK_PREPARE, 0);
    add_final_steps(s, p);
    if (pr->landlock)
        add(p, STEP_LANDLOCK, 0);
    add(p, STEP_EXEC, 0);
}

void plan_free(struct plan *p)
{
    free(p->steps);
    free(p->mount_kinds);
    memset(p, 0, sizeof(*p));
}

char *step_describe(const struct spec *s, const struct plan *p, const struct step *st)
{
    const struct spec_linux *l = &s->linux_;
    static const char *const mk[] = {"new", "bind", "cgroup", "host-bind"};
    switch (st->kind) {
    case STEP_MOUNT: {
        const struct spec_mount *m = &s->mounts[st->idx];
        return xasprintf("mount[%zu] %s type=%s source=%s (%s)", st->idx, m->destination,
                         m->type ? m->type : "bind", m->source ? m->source : "",
                         mk[p->mount_kinds[st->idx]]);
    }
    case STEP_DEVICE:
        return xasprintf("device[%zu] %s", st->idx, l->devices[st->idx].path);
    case STEP_MASK:
        return xasprintf("mask %s", l->masked_paths[st->idx]);
    case STEP_READONLY:
        return xasprintf("readonly %s", l->readonly_paths[st->idx]);
    case STEP_SYSCTL:
        return xasprintf("sysctl %s=%s", l->sysctl[st->idx].key, l->sysctl[st->idx].value);
    case STEP_ROOTFS:
        return xasprintf("rootfs %s%s", s->root_path, s->root_readonly ? " (read-only)" : "");
    case STEP_EXEC:
        return xasprintf("exec %s",
                         s->process.args && s->process.args[0] ? s->process.args[0] : "(none)");
    default:
        return xstrdup(step_name(st->kind));
    }
}

/* plan.h: container setup as data.
 *
 * The runtime turns the parsed config into an ordered list of steps; the
 * container init (init.c) executes them one by one, and `--debug` prints
 * them. Order matters and is decided here, in one place. The builder is
 * pure: unit tests check the list without privileges. */
#ifndef MOAT_PLAN_H
#define MOAT_PLAN_H

#include "../oci/spec.h"
#include <stdbool.h>
#include <stddef.h>

enum step_kind {
    STEP_SETUID_ROOT, /* become root of the new user namespace */
    STEP_UNSHARE_CGROUPNS,
    STEP_LOOPBACK,      /* a new network namespace: lo up */
    STEP_NETWORK,       /* the caller's netns_ready runs (the init waits) */
    STEP_ROOT_PRIVATE,  /* stop mount propagation to the host */
    STEP_ROOTFS,        /* attach the rootfs */
    STEP_MOUNT,         /* mounts[idx] */
    STEP_DEV_DEFAULTS,  /* null zero full random urandom tty */
    STEP_DEVICE,        /* linux.devices[idx] */
    STEP_DEV_LINKS,     /* /dev/fd, stdin, stdout, stderr, ptmx */
    STEP_CONSOLE,       /* pty, /dev/console, master to the console socket */
    STEP_HOOKS_RUNTIME, /* the runtime runs prestart + createRuntime */
    STEP_HOOKS_CREATE,  /* createContainer */
    STEP_PIVOT_ROOT,
    STEP_CHROOT,   /* --no-pivot: MS_MOVE + chroot */
    STEP_OPEN_CWD, /* resolve process.cwd in the root (created if missing) */
    STEP_ROOT_PROPAGATION,
    STEP_MASK,     /* maskedPaths[idx] */
    STEP_READONLY, /* readonlyPaths[idx] */
    STEP_ROOT_READONLY,
    STEP_LANDLOCK_PREPARE, /* build the Landlock ruleset (paths in the root) */
    STEP_HOSTNAME,
    STEP_SYSCTL, /* sysctl[idx] */
    STEP_RLIMITS,
    STEP_PERSONALITY,
    STEP_SCHED,
    STEP_IOPRIO,
    STEP_KEYRING,
    STEP_UMASK,
    STEP_CLOSE_FDS,
    STEP_HANDOVER,      /* the runtime records the state; from then on the
                           init outlives it */
    STEP_WAIT_START,    /* report "created", wait for start */
    STEP_LANDLOCK,      /* enforce it: after the fifo is open */
    STEP_HOOKS_START,   /* startContainer */
    STEP_LSM_LABEL,     /* AppArmor profile / SELinux label for exec */
    STEP_SECCOMP_EARLY, /* without no_new_privs: load while still privileged */
    STEP_NO_NEW_PRIVS,
    STEP_USER, /* groups, gid, uid (capabilities kept) */
    STEP_CAPS,
    STEP_CWD, /* fchdir to it, with the user's permissions */
    STEP_AFFINITY,
    STEP_SECCOMP, /* with no_new_privs: as late as possible */
    STEP_EXEC,
};

/* How each config mount is made. */
enum mount_kind {
    MK_FS,       /* new filesystem instance, made by the container init */
    MK_BIND,     /* tree cloned by the runtime from the host path */
    MK_CGROUP,   /* cgroup filesystem: per-host layout */
    MK_HOSTBIND, /* sysfs/mqueue we may not mount in this user ns: bind the host's */
};

struct step {
    enum step_kind kind;
    size_t idx;
};

struct plan_opts {
    bool no_pivot;
    bool no_new_keyring;
    bool rootless;    /* euid != 0 */
    bool netns_ready; /* the caller sets the network up (STEP_NETWORK) */
};

struct plan {
    struct step *steps;
    size_t n;
    enum mount_kind *mount_kinds; /* one per spec mount */
    bool userns_new;
    bool userns; /* in a user namespace: a new one, or one joined by path */
    bool mountns;
    bool setup_dev;   /* /dev is not bind mounted: create devices and links */
    int clone_flags;  /* namespaces created by clone/unshare (not cgroup) */
    bool need_stage1; /* joins, or a time namespace: two-stage setup */
};

int plan_build(const struct spec *s, const struct plan_opts *o, struct plan *p, merr_t *err);
/* The steps of a process started by `exec` in a running container. */
void plan_build_exec(const struct spec *s, struct plan *p);
void plan_free(struct plan *p);
const char *step_name(enum step_kind k);
/* "mount[3] /proc (proc)" etc. (caller frees) */
char *step_describe(const struct spec *s, const struct plan *p, const struct step *st);

#endif

/* container.h: what the runtime prepares for one container and what its
 * init process executes. The runtime (create.c) fills it before clone;
 * the init (init.c) is a copy of the runtime process and reads it. Outside
 * the runtime it is opaque (runtime.h: rt_new ... rt_free). */
#ifndef MOAT_CONTAINER_H
#define MOAT_CONTAINER_H

#include "runtime.h"
#include "../kernel/cgroup.h"
#include "../kernel/seccomp.h"
#include "plan.h"
#include "../oci/spec.h"
#include "../util/keyseq.h"
#include "state.h"
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct container {
    /* as given to rt_new, but: id is st.id; bundle, rootfs and config are
     * NULL (taken into the fields below); mount_srcs only during rt_create */
    struct rt_create_opts o;
    char *bundle; /* absolute */
    char *rootfs; /* absolute */
    struct spec *spec;
    struct plan plan;

    /* prepared by the runtime before the init exists */
    int sync_parent, sync_child; /* SOCK_SEQPACKET pair */
    int procfd;                  /* verified host /proc */
    int rootfs_tree;             /* detached clone of root.path */
    int *mount_srcs;             /* per mount: O_PATH of a bind's source, opened once */
    int *mount_trees;            /* per mount: detached tree for MK_BIND/MK_HOSTBIND */
    int devnull_tree;            /* verified host /dev/null, for masked files */
    int *dev_trees;              /* user namespace: host devices to bind */
    int *cg_trees;               /* per cgroup hierarchy, for cgroup mounts */
    int fifo_fd;                 /* O_PATH of exec.fifo (create) */
    int console_fd;              /* console socket, or our socketpair end (run -t) */
    int console_peer;            /* run -t: our end receiving the master */
    int ns_fds[NS_N];            /* namespaces to join */
    bool has_seccomp;
    struct seccomp_prog seccomp;
    struct cg_host cghost;
    struct cg cg;
    bool have_cg;
    bool tracked;       /* in a cgroup the intent names: found by it if abandoned */
    struct cg_join cgj; /* what the init joins its cgroups with */
    int rootfd, statefd;
    struct state st;

    /* filled in by the init while it runs */
    int croot;             /* O_PATH of the container root (rootfs tree, later "/") */
    int devnull_attached;  /* first /dev/null mount in the container, to clone */
    int emptydir_attached; /* first read-only empty tmpfs masking a directory */
    pid_t host_pid;        /* the init's pid in the runtime's pid namespace */
    int fifo_wfd;          /* where the init reports exec failures: exec.fifo
                              (create, once start came) or start_w (run) */
    int start_r, start_w;  /* run: a pipe standing in for exec.fifo */
    int landlock_fd;       /* prepared ruleset, -1 none, -2 unavailable */
    bool is_exec;          /* a process started by exec (Landlock: no scopes) */
    int stdio[3];          /* exec: the process' stdin, stdout, stderr (-1: ours) */
    int relay[3];          /* exec: our ends of those pipes, relayed by rt_wait */
    struct keyseq detach;  /* exec: keys on stdin that end rt_wait (n 0: none) */
    int resize_fd;         /* exec -t: datagrams of a new size (rows, cols), or -1 */
    int cwd_fd;            /* process.cwd, resolved before seccomp is loaded */
    bool child_trees;      /* the runtime may not clone host mounts (rootless):
                              the init clones them, before pivot_root */
};

#define DEFAULT_DEVICES 6

/* create.c */
/* every fd of c: none yet (-1) */
void container_init_fds(struct container *c);
int container_create(struct container *c, merr_t *err);
/* closes what the mounts were made from (host objects, pinned): once they
 * are made, before pivot_root, so the init holds nothing of the host's */
void container_drop_trees(struct container *c);
void container_release(struct container *c);
/* userns_auto.c: annotation lookup, per-container id ranges */
const char *spec_annotation(const struct spec *s, const char *key);
int userns_auto(struct container *c, merr_t *err);
/* compile linux.seccomp through the cache under the state root */
int seccomp_compile_spec(const struct spec *s, int rootfd, struct seccomp_prog *out, merr_t *err);
/* annotations of the spec as a JSON object text (caller frees) */
char *container_annotations_json(const struct spec *s);
char *container_state_json(const struct container *c, enum cstatus status);

/* init.c: runs in the container init; never returns */
void init_main(struct container *c) __attribute__((noreturn));
/* execute c->plan (also used by exec); never returns */
void init_run_steps(struct container *c) __attribute__((noreturn));
/* run.c: run_block_signals and rt_wait (runtime.h), which returns 1 when
 * the caller detached (c->detach: exec) and the process runs on */
/* stage1.c: joins namespaces, unshares, forks the init; never returns */
void stage1_main(struct container *c) __attribute__((noreturn));

/* rootfs.c: steps of the container's filesystem */
int rootfs_prepare(struct container *c, merr_t *err); /* runtime side, before clone */
/* clone the bind trees of mounts[first..] (one run of consecutive bind
 * mounts) into fds[]; returns how many. Runs in the runtime, or in the init
 * when child_trees. */
int rootfs_make_trees(struct container *c, size_t first, int *fds, size_t max, merr_t *err);
int rootfs_attach(struct container *c, merr_t *err);
int rootfs_mount(struct container *c, size_t i, merr_t *err);
int rootfs_dev_defaults(struct container *c, merr_t *err);
int rootfs_device(struct container *c, size_t i, merr_t *err);
int rootfs_dev_links(struct container *c, merr_t *err);
int rootfs_console(struct container *c, merr_t *err);
int rootfs_pivot(struct container *c, merr_t *err);
int rootfs_chroot(struct container *c, merr_t *err);
int rootfs_propagation(struct container *c, merr_t *err);
int rootfs_mask(struct container *c, const char *path, merr_t *err);
int rootfs_readonly(struct container *c, const char *path, merr_t *err);
int rootfs_root_readonly(struct container *c, merr_t *err);

/* sync.c: messages between the runtime and the init */
enum sync_type {
    SYNC_ERROR = 1,
    SYNC_GO,         /* runtime -> init: maps written, cgroup joined; value = host pid */
    SYNC_HOOKS,      /* init -> runtime: run prestart + createRuntime now */
    SYNC_HOOKS_DONE, /* runtime -> init */
    SYNC_SECCOMP,    /* init -> runtime: the seccomp listener fd (SCM_RIGHTS),
                        to be passed on to linux.seccomp.listenerPath */
    SYNC_MAPS,       /* stage1 -> runtime: write id maps for value */
    SYNC_MAPS_DONE,  /* runtime -> stage1 */
    SYNC_PID,        /* stage1 -> runtime: the init's host pid is value */
    SYNC_TREES,      /* init -> runtime: bind trees for mounts[value..]; the
                        reply carries them as SCM_RIGHTS, in config order */
    SYNC_READY,      /* init -> runtime: set up but for the last steps;
                        its parent-death signal is off now */
    SYNC_COMMIT,     /* runtime -> init: the state is recorded (awaited
                        only by an init in no cgroup, see step_handover) */
    SYNC_NET,        /* init -> runtime: set its network namespace up now
                        (the caller's netns_ready) */
    SYNC_NET_DONE,   /* runtime -> init */
};
int sync_send(int fd, enum sync_type type, int64_t value, const char *text);
/* 1 on a message, 0 on EOF, -1 on error. *text may be NULL (caller frees).
 * The init closes its end when it is set up ("created"); EOF means that,
 * or that it died. */
int sync_recv(int fd, enum sync_type *type, int64_t *value, char **text);
/* A message carrying fds. */
int sync_send_fds(int fd, enum sync_type type, int64_t value, const int *fds, size_t n);
/* Receives up to max fds; returns their number, or -1 (also on EOF). */
int sync_recv_fds(int fd, enum sync_type *type, int64_t *value, int *fds, size_t max);
/* A message with text and at most one fd (*fdout, -1 if none); as sync_recv. */
int sync_recv_any(int fd, enum sync_type *type, int64_t *value, char **text, int *fdout);
/* Runtime side of SYNC_SECCOMP: pass the listener fd on. */
int seccomp_forward(struct container *c, int fd, merr_t *err);
/* Wait for the init to exec after start: one byte, then EOF (success) or
 * an error message. pidfd: the init. */
int wait_exec(int fd, int pidfd, merr_t *err);
/* In the init or stage1: report an error and exit. */
void child_fail(struct container *c, merr_t *err) __attribute__((noreturn));

#endif

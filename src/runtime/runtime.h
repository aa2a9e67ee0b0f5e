/* runtime.h: the OCI runtime as a library, and its one public header: the
 * engine (engine/) and the CLI (cli/) include this one only, and
 * tests/lint/check.sh keeps them to it. A container being made is opaque
 * here (struct container, container.h); the state directory's records
 * (state.h), the open container (ops.h's struct handle), the plan and the
 * init are the runtime's own. Every call that can fail returns a negative
 * value and fills err. */
#ifndef MOAT_RUNTIME_H
#define MOAT_RUNTIME_H

#include "../kernel/cgroup.h"
#include "../util/err.h"
#include "../util/keyseq.h"
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The annotation that picks how the last step runs the workload (crun's
 * convention): RT_HANDLER_VM runs it in a VM of its own (handler/vm.h). */
#define RT_HANDLER_KEY "run.oci.handler"
#define RT_HANDLER_VM "vm"
/* "none": the VM gets no network (the engine's --network none) */
#define RT_VM_NET_KEY "run.moat.vm.network"
/* "80/tcp,53/udp": the container's ports, forwarded to the guest */
#define RT_VM_PORTS_KEY "run.moat.vm.ports"

/* ---- the state root (state.c) ---- */

enum cstatus { CS_CREATING, CS_CREATED, CS_RUNNING, CS_PAUSED, CS_STOPPED };
const char *cstatus_name(enum cstatus s);
/* Container ids: letters, digits, _ + - . ; not "." or "..". */
bool state_valid_id(const char *id);
/* Default root: /run/moat for root, $XDG_RUNTIME_DIR/moat otherwise. */
#define STATE_DEFAULT_ROOT "/run/moat"
char *state_default_root(void);
/* Open --root (creating it when `create`). The default root is given a
 * tmpfs of its own where /run is not one (see state.c). */
int state_root_open(const char *root, bool create, merr_t *err);

/* ---- what is known of existing containers, without their lock (info.c) ---- */

/* One container, as `list` shows it. */
struct rt_info {
    char *id, *bundle, *rootfs, *created;
    pid_t pid; /* the init's host pid; 0 when stopped */
    uid_t owner;
    enum cstatus status;
};
/* Every container under rootfd, sorted by id (*n of them). A directory
 * without a state is none: a create at work is skipped, and what a killed
 * create left is cleaned up (intent.h). */
struct rt_info *rt_list(int rootfd, size_t *n);
void rt_list_free(struct rt_info *v, size_t n);
/* Its OCI state JSON (runc's list shape: no annotations). */
char *rt_info_json(const struct rt_info *i);
/* Its live status. */
int rt_status(int rootfd, const char *id, enum cstatus *out, merr_t *err);
/* A pidfd of its init, checked against the recorded start time (ESRCH
 * when it is not running); *pid: the init's host pid. */
int rt_pidfd(int rootfd, const char *id, pid_t *pid, merr_t *err);
/* Its cgroups, to read statistics from: cg refers to host; the caller
 * frees them with cg_free(cg), then cg_host_free(host). */
int rt_cgroup(int rootfd, const char *id, struct cg_host *host, struct cg *cg, merr_t *err);

/* What `features` reports (runtime-spec features.md): the runtime's and
 * this host's (cgroup mode, seccomp, AppArmor, SELinux, Landlock). */
json_t *rt_features(void);

/* ---- operations on an existing container: runc's commands (ops.c) ---- */

int op_start(int rootfd, const char *id, merr_t *err);
int op_state(int rootfd, const char *id, char **json, merr_t *err);
int op_kill(int rootfd, const char *id, int sig, bool all, merr_t *err);
int op_delete(int rootfd, const char *id, bool force, merr_t *err);
int op_pause(int rootfd, const char *id, bool pause, merr_t *err);
int op_pids(int rootfd, const char *id, pid_t **pids, size_t *n, merr_t *err);
int op_update(int rootfd, const char *id, const char *resources_json, size_t len, merr_t *err);

/* ---- exec (exec.c) ---- */

struct exec_opts {
    const char *id;
    const char *process_file; /* --process: the whole process object */
    char **args;              /* inline command */
    char **env;               /* --env (added) */
    char **caps;              /* --cap (added) */
    char **additional_gids;   /* --additional-gids */
    const char *cwd, *user, *apparmor, *process_label;
    const char *console_socket, *pid_file;
    bool tty, detach, no_new_privs, ignore_paused;
    /* The engine's exec: the process never gets the caller's descriptors.
     * Without a terminal its stdio are pipes that moat relays (stdin only
     * with stdin_open, else it reads /dev/null); detached, all three are
     * /dev/null. (runc's CLI passes its own stdio on, as engines expect.) */
    bool relay_stdio, stdin_open;
    /* With relay_stdio and stdin_open: read on stdin, these keys detach
     * the caller; the process runs on (NULL or none: never). */
    const struct keyseq *detach_keys;
    /* With relay_stdio and a terminal: a datagram socket on which each
     * message of two uint16_t (rows, cols) resizes the terminal, as the
     * caller's SIGWINCH does (has_resize false: none). Not closed. */
    bool has_resize;
    int resize_fd;
    int preserve_fds;
};

/* Foreground: *exit_code is the process' status. 1 (and *exit_code 0)
 * when the caller detached with the detach keys and the process runs on,
 * its output drained by a process of its own until it ends. */
int op_exec(int rootfd, const struct exec_opts *o, int *exit_code, merr_t *err);

/* ---- create and run (container.c, create.c, run.c) ---- */

enum run_mode {
    RUN_CREATE,     /* create: init waits on exec.fifo for `start` */
    RUN_FOREGROUND, /* run: the init is the caller's child, to wait for
                       (rt_wait, or its own waitpid) and delete (rt_destroy) */
    RUN_DETACHED,   /* run -d */
};

struct rt_create_opts {
    const char *id;
    const char *bundle; /* absolute */
    /* the text of the bundle's config.json, read by the caller: copied,
     * and saved with the state as it is */
    const char *config;
    size_t config_len;
    const char *rootfs; /* NULL: the config's root.path (from the bundle) */
    const char *pid_file;
    const char *console_socket;
    int preserve_fds;
    bool no_pivot;
    bool no_new_keyring;
    enum run_mode mode;
    /* An engine that resolved and pinned the bind sources itself passes
     * them here: per config mount, an O_PATH fd of its source (-1: the
     * runtime opens it). Borrowed, by rt_create only; the runtime mounts
     * through them and never walks those paths again. */
    const int *mount_srcs;
    size_t n_mount_srcs;
    /* An engine that connects the container to its networks: called once
     * the init's namespaces exist (its new network namespace among them,
     * its lo up) and before anything of the container is mounted or run,
     * with the init's host pid; the init waits meanwhile. A failure fails
     * the create, undone as any other. */
    int (*netns_ready)(void *arg, pid_t pid, merr_t *err);
    void *netns_arg;
};

/* A container being made (or run) by this process: opaque. */
struct container;

/* Parse and check o->config (errors name config.json); nothing is made
 * yet. The strings of o are copied, but for pid_file and console_socket,
 * which rt_create reads. */
int rt_new(const struct rt_create_opts *o, struct container **out, merr_t *err);
/* Create it under rootfd (borrowed: open until rt_free): state, cgroups,
 * namespaces, the init. The state is recorded and unlocked on return, and
 * in the run modes the process has exec'd and the poststart hooks ran. A
 * failure undoes all of it. */
int rt_create(struct container *c, int rootfd, merr_t *err);
/* The init's host pid (-1 before rt_create, and after rt_wait). */
pid_t rt_pid(const struct container *c);
/* Run with a terminal and no console socket: receive its master (the
 * caller's to close). */
int rt_console(struct container *c, merr_t *err);
/* Before rt_create of a container to wait for: block every signal, so
 * that rt_wait can forward them (old: the mask before). */
int run_block_signals(sigset_t *old);
/* RUN_FOREGROUND: forward signals to the init, proxy its terminal (if
 * rt_console was not called), wait until it exits; *exit_code is its
 * status (128 + signal when killed). */
int rt_wait(struct container *c, int *exit_code, merr_t *err);
/* After its exit: delete it as `delete --force` does (kill what is left,
 * remove its cgroups, run poststop hooks, remove the state), reusing what
 * the create knew. Nothing to do when it was deleted meanwhile. */
int rt_destroy(struct container *c, merr_t *err);
/* Release what the object holds (not the container: see rt_destroy). */
void rt_free(struct container *c);

/* ---- protection of the moat binary, CVE-2019-5736 (seal.c, see seal.h) ---- */

/* The arguments to restart this process with (main's argv), or NULL when
 * it may not be restarted (a monitor). */
void seal_set_argv(char **argv);
/* Protect this process now (a re-exec from main that does not return, or
 * an error where it may not be restarted): for a caller that will start a
 * container in the host's pid namespace without a user namespace, before
 * it has changed anything (the engine's create and start). */
int seal_protect_now(merr_t *err);

/* ---- moat's hardening profile (profile.c, see profile.h) ---- */

#define PROFILE_SUBID_FALLBACK 1000000000ULL /* scripts/setup.sh gives moat this range */

struct profile_opts {
    bool rootless;            /* map the caller; no subordinate ids, no cgroup limits */
    uint64_t cap_add;         /* capability bits added to the default set */
    uint64_t cap_drop;        /* bits removed (all ones: --cap-drop ALL) */
    const char *seccomp;      /* NULL: moat's profile; "unconfined"; or a JSON file */
    json_t *seccomp_resolved; /* a profile already loaded (seccomp_profile_load): used as it is */
    bool no_landlock;
    bool userns_host; /* no user namespace */
    int64_t memory;   /* bytes; -1 no limit */
    int64_t pids;     /* -1 no limit */
    bool writable_root;
    bool privileged; /* the one loud opt-out of all of the above */
};

void profile_defaults(struct profile_opts *o);
/* The subordinate ids of the user "moat": "moat:START:COUNT" in file
 * (/etc/subuid or /etc/subgid); -1 when it has none. */
int subid_range(const char *file, uint64_t *start, uint64_t *count);
/* The default capability set (see profile.c for why each is there). */
uint64_t profile_default_caps(void);
/* The whole config.json. */
json_t *profile_config(const struct profile_opts *o, merr_t *err);

/* A seccomp profile given by a user (seccomp_profile.h): read the file (a
 * regular file of bounded size, without blocking), resolve it for a
 * process holding caps (bits) and check it with the runtime's parser; as
 * OCI's linux.seccomp. */
json_t *seccomp_profile_load(const char *path, uint64_t caps, merr_t *err);

#endif

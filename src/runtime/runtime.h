/* runtime.h: the OCI runtime as a library, and its one public header: what
 * the engine (engine/) and the CLI (cli/) may use of it. Every call that
 * can fail returns a negative value and fills err. */
#ifndef MOAT_RUNTIME_H
#define MOAT_RUNTIME_H

#include "../kernel/cgroup.h"
#include "../util/err.h"
#include "../util/keyseq.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
    int preserve_fds;
};

/* Foreground: *exit_code is the process' status. 1 (and *exit_code 0)
 * when the caller detached with the detach keys and the process runs on,
 * its output drained by a process of its own until it ends. */
int op_exec(int rootfd, const struct exec_opts *o, int *exit_code, merr_t *err);

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

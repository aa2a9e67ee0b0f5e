/* state.h: the state directory (--root, default /run/moat): one directory
 * per container holding its state file (written atomically: the state as
 * one JSON line, then the config.json it was created from), the exec fifo
 * until `start`, and a lock. One file, not two: on a /run that is not a
 * tmpfs every inode made and removed per container counts (ext4 scans
 * recently deleted inodes on each allocation). */
#ifndef MOAT_STATE_H
#define MOAT_STATE_H

#include "runtime.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct state {
    char *id;
    pid_t pid;
    uint64_t start_time; /* of pid, to detect pid reuse */
    char *bundle;
    char *rootfs;
    char *created; /* RFC 3339 */
    uid_t owner;
    char **cgroup_dirs; /* NULL-terminated */
    bool userns;        /* the container has its own user namespace */
    bool detached;      /* init is not our child (create, run -d) */
    /* from the config, so that later commands need not parse it */
    char *annotations;        /* compact JSON object, or NULL */
    bool poststart, poststop; /* the config has such hooks */
    char *config;             /* the config.json text */
    size_t config_len;
};

#define STATE_FIFO "exec.fifo"
#define STATE_FILE "state"

/* cstatus_name, state_valid_id, state_default_root, state_root_open:
 * runtime.h */

/* Create the container's directory exclusively; returns its fd (locked).
 * A directory that a killed create left under id is cleaned up first. */
int state_dir_create(int rootfd, const char *id, merr_t *err);
/* The root's own lock (the file .lock in it), held only around making a
 * directory and locking it, and around deciding that one was abandoned
 * (intent.c). Returns the lock's fd, for state_root_unlock. */
#define STATE_ROOT_LOCK ".lock"
int state_root_lock(int rootfd);
void state_root_unlock(int lockfd);
/* Open an existing container's directory and read its state; with `lock`
 * the directory stays locked until the fd is closed. */
int state_dir_open(int rootfd, const char *id, struct state *st, bool lock, merr_t *err);
int state_save(int dirfd, const struct state *st, merr_t *err);
int state_remove(int rootfd, const char *id);
void state_free(struct state *st);

/* Live status: checks the process (and its start time), the fifo and the
 * freezer. */
enum cstatus state_status(int dirfd, const struct state *st);
/* The OCI state JSON (runc's shape: adds rootfs, created, owner). */
char *state_to_json(const struct state *st, enum cstatus status, const char *annotations_json);

/* NULL-terminated list of container ids under root. */
char **state_list(int rootfd);

char *now_rfc3339(void);

#endif

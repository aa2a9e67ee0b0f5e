/* cgroup.h: control groups on cgroup v1, v2 and hybrid hosts behind one
 * interface.
 *
 * A hybrid host has v1 controllers under /sys/fs/cgroup/<ctrl> and a
 * cgroup2 at /sys/fs/cgroup/unified. moat uses every hierarchy: the v1
 * ones for the controllers bound there, the unified one for membership and
 * for any controller that only exists on v2 there (hugetlb, on this kind of
 * host). */
#ifndef MOAT_CGROUP_H
#define MOAT_CGROUP_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <stdbool.h>
#include <sys/types.h>

enum cg_mode { CG_NONE, CG_V1, CG_V2, CG_HYBRID };

struct cg_hier {
    char *mnt;   /* mount point */
    char *root;  /* root of the mount within the hierarchy */
    char *ctrls; /* v1: "cpu,cpuacct" or "name=systemd"; v2: cgroup.controllers at the root */
    char *own;   /* this process' cgroup in the hierarchy */
    bool v2;
};

struct cg_host {
    enum cg_mode mode;
    struct cg_hier *h;
    size_t n;
};

/* A container's cgroup: one directory per hierarchy (NULL: not used). */
struct cg {
    char **dirs;
    size_t n;
    bool *created; /* leaf created by us (so we remove it) */
    const struct cg_host *host;
};

int cg_detect(struct cg_host *host, merr_t *err);
void cg_host_free(struct cg_host *host);
const char *cg_mode_name(enum cg_mode m);
/* Can this host weigh block I/O (v1: blkio.weight or BFQ's)? */
bool cg_host_has_blkio_weight(void);

/* Resolve cgroupsPath (absolute, relative to our own cgroup, or empty for
 * the default /moat/<id>) and create the directories. `optional`: a
 * hierarchy we may not write (rootless) is skipped instead of failing.
 *
 * Only what the config asks for: the cgroup v2 hierarchy (membership,
 * freezing, killing, ps) and the v1 hierarchies of the controllers in
 * `needed` (NULL-terminated; NULL means all). A v1-only host also gets the
 * freezer hierarchy, for membership and pause. */
int cg_create(const struct cg_host *host, const char *cgroups_path, const char *id, bool optional,
              const char *const *needed, struct cg *cg, merr_t *err);
/* cg_create in two halves, so that the directories can be recorded before
 * any is made: cg_resolve only computes them (no error is possible),
 * cg_make creates them (on failure it removes what it made and frees cg;
 * a skipped optional hierarchy's directory becomes NULL). */
int cg_resolve(const struct cg_host *host, const char *cgroups_path, const char *id,
               const char *const *needed, struct cg *cg);
int cg_make(struct cg *cg, bool optional, merr_t *err);
/* The v1 controllers a resources object uses (NULL-terminated, static). */
void cg_needed(const struct spec_resources *r, bool has, const char **out, size_t max);
/* Make sure the container has a directory in the hierarchy of `ctrl`
 * (update of a resource the container was created without): creates it
 * and moves the container's processes in. Returns 1 if it created one. */
int cg_ensure(struct cg *cg, const char *ctrl, merr_t *err);
/* The container's directories, NULL-terminated, for the state file. */
char **cg_dir_list(const struct cg *cg);
/* Rebuild from saved directories (later commands). */
void cg_from_dirs(const struct cg_host *host, char **dirs, size_t n, struct cg *cg);
void cg_free(struct cg *cg);

/* Directory of the hierarchy that has controller `ctrl`, or NULL. For v2
 * hierarchies the controller must be listed in cgroup.controllers. */
const char *cg_dir_for(const struct cg *cg, const char *ctrl, bool *v2);

int cg_enter(const struct cg *cg, pid_t pid, merr_t *err);

/* A new process joins its cgroups without the global lock a write of a pid
 * to cgroup.procs takes (cgroup_threadgroup_rwsem: an RCU grace period,
 * milliseconds, on every container start): it is cloned straight into the
 * v2 directory (clone3 CLONE_INTO_CGROUP), and writes "0" to each v1
 * hierarchy's `tasks` (moving only the calling thread of a single-threaded
 * process needs no lock). The files are opened by the parent beforehand, so
 * the kernel checks the parent's permissions. */
struct cg_join {
    int *fds;    /* the v1 tasks files */
    char **dirs; /* their directories, for errors */
    size_t n;
    int v2dir; /* O_PATH fd of the v2 directory, -1 if none */
};
int cg_join_open(const struct cg *cg, struct cg_join *j, merr_t *err);
/* In the new process: join the v1 hierarchies; drop the v2 handle. */
int cg_join_self(struct cg_join *j, merr_t *err);
void cg_join_close(struct cg_join *j);
int cg_apply(const struct cg *cg, const struct spec_resources *r, merr_t *err);
/* cg_apply for a new container: the device rules get the devices every
 * container has appended (mknod of any node; /dev/null, zero, full, tty,
 * random, urandom, console, ptmx, pts), as runc and crun do: the runtime
 * must provide those devices, so they must be usable. */
int cg_apply_container(const struct cg *cg, const struct spec_resources *r, merr_t *err);
/* pids of every process in the container's cgroup. */
int cg_pids(const struct cg *cg, pid_t **out, size_t *n, merr_t *err);
int cg_freeze(const struct cg *cg, bool freeze, merr_t *err);
bool cg_is_frozen(const struct cg *cg);
/* Signal every process; SIGKILL uses cgroup.kill where available. */
int cg_kill_all(const struct cg *cg, int sig, merr_t *err);
/* Remove the directories we created (kills what is left with SIGKILL). */
int cg_destroy(const struct cg *cg, merr_t *err);
/* Read one file of the container's cgroup (for stats and tests). */
int cg_read(const struct cg *cg, const char *ctrl, const char *file, char **out);

#endif

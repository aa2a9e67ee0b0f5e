/* ctr.h: the engine's containers in the store.
 *
 *   containers/ID/container.json  the record (Docker's inspect shape)
 *   containers/ID/bundle/         config.json for the runtime
 *   containers/ID/rootfs          where the overlay is mounted while it runs
 *   containers/ID/layer/          the container's own layer (rwlayer.h)
 *   containers/ID/log.N           its output, N = 1, 2, ... (logfile.h)
 *   containers/ID/monitor.lock    flock held by its monitor while it runs
 *   run/                          the runtime's state directory
 *
 * The root of every container is an overlay of the image's layers, each
 * presented through an idmapped mount with the container's own user
 * namespace range (taken from the top of moat's subordinate ids), so the
 * layers are shared by all containers and owned by root in each. */
#ifndef MOAT_CTR_H
#define MOAT_CTR_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>

#define CTR_USERNS_SIZE 65536

/* The runtime state directory inside the store. */
char *ctr_runtime_root(struct store *s);
/* Open (create) it. */
int ctr_runtime_rootfd(struct store *s, merr_t *err);

/* Remove whatever the runtime holds of the container (processes, cgroup,
 * state); nothing is an answer too. */
void ctr_runtime_delete(struct store *s, const char *id);

/* ids of all containers */
char **ctr_list(struct store *s);
/* full id from an id, a unique id prefix or a name */
int ctr_find(struct store *s, const char *what, char id[65], merr_t *err);
/* containers/ID as a directory fd */
int ctr_dirfd(struct store *s, const char *id, merr_t *err);
json_t *ctr_load(struct store *s, const char *id, merr_t *err);
/* Whoever changes a record (load, edit, save) holds this lock through it
 * (flock of containers/ID; close the fd to let go; -1 if no such
 * container): no change is lost to a concurrent one. Take no other lock
 * while holding it. */
int ctr_record_lock(struct store *s, const char *id);
int ctr_save(struct store *s, const char *id, json_t *rec, merr_t *err);

/* The first container whose record matches, as a short id in buf; NULL
 * if none does. */
/* ctr_first's match of a record named ctx (its name exactly) */
bool ctr_named(json_t *rec, const void *ctx);
const char *ctr_first(struct store *s, bool (*match)(json_t *rec, const void *ctx), const void *ctx,
                      char *buf, size_t n);
/* containers/ID/monitor.lock, which the monitor holds (LOCK_EX) for as
 * long as it lives; create: for writing, made if missing */
int ctr_lock_open(struct store *s, const char *id, bool create);
/* Is the container's monitor alive? */
bool ctr_monitor_alive(struct store *s, const char *id);
/* The monitor writes its pid into its lock once it holds it. */
void ctr_monitor_record_pid(int lockfd);
/* SIGKILL the container's monitor (rm -f of a container that is being
 * started, or whose start hangs): the pid in the lock file, if that
 * process holds the lock file open. 0 if it was signalled. */
int ctr_monitor_kill(struct store *s, const char *id);
/* Bring a record in line with reality: a container whose monitor is gone
 * is not running (moat was killed): mark it exited, remove what is left
 * of it in the runtime and unmount its root; the same for a container
 * whose monitor died while it started it. Returns the record. */
json_t *ctr_refresh(struct store *s, const char *id, merr_t *err);

/* Mount the overlay for the container (its layers and userns base in the
 * record) at containers/ID/rootfs. */
int ctr_mount_rootfs(struct store *s, const char *id, json_t *rec, merr_t *err);
void ctr_umount_rootfs(struct store *s, const char *id);
/* The same overlay, detached: a mount fd attached nowhere, gone with its
 * last fd (a killed moat leaves no mount behind). Only for a container
 * that is not running, with its monitor lock held. */
int ctr_rootfs_detached(struct store *s, const char *id, json_t *rec, merr_t *err);

/* A free user-namespace base for a new container (call under the lock). */
int ctr_alloc_userns(struct store *s, uint64_t *base, merr_t *err);
/* A name like Docker's "adjective_name", unused (under the lock). */
char *ctr_make_name(struct store *s);
/* Remove container directories without a record: creations that died
 * (a creation holds the lock from mkdir to record; call under it). */
void ctr_clean_partial(struct store *s);
/* Make the directory of a new container: its writable layer as lp says
 * (rwlayer.h, noted in rec), hosts, hostname, and the record rec last.
 * Under the lock; on failure nothing is left. */
struct rwl_plan;
int ctr_make(struct store *s, const char *id, json_t *rec, struct rwl_plan *lp, merr_t *err);
/* Remove a stopped container entirely. */
int ctr_remove(struct store *s, const char *id, merr_t *err);

/* The RFC 3339 time now, seconds precision plus nanoseconds. */
char *ctr_now(void);

/* Docker's exit status for a process that could not be run (err from the
 * runtime's exec): 127 not found, 126 found but not runnable; 0 when err
 * is another failure */
int ctr_exec_status(const merr_t *err);

#endif

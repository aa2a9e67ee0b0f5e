/* ctr_ns.c: --pid, --ipc and --uts (see ctr_ns.h). */
#include "ctr_ns.h"
#include "ctr.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *mode(json_t *hc, const char *k)
{
    return json_string_value(json_object_get(hc, k)) ?: "";
}

int ctr_ns_check(json_t *hc, bool userns, bool hostname, merr_t *err)
{
    if (strcmp(mode(hc, "PidMode"), "host") == 0 && userns)
        return err_set(err, 0,
                       "--pid host: the host's processes are shared only with --userns host (a "
                       "user namespace of the container's own cannot mount their /proc)");
    if (strcmp(mode(hc, "UTSMode"), "host") == 0 && hostname)
        return err_set(err, 0, "conflicting options: --hostname and --uts host");
    return 0;
}

static bool joins(json_t *hc, const char *k)
{
    return strncmp(mode(hc, k), "container:", 10) == 0;
}

bool ctr_ns_needs_seal(json_t *hc, bool userns)
{
    return (!userns && strcmp(mode(hc, "PidMode"), "host") == 0) || joins(hc, "PidMode") ||
           joins(hc, "IpcMode");
}

static const char *const join_keys[] = {"PidMode", "IpcMode", "NetworkMode"};
static const char *const join_flags[] = {"pid", "ipc", "network"};

int ctr_ns_join(struct store *s, json_t *hc, bool userns, bool *joined, uint64_t *base, merr_t *err)
{
    const char *const *keys = join_keys;
    *joined = false;
    for (size_t k = 0; k < ARRAY_SIZE(join_keys); k++) {
        if (!joins(hc, keys[k]))
            continue;
        const char *name = mode(hc, keys[k]) + 10;
        char id[65];
        json_t *rec;
        if (ctr_find(s, name, id, err) < 0 || !(rec = ctr_load(s, id, err)))
            return err_wrap(err, "--%s container:%s", join_flags[k], name);
        uint64_t b = (uint64_t)json_integer_value(json_object_get(rec, "UsernsBase"));
        json_decref(rec);
        if ((b != 0) != userns)
            return err_set(err, 0,
                           "--%s container:%s: that container %s a user namespace of its own; "
                           "a container joins its namespaces only %s",
                           join_flags[k], name, b ? "has" : "has no",
                           b ? "without --userns host" : "with --userns host");
        if (*joined && b != *base)
            return err_set(err, 0,
                           "--pid, --ipc and --network name containers of different user "
                           "namespaces");
        *joined = true;
        *base = b;
        json_object_set_new(hc, keys[k], json_sprintf("container:%s", id));
    }
    return 0;
}

static void drop(json_t *lin, const char *type)
{
    json_t *ns = json_object_get(lin, "namespaces");
    for (size_t i = 0; i < json_array_size(ns); i++)
        if (strcmp(mode(json_array_get(ns, i), "type"), type) == 0) {
            json_array_remove(ns, i);
            return;
        }
}

/* the mount of config.json c at dst: removed */
static void drop_mount(json_t *c, const char *dst)
{
    json_t *ms = json_object_get(c, "mounts");
    for (size_t i = 0; i < json_array_size(ms); i++)
        if (strcmp(mode(json_array_get(ms, i), "destination"), dst) == 0) {
            json_array_remove(ms, i);
            return;
        }
}

/* the pid of the running container id, checked to be in the user
 * namespace of the range at base (a pid reused by another process is not) */
static int init_pid(struct store *s, const char *id, int64_t *pid, merr_t *err)
{
    json_t *rec = ctr_refresh(s, id, err);
    if (!rec)
        return -1;
    json_t *st = json_object_get(rec, "State");
    *pid = json_integer_value(json_object_get(st, "Pid"));
    uint64_t base = (uint64_t)json_integer_value(json_object_get(rec, "UsernsBase"));
    bool running = json_is_true(json_object_get(st, "Running"));
    json_decref(rec);
    if (!running || *pid <= 0)
        return err_set(err, 0, "container %.12s, whose namespaces this one joins, is not running",
                       id);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%" PRId64 "/uid_map", *pid);
    cleanup_free char *map = NULL;
    uint64_t in = 1, out = 0;
    if (read_file_at(AT_FDCWD, path, &map, NULL, err) < 0 ||
        sscanf(map, "%" SCNu64 " %" SCNu64, &in, &out) != 2 || in != 0 || (base && out != base) ||
        (!base && out != 0))
        return err_set(err, 0, "container %.12s: its init (pid %" PRId64 ") is gone", id, *pid);
    return 0;
}

/* namespace type of lin joined at /proc/pid/ns/NAME */
static void join_ns(json_t *lin, const char *type, const char *name, int64_t pid)
{
    drop(lin, type);
    json_array_append_new(json_object_get(lin, "namespaces"),
                          json_pack("{s:s,s:o}", "type", type, "path",
                                    json_sprintf("/proc/%" PRId64 "/ns/%s", pid, name)));
}

/* "container:ID" modes: the namespaces of its init, and its user
 * namespace (its id range is this container's too) */
static int join_oci(struct store *s, json_t *lin, json_t *hc, merr_t *err)
{
    static const char *const types[] = {"pid", "ipc", "network"};
    static const char *const files[] = {"pid", "ipc", "net"};
    bool user = false;
    for (size_t k = 0; k < ARRAY_SIZE(join_keys); k++) {
        if (!joins(hc, join_keys[k]))
            continue;
        int64_t pid;
        if (init_pid(s, mode(hc, join_keys[k]) + 10, &pid, err) < 0)
            return -1;
        join_ns(lin, types[k], files[k], pid);
        if (!user && json_object_get(lin, "uidMappings")) {
            join_ns(lin, "user", "user", pid);
            json_object_del(lin, "uidMappings");
            json_object_del(lin, "gidMappings");
        }
        user = true;
    }
    return 0;
}

int ctr_ns_oci(struct store *s, json_t *c, json_t *hc, merr_t *err)
{
    json_t *lin = json_object_get(c, "linux");
    if (join_oci(s, lin, hc, err) < 0)
        return -1;
    if (strcmp(mode(hc, "PidMode"), "host") == 0)
        drop(lin, "pid");
    if (strcmp(mode(hc, "UTSMode"), "host") == 0) {
        drop(lin, "uts");
        json_object_del(c, "hostname");
        json_object_del(c, "domainname");
    }
    const char *ipc = mode(hc, "IpcMode");
    if (strcmp(ipc, "host") == 0) {
        drop(lin, "ipc");
        drop_mount(c, "/dev/mqueue");
        drop_mount(c, "/dev/shm");
        json_array_append_new(json_object_get(c, "mounts"),
                              json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", "/dev/shm",
                                        "type", "bind", "source", "/dev/shm", "options", "rbind",
                                        "nosuid", "nodev", "noexec"));
    } else if (strcmp(ipc, "none") == 0) {
        drop_mount(c, "/dev/shm");
    }
    return 0;
}

/* ctr_ns.c: --pid, --ipc and --uts (HostConfig's PidMode, IpcMode and
 * UTSMode): which of the container's namespaces are the host's. */
#include "ctr_res.h"
#include "../util/util.h"

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

bool ctr_ns_host_pid(json_t *hc, bool userns)
{
    return !userns && strcmp(mode(hc, "PidMode"), "host") == 0;
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

void ctr_ns_oci(json_t *c, json_t *hc)
{
    json_t *lin = json_object_get(c, "linux");
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
}

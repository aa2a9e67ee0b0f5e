/* network_connect.c: `network connect` and `network disconnect` of a
 * container, running or not (see network.h). The record changes under
 * the store lock and the container's record lock; a running container's
 * endpoint is made or removed through its init's network namespace, the
 * init pinned with a pidfd. */
#include "ctr.h"
#include "ctr_net.h"
#include "ctr_netrun.h"
#include "network_rec.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *nets_of(json_t *rec)
{
    json_t *ns = json_object_get(rec, "NetworkSettings");
    if (!json_is_object(ns))
        json_object_set_new(rec, "NetworkSettings", ns = json_object());
    json_t *nets = json_object_get(ns, "Networks");
    if (!json_is_object(nets))
        json_object_set_new(ns, "Networks", nets = json_object());
    return nets;
}

/* the container's network namespace, if it runs: its init pinned by a
 * pidfd before and after the open (-1 and no error: not running) */
static int netns_of(struct store *s, const char *id, merr_t *err)
{
    cleanup_close int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return -1;
    pid_t pid;
    merr_t e = MERR_INIT;
    int pfd = rt_pidfd(rootfd, id, &pid, &e);
    if (pfd < 0) {
        err_clear(&e);
        return -1;
    }
    char p[64];
    snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) < 0) {
        close(fd);
        fd = -1;
    }
    close(pfd);
    return fd;
}

/* ethN: the first N no endpoint of the record has */
static char *free_ifname(json_t *rec)
{
    json_t *names = json_object_get(rec, "NetIfnames");
    for (unsigned n = 0;; n++) {
        char want[16];
        snprintf(want, sizeof(want), "eth%u", n);
        bool used = false;
        const char *k;
        json_t *v;
        json_object_foreach(names, k, v)
        {
            used = used || strcmp(json_string_value(v) ?: "", want) == 0;
        }
        if (!used)
            return xstrdup(want);
    }
}

static int connect_locked(struct store *s, const struct network *n, const char *id, json_t *rec,
                          json_t *epcfg, merr_t *err)
{
    const char *mode = ctr_net_mode(rec);
    if (!ctr_net_is_network(mode))
        return err_set(err, 0,
                       "container %.12s: its network mode is %s: a container sharing a network "
                       "namespace (none, host, container:) cannot be connected to a network",
                       id, mode);
    if (!n->device)
        return err_set(err, 0, "container cannot be connected to the %s network", n->name);
    json_t *nets = nets_of(rec);
    if (json_object_get(nets, n->name))
        return err_set(err, 0, "endpoint with name %s already exists in network %s",
                       str(rec, "Name") ?: id, n->name);
    if (ctr_net_aliases_check(json_object_get(epcfg, "Aliases"), "--alias", err) < 0)
        return -1;
    if (n->index == 0 && epcfg && (json_object_get(epcfg, "Aliases")))
        return err_set(err, 0,
                       "network-scoped aliases are only supported for user-defined "
                       "networks");
    char *ip = NULL;
    const char *want = str(json_object_get(epcfg, "IPAMConfig"), "IPv4Address");
    if (network_ip_alloc(s, n, id, want, &ip, err) < 0)
        return -1;
    json_t *ep = ctr_net_endpoint(rec, n, ip, epcfg);
    free(ip);
    json_object_set_new(nets, n->name, ep);
    json_t *names = json_object_get(rec, "NetIfnames");
    if (!json_is_object(names))
        json_object_set_new(rec, "NetIfnames", names = json_object());
    char *ifname = free_ifname(rec);
    json_object_set_new(names, n->name, json_string(ifname));
    free(ifname);
    return 0;
}

/* the running container's endpoint on n */
static int connect_live(struct store *s, const struct network *n, const char *id, json_t *rec,
                        merr_t *err)
{
    cleanup_close int ns = netns_of(s, id, err);
    if (ns < 0)
        return err->msg ? -1 : 0;
    json_t *ep = json_object_get(nets_of(rec), n->name);
    const char *ifname = str(json_object_get(rec, "NetIfnames"), n->name) ?: "eth1";
    return ctr_netrun_attach(s, id, n, ep, ifname, ns, err);
}

int network_connect(struct store *s, const char *net, const char *ctr, json_t *epcfg, merr_t *err)
{
    char id[65];
    struct network n;
    if (ctr_find(s, ctr, id, err) < 0)
        return -1;
    if (store_lock(s, err) < 0)
        return -1;
    int r = -1;
    if (network_find_in(s, true, net, &n, err) < 0) {
        store_unlock(s);
        return -1;
    }
    int rl = ctr_record_lock(s, id);
    json_t *rec = ctr_load(s, id, err);
    if (rec && connect_locked(s, &n, id, rec, epcfg, err) == 0 && ctr_save(s, id, rec, err) == 0)
        r = 0;
    if (rl >= 0)
        close(rl);
    store_unlock(s);
    if (r == 0 && connect_live(s, &n, id, rec, err) < 0) {
        merr_t e = MERR_INIT; /* undone: not connected */
        network_disconnect(s, n.name, id, true, &e);
        err_clear(&e);
        r = -1;
    }
    json_decref(rec);
    network_free(&n);
    return r;
}

int network_disconnect(struct store *s, const char *net, const char *ctr, bool force, merr_t *err)
{
    char id[65];
    struct network n;
    (void)force;
    if (ctr_find(s, ctr, id, err) < 0)
        return -1;
    if (store_lock(s, err) < 0)
        return -1;
    if (network_find_in(s, true, net, &n, err) < 0) {
        store_unlock(s);
        return -1;
    }
    int r = -1;
    int rl = ctr_record_lock(s, id);
    json_t *rec = ctr_load(s, id, err);
    json_t *nets = rec ? nets_of(rec) : NULL;
    if (rec && !json_object_get(nets, n.name)) {
        err_set(err, 0, "container %.12s is not connected to network %s", id, n.name);
    } else if (rec) {
        json_object_del(nets, n.name);
        json_object_del(json_object_get(rec, "NetIfnames"), n.name);
        if (ctr_save(s, id, rec, err) == 0) {
            network_ip_release(s, &n, id, err);
            r = 0;
        }
    }
    if (rl >= 0)
        close(rl);
    store_unlock(s);
    if (r == 0 && n.device)
        r = ctr_netrun_detach(s, id, &n, err);
    json_decref(rec);
    network_free(&n);
    return r;
}

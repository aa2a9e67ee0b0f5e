/* net_fw.c: endpoints in the store and the firewall made from them (see
 * net_fw.h). */
#include "net_fw.h"
#include "ctr.h"
#include "net_run.h"
#include "network_rec.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define EP_DIR "endpoints"
#define FORWARD_MARK "ip_forward_set" /* moat turned ip_forward on */

static int ep_dir(struct store *s, merr_t *err)
{
    if (mkdirat(s->fd, EP_DIR, 0700) < 0 && errno != EEXIST)
        return err_sys(err, "create %s/%s", s->root, EP_DIR);
    int d = openat(s->fd, EP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    return d < 0 ? err_sys(err, "open %s/%s", s->root, EP_DIR) : d;
}

/* a stream over directory fd d from its start: the stream shares the
 * offset of d (dup), which an earlier scan may have left at the end */
static DIR *scan(int d)
{
    DIR *dir = fdopendir(dup(d));
    if (dir)
        rewinddir(dir);
    return dir;
}

/* any endpoint file in the store at root (a store with running
 * containers on its networks) */
static bool store_busy(const char *root)
{
    cleanup_free char *dir = xasprintf("%s/%s", root, EP_DIR);
    DIR *d = opendir(dir);
    struct dirent *de;
    bool busy = false;
    while (d && !busy && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        busy = l > 5 && strcmp(de->d_name + l - 5, ".json") == 0;
    }
    if (d)
        closedir(d);
    return busy;
}

/* The file naming the store whose networks this network namespace has:
 * its bridges moat0, moat1, ... and moat's tables are one store's at a
 * time, while that store has running endpoints. */
static char *owner_path(void)
{
    struct stat st;
    if (stat("/proc/self/ns/net", &st) < 0)
        return NULL;
    return xasprintf("/run/moat-net.%lu", (unsigned long)st.st_ino);
}

/* this store's now, unless another store with running endpoints has it */
static int claim(struct store *s, merr_t *err)
{
    cleanup_free char *path = owner_path();
    if (!path)
        return err_sys(err, "stat /proc/self/ns/net");
    cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) < 0)
        return err_sys(err, "open %s", path);
    cleanup_free char *text = NULL;
    if (read_fd(fd, &text, NULL) < 0)
        return err_sys(err, "read %s", path);
    size_t n = strcspn(text, "\n");
    text[n] = 0;
    if (strcmp(text, s->root) == 0)
        return 0;
    if (*text && store_busy(text))
        return err_set(err, 0,
                       "this host's moat networks (moat0, ...) are in use by the store at %s: "
                       "two stores cannot both run containers on networks",
                       text);
    cleanup_free char *line = xasprintf("%s\n", s->root);
    if (ftruncate(fd, 0) < 0 || pwrite(fd, line, strlen(line), 0) != (ssize_t)strlen(line))
        return err_sys(err, "write %s", path);
    return 0;
}

void net_release(struct store *s)
{
    cleanup_free char *path = owner_path();
    if (!path || store_busy(s->root))
        return;
    cleanup_close int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd < 0 || flock(fd, LOCK_EX) < 0 || read_fd(fd, &text, NULL) < 0)
        return;
    text[strcspn(text, "\n")] = 0;
    if (strcmp(text, s->root) == 0)
        unlink(path);
}

int net_lock(struct store *s, merr_t *err)
{
    cleanup_close int d = ep_dir(s, err);
    if (d < 0)
        return -1;
    int fd = openat(d, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_sys(err, "open %s/%s/lock", s->root, EP_DIR);
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR) {
            close(fd);
            return err_sys(err, "lock %s/%s/lock", s->root, EP_DIR);
        }
    if (claim(s, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool veth_name_ok(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    return n > 2 && n < IF_NAMESIZE && strncmp(v, "mv", 2) == 0 &&
           strspn(v + 2, "0123456789abcdef") == n - 2;
}

static json_t *ports_json(const struct port_map *p, size_t n, const char *ip, const char *br)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char hip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &p[i].host_ip, hip, sizeof(hip));
        json_array_append_new(a, json_pack("{s:s,s:s,s:i,s:s,s:i,s:s}", "proto",
                                           p[i].udp ? "udp" : "tcp", "host_ip", hip, "host_port",
                                           p[i].host_port, "ip", ip, "port", p[i].ctr_port,
                                           "bridge", br));
    }
    return a;
}

static json_t *network_json(const struct network *v)
{
    cleanup_free char *sub = net4_cidr_str(v->subnet);
    cleanup_free char *gw = net4_addr_str(v->gateway);
    return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b}", "bridge", v->device, "subnet", sub, "gateway", gw,
                     "icc", v->icc, "internal", v->internal || !v->masquerade, "host_access",
                     v->host_access);
}

/* the networks' part of the state; only that of bridge `device` if given */
static json_t *networks_json(struct store *s, const char *device)
{
    size_t n = 0;
    struct network *v = network_list_all(s, true, &n);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!v[i].device || strcmp(v[i].driver, "bridge") != 0 ||
            (device && strcmp(v[i].device, device) != 0))
            continue;
        json_array_append_new(a, network_json(&v[i]));
    }
    network_all_free(v, n);
    return a;
}

/* the endpoints' part, with what earlier commands left cleaned up */
/* fn(veth, its file's record or NULL when it cannot be read, ctx) for each
 * endpoint file of directory d, until fn returns true; whether one did */
static bool each_ep(int d, bool (*fn)(int d, const char *veth, json_t *ep, void *ctx), void *ctx)
{
    DIR *dir = scan(d);
    struct dirent *de;
    bool stop = false;
    while (dir && !stop && (de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        cleanup_free char *veth = xstrndup(de->d_name, l - 5), *text = NULL;
        merr_t e = MERR_INIT;
        json_t *ep =
            read_file_at(d, de->d_name, &text, NULL, &e) == 0 ? json_loads(text, 0, NULL) : NULL;
        err_clear(&e);
        stop = fn(d, veth, ep, ctx);
        json_decref(ep);
    }
    if (dir)
        closedir(dir);
    return stop;
}

/* an endpoint (its file's record ep) whose container's monitor is gone:
 * its veth may outlive it a moment (a network namespace goes away in the
 * kernel's own time), its elements and ports must not */
static bool ep_orphan(struct store *s, json_t *ep)
{
    const char *id = json_string_value(json_object_get(ep, "container"));
    return !id || strlen(id) != 64 || !ctr_monitor_alive(s, id);
}

struct gather {
    struct store *s;
    json_t *eps, *ports;
};

/* a live endpoint into the state; a dead one's file removed */
static bool gather_one(int d, const char *veth, json_t *ep, void *ctx)
{
    struct gather *g = ctx;
    if (!veth_name_ok(veth) || !ep || if_nametoindex(veth) == 0 || ep_orphan(g->s, ep)) {
        cleanup_free char *f = xasprintf("%s.json", veth);
        unlinkat(d, f, 0); /* its veth is gone with its container */
        return false;
    }
    json_array_append_new(g->eps,
                          json_pack("{s:s,s:O,s:O,s:O}", "veth", veth, "bridge",
                                    json_object_get(ep, "bridge"), "ip", json_object_get(ep, "ip"),
                                    "mac", json_object_get(ep, "mac")));
    json_array_extend(g->ports, json_object_get(ep, "ports"));
    return false;
}

static void endpoints_json(struct store *s, int d, json_t *eps, json_t *ports)
{
    struct gather g = {s, eps, ports};
    each_ep(d, gather_one, &g);
}

/* veths "mv..." that no file names: their setup was killed */
static void stray_veths(struct store *s, int d)
{
    struct if_nameindex *ifs = if_nameindex();
    for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
        if (!veth_name_ok(i->if_name))
            continue;
        cleanup_free char *f = xasprintf("%s.json", i->if_name);
        if (faccessat(d, f, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            continue;
        merr_t e = MERR_INIT;
        net_ep_down(s, i->if_name, &e);
        err_clear(&e);
    }
    if (ifs)
        if_freenameindex(ifs);
}

/* whether an earlier command left something for a whole apply to clean:
 * a file whose veth is gone, a veth "mv..." without a file */
static bool stale_one(int d, const char *veth, json_t *ep, void *ctx)
{
    (void)d;
    return !veth_name_ok(veth) || if_nametoindex(veth) == 0 || !ep || ep_orphan(ctx, ep);
}

static bool stale(struct store *s, int d)
{
    bool found = each_ep(d, stale_one, s);
    struct if_nameindex *ifs = found ? NULL : if_nameindex();
    for (struct if_nameindex *i = ifs; i && i->if_index && !found; i++) {
        cleanup_free char *f = xasprintf("%s.json", i->if_name);
        found = veth_name_ok(i->if_name) && faccessat(d, f, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
    }
    if (ifs)
        if_freenameindex(ifs);
    return found;
}

int net_fw_apply(struct store *s, merr_t *err)
{
    cleanup_close int d = ep_dir(s, err);
    if (d < 0)
        return -1;
    stray_veths(s, d);
    json_t *eps = json_array(), *ports = json_array();
    endpoints_json(s, d, eps, ports);
    bool guard = faccessat(d, FORWARD_MARK, F_OK, 0) == 0;
    json_t *req =
        json_pack("{s:s,s:o,s:o,s:o,s:b}", "op", "firewall", "networks", networks_json(s, NULL),
                  "endpoints", eps, "ports", ports, "forward_guard", guard);
    int r = net_run(req, -1, NULL, err);
    json_decref(req);
    return r < 0 ? err_wrap(err, "apply moat's firewall") : 0;
}

/* the endpoint's part of the firewall (moat-net's fwpart.h): its
 * network, itself, its ports; NULL if its network is not in the store */
static json_t *fw_part(struct store *s, const struct net_ep *ep)
{
    json_t *nets = networks_json(s, ep->bridge);
    if (json_array_size(nets) != 1) {
        json_decref(nets);
        return NULL;
    }
    return json_pack("{s:o,s:[{s:s,s:s,s:s,s:s}],s:o}", "networks", nets, "endpoints", "veth",
                     ep->veth, "bridge", ep->bridge, "ip", ep->ip, "mac", ep->mac, "ports",
                     ports_json(ep->ports, ep->nports, ep->ip, ep->bridge));
}

/* moat-net changed the endpoint's elements ("firewall": "ok") and nothing
 * else is left to clean: no whole apply needed */
static bool fw_done(struct store *s, json_t *reply, int d)
{
    const char *fw = json_string_value(json_object_get(reply, "firewall"));
    return fw && strcmp(fw, "ok") == 0 && !stale(s, d);
}

static bool mac_parse(const char *s, uint8_t m[6])
{
    char end;
    return s && strlen(s) == 17 &&
           sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%c", &m[0], &m[1], &m[2], &m[3], &m[4],
                  &m[5], &end) == 6;
}

/* Another live endpoint (a file whose veth exists) with the MAC address
 * mac: its container's id in owner. Two ports with one MAC would take
 * each other's frames on a bridge, and the firewall, which keys its
 * anti-spoofing on the MAC, refuses a state with two (a whole apply would
 * fail for every container until one of them stops). */
struct mac_query {
    const char *veth;
    uint8_t want[6];
    char *owner; /* 13 bytes */
};

static bool mac_one(int d, const char *veth, json_t *ep, void *ctx)
{
    (void)d;
    struct mac_query *q = ctx;
    uint8_t have[6];
    if (strcmp(veth, q->veth) == 0 || !ep || if_nametoindex(veth) == 0 ||
        !mac_parse(json_string_value(json_object_get(ep, "mac")), have) ||
        memcmp(q->want, have, 6) != 0)
        return false;
    snprintf(q->owner, 13, "%s", json_string_value(json_object_get(ep, "container")) ?: "");
    return true;
}

static bool mac_taken(int d, const char *veth, const char *mac, char owner[13])
{
    struct mac_query q = {veth, {0}, owner};
    return mac_parse(mac, q.want) && each_ep(d, mac_one, &q);
}

int net_ep_up(struct store *s, const struct net_ep *ep, json_t *setup, int nsfd, merr_t *err)
{
    cleanup_close int d = ep_dir(s, err);
    if (d < 0)
        return -1;
    if (!veth_name_ok(ep->veth))
        return err_set(err, 0, "internal error: veth name \"%s\"", ep->veth);
    char owner[13];
    if (mac_taken(d, ep->veth, ep->mac, owner))
        return err_set(err, 0, "MAC address %s is already in use by container %s", ep->mac, owner);
    json_t *part = fw_part(s, ep);
    json_t *rec =
        json_pack("{s:s,s:s,s:s,s:s,s:o}", "container", ep->ctr, "bridge", ep->bridge, "ip", ep->ip,
                  "mac", ep->mac, "ports", ports_json(ep->ports, ep->nports, ep->ip, ep->bridge));
    if (part) {
        json_object_set(rec, "firewall", part);
        json_object_set_new(setup, "firewall", part);
    }
    cleanup_free char *text = json_dumps(rec, JSON_COMPACT);
    cleanup_free char *name = xasprintf("%s.json", ep->veth);
    json_decref(rec);
    /* a file of this name is what an earlier run of the same endpoint
     * left (killed): its elements may differ from the new ones */
    bool leftover = faccessat(d, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
    if (atomic_write_at(d, name, text, strlen(text), 0600, err) < 0)
        return -1;
    json_t *reply = NULL;
    if (net_run(setup, nsfd, &reply, err) < 0) {
        unlinkat(d, name, 0);
        return err_wrap(err, "connect to %s", ep->bridge);
    }
    bool forward = json_is_true(json_object_get(reply, "ip_forward_set"));
    if (forward)
        close(openat(d, FORWARD_MARK, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    bool done = !forward && !leftover && fw_done(s, reply, d);
    json_decref(reply);
    if (!done && net_fw_apply(s, err) < 0) {
        merr_t e = MERR_INIT;
        net_ep_down(s, ep->veth, &e);
        err_clear(&e);
        return -1;
    }
    return 0;
}

/* the "firewall" part its file recorded, or NULL */
static json_t *recorded_part(int d, const char *name)
{
    cleanup_free char *text = NULL;
    merr_t e = MERR_INIT;
    if (read_file_at(d, name, &text, NULL, &e) < 0) {
        err_clear(&e);
        return NULL;
    }
    json_t *rec = json_loads(text, 0, NULL);
    json_t *part = json_incref(json_object_get(rec, "firewall"));
    json_decref(rec);
    return part;
}

int net_ep_down(struct store *s, const char *veth, merr_t *err)
{
    cleanup_close int d = ep_dir(s, err);
    if (d < 0)
        return -1;
    cleanup_free char *name = xasprintf("%s.json", veth);
    json_t *part = recorded_part(d, name), *reply = NULL;
    json_t *req = json_pack("{s:s,s:s}", "op", "teardown", "veth", veth);
    if (part)
        json_object_set_new(req, "firewall", part);
    int r = net_run(req, -1, &reply, err);
    json_decref(req);
    if (unlinkat(d, name, 0) < 0 && errno != ENOENT && r == 0)
        r = err_sys(err, "remove %s/%s", EP_DIR, name);
    if (r == 0 && !fw_done(s, reply, d))
        r = 1;
    json_decref(reply);
    return r;
}

int net_fw_reload(struct store *s, merr_t *err)
{
    int lock = net_lock(s, err);
    if (lock < 0)
        return -1;
    int r = net_fw_apply(s, err);
    close(lock);
    return r;
}

int net_bridge_remove(struct store *s, const char *device, merr_t *err)
{
    int lock = net_lock(s, err);
    if (lock < 0)
        return -1;
    json_t *req = json_pack("{s:s,s:s}", "op", "bridge-rm", "bridge", device);
    int r = net_run(req, -1, NULL, err);
    json_decref(req);
    if (r == 0)
        r = net_fw_apply(s, err);
    close(lock);
    return r < 0 ? err_wrap(err, "remove bridge %s", device) : 0;
}

struct of_ctr {
    const char *id;
    char **veths;
};

static bool of_ctr_one(int d, const char *veth, json_t *ep, void *ctx)
{
    (void)d;
    struct of_ctr *c = ctx;
    if (strcmp(json_string_value(json_object_get(ep, "container")) ?: "", c->id) == 0)
        strv_push(&c->veths, veth);
    return false;
}

int net_ep_down_ctr(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    cleanup_close int d = ep_dir(s, &e);
    err_clear(&e);
    if (d < 0)
        return 0;
    struct of_ctr c = {id, NULL};
    each_ep(d, of_ctr_one, &c);
    int n = 0;
    for (size_t i = 0; c.veths && c.veths[i]; i++) {
        n += net_ep_down(s, c.veths[i], &e) != 0;
        err_clear(&e);
    }
    strv_free(c.veths);
    return n;
}

/* a file endpoints/mvID9*.json: the endpoint of a container whose id
 * starts with those nine digits (a cheap check before the lock) */
static bool has_endpoint(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    cleanup_close int d = ep_dir(s, &e);
    err_clear(&e);
    DIR *dir = d < 0 ? NULL : scan(d);
    struct dirent *de;
    char prefix[16];
    snprintf(prefix, sizeof(prefix), "mv%.9s", id);
    bool found = false;
    while (dir && !found && (de = readdir(dir)))
        found = strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    if (dir)
        closedir(dir);
    return found;
}

void net_cleanup_ctr(struct store *s, const char *id)
{
    if (!has_endpoint(s, id))
        return;
    merr_t e = MERR_INIT;
    int lock = net_lock(s, &e);
    if (lock >= 0 && net_ep_down_ctr(s, id) > 0)
        net_fw_apply(s, &e);
    err_clear(&e);
    if (lock >= 0) {
        net_release(s);
        close(lock);
    }
}

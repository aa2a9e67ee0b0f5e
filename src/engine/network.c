/* network.c: network records, the built-in networks, lookup and create
 * (see network.h). */
#include "network.h"
#include "ctr.h"
#include "volume.h"
#include "../util/fs.h"
#include "network_rec.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NET_DIR "networks"

bool network_predefined(const char *name)
{
    return !strcmp(name, "bridge") || !strcmp(name, "host") || !strcmp(name, "none") ||
           !strcmp(name, "default");
}

bool network_name_ok(const char *n)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
    return n[0] && n[0] != '.' && n[0] != '_' && n[0] != '-' && strlen(n) <= 128 &&
           strspn(n, chars) == strlen(n);
}

void network_free(struct network *n)
{
    free(n->name);
    free(n->driver);
    free(n->device);
    json_decref(n->rec);
    memset(n, 0, sizeof(*n));
}

bool network_hex64(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* Docker's bool options (strconv.ParseBool) */
static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
        if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
            *out = !strcmp(v, yes[i]);
            return 0;
        }
    return -1;
}

/* an option of a network: known, and its value good; into n when given */
int network_option_check(const char *k, const char *v, struct network *n, merr_t *err)
{
    bool b;
    uint64_t mtu;
    if (!strcmp(k, NETOPT_ICC) || !strcmp(k, NETOPT_MASQ) || !strcmp(k, NETOPT_HOST_ACCESS)) {
        if (parse_bool(v, &b) < 0)
            return err_set(err, 0, "--opt %s=%.64s: true or false", k, v);
        if (n && !strcmp(k, NETOPT_ICC))
            n->icc = b;
        else if (n && !strcmp(k, NETOPT_MASQ))
            n->masquerade = b;
        else if (n)
            n->host_access = b;
        return 0;
    }
    if (!strcmp(k, NETOPT_MTU)) {
        if (parse_u64(v, &mtu) < 0 || mtu < 68 || mtu > 65535)
            return err_set(err, 0, "--opt %s=%.64s: an MTU from 68 to 65535", k, v);
        if (n)
            n->mtu = (unsigned)mtu;
        return 0;
    }
    return err_set(err, 0,
                   "--opt %.128s: not an option moat's bridge driver takes (it takes %s, %s, "
                   "%s and %s)",
                   k, NETOPT_ICC, NETOPT_MTU, NETOPT_MASQ, NETOPT_HOST_ACCESS);
}

/* The typed view of a record read back from the store; -1 if it does not
 * hold together. Takes rec. */
static int from_record(json_t *rec, const char *id, struct network *n)
{
    memset(n, 0, sizeof(*n));
    json_t *ipam = json_array_get(json_object_get(json_object_get(rec, "IPAM"), "Config"), 0);
    json_t *moat = json_object_get(rec, "Moat");
    const char *name = json_string_value(json_object_get(rec, "Name"));
    const char *rid = json_string_value(json_object_get(rec, "Id"));
    const char *sub = json_string_value(json_object_get(ipam, "Subnet"));
    const char *gw = json_string_value(json_object_get(ipam, "Gateway"));
    json_int_t idx = json_integer_value(json_object_get(moat, "Index"));
    const char *dev = json_string_value(json_object_get(moat, "Device"));
    merr_t e = MERR_INIT;
    cleanup_free char *want_dev = xasprintf("moat%lld", (long long)idx);
    bool ok = json_is_object(rec) && name && rid && !strcmp(rid, id) && network_hex64(id) &&
              network_name_ok(name) && sub && gw && dev && !strcmp(dev, want_dev) && idx >= 0 &&
              idx <= NETWORK_INDEX_MAX && (idx == 0) == !strcmp(name, NETWORK_DEFAULT) &&
              !strcmp(json_string_value(json_object_get(rec, "Driver")) ?: "", "bridge") &&
              net4_parse_cidr(sub, "record", &n->subnet, &e) == 0 &&
              net4_parse_addr(gw, &n->gateway) == 0 && net4_contains(n->subnet, n->gateway) &&
              n->subnet.prefix <= 30;
    err_clear(&e);
    n->icc = idx != 0;
    n->masquerade = true;
    n->mtu = 1500;
    const char *k;
    json_t *v;
    json_object_foreach(ok ? json_object_get(rec, "Options") : NULL, k, v)
    {
        /* the default network's own (Docker's) are shown, not options */
        if (idx == 0 && strcmp(k, NETOPT_ICC) && strcmp(k, NETOPT_MASQ) && strcmp(k, NETOPT_MTU))
            continue;
        if (!json_is_string(v) || network_option_check(k, json_string_value(v), n, &e) < 0)
            ok = false;
        err_clear(&e);
    }
    if (!ok) {
        json_decref(rec);
        memset(n, 0, sizeof(*n));
        return -1;
    }
    snprintf(n->id, sizeof(n->id), "%s", id);
    n->name = xstrdup(name);
    n->driver = xstrdup("bridge");
    n->device = xstrdup(dev);
    n->index = (unsigned)idx;
    n->internal = json_is_true(json_object_get(rec, "Internal"));
    n->rec = rec;
    return 0;
}

static int load(struct store *s, const char *id, struct network *n)
{
    if (!network_hex64(id))
        return -1;
    cleanup_free char *rel = xasprintf(NET_DIR "/%s.json", id);
    cleanup_close int fd = openat(s->fd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd < 0 || read_regular_fd(fd, 1 << 16, &text, NULL) < 0)
        return -1;
    return from_record(json_loads(text, 0, NULL), id, n);
}

static char *keep_record(const char *name, void *ctx)
{
    (void)ctx;
    size_t l = strlen(name);
    return l == 69 && !strcmp(name + 64, ".json") ? xstrndup(name, 64) : NULL;
}

/* every record that holds together, *n of them */
static struct network *load_all(struct store *s, size_t *n)
{
    char **ids = dir_collect(s->fd, NET_DIR, keep_record, NULL);
    struct network *v = xzalloc((strv_len(ids) + 3) * sizeof(*v));
    *n = 0;
    for (size_t i = 0; ids[i]; i++)
        if (load(s, ids[i], &v[*n]) == 0)
            (*n)++;
    strv_free(ids);
    return v;
}

void network_all_free(struct network *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        network_free(&v[i]);
    free(v);
}

int network_write_record(struct store *s, const char *id, json_t *rec, merr_t *err)
{
    if (mkdirat(s->fd, NET_DIR, 0700) < 0 && errno != EEXIST)
        return err_sys(err, "create %s/", NET_DIR);
    cleanup_close int dfd = openat(s->fd, NET_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free char *text = json_dumps(rec, JSON_INDENT(2));
    cleanup_free char *file = xasprintf("%s.json", id);
    if (dfd < 0)
        return err_sys(err, "open %s/", NET_DIR);
    return atomic_write_at(dfd, file, text, strlen(text), 0600, err);
}

/* A record in Docker's shape (options and labels taken) */
json_t *network_make_record(const char *name, const char *id, const char *subnet, const char *gw,
                            bool internal, bool attachable, json_t *opts, json_t *labels,
                            unsigned index)
{
    cleanup_free char *now = ctr_now();
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:{s:s,s:{},s:[{s:s,s:s}]},s:b,s:b,s:b,"
                     "s:{s:s},s:b,s:o,s:o,s:{s:o,s:i}}",
                     "Name", name, "Id", id, "Created", now, "Scope", "local", "Driver", "bridge",
                     "EnableIPv4", 1, "EnableIPv6", 0, "IPAM", "Driver", "default", "Options",
                     "Config", "Subnet", subnet, "Gateway", gw, "Internal", internal, "Attachable",
                     attachable, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly", 0,
                     "Options", opts, "Labels", labels, "Moat", "Device",
                     json_sprintf("moat%u", index), "Index", (int)index);
}

/* The default network's record, made if missing (under the lock). */
int network_ensure_default(struct store *s, merr_t *err)
{
    size_t n;
    struct network *all = load_all(s, &n);
    bool have = false;
    for (size_t i = 0; i < n; i++)
        have = have || all[i].index == 0;
    network_all_free(all, n);
    if (have)
        return 0;
    cleanup_free char *id = volume_random_name();
    json_t *opts = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s}", "com.docker.network.bridge.default_bridge", "true", NETOPT_ICC,
        "false", NETOPT_MASQ, "true", "com.docker.network.bridge.host_binding_ipv4", "127.0.0.1",
        "com.docker.network.bridge.name", NETWORK_DEFAULT_DEVICE, NETOPT_MTU, "1500");
    json_t *rec =
        network_make_record(NETWORK_DEFAULT, id, NETWORK_DEFAULT_SUBNET, NETWORK_DEFAULT_GATEWAY,
                            false, false, opts, json_object(), 0);
    int r = network_write_record(s, id, rec, err);
    json_decref(rec);
    return r;
}

/* every network of the store, the default one made first if it is
 * missing (the lock taken for it): read once when it is there */
static struct network *load_with_default(struct store *s, size_t *n)
{
    struct network *all = load_all(s, n);
    for (size_t i = 0; i < *n; i++)
        if (all[i].index == 0)
            return all;
    network_all_free(all, *n);
    merr_t e = MERR_INIT;
    /* listed without it if it cannot be made (a store read-only to us) */
    if (store_lock(s, &e) == 0) {
        network_ensure_default(s, &e);
        store_unlock(s);
    }
    err_clear(&e);
    return load_all(s, n);
}

/* host and none: no file; their id is fixed, their time the default
 * network's */
static void builtin(const char *name, const char *driver, const char *created, struct network *n)
{
    memset(n, 0, sizeof(*n));
    cleanup_free char *seed = xasprintf("moat network %s", name);
    sha256_hex(seed, strlen(seed), n->id);
    n->name = xstrdup(name);
    n->driver = xstrdup(driver);
    n->builtin = true;
    n->rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:{s:s,s:n,s:[]},s:b,s:b,s:b,s:{s:s},s:b,s:{},"
                       "s:{}}",
                       "Name", name, "Id", n->id, "Created", created, "Scope", "local", "Driver",
                       driver, "EnableIPv4", 1, "EnableIPv6", 0, "IPAM", "Driver", "default",
                       "Options", "Config", "Internal", 0, "Attachable", 0, "Ingress", 0,
                       "ConfigFrom", "Network", "", "ConfigOnly", 0, "Options", "Labels");
}

/* Docker's natural order of names: runs of digits by their value */
static int natural_cmp(const void *x, const void *y)
{
    const char *a = ((const struct network *)x)->name, *b = ((const struct network *)y)->name;
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            size_t za = strspn(a, "0"), zb = strspn(b, "0");
            size_t la = strspn(a + za, "0123456789"), lb = strspn(b + zb, "0123456789");
            int c = la != lb ? (la < lb ? -1 : 1) : strncmp(a + za, b + zb, la);
            if (c)
                return c;
            a += za + la, b += zb + lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++, b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

struct network *network_list_all(struct store *s, bool locked, size_t *n)
{
    struct network *v = locked ? load_all(s, n) : load_with_default(s, n);
    const char *created = "";
    for (size_t i = 0; i < *n; i++) {
        v[i].builtin = v[i].index == 0;
        if (v[i].index == 0)
            created = json_string_value(json_object_get(v[i].rec, "Created")) ?: "";
    }
    builtin("host", "host", created, &v[(*n)++]);
    builtin("none", "null", created, &v[(*n)++]);
    qsort(v, *n, sizeof(*v), natural_cmp);
    return v;
}

struct network *network_all(struct store *s, size_t *n)
{
    return network_list_all(s, false, n);
}

static void take(struct network *dst, struct network *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

int network_find(struct store *s, const char *what, struct network *out, merr_t *err)
{
    return network_find_in(s, false, what, out, err);
}

int network_find_in(struct store *s, bool locked, const char *what, struct network *out,
                    merr_t *err)
{
    size_t n, hits = 0, hl = strlen(what);
    struct network *v = network_list_all(s, locked, &n);
    const char *want = !strcmp(what, "default") ? NETWORK_DEFAULT : what;
    int found = -1;
    for (size_t i = 0; i < n && found < 0; i++)
        if (!strcmp(v[i].id, want))
            found = (int)i;
    for (size_t i = 0; i < n && found < 0; i++)
        if (!strcmp(v[i].name, want))
            found = (int)i;
    for (size_t i = 0; i < n && found < 0 && hl && hl < 64; i++)
        if (!strncmp(v[i].id, want, hl))
            hits++;
    for (size_t i = 0; i < n && found < 0 && hits == 1; i++)
        if (!strncmp(v[i].id, want, hl))
            found = (int)i;
    if (found >= 0)
        take(out, &v[found]);
    network_all_free(v, n);
    if (hits > 1)
        return err_set(err, 0, "network %.128s is ambiguous (%zu matches found based on ID prefix)",
                       what, hits);
    if (found < 0)
        return err_set(err, 0, "network %.128s not found", what);
    return 0;
}

static bool refers(json_t *rec, const void *ctx)
{
    const struct network *n = ctx;
    const char *mode =
        json_string_value(json_object_get(json_object_get(rec, "HostConfig"), "NetworkMode"));
    bool dflt = !strcmp(n->name, NETWORK_DEFAULT);
    if (mode &&
        (!strcmp(mode, n->name) || !strcmp(mode, n->id) || (dflt && !strcmp(mode, "default"))))
        return true;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), k, v)
    {
        if (!strcmp(k, n->name) || !strcmp(k, n->id))
            return true;
    }
    return false;
}

const char *network_user(struct store *s, const struct network *n, char *buf, size_t len)
{
    return ctr_first(s, refers, n, buf, len);
}

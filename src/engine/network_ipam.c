/* network_ipam.c: the addresses of a network's containers,
 * networks/ID.ipam: {"10.90.0.2": "CONTAINER ID", ...} (see network.h). */
#include "network_rec.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The table of net: entries that do not hold together dropped (read as
 * untrusted), and with prune those of containers without a record. */
static json_t *table_load(struct store *s, const struct network *net, bool prune)
{
    cleanup_free char *rel = xasprintf("networks/%s.ipam", net->id);
    cleanup_close int fd = openat(s->fd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    json_t *in = fd >= 0 && read_regular_fd(fd, 1 << 22, &text, NULL) == 0
                     ? json_loads(text, 0, NULL)
                     : NULL;
    json_t *out = json_object(), *v;
    const char *ip;
    json_object_foreach(in, ip, v)
    {
        const char *cid = json_string_value(v);
        uint32_t a;
        if (!cid || !network_hex64(cid) || net4_parse_addr(ip, &a) < 0 ||
            !net4_contains(net->subnet, a))
            continue;
        cleanup_free char *crec = xasprintf("containers/%s/container.json", cid);
        if (prune && faccessat(s->fd, crec, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            continue;
        json_object_set(out, ip, v);
    }
    json_decref(in);
    return out;
}

static int table_save(struct store *s, const struct network *net, json_t *t, merr_t *err)
{
    cleanup_close int dfd =
        openat(s->fd, "networks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    cleanup_free char *text = json_dumps(t, JSON_INDENT(2) | JSON_SORT_KEYS);
    cleanup_free char *file = xasprintf("%s.ipam", net->id);
    if (dfd < 0)
        return err_sys(err, "open networks/");
    return atomic_write_at(dfd, file, text, strlen(text), 0600, err);
}

int network_ip_alloc(struct store *s, const struct network *net, const char *cid, const char *want,
                     char **ip, merr_t *err)
{
    *ip = NULL;
    if (!net->device)
        return err_set(err, 0, "network %s: no addresses (driver %s)", net->name, net->driver);
    if (!network_hex64(cid))
        return err_set(err, 0, "network %s: bad container id", net->name);
    uint32_t w = 0, got;
    if (want && net4_parse_addr(want, &w) < 0)
        return err_set(err, 0, "--ip %.64s: not an IPv4 address", want);
    json_t *t = table_load(s, net, true), *v;
    const char *k;
    uint32_t *taken = xmalloc((json_object_size(t) + 1) * sizeof(*taken));
    size_t n = 0;
    json_object_foreach(t, k, v)
    {
        uint32_t a;
        net4_parse_addr(k, &a);
        /* the container's own: asked again (a restart), it keeps it */
        if (!strcmp(json_string_value(v), cid) && (!w || w == a)) {
            *ip = xstrdup(k);
            break;
        }
        taken[n++] = a;
    }
    int r = *ip ? 0 : net4_pick(net->subnet, net->gateway, taken, n, w, &got, err);
    if (r == 0 && !*ip) {
        *ip = net4_addr_str(got);
        json_object_set_new(t, *ip, json_string(cid));
        if (table_save(s, net, t, err) < 0) {
            free(*ip);
            *ip = NULL;
            r = -1;
        }
    }
    free(taken);
    json_decref(t);
    return r;
}

int network_ip_release(struct store *s, const struct network *net, const char *cid, merr_t *err)
{
    if (!net->device)
        return 0;
    json_t *t = table_load(s, net, false), *v;
    const char *k;
    void *tmp;
    bool changed = false;
    json_object_foreach_safe(t, tmp, k, v)
    {
        if (!strcmp(json_string_value(v), cid)) {
            json_object_del(t, k);
            changed = true;
        }
    }
    int r = changed ? table_save(s, net, t, err) : 0;
    json_decref(t);
    return r;
}

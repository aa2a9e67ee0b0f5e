/* dns_names.c: names of running containers for the embedded resolver
 * (see dns_names.h). */
#include "dns_names.h"
#include "ctr.h"
#include "network.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EP_DIR "endpoints" /* net_fw.h */

static bool on(char *const *bridges, size_t nb, const char *br)
{
    for (size_t i = 0; br && i < nb; i++)
        if (strcmp(bridges[i], br) == 0)
            return true;
    return false;
}

struct entry {
    char *name;
    uint32_t addr;
};

struct dns_names {
    struct entry *v;
    size_t n;
    struct timespec built, mtime; /* when, and the endpoints' directory then */
    bool valid;
};

struct dns_names *dns_names_new(void)
{
    return xzalloc(sizeof(struct dns_names));
}

static void clear(struct dns_names *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

void dns_names_free(struct dns_names *t)
{
    if (!t)
        return;
    clear(t);
    free(t);
}

/* the DNSNames of container id on its network with address ip */
static void add_names(struct dns_names *t, struct store *s, const char *id, const char *ip,
                      uint32_t addr)
{
    merr_t e = MERR_INIT;
    json_t *rec = ctr_load(s, id, &e), *ep;
    err_clear(&e);
    const char *k;
    json_object_foreach(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), k, ep)
    {
        const char *a = json_string_value(json_object_get(ep, "IPAddress"));
        json_t *names = json_object_get(ep, "DNSNames");
        if (!a || strcmp(a, ip) != 0)
            continue;
        for (size_t i = 0; i < json_array_size(names); i++) {
            const char *n = json_string_value(json_array_get(names, i));
            if (!n)
                continue;
            t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
            t->v[t->n++] = (struct entry){xstrdup(n), addr};
        }
    }
    json_decref(rec);
}

/* the endpoint file f of directory d: its container's names, if it is
 * running on one of the bridges */
static void add_endpoint(struct dns_names *t, struct store *s, int d, const char *f,
                         char *const *bridges, size_t nb)
{
    cleanup_free char *text = NULL;
    merr_t e = MERR_INIT;
    if (read_file_at(d, f, &text, NULL, &e) < 0) {
        err_clear(&e);
        return;
    }
    json_t *ep = json_loads(text, 0, NULL);
    const char *br = json_string_value(json_object_get(ep, "bridge"));
    const char *ip = json_string_value(json_object_get(ep, "ip"));
    const char *id = json_string_value(json_object_get(ep, "container"));
    cleanup_free char *veth = xstrndup(f, strlen(f) - 5);
    uint32_t addr;
    if (on(bridges, nb, br) && ip && id && strlen(id) == 64 &&
        strspn(id, "0123456789abcdef") == 64 && inet_pton(AF_INET, ip, &addr) == 1 &&
        if_nametoindex(veth) != 0)
        add_names(t, s, id, ip, addr);
    json_decref(ep);
}

static bool fresh(struct dns_names *t, const struct timespec *now, const struct timespec *mt)
{
    return t->valid && now->tv_sec - t->built.tv_sec < 1 && mt->tv_sec == t->mtime.tv_sec &&
           mt->tv_nsec == t->mtime.tv_nsec;
}

/* the bridges of the networks container id is on now */
static char **own_bridges(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    json_t *rec = ctr_load(s, id, &e), *ep;
    err_clear(&e);
    char **v = NULL;
    const char *k;
    json_object_foreach(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), k, ep)
    {
        struct network n = {0};
        const char *nid = json_string_value(json_object_get(ep, "NetworkID"));
        if (network_find(s, nid ? nid : k, &n, &e) == 0 && n.device)
            strv_push(&v, n.device);
        err_clear(&e);
        network_free(&n);
    }
    json_decref(rec);
    return v;
}

static void rebuild(struct dns_names *t, struct store *s, const char *id)
{
    struct timespec now;
    struct stat st = {0};
    clock_gettime(CLOCK_MONOTONIC, &now);
    int d = openat(s->fd, EP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d >= 0)
        fstat(d, &st);
    if (fresh(t, &now, &st.st_mtim)) {
        if (d >= 0)
            close(d);
        return;
    }
    clear(t);
    char **bridges = own_bridges(s, id);
    size_t nb = strv_len(bridges);
    t->valid = true;
    t->built = now;
    t->mtime = st.st_mtim;
    DIR *dir = d < 0 ? NULL : fdopendir(d);
    struct dirent *de;
    if (!dir && d >= 0)
        close(d);
    while (dir && (de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
            add_endpoint(t, s, dirfd(dir), de->d_name, bridges, nb);
    }
    if (dir)
        closedir(dir);
    strv_free(bridges);
}

size_t dns_names_lookup(struct dns_names *t, struct store *s, const char *id, const char *name,
                        uint32_t *addrs, size_t max)
{
    rebuild(t, s, id);
    size_t n = 0;
    for (size_t i = 0; i < t->n && n < max; i++)
        if (strcasecmp(t->v[i].name, name) == 0)
            addrs[n++] = t->v[i].addr;
    return n;
}

/* dns_names.c: names of running containers for the embedded resolver
 * (see dns_names.h). */
#include "dns_names.h"
#include "ctr.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EP_DIR "endpoints" /* net_fw.h */

static bool on(char *const *bridges, size_t nb, const char *br)
{
    for (size_t i = 0; br && i < nb; i++)
        if (strcmp(bridges[i], br) == 0)
            return true;
    return false;
}

/* container id has name on its network with address ip */
static bool named(struct store *s, const char *id, const char *ip, const char *name)
{
    merr_t e = MERR_INIT;
    json_t *rec = ctr_load(s, id, &e), *ep;
    err_clear(&e);
    const char *k;
    bool yes = false;
    json_object_foreach(json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), k, ep)
    {
        const char *a = json_string_value(json_object_get(ep, "IPAddress"));
        json_t *names = json_object_get(ep, "DNSNames");
        if (!a || strcmp(a, ip) != 0)
            continue;
        for (size_t i = 0; i < json_array_size(names) && !yes; i++) {
            const char *n = json_string_value(json_array_get(names, i));
            yes = n && strcasecmp(n, name) == 0;
        }
    }
    json_decref(rec);
    return yes;
}

/* the endpoint file f of directory d: its address if it is a running
 * container's on one of the bridges, named name */
static bool match(struct store *s, int d, const char *f, char *const *bridges, size_t nb,
                  const char *name, uint32_t *addr)
{
    cleanup_free char *text = NULL;
    merr_t e = MERR_INIT;
    if (read_file_at(d, f, &text, NULL, &e) < 0) {
        err_clear(&e);
        return false;
    }
    json_t *ep = json_loads(text, 0, NULL);
    const char *br = json_string_value(json_object_get(ep, "bridge"));
    const char *ip = json_string_value(json_object_get(ep, "ip"));
    const char *id = json_string_value(json_object_get(ep, "container"));
    cleanup_free char *veth = xstrndup(f, strlen(f) - 5);
    bool yes = on(bridges, nb, br) && ip && id && strlen(id) == 64 &&
               strspn(id, "0123456789abcdef") == 64 && inet_pton(AF_INET, ip, addr) == 1 &&
               if_nametoindex(veth) != 0 && named(s, id, ip, name);
    json_decref(ep);
    return yes;
}

size_t dns_names_lookup(struct store *s, char *const *bridges, size_t nb, const char *name,
                        uint32_t *addrs, size_t max)
{
    int d = openat(s->fd, EP_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *dir = d < 0 ? NULL : fdopendir(d);
    struct dirent *de;
    size_t n = 0;
    if (!dir) {
        if (d >= 0)
            close(d);
        return 0;
    }
    while (n < max && (de = readdir(dir))) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0 &&
            match(s, dirfd(dir), de->d_name, bridges, nb, name, &addrs[n]))
            n++;
    }
    closedir(dir);
    return n;
}

/* route.c: the API's path table (see route.h). A pattern is a path of
 * segments; "{id}" takes one segment, "{name*}" one or more (an image
 * name has slashes: /images/library/busybox:1.36/json). */
#include "route.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    const char *method, *pattern, *op;
    int flags;
};

#define J API_BODY_JSON
#define U API_UPGRADE
#define R API_BODY_RAW

static const struct entry table[] = {
    {"GET", "/version", "system.version", 0},
    {"GET", "/info", "system.info", 0},
    {"GET", "/events", "system.events", 0},
    {"GET", "/system/df", "system.df", 0},
    {"GET", "/containers/json", "container.list", 0},
    {"POST", "/containers/create", "container.create", J},
    {"POST", "/containers/prune", "container.prune", 0},
    {"GET", "/containers/{id}/json", "container.inspect", 0},
    {"GET", "/containers/{id}/top", "container.top", 0},
    {"GET", "/containers/{id}/logs", "container.logs", 0},
    {"GET", "/containers/{id}/changes", "container.changes", 0},
    {"GET", "/containers/{id}/stats", "container.stats", 0},
    {"HEAD", "/containers/{id}/archive", "container.archive.head", 0},
    {"GET", "/containers/{id}/archive", "container.archive.get", 0},
    {"PUT", "/containers/{id}/archive", "container.archive.put", R},
    {"POST", "/containers/{id}/start", "container.start", J},
    {"POST", "/containers/{id}/stop", "container.stop", 0},
    {"POST", "/containers/{id}/restart", "container.restart", 0},
    {"POST", "/containers/{id}/kill", "container.kill", 0},
    {"POST", "/containers/{id}/pause", "container.pause", 0},
    {"POST", "/containers/{id}/unpause", "container.unpause", 0},
    {"POST", "/containers/{id}/wait", "container.wait", 0},
    {"POST", "/containers/{id}/attach", "container.attach", U},
    {"POST", "/containers/{id}/resize", "container.resize", 0},
    {"POST", "/containers/{id}/rename", "container.rename", 0},
    {"POST", "/containers/{id}/update", "container.update", J},
    {"POST", "/containers/{id}/exec", "container.exec", J},
    {"DELETE", "/containers/{id}", "container.delete", 0},
    {"POST", "/exec/{id}/start", "exec.start", J | U},
    {"POST", "/exec/{id}/resize", "exec.resize", 0},
    {"GET", "/exec/{id}/json", "exec.inspect", 0},
    {"GET", "/images/json", "image.list", 0},
    {"POST", "/images/create", "image.create", R},
    {"POST", "/images/load", "image.load", R},
    {"GET", "/images/get", "image.get", 0},
    {"POST", "/images/prune", "image.prune", 0},
    {"GET", "/images/{name*}/json", "image.inspect", 0},
    {"GET", "/images/{name*}/history", "image.history", 0},
    {"GET", "/images/{name*}/get", "image.get", 0},
    {"POST", "/images/{name*}/tag", "image.tag", 0},
    {"DELETE", "/images/{name*}", "image.delete", 0},
    {"GET", "/networks", "network.list", 0},
    {"POST", "/networks/create", "network.create", J},
    {"POST", "/networks/prune", "network.prune", 0},
    {"GET", "/networks/{id}", "network.inspect", 0},
    {"POST", "/networks/{id}/connect", "network.connect", J},
    {"POST", "/networks/{id}/disconnect", "network.disconnect", J},
    {"DELETE", "/networks/{id}", "network.delete", 0},
    {"GET", "/volumes", "volume.list", 0},
    {"POST", "/volumes/create", "volume.create", J},
    {"POST", "/volumes/prune", "volume.prune", 0},
    {"GET", "/volumes/{name}", "volume.inspect", 0},
    {"DELETE", "/volumes/{name}", "volume.delete", 0},
};

/* "1.41": digits '.' digits, each at most 3 */
static bool version_ok(const char *v, size_t n)
{
    size_t i = 0, d = 0;
    while (i < n && v[i] >= '0' && v[i] <= '9' && d < 3)
        i++, d++;
    if (d == 0 || i >= n || v[i] != '.')
        return false;
    i++, d = 0;
    while (i < n && v[i] >= '0' && v[i] <= '9' && d < 3)
        i++, d++;
    return d > 0 && i == n;
}

int api_version_cmp(const char *a, const char *b)
{
    unsigned long a1 = strtoul(a, NULL, 10), b1 = strtoul(b, NULL, 10);
    if (a1 != b1)
        return a1 < b1 ? -1 : 1;
    const char *ad = strchr(a, '.'), *bd = strchr(b, '.');
    unsigned long a2 = ad ? strtoul(ad + 1, NULL, 10) : 0, b2 = bd ? strtoul(bd + 1, NULL, 10) : 0;
    return a2 == b2 ? 0 : a2 < b2 ? -1 : 1;
}

static int fail(struct api_route *r, int status, char *msg)
{
    r->msg = msg;
    return status;
}

/* the /vX.Y prefix: taken off *path into r->version */
static int strip_version(const char **path, struct api_route *r)
{
    const char *p = *path;
    if (p[0] != '/' || p[1] != 'v' || p[2] < '0' || p[2] > '9')
        return 0;
    const char *end = strchr(p + 1, '/');
    size_t n = end ? (size_t)(end - p - 2) : strlen(p + 2);
    if (!version_ok(p + 2, n))
        return fail(r, 404, xstrdup("page not found"));
    memcpy(r->version, p + 2, n);
    r->version[n] = 0;
    if (api_version_cmp(r->version, API_MIN_VERSION) < 0)
        return fail(r, 400,
                    xasprintf("client version %s is too old. Minimum supported API version is %s, "
                              "please upgrade your client to a newer version",
                              r->version, API_MIN_VERSION));
    if (api_version_cmp(r->version, API_VERSION) > 0)
        return fail(r, 400,
                    xasprintf("client version %s is too new. Maximum supported API version is %s",
                              r->version, API_VERSION));
    *path = end ? end : "/";
    return 0;
}

/* the length of the segment at s (up to '/' or the end) */
static size_t seglen(const char *s)
{
    return strcspn(s, "/");
}

/* Does path match pattern? Its parameter to r (pkey, pval). */
static bool match(const char *pat, const char *path, struct api_route *r)
{
    while (*pat == '/' && *path == '/') {
        pat++, path++;
        size_t pn = seglen(pat), n = seglen(path);
        if (pat[0] == '{') {
            bool greedy = pat[pn - 2] == '*';
            const char *rest = pat + pn; /* the fixed segments after it */
            size_t take = n;
            if (greedy) {
                size_t rl = strlen(rest), l = strlen(path);
                if (l <= rl || strcmp(path + l - rl, rest) || (rl && path[l - rl] != '/'))
                    return false;
                take = l - rl;
            }
            if (take == 0)
                return false;
            free(r->pval);
            r->pval = strndup(path, take);
            if (!r->pval)
                return false;
            r->pkey = greedy ? "name" : (pn == 6 && !strncmp(pat, "{name}", 6)) ? "name" : "id";
            path += take;
            pat += pn;
            if (greedy)
                return strcmp(pat, path) == 0;
            continue;
        }
        if (pn != n || strncmp(pat, path, n))
            return false;
        pat += pn, path += n;
    }
    return *pat == 0 && *path == 0;
}

int api_route(const char *method, const char *path, struct api_route *r)
{
    memset(r, 0, sizeof(*r));
    int st = strip_version(&path, r);
    if (st)
        return st;
    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        r->pkey = NULL;
        if (!match(table[i].pattern, path, r))
            continue;
        bool head_get = !strcmp(method, "HEAD") && !strcmp(table[i].method, "GET");
        if (strcmp(method, table[i].method) && !head_get)
            continue;
        r->op = table[i].op;
        r->flags = table[i].flags;
        if (!r->pkey) {
            free(r->pval);
            r->pval = NULL;
        }
        return 0;
    }
    free(r->pval);
    r->pval = NULL;
    r->pkey = NULL;
    return fail(r, 404, xstrdup("page not found"));
}

void api_route_free(struct api_route *r)
{
    free(r->pval);
    free(r->msg);
    r->pval = r->msg = NULL;
}

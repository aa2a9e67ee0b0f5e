/* spec_landlock.c: process.landlock. */
#include "spec_internal.h"
#include "../util/util.h"

#include <string.h>

static const char *const fs_names[] = {"execute",    "write_file",  "read_file", "read_dir",
                                       "remove_dir", "remove_file", "make_char", "make_dir",
                                       "make_reg",   "make_sock",   "make_fifo", "make_block",
                                       "make_sym",   "refer",       "truncate",  "ioctl_dev"};
static const char *const net_names[] = {"bind_tcp", "connect_tcp"};
static const char *const scope_names[] = {"abstract_unix_socket", "signal"};

uint64_t landlock_access_bit(int kind, const char *name)
{
    const char *const *t = kind == 0 ? fs_names : kind == 1 ? net_names : scope_names;
    size_t n = kind == 0   ? ARRAY_SIZE(fs_names)
               : kind == 1 ? ARRAY_SIZE(net_names)
                           : ARRAY_SIZE(scope_names);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i], name) == 0)
            return 1ULL << i;
    return 0;
}

static int access_list(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                       int kind, uint64_t *out)
{
    char **v = NULL;
    int r = jget_strv(c, p, obj, key, &v);
    if (r <= 0)
        return r;
    for (size_t i = 0; v[i]; i++) {
        uint64_t b = landlock_access_bit(kind, v[i]);
        if (!b) {
            jfail(c, JP_I(JP_K(p, key), i), "unknown Landlock %s \"%s\"",
                  kind == 2 ? "scope" : "access right", v[i]);
            free(v);
            return -1;
        }
        *out |= b;
    }
    free(v);
    return 1;
}

int parse_landlock(const struct jctx *c, const struct jp *p, json_t *obj,
                   struct spec_landlock **out)
{
    struct spec_landlock *l = xzalloc(sizeof(*l));
    *out = l;
    json_t *o, *arr;
    int r;
    if (jget_bool(c, p, obj, "disableBestEffort", &l->disable_best_effort) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "ruleset", &o)) < 0)
        return -1;
    if (r > 0) {
        const struct jp *rp = JP_K(p, "ruleset");
        if (access_list(c, rp, o, "handledAccessFS", 0, &l->handled_fs) < 0 ||
            access_list(c, rp, o, "handledAccessNetwork", 1, &l->handled_net) < 0 ||
            access_list(c, rp, o, "scoped", 2, &l->scoped) < 0)
            return -1;
    }
    if ((r = jget_obj(c, p, obj, "rules", &o)) < 0)
        return -1;
    if (r == 0)
        return 0;
    const struct jp *rp = JP_K(p, "rules");
    if ((r = jget_arr(c, rp, o, "pathBeneath", &arr)) < 0)
        return -1;
    if (r > 0) {
        l->paths = xzalloc(json_array_size(arr) * sizeof(struct spec_landlock_path));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i);
            const struct jp *ep = JP_I(JP_K(rp, "pathBeneath"), i);
            struct spec_landlock_path *pb = &l->paths[l->npaths++];
            if (jval_obj(c, ep, e) < 0 ||
                access_list(c, ep, e, "allowedAccess", 0, &pb->allowed) < 0 ||
                jget_strv(c, ep, e, "paths", &pb->paths) < 0)
                return -1;
            if (pb->allowed & ~l->handled_fs)
                return jfail(c, JP_K(ep, "allowedAccess"),
                             "grants rights the ruleset does not handle");
            for (size_t k = 0; pb->paths && pb->paths[k]; k++)
                if (pb->paths[k][0] != '/')
                    return jfail(c, JP_I(JP_K(ep, "paths"), k), "must be an absolute path (\"%s\")",
                                 pb->paths[k]);
        }
    }
    if ((r = jget_arr(c, rp, o, "netPort", &arr)) < 0)
        return -1;
    if (r > 0) {
        l->ports = xzalloc(json_array_size(arr) * sizeof(struct spec_landlock_port));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            json_t *e = json_array_get(arr, i), *pa;
            const struct jp *ep = JP_I(JP_K(rp, "netPort"), i);
            struct spec_landlock_port *np = &l->ports[l->nports++];
            if (jval_obj(c, ep, e) < 0 ||
                access_list(c, ep, e, "allowedAccess", 1, &np->allowed) < 0)
                return -1;
            if (np->allowed & ~l->handled_net)
                return jfail(c, JP_K(ep, "allowedAccess"),
                             "grants rights the ruleset does not handle");
            if ((r = jget_arr(c, ep, e, "ports", &pa)) < 0)
                return -1;
            size_t n = r > 0 ? json_array_size(pa) : 0;
            np->ports = xzalloc((n + 1) * sizeof(uint64_t));
            for (size_t k = 0; k < n; k++) {
                json_t *pv = json_array_get(pa, k);
                if (!json_is_integer(pv) || json_integer_value(pv) < 0 ||
                    json_integer_value(pv) > 65535)
                    return jfail(c, JP_I(JP_K(ep, "ports"), k), "must be a port number");
                np->ports[np->nports++] = (uint64_t)json_integer_value(pv);
            }
        }
    }
    return 0;
}

void free_landlock(struct spec_landlock *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->npaths; i++)
        free(l->paths[i].paths);
    free(l->paths);
    for (size_t i = 0; i < l->nports; i++)
        free(l->ports[i].ports);
    free(l->ports);
    free(l);
}

/* remove.c: ops "teardown" and "bridge-rm" (see remove.h). */
#include "remove.h"
#include "../kernel/net/link.h"

#include <errno.h>
#include <string.h>

static int remove_kind(struct nl *nl, const char *name, const char *kind, merr_t *err)
{
    struct link_info li;
    int r = link_get(nl, name, &li, err);
    if (r <= 0)
        return r;
    if (strcmp(li.kind, kind) != 0)
        return err_set(err, 0, "\"%s\" is not a %s (%s%s%s): left as it is", name, kind,
                       *li.kind ? "kind \"" : "a plain device", li.kind, *li.kind ? "\"" : "");
    if (link_del(nl, li.index, name, err) < 0) {
        if (err->errnum != ENODEV)
            return -1;
        err_clear(err); /* gone meanwhile */
    }
    return 0;
}

int net_teardown(struct net_ctx *c, const struct net_req *r, merr_t *err)
{
    return remove_kind(&c->host, r->veth, "veth", err);
}

int net_bridge_rm(struct net_ctx *c, const struct net_req *r, merr_t *err)
{
    return remove_kind(&c->host, r->bridge, "bridge", err);
}

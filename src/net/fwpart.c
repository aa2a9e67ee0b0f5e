/* fwpart.c: an endpoint's elements of moat's firewall (see fwpart.h). */
#include "fwpart.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

int net_fwpart_parse(const json_t *req, const struct net_req *r, struct fw_state *st, merr_t *err)
{
    json_t *part = json_object_get(req, "firewall");
    memset(st, 0, sizeof(*st));
    if (!part)
        return 0;
    if (fw_part_parse(part, r->veth, st, err) < 0)
        return -1;
    if (r->op != NET_OP_SETUP)
        return 1;
    const struct fw_endpoint *e = &st->eps[0];
    if (strcmp(e->bridge, r->bridge) != 0 || e->ip != ntohl(r->addr.s_addr) ||
        memcmp(e->mac, r->mac, 6) != 0) {
        fw_state_free(st);
        return err_set(err, 0, "firewall: the endpoint is not the one the request sets up");
    }
    return 1;
}

static void outcome(json_t *reply, int r, merr_t *e)
{
    const char *s = r == 0 ? "ok" : e->errnum == ENOENT ? "missing" : "failed";
    json_object_set_new(reply, "firewall", json_string(s));
    if (r < 0 && e->errnum != ENOENT)
        json_object_set_new(reply, "firewall_error", json_string(e->msg ? e->msg : "?"));
    err_clear(e);
}

void net_fwpart_add(struct net_ctx *c, const struct fw_state *st, json_t *reply)
{
    merr_t e = MERR_INIT;
    size_t n;
    cleanup_free struct nft_elem *v = fw_elems(st, &n);
    struct nft_elem br;
    fw_bridge_elem(st->nets[0].bridge, &br);
    /* the network's own rules come with the whole ruleset only */
    int has = nftset_has(&c->nf, &br, &e);
    if (has < 0) {
        outcome(reply, -1, &e);
        return;
    }
    /* added even without the network's rules: those of the bridge family
     * isolate the endpoint from its start */
    int r = nftset_change(&c->nf, true, v, n, &e);
    if (r == 0 && has == 0) {
        r = -1;
        e.errnum = ENOENT;
    }
    outcome(reply, r, &e);
}

void net_fwpart_del(struct net_ctx *c, const struct fw_state *st, json_t *reply)
{
    merr_t e = MERR_INIT;
    size_t n;
    cleanup_free struct nft_elem *v = fw_elems(st, &n);
    outcome(reply, nftset_change(&c->nf, false, v, n, &e), &e);
}

void net_fwpart_undo(struct net_ctx *c, const struct fw_state *st)
{
    merr_t e = MERR_INIT;
    size_t n;
    cleanup_free struct nft_elem *v = fw_elems(st, &n);
    /* one batch: if one is missing, none is deleted; then one by one */
    if (nftset_change(&c->nf, false, v, n, &e) < 0)
        for (size_t i = 0; i < n; i++) {
            err_clear(&e);
            nftset_change(&c->nf, false, &v[i], 1, &e);
        }
    err_clear(&e);
}

/* network.h: the engine's networks in the store (issue 12), Docker's
 * objects without their data plane (bridges, veths and rules are made by
 * moat-net, wired by the container's start).
 *
 *   networks/ID.json  a network: Docker's NetworkResource shape (Name, Id,
 *                     Created, Scope, Driver, EnableIPv4, EnableIPv6, IPAM,
 *                     Internal, Attachable, Ingress, ConfigFrom,
 *                     ConfigOnly, Options, Labels) plus "Moat": {"Device":
 *                     "moatN", "Index": N}
 *   networks/ID.ipam  its addresses in use: {"10.90.0.2": "CONTAINER ID"}
 *
 * Both change only under the store lock, by rename(2). The default
 * network, Docker's "bridge" (device moat0, 10.87.0.0/16, gateway
 * 10.87.0.1, no traffic between its containers), is made when first
 * needed; "host" and "none" are listed as Docker lists them (drivers host
 * and null) and have no file. Records are read back as untrusted: one
 * that does not hold together is skipped. */
#ifndef MOAT_ENGINE_NETWORK_H
#define MOAT_ENGINE_NETWORK_H

#include "net_addr.h"
#include "prune.h"
#include "store.h"

#include <jansson.h>
#include <stdbool.h>

#define NETWORK_DEFAULT "bridge"
#define NETWORK_DEFAULT_DEVICE "moat0"
#define NETWORK_DEFAULT_SUBNET "10.87.0.0/16"
#define NETWORK_DEFAULT_GATEWAY "10.87.0.1"
/* Options a network takes (--opt KEY=VALUE) */
#define NETOPT_ICC "com.docker.network.bridge.enable_icc"
#define NETOPT_MTU "com.docker.network.driver.mtu"
#define NETOPT_MASQ "com.docker.network.bridge.enable_ip_masquerade"
#define NETOPT_HOST_ACCESS "run.moat.network.host_access"

/* A network as the data plane needs it (typed view of the record). */
struct network {
    char id[65];
    char *name;
    char *driver;   /* "bridge", "host" or "null" */
    char *device;   /* "moat3"; NULL for host and none */
    unsigned index; /* N of the device moatN */
    struct net4 subnet;
    uint32_t gateway;
    bool builtin; /* bridge, host, none: not removable */
    bool internal, icc, masquerade, host_access;
    unsigned mtu;
    json_t *rec; /* the record, Docker's shape (no Containers) */
};
void network_free(struct network *n);

/* Docker's predefined names: bridge, host, none (and "default", which
 * means bridge) */
bool network_predefined(const char *name);
/* a name a network may have: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 */
bool network_name_ok(const char *name);

/* `network create`: what it was given */
struct net_create {
    const char *name, *driver, *subnet, *gateway, *ipam_driver;
    bool internal, ipv6, attachable;
    char *const *opts;   /* KEY=VALUE, NULL-ended (may be NULL) */
    char *const *labels; /* KEY[=VALUE] */
};
/* The checks that need no store (name, driver, options, labels, subnet
 * and gateway syntax): -1 with err in Docker's words. */
int network_create_check(const struct net_create *c, merr_t *err);
/* Make the network (under the store lock): its subnet the one given or
 * the first free /16 of 10.90..10.127 (clear of moat's networks and the
 * host's routes and addresses). Its id (64 hex digits, new string), or
 * NULL and err; on failure nothing is left. */
char *network_create(struct store *s, const struct net_create *c, merr_t *err);

/* The network named what (a full id, a name, or a unique id prefix, in
 * that order, as Docker finds one); "default" is bridge. */
int network_find(struct store *s, const char *what, struct network *n, merr_t *err);
/* Every network (bridge made if missing), sorted by name. */
struct network *network_all(struct store *s, size_t *n);
void network_all_free(struct network *v, size_t n);
/* The first container (short id in buf) whose record refers to the
 * network (HostConfig.NetworkMode or a key of NetworkSettings.Networks
 * is its name or id), or NULL. */
const char *network_user(struct store *s, const struct network *n, char *buf, size_t len);

/* `network inspect`: the record with Containers (the containers that
 * have an address on it), or NULL and "network X not found". */
json_t *network_inspect(struct store *s, const char *what, merr_t *err);
/* `network ls --filter`: Docker's keys dangling, driver, id, label, name,
 * scope, type (custom or builtin). network_list_filters checks args;
 * network_list returns the networks that pass, in inspect's shape. */
json_t *network_list_filters(char *const *args, merr_t *err);
json_t *network_list(struct store *s, char *const *args, merr_t *err);
/* `network rm`: refused for bridge, host and none and while a container
 * refers to it. Its name into *name (new string) when it is gone. */
int network_remove(struct store *s, const char *what, char **name, merr_t *err);
/* `network prune`: user networks no container refers to that pass pf;
 * their names appended to deleted. */
void network_prune(struct store *s, const struct prune_filter *pf, json_t *deleted);

/* `network connect`: the container (running or not) on network net, with
 * Docker's EndpointSettings epcfg (Aliases, IPAMConfig.IPv4Address; may
 * be NULL); its address kept until it is disconnected or removed. */
int network_connect(struct store *s, const char *net, const char *ctr, json_t *epcfg, merr_t *err);
/* `network disconnect` (a running container's endpoint goes at once). */
int network_disconnect(struct store *s, const char *net, const char *ctr, bool force, merr_t *err);

/* `network reload`: moat's whole firewall applied again from the store
 * (after an admin's `nft flush ruleset`). */
int network_reload(struct store *s, merr_t *err);

/* IPAM (call with the store lock held, from before the container's record
 * is written until after: entries of containers without a record are
 * freed by the next allocation). An address of network `net` for
 * container cid: want (NULL: the lowest free) or the one cid has already;
 * into *ip (new string, "10.90.0.2"). */
int network_ip_alloc(struct store *s, const struct network *net, const char *cid, const char *want,
                     char **ip, merr_t *err);
/* Free cid's addresses on net (none is not an error). */
int network_ip_release(struct store *s, const struct network *net, const char *cid, merr_t *err);

#endif

/* ctr_net.h: a container's networking in its record, Docker's shapes:
 * HostConfig.NetworkMode ("bridge", the default; a network's name;
 * "none", "host", "container:ID"), HostConfig.PortBindings,
 * PublishAllPorts, Dns, DnsSearch, DnsOptions, ExtraHosts, Links,
 * Config.ExposedPorts, and NetworkSettings.Networks with the endpoint on
 * its network (its address from the network's IPAM, taken at create and
 * kept until rm). Its /etc/hosts and /etc/resolv.conf come from these. */
#ifndef MOAT_CTR_NET_H
#define MOAT_CTR_NET_H

#include "ctr_config.h"
#include "store.h"
#include <jansson.h>

/* What needs no store: the flags that conflict with the network mode. */
int ctr_net_check(const struct run_opts *o, merr_t *err);
/* Aliases (--network-alias, network connect --alias): each a DNS name. */
int ctr_net_aliases_check(json_t *aliases, const char *flag, merr_t *err);
/* Under the store lock, on the record of container id being made: the
 * network mode resolved (NetworkMode "bridge" when none was given), its
 * address taken, the ports and the image's (ic) exposed ports recorded,
 * --link resolved. A failure takes nothing. */
int ctr_net_record(struct store *s, json_t *rec, json_t *ic, const struct run_opts *o, merr_t *err);
/* Its EndpointSettings on network n at address ip; ep: the one asked for
 * (Aliases, IPAMConfig, MacAddress; may be NULL). */
struct network;
json_t *ctr_net_endpoint(json_t *rec, const struct network *n, const char *ip, json_t *ep);
/* Under the store lock, when the record goes: its addresses given back. */
void ctr_net_release(struct store *s, json_t *rec);
/* The texts of its /etc/hosts and /etc/resolv.conf (new strings). */
char *ctr_net_hosts(json_t *rec);
char *ctr_net_resolv(json_t *rec);
/* The network mode of the record ("none" in records made before moat had
 * networks: they were made so) */
const char *ctr_net_mode(json_t *rec);
/* whether the mode is a network of the store (not none, host, container:) */
bool ctr_net_is_network(const char *mode);

#endif

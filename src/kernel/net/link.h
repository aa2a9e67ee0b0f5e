/* link.h: network devices over rtnetlink: look one up by name, create a
 * bridge, create a veth pair whose peer is born in another network
 * namespace, change a device (name, MAC, master, up), hairpin mode on a
 * bridge port, route_localnet on a device, delete.
 *
 * Each *_msg function only builds the request in buf (NL_BUF bytes); the
 * function of the same name without _msg sends it on a socket of nl.h and
 * names the device in its error. */
#ifndef MOAT_KERNEL_NET_LINK_H
#define MOAT_KERNEL_NET_LINK_H

#include "nl.h"
#include <stdbool.h>
#include <stdint.h>

#define LINK_KIND_MAX 32

struct link_info {
    int index;
    unsigned flags;           /* IFF_* */
    int master;               /* the index of its bridge, 0 if none */
    int link;                 /* a veth's peer's index (in the peer's namespace) */
    char kind[LINK_KIND_MAX]; /* "bridge", "veth", "" for a plain device */
};

struct veth_spec {
    const char *name;        /* this end, in the socket's namespace */
    const char *peer;        /* the other end's name, in peer_netns */
    int peer_netns;          /* an fd of the namespace the peer is created in */
    unsigned mtu;            /* both ends; 0: the kernel's default */
    const uint8_t *peer_mac; /* 6 bytes, or NULL for a random one */
};

/* A change of one device (RTM_SETLINK): each field is applied when set. */
struct link_change {
    int index;
    const char *name;   /* rename to */
    const uint8_t *mac; /* 6 bytes */
    int master;         /* attach to this bridge (index) */
    bool up;            /* bring up */
};

struct nlmsghdr *link_msg_get(void *buf, const char *name);
struct nlmsghdr *link_msg_dump(void *buf);
/* mac: 6 bytes, or NULL; a bridge with its own MAC keeps it (without, it
 * takes its ports' lowest, and all zeros when the last one leaves) */
struct nlmsghdr *link_msg_new_bridge(void *buf, const char *name, unsigned mtu, const uint8_t *mac);
struct nlmsghdr *link_msg_new_veth(void *buf, const struct veth_spec *v);
struct nlmsghdr *link_msg_change(void *buf, const struct link_change *c);
struct nlmsghdr *link_msg_hairpin(void *buf, int index, bool on);
struct nlmsghdr *link_msg_route_localnet(void *buf, int index, bool on);
struct nlmsghdr *link_msg_del(void *buf, int index);

/* 1 and *li filled if a device `name` exists, 0 if none, -1 on an error. */
int link_get(struct nl *nl, const char *name, struct link_info *li, merr_t *err);
/* The number of devices whose master is `index` (a bridge's ports). */
int link_count_ports(struct nl *nl, int index, merr_t *err);
int link_new_bridge(struct nl *nl, const char *name, unsigned mtu, const uint8_t *mac, merr_t *err);
int link_new_veth(struct nl *nl, const struct veth_spec *v, merr_t *err);
/* `name` names the device in an error */
int link_change(struct nl *nl, const struct link_change *c, const char *name, merr_t *err);
int link_hairpin(struct nl *nl, int index, bool on, const char *name, merr_t *err);
int link_route_localnet(struct nl *nl, int index, bool on, const char *name, merr_t *err);
int link_del(struct nl *nl, int index, const char *name, merr_t *err);

#endif

/* ctr_net.c: a container's networking in its record, and the /etc/hosts
 * and /etc/resolv.conf made from it (see ctr_net.h). Every value written
 * into those files is checked here to be one token: a newline or a space
 * in --dns-option would otherwise add lines of its own. */
#include "ctr_net.h"
#include "ctr.h"
#include "ctr_ports.h"
#include "network_rec.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

bool ctr_net_is_network(const char *mode)
{
    return strcmp(mode, "none") != 0 && strcmp(mode, "host") != 0 &&
           strncmp(mode, "container:", 10) != 0;
}

const char *ctr_net_mode(json_t *rec)
{
    return str(json_object_get(rec, "HostConfig"), "NetworkMode") ?: "none";
}

static const char *given_mode(const struct run_opts *o)
{
    return str(o->hc, "NetworkMode") ?: NETWORK_DEFAULT;
}

static bool is_default(const char *mode)
{
    return strcmp(mode, NETWORK_DEFAULT) == 0 || strcmp(mode, "default") == 0;
}

static bool ip_any(const char *s)
{
    unsigned char b[16];
    return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* a host or domain name: letters, digits, - . _ ; 1..253 */
static bool dns_name(const char *s)
{
    size_t n = strlen(s);
    return n && n <= 253 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == n;
}

/* one token of printable ASCII (resolv.conf options: ndots:2, rotate) */
static bool token(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 255)
        return false;
    for (const char *c = s; *c; c++)
        if (*c <= ' ' || *c > '~' || *c == '#' || *c == ';')
            return false;
    return true;
}

static int mac_check(const char *m, merr_t *err)
{
    unsigned b[6];
    char end;
    if (strlen(m) != 17 ||
        sscanf(m, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
        return err_set(err, 0, "--mac-address \"%.40s\": like 02:6d:0a:5a:00:0a", m);
    if (b[0] & 1)
        return err_set(err, 0, "--mac-address %s: a multicast address", m);
    if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
        return err_set(err, 0, "--mac-address %s: all zero", m);
    return 0;
}

/* --add-host NAME:IP (or NAME=IP; IP may be host-gateway) */
static int add_host_check(const char *h, merr_t *err)
{
    cleanup_free char *b = xstrdup(h);
    char *sep = strpbrk(b, ":=");
    if (!sep)
        return err_set(err, 0, "--add-host \"%.80s\": NAME:IP", h);
    *sep = 0;
    if (!dns_name(b) || (!ip_any(sep + 1) && strcmp(sep + 1, "host-gateway") != 0))
        return err_set(err, 0, "--add-host \"%.80s\": NAME:IP, IP an address or host-gateway", h);
    return 0;
}

static int each(json_t *a, bool (*ok)(const char *), const char *flag, merr_t *err)
{
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *v = json_string_value(json_array_get(a, i)) ?: "";
        if (!ok(v))
            return err_set(err, 0, "%s \"%.80s\": not valid there", flag, v);
    }
    return 0;
}

/* --link NAME[:ALIAS] */
static bool link_ok(const char *l)
{
    cleanup_free char *b = xstrdup(l);
    char *c = strchr(b, ':');
    if (c)
        *c++ = 0;
    return dns_name(b) && (!c || dns_name(c));
}

int ctr_net_aliases_check(json_t *aliases, const char *flag, merr_t *err)
{
    return each(aliases, dns_name, flag, err);
}

static int values_check(const struct run_opts *o, merr_t *err)
{
    json_t *hc = o->hc, *ep = o->endpoint;
    if (each(json_object_get(hc, "Dns"), ip_any, "--dns", err) < 0 ||
        each(json_object_get(hc, "DnsSearch"), dns_name, "--dns-search", err) < 0 ||
        each(json_object_get(hc, "DnsOptions"), token, "--dns-option", err) < 0 ||
        each(json_object_get(hc, "Links"), link_ok, "--link", err) < 0 ||
        ctr_net_aliases_check(json_object_get(ep, "Aliases"), "--network-alias", err) < 0)
        return -1;
    json_t *xh = json_object_get(hc, "ExtraHosts");
    for (size_t i = 0; i < json_array_size(xh); i++)
        if (add_host_check(json_string_value(json_array_get(xh, i)) ?: "", err) < 0)
            return -1;
    const char *mac = str(ep, "MacAddress");
    if (mac && mac_check(mac, err) < 0)
        return -1;
    return ports_check(o->port_bindings, err);
}

int ctr_net_check(const struct run_opts *o, merr_t *err)
{
    const char *mode = given_mode(o);
    json_t *hc = o->hc, *ep = o->endpoint;
    bool ports =
        json_object_size(o->port_bindings) || json_is_true(json_object_get(hc, "PublishAllPorts"));
    if (values_check(o, err) < 0)
        return -1;
    if (!*mode)
        return err_set(err, 0, "--network \"\": a network's name, none, host or container:NAME");
    if (strncmp(mode, "container:", 10) == 0) {
        if (ports)
            return err_set(err, 0,
                           "conflicting options: port publishing and the container type "
                           "network mode");
        if (json_object_get(hc, "Dns") || json_object_get(hc, "DnsSearch") ||
            json_object_get(hc, "DnsOptions") || json_object_get(hc, "ExtraHosts"))
            return err_set(err, 0, "conflicting options: dns and the network mode");
        if (o->hostname)
            return err_set(err, 0, "conflicting options: hostname and the network mode");
    }
    if (!ctr_net_is_network(mode)) {
        if (json_object_get(ep, "MacAddress") || json_object_get(ep, "IPAMConfig") ||
            json_object_get(ep, "Aliases") || json_object_get(hc, "Links"))
            return err_set(err, 0,
                           "--network %s: --ip, --mac-address, --network-alias and --link need "
                           "a network",
                           mode);
        if (ports && strncmp(mode, "container:", 10) != 0)
            log_warn("published ports are discarded with --network %s", mode);
        return 0;
    }
    if (is_default(mode) && (json_object_get(ep, "IPAMConfig") || json_object_get(ep, "Aliases")))
        return err_set(err, 0,
                       "--ip and --network-alias are for user-defined networks; the "
                       "default network \"bridge\" has neither");
    return 0;
}

/* Config.ExposedPorts: the image's and those of -p and --expose */
static void exposed(json_t *rec, json_t *ic, const struct run_opts *o)
{
    json_t *e = json_deep_copy(json_object_get(ic, "ExposedPorts"));
    if (!json_is_object(e)) {
        json_decref(e);
        e = json_object();
    }
    if (o->exposed)
        json_object_update(e, o->exposed);
    json_object_set_new(json_object_get(rec, "Config"), "ExposedPorts", e);
}

/* DNSNames (the names its network's resolver answers for it) */
static json_t *dns_names(json_t *rec, json_t *aliases)
{
    json_t *a = json_array();
    const char *name = str(rec, "Name"), *id = str(rec, "Id");
    json_array_append_new(a, json_string(name[0] == '/' ? name + 1 : name));
    json_array_append_new(a, json_stringn(id, 12));
    for (size_t i = 0; i < json_array_size(aliases); i++)
        json_array_append(a, json_array_get(aliases, i));
    return a;
}

/* 02:6d: and the four bytes of the address */
static char *mac_of(const char *ip)
{
    unsigned char b[4] = {0};
    inet_pton(AF_INET, ip, b);
    return xasprintf("02:6d:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
}

json_t *ctr_net_endpoint(json_t *rec, const struct network *n, const char *ip, json_t *ep)
{
    cleanup_free char *gw = net4_addr_str(n->gateway);
    cleanup_free char *mac = str(ep, "MacAddress") ? xstrdup(str(ep, "MacAddress")) : mac_of(ip);
    json_t *aliases = json_object_get(ep, "Aliases");
    return json_pack("{s:O,s:n,s:O,s:s,s:n,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:o}", "IPAMConfig",
                     json_object_get(ep, "IPAMConfig") ?: json_null(), "Links", "Aliases",
                     aliases ?: json_null(), "MacAddress", mac, "DriverOpts", "NetworkID", n->id,
                     "EndpointID", "", "Gateway", gw, "IPPrefixLen", (int)n->subnet.prefix,
                     "IPAddress", ip, "IPv6Gateway", "", "GlobalIPv6PrefixLen", 0,
                     "GlobalIPv6Address", "", "DNSNames",
                     n->index == 0 ? json_null() : dns_names(rec, aliases));
}

/* NetworkSettings, with the default network's address at the top as
 * Docker shows it */
static json_t *settings(const char *name, json_t *ep, bool dflt)
{
    json_t *ns =
        json_pack("{s:s,s:s,s:s,s:{},s:b,s:s,s:i,s:n,s:n,s:s,s:s,s:s,s:i,s:s,s:i,s:s,s:"
                  "s,s:{}}",
                  "Bridge", "", "SandboxID", "", "SandboxKey", "", "Ports", "HairpinMode", 0,
                  "LinkLocalIPv6Address", "", "LinkLocalIPv6PrefixLen", 0, "SecondaryIPAddresses",
                  "SecondaryIPv6Addresses", "EndpointID", "", "Gateway", "", "GlobalIPv6Address",
                  "", "GlobalIPv6PrefixLen", 0, "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway",
                  "", "MacAddress", "", "Networks");
    if (ep) {
        if (dflt) {
            static const char *const top[] = {"Gateway", "IPAddress", "IPPrefixLen", "MacAddress"};
            for (size_t i = 0; i < ARRAY_SIZE(top); i++)
                json_object_set(ns, top[i], json_object_get(ep, top[i]));
        }
        json_object_set_new(json_object_get(ns, "Networks"), name, ep);
    }
    return ns;
}

/* --link NAME[:ALIAS]: NAME's address on this network, as a line of
 * /etc/hosts ("LinkHosts", moat's own key) */
static int links(struct store *s, json_t *rec, const struct network *n, merr_t *err)
{
    json_t *l = json_object_get(json_object_get(rec, "HostConfig"), "Links"), *lines = json_array();
    for (size_t i = 0; i < json_array_size(l); i++) {
        cleanup_free char *b = xstrdup(json_string_value(json_array_get(l, i)));
        char *alias = strchr(b, ':'), id[65];
        if (alias)
            *alias++ = 0;
        json_t *t = ctr_find(s, b, id, err) < 0 ? NULL : ctr_load(s, id, err);
        const char *ip =
            str(json_object_get(json_object_get(json_object_get(t, "NetworkSettings"), "Networks"),
                                n->name),
                "IPAddress");
        if (!t || !ip) {
            json_decref(t);
            json_decref(lines);
            return t ? err_set(err, 0, "--link %s: that container is not on network %s", b, n->name)
                     : err_wrap(err, "--link %s", b);
        }
        json_array_append_new(lines, json_sprintf("%s\t%s %s", ip, alias ? alias : b, b));
        json_decref(t);
    }
    json_object_set_new(rec, "LinkHosts", lines);
    return 0;
}

int ctr_net_record(struct store *s, json_t *rec, json_t *ic, const struct run_opts *o, merr_t *err)
{
    json_t *hc = json_object_get(rec, "HostConfig");
    const char *mode = given_mode(o);
    exposed(rec, ic, o);
    json_object_set_new(hc, "PortBindings",
                        o->port_bindings ? json_deep_copy(o->port_bindings) : json_object());
    if (!json_object_get(hc, "PublishAllPorts"))
        json_object_set_new(hc, "PublishAllPorts", json_false());
    if (!ctr_net_is_network(mode)) {
        json_object_set_new(hc, "NetworkMode", json_string(mode));
        json_object_set_new(rec, "NetworkSettings", settings(mode, NULL, false));
        return 0;
    }
    if (is_default(mode) && network_ensure_default(s, err) < 0)
        return -1;
    struct network n;
    if (network_find_in(s, true, mode, &n, err) < 0)
        return err_wrap(err, "--network %s", mode);
    int r = -1;
    char *ip = NULL;
    if (!n.device) {
        err_set(err, 0, "--network %s: use --network %s itself", mode, n.driver);
        goto out;
    }
    const char *want = str(json_object_get(o->endpoint, "IPAMConfig"), "IPv4Address");
    if (network_ip_alloc(s, &n, str(rec, "Id"), want, &ip, err) < 0)
        goto out;
    json_object_set_new(hc, "NetworkMode", json_string(n.name));
    json_object_set_new(rec, "NetworkSettings",
                        settings(n.name, ctr_net_endpoint(rec, &n, ip, o->endpoint), n.index == 0));
    json_object_set_new(rec, "NetIfnames", json_pack("{s:s}", n.name, "eth0"));
    if (links(s, rec, &n, err) < 0) {
        merr_t e = MERR_INIT;
        network_ip_release(s, &n, str(rec, "Id"), &e);
        err_clear(&e);
        goto out;
    }
    r = 0;
out:
    free(ip);
    network_free(&n);
    return r;
}

void ctr_net_release(struct store *s, json_t *rec)
{
    json_t *nets = json_object_get(json_object_get(rec, "NetworkSettings"), "Networks"), *ep;
    const char *name;
    json_object_foreach(nets, name, ep)
    {
        struct network n;
        merr_t e = MERR_INIT;
        if (network_find_in(s, true, str(ep, "NetworkID") ?: name, &n, &e) == 0) {
            network_ip_release(s, &n, str(rec, "Id"), &e);
            network_free(&n);
        }
        err_clear(&e);
    }
}

/* the address of its first network ("" for none and host) */
static const char *primary(json_t *rec, const char *key)
{
    json_t *nets = json_object_get(json_object_get(rec, "NetworkSettings"), "Networks");
    void *it = json_object_iter(nets);
    return it ? str(json_object_iter_value(it), key) ?: "" : "";
}

char *ctr_net_hosts(json_t *rec)
{
    json_t *cfg = json_object_get(rec, "Config"), *hc = json_object_get(rec, "HostConfig");
    const char *hn = str(cfg, "Hostname") ?: "", *ip = primary(rec, "IPAddress");
    struct sbuf b = {0};
    sbuf_printf(&b, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    sbuf_printf(&b, "%s\t%s\n", *ip ? ip : "127.0.1.1", hn);
    json_t *xh = json_object_get(hc, "ExtraHosts");
    for (size_t i = 0; i < json_array_size(xh); i++) {
        cleanup_free char *h = xstrdup(json_string_value(json_array_get(xh, i)) ?: "");
        char *sep = strpbrk(h, ":=");
        if (!sep)
            continue;
        *sep++ = 0;
        const char *addr = strcmp(sep, "host-gateway") == 0 ? primary(rec, "Gateway") : sep;
        if (*addr)
            sbuf_printf(&b, "%s\t%s\n", addr, h);
    }
    json_t *lh = json_object_get(rec, "LinkHosts");
    for (size_t i = 0; i < json_array_size(lh); i++)
        sbuf_printf(&b, "%s\n", json_string_value(json_array_get(lh, i)) ?: "");
    return b.buf;
}

/* the host's resolv.conf, lines of kind k ("nameserver", "search",
 * "options"), loopback resolvers left out (unreachable from a container) */
static void host_lines(const char *host, const char *k, struct sbuf *b, bool *any)
{
    size_t kl = strlen(k);
    for (const char *l = host; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t n = strcspn(l, "\n");
        if (n <= kl || strncmp(l, k, kl) != 0 || (l[kl] != ' ' && l[kl] != '\t'))
            continue;
        const char *v = l + kl + strspn(l + kl, " \t");
        if (!strcmp(k, "nameserver") && (!strncmp(v, "127.", 4) || !strncmp(v, "::1", 3)))
            continue;
        sbuf_printf(b, "%.*s\n", (int)n, l);
        *any = true;
    }
}

static void given_lines(json_t *a, const char *k, struct sbuf *b, bool each_line)
{
    if (!each_line && json_array_size(a))
        sbuf_printf(b, "%s", k);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *v = json_string_value(json_array_get(a, i)) ?: "";
        if (each_line)
            sbuf_printf(b, "%s %s\n", k, v);
        else
            sbuf_printf(b, " %s", v);
    }
    if (!each_line && json_array_size(a))
        sbuf_printf(b, "\n");
}

/* options of a resolver at 127.0.0.11: ndots:0 (as Docker's) unless
 * --dns-option has an ndots, then --dns-option or the host's options */
static void embedded_options(json_t *given, const char *host, struct sbuf *b)
{
    bool ndots = false, unused = false;
    for (size_t i = 0; i < json_array_size(given); i++)
        ndots = ndots || !strncmp(json_string_value(json_array_get(given, i)) ?: "", "ndots:", 6);
    if (!json_array_size(given)) {
        sbuf_printf(b, "options ndots:0\n");
        host_lines(host, "options", b, &unused);
        return;
    }
    sbuf_printf(b, "options%s", ndots ? "" : " ndots:0");
    given_lines(given, "", b, false);
}

char *ctr_net_resolv(json_t *rec)
{
    json_t *hc = json_object_get(rec, "HostConfig");
    cleanup_free char *host = NULL;
    merr_t e = MERR_INIT;
    read_file_at(AT_FDCWD, "/etc/resolv.conf", &host, NULL, &e);
    err_clear(&e);
    struct sbuf b = {0};
    bool any = false;
    /* a user-defined network (its names, DNSNames) has the embedded
     * resolver, which forwards to --dns or the host's servers */
    json_t *nets = json_object_get(json_object_get(rec, "NetworkSettings"), "Networks");
    void *first = json_object_iter(nets);
    bool embedded =
        first && json_is_array(json_object_get(json_object_iter_value(first), "DNSNames"));
    static const char *const keys[] = {"DnsSearch", "DnsOptions"};
    static const char *const kinds[] = {"search", "options"};
    if (embedded)
        sbuf_printf(&b, "nameserver 127.0.0.11\n"), any = true;
    else if (json_array_size(json_object_get(hc, "Dns")))
        given_lines(json_object_get(hc, "Dns"), "nameserver", &b, true), any = true;
    else
        host_lines(host, "nameserver", &b, &any);
    if (!any) /* Docker's fallback when the host has only loopback resolvers */
        sbuf_printf(&b, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
    for (size_t k = 0; k < 2; k++) {
        bool unused = false;
        if (k == 1 && embedded)
            embedded_options(json_object_get(hc, keys[k]), host, &b);
        else if (json_array_size(json_object_get(hc, keys[k])))
            given_lines(json_object_get(hc, keys[k]), kinds[k], &b, false);
        else
            host_lines(host, kinds[k], &b, &unused);
    }
    return b.buf ? b.buf : xstrdup("");
}

/* ctr_ports.h: published and exposed ports, in Docker's shapes:
 * HostConfig.PortBindings {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}
 * and Config.ExposedPorts {"80/tcp": {}}. An empty HostIp is moat's
 * default host address, 127.0.0.1 (Docker's is every address): publishing
 * on every address is an explicit -p 0.0.0.0:... An empty HostPort is a
 * port the kernel picks when the container starts. */
#ifndef MOAT_CTR_PORTS_H
#define MOAT_CTR_PORTS_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* -p [IP:][HOSTPORT:]CTRPORT[/PROTO] (ports or equal ranges A-B; an IPv6
 * address in brackets is refused for now) into bindings (PortBindings)
 * and exposed (ExposedPorts). */
int ports_publish_parse(const char *spec, json_t *bindings, json_t *exposed, merr_t *err);
/* --expose PORT[-PORT][/PROTO] into exposed. */
int ports_expose_parse(const char *spec, json_t *exposed, merr_t *err);
/* Check PortBindings as given to the engine (from the CLI or an API
 * client): keys PORT/PROTO, HostIp an IPv4 address or "", HostPort a port
 * or "". */
int ports_check(json_t *bindings, merr_t *err);

/* One port published while the container runs. */
struct port_map {
    bool udp;
    uint32_t host_ip; /* network order; INADDR_ANY: every address */
    uint16_t host_port, ctr_port;
    int fd; /* the host port, held bound so that nothing else takes it */
};

/* The ports to publish: bindings, and with publish_all every port of
 * exposed that has none (on 127.0.0.1, at a port the kernel picks). Each
 * host port is bound now and held; a port in use is an error naming it,
 * and nothing is left bound. */
int ports_bind(json_t *bindings, json_t *exposed, bool publish_all, struct port_map **out,
               size_t *n, merr_t *err);
void ports_release(struct port_map *v, size_t n);
/* NetworkSettings.Ports: every exposed port, with its host bindings. */
json_t *ports_settings(json_t *exposed, const struct port_map *v, size_t n);
/* `ps`'s PORTS of NetworkSettings.Ports, as Docker prints them:
 * "127.0.0.1:8080->80/tcp, 443/tcp" (new string) */
char *ports_summary(json_t *ports);

#endif

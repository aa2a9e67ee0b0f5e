/* ctr_ports.c: -p, -P and --expose, checked, and the host ports held while
 * the container runs (see ctr_ports.h). */
#include "ctr_ports.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_HOST_IP "127.0.0.1"

/* "A" or "A-B" of ports 1..65535 (or 0 for none when allow_empty and s is
 * empty) */
static int port_range(const char *s, size_t len, unsigned *lo, unsigned *hi)
{
    char b[16];
    if (len == 0 || len >= sizeof(b))
        return -1;
    memcpy(b, s, len);
    b[len] = 0;
    char *dash = strchr(b, '-');
    if (dash)
        *dash = 0;
    uint64_t a, z;
    if (parse_u64(b, &a) < 0 || a < 1 || a > 65535)
        return -1;
    z = a;
    if (dash && (parse_u64(dash + 1, &z) < 0 || z < a || z > 65535))
        return -1;
    *lo = (unsigned)a;
    *hi = (unsigned)z;
    return 0;
}

static int proto_of(const char *p, merr_t *err, const char *spec)
{
    if (!p || strcmp(p, "tcp") == 0)
        return 0;
    if (strcmp(p, "udp") == 0)
        return 1;
    return err_set(err, 0, "\"%s\": protocol \"%s\": tcp or udp (moat has no sctp)", spec, p);
}

static void expose(json_t *exposed, unsigned port, bool udp)
{
    char k[24];
    snprintf(k, sizeof(k), "%u/%s", port, udp ? "udp" : "tcp");
    if (!json_object_get(exposed, k))
        json_object_set_new(exposed, k, json_object());
}

int ports_expose_parse(const char *spec, json_t *exposed, merr_t *err)
{
    const char *slash = strchr(spec, '/');
    unsigned lo, hi;
    size_t len = slash ? (size_t)(slash - spec) : strlen(spec);
    int udp = proto_of(slash ? slash + 1 : NULL, err, spec);
    if (udp < 0)
        return -1;
    if (port_range(spec, len, &lo, &hi) < 0)
        return err_set(err, 0, "--expose \"%s\": a port or a range (1-65535), /tcp or /udp", spec);
    for (unsigned p = lo; p <= hi; p++)
        expose(exposed, p, udp);
    return 0;
}

static bool ipv4(const char *s)
{
    struct in_addr a;
    return inet_pton(AF_INET, s, &a) == 1;
}

static void bind_one(json_t *bindings, unsigned ctr, bool udp, const char *ip, unsigned host)
{
    char k[24], hp[12] = "";
    snprintf(k, sizeof(k), "%u/%s", ctr, udp ? "udp" : "tcp");
    if (host)
        snprintf(hp, sizeof(hp), "%u", host);
    json_t *a = json_object_get(bindings, k);
    if (!a)
        json_object_set_new(bindings, k, a = json_array());
    json_array_append_new(a, json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", hp));
}

int ports_publish_parse(const char *spec, json_t *bindings, json_t *exposed, merr_t *err)
{
    cleanup_free char *b = xstrdup(spec);
    char *slash = strrchr(b, '/');
    if (slash)
        *slash++ = 0;
    int udp = proto_of(slash, err, spec);
    if (udp < 0)
        return -1;
    if (b[0] == '[')
        return err_set(err, 0, "-p \"%s\": moat has no IPv6 publishing yet", spec);
    /* from the right: CTR, then HOST, then IP (which has no ':') */
    char *ctr = strrchr(b, ':'), *host = NULL, *ip = NULL;
    if (ctr) {
        *ctr++ = 0;
        host = strrchr(b, ':');
        if (host) {
            *host++ = 0;
            ip = b;
        } else {
            host = b;
        }
    } else {
        ctr = b;
    }
    unsigned clo, chi, hlo = 0, hhi = 0;
    if (port_range(ctr, strlen(ctr), &clo, &chi) < 0)
        return err_set(err, 0, "-p \"%s\": the container port \"%s\": a port or a range (1-65535)",
                       spec, ctr);
    if (host && *host && port_range(host, strlen(host), &hlo, &hhi) < 0)
        return err_set(err, 0, "-p \"%s\": the host port \"%s\": a port or a range (1-65535)", spec,
                       host);
    if (hlo && hhi - hlo != chi - clo)
        return err_set(err, 0, "-p \"%s\": the host and container ranges differ in size", spec);
    if (ip && *ip && !ipv4(ip))
        return err_set(err, 0, "-p \"%s\": \"%s\" is not an IPv4 address", spec, ip);
    for (unsigned p = clo; p <= chi; p++) {
        bind_one(bindings, p, udp, ip ? ip : "", hlo ? hlo + (p - clo) : 0);
        expose(exposed, p, udp);
    }
    return 0;
}

/* "PORT/PROTO" of a PortBindings or ExposedPorts key */
static int key_port(const char *k, unsigned *port, bool *udp)
{
    const char *slash = strchr(k, '/');
    unsigned hi;
    size_t len = slash ? (size_t)(slash - k) : strlen(k);
    if (port_range(k, len, port, &hi) < 0 || hi != *port)
        return -1;
    if (!slash || strcmp(slash, "/tcp") == 0)
        *udp = false;
    else if (strcmp(slash, "/udp") == 0)
        *udp = true;
    else
        return -1;
    return 0;
}

int ports_check(json_t *bindings, merr_t *err)
{
    const char *k;
    json_t *v;
    if (!bindings || json_is_null(bindings))
        return 0;
    if (!json_is_object(bindings))
        return err_set(err, 0, "PortBindings: must be an object");
    json_object_foreach(bindings, k, v)
    {
        unsigned port, hlo, hhi;
        bool udp;
        if (key_port(k, &port, &udp) < 0)
            return err_set(err, 0, "PortBindings: \"%.40s\": PORT/tcp or PORT/udp", k);
        if (!json_is_array(v) && !json_is_null(v))
            return err_set(err, 0, "PortBindings.%s: must be a list", k);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            const char *ip = json_string_value(json_object_get(e, "HostIp")) ?: "";
            const char *hp = json_string_value(json_object_get(e, "HostPort")) ?: "";
            if (!json_is_object(e) || (*ip && !ipv4(ip)))
                return err_set(err, 0, "PortBindings.%s[%zu].HostIp: \"%.40s\" is not IPv4", k, i,
                               ip);
            if (*hp && (port_range(hp, strlen(hp), &hlo, &hhi) < 0 || hlo != hhi))
                return err_set(err, 0, "PortBindings.%s[%zu].HostPort: \"%.40s\": a port", k, i,
                               hp);
        }
    }
    return 0;
}

/* bind host ip:port (0: the kernel picks; *port then is its choice) */
static int hold(struct port_map *m, merr_t *err)
{
    int fd = socket(AF_INET, (m->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return err_sys(err, "socket");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(m->host_port)};
    a.sin_addr.s_addr = m->host_ip;
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
        int e = errno;
        close(fd);
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &m->host_ip, ip, sizeof(ip));
        if (e == EADDRINUSE)
            return err_set(err, 0, "Bind for %s:%u failed: port is already allocated", ip,
                           m->host_port);
        return err_set(err, e, "Bind for %s:%u failed", ip, m->host_port);
    }
    m->host_port = ntohs(a.sin_port);
    m->fd = fd;
    return 0;
}

static void add_map(struct port_map **v, size_t *n, unsigned ctr, bool udp, const char *ip,
                    unsigned host)
{
    struct in_addr a = {0};
    inet_pton(AF_INET, *ip ? ip : DEFAULT_HOST_IP, &a);
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = (struct port_map){udp, a.s_addr, (uint16_t)host, (uint16_t)ctr, -1};
}

int ports_bind(json_t *bindings, json_t *exposed, bool publish_all, struct port_map **out,
               size_t *n, merr_t *err)
{
    struct port_map *v = NULL;
    size_t cnt = 0;
    const char *k;
    json_t *e;
    unsigned port;
    bool udp;
    json_object_foreach(bindings, k, e)
    {
        if (key_port(k, &port, &udp) < 0)
            continue;
        for (size_t i = 0; i < json_array_size(e); i++) {
            json_t *b = json_array_get(e, i);
            uint64_t hp = 0;
            parse_u64(json_string_value(json_object_get(b, "HostPort")) ?: "", &hp);
            add_map(&v, &cnt, port, udp, json_string_value(json_object_get(b, "HostIp")) ?: "",
                    (unsigned)hp);
        }
    }
    if (publish_all)
        json_object_foreach(exposed, k, e)
        {
            if (key_port(k, &port, &udp) == 0 && json_array_size(json_object_get(bindings, k)) == 0)
                add_map(&v, &cnt, port, udp, "", 0);
        }
    for (size_t i = 0; i < cnt; i++)
        if (hold(&v[i], err) < 0) {
            ports_release(v, i);
            return -1;
        }
    *out = v;
    *n = cnt;
    return 0;
}

void ports_release(struct port_map *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].fd >= 0)
            close(v[i].fd);
    free(v);
}

json_t *ports_settings(json_t *exposed, const struct port_map *v, size_t n)
{
    json_t *o = json_object();
    const char *k;
    json_t *e;
    json_object_foreach(exposed, k, e)
    {
        json_object_set_new(o, k, json_null());
    }
    for (size_t i = 0; i < n; i++) {
        char k2[24], ip[INET_ADDRSTRLEN], hp[12];
        snprintf(k2, sizeof(k2), "%u/%s", v[i].ctr_port, v[i].udp ? "udp" : "tcp");
        inet_ntop(AF_INET, &v[i].host_ip, ip, sizeof(ip));
        snprintf(hp, sizeof(hp), "%u", v[i].host_port);
        json_t *a = json_object_get(o, k2);
        if (!json_is_array(a))
            json_object_set_new(o, k2, a = json_array());
        json_array_append_new(a, json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", hp));
    }
    return o;
}

char *ports_summary(json_t *ports)
{
    struct sbuf b = {0};
    const char *k;
    json_t *v;
    json_object_foreach(ports, k, v)
    {
        if (!json_array_size(v))
            sbuf_printf(&b, "%s%s", b.len ? ", " : "", k);
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            sbuf_printf(&b, "%s%s:%s->%s", b.len ? ", " : "",
                        json_string_value(json_object_get(e, "HostIp")) ?: "",
                        json_string_value(json_object_get(e, "HostPort")) ?: "", k);
        }
    }
    return b.buf ? b.buf : xstrdup("");
}

/* dns_run.h: the monitor's side of a container's embedded resolver
 * (dns_server.h): its sockets made at 127.0.0.11:53 inside the
 * container's network namespace before anything of the container runs,
 * the resolver started as the user moat-dns, its questions about names
 * answered from the store (dns_names.h) without ever waiting, and the
 * resolver killed when the container stops. */
#ifndef MOAT_DNS_RUN_H
#define MOAT_DNS_RUN_H

#include "store.h"
#include <jansson.h>

#define DNS_USER "moat-dns"
#define DNS_ADDR "127.0.0.11"

struct dns_run;

/* The upstream servers of a container whose record's HostConfig is hc:
 * its --dns servers, or else every nameserver of the host's
 * /etc/resolv.conf (loopback ones too: the resolver forwards from the
 * host's network namespace). A NULL-ended list (strv_free it). */
char **dns_upstreams(json_t *hc);
/* Start the resolver of container id, whose network namespace is nsfd,
 * its names looked up on the bridges of the networks it is on at the time
 * (connected and disconnected ones count), forwarding to upstreams (NULL
 * or none: names it does not know are refused). */
int dns_run_start(struct store *s, int nsfd, char *const *upstreams, const char *id,
                  struct dns_run **out, merr_t *err);
/* The descriptor to poll for its questions (-1: none, it is gone). */
int dns_run_fd(const struct dns_run *d);
/* Answer the questions waiting on it (never blocks). */
void dns_run_serve(struct dns_run *d);
/* Kill it, reap it, free d (NULL: nothing). */
void dns_run_stop(struct dns_run *d);

#endif

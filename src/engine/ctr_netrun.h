/* ctr_netrun.h: a container's networks while it runs, kept by its
 * monitor: its host ports held bound from before it starts, a veth on
 * each of its networks' bridges made when its network namespace exists
 * (the runtime's netns_ready, before anything of the container runs),
 * and moat's firewall applied with its endpoints; all of it undone when
 * it stops. */
#ifndef MOAT_CTR_NETRUN_H
#define MOAT_CTR_NETRUN_H

#include "store.h"
#include <jansson.h>
#include <sys/types.h>

struct ctr_netrun;

/* For the record rec of container id: its ports bound (a port in use is
 * an error, nothing left bound). *out is NULL when it has no network of
 * the store (none, host, container:). */
int ctr_netrun_prepare(struct store *s, const char *id, json_t *rec, struct ctr_netrun **out,
                       merr_t *err);
/* rt_create_opts.netns_ready: arg is the ctr_netrun. */
int ctr_netrun_ready(void *arg, pid_t pid, merr_t *err);
/* NetworkSettings.Ports while it runs */
json_t *ctr_netrun_ports(const struct ctr_netrun *r);
/* Its embedded resolver's questions (user-defined networks, dns_run.h):
 * the descriptor to poll (-1: none), and what to do when it is ready. */
int ctr_netrun_dns_fd(const struct ctr_netrun *r);
void ctr_netrun_dns_serve(struct ctr_netrun *r);
/* Undo all of it (NULL: nothing) and free it: every endpoint of the
 * container goes, those connected while it ran too. */
void ctr_netrun_finish(struct ctr_netrun *r);

/* `network connect` of a running container: its endpoint ep
 * (EndpointSettings) on n, as ifname in its network namespace nsfd. */
struct network;
int ctr_netrun_attach(struct store *s, const char *id, const struct network *n, json_t *ep,
                      const char *ifname, int nsfd, merr_t *err);
/* `network disconnect`: its endpoint on n removed, the firewall applied. */
int ctr_netrun_detach(struct store *s, const char *id, const struct network *n, merr_t *err);

#endif

/* front.h: moat-api's request handling. Each request is routed
 * (route.h), its query, body and caller's connection put into one typed
 * request, and handed to moat's daemon (the back, running as root) over
 * the control socket: a socketpair per request (the channel) and the
 * client's connection go there as SCM_RIGHTS. The back answers on the
 * channel with a header line and the body, which this relays; for 101 it
 * gets the upgraded connection back over the channel. Nothing here runs
 * as root or decides who may do what: the back does, on the request it
 * executes. */
#ifndef MOAT_API_FRONT_H
#define MOAT_API_FRONT_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/* JSON bodies larger than this are refused (413), never cut */
#define FRONT_BODY_MAX (1024 * 1024)

struct front_listener {
    int fd;
    bool tls;         /* TCP with mutual TLS */
    bool shared;      /* the user socket: each uid gets a share (accept.h) */
    char **hosts;     /* TLS: the Host values accepted (the daemon's names) */
    int ctl;          /* the control socket to the back */
    const char *kind; /* "unix" or "tcp" */
};

enum MHD_Result front_handler(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req_cls);
void front_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                     enum MHD_RequestTerminationCode toe);

#endif

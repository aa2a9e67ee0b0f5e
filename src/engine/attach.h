/* attach.h: a client of a container's monitor (monitor.h): what `run`,
 * `start -a` and `attach` relay between the terminal and the container. */
#ifndef MOAT_ENGINE_ATTACH_H
#define MOAT_ENGINE_ATTACH_H

#include "store.h"
#include "../util/keyseq.h"
#include <stdbool.h>
#include <stddef.h>

struct attach_opts {
    bool in;            /* relay stdin */
    bool tty;           /* the container has a terminal: ours is made raw, its size follows */
    bool sig_proxy;     /* forward SIGINT, SIGTERM, SIGHUP and SIGQUIT to the container */
    bool out, err;      /* print the container's stdout, stderr (-a) */
    struct keyseq keys; /* the detach sequence read on stdin (keyseq_parse) */
};

/* Connect to the monitor's attach socket. */
int monitor_connect(struct store *s, const char *id, merr_t *err);
/* Send the terminal's size (0x0 if stdin is not one): a terminal client
 * does so first, and the monitor starts the pty at that size. */
void monitor_send_winsize(int sock);

enum { ATTACH_EXITED = 0, ATTACH_DETACHED = 1 };
/* Relay until the container exits (ATTACH_EXITED, its exit code in
 * *code) or the detach keys are read (ATTACH_DETACHED: it runs on); -1
 * on error. */
int attach_relay(struct store *s, const char *id, int sock, const struct attach_opts *o, int *code,
                 merr_t *err);

/* Set the terminal size of a running container with a terminal (the API's
 * resize) through its monitor. */
int ctr_resize(struct store *s, const char *id, unsigned rows, unsigned cols, merr_t *err);

#endif

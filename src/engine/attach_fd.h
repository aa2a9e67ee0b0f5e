/* attach_fd.h: Docker's attach streams, served by the container's
 * monitor itself: a client connection (the API daemon's upgraded one) is
 * handed over to the monitor (monitor.h, 'f'), which from then on writes
 * the container's output to it in Docker's format and reads the
 * container's stdin from it (monclient.h), until the container exits and
 * it closes the connection. Nothing copies the streams in between.
 *
 * A container that is created and not started yet gets the connection at
 * its start, from its first byte: the attach waits (up to 30 s) on a
 * socket of its own, containers/ID/attach-wait/RANDOM; a start
 * (ctr_start_attach) connects to each there, takes its connection and
 * hands it to the monitor it forks, before the container runs. A start
 * with none (no attach-wait/ directory) costs one failed openat. */
#ifndef MOAT_ENGINE_ATTACH_FD_H
#define MOAT_ENGINE_ATTACH_FD_H

#include "monitor.h"
#include "store.h"
#include <stdbool.h>
#include <stddef.h>

struct attach_fd_opts {
    bool in;       /* what the client sends is the container's stdin (if it has
                    * OpenStdin; else it is read and dropped) */
    bool out, err; /* its stdout, stderr go to the client */
};

/* An attach, begun: the container is running (or its monitor is up), or it
 * is created and this waits for its start. Begin before the client is
 * told the stream is open (Docker's 101), so that a start it sends next
 * finds the attach. Errors: no such container (errnum ENOENT), it is not
 * running and not created (exited: errnum ESRCH). */
struct attach_fd_wait;
int ctr_attach_fd_begin(struct store *s, const char *id, struct attach_fd_wait **w, merr_t *err);
/* Hand fd over (the caller then closes its copy) and end w: returns once
 * the monitor serves fd; for a created container once a start took it (up
 * to 30 s: errnum ETIMEDOUT). It fails (ENOENT, ESRCH) if the container
 * is removed, or exits or fails to start first. */
int ctr_attach_fd_end(struct attach_fd_wait *w, int fd, const struct attach_fd_opts *o,
                      merr_t *err);
/* Give up w (the client went away before fd came) */
void ctr_attach_fd_cancel(struct attach_fd_wait *w);
/* Both at once */
int ctr_attach_fd(struct store *s, const char *id, int fd, const struct attach_fd_opts *o,
                  merr_t *err);

/* The start's side: the connections of the attaches waiting for the
 * container's start (each asked through its socket, dead ones removed) */
struct attach_pending {
    struct mon_handover *h; /* the connections and their streams */
    int *conn;              /* the attach waiting for each */
    size_t n;
};
void attach_pending_take(struct store *s, const char *id, struct attach_pending *p);
/* The monitor was forked with them (ok), or not: tell each attach, close
 * our copies */
void attach_pending_done(struct attach_pending *p, bool ok);

#endif

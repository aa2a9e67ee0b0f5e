/* monitor.h: the per-container monitor (what conmon is to Podman).
 *
 * `start` forks a monitor that lives as long as the container: it mounts
 * the container's root, creates and starts the container through the
 * runtime (in-process), keeps its stdout and stderr in log.N files
 * (logfile.h, capped by HostConfig.LogConfig), serves attach clients on
 * containers/ID/attach.sock, and records the exit
 * status, unmounts and cleans up when the container ends (removing it
 * with --rm). The CLI can go at any time; no monitor waits for another.
 *
 * Attach frames on the socket: a type byte, a 32-bit big-endian length,
 * the data. Monitor to client: 'o' stdout, 'e' stderr, 'x' the exit code
 * (decimal), 'k' a connection handed over is taken. Client to monitor:
 * 'i' stdin, 'c' end of stdin, 'w' window size (rows and columns, 16 bits
 * each; a client of a -t container sends one first), 'f' a connection
 * handed over (SCM_RIGHTS; attach_fd.h), which the monitor serves in
 * Docker's format from then on (monclient.h). */
#ifndef MOAT_MONITOR_H
#define MOAT_MONITOR_H

#include "store.h"
#include <stdbool.h>
#include <stddef.h>

/* A client connection handed over before the start (attach_fd.h): its fd
 * and streams (MON_FD_*) */
struct mon_handover {
    int fd;
    unsigned flags;
};

/* Fork the monitor of container id, with the nh connections h (its
 * clients from the start; the caller closes its copies). With attach, it
 * waits (up to 30 s) for a client on its socket before starting the
 * container; *status is then a pipe to pass to monitor_started once
 * connected. Without, this returns when the container runs (or failed to
 * start). */
int monitor_spawn(struct store *s, const char *id, bool attach, const struct mon_handover *h,
                  size_t nh, int *status, merr_t *err);
/* Wait for the monitor's report on the start of the container. */
int monitor_started(int status, merr_t *err);

#endif

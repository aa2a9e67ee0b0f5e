/* vminit_int.h: shared by the guest init's files only (vminit*.c). */
#ifndef MOAT_VM_VMINIT_INT_H
#define MOAT_VM_VMINIT_INT_H

#include "../oci/spec.h"
#include "../util/err.h"
#include "proto.h"

#include <jansson.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* a process of the guest and its stdio: pipes (in, out, err) or a pty
 * master (out; in is a second fd of it) */
struct gproc {
    uint32_t chan;
    pid_t pid;
    int in, out, err;
    bool tty;
    bool exited; /* reaped */
    int code, signo;
    struct vmp_out inq; /* STDIN bytes not yet written */
    bool in_eof;        /* close stdin once inq is written */
    bool held;          /* the host's reader is behind: its output is not read */
    bool in_held;       /* told the host to hold its stdin (inq is long) */
};

/* prep: run by the child first (as root, with every capability: what
 * must be done from inside the container's PID namespace, whose first
 * process it is); its error is the start's. */
struct gprep {
    int (*fn)(const void *ctx, merr_t *err);
    const void *ctx;
};
/* Start process p (cwd, env, user, capabilities, rlimits...) with its
 * stdio; terminal: a new pty, made its controlling terminal; prep: NULL,
 * or what the child does first. */
int gproc_start(const struct spec_process *p, bool terminal, uint32_t chan,
                const struct gprep *prep, struct gproc *g, merr_t *err);
void gproc_close(struct gproc *g);
/* The filter every process started after it gets (insns is kept). */
struct sock_filter;
void gproc_set_seccomp(struct sock_filter *insns, unsigned short len, unsigned flags);

/* The relay: runs until the process of channel 0 has ended, then returns
 * its (code, signal) (everything left is killed by the caller). ctl is the
 * port, blocking. */
struct vminit_relay;
int vminit_relay(int ctl, struct vmp_reader *rd, struct gproc *main_proc, int *code, int *signo);

/* Send one frame on the port (blocking); errors are ignored: the host
 * reads the port or is gone. */
void vminit_send(int ctl, uint8_t type, uint32_t chan, const void *data, size_t len);
void vminit_send_exit(int ctl, uint32_t chan, int code, int signo);

/* The guest's network: lo up, and with net {address, prefix, gateway}
 * eth0 (QEMU's user-mode network) and the default route. */
int vminit_net(json_t *net, merr_t *err);
/* net's dns as a resolv.conf, a detached mount of it (before the switch
 * to the share), or -1; placed over the image's /etc/resolv.conf after. */
int vminit_resolv_prepare(json_t *net);
void vminit_resolv_place(int tree);

/* The guest's mounts below the new root (after the switch), in two
 * passes: MOUNTS_INIT by the guest's init, all but the proc mounts and
 * what goes below them; MOUNTS_CONTAINER those, by the container's first
 * process (a proc instance is of the PID namespace of the process that
 * makes it). */
enum mounts_pass { MOUNTS_INIT, MOUNTS_CONTAINER };
int vminit_mounts(const struct spec *s, enum mounts_pass pass, merr_t *err);
/* Then the container's linux.sysctl, maskedPaths and readonlyPaths, as
 * the runtime applies them to a container (in the guest's kernel). */
int vminit_harden(const struct spec *s, merr_t *err);

#endif

/* vmm_int.h: shared by the supervisor's files only (vmm*.c). */
#ifndef MOAT_VM_VMM_INT_H
#define MOAT_VM_VMM_INT_H

#include "../util/err.h"
#include "proto.h"

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct vm_spec {
    const char *qemu, *virtiofsd, *kernel, *initrd, *rootfs, *run_dir, *exec_socket;
    const char *accel; /* "tcg" or "kvm" once resolved */
    const char *vfs_sandbox;
    const char *net; /* "none", or "user": QEMU's user-mode network (slirp) */
    char *hostfwd;   /* with user: ",hostfwd=tcp::80-:80..." for the forwards */
    uint32_t memory_mib, cpus, boot_timeout_ms;
    bool terminal;
    char *guest; /* the guest object as compact JSON, the SPEC frame */
    size_t guest_len;
    json_t *root;
};
/* Parse and check a vm spec ("file" names it in errors). */
int vm_spec_parse(const char *text, size_t len, const char *file, struct vm_spec *s, merr_t *err);
void vm_spec_free(struct vm_spec *s);

/* The command lines (NULL-terminated; free with strv_free). The fds are
 * those the programs get: virtiofsd its listening socket as 3; QEMU the
 * control channel as 3, the console as 4 and virtiofsd's as 5. */
#define VMM_FD_CTL 3
#define VMM_FD_CON 4
#define VMM_FD_VFS 5
char **vmm_qemu_argv(const struct vm_spec *s);
char **vmm_virtiofsd_argv(const struct vm_spec *s);

/* Start argv with fds[i] as fd 3 + i, stdin /dev/null, stdout and
 * stderr to logfd, an empty environment, no other fd, no blocked signal,
 * in a session of its own, and SIGKILL when the supervisor dies. */
/* caps: the capabilities its bounding set keeps (VMM_ALL_CAPS: all the
 * supervisor has) */
#define VMM_ALL_CAPS (~0ULL)
int vmm_spawn(char **argv, const int *fds, size_t nfds, int logfd, uint64_t caps, pid_t *pid,
              merr_t *err);

/* the last bytes of a stream (the console, QEMU's messages) */
#define TAIL_MAX 4096
struct tail {
    uint8_t buf[TAIL_MAX];
    size_t len;
};
void tail_add(struct tail *t, const uint8_t *p, size_t n);

/* An output of a guest's process (vmm_sink.c): its bytes queued for fd,
 * written as fd takes them, so that a reader that is behind (an exec's
 * client that stopped reading) stalls neither the other processes nor
 * the supervisor. Past SINK_HOLD queued bytes the channel is held (the
 * guest stops reading that process's output, which then waits in its
 * writes as in a container), below SINK_RELEASE it is released. A guest
 * that sends past SINK_HARD_MAX ignored the hold. */
struct vmm;
#define SINK_HOLD (256u << 10)
#define SINK_RELEASE (64u << 10)
#define SINK_HARD_MAX (16u << 20)
struct vmm_sink {
    int fd; /* -1: none, or its reader is gone (what comes is dropped) */
    struct vmp_out q;
    bool told; /* the guest knows the reader is gone (OUTGONE) */
};
/* Its reader gone: OUTGONE to the guest once (its process then gets
 * EPIPE, as with a pipe whose reader went). stream: 1 or 2. */
void vmm_sink_tell(struct vmm *m, uint32_t chan, struct vmm_sink *s, uint8_t stream);
void vmm_sink_init(struct vmm_sink *s, int fd);
/* Queue and write what fd takes now; -1 past SINK_HARD_MAX. */
int vmm_sink_add(struct vmm_sink *s, const uint8_t *p, size_t n);
void vmm_sink_flush(struct vmm_sink *s);
/* POLLOUT while bytes wait */
short vmm_sink_events(const struct vmm_sink *s);
/* At the end: the rest, waiting for the reader; then freed. */
void vmm_sink_finish(struct vmm_sink *s);
void vmm_sink_free(struct vmm_sink *s);

/* an exec client (vmm_exec.c) */
struct vmm_client;

struct vmm {
    struct vm_spec *s;
    int ctl, con, log, sfd, exec_listen;
    pid_t qemu, vfsd;
    int qemu_fd, vfsd_fd; /* their pidfds */
    struct vmp_reader rd;
    struct vmp_out out;
    struct tail con_tail, log_tail;
    bool ready, stdin_open, ended;
    int status;       /* of the container's process, -1 until EXIT */
    char *guest_err;  /* ERROR text of chan 0 */
    int64_t deadline; /* of the boot, ms of CLOCK_MONOTONIC */
    struct vmm_client **clients;
    size_t nclients;
    uint32_t next_chan;
    struct vmm_sink sink[2]; /* the container's process's stdout and stderr */
    bool held;               /* its channel (0) is held */
    bool in_held;            /* the guest asked for no more of its stdin for now */
};

/* HOLD or RELEASE chan for pending bytes queued of it (see vmm_sink) */
void vmm_flow(struct vmm *m, uint32_t chan, bool *held, size_t pending);

/* The relay until the container's process ends (0, m->status) or the VM
 * fails (-1, err). */
int vmm_relay(struct vmm *m, merr_t *err);

/* exec_socket (vmm_exec.c): listen; accept and serve clients; route the
 * guest's frames of their channels; end them all. */
int vmm_exec_listen(struct vmm *m, merr_t *err);
void vmm_exec_accept(struct vmm *m);
/* poll entries of the clients: their socket, stdin, stdout and stderr
 * (VMM_CLIENT_FDS each) */
#define VMM_CLIENT_FDS 4
size_t vmm_exec_pollfds(struct vmm *m, struct pollfd *pf, size_t max, bool room);
void vmm_exec_events(struct vmm *m, const struct pollfd *pf, size_t n);
/* a guest frame of an exec channel: handled (1), not one (0), or one
 * the guest may not send (-1: output after the exit, or past the hold) */
int vmm_exec_frame(struct vmm *m, const struct vmp_frame *f);
void vmm_exec_end_all(struct vmm *m, int status, const char *why);

#endif

/* ctr_exec.h: `moat exec` as an engine verb: a process in a running
 * container, exactly as confined as the container (its user namespace,
 * cgroup, seccomp filter, capabilities, no_new_privs, Landlock rules),
 * never with more. The CLI and the health checks of the monitor
 * (health.h) run theirs through it. */
#ifndef MOAT_CTR_EXEC_H
#define MOAT_CTR_EXEC_H

#include "store.h"
#include "../util/keyseq.h"
#include <stdbool.h>

struct ctr_exec_opts {
    char **args;         /* the command */
    char **env;          /* KEY=VALUE over the container's */
    const char *user;    /* user[:group], names looked up in the container's files; NULL: its own */
    const char *workdir; /* NULL: the container's */
    bool tty;            /* a terminal (TERM=xterm unless env says otherwise) */
    bool interactive;    /* stdin relayed (else /dev/null) */
    bool detach;         /* stdio /dev/null, not waited for */
    struct keyseq detach_keys; /* with interactive: read on stdin, the caller
                                  detaches and the process runs on */
    /* with tty: a datagram socket whose messages of two uint16_t (rows,
     * cols) resize the terminal (exec_opts.resize_fd); has_resize false: none */
    bool has_resize;
    int resize_fd;
};

/* Run o->args in container `name` (a name, an id or a unique id prefix).
 * The process never gets the caller's descriptors: its stdio are pipes
 * (or a terminal) that this process relays to its own 0, 1 and 2. 0 and
 * the process' exit status in *code; 1 (and 0 in *code) when the caller
 * detached with the detach keys and the process runs on; or -1, err set, and Docker's status
 * in *code: 125 the engine failed (no such container, not running), 126
 * the command cannot be run, 127 it was not found. */
int ctr_exec(struct store *s, const char *name, const struct ctr_exec_opts *o, int *code,
             merr_t *err);
/* The same for the container of this full id. */
int ctr_exec_id(struct store *s, const char *id, const struct ctr_exec_opts *o, int *code,
                merr_t *err);

#endif

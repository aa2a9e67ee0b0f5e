/* exec.h: `moat exec`. */
#ifndef MOAT_EXEC_H
#define MOAT_EXEC_H

#include "../util/err.h"
#include "../util/keyseq.h"
#include <stdbool.h>

struct exec_opts {
    const char *id;
    const char *process_file; /* --process: the whole process object */
    char **args;              /* inline command */
    char **env;               /* --env (added) */
    char **caps;              /* --cap (added) */
    char **additional_gids;   /* --additional-gids */
    const char *cwd, *user, *apparmor, *process_label;
    const char *console_socket, *pid_file;
    bool tty, detach, no_new_privs, ignore_paused;
    /* The engine's exec: the process never gets the caller's descriptors.
     * Without a terminal its stdio are pipes that moat relays (stdin only
     * with stdin_open, else it reads /dev/null); detached, all three are
     * /dev/null. (runc's CLI passes its own stdio on, as engines expect.) */
    bool relay_stdio, stdin_open;
    /* With relay_stdio and stdin_open: read on stdin, these keys detach
     * the caller; the process runs on (NULL or none: never). */
    const struct keyseq *detach_keys;
    int preserve_fds;
};

/* Foreground: *exit_code is the process' status. 1 (and *exit_code 0)
 * when the caller detached with the detach keys and the process runs on,
 * its output drained by a process of its own until it ends. */
int op_exec(int rootfd, const struct exec_opts *o, int *exit_code, merr_t *err);

#endif

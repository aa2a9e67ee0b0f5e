/* exec.h: `moat exec`. */
#ifndef MOAT_EXEC_H
#define MOAT_EXEC_H

#include "../util/err.h"
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
    int preserve_fds;
};

/* Foreground: *exit_code is the process' status. */
int op_exec(int rootfd, const struct exec_opts *o, int *exit_code, merr_t *err);

#endif

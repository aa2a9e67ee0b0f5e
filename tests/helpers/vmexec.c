/* vmexec SOCKET [-t] ARG...: run ARG... as root in / of a running VM
 * through its supervisor's exec_socket (src/vm/vmexec.h), with this
 * program's stdin, stdout and stderr (-t: fd 0 as its terminal, made raw); exits
 * with the process's status. What `moat exec` will do, for the tests. */
#include "util/err.h"
#include "util/util.h"
#include "vm/vmexec.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

int main(int argc, char **argv)
{
    int first = 2;
    bool tty = argc > 2 && strcmp(argv[2], "-t") == 0;
    if (tty)
        first++;
    if (argc <= first) {
        fprintf(stderr, "usage: vmexec SOCKET [-t] ARG...\n");
        return 2;
    }
    json_t *args = json_array();
    for (int i = first; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    json_t *p = json_pack("{s:o, s:s, s:[s], s:{s:i, s:i}, s:b}", "args", args, "cwd", "/", "env",
                          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          "user", "uid", 0, "gid", 0, "terminal", tty);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    /* as moat exec -t does with the user's terminal: the guest's pty
     * echoes */
    struct termios saved, raw;
    bool is_raw = tty && tcgetattr(0, &saved) == 0;
    if (is_raw) {
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
    }
    merr_t err = MERR_INIT;
    int fds[3] = {0, 1, 2}, status = 0;
    char *error = NULL;
    int s = vmexec_start(argv[1], text, fds, tty ? 1 : 3, &err);
    free(text);
    int r = s < 0 ? -1 : vmexec_wait(s, &status, &error, &err);
    if (is_raw)
        tcsetattr(0, TCSANOW, &saved);
    if (r < 0) {
        fprintf(stderr, "vmexec: %s\n", err.msg);
        return 125;
    }
    if (error)
        fprintf(stderr, "vmexec: %s\n", error);
    free(error);
    return status;
}

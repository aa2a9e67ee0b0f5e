/* terminal.h: pseudo-terminals, the console socket and fd passing. */
#ifndef MOAT_TERMINAL_H
#define MOAT_TERMINAL_H

#include "../util/err.h"
#include <stdbool.h>

/* Given a master freshly opened from a ptmx (O_RDWR), unlock it and open
 * the peer with TIOCGPTPEER (no /dev/pts path lookup). */
int term_open_pair(int master, int *slave, merr_t *err);
/* Make `slave` the controlling terminal and stdio of this process. */
int term_make_controlling(int slave, merr_t *err);
int term_set_size(int fd, unsigned rows, unsigned cols);
/* Copy data between the caller's stdio and a pty master until the master
 * closes (the container exited). Puts the caller's tty in raw mode. */
void term_proxy(int master, int pidfd, int *status_out);

#endif

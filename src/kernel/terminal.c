#include "terminal.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int term_open_pair(int master, int *slave, merr_t *err)
{
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
        return err_sys(err, "unlock pty");
    int s = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0)
        return err_sys(err, "open pty peer");
    *slave = s;
    return 0;
}

int term_make_controlling(int slave, merr_t *err)
{
    if (setsid() < 0)
        return err_sys(err, "setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0)
        return err_sys(err, "set controlling terminal");
    for (int i = 0; i < 3; i++)
        if (dup2(slave, i) < 0)
            return err_sys(err, "dup terminal to fd %d", i);
    return 0;
}

int term_set_size(int fd, unsigned rows, unsigned cols)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    return ioctl(fd, TIOCSWINSZ, &ws);
}

void term_proxy(int master, int pidfd, int *status_out)
{
    struct termios saved, raw;
    bool is_tty = tcgetattr(0, &saved) == 0;
    (void)status_out;
    if (is_tty) {
        struct winsize ws;
        if (ioctl(0, TIOCGWINSZ, &ws) == 0)
            ioctl(master, TIOCSWINSZ, &ws);
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSANOW, &raw);
    }
    char buf[8192];
    bool in_open = true;
    for (;;) {
        struct pollfd p[3] = {
            {master, POLLIN, 0}, {0, in_open ? POLLIN : 0, 0}, {pidfd, POLLIN, 0}};
        int n = poll(p, pidfd >= 0 ? 3 : 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(master, buf, sizeof(buf));
            if (r <= 0)
                break;
            if (write_all(1, buf, (size_t)r) < 0)
                break;
        }
        if (in_open && (p[1].revents & (POLLIN | POLLHUP))) {
            ssize_t r = read(0, buf, sizeof(buf));
            if (r <= 0)
                in_open = false;
            else
                (void)write_all(master, buf, (size_t)r);
        }
        if (pidfd >= 0 && (p[2].revents & POLLIN)) {
            /* drain what is left, then stop */
            int fl = fcntl(master, F_GETFL);
            fcntl(master, F_SETFL, fl | O_NONBLOCK);
            ssize_t r;
            while ((r = read(master, buf, sizeof(buf))) > 0)
                (void)write_all(1, buf, (size_t)r);
            break;
        }
    }
    if (is_tty)
        tcsetattr(0, TCSANOW, &saved);
}

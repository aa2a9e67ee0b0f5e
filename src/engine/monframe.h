/* monframe.h: the attach socket's address and frames (see monitor.h):
 * shared by the monitor and its clients (attach.c). */
#ifndef MOAT_ENGINE_MONFRAME_H
#define MOAT_ENGINE_MONFRAME_H

#include <stddef.h>
#include <sys/un.h>

/* containers/ID/attach.sock, through the directory fd */
int mon_sock_path(int dirfd, struct sockaddr_un *a);
/* one frame: type, 32-bit big-endian length, data */
int mon_frame(int fd, char type, const void *data, size_t len, int flags);
/* the next frame (at most 1 MiB), its data NUL-ended and malloc'd */
int mon_read_frame(int fd, char *type, char **data, size_t *len);

#endif

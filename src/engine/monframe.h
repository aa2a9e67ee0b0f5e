/* monframe.h: the attach socket's address and frames (see monitor.h):
 * shared by the monitor and its clients (attach.c). */
#ifndef MOAT_ENGINE_MONFRAME_H
#define MOAT_ENGINE_MONFRAME_H

#include <stddef.h>
#include <sys/un.h>

/* containers/ID/attach.sock, through the directory fd */
int mon_sock_path(int dirfd, struct sockaddr_un *a);
/* a frame's header: type, data's length as 32-bit big-endian */
#define MON_FRAME_HDR 5
void mon_frame_header(unsigned char h[MON_FRAME_HDR], char type, size_t len);
/* one frame: type, 32-bit big-endian length, data */
int mon_frame(int fd, char type, const void *data, size_t len, int flags);
/* the next frame (at most 1 MiB), its data NUL-ended and malloc'd */
int mon_read_frame(int fd, char *type, char **data, size_t *len);
/* the same, and the fd that came with it (SCM_RIGHTS) to *passed (-1:
 * none; more than one, or one on a frame not read this way, is closed) */
int mon_read_frame_fd(int fd, char *type, char **data, size_t *len, int *passed);
/* one frame with the fd pass attached (SCM_RIGHTS) */
int mon_frame_fd(int fd, char type, const void *data, size_t len, int pass);

/* The frame that hands a client connection to the monitor (attach_fd.h):
 * 'f', one byte of MON_FD_* flags, the connection as SCM_RIGHTS; the
 * monitor answers 'k' once it serves it, then closes the socket. */
enum { MON_FD_IN = 1, MON_FD_OUT = 2, MON_FD_ERR = 4 };

#endif

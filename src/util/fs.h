/* fs.h: fd-based file helpers. */
#ifndef MOAT_FS_H
#define MOAT_FS_H

#include "err.h"
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* write/read the whole buffer, retrying on EINTR and short transfers */
int write_all(int fd, const void *buf, size_t n);
ssize_t read_all(int fd, void *buf, size_t n);
/* n bytes at offset off, fewer only at the end of the file; -1 on an error */
ssize_t pread_all(int fd, void *buf, size_t n, off_t off);

/* Read a whole file (NUL-terminated). dirfd/path as openat. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, merr_t *err);
/* Read from an open fd to EOF (NUL-terminated). */
int read_fd(int fd, char **out, size_t *len);
/* Read a file that someone else controls (an image's, a container's):
 * fd must be a regular file (open it with O_NONBLOCK, so a FIFO cannot
 * hold up the open) of at most max bytes. -1 with errno EINVAL (not a
 * regular file), EFBIG (too large) or that of the failed call. */
int read_regular_fd(int fd, size_t max, char **out, size_t *len);
/* Write a string to an existing file (O_WRONLY|O_TRUNC if trunc). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, merr_t *err);
/* Write via a temporary file and rename(2) so readers never see half a file. */
int atomic_write_at(int dirfd, const char *name, const char *data, size_t len, int mode,
                    merr_t *err);
/* --pid-file: pid in decimal, written whole (a rename) at path */
int write_pid_file(const char *path, pid_t pid, merr_t *err);
/* The names in directory dirfd/rel for which keep(name, ctx) returns a
 * string to store (the name itself, or a new string it made), in a
 * NULL-terminated vector; an empty one when the directory is missing. */
char **dir_collect(int dirfd, const char *rel, char *(*keep)(const char *name, void *ctx),
                   void *ctx);
/* mkdir -p (absolute or relative to cwd). */
int mkdir_p(const char *path, mode_t mode, merr_t *err);
/* Remove a directory tree below dirfd/name (no symlink following). */
int rm_rf_at(int dirfd, const char *name);
/* The same, never into another filesystem (a mount point below is an
 * error, EXDEV, and what is in it stays) */
int rm_rf_at_onefs(int dirfd, const char *name);

/* Change the owners of the tree at fd (an fd of the top, O_PATH is fine):
 * map() is called with each entry's stat and sets the new owner (it may
 * leave it). Symlinks are never followed (their own owner changes), other
 * filesystems and mount points (a bind mount of the same filesystem too)
 * are not entered, and with skip_links a file with more than one hard
 * link is left alone (it may be a file from elsewhere). */
int chown_tree(int fd, bool skip_links,
               void (*map)(const struct stat *st, uid_t *uid, gid_t *gid, void *ctx), void *ctx);

/* Copy the contents of directory src into directory dst (files, dirs,
 * symlinks; modes and owners kept). Both are directory fds. */
int copy_tree_at(int src, int dst);

#endif

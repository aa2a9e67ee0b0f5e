/* bind.h: host directories bound into containers (-v /src:/dst).
 *
 * A bind source is resolved once, when the container is created: the
 * user's path is opened, its canonical path (no symlinks) and its identity
 * (device, inode) are recorded, and it is checked against the host's
 * sensitive places by object, not by name, so an alias (a bind mount of
 * "/" elsewhere, a symlink) is the object it stands for. At every start
 * the canonical path is opened again without following any symlink and
 * must lead to the same object; the runtime then mounts through that fd
 * and never walks the path again. */
#ifndef MOAT_BIND_H
#define MOAT_BIND_H

#include "store.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct bind_pin {
    char *path; /* canonical: absolute, no symlinks */
    uint64_t dev, ino;
};

/* Open `src` (the user's path: symlinks followed, this once, unless
 * exact), pin it and check it. `what` names it in errors (the -v
 * argument). A sensitive source is refused unless allow_sensitive. exact
 * (for U and idmap, which act on the host's tree as root): no symlink in
 * the path, whoever owns it, may choose which tree that is. */
int bind_resolve(struct store *s, const char *src, bool ro, bool exact, bool allow_sensitive,
                 const char *what, struct bind_pin *pin, merr_t *err);
void bind_pin_free(struct bind_pin *pin);

/* The pinned object again, as an O_PATH fd: the canonical path walked
 * from "/" with no symlink followed, and the same device and inode, or a
 * clear error. The sensitivity check is repeated on it. */
int bind_open_pinned(struct store *s, const struct bind_pin *pin, bool ro, bool allow_sensitive,
                     const char *what, merr_t *err);

/* Is the object fd refers to one of the host's sensitive places, inside
 * one (below /proc, /sys, /dev, /boot, moat's and other engines' state
 * and stores; or, unless ro, below /etc, /root, /usr, /var/lib), or above
 * one? ro: the bind changes nothing on the host (read-only, and no :U,
 * which gives the tree away). NULL if not, else why (caller frees).
 * canon: its canonical path (for the directory of a file). */
char *bind_sensitive(struct store *s, int fd, const char *canon, bool ro);

/* Podman's :U: give the tree at dirfd (not crossing into other
 * filesystems, never following a symlink) to uid:gid. */
int bind_chown(int fd, uid_t uid, gid_t gid, const char *what, merr_t *err);

#endif

/* intent.c: what a create is about to make, recorded before it makes it,
 * and the cleanup of what a killed create left behind.
 *
 * A create makes its state directory (locked for as long as the create
 * runs), records its intent there (the cgroup directories it is going to
 * make), and only then makes them. The state file comes last, once the
 * init is set up. A state directory that holds no state file and that
 * nobody holds locked was left by a create that was killed: its intent
 * names the cgroups to remove, and the processes in them (an init not yet
 * handed over, or one that a run had already started) are killed through
 * them. `delete`, `list` and the next `create` of the same id do that. */
#include "intent.h"
#include "state.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The record is an extended attribute of the state directory: no inode
 * of its own (see state.h on why that counts), set in one step. trusted.*
 * needs root; user.* works for anyone on most filesystems, but not on a
 * tmpfs before Linux 6.6: there it is a file in the directory. */
static const char *xattr_name(void)
{
    return geteuid() == 0 ? "trusted.moat.intent" : "user.moat.intent";
}

static const char *base_name(const char *mnt)
{
    const char *b = strrchr(mnt, '/');
    return b ? b + 1 : mnt;
}

/* The record is kept short: on ext4 an attribute that fits in the inode
 * (about 60 bytes) costs nothing, one that needs a block of its own costs
 * about half a millisecond to make and free, per container.
 *   HIERARCHIES ":" PATH "\n"
 * HIERARCHIES is "*" (all of the host's) or their names (the last
 * component of their mount points) separated by ","; PATH is the cgroup
 * directory below each of their mount points, the same in all, with the
 * container's id written as "%". Directories of another shape are written
 * as JSON, {"cgroupDirs":[...]}. NULL: no directory. */
static char *encode_short(const struct cg *cg, const char *id)
{
    const char *rel = NULL;
    size_t used = 0;
    struct sbuf names = {0};
    for (size_t i = 0; i < cg->n; i++) {
        if (!cg->dirs[i])
            continue;
        const char *mnt = cg->host->h[i].mnt, *base = base_name(mnt);
        size_t ml = strlen(mnt);
        bool ok = strncmp(cg->dirs[i], mnt, ml) == 0 && cg->dirs[i][ml] == '/' &&
                  (!rel || strcmp(rel, cg->dirs[i] + ml) == 0) && *base && !strpbrk(base, ",:");
        for (size_t k = 0; ok && k < cg->n; k++)
            ok = k == i || strcmp(base_name(cg->host->h[k].mnt), base) != 0;
        if (!ok) {
            free(names.buf);
            return xstrdup(""); /* not of that shape */
        }
        rel = cg->dirs[i] + ml;
        sbuf_printf(&names, "%s%s", used++ ? "," : "", base);
    }
    if (!rel || strpbrk(rel, "%\n")) {
        free(names.buf);
        return rel ? xstrdup("") : NULL;
    }
    struct sbuf b = {0};
    sbuf_printf(&b, "%s:", used == cg->n ? "*" : names.buf);
    free(names.buf);
    const char *at = strstr(rel, id);
    if (at) {
        sbuf_add(&b, rel, (size_t)(at - rel));
        sbuf_printf(&b, "%%%s\n", at + strlen(id));
    } else {
        sbuf_printf(&b, "%s\n", rel);
    }
    return sbuf_steal(&b);
}

char *intent_encode(const struct cg *cg, const char *id)
{
    char *v = encode_short(cg, id);
    if (!v || *v)
        return v;
    free(v);
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"cgroupDirs\":[");
    for (size_t i = 0, k = 0; i < cg->n; i++)
        if (cg->dirs[i]) {
            sbuf_puts(&b, k++ ? "," : "");
            sbuf_json_str(&b, cg->dirs[i]);
        }
    sbuf_puts(&b, "]}");
    return sbuf_steal(&b);
}

int intent_write(int dirfd, const struct cg *cg, const char *id, merr_t *err)
{
    cleanup_free char *v = intent_encode(cg, id);
    if (!v)
        return 0; /* no cgroup: the directory is all there is to clean */
    if (fsetxattr(dirfd, xattr_name(), v, strlen(v), XATTR_CREATE) == 0)
        return 0;
    /* whole or not at all: a record cut short must not name a cgroup */
    if (atomic_write_at(dirfd, INTENT_FILE, v, strlen(v), 0600, err) < 0)
        return err_wrap(err, "record the cgroups the container will use");
    return 0;
}

/* The record decides which processes die and which cgroups go, so only
 * one that we wrote counts: a trusted.* attribute can only be set with
 * CAP_SYS_ADMIN; a user.* one, or the file, only in a directory of ours,
 * the file only if it is ours too. */
static char *intent_text(int dirfd, size_t *len)
{
    struct stat d;
    if (fstat(dirfd, &d) < 0 || d.st_uid != geteuid())
        return NULL;
    ssize_t n = fgetxattr(dirfd, xattr_name(), NULL, 0);
    if (n > 0 && n <= 1 << 20) {
        char *v = xmalloc((size_t)n + 1);
        n = fgetxattr(dirfd, xattr_name(), v, (size_t)n);
        if (n >= 0) {
            v[n] = 0;
            *len = (size_t)n;
            return v;
        }
        free(v);
    }
    int fd = openat(dirfd, INTENT_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat f;
    char *text = NULL;
    if (fd >= 0 && fstat(fd, &f) == 0 && S_ISREG(f.st_mode) && f.st_uid == geteuid() &&
        read_regular_fd(fd, 1 << 20, &text, len) < 0)
        text = NULL;
    if (fd >= 0)
        close(fd);
    return text;
}

/* an absolute path without "." or ".." components, and not "/" */
static bool plain_path(const char *p)
{
    if (p[0] != '/' || !p[1])
        return false;
    for (const char *c = p; c; c = strchr(c + 1, '/')) {
        size_t l = strcspn(c + 1, "/");
        if ((l == 1 && c[1] == '.') || (l == 2 && c[1] == '.' && c[2] == '.'))
            return false;
    }
    return true;
}

/* a cgroup below the top of one of the host's hierarchies (never the top
 * itself: that is every process) */
static bool below_a_hierarchy(const char *d, const struct cg_host *host)
{
    for (size_t i = 0; i < host->n; i++) {
        size_t ml = strlen(host->h[i].mnt);
        if (strncmp(d, host->h[i].mnt, ml) == 0 && d[ml] == '/' && d[ml + 1])
            return true;
    }
    return false;
}

static bool listed(const char *list, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, name, nl) == 0 && (p[nl] == ',' || p[nl] == 0))
            return true;
    return false;
}

/* the short form (see encode_short), for the hierarchies of `host` */
static char **decode_short(char *text, size_t len, const char *id, const struct cg_host *host)
{
    char **v = xzalloc((host->n + 1) * sizeof(char *));
    char *colon = memchr(text, ':', len);
    if (!len || text[len - 1] != '\n' || !colon)
        return v; /* cut short: nothing was made after it */
    text[len - 1] = 0;
    *colon = 0;
    char *pct = strchr(colon + 1, '%');
    cleanup_free char *rel =
        pct ? xasprintf("%.*s%s%s", (int)(pct - colon - 1), colon + 1, id, pct + 1)
            : xstrdup(colon + 1);
    if (!plain_path(rel))
        return v;
    for (size_t i = 0, k = 0; i < host->n; i++)
        if (strcmp(text, "*") == 0 || listed(text, base_name(host->h[i].mnt)))
            v[k++] = xasprintf("%s%s", host->h[i].mnt, rel);
    return v;
}

char **intent_decode(char *text, size_t len, const char *id, const struct cg_host *host)
{
    if (text && len && text[0] != '{')
        return decode_short(text, len, id, host);
    json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
    json_t *a = json_object_get(j, "cgroupDirs");
    size_t n = json_array_size(a), k = 0;
    char **v = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *d = json_string_value(json_array_get(a, i));
        if (d && plain_path(d) && below_a_hierarchy(d, host))
            v[k++] = xstrdup(d);
    }
    json_decref(j);
    return v;
}

/* the cgroup directories the intent in dirfd names (NULL-terminated) */
static char **intent_read(int dirfd, const char *id, const struct cg_host *host)
{
    size_t len = 0;
    char *text = intent_text(dirfd, &len);
    char **v = intent_decode(text, len, id, host);
    free(text);
    return v;
}

/* Is the directory fd (opened as `id` under rootfd) abandoned? Called with
 * the root locked, so no create is between its mkdir and its lock. Takes
 * the directory's lock when it is. */
static bool abandoned(int rootfd, const char *id, int fd)
{
    struct stat a, b;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0)
        return false; /* a create or another command is at work */
    /* still the directory under that name (not one removed meanwhile) */
    if (fstat(fd, &a) < 0 || fstatat(rootfd, id, &b, AT_SYMLINK_NOFOLLOW) < 0 ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return false;
    return faccessat(fd, STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

int intent_clean(int rootfd, const char *id, merr_t *err)
{
    if (!state_valid_id(id))
        return 0;
    int lk = state_root_lock(rootfd);
    if (lk < 0)
        return err_sys(err, "lock the state root");
    int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    bool stale = fd >= 0 && abandoned(rootfd, id, fd);
    state_root_unlock(lk);
    if (!stale) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    /* ours now (locked): kill what runs in its cgroups, remove them */
    struct cg_host host;
    int r = cg_detect(&host, err);
    if (r == 0) {
        char **dirs = intent_read(fd, id, &host);
        if (dirs[0]) {
            struct cg cg;
            cg_from_dirs(&host, dirs, strv_len(dirs), &cg);
            cg_kill_all(&cg, SIGKILL, NULL);
            r = cg_destroy(&cg, err);
            cg_free(&cg);
        }
        strv_free(dirs);
        cg_host_free(&host);
    }
    /* a cgroup that could not be removed keeps its record, for a retry */
    if (r == 0 && state_remove(rootfd, id) < 0)
        r = err_sys(err, "remove the state directory of \"%s\"", id);
    close(fd);
    if (r < 0)
        return err_wrap(err, "clean up what a killed create of \"%s\" left", id);
    return 1;
}

/* store_txn.c: the store's staging areas and their journals (see store.h).
 *
 * A moat that writes to the store does its work in a staging directory of
 * its own, tmp/ID/, and keeps tmp/ID.journal open with an exclusive flock
 * for as long as it lives. Before a blob or a layer is renamed from the
 * staging directory into blobs/ or layers/, its name is appended to the
 * journal; when the import, load or pull is committed the journal is
 * emptied. So a moat killed at any point leaves a journal nobody holds:
 * the next moat that opens the store takes its lock, removes what it lists
 * that no image uses, and removes its staging directory. */
#include "store.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL ".journal"

int store_stage(struct store *s, merr_t *err)
{
    if (s->stage && s->stagepid == getpid())
        return 0;
    /* inherited across fork (a monitor): the parent's, not ours */
    close_fd(&s->journalfd);
    free(s->stage);
    s->stage = NULL;
    cleanup_free char *id = store_rand_name();
    cleanup_free char *j = xasprintf("tmp/%s" JOURNAL, id);
    cleanup_free char *dir = xasprintf("tmp/%s", id);
    /* The journal is locked before it has a name (an unnamed file, linked
     * in once locked): another moat's recovery never sees it unlocked and
     * takes it for a dead one's. The directory comes after: a directory
     * without a journal is never someone's work in progress. */
    int tfd = openat(s->fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    int fd = tfd < 0 ? -1 : openat(tfd, ".", O_RDWR | O_TMPFILE | O_APPEND | O_CLOEXEC, 0600);
    int r = fd < 0 || flock(fd, LOCK_EX) < 0 || linkat(fd, "", s->fd, j, AT_EMPTY_PATH) < 0 ||
                    mkdirat(s->fd, dir, 0700) < 0
                ? err_sys(err, "store: staging %s", dir)
                : 0;
    if (tfd >= 0)
        close(tfd);
    if (r < 0) {
        unlinkat(s->fd, j, 0);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    s->journalfd = fd;
    s->stage = xstrdup(dir);
    s->stagepid = getpid();
    return 0;
}

int store_journal_add(struct store *s, const char *rel, merr_t *err)
{
    if (store_stage(s, err) < 0)
        return -1;
    cleanup_free char *line = xasprintf("%s\n", rel);
    if (write_all(s->journalfd, line, strlen(line)) < 0)
        return err_sys(err, "store: journal");
    return 0;
}

void store_journal_clear(struct store *s)
{
    /* if it cannot be emptied, the next moat rolls back what it lists
     * that no image uses: nothing of a committed image */
    if (s->stage && s->stagepid == getpid())
        (void)!ftruncate(s->journalfd, 0);
}

void store_stage_close(struct store *s)
{
    if (s->stage && s->stagepid == getpid()) {
        rm_rf_at(s->fd, s->stage);
        cleanup_free char *j = xasprintf("%s" JOURNAL, s->stage);
        unlinkat(s->fd, j, 0);
    }
    close_fd(&s->journalfd);
    free(s->stage);
    s->stage = NULL;
}

/* "blobs/sha256/HEX" or "layers/HEX": the digest, or NULL */
static char *journal_entry_digest(const char *rel, bool *layer)
{
    const char *hex = NULL;
    if (strncmp(rel, "blobs/sha256/", 13) == 0)
        hex = rel + 13, *layer = false;
    else if (strncmp(rel, "layers/", 7) == 0)
        hex = rel + 7, *layer = true;
    char *d = hex ? xasprintf("sha256:%s", hex) : NULL;
    if (d && !digest_valid(d)) {
        free(d);
        d = NULL;
    }
    return d;
}

static json_t *in_progress(struct store *s, const char *except);

/* Remove what `text` (the journal of stage `id`) lists that no image uses
 * and no other live journal lists (two pulls of one layer). Under the
 * lock. */
static void undo(struct store *s, const char *id, char *text)
{
    json_t *digests = json_object(), *diffs = json_object();
    store_refs(s, "", digests, diffs);
    json_t *busy = in_progress(s, id);
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        bool layer;
        cleanup_free char *d = journal_entry_digest(l, &layer);
        if (!d || json_object_get(layer ? diffs : digests, d) || json_object_get(busy, l))
            continue;
        if (layer)
            (void)store_remove_tree(s, l);
        else
            unlinkat(s->fd, l, 0);
    }
    json_decref(busy);
    json_decref(digests);
    json_decref(diffs);
}

void store_rollback_journal(struct store *s)
{
    if (!s->stage || s->stagepid != getpid())
        return;
    cleanup_free char *text = NULL;
    if (lseek(s->journalfd, 0, SEEK_SET) < 0 || read_fd(s->journalfd, &text, NULL) < 0)
        return;
    undo(s, strchr(s->stage, '/') + 1, text);
}

static char *keep_journal(const char *name, void *ctx)
{
    (void)ctx;
    size_t n = strlen(name), jl = strlen(JOURNAL);
    return n > jl && strcmp(name + n - jl, JOURNAL) == 0 ? xstrndup(name, n - jl) : NULL;
}

/* The journal tmp/ID.journal: opened, and whether its owner is gone (its
 * lock is free: then it is held by us until the fd is closed). */
static int open_journal(struct store *s, const char *id, bool *dead)
{
    cleanup_free char *j = xasprintf("tmp/%s" JOURNAL, id);
    int fd = openat(s->fd, j, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    *dead = false;
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        *dead = fstat(fd, &st) == 0 && st.st_nlink > 0; /* not removed meanwhile */
    return fd;
}

bool store_tmp_in_use(struct store *s, const char *name)
{
    size_t n = strlen(name), jl = strlen(JOURNAL);
    bool journal = n > jl && strcmp(name + n - jl, JOURNAL) == 0, dead;
    cleanup_free char *id = journal ? xstrndup(name, n - jl) : xstrdup(name);
    int fd = open_journal(s, id, &dead);
    if (fd < 0)
        return false;
    close(fd); /* lets go of its lock if we took it */
    return !dead;
}

void store_recover(struct store *s)
{
    char **ids = dir_collect(s->fd, "tmp", keep_journal, NULL);
    for (size_t i = 0; ids[i]; i++) {
        bool dead;
        int fd = open_journal(s, ids[i], &dead);
        if (fd < 0)
            continue;
        cleanup_free char *text = NULL;
        merr_t e = MERR_INIT;
        if (dead && read_fd(fd, &text, NULL) == 0 && store_lock(s, &e) == 0) {
            undo(s, ids[i], text);
            cleanup_free char *dir = xasprintf("tmp/%s", ids[i]);
            cleanup_free char *j = xasprintf("%s" JOURNAL, dir);
            rm_rf_at(s->fd, dir);
            unlinkat(s->fd, j, 0);
            store_unlock(s);
        }
        err_clear(&e);
        close(fd);
    }
    strv_free(ids);
}

/* ---- sweep (image prune) ---- */

/* What live journals (but that of stage `except`) list: their blobs and
 * layers are work in progress. */
static json_t *in_progress(struct store *s, const char *except)
{
    json_t *busy = json_object();
    char **ids = dir_collect(s->fd, "tmp", keep_journal, NULL);
    for (size_t i = 0; ids[i]; i++) {
        bool dead;
        if (except && strcmp(ids[i], except) == 0)
            continue;
        cleanup_close int fd = open_journal(s, ids[i], &dead);
        cleanup_free char *text = NULL;
        if (fd < 0 || dead || read_fd(fd, &text, NULL) < 0)
            continue;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save))
            json_object_set_new(busy, l, json_true());
    }
    strv_free(ids);
    return busy;
}

/* ".NAME.tmpPID" of atomic_write_at whose writer is gone */
static bool stale_temp(const char *name)
{
    const char *t = strstr(name, ".tmp");
    uint64_t pid;
    if (name[0] != '.' || !t)
        return false;
    while (strstr(t + 1, ".tmp"))
        t = strstr(t + 1, ".tmp");
    return parse_u64(t + 4, &pid) == 0 && pid > 0 && pid < (1u << 22) && kill((pid_t)pid, 0) < 0 &&
           errno == ESRCH;
}

static char *keep_any(const char *name, void *ctx)
{
    (void)ctx;
    return xstrdup(name);
}

/* the entries of dir that no image uses and no live journal lists */
static void sweep_dir(struct store *s, const char *dir, json_t *used, json_t *busy, uint64_t *freed)
{
    char **names = dir_collect(s->fd, dir, keep_any, NULL);
    bool layers = strcmp(dir, "layers") == 0;
    for (size_t i = 0; names[i]; i++) {
        cleanup_free char *rel = xasprintf("%s/%s", dir, names[i]);
        cleanup_free char *d = xasprintf("sha256:%s", names[i]);
        struct stat st;
        if (stale_temp(names[i])) {
            unlinkat(s->fd, rel, 0);
            continue;
        }
        if (!digest_valid(d) || json_object_get(used, d) || json_object_get(busy, rel))
            continue;
        if (layers) {
            (void)store_remove_tree(s, rel);
        } else if (fstatat(s->fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   unlinkat(s->fd, rel, 0) == 0)
            *freed += (uint64_t)st.st_size;
    }
    strv_free(names);
}

void store_sweep(struct store *s, uint64_t *freed)
{
    json_t *digests = json_object(), *diffs = json_object();
    store_refs(s, "", digests, diffs);
    json_t *busy = in_progress(s, NULL);
    sweep_dir(s, "blobs/sha256", digests, busy, freed);
    sweep_dir(s, "layers", diffs, busy, freed);
    static const char *const temps[] = {".", "images"}; /* records, names, auth */
    for (size_t k = 0; k < ARRAY_SIZE(temps); k++) {
        char **names = dir_collect(s->fd, temps[k], keep_any, NULL);
        for (size_t i = 0; names[i]; i++)
            if (stale_temp(names[i])) {
                cleanup_free char *rel = xasprintf("%s/%s", temps[k], names[i]);
                unlinkat(s->fd, rel, 0);
            }
        strv_free(names);
    }
    json_decref(busy);
    json_decref(digests);
    json_decref(diffs);
}

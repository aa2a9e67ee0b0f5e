/* volume.c: named volumes with an id range of their own (see volume.h). */
#include "volume.h"
#include "ctr.h"
#include "events.h"
#include "filters.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

bool volume_name_ok(const char *n)
{
    return n[0] && n[0] != '.' && n[0] != '-' && strlen(n) <= 128 &&
           strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
               strlen(n);
}

static json_t *load(struct store *s, const char *name)
{
    cleanup_free char *rel = xasprintf("volumes/%s/volume.json", name);
    cleanup_close int fd = openat(s->fd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd < 0 || read_regular_fd(fd, 1 << 16, &text, NULL) < 0)
        return NULL;
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j) || json_integer_value(json_object_get(j, "UsernsBase")) <= 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* A volume of an older moat: its files were written by containers whose
 * root was host root on it; ids of the container range move into the
 * volume's own. */
static void shift(const struct stat *st, uid_t *uid, gid_t *gid, void *ctx)
{
    uint64_t base = *(const uint64_t *)ctx;
    if (st->st_uid < CTR_USERNS_SIZE)
        *uid = (uid_t)(base + st->st_uid);
    if (st->st_gid < CTR_USERNS_SIZE)
        *gid = (gid_t)(base + st->st_gid);
}

char *volume_random_name(void)
{
    uint8_t b[32];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        abort();
    char *id = xmalloc(65);
    for (int i = 0; i < 32; i++)
        snprintf(id + 2 * i, 3, "%02x", b[i]);
    return id;
}

void volume_remove_anonymous(struct store *s, json_t *mounts)
{
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m)
    {
        if (!json_is_true(json_object_get(m, "Anonymous")))
            continue;
        merr_t e = MERR_INIT;
        volume_remove(s, json_string_value(json_object_get(m, "Name")) ?: "", false, &e);
        err_clear(&e);
    }
}

static int make_volume(struct store *s, const char *name, bool anonymous, json_t *labels,
                       bool *created, merr_t *err);

/* volume_ensure with labels (an object of strings, may be NULL) for a
 * volume it makes */
static int ensure(struct store *s, const char *name, bool anonymous, json_t *labels, bool *created,
                  merr_t *err)
{
    *created = false;
    if (!volume_name_ok(name))
        return err_set(err, 0, "volume \"%.64s\": letters, digits, _ . - (not first), at most 128",
                       name);
    json_t *have = load(s, name);
    if (have) {
        json_decref(have);
        return 0;
    }
    if (make_volume(s, name, anonymous, labels, created, err) < 0)
        return -1;
    events_emit_owned(s, s->owner, "volume", "create", name, json_pack("{s:s}", "driver", "local"));
    return 0;
}

int volume_ensure(struct store *s, const char *name, bool anonymous, bool *created, merr_t *err)
{
    return ensure(s, name, anonymous, NULL, created, err);
}

json_t *volume_create_args(char *const *labels, char *const *opts, merr_t *err)
{
    /* Docker's local driver takes type, o and device (a mount of its
     * own, a bind among them): none of them is moat's yet, and an option
     * quietly dropped would be a volume other than the one asked for */
    if (opts && opts[0])
        return err_set(err, 0,
                       "--opt \"%.128s\": moat's local driver takes no options (Docker's type, o "
                       "and device are not supported)",
                       opts[0]),
               NULL;
    json_t *l = json_object();
    for (size_t i = 0; labels && labels[i]; i++) {
        const char *eq = strchr(labels[i], '=');
        size_t kl = eq ? (size_t)(eq - labels[i]) : strlen(labels[i]);
        cleanup_free char *k = xstrndup(labels[i], kl);
        size_t sp = 0;
        while (k[sp] && isspace((unsigned char)k[sp]))
            sp++;
        /* set_new takes v, and drops it on a bad key */
        json_t *v = k[sp] ? json_string(eq ? eq + 1 : "") : NULL;
        if (!v || json_object_set_new(l, k, v) < 0) {
            err_set(err, 0, "--label: invalid label '%.128s': %s", labels[i],
                    !k[sp] ? "empty name" : "not UTF-8");
            json_decref(l);
            return NULL;
        }
    }
    cleanup_free char *text = json_dumps(l, JSON_COMPACT);
    if (!text || strlen(text) > VOLUME_LABELS_MAX) {
        json_decref(l);
        return err_set(err, 0, "--label: %zu bytes of labels, at most %d", text ? strlen(text) : 0,
                       VOLUME_LABELS_MAX),
               NULL;
    }
    return l;
}

int volume_create(struct store *s, const char *name, char *const *labels, char *const *opts,
                  bool *created, merr_t *err)
{
    *created = false;
    if (!volume_name_ok(name))
        return err_set(err, 0, "volume \"%.64s\": letters, digits, _ . - (not first), at most 128",
                       name);
    json_t *l = volume_create_args(labels, opts, err);
    if (!l)
        return -1;
    int r = store_lock(s, err) < 0 ? -1 : ensure(s, name, false, l, created, err);
    store_unlock(s);
    json_decref(l);
    return r;
}

static int make_volume(struct store *s, const char *name, bool anonymous, json_t *labels,
                       bool *created, merr_t *err)
{
    uint64_t base;
    if (ctr_alloc_userns(s, &base, err) < 0)
        return err_wrap(err, "volume %s", name);
    cleanup_free char *dir = xasprintf("volumes/%s", name);
    cleanup_free char *data = xasprintf("volumes/%s/_data", name);
    if (mkdirat(s->fd, "volumes", 0700) < 0 && errno != EEXIST)
        return err_sys(err, "create volumes/");
    if (mkdirat(s->fd, dir, 0700) == 0)
        *created = true;
    else if (errno != EEXIST)
        return err_sys(err, "create volume %s", name);
    if (mkdirat(s->fd, data, 0755) < 0 && errno != EEXIST)
        return err_sys(err, "create volume %s", name);
    cleanup_close int fd = openat(s->fd, data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open volume %s", name);
    /* recorded first: no file is ever given to a range that no record
     * holds (one that is not held could go to another container) */
    cleanup_free char *now = ctr_now();
    json_t *rec = json_pack("{s:s,s:s,s:I,s:b,s:o}", "Name", name, "CreatedAt", now, "UsernsBase",
                            (json_int_t)base, "Anonymous", anonymous, "Labels",
                            labels ? json_incref(labels) : json_object());
    if (s->owner)
        json_object_set_new(rec, "Owner", json_string(s->owner));
    cleanup_free char *text = json_dumps(rec, JSON_INDENT(2));
    json_decref(rec);
    cleanup_close int dfd = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || atomic_write_at(dfd, "volume.json", text, strlen(text), 0600, err) < 0)
        return dfd < 0 ? err_sys(err, "open volume %s", name) : -1;
    /* new: its root belongs to the range's root; older: shifted into it */
    if (*created ? fchown(fd, (uid_t)base, (gid_t)base) < 0
                 : chown_tree(fd, false, shift, &base) < 0)
        return err_sys(err, "volume %s: give it its own owners", name);
    return 0;
}

int volume_open(struct store *s, const char *name, uint64_t *base, merr_t *err)
{
    json_t *rec = volume_name_ok(name) ? load(s, name) : NULL;
    if (!rec)
        return err_set(err, 0, "no such volume: %.128s", name);
    *base = (uint64_t)json_integer_value(json_object_get(rec, "UsernsBase"));
    json_decref(rec);
    cleanup_free char *data = xasprintf("volumes/%s/_data", name);
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                           .resolve =
                               RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH};
    int fd;
    do
        fd = (int)syscall(SYS_openat2, s->fd, data, &how, sizeof(how));
    while (fd < 0 && errno == EAGAIN);
    if (fd < 0)
        return err_sys(err, "volume %s", name);
    return fd;
}

/* the record's labels: only string values count (the record is read
 * as untrusted) */
static json_t *labels_of(json_t *rec)
{
    json_t *out = json_object(), *v;
    const char *k;
    json_object_foreach(json_object_get(rec, "Labels"), k, v)
    {
        if (json_is_string(v))
            json_object_set(out, k, v);
    }
    return out;
}

json_t *volume_inspect(struct store *s, const char *name, merr_t *err)
{
    json_t *rec = volume_name_ok(name) ? load(s, name) : NULL;
    if (!rec) {
        err_set(err, 0, "no such volume: %.128s", name);
        return NULL;
    }
    json_t *out =
        json_pack("{s:s,s:O,s:s,s:o,s:s,s:o,s:{},s:O}", "Name", name, "CreatedAt",
                  json_object_get(rec, "CreatedAt"), "Driver", "local", "Mountpoint",
                  json_sprintf("%s/volumes/%s/_data", s->root, name), "Scope", "local", "Labels",
                  labels_of(rec), "Options", "UsernsBase", json_object_get(rec, "UsernsBase"));
    /* Docker's mark of the volumes it makes for -v /path */
    if (out && json_is_true(json_object_get(rec, "Anonymous")))
        json_object_set_new(json_object_get(out, "Labels"), "com.docker.volume.anonymous",
                            json_string(""));
    json_decref(rec);
    return out;
}

static const char *const list_keys[] = {"dangling", "driver", "label", "name", NULL};

json_t *volume_list_filters(char *const *args, merr_t *err)
{
    json_t *f = filters_parse(args, list_keys, err);
    bool dangling;
    if (f && filters_bool(f, "dangling", false, &dangling, err) < 0) {
        json_decref(f);
        return NULL;
    }
    return f;
}

json_t *volume_list(struct store *s, char *const *args, merr_t *err)
{
    json_t *f = volume_list_filters(args, err);
    if (!f)
        return NULL;
    bool dangling = false, by_dangling = json_object_get(f, "dangling") != NULL;
    filters_bool(f, "dangling", false, &dangling, err);
    char **names = volume_names(s);
    json_t *out = json_array();
    for (size_t i = 0; names[i]; i++) {
        merr_t e = MERR_INIT;
        json_t *v = volume_inspect(s, names[i], &e);
        err_clear(&e);
        char c[16];
        bool ok = v && filters_match_re(f, "name", names[i]) &&
                  filters_match_exact(f, "driver", "local") &&
                  filters_match_kv(f, "label", json_object_get(v, "Labels")) &&
                  (!by_dangling || !volume_user(s, names[i], c, sizeof(c)) == dangling);
        if (ok)
            json_array_append(out, v);
        json_decref(v);
    }
    strv_free(names);
    json_decref(f);
    return out;
}

static char *keep_volume(const char *name, void *ctx)
{
    (void)ctx;
    return volume_name_ok(name) ? xstrdup(name) : NULL;
}

char **volume_names(struct store *s)
{
    return dir_collect(s->fd, "volumes", keep_volume, NULL);
}

uint64_t *volume_bases(struct store *s, size_t *n)
{
    char **v = volume_names(s);
    uint64_t *b = xzalloc((strv_len(v) + 1) * sizeof(uint64_t));
    *n = 0;
    for (size_t i = 0; v[i]; i++) {
        json_t *rec = load(s, v[i]);
        if (rec)
            b[(*n)++] = (uint64_t)json_integer_value(json_object_get(rec, "UsernsBase"));
        json_decref(rec);
    }
    strv_free(v);
    return b;
}

static bool mounts_volume(json_t *rec, const void *name)
{
    json_t *m = json_object_get(rec, "Mounts");
    for (size_t k = 0; k < json_array_size(m); k++) {
        json_t *e = json_array_get(m, k);
        if (strcmp(json_string_value(json_object_get(e, "Type")) ?: "", "volume") == 0 &&
            strcmp(json_string_value(json_object_get(e, "Name")) ?: "", name) == 0)
            return true;
    }
    return false;
}

const char *volume_user(struct store *s, const char *name, char *buf, size_t n)
{
    return ctr_first(s, mounts_volume, name, buf, n);
}

int volume_remove(struct store *s, const char *name, bool force, merr_t *err)
{
    char c[16];
    if (!volume_name_ok(name))
        return err_set(err, 0, "no such volume: %.128s", name);
    if (!force && volume_user(s, name, c, sizeof(c)))
        return err_set(err, 0, "volume %s is in use by container %s", name, c);
    cleanup_free char *rel = xasprintf("volumes/%s", name);
    struct stat st;
    if (fstatat(s->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_set(err, 0, "no such volume: %s", name);
    json_t *rec = load(s, name);
    cleanup_free char *owner = xstrdup(json_string_value(json_object_get(rec, "Owner")) ?: "");
    json_decref(rec);
    if (store_remove_tree(s, rel) < 0)
        return err_sys(err, "remove volume %s", name);
    events_emit_owned(s, *owner ? owner : NULL, "volume", "destroy", name,
                      json_pack("{s:s}", "driver", "local"));
    return 0;
}

json_t *volume_stored(struct store *s, const char *name)
{
    return volume_name_ok(name) ? load(s, name) : NULL;
}

int volume_own(struct store *s, const char *name, const char *owner, merr_t *err)
{
    if (store_lock(s, err) < 0)
        return -1;
    json_t *rec = volume_stored(s, name);
    int r = 0;
    if (!rec)
        r = err_set(err, ENOENT, "no such volume: %.128s", name);
    else if (!json_object_get(rec, "Owner")) {
        json_object_set_new(rec, "Owner", json_string(owner));
        cleanup_free char *text = json_dumps(rec, JSON_INDENT(2));
        cleanup_free char *dir = xasprintf("volumes/%s", name);
        cleanup_close int dfd = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
            r = err_sys(err, "open volume %s", name);
        else
            r = atomic_write_at(dfd, "volume.json", text, strlen(text), 0600, err);
    }
    json_decref(rec);
    store_unlock(s);
    return r;
}

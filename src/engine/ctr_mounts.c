/* ctr_mounts.c: binds, volumes and tmpfs of a container (see
 * ctr_mounts.h). */
#include "ctr_mounts.h"
#include "bind.h"
#include "ctr.h"
#include "volume.h"
#include "../util/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PATH_MAX_LEN 4096

void mount_req_free(struct mount_req *m)
{
    free(m->src);
    free(m->dst);
    free(m->what);
    memset(m, 0, sizeof(*m));
}

/* A container path: absolute, no "..", not "/" itself. */
static int check_dst(const char *what, const char *d, merr_t *err)
{
    size_t l = strlen(d);
    bool dots = false;
    for (const char *c = d; *c; c++) /* a component "." or ".." */
        dots = dots || (c[0] == '.' && (c == d || c[-1] == '/') &&
                        (c[1] == '/' || !c[1] || (c[1] == '.' && (c[2] == '/' || !c[2]))));
    if (d[0] != '/' || l > PATH_MAX_LEN || dots)
        return err_set(err, 0,
                       "%s: the destination must be an absolute path without \".\" or "
                       "\"..\"",
                       what);
    if (strspn(d, "/") == l)
        return err_set(err, 0, "%s: the destination cannot be \"/\"", what);
    return 0;
}

/* d without repeated or trailing slashes: "/a//b/" is "/a/b" */
static char *dst_clean(const char *d)
{
    char *o = xstrdup(d), *w = o;
    for (const char *c = d; *c; c++)
        if (*c != '/' || w == o || w[-1] != '/')
            *w++ = *c;
    while (w > o + 1 && w[-1] == '/')
        w--;
    *w = 0;
    return o;
}

static int parse_opts(const char *what, char *opts, struct mount_req *m, merr_t *err)
{
    int rw = 0;
    char *save = NULL;
    for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0) {
            if (rw++)
                return err_set(err, 0, "%s: ro and rw given twice", what);
            m->ro = o[1] == 'o';
        } else if (strcmp(o, "U") == 0) {
            m->chown = true;
        } else if (strcmp(o, "idmap") == 0) {
            m->idmap = true;
        } else if (strcmp(o, "z") != 0 && strcmp(o, "Z") != 0 && strcmp(o, "nocopy") != 0) {
            /* z/Z relabel for SELinux (not on this host's kernels: nothing
             * to do); nocopy: moat never copies image files into volumes */
            return err_set(err, 0, "%s: unknown option \"%.32s\" (ro, rw, U, idmap, z, Z, nocopy)",
                           what, o);
        }
    }
    return 0;
}

int ctr_parse_volume(const char *spec, struct mount_req *m, merr_t *err)
{
    memset(m, 0, sizeof(*m));
    m->what = xasprintf("-v \"%.256s%s\"", spec, strlen(spec) > 256 ? "..." : "");
    cleanup_free char *buf = xstrdup(spec);
    char *c1 = strchr(buf, ':');
    if (!c1 && buf[0] == '/') { /* -v /path: an anonymous volume */
        if (check_dst(m->what, buf, err) < 0)
            return -1;
        m->volume = m->anonymous = true;
        m->src = volume_random_name();
        m->dst = xstrdup(buf);
        return 0;
    }
    if (!c1 || c1 == buf)
        return err_set(err, 0, "%s: expected SOURCE:DESTINATION[:OPTIONS]", m->what);
    *c1 = 0;
    char *d = c1 + 1, *opts = strchr(d, ':');
    if (opts)
        *opts++ = 0;
    if (check_dst(m->what, d, err) < 0 || (opts && parse_opts(m->what, opts, m, err) < 0))
        return -1;
    if (buf[0] != '/') {
        if (!volume_name_ok(buf))
            return err_set(err, 0, "%s: \"%.64s\" is neither an absolute path nor a volume name",
                           m->what, buf);
        m->volume = true;
    }
    if (m->volume && (m->chown || m->idmap))
        return err_set(err, 0, "%s: U and idmap are for host directories, not volumes", m->what);
    m->src = xstrdup(buf);
    m->dst = xstrdup(d);
    return 0;
}

#define MAX_IMAGE_VOLUMES 64

struct mount_req *ctr_image_volumes(json_t *volumes, const struct mount_req *m, size_t n,
                                    size_t *nall, merr_t *err)
{
    size_t nv = json_is_object(volumes) ? json_object_size(volumes) : 0;
    if (nv > MAX_IMAGE_VOLUMES)
        return err_set(err, 0, "the image declares %zu volumes; moat makes at most %d", nv,
                       MAX_IMAGE_VOLUMES),
               NULL;
    struct mount_req *all = xzalloc((n + nv + 1) * sizeof(*all));
    if (n)
        memcpy(all, m, n * sizeof(*m));
    *nall = n;
    const char *path;
    json_t *v;
    json_object_foreach(volumes, path, v)
    {
        bool mounted = false;
        for (size_t i = 0; i < n && !mounted; i++)
            mounted = strcmp(m[i].dst, path) == 0;
        if (mounted)
            continue;
        struct mount_req *a = &all[(*nall)++];
        a->volume = a->anonymous = true;
        a->src = volume_random_name();
        a->dst = xstrdup(path);
        a->what = xasprintf("the image's VOLUME \"%.256s\"", path);
        /* all checked before any is made: a bad one leaves nothing */
        if (check_dst(a->what, a->dst, err) < 0) {
            for (size_t i = n; i < *nall; i++)
                mount_req_free(&all[i]);
            free(all);
            return NULL;
        }
    }
    return all;
}

static bool has_dst(json_t *mounts, const char *dst)
{
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "Destination")) ?: "", dst) == 0)
            return true;
    }
    return false;
}

/* the mounts of one container into mounts; ro: all read-only */
static int mounts_of(struct store *s, const char *name, bool ro, json_t *mounts, merr_t *err)
{
    char id[65];
    json_t *rec;
    if (ctr_find(s, name, id, err) < 0 || !(rec = ctr_load(s, id, err)))
        return err_wrap(err, "--volumes-from %s", name);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(rec, "Mounts"), i, m)
    {
        const char *dst = json_string_value(json_object_get(m, "Destination")) ?: "";
        if (has_dst(mounts, dst))
            continue;
        /* :U gives the tree to one container's ids at its every start */
        if (json_is_true(json_object_get(m, "Chown"))) {
            err_set(err, 0,
                    "--volumes-from %s: its bind at %s is owned by that container (:U); bind "
                    "the directory with :idmap instead",
                    name, dst);
            json_decref(rec); /* dst is the record's */
            return -1;
        }
        json_t *c = json_deep_copy(m);
        if (ro) {
            json_object_set_new(c, "RW", json_false());
            const char *mode = json_string_value(json_object_get(m, "Mode")) ?: "rw";
            json_object_set_new(
                c, "Mode",
                json_sprintf("ro%s", strncmp(mode, "rw", 2) == 0 || strncmp(mode, "ro", 2) == 0
                                         ? mode + 2
                                         : ""));
        }
        json_array_append_new(mounts, c);
    }
    json_decref(rec);
    return 0;
}

int ctr_volumes_from(struct store *s, char **from, json_t *mounts, merr_t *err)
{
    for (size_t i = 0; from && from[i]; i++) {
        cleanup_free char *name = xstrdup(from[i]);
        char *mode = strrchr(name, ':');
        bool ro = false;
        if (mode) {
            *mode++ = 0;
            if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
                return err_set(err, 0, "--volumes-from %s: the mode is ro or rw", from[i]);
            ro = strcmp(mode, "ro") == 0;
        }
        if (mounts_of(s, name, ro, mounts, err) < 0)
            return -1;
    }
    return 0;
}

static const char *mode_of(const struct mount_req *m)
{
    static char b[32];
    snprintf(b, sizeof(b), "%s%s%s", m->ro ? "ro" : "rw", m->chown ? ",U" : "",
             m->idmap ? ",idmap" : "");
    return b;
}

static json_t *bind_record(struct store *s, const struct mount_req *m, bool allow_sensitive,
                           merr_t *err)
{
    struct bind_pin pin;
    /* :U writes the host's tree (its owners), read-only or not; :idmap
     * makes the container's root the files' root, who reads anything */
    if (bind_resolve(s, m->src, m->ro && !m->chown && !m->idmap, m->chown || m->idmap,
                     allow_sensitive, m->what, &pin, err) < 0)
        return NULL;
    json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:b,s:b,s:{s:I,s:I}}", "Type", "bind", "Source",
                          pin.path, "Destination", m->dst, "Mode", mode_of(m), "RW", !m->ro,
                          "Propagation", "rprivate", "Chown", m->chown, "Idmap", m->idmap, "Pin",
                          "Dev", (json_int_t)pin.dev, "Ino", (json_int_t)pin.ino);
    bind_pin_free(&pin);
    return r;
}

static json_t *volume_mount_record(struct store *s, const struct mount_req *m, merr_t *err)
{
    bool created;
    if (volume_ensure(s, m->src, m->anonymous, &created, err) < 0)
        return NULL;
    return json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:b,s:s,s:b}", "Type", "volume", "Name", m->src,
                     "Source", json_sprintf("%s/volumes/%s/_data", s->root, m->src), "Destination",
                     m->dst, "Driver", "local", "Mode", mode_of(m), "RW", !m->ro, "Propagation", "",
                     "Anonymous", m->anonymous && created);
}

json_t *ctr_mounts_record(struct store *s, const struct mount_req *m, size_t n,
                          bool allow_sensitive, merr_t *err)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        cleanup_free char *di = dst_clean(m[i].dst);
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++) {
            cleanup_free char *dk = dst_clean(m[k].dst);
            dup = strcmp(dk, di) == 0;
        }
        /* every way in (-v, --mount) is checked here, at create */
        if (dup || check_dst(m[i].what, m[i].dst, err) < 0 || (m[i].chown && m[i].idmap)) {
            if (dup)
                err_set(err, 0, "%s: duplicate mount point \"%s\"", m[i].what, di);
            else if (!err->msg)
                err_set(err, 0,
                        "%s: U and idmap together would leave the tree to nobody: U gives it "
                        "to the container's user, idmap maps the host's owners",
                        m[i].what);
            json_decref(out);
            return NULL;
        }
        json_t *r = m[i].volume ? volume_mount_record(s, &m[i], err)
                                : bind_record(s, &m[i], allow_sensitive, err);
        if (!r) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, r);
    }
    return out;
}

/* ---- tmpfs ---- */

static bool all_digits(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

/* One --tmpfs option: allowed as it is (NULL), or why not. */
static const char *tmpfs_option_bad(const char *o)
{
    static const char *const flags[] = {
        "ro",       "rw",    "noexec",     "exec",        "nosuid",    "nodev",      "noatime",
        "relatime", "atime", "nodiratime", "strictatime", "tmpcopyup", "notmpcopyup"};
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (strcmp(o, flags[i]) == 0)
            return NULL;
    const char *eq = strchr(o, '=');
    if (!eq)
        return "not an option a tmpfs may take here";
    const char *v = eq + 1;
    size_t kl = (size_t)(eq - o);
    if ((kl == 4 && !strncmp(o, "size", 4)) || (kl == 9 && !strncmp(o, "nr_inodes", 9))) {
        int64_t x;
        return parse_size(v, &x) == 0 && x > 0 ? NULL : "not a size";
    }
    if (kl == 4 && !strncmp(o, "mode", 4))
        return all_digits(v, "01234567") && strlen(v) <= 4 ? NULL : "not an octal mode";
    if ((kl == 3 && (!strncmp(o, "uid", 3) || !strncmp(o, "gid", 3)))) {
        uint64_t id;
        return parse_u64(v, &id) == 0 && id < CTR_USERNS_SIZE ? NULL : "not an id of the container";
    }
    if (kl == 4 && !strncmp(o, "huge", 4))
        return !strcmp(v, "never") || !strcmp(v, "always") || !strcmp(v, "within_size") ||
                       !strcmp(v, "advise")
                   ? NULL
                   : "not never, always, within_size or advise";
    return "not an option a tmpfs may take here";
}

json_t *ctr_tmpfs_options(const char *spec, char **dst, merr_t *err)
{
    cleanup_free char *t = xstrdup(spec);
    cleanup_free char *what = xasprintf("--tmpfs \"%.256s\"", spec);
    char *o = strchr(t, ':');
    if (o)
        *o++ = 0;
    if (check_dst(what, t, err) < 0)
        return NULL;
    json_t *opts = json_pack("[s,s]", "nosuid", "nodev");
    for (char *save = NULL, *p = o ? strtok_r(o, ",", &save) : NULL; p;
         p = strtok_r(NULL, ",", &save)) {
        const char *bad = tmpfs_option_bad(p);
        if (bad) {
            json_decref(opts);
            err_set(err, 0,
                    "%s: option \"%.32s\": %s (allowed: size, mode, uid, gid, nr_inodes, huge, "
                    "ro, rw, exec, noexec, and the atime options)",
                    what, p, bad);
            return NULL;
        }
        if (strcmp(p, "nosuid") != 0 && strcmp(p, "nodev") != 0)
            json_array_append_new(opts, json_string(p));
    }
    *dst = xstrdup(t);
    return opts;
}

/* ---- at start ---- */

static void put_fd(int **fds, size_t *nfds, size_t idx, int fd)
{
    if (idx >= *nfds) {
        *fds = xrealloc(*fds, (idx + 1) * sizeof(int));
        for (size_t k = *nfds; k <= idx; k++)
            (*fds)[k] = -1;
        *nfds = idx + 1;
    }
    (*fds)[idx] = fd;
}

void ctr_mounts_close(int *fds, size_t n)
{
    for (size_t i = 0; fds && i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}

static json_t *options(bool ro, bool idmap)
{
    json_t *o = json_pack("[s,s,s,s]", "rbind", ro ? "rro" : "rw", "rnosuid", "rnodev");
    if (idmap)
        json_array_append_new(o, json_string("idmap"));
    return o;
}

static int one_oci(struct store *s, json_t *e, bool allow_sensitive, const struct ctr_ids *ids,
                   json_t **mount, merr_t *err)
{
    const char *type = json_string_value(json_object_get(e, "Type")) ?: "";
    const char *dst = json_string_value(json_object_get(e, "Destination")) ?: "";
    bool ro = !json_is_true(json_object_get(e, "RW"));
    cleanup_free char *what = xasprintf("mount on \"%.256s\"", dst);
    if (check_dst(what, dst, err) < 0)
        return -1;
    if (strcmp(type, "volume") == 0) {
        const char *name = json_string_value(json_object_get(e, "Name")) ?: "";
        uint64_t vbase;
        int fd = volume_open(s, name, &vbase, err);
        if (fd < 0)
            return -1;
        /* the volume's range onto the container's */
        json_t *map = json_pack("[{s:I,s:I,s:i}]", "containerID", (json_int_t)vbase, "hostID",
                                (json_int_t)ids->base, "size", CTR_USERNS_SIZE);
        *mount = json_pack("{s:s,s:s,s:o,s:o,s:O,s:o}", "destination", dst, "type", "bind",
                           "source", json_sprintf("%s/volumes/%s/_data", s->root, name), "options",
                           options(ro, true), "uidMappings", map, "gidMappings", map);
        return fd;
    }
    if (strcmp(type, "bind") != 0)
        return err_set(err, 0, "%s: unknown type \"%.32s\"", what, type);
    json_t *pj = json_object_get(e, "Pin");
    struct bind_pin pin = {
        .path = (char *)(json_string_value(json_object_get(e, "Source")) ?: ""),
        .dev = (uint64_t)json_integer_value(json_object_get(pj, "Dev")),
        .ino = (uint64_t)json_integer_value(json_object_get(pj, "Ino")),
    };
    if (!pj || pin.path[0] != '/')
        return err_set(err, 0,
                       "%s: the container was made by an older moat that did not pin its bind "
                       "sources; remove it and create it again",
                       what);
    bool chown = json_is_true(json_object_get(e, "Chown"));
    bool idmap = json_is_true(json_object_get(e, "Idmap"));
    int fd = bind_open_pinned(s, &pin, ro && !chown && !idmap, allow_sensitive, what, err);
    if (fd < 0)
        return -1;
    if (chown && bind_chown(fd, (uid_t)(ids->base + ids->uid), (gid_t)(ids->base + ids->gid), what,
                            err) < 0) {
        close(fd);
        return -1;
    }
    idmap = idmap && ids->base > 0;
    *mount = json_pack("{s:s,s:s,s:s,s:o}", "destination", dst, "type", "bind", "source", pin.path,
                       "options", options(ro, idmap));
    return fd;
}

int ctr_mounts_oci(struct store *s, json_t *rec, json_t *mounts, json_t *rw_paths,
                   const struct ctr_ids *ids, int **fds, size_t *nfds, merr_t *err)
{
    json_t *list = json_object_get(rec, "Mounts");
    bool allow =
        json_is_true(json_object_get(json_object_get(rec, "HostConfig"), "SensitiveMounts"));
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i), *m = NULL;
        int fd = one_oci(s, e, allow, ids, &m, err);
        if (fd < 0)
            return -1;
        put_fd(fds, nfds, json_array_size(mounts), fd);
        json_array_append_new(mounts, m);
        if (json_is_true(json_object_get(e, "RW")) && rw_paths)
            json_array_append(rw_paths, json_object_get(e, "Destination"));
    }
    return 0;
}

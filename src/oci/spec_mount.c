/* spec_mount.c: the mounts array and mount option decoding. */
#include "spec_internal.h"
#include "../util/util.h"

#include <string.h>
#include <sys/mount.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind { O_SET, O_CLEAR, O_RSET, O_RCLEAR, O_PROP, O_BIND, O_RBIND, O_IGNORE, O_SPECIAL };

static const struct mount_opt {
    const char *name;
    enum opt_kind kind;
    unsigned long flag;
} opts[] = {
    {"async", O_CLEAR, MS_SYNCHRONOUS},
    {"atime", O_CLEAR, MS_NOATIME},
    {"bind", O_BIND, 0},
    {"defaults", O_IGNORE, 0},
    {"dev", O_CLEAR, MS_NODEV},
    {"diratime", O_CLEAR, MS_NODIRATIME},
    {"dirsync", O_SET, MS_DIRSYNC},
    {"exec", O_CLEAR, MS_NOEXEC},
    {"iversion", O_SET, MS_I_VERSION},
    {"lazytime", O_SET, MS_LAZYTIME},
    {"loud", O_CLEAR, MS_SILENT},
    {"mand", O_SET, MS_MANDLOCK},
    {"noatime", O_SET, MS_NOATIME},
    {"nodev", O_SET, MS_NODEV},
    {"nodiratime", O_SET, MS_NODIRATIME},
    {"noexec", O_SET, MS_NOEXEC},
    {"noiversion", O_CLEAR, MS_I_VERSION},
    {"nolazytime", O_CLEAR, MS_LAZYTIME},
    {"nomand", O_CLEAR, MS_MANDLOCK},
    {"norelatime", O_CLEAR, MS_RELATIME},
    {"nostrictatime", O_CLEAR, MS_STRICTATIME},
    {"nosuid", O_SET, MS_NOSUID},
    {"nosymfollow", O_SET, MS_NOSYMFOLLOW},
    {"rbind", O_RBIND, 0},
    {"relatime", O_SET, MS_RELATIME},
    {"remount", O_SET, MS_REMOUNT},
    {"ro", O_SET, MS_RDONLY},
    {"rw", O_CLEAR, MS_RDONLY},
    {"silent", O_SET, MS_SILENT},
    {"strictatime", O_SET, MS_STRICTATIME},
    {"suid", O_CLEAR, MS_NOSUID},
    {"symfollow", O_CLEAR, MS_NOSYMFOLLOW},
    {"sync", O_SET, MS_SYNCHRONOUS},
    /* propagation */
    {"private", O_PROP, MS_PRIVATE},
    {"rprivate", O_PROP, MS_PRIVATE | MS_REC},
    {"shared", O_PROP, MS_SHARED},
    {"rshared", O_PROP, MS_SHARED | MS_REC},
    {"slave", O_PROP, MS_SLAVE},
    {"rslave", O_PROP, MS_SLAVE | MS_REC},
    {"unbindable", O_PROP, MS_UNBINDABLE},
    {"runbindable", O_PROP, MS_UNBINDABLE | MS_REC},
    /* recursive attributes (mount_setattr with AT_RECURSIVE) */
    {"rro", O_RSET, MS_RDONLY},
    {"rrw", O_RCLEAR, MS_RDONLY},
    {"rnosuid", O_RSET, MS_NOSUID},
    {"rsuid", O_RCLEAR, MS_NOSUID},
    {"rnodev", O_RSET, MS_NODEV},
    {"rdev", O_RCLEAR, MS_NODEV},
    {"rnoexec", O_RSET, MS_NOEXEC},
    {"rexec", O_RCLEAR, MS_NOEXEC},
    {"rnodiratime", O_RSET, MS_NODIRATIME},
    {"rdiratime", O_RCLEAR, MS_NODIRATIME},
    {"rrelatime", O_RSET, MS_RELATIME},
    {"rnorelatime", O_RCLEAR, MS_RELATIME},
    {"rnoatime", O_RSET, MS_NOATIME},
    {"ratime", O_RCLEAR, MS_NOATIME},
    {"rstrictatime", O_RSET, MS_STRICTATIME},
    {"rnostrictatime", O_RCLEAR, MS_STRICTATIME},
    {"rnosymfollow", O_RSET, MS_NOSYMFOLLOW},
    {"rsymfollow", O_RCLEAR, MS_NOSYMFOLLOW},
    /* moat/crun extensions */
    {"idmap", O_SPECIAL, 1},
    {"ridmap", O_SPECIAL, 2},
    {"tmpcopyup", O_SPECIAL, 3},
    {"copy-symlink", O_SPECIAL, 4},
};

static const struct mount_opt *find_opt(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

unsigned long spec_propagation_from_name(const char *name)
{
    const struct mount_opt *o = find_opt(name);
    return (o && o->kind == O_PROP) ? o->flag : 0;
}

static int decode_options(const struct jctx *c, const struct jp *p, struct spec_mount *m)
{
    struct sbuf data = {0};
    for (size_t i = 0; m->options && m->options[i]; i++) {
        const char *name = m->options[i];
        const struct mount_opt *o = find_opt(name);
        if (!*name)
            continue;
        if (!o) {
            /* x-* options are for user space tools, never for the kernel */
            if (strncmp(name, "x-", 2) == 0)
                continue;
            if (data.len)
                sbuf_puts(&data, ",");
            sbuf_puts(&data, name);
            continue;
        }
        switch (o->kind) {
        case O_SET:
            m->flags |= o->flag;
            m->clear &= ~o->flag;
            break;
        case O_CLEAR:
            m->clear |= o->flag;
            m->flags &= ~o->flag;
            break;
        case O_RSET:
            m->rec_flags |= o->flag;
            m->rec_clear &= ~o->flag;
            break;
        case O_RCLEAR:
            m->rec_clear |= o->flag;
            m->rec_flags &= ~o->flag;
            break;
        case O_PROP:
            m->propagation = o->flag;
            break;
        case O_BIND:
            m->bind = true;
            break;
        case O_RBIND:
            m->bind = m->rbind = true;
            break;
        case O_IGNORE:
            break;
        case O_SPECIAL:
            if (o->flag == 1)
                m->idmap = true;
            else if (o->flag == 2)
                m->idmap = m->ridmap = true;
            else if (o->flag == 3)
                m->tmpcopyup = true;
            else
                m->copy_symlink = true;
            break;
        }
    }
    m->data = data.len ? sbuf_steal(&data) : NULL;
    (void)c;
    (void)p;
    return 0;
}

int parse_idmaps(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                 struct spec_idmap **out, size_t *n)
{
    json_t *arr;
    int r = jget_arr(c, p, obj, key, &arr);
    if (r <= 0)
        return r;
    const struct jp *kp = JP_K(p, key);
    size_t cnt = json_array_size(arr);
    *out = xzalloc(cnt * sizeof(struct spec_idmap));
    for (size_t i = 0; i < cnt; i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(kp, i);
        struct spec_idmap *m = &(*out)[i];
        if (jval_obj(c, ep, e) < 0 || jget_u32(c, ep, e, "containerID", &m->container) < 0 ||
            jget_u32(c, ep, e, "hostID", &m->host) < 0 || jget_u32(c, ep, e, "size", &m->size) < 0)
            return -1;
        if (m->size == 0)
            return jfail(c, JP_K(ep, "size"), "must be greater than zero");
        if ((uint64_t)m->container + m->size > 4294967296ULL ||
            (uint64_t)m->host + m->size > 4294967296ULL)
            return jfail(c, JP_K(ep, "size"), "range exceeds the 32-bit id space");
        for (size_t j = 0; j < i; j++) {
            struct spec_idmap *o = &(*out)[j];
            if (m->container < o->container + o->size && o->container < m->container + m->size)
                return jfail(c, ep, "containerID range overlaps %s[%zu]", key, j);
            if (m->host < o->host + o->size && o->host < m->host + m->size)
                return jfail(c, ep, "hostID range overlaps %s[%zu]", key, j);
        }
        (*n)++;
    }
    if (cnt > 340)
        return jfail(c, kp, "at most 340 ranges are supported (%zu)", cnt);
    return 1;
}

int parse_mounts(const struct jctx *c, const struct jp *p, json_t *arr, struct spec *s)
{
    size_t n = json_array_size(arr);
    s->mounts = xzalloc(n * sizeof(struct spec_mount));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(p, i);
        struct spec_mount *m = &s->mounts[i];
        s->nmounts++;
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "destination", &m->destination) < 0 ||
            jget_str(c, ep, e, "type", &m->type) < 0 ||
            jget_str(c, ep, e, "source", &m->source) < 0 ||
            jget_strv(c, ep, e, "options", &m->options) < 0)
            return -1;
        if (!m->destination || !*m->destination)
            return jfail(c, JP_K(ep, "destination"), "is required");
        if (m->destination[0] != '/')
            return jfail(c, JP_K(ep, "destination"), "must be an absolute path (\"%s\")",
                         m->destination);
        if (decode_options(c, ep, m) < 0)
            return -1;
        if (m->type && (strcmp(m->type, "bind") == 0 || strcmp(m->type, "rbind") == 0)) {
            m->bind = true;
            if (strcmp(m->type, "rbind") == 0)
                m->rbind = true;
        }
        if (!m->bind && (!m->type || !*m->type || strcmp(m->type, "none") == 0))
            return jfail(c, JP_K(ep, "type"), "is required unless the mount is a bind mount");
        if (m->bind && (!m->source || !*m->source))
            return jfail(c, JP_K(ep, "source"), "is required for a bind mount");
        if (parse_idmaps(c, ep, e, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) < 0 ||
            parse_idmaps(c, ep, e, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) < 0)
            return -1;
        if ((m->n_uid_mappings != 0) != (m->n_gid_mappings != 0))
            return jfail(c, ep, "uidMappings and gidMappings must be given together");
        if (m->n_uid_mappings && !m->idmap)
            m->idmap = true;
        if (m->idmap && !m->bind)
            return jfail(c, JP_K(ep, "options"), "idmap is only supported on bind mounts");
        if (m->tmpcopyup && (!m->type || strcmp(m->type, "tmpfs") != 0))
            return jfail(c, JP_K(ep, "options"), "tmpcopyup is only valid for tmpfs");
    }
    return 0;
}

void free_mount(struct spec_mount *m)
{
    free(m->options);
    free(m->data);
    free(m->uid_mappings);
    free(m->gid_mappings);
}

/* spec_linux.c: the "linux" object except resources. */
#include "spec_internal.h"
#include "../util/util.h"

#include <seccomp.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SCMP_ACT_KILL_PROCESS
#define SCMP_ACT_KILL_PROCESS 0x80000000U
#endif

int parse_device_number(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                        int64_t *out, bool required)
{
    int r = jget_i64(c, p, obj, key, out);
    if (r < 0)
        return -1;
    if (r == 0) {
        if (required)
            return jfail(c, JP_K(p, key), "is required");
        *out = -1;
        return 0;
    }
    if (*out < 0 || *out > 0xfffff)
        return jfail(c, JP_K(p, key), "out of range (%lld)", (long long)*out);
    return 0;
}

static int parse_namespaces(const struct jctx *c, const struct jp *p, json_t *arr,
                            struct spec_linux *l)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(p, i);
        const char *type = NULL, *path = NULL;
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "type", &type) < 0 ||
            jget_str(c, ep, e, "path", &path) < 0)
            return -1;
        if (!type)
            return jfail(c, JP_K(ep, "type"), "is required");
        int k;
        for (k = 0; k < NS_N; k++)
            if (strcmp(type, ns_kind_name(k)) == 0)
                break;
        if (k == NS_N)
            return jfail(c, JP_K(ep, "type"), "unknown namespace type \"%s\"", type);
        if (l->ns[k].want)
            return jfail(c, JP_K(ep, "type"), "duplicate namespace \"%s\"", type);
        if (path && !*path)
            path = NULL;
        if (path && path[0] != '/')
            return jfail(c, JP_K(ep, "path"), "must be an absolute path (\"%s\")", path);
        l->ns[k].want = true;
        l->ns[k].path = path;
    }
    return 0;
}

static int parse_devices(const struct jctx *c, const struct jp *p, json_t *arr,
                         struct spec_linux *l)
{
    size_t n = json_array_size(arr);
    l->devices = xzalloc(n * sizeof(struct spec_device));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i);
        const struct jp *ep = JP_I(p, i);
        struct spec_device *d = &l->devices[i];
        const char *type = NULL;
        int r;
        l->ndevices++;
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "type", &type) < 0 ||
            jget_str(c, ep, e, "path", &d->path) < 0)
            return -1;
        if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
            return jfail(c, JP_K(ep, "type"), "must be one of c, b, u, p (\"%s\")",
                         type ? type : "");
        d->type = type[0];
        if (!d->path)
            return jfail(c, JP_K(ep, "path"), "is required");
        if (d->path[0] != '/')
            return jfail(c, JP_K(ep, "path"), "must be an absolute path (\"%s\")", d->path);
        if (strcmp(d->path, "/dev") == 0 || strncmp(d->path, "/dev/", 5) != 0 ||
            strstr(d->path, "/../") || strcmp(d->path + strlen(d->path) - 3, "/..") == 0)
            return jfail(c, JP_K(ep, "path"), "must be below /dev (\"%s\")", d->path);
        bool need = d->type != 'p';
        if (parse_device_number(c, ep, e, "major", &d->major, need) < 0 ||
            parse_device_number(c, ep, e, "minor", &d->minor, need) < 0)
            return -1;
        if ((r = jget_u32(c, ep, e, "fileMode", &d->mode.v)) < 0)
            return -1;
        d->mode.has = r > 0;
        if (d->mode.has && d->mode.v > 07777) {
            /* Podman sends the file type bits too (020666): accept them
             * when they agree with the device type */
            uint32_t fmt = d->mode.v & ~07777U;
            uint32_t want = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
            if (fmt != want)
                return jfail(c, JP_K(ep, "fileMode"),
                             "%o has file type bits that do not match type \"%c\"", d->mode.v,
                             d->type);
            d->mode.v &= 07777;
        }
        if ((r = jget_u32(c, ep, e, "uid", &d->uid.v)) < 0)
            return -1;
        d->uid.has = r > 0;
        if ((r = jget_u32(c, ep, e, "gid", &d->gid.v)) < 0)
            return -1;
        d->gid.has = r > 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(l->devices[j].path, d->path) == 0)
                return jfail(c, JP_K(ep, "path"), "duplicate device \"%s\"", d->path);
    }
    return 0;
}

static int parse_paths(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                       char ***out)
{
    if (jget_strv(c, p, obj, key, out) < 0)
        return -1;
    for (size_t i = 0; *out && (*out)[i]; i++)
        if ((*out)[i][0] != '/')
            return jfail(c, JP_I(JP_K(p, key), i), "must be an absolute path (\"%s\")", (*out)[i]);
    return 0;
}

static int lookup_u32(const char *name, const char *const *names, const uint32_t *vals, size_t n,
                      uint32_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) {
            *out = vals[i];
            return 0;
        }
    return -1;
}

static int seccomp_action(const struct jctx *c, const struct jp *p, const char *name, uint32_t *out)
{
    static const char *const names[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
    static const uint32_t vals[] = {
        SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD,
        SCMP_ACT_TRAP,        SCMP_ACT_ERRNO(0),     SCMP_ACT_TRACE(0),
        SCMP_ACT_ALLOW,       SCMP_ACT_LOG,          SCMP_ACT_NOTIFY};
    if (!name)
        return jfail(c, p, "is required");
    if (lookup_u32(name, names, vals, ARRAY_SIZE(names), out) < 0)
        return jfail(c, p, "unknown seccomp action \"%s\"", name);
    return 0;
}

static int parse_seccomp_rule(const struct jctx *c, const struct jp *p, json_t *e,
                              struct spec_seccomp_rule *rule)
{
    static const char *const ops[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
                                      "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_MASKED_EQ"};
    static const uint32_t opv[] = {SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE,       SCMP_CMP_EQ,
                                   SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ};
    const char *action = NULL;
    json_t *args;
    int r;
    if (jval_obj(c, p, e) < 0 || jget_strv(c, p, e, "names", &rule->names) < 0 ||
        jget_str(c, p, e, "action", &action) < 0)
        return -1;
    if (!rule->names || !rule->names[0])
        return jfail(c, JP_K(p, "names"), "must list at least one system call");
    if (seccomp_action(c, JP_K(p, "action"), action, &rule->action) < 0)
        return -1;
    if ((r = jget_u32(c, p, e, "errnoRet", &rule->errno_ret.v)) < 0)
        return -1;
    rule->errno_ret.has = r > 0;
    if (rule->errno_ret.has && rule->action != SCMP_ACT_ERRNO(0) &&
        rule->action != SCMP_ACT_TRACE(0))
        return jfail(c, JP_K(p, "errnoRet"), "is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    if ((r = jget_arr(c, p, e, "args", &args)) < 0)
        return -1;
    if (r == 0)
        return 0;
    rule->args = xzalloc(json_array_size(args) * sizeof(struct spec_seccomp_arg));
    for (size_t i = 0; i < json_array_size(args); i++) {
        json_t *a = json_array_get(args, i);
        const struct jp *ap = JP_I(JP_K(p, "args"), i);
        struct spec_seccomp_arg *sa = &rule->args[i];
        const char *op = NULL;
        uint32_t opval;
        if (jval_obj(c, ap, a) < 0 || jget_u32(c, ap, a, "index", &sa->index) < 0 ||
            jget_u64(c, ap, a, "value", &sa->value) < 0 ||
            jget_u64(c, ap, a, "valueTwo", &sa->value_two) < 0 || jget_str(c, ap, a, "op", &op) < 0)
            return -1;
        if (sa->index > 5)
            return jfail(c, JP_K(ap, "index"), "must be between 0 and 5 (%u)", sa->index);
        if (!op || lookup_u32(op, ops, opv, ARRAY_SIZE(ops), &opval) < 0)
            return jfail(c, JP_K(ap, "op"), "unknown operator \"%s\"", op ? op : "");
        sa->op = (int)opval;
        rule->nargs++;
    }
    return 0;
}

int parse_seccomp(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_seccomp **out)
{
    static const char *const arch_names[] = {
        "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"};
    static const uint32_t arch_vals[] = {
        SCMP_ARCH_X86,     SCMP_ARCH_X86_64,   SCMP_ARCH_X32,         SCMP_ARCH_ARM,
        SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS,     SCMP_ARCH_MIPS64,      SCMP_ARCH_MIPS64N32,
        SCMP_ARCH_MIPSEL,  SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC,
        SCMP_ARCH_PPC64,   SCMP_ARCH_PPC64LE,  SCMP_ARCH_S390,        SCMP_ARCH_S390X,
        SCMP_ARCH_PARISC,  SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64};
    static const char *const flag_names[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                             "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                             "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
    static const uint32_t flag_vals[] = {SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG,
                                         SECCOMP_FILTER_FLAG_SPEC_ALLOW,
                                         SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV};
    struct spec_seccomp *s = xzalloc(sizeof(*s));
    *out = s;
    const char *def = NULL;
    char **v = NULL;
    json_t *arr;
    int r;
    if (jget_str(c, p, obj, "defaultAction", &def) < 0 ||
        seccomp_action(c, JP_K(p, "defaultAction"), def, &s->default_action) < 0)
        return -1;
    if ((r = jget_u32(c, p, obj, "defaultErrnoRet", &s->default_errno_ret.v)) < 0)
        return -1;
    s->default_errno_ret.has = r > 0;
    if (jget_strv(c, p, obj, "architectures", &v) < 0)
        return -1;
    size_t na = strv_len(v);
    s->arches = xzalloc(na * sizeof(uint32_t));
    for (size_t i = 0; i < na; i++) {
        if (lookup_u32(v[i], arch_names, arch_vals, ARRAY_SIZE(arch_names), &s->arches[i]) < 0) {
            jfail(c, JP_I(JP_K(p, "architectures"), i), "unknown architecture \"%s\"", v[i]);
            free(v);
            return -1;
        }
        s->narches++;
    }
    free(v);
    v = NULL;
    if (jget_strv(c, p, obj, "flags", &v) < 0)
        return -1;
    for (size_t i = 0; v && v[i]; i++) {
        uint32_t f;
        if (lookup_u32(v[i], flag_names, flag_vals, ARRAY_SIZE(flag_names), &f) < 0) {
            jfail(c, JP_I(JP_K(p, "flags"), i), "unknown seccomp flag \"%s\"", v[i]);
            free(v);
            return -1;
        }
        s->flags |= f;
    }
    free(v);
    if (jget_str(c, p, obj, "listenerPath", &s->listener_path) < 0 ||
        jget_str(c, p, obj, "listenerMetadata", &s->listener_metadata) < 0)
        return -1;
    if (s->listener_path && !*s->listener_path)
        s->listener_path = NULL;
    bool notify = s->default_action == SCMP_ACT_NOTIFY;
    if ((r = jget_arr(c, p, obj, "syscalls", &arr)) < 0)
        return -1;
    if (r > 0) {
        s->rules = xzalloc(json_array_size(arr) * sizeof(struct spec_seccomp_rule));
        for (size_t i = 0; i < json_array_size(arr); i++) {
            s->nrules++;
            if (parse_seccomp_rule(c, JP_I(JP_K(p, "syscalls"), i), json_array_get(arr, i),
                                   &s->rules[i]) < 0)
                return -1;
            if (s->rules[i].action == SCMP_ACT_NOTIFY)
                notify = true;
        }
    }
    if (notify && !s->listener_path)
        return jfail(c, JP_K(p, "listenerPath"), "is required when SCMP_ACT_NOTIFY is used");
    if (!notify && s->listener_path)
        return jfail(c, JP_K(p, "listenerPath"), "is set but no rule uses SCMP_ACT_NOTIFY");
    return 0;
}

static int parse_personality(const struct jctx *c, const struct jp *p, json_t *o,
                             struct spec_linux *l)
{
    const char *domain = NULL;
    char **flags = NULL;
    if (jget_str(c, p, o, "domain", &domain) < 0 || jget_strv(c, p, o, "flags", &flags) < 0)
        return -1;
    free(flags); /* no personality flags are defined by the spec yet */
    if (!domain)
        return jfail(c, JP_K(p, "domain"), "is required");
    if (strcmp(domain, "LINUX") == 0)
        l->personality.v.domain = PER_LINUX;
    else if (strcmp(domain, "LINUX32") == 0)
        l->personality.v.domain = PER_LINUX32;
    else
        return jfail(c, JP_K(p, "domain"), "unknown domain \"%s\" (LINUX or LINUX32)", domain);
    l->personality.has = true;
    return 0;
}

static int parse_time_offsets(const struct jctx *c, const struct jp *p, json_t *o,
                              struct spec_linux *l)
{
    static const char *const clocks[2] = {"monotonic", "boottime"};
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        int k = strcmp(key, clocks[0]) == 0 ? 0 : strcmp(key, clocks[1]) == 0 ? 1 : -1;
        if (k < 0)
            return jfail(c, JP_K(p, key), "unknown clock (monotonic or boottime)");
        const struct jp *kp = JP_K(p, key);
        if (jval_obj(c, kp, val) < 0 ||
            jget_i64(c, kp, val, "secs", &l->time_offsets[k].secs) < 0 ||
            jget_u32(c, kp, val, "nanosecs", &l->time_offsets[k].nanosecs) < 0)
            return -1;
        if (l->time_offsets[k].nanosecs >= 1000000000U)
            return jfail(c, JP_K(kp, "nanosecs"), "must be below 1000000000");
        l->time_offsets[k].has = true;
    }
    return 0;
}

int parse_linux(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_linux *l)
{
    json_t *o, *arr;
    const char *prop = NULL;
    int r;
    if ((r = jget_arr(c, p, obj, "namespaces", &arr)) < 0)
        return -1;
    if (r > 0 && parse_namespaces(c, JP_K(p, "namespaces"), arr, l) < 0)
        return -1;
    if (parse_idmaps(c, p, obj, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
        parse_idmaps(c, p, obj, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "sysctl", &o)) < 0)
        return -1;
    if (r > 0) {
        const char *key;
        json_t *val;
        l->sysctl = xzalloc(json_object_size(o) * sizeof(struct spec_kv));
        json_object_foreach(o, key, val)
        {
            const struct jp *kp = JP_K(JP_K(p, "sysctl"), key);
            if (jval_str(c, kp, val, &l->sysctl[l->nsysctl].value) < 0)
                return -1;
            if (!*key || strstr(key, "..") || key[0] == '.' || key[0] == '/')
                return jfail(c, kp, "invalid sysctl name");
            l->sysctl[l->nsysctl++].key = key;
        }
    }
    if ((r = jget_obj(c, p, obj, "resources", &o)) < 0)
        return -1;
    if (r > 0) {
        l->has_resources = true;
        if (parse_resources(c, JP_K(p, "resources"), o, &l->resources) < 0)
            return -1;
    }
    if (jget_str(c, p, obj, "cgroupsPath", &l->cgroups_path) < 0)
        return -1;
    if (l->cgroups_path && *l->cgroups_path) {
        const char *cp = l->cgroups_path;
        if (strstr(cp, "/../") || strncmp(cp, "../", 3) == 0 || strcmp(cp, "..") == 0 ||
            (strlen(cp) >= 3 && strcmp(cp + strlen(cp) - 3, "/..") == 0))
            return jfail(c, JP_K(p, "cgroupsPath"), "must not contain \"..\" (\"%s\")", cp);
        if (strchr(cp, ':') && cp[0] != '/')
            return jfail(c, JP_K(p, "cgroupsPath"),
                         "\"%s\" looks like a systemd slice:prefix:name path; moat manages "
                         "cgroupfs paths only (--systemd-cgroup is not supported)",
                         cp);
    }
    if (jget_str(c, p, obj, "rootfsPropagation", &prop) < 0)
        return -1;
    if (prop && *prop) {
        l->rootfs_propagation = spec_propagation_from_name(prop);
        if (!l->rootfs_propagation)
            return jfail(c, JP_K(p, "rootfsPropagation"), "unknown propagation \"%s\"", prop);
    }
    if (parse_paths(c, p, obj, "maskedPaths", &l->masked_paths) < 0 ||
        parse_paths(c, p, obj, "readonlyPaths", &l->readonly_paths) < 0 ||
        jget_str(c, p, obj, "mountLabel", &l->mount_label) < 0)
        return -1;
    if ((r = jget_arr(c, p, obj, "devices", &arr)) < 0)
        return -1;
    if (r > 0 && parse_devices(c, JP_K(p, "devices"), arr, l) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "seccomp", &o)) < 0)
        return -1;
    if (r > 0 && parse_seccomp(c, JP_K(p, "seccomp"), o, &l->seccomp) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "personality", &o)) < 0)
        return -1;
    if (r > 0 && parse_personality(c, JP_K(p, "personality"), o, l) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "timeOffsets", &o)) < 0)
        return -1;
    if (r > 0 && parse_time_offsets(c, JP_K(p, "timeOffsets"), o, l) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "intelRdt", &o)) < 0)
        return -1;
    if (r > 0 && json_object_size(o) > 0)
        return jfail(c, JP_K(p, "intelRdt"), "is not supported (no resctrl on this host)");
    return 0;
}

void free_seccomp(struct spec_seccomp *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrules; i++) {
        free(s->rules[i].names);
        free(s->rules[i].args);
    }
    free(s->rules);
    free(s->arches);
    free(s);
}

void free_linux(struct spec_linux *l)
{
    free(l->uid_mappings);
    free(l->gid_mappings);
    free(l->sysctl);
    spec_resources_free(&l->resources);
    free(l->masked_paths);
    free(l->readonly_paths);
    free(l->devices);
    free_seccomp(l->seccomp);
}

/* seccomp_profile.c: a seccomp profile a user gives (see
 * seccomp_profile.h). */
#include "seccomp_profile.h"
#include "../oci/spec.h"
#include "../kernel/caps.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define PROFILE_MAX (4 << 20)

static bool key_in(const char *k, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(k, keys[i]) == 0)
            return true;
    return false;
}

/* Every key of obj is one moat understands: a profile that asks for
 * something moat would silently ignore is refused. */
static int known_keys(json_t *obj, const char *const *keys, size_t n, const char *where,
                      merr_t *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (!key_in(k, keys, n))
            return err_set(err, 0,
                           "%s: \"%.64s\" is not understood; refusing the profile rather "
                           "than ignoring it",
                           where, k);
    }
    return 0;
}

/* "4.8" <= the running kernel? */
static bool kernel_at_least(const char *min, const struct seccomp_host *h)
{
    unsigned maj = 0, mnr = 0;
    if (sscanf(min, "%u.%u", &maj, &mnr) < 1)
        return false;
    return h->kmajor > maj || (h->kmajor == maj && h->kminor >= mnr);
}

/* A condition of the wrong type would be dropped, and the rule apply to
 * every container: refused, as Docker does. */
static int check_types(json_t *f, const char *w, merr_t *err)
{
    static const char *const lists[] = {"caps", "arches"};
    for (size_t k = 0; k < ARRAY_SIZE(lists); k++) {
        json_t *a = json_object_get(f, lists[k]);
        if (!a)
            continue;
        if (!json_is_array(a))
            return err_set(err, 0, "%s.%s: must be a list of strings", w, lists[k]);
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_is_string(json_array_get(a, i)))
                return err_set(err, 0, "%s.%s[%zu]: must be a string", w, lists[k], i);
    }
    json_t *mk = json_object_get(f, "minKernel");
    unsigned maj, mnr;
    if (mk && (!json_is_string(mk) || sscanf(json_string_value(mk), "%u.%u", &maj, &mnr) != 2))
        return err_set(err, 0, "%s.minKernel: must be a kernel version such as \"4.8\"", w);
    return 0;
}

static bool str_in(json_t *arr, const char *s)
{
    for (size_t i = 0; i < json_array_size(arr); i++)
        if (strcmp(json_string_value(json_array_get(arr, i)) ?: "", s) == 0)
            return true;
    return false;
}

/* all the capabilities named (any, with want_all false) held? */
static int caps_held(json_t *names, uint64_t caps, bool want_all, const char *where, bool *out,
                     merr_t *err)
{
    bool all = true, any = false;
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        int cap = n ? cap_from_name(n, 1) : -1;
        if (cap < 0)
            return err_set(err, 0, "%s.caps[%zu]: unknown capability", where, i);
        bool has = (caps >> cap) & 1;
        all = all && has;
        any = any || has;
    }
    *out = want_all ? all : any;
    return 0;
}

/* Does a rule's includes/excludes select it for this container? */
static int applies(json_t *rule, const char *where, const struct seccomp_host *h, uint64_t caps,
                   bool *out, merr_t *err)
{
    static const char *const fkeys[] = {"caps", "arches", "minKernel"};
    *out = true;
    for (int inc = 1; inc >= 0; inc--) {
        json_t *f = json_object_get(rule, inc ? "includes" : "excludes");
        if (!f)
            continue;
        cleanup_free char *w = xasprintf("%s.%s", where, inc ? "includes" : "excludes");
        if (!json_is_object(f))
            return err_set(err, 0, "%s: must be an object", w);
        if (known_keys(f, fkeys, ARRAY_SIZE(fkeys), w, err) < 0 || check_types(f, w, err) < 0)
            return -1;
        json_t *c = json_object_get(f, "caps"), *a = json_object_get(f, "arches");
        const char *mk = json_string_value(json_object_get(f, "minKernel"));
        bool held = false;
        if (json_array_size(c) && caps_held(c, caps, inc, w, &held, err) < 0)
            return -1;
        if (inc) {
            *out = *out && (!json_array_size(c) || held) &&
                   (!json_array_size(a) || str_in(a, h->goarch)) && (!mk || kernel_at_least(mk, h));
        } else {
            *out = *out && !(json_array_size(c) && held) &&
                   !(json_array_size(a) && str_in(a, h->goarch)) && !(mk && kernel_at_least(mk, h));
        }
    }
    return 0;
}

static json_t *resolve_rule(json_t *rule, size_t i, const struct seccomp_host *h, uint64_t caps,
                            bool *keep, merr_t *err)
{
    static const char *const rkeys[] = {"names",    "name",    "action",   "args",
                                        "errnoRet", "comment", "includes", "excludes"};
    cleanup_free char *where = xasprintf("syscalls[%zu]", i);
    if (!json_is_object(rule)) {
        err_set(err, 0, "%s: must be an object", where);
        return NULL;
    }
    if (known_keys(rule, rkeys, ARRAY_SIZE(rkeys), where, err) < 0 ||
        applies(rule, where, h, caps, keep, err) < 0)
        return NULL;
    json_t *out = json_object();
    json_t *names = json_object_get(rule, "names");
    const char *name = json_string_value(json_object_get(rule, "name"));
    if (names)
        json_object_set(out, "names", names);
    else if (name)
        json_object_set_new(out, "names", json_pack("[s]", name));
    static const char *const copy[] = {"action", "args", "errnoRet"};
    for (size_t k = 0; k < ARRAY_SIZE(copy); k++)
        if (json_object_get(rule, copy[k]))
            json_object_set(out, copy[k], json_object_get(rule, copy[k]));
    return out;
}

/* archMap: the native architecture's entry, with its sub-architectures */
static json_t *arches_of(json_t *map, const struct seccomp_host *h)
{
    json_t *out = json_array();
    for (size_t i = 0; i < json_array_size(map); i++) {
        json_t *e = json_array_get(map, i);
        if (strcmp(json_string_value(json_object_get(e, "architecture")) ?: "", h->scmp_arch) != 0)
            continue;
        json_array_append_new(out, json_string(h->scmp_arch));
        json_t *sub = json_object_get(e, "subArchitectures");
        for (size_t k = 0; k < json_array_size(sub); k++)
            json_array_append(out, json_array_get(sub, k));
    }
    return out;
}

json_t *seccomp_profile_resolve(json_t *p, uint64_t caps, const struct seccomp_host *h, merr_t *err)
{
    static const char *const tkeys[] = {"defaultAction", "defaultErrnoRet",  "architectures",
                                        "archMap",       "syscalls",         "flags",
                                        "listenerPath",  "listenerMetadata", "comment"};
    if (!json_is_object(p)) {
        err_set(err, 0, "not a JSON object");
        return NULL;
    }
    if (known_keys(p, tkeys, ARRAY_SIZE(tkeys), "the profile", err) < 0)
        return NULL;
    json_t *out = json_deep_copy(p);
    json_object_del(out, "comment");
    if (json_object_get(p, "archMap")) {
        if (!json_object_get(p, "architectures"))
            json_object_set_new(out, "architectures", arches_of(json_object_get(p, "archMap"), h));
        json_object_del(out, "archMap");
    }
    json_t *rules = json_object_get(p, "syscalls"), *kept = json_array();
    for (size_t i = 0; i < json_array_size(rules); i++) {
        bool keep = false;
        json_t *r = resolve_rule(json_array_get(rules, i), i, h, caps, &keep, err);
        if (!r) {
            json_decref(kept);
            json_decref(out);
            return NULL;
        }
        if (keep)
            json_array_append_new(kept, r);
        else
            json_decref(r);
    }
    if (rules)
        json_object_set_new(out, "syscalls", kept);
    else
        json_decref(kept);
    return out;
}

void seccomp_host_detect(struct seccomp_host *h)
{
    struct utsname u;
    memset(h, 0, sizeof(*h));
    uname(&u);
    sscanf(u.release, "%u.%u", &h->kmajor, &h->kminor);
    bool arm = strcmp(u.machine, "aarch64") == 0;
    h->goarch = arm ? "arm64" : "amd64";
    h->scmp_arch = arm ? "SCMP_ARCH_AARCH64" : "SCMP_ARCH_X86_64";
}

json_t *seccomp_profile_load(const char *path, uint64_t caps, merr_t *err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    size_t len = 0;
    if (fd < 0 || read_regular_fd(fd, PROFILE_MAX, &text, &len) < 0) {
        if (errno == EINVAL || errno == EFBIG)
            err_set(err, 0, "seccomp profile \"%.256s\": not a regular file of at most 4 MiB",
                    path);
        else
            err_sys(err, "seccomp profile \"%.256s\"", path);
        return NULL;
    }
    json_error_t je;
    json_t *p = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!p) {
        err_set(err, 0, "seccomp profile \"%.256s\": line %d: %.200s", path, je.line, je.text);
        return NULL;
    }
    struct seccomp_host h;
    seccomp_host_detect(&h);
    json_t *out = seccomp_profile_resolve(p, caps, &h, err);
    json_decref(p);
    if (!out) {
        err_wrap(err, "seccomp profile \"%.256s\"", path);
        return NULL;
    }
    /* the runtime's own parser checks the rest (actions, names, args) */
    json_t *cfg = json_pack("{s:s,s:{s:s},s:{s:O}}", "ociVersion", "1.1.0", "root", "path",
                            "rootfs", "linux", "seccomp", out);
    cleanup_free char *ctext = json_dumps(cfg, JSON_COMPACT);
    json_decref(cfg);
    struct spec *s = NULL;
    cleanup_free char *name = xasprintf("seccomp profile \"%.256s\"", path);
    if (spec_parse(ctext, strlen(ctext), name, &s, err) < 0) {
        json_decref(out);
        return NULL;
    }
    spec_free(s);
    return out;
}

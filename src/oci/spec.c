/* spec.c: config.json top level, process and hooks. */
#include "spec_internal.h"
#include "capname.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

static const char *const ns_names[NS_N] = {"pid", "network", "mount",  "ipc",
                                           "uts", "user",    "cgroup", "time"};
static const int ns_flags[NS_N] = {CLONE_NEWPID,    CLONE_NEWNET, CLONE_NEWNS,
                                   CLONE_NEWIPC,    CLONE_NEWUTS, CLONE_NEWUSER,
                                   CLONE_NEWCGROUP, 0x80 /* NEWTIME */};

const char *ns_kind_name(enum ns_kind k)
{
    return ns_names[k];
}

int ns_kind_clone_flag(enum ns_kind k)
{
    return ns_flags[k];
}

static const char *const hook_names[HOOK_N] = {"prestart",       "createRuntime", "createContainer",
                                               "startContainer", "poststart",     "poststop"};

const char *hook_kind_name(enum hook_kind k)
{
    return hook_names[k];
}

static const struct {
    const char *name;
    int res;
} rlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
        if (strcmp(rlimits[i].name, name) == 0)
            return rlimits[i].res;
    return -1;
}

static int parse_caps(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_caps *caps)
{
    static const char *const sets[CAPSET_N] = {"bounding", "effective", "inheritable", "permitted",
                                               "ambient"};
    for (int s = 0; s < CAPSET_N; s++) {
        char **v = NULL;
        int r = jget_strv(c, p, obj, sets[s], &v);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        caps->has[s] = true;
        for (size_t i = 0; v[i]; i++) {
            int cap = cap_from_name(v[i], 0);
            if (cap < 0) {
                jfail(c, JP_I(JP_K(p, sets[s]), i), "unknown capability \"%s\"", v[i]);
                free(v);
                return -1;
            }
            caps->set[s] |= 1ULL << cap;
        }
        free(v);
    }
    return 0;
}

static int parse_user(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_user *u)
{
    json_t *arr;
    int r;
    if (jget_u32(c, p, obj, "uid", &u->uid) < 0 || jget_u32(c, p, obj, "gid", &u->gid) < 0)
        return -1;
    if ((r = jget_u32(c, p, obj, "umask", &u->umask.v)) < 0)
        return -1;
    u->umask.has = r > 0;
    if (u->umask.has && u->umask.v > 0777)
        return jfail(c, JP_K(p, "umask"), "must be at most 0777 (%u)", u->umask.v);
    if ((r = jget_arr(c, p, obj, "additionalGids", &arr)) < 0)
        return -1;
    if (r > 0) {
        u->ngids = json_array_size(arr);
        u->gids = xzalloc(u->ngids * sizeof(uint32_t));
        for (size_t i = 0; i < u->ngids; i++) {
            json_t *e = json_array_get(arr, i);
            if (!json_is_integer(e) || json_integer_value(e) < 0 ||
                json_integer_value(e) > UINT32_MAX)
                return jfail(c, JP_I(JP_K(p, "additionalGids"), i),
                             "must be an integer between 0 and 4294967295");
            u->gids[i] = (uint32_t)json_integer_value(e);
        }
    }
    return 0;
}

static int parse_rlimits(const struct jctx *c, const struct jp *p, json_t *arr,
                         struct spec_process *out)
{
    size_t n = json_array_size(arr);
    out->rlimits = xzalloc(n * sizeof(struct spec_rlimit));
    for (size_t i = 0; i < n; i++) {
        const struct jp *ep = JP_I(p, i);
        json_t *e = json_array_get(arr, i);
        const char *type = NULL;
        struct spec_rlimit *rl = &out->rlimits[i];
        if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "type", &type) < 0)
            return -1;
        if (!type)
            return jfail(c, JP_K(ep, "type"), "is required");
        rl->type = rlimit_from_name(type);
        if (rl->type < 0)
            return jfail(c, JP_K(ep, "type"), "unknown rlimit \"%s\"", type);
        if (jget_u64(c, ep, e, "soft", &rl->soft) < 0 || jget_u64(c, ep, e, "hard", &rl->hard) < 0)
            return -1;
        if (rl->soft > rl->hard)
            return jfail(c, ep, "soft limit %llu is above hard limit %llu",
                         (unsigned long long)rl->soft, (unsigned long long)rl->hard);
        for (size_t j = 0; j < i; j++)
            if (out->rlimits[j].type == rl->type)
                return jfail(c, JP_K(ep, "type"), "duplicate rlimit \"%s\"", type);
        out->nrlimits++;
    }
    return 0;
}

static int lookup(const char *const *tab, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i] && strcmp(tab[i], name) == 0)
            return (int)i;
    return -1;
}

static int parse_sched(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_sched *s)
{
    static const char *const policies[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
                                           "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
                                           "SCHED_DEADLINE"};
    static const char *const flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                        "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                                        "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                                        "SCHED_FLAG_UTIL_CLAMP_MAX"};
    const char *policy = NULL;
    char **fl = NULL;
    int64_t v;
    s->has = true;
    if (jget_str(c, p, obj, "policy", &policy) < 0)
        return -1;
    if (!policy)
        return jfail(c, JP_K(p, "policy"), "is required");
    s->policy = lookup(policies, ARRAY_SIZE(policies), policy);
    if (s->policy < 0 || s->policy == 4)
        return jfail(c, JP_K(p, "policy"), "unknown or unsupported policy \"%s\"", policy);
    if (jget_i64(c, p, obj, "nice", &v) < 0)
        return -1;
    if (v < -20 || v > 19)
        return jfail(c, JP_K(p, "nice"), "must be between -20 and 19");
    s->nice = (int32_t)v;
    v = 0;
    if (jget_i64(c, p, obj, "priority", &v) < 0)
        return -1;
    s->priority = (int32_t)v;
    if (jget_u64(c, p, obj, "runtime", &s->runtime) < 0 ||
        jget_u64(c, p, obj, "deadline", &s->deadline) < 0 ||
        jget_u64(c, p, obj, "period", &s->period) < 0 || jget_strv(c, p, obj, "flags", &fl) < 0)
        return -1;
    for (size_t i = 0; fl && fl[i]; i++) {
        int f = lookup(flags, ARRAY_SIZE(flags), fl[i]);
        if (f < 0) {
            jfail(c, JP_I(JP_K(p, "flags"), i), "unknown scheduler flag \"%s\"", fl[i]);
            free(fl);
            return -1;
        }
        s->flags |= 1ULL << f;
    }
    free(fl);
    return 0;
}

static int check_cpu_list(const struct jctx *c, const struct jp *p, const char *s)
{
    /* "0-3,7" */
    const char *q = s;
    if (!*q)
        return 0;
    for (;;) {
        if (*q < '0' || *q > '9')
            return jfail(c, p, "invalid CPU list \"%s\"", s);
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == '-') {
            q++;
            if (*q < '0' || *q > '9')
                return jfail(c, p, "invalid CPU list \"%s\"", s);
            while (*q >= '0' && *q <= '9')
                q++;
        }
        if (!*q)
            return 0;
        if (*q != ',')
            return jfail(c, p, "invalid CPU list \"%s\"", s);
        q++;
    }
}

int parse_process(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_process *out)
{
    json_t *o, *arr;
    int r;
    if (jget_bool(c, p, obj, "terminal", &out->terminal) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "consoleSize", &o)) < 0)
        return -1;
    if (r > 0) {
        uint32_t h = 0, w = 0;
        if (jget_u32(c, JP_K(p, "consoleSize"), o, "height", &h) < 0 ||
            jget_u32(c, JP_K(p, "consoleSize"), o, "width", &w) < 0)
            return -1;
        out->console_size.has = true;
        out->console_size.v.height = h;
        out->console_size.v.width = w;
    }
    if (jget_str(c, p, obj, "cwd", &out->cwd) < 0)
        return -1;
    if (!out->cwd)
        return jfail(c, JP_K(p, "cwd"), "is required");
    if (out->cwd[0] != '/')
        return jfail(c, JP_K(p, "cwd"), "must be an absolute path (\"%s\")", out->cwd);
    if (jget_strv(c, p, obj, "args", &out->args) < 0 || jget_strv(c, p, obj, "env", &out->env) < 0)
        return -1;
    for (size_t i = 0; out->env && out->env[i]; i++)
        if (!strchr(out->env[i], '=') || out->env[i][0] == '=')
            return jfail(c, JP_I(JP_K(p, "env"), i), "must have the form KEY=VALUE (\"%s\")",
                         out->env[i]);
    if ((r = jget_obj(c, p, obj, "user", &o)) < 0)
        return -1;
    if (r > 0 && parse_user(c, JP_K(p, "user"), o, &out->user) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "capabilities", &o)) < 0)
        return -1;
    if (r > 0) {
        out->has_caps = true;
        if (parse_caps(c, JP_K(p, "capabilities"), o, &out->caps) < 0)
            return -1;
    }
    if ((r = jget_arr(c, p, obj, "rlimits", &arr)) < 0)
        return -1;
    if (r > 0 && parse_rlimits(c, JP_K(p, "rlimits"), arr, out) < 0)
        return -1;
    if (jget_bool(c, p, obj, "noNewPrivileges", &out->no_new_privileges) < 0 ||
        jget_str(c, p, obj, "apparmorProfile", &out->apparmor_profile) < 0 ||
        jget_str(c, p, obj, "selinuxLabel", &out->selinux_label) < 0)
        return -1;
    if ((r = jget_int(c, p, obj, "oomScoreAdj", &out->oom_score_adj.v)) < 0)
        return -1;
    out->oom_score_adj.has = r > 0;
    if (r > 0 && (out->oom_score_adj.v < -1000 || out->oom_score_adj.v > 1000))
        return jfail(c, JP_K(p, "oomScoreAdj"), "must be between -1000 and 1000 (%d)",
                     out->oom_score_adj.v);
    if ((r = jget_obj(c, p, obj, "scheduler", &o)) < 0)
        return -1;
    if (r > 0 && parse_sched(c, JP_K(p, "scheduler"), o, &out->sched) < 0)
        return -1;
    if ((r = jget_obj(c, p, obj, "ioPriority", &o)) < 0)
        return -1;
    if (r > 0) {
        static const char *const classes[] = {NULL, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                              "IOPRIO_CLASS_IDLE"};
        const struct jp *ip = JP_K(p, "ioPriority");
        const char *cls = NULL;
        int prio = 0;
        if (jget_str(c, ip, o, "class", &cls) < 0 || jget_int(c, ip, o, "priority", &prio) < 0)
            return -1;
        int k = cls ? lookup(classes, ARRAY_SIZE(classes), cls) : -1;
        if (k < 0)
            return jfail(c, JP_K(ip, "class"), "unknown class \"%s\"", cls ? cls : "");
        if (prio < 0 || prio > 7)
            return jfail(c, JP_K(ip, "priority"), "must be between 0 and 7 (%d)", prio);
        out->io_priority.has = true;
        out->io_priority.v.klass = k;
        out->io_priority.v.prio = prio;
    }
    if ((r = jget_obj(c, p, obj, "landlock", &o)) < 0)
        return -1;
    if (r > 0 && parse_landlock(c, JP_K(p, "landlock"), o, &out->landlock) < 0)
        return -1;
    if (out->landlock && !out->no_new_privileges)
        return jfail(c, JP_K(p, "landlock"),
                     "needs noNewPrivileges: true (the process enforces it unprivileged)");
    if ((r = jget_obj(c, p, obj, "execCPUAffinity", &o)) < 0)
        return -1;
    if (r > 0) {
        const struct jp *ap = JP_K(p, "execCPUAffinity");
        if (jget_str(c, ap, o, "initial", &out->cpu_affinity_initial) < 0 ||
            jget_str(c, ap, o, "final", &out->cpu_affinity_final) < 0)
            return -1;
        if (out->cpu_affinity_initial &&
            check_cpu_list(c, JP_K(ap, "initial"), out->cpu_affinity_initial) < 0)
            return -1;
        if (out->cpu_affinity_final &&
            check_cpu_list(c, JP_K(ap, "final"), out->cpu_affinity_final) < 0)
            return -1;
    }
    return 0;
}

static int parse_hooks(const struct jctx *c, const struct jp *p, json_t *obj, struct spec *s)
{
    for (int k = 0; k < HOOK_N; k++) {
        json_t *arr;
        int r = jget_arr(c, p, obj, hook_names[k], &arr);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        const struct jp *kp = JP_K(p, hook_names[k]);
        size_t n = json_array_size(arr);
        s->hooks[k] = xzalloc(n * sizeof(struct spec_hook));
        for (size_t i = 0; i < n; i++) {
            const struct jp *ep = JP_I(kp, i);
            json_t *e = json_array_get(arr, i);
            struct spec_hook *h = &s->hooks[k][i];
            s->nhooks[k]++;
            if (jval_obj(c, ep, e) < 0 || jget_str(c, ep, e, "path", &h->path) < 0 ||
                jget_strv(c, ep, e, "args", &h->args) < 0 ||
                jget_strv(c, ep, e, "env", &h->env) < 0)
                return -1;
            if (!h->path)
                return jfail(c, JP_K(ep, "path"), "is required");
            if (h->path[0] != '/')
                return jfail(c, JP_K(ep, "path"), "must be an absolute path (\"%s\")", h->path);
            if ((r = jget_int(c, ep, e, "timeout", &h->timeout.v)) < 0)
                return -1;
            h->timeout.has = r > 0;
            if (h->timeout.has && h->timeout.v <= 0)
                return jfail(c, JP_K(ep, "timeout"), "must be greater than zero (%d)",
                             h->timeout.v);
        }
    }
    return 0;
}

static int check_version(const struct jctx *c, const char *v)
{
    /* semver 1.x.y[-suffix] */
    const char *q = v;
    if (strncmp(q, "1.", 2) != 0)
        goto bad;
    q += 2;
    if (*q < '0' || *q > '9')
        goto bad;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q != '.')
        goto bad;
    q++;
    if (*q < '0' || *q > '9')
        goto bad;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q == 0 || *q == '-' || *q == '+')
        return 0;
bad:
    return jfail(c, JP_K(NULL, "ociVersion"), "unsupported version \"%s\" (want 1.x.y)", v);
}

static int parse_top(const struct jctx *c, json_t *root, struct spec *s)
{
    json_t *o, *arr;
    int r;
    if (jget_str(c, NULL, root, "ociVersion", &s->oci_version) < 0)
        return -1;
    if (!s->oci_version)
        return jfail(c, JP_K(NULL, "ociVersion"), "is required");
    if (check_version(c, s->oci_version) < 0)
        return -1;
    if ((r = jget_obj(c, NULL, root, "root", &o)) < 0)
        return -1;
    if (r == 0)
        return jfail(c, JP_K(NULL, "root"), "is required");
    if (jget_str(c, JP_K(NULL, "root"), o, "path", &s->root_path) < 0 ||
        jget_bool(c, JP_K(NULL, "root"), o, "readonly", &s->root_readonly) < 0)
        return -1;
    if (!s->root_path || !*s->root_path)
        return jfail(c, JP_K(JP_K(NULL, "root"), "path"), "is required");
    if (jget_str(c, NULL, root, "hostname", &s->hostname) < 0 ||
        jget_str(c, NULL, root, "domainname", &s->domainname) < 0)
        return -1;
    if ((r = jget_obj(c, NULL, root, "process", &o)) < 0)
        return -1;
    if (r > 0) {
        s->has_process = true;
        if (parse_process(c, JP_K(NULL, "process"), o, &s->process) < 0)
            return -1;
    }
    if ((r = jget_arr(c, NULL, root, "mounts", &arr)) < 0)
        return -1;
    if (r > 0 && parse_mounts(c, JP_K(NULL, "mounts"), arr, s) < 0)
        return -1;
    if ((r = jget_obj(c, NULL, root, "hooks", &o)) < 0)
        return -1;
    if (r > 0 && parse_hooks(c, JP_K(NULL, "hooks"), o, s) < 0)
        return -1;
    if ((r = jget_obj(c, NULL, root, "annotations", &o)) < 0)
        return -1;
    if (r > 0) {
        const char *key;
        json_t *val;
        s->annotations = xzalloc(json_object_size(o) * sizeof(struct spec_kv));
        json_object_foreach(o, key, val)
        {
            if (jval_str(c, JP_K(JP_K(NULL, "annotations"), key), val,
                         &s->annotations[s->nannotations].value) < 0)
                return -1;
            s->annotations[s->nannotations++].key = key;
        }
    }
    if ((r = jget_obj(c, NULL, root, "linux", &o)) < 0)
        return -1;
    if (r > 0) {
        s->has_linux = true;
        if (parse_linux(c, JP_K(NULL, "linux"), o, &s->linux_) < 0)
            return -1;
    }
    return 0;
}

/* Rules that involve more than one field. */
static int check_cross(const struct jctx *c, struct spec *s)
{
    struct spec_linux *l = &s->linux_;
    if (s->hostname && *s->hostname && !l->ns[NS_UTS].want)
        return jfail(c, JP_K(NULL, "hostname"), "requires a new UTS namespace");
    if (s->domainname && *s->domainname && !l->ns[NS_UTS].want)
        return jfail(c, JP_K(NULL, "domainname"), "requires a new UTS namespace");
    bool userns = l->ns[NS_USER].want;
    if ((l->n_uid_mappings || l->n_gid_mappings) && !userns)
        return jfail(c, JP_K(JP_K(NULL, "linux"), "uidMappings"),
                     "mappings are given but there is no user namespace");
    if (userns && !l->ns[NS_USER].path && (!l->n_uid_mappings || !l->n_gid_mappings))
        return jfail(c,
                     JP_K(JP_K(NULL, "linux"), l->n_uid_mappings ? "gidMappings" : "uidMappings"),
                     "a new user namespace needs both uidMappings and gidMappings");
    if (userns && l->ns[NS_USER].path && (l->n_uid_mappings || l->n_gid_mappings))
        return jfail(c, JP_K(JP_K(NULL, "linux"), "uidMappings"),
                     "must not be set when joining an existing user namespace");
    for (int t = 0; t < 2; t++)
        if (l->time_offsets[t].has && (!l->ns[NS_TIME].want || l->ns[NS_TIME].path))
            return jfail(c, JP_K(JP_K(NULL, "linux"), "timeOffsets"),
                         "requires a new time namespace");
    return 0;
}

int spec_parse(const char *text, size_t len, const char *file, struct spec **out, merr_t *err)
{
    struct jctx c = {err, file};
    json_t *root = jload(&c, text, len);
    if (!root)
        return -1;
    struct spec *s = xzalloc(sizeof(*s));
    s->json = root;
    if (parse_top(&c, root, s) < 0 || check_cross(&c, s) < 0) {
        spec_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int spec_read_file(const char *path, char **text, size_t *len, merr_t *err)
{
    /* looked at before it is opened: opening a device can act (a watchdog
     * starts, a tape rewinds), and O_NONBLOCK keeps a FIFO from holding
     * up the open should it be swapped in */
    cleanup_close int pfd = open(path, O_PATH | O_CLOEXEC);
    struct stat st;
    if (pfd < 0 || fstat(pfd, &st) < 0)
        return err_sys(err, "open %s", path);
    if (!S_ISREG(st.st_mode))
        return err_set(err, 0, "%s: not a regular file", path);
    cleanup_free char *self = xasprintf("/proc/self/fd/%d", pfd);
    cleanup_close int fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) /* no /proc */
        fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return err_sys(err, "open %s", path);
    if (read_regular_fd(fd, JLOAD_MAX, text, len) == 0)
        return 0;
    if (errno == EINVAL)
        return err_set(err, 0, "%s: not a regular file", path);
    if (errno == EFBIG)
        return err_set(err, 0, "%s: larger than %d MiB", path, JLOAD_MAX >> 20);
    return err_sys(err, "read %s", path);
}

int spec_load(const char *path, struct spec **out, merr_t *err)
{
    cleanup_free char *text = NULL;
    size_t len;
    if (spec_read_file(path, &text, &len, err) < 0)
        return -1;
    const char *base = strrchr(path, '/');
    return spec_parse(text, len, base ? base + 1 : path, out, err);
}

void spec_process_free(struct spec_process *p)
{
    free_landlock(p->landlock);
    free(p->args);
    free(p->env);
    free(p->user.gids);
    free(p->rlimits);
    memset(p, 0, sizeof(*p));
}

void spec_free(struct spec *s)
{
    if (!s)
        return;
    spec_process_free(&s->process);
    for (size_t i = 0; i < s->nmounts; i++)
        free_mount(&s->mounts[i]);
    free(s->mounts);
    for (int k = 0; k < HOOK_N; k++) {
        for (size_t i = 0; i < s->nhooks[k]; i++) {
            free(s->hooks[k][i].args);
            free(s->hooks[k][i].env);
        }
        free(s->hooks[k]);
    }
    free(s->annotations);
    free_linux(&s->linux_);
    json_decref(s->json);
    free(s);
}

int spec_parse_process_json(const char *text, size_t len, const char *file, struct spec_process *p,
                            json_t **keep, merr_t *err)
{
    struct jctx c = {err, file};
    json_t *root = jload(&c, text, len);
    if (!root)
        return -1;
    if (parse_process(&c, NULL, root, p) < 0) {
        spec_process_free(p);
        json_decref(root);
        return -1;
    }
    *keep = root;
    return 0;
}

int spec_parse_resources_json(const char *text, size_t len, const char *file,
                              struct spec_resources *r, json_t **keep, merr_t *err)
{
    struct jctx c = {err, file};
    json_t *root = jload(&c, text, len);
    if (!root)
        return -1;
    if (parse_resources(&c, NULL, root, r) < 0) {
        spec_resources_free(r);
        json_decref(root);
        return -1;
    }
    *keep = root;
    return 0;
}

bool spec_host_ptrace(const struct spec *s, const struct spec_process *p)
{
    /* a user namespace of its own: its capabilities are not the host's (one
     * joined by path could be the host's) */
    const struct spec_ns *user = &s->linux_.ns[NS_USER];
    if (user->want && !user->path)
        return false;
    uint64_t any = 0;
    for (int i = 0; i < CAPSET_N; i++)
        if (p->has_caps && p->caps.has[i])
            any |= p->caps.set[i];
    return (any >> CAP_SYS_PTRACE) & 1;
}

/* ctr_config.c: container record and config.json (see ctr_config.h). */
#include "ctr_config.h"
#include "ctr_extras.h"
#include "ctr_ns.h"
#include "ctr_res.h"
#include "ctr.h"
#include "tinit.h"
#include "../kernel/caps.h"
#include "../kernel/lsm.h"
#include "../kernel/mount.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void run_opts_init(struct run_opts *o)
{
    memset(o, 0, sizeof(*o));
    profile_defaults(&o->po);
    log_limits_init(&o->log);
    o->stop_timeout = INT64_MIN;
    o->oom_score_adj = INT64_MIN;
    o->attach = (struct attach_opts){.out = true, .err = true, .sig_proxy = true};
    keyseq_parse(NULL, &o->attach.keys, NULL);
}

void run_opts_free(struct run_opts *o)
{
    strv_free(o->env);
    strv_free(o->binds);
    for (size_t i = 0; i < o->nmounts; i++)
        mount_req_free(&o->mounts[i]);
    free(o->mounts);
    strv_free(o->tmpfs);
    strv_free(o->ulimits);
    strv_free(o->cmd);
    strv_free(o->labels);
    strv_free(o->group_add);
    strv_free(o->sysctls);
    json_decref(o->hc);
    json_decref(o->port_bindings);
    json_decref(o->exposed);
    json_decref(o->endpoint);
    strv_free(o->volumes_from);
    strv_free(o->annotations);
    strv_free(o->entry_argv);
    strv_free(o->health_test);
    json_decref(o->keep);
    memset(o, 0, sizeof(*o));
}

void run_opts_add_mount(struct run_opts *o, struct mount_req *m)
{
    o->mounts = xrealloc(o->mounts, (o->nmounts + 1) * sizeof(*m));
    o->mounts[o->nmounts++] = *m;
    memset(m, 0, sizeof(*m));
}

json_t *ctr_strv_json(char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* KEY=VALUE entries, later ones replacing earlier ones with the same KEY;
 * a bare KEY takes moat's own value only when the user wrote it (-e KEY):
 * an image must not read the host's environment that way */
static void env_set(json_t *env, const char *kv, bool from_user)
{
    const char *eq = strchr(kv, '=');
    size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
    cleanup_free char *full = NULL;
    if (!eq && !from_user)
        return;
    if (!eq) { /* -e KEY: moat's own value, or nothing */
        cleanup_free char *k = xstrndup(kv, kl);
        const char *v = getenv(k);
        if (!v)
            return;
        full = xasprintf("%s=%s", k, v);
        kv = full;
    }
    for (size_t i = 0; i < json_array_size(env); i++) {
        const char *e = json_string_value(json_array_get(env, i));
        if (e && strncmp(e, kv, kl) == 0 && e[kl] == '=') {
            json_array_set_new(env, i, json_string(kv));
            return;
        }
    }
    json_array_append_new(env, json_string(kv));
}

static int add_ulimit(json_t *rl, const char *spec, merr_t *err);

/* A hostname the kernel takes and /etc/hosts cannot be fooled by: letters,
 * digits, '-', '.', '_', at most 63, starting with a letter or digit. */
static int check_hostname(const char *h, merr_t *err)
{
    size_t l = strlen(h);
    if (l == 0 || l > 63 ||
        strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != l ||
        !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", h[0]))
        return err_set(err, 0,
                       "--hostname \"%.64s%s\": letters, digits, '-', '.' and '_', at most 63, "
                       "starting with a letter or digit",
                       h, l > 64 ? "..." : "");
    return 0;
}

/* Everything that can be checked before the container exists is checked
 * here, so that a refused run or create leaves no record behind. */
static int validate_opts(const struct run_opts *o, merr_t *err)
{
    if (o->apparmor && strcmp(o->apparmor, "unconfined") != 0 && !lsm_apparmor_enabled())
        return err_set(err, 0, "--security-opt apparmor=%s: AppArmor is not enabled on this host",
                       o->apparmor);
    if (o->hostname && check_hostname(o->hostname, err) < 0)
        return -1;
    if (o->po.memory >= 0 && o->po.memory < (6 << 20))
        return err_set(err, 0, "--memory: the minimum is 6MB");
    const char *iso = json_string_value(json_object_get(o->hc, "Isolation"));
    if (iso && !strcmp(iso, "vm") && (o->privileged || o->userns_host))
        return err_set(err, 0,
                       "--isolation vm: its VM runs as the container's unprivileged user; it "
                       "cannot be --privileged or --userns host");
    json_t *rl = json_array();
    for (size_t i = 0; o->ulimits && o->ulimits[i]; i++)
        if (add_ulimit(rl, o->ulimits[i], err) < 0) {
            json_decref(rl);
            return -1;
        }
    json_decref(rl);
    for (size_t i = 0; o->tmpfs && o->tmpfs[i]; i++) {
        char *dst = NULL;
        json_t *opts = ctr_tmpfs_options(o->tmpfs[i], &dst, err);
        free(dst);
        if (!opts)
            return -1;
        json_decref(opts);
    }
    return 0;
}

/* the image's labels, then --label KEY=VALUE over them */
static json_t *labels_json(json_t *ic, char **labels)
{
    json_t *l = json_is_object(json_object_get(ic, "Labels"))
                    ? json_deep_copy(json_object_get(ic, "Labels"))
                    : json_object();
    json_t *given = ctr_kv_object(labels);
    json_object_update(l, given);
    json_decref(given);
    return l;
}

/* the record's Mounts: -v and --mount, the image's VOLUMEs, --volumes-from */
static json_t *record_mounts(struct store *s, const struct run_opts *o, json_t *ic, json_t *layers,
                             const char *user, merr_t *err)
{
    size_t nall = 0;
    struct mount_req *all =
        ctr_image_volumes(json_object_get(ic, "Volumes"), o->mounts, o->nmounts, &nall, err);
    json_t *mounts = !all || ctr_check_user_layers(s, layers, user, err) < 0
                         ? NULL
                         : ctr_mounts_record(s, all, nall, o->allow_sensitive, err);
    for (size_t i = o->nmounts; all && i < nall; i++)
        mount_req_free(&all[i]);
    free(all);
    if (mounts && ctr_volumes_from(s, o->volumes_from, mounts, err) < 0) {
        json_decref(mounts);
        mounts = NULL;
    }
    return mounts;
}

json_t *ctr_record(struct store *s, const struct run_opts *o, const char *id, const char *name,
                   const char *image_id, json_t *image_config, json_t *layers, uint64_t userns,
                   merr_t *err)
{
    if (validate_opts(o, err) < 0)
        return NULL;
    json_t *ic = json_object_get(image_config, "config");
    /* command: entrypoint + (arguments, or the image's Cmd) */
    json_t *entry = o->entry_argv ? ctr_strv_json(o->entry_argv)
                    : o->entrypoint
                        ? (*o->entrypoint ? json_pack("[s]", o->entrypoint) : json_array())
                        : json_deep_copy(json_object_get(ic, "Entrypoint"));
    if (!json_is_array(entry)) {
        json_decref(entry);
        entry = json_array();
    }
    json_t *cmd = o->cmd && o->cmd[0]              ? ctr_strv_json(o->cmd)
                  : o->entrypoint || o->entry_argv ? json_array()
                                                   : json_deep_copy(json_object_get(ic, "Cmd"));
    if (!json_is_array(cmd)) {
        json_decref(cmd);
        cmd = json_array();
    }
    json_t *args = json_deep_copy(entry);
    json_array_extend(args, cmd);
    if (!json_array_size(args)) {
        json_decref(entry);
        json_decref(cmd);
        json_decref(args);
        err_set(err, 0,
                "no command: the image has neither Entrypoint nor Cmd; give one after "
                "the image name");
        return NULL;
    }
    json_t *env = json_array();
    json_t *ie = json_object_get(ic, "Env");
    for (size_t i = 0; i < json_array_size(ie); i++)
        if (json_is_string(json_array_get(ie, i)))
            env_set(env, json_string_value(json_array_get(ie, i)), false);
    bool has_path = false;
    for (size_t i = 0; i < json_array_size(env); i++)
        has_path = has_path || !strncmp(json_string_value(json_array_get(env, i)), "PATH=", 5);
    if (!has_path)
        env_set(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", false);
    cleanup_free char *hostname = xstrndup(id, 12);
    cleanup_free char *h = xasprintf("HOSTNAME=%s", o->hostname ? o->hostname : hostname);
    env_set(env, h, false);
    if (o->tty)
        env_set(env, "TERM=xterm", false);
    for (size_t i = 0; o->env && o->env[i]; i++)
        env_set(env, o->env[i], true);
    const char *user = o->user ? o->user : json_string_value(json_object_get(ic, "User"));
    json_t *mounts = record_mounts(s, o, ic, layers, user, err);
    if (!mounts) {
        json_decref(env);
        json_decref(entry);
        json_decref(cmd);
        json_decref(args);
        return NULL;
    }
    json_t *binds = ctr_strv_json(o->binds);
    const char *wd = o->workdir ? o->workdir : json_string_value(json_object_get(ic, "WorkingDir"));
    const char *stopsig =
        o->stop_signal ? o->stop_signal : json_string_value(json_object_get(ic, "StopSignal"));
    cleanup_free char *now = ctr_now();
    /* --cap-add ALL: every capability this kernel has */
    json_t *caps = json_pack("{s:I,s:I}", "Add",
                             (json_int_t)(o->po.cap_add & (~0ULL >> (63 - cap_last_cap()))), "Drop",
                             (json_int_t)o->po.cap_drop);
    json_t *rec = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:O,s:I,s:O,s:o,"
        "s:{s:s,s:s,s:o,s:o,s:o,s:s,s:b,s:b,s:s,s:s},"
        "s:{s:b,s:b,s:b,s:o,s:o,s:s,s:s,s:I,s:f,s:I,s:o,s:s*,s:b,s:o,s:b,s:b,s:s*},"
        "s:{s:s,s:b,s:i,s:i,s:s,s:s,s:s}}",
        "Id", id, "Name", name, "Created", now, "Image", image_id, "ImageName", o->image, "Layers",
        layers, "UsernsBase", (json_int_t)(o->userns_host || o->privileged ? 0 : userns), "Args",
        args, "Mounts", mounts, "Config", "Hostname", o->hostname ? o->hostname : hostname, "User",
        user ? user : "", "Env", env, "Cmd", cmd, "Entrypoint", json_deep_copy(entry), "WorkingDir",
        wd && *wd ? wd : "/", "Tty", o->tty, "OpenStdin", o->interactive, "Image", o->image,
        "StopSignal", stopsig ? stopsig : "SIGTERM", "HostConfig", "AutoRemove", o->rm,
        "ReadonlyRootfs", o->read_only, "Privileged", o->privileged, "Binds", binds, "Tmpfs",
        ctr_strv_json(o->tmpfs), "NetworkMode", o->net_host ? "host" : "none", "UsernsMode",
        o->userns_host || o->privileged ? "host" : "private", "Memory", (json_int_t)o->po.memory,
        "Cpus", o->cpus, "PidsLimit", (json_int_t)o->po.pids, "Capabilities", caps, "Seccomp",
        o->po.seccomp, "NoLandlock", o->po.no_landlock, "Ulimits", ctr_strv_json(o->ulimits),
        "SensitiveMounts", o->allow_sensitive, "Init", o->init, "AppArmor", o->apparmor, "State",
        "Status", "created", "Running", 0, "Pid", 0, "ExitCode", 0, "StartedAt",
        "0001-01-01T00:00:00Z", "FinishedAt", "0001-01-01T00:00:00Z", "Error", "");
    json_decref(entry);
    json_decref(args);
    if (!rec) {
        err_set(err, 0, "internal error: cannot build the container record");
        return NULL;
    }
    json_object_set_new(json_object_get(rec, "HostConfig"), "LogConfig", log_config_json(&o->log));
    json_object_set_new(json_object_get(rec, "Config"), "Labels", labels_json(ic, o->labels));
    json_object_set_new(json_object_get(rec, "Config"), "StdinOnce",
                        json_boolean(o->stdin_once && o->interactive));
    if (o->stop_timeout != INT64_MIN)
        json_object_set_new(json_object_get(rec, "Config"), "StopTimeout",
                            json_integer((json_int_t)o->stop_timeout));
    ctr_extras_record(rec, o);
    if (o->owner)
        json_object_set_new(rec, "Owner", json_string(o->owner));
    if (ctr_health_record(rec, ic, o, err) < 0) {
        json_decref(rec);
        return NULL;
    }
    if (o->po.seccomp && strcmp(o->po.seccomp, "unconfined") != 0 && !o->privileged) {
        /* read once, here: what runs at every start is this copy */
        uint64_t held = (profile_default_caps() & ~o->po.cap_drop) | o->po.cap_add;
        json_t *sc = seccomp_profile_load(o->po.seccomp, held, err);
        if (!sc) {
            json_decref(rec);
            return NULL;
        }
        json_object_set_new(json_object_get(rec, "HostConfig"), "SeccompProfile", sc);
    }
    return rec;
}

/* ---- config.json ---- */

static const char *const rlimit_names[] = {
    "cpu",     "fsize", "data",  "stack",      "core",     "rss",  "nproc",  "nofile",
    "memlock", "as",    "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};

static int add_ulimit(json_t *rl, const char *spec, merr_t *err)
{
    cleanup_free char *b = xstrdup(spec);
    char *eq = strchr(b, '=');
    if (!eq)
        return err_set(err, 0, "--ulimit \"%s\": expected NAME=SOFT[:HARD]", spec);
    *eq = 0;
    bool known = false;
    for (size_t i = 0; i < ARRAY_SIZE(rlimit_names) && !known; i++)
        known = strcmp(b, rlimit_names[i]) == 0;
    char *hard = strchr(eq + 1, ':');
    if (hard)
        *hard++ = 0;
    uint64_t s, h;
    /* the runtime takes them as JSON integers: at most INT64_MAX */
    if (!known || parse_u64(eq + 1, &s) < 0 || parse_u64(hard ? hard : eq + 1, &h) < 0 || s > h ||
        h > (uint64_t)INT64_MAX)
        return err_set(err, 0, "--ulimit \"%s\": unknown limit or bad values", spec);
    cleanup_free char *type = xasprintf("RLIMIT_%s", b);
    for (char *p = type; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    for (size_t i = 0; i < json_array_size(rl); i++) {
        json_t *e = json_array_get(rl, i);
        if (strcmp(json_string_value(json_object_get(e, "type")) ?: "", type) == 0) {
            json_array_remove(rl, i);
            break;
        }
    }
    json_array_append_new(
        rl, json_pack("{s:s,s:I,s:I}", "type", type, "soft", (json_int_t)s, "hard", (json_int_t)h));
    return 0;
}

static json_t *bind(const char *src, const char *dst, bool ro)
{
    return json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", dst, "type", "bind", "source", src,
                     "options", "rbind", ro ? "ro" : "rw", "nosuid", "nodev");
}

/* no PT_INTERP: it runs without a dynamic loader or libraries */
static bool static_binary(const char *path)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    Elf64_Ehdr eh;
    if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
            (ssize_t)sizeof(ph))
            return false;
        if (ph.p_type == PT_INTERP)
            return false;
    }
    return true;
}

/* --init: moat itself, read-only, as pid 1 in front of the command */
static int add_init(json_t *c, json_t *proc, json_t *rec, merr_t *err)
{
    /* moat itself, read-only, as pid 1 in front of the command */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        return err_sys(err, "--init: /proc/self/exe");
    }
    self[n] = 0;
    if (!static_binary(self)) {
        return err_set(err, 0,
                       "--init: %s is dynamically linked and would not run inside the "
                       "container; --init needs the static build",
                       self);
    }
    json_t *a = json_pack("[s,s]", TINIT_PATH, "--");
    json_array_extend(a, json_object_get(rec, "Args"));
    json_object_set_new(proc, "args", a);
    json_array_append_new(json_object_get(c, "mounts"),
                          json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", TINIT_PATH, "type",
                                    "bind", "source", self, "options", "bind", "ro", "nosuid",
                                    "nodev"));
    return 0;
}

/* the user namespace (the range the layers are idmapped with), the
 * network namespace unless --network host, the cgroup and its cpu quota */
static void set_isolation(json_t *lin, json_t *hc, json_int_t base, const char *id)
{
    json_t *ns = json_object_get(lin, "namespaces");
    if (base > 0) {
        json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
        json_t *m =
            json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID", base, "size", CTR_USERNS_SIZE);
        json_object_set(lin, "uidMappings", m);
        json_object_set_new(lin, "gidMappings", m);
    }
    if (strcmp(json_string_value(json_object_get(hc, "NetworkMode")) ?: "", "host") == 0)
        for (size_t i = 0; i < json_array_size(ns); i++)
            if (strcmp(json_string_value(json_object_get(json_array_get(ns, i), "type")) ?: "",
                       "network") == 0) {
                json_array_remove(ns, i);
                break;
            }
    /* absolute, as Docker's /docker/ID: the same directory in every
     * hierarchy, wherever moat itself runs (and a short intent record) */
    json_object_set_new(lin, "cgroupsPath", json_sprintf("/moat/%s", id));
    double cpus = json_real_value(json_object_get(hc, "Cpus"));
    json_t *res = json_object_get(lin, "resources");
    if (cpus > 0 && res)
        json_object_set_new(res, "cpu",
                            json_pack("{s:I,s:I}", "quota", (json_int_t)(cpus * 100000), "period",
                                      (json_int_t)100000));
}

/* --tmpfs mounts, writable under Landlock too */
static int add_tmpfs(json_t *mounts, json_t *rw_paths, json_t *tm, merr_t *err)
{
    for (size_t i = 0; i < json_array_size(tm); i++) {
        char *dst = NULL;
        json_t *opts = ctr_tmpfs_options(json_string_value(json_array_get(tm, i)) ?: "", &dst, err);
        if (!opts) {
            return -1;
        }
        json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:o}", "destination", dst, "type",
                                                "tmpfs", "source", "tmpfs", "options", opts));
        if (rw_paths)
            json_array_append_new(rw_paths, json_string(dst));
        free(dst);
    }
    return 0;
}

json_t *ctr_oci_config(struct store *s, const char *id, json_t *rec, int rootfd, int **fds,
                       size_t *nfds, merr_t *err)
{
    *fds = NULL;
    *nfds = 0;
    json_t *hc = json_object_get(rec, "HostConfig"), *cc = json_object_get(rec, "Config");
    struct profile_opts po;
    profile_defaults(&po);
    json_t *caps = json_object_get(hc, "Capabilities");
    po.cap_add = (uint64_t)json_integer_value(json_object_get(caps, "Add"));
    po.cap_drop = (uint64_t)json_integer_value(json_object_get(caps, "Drop"));
    po.seccomp = json_string_value(json_object_get(hc, "Seccomp"));
    /* a profile file was read once, at create: never again */
    po.seccomp_resolved = json_object_get(hc, "SeccompProfile");
    if (po.seccomp && strcmp(po.seccomp, "unconfined") != 0 && !po.seccomp_resolved &&
        !json_is_true(json_object_get(hc, "Privileged")))
        return err_set(err, 0,
                       "the container was made by an older moat that read its seccomp profile "
                       "at every start; remove it and create it again"),
               NULL;
    po.no_landlock = json_is_true(json_object_get(hc, "NoLandlock"));
    po.userns_host = true; /* the engine writes its own mapping below */
    po.memory = json_integer_value(json_object_get(hc, "Memory"));
    po.pids = json_integer_value(json_object_get(hc, "PidsLimit"));
    po.writable_root = !json_is_true(json_object_get(hc, "ReadonlyRootfs"));
    po.privileged = json_is_true(json_object_get(hc, "Privileged"));
    json_t *c = profile_config(&po, err);
    if (!c)
        return NULL;
    uint64_t uid, gid;
    if (ctr_resolve_user(rootfd, json_string_value(json_object_get(cc, "User")), &uid, &gid, err) <
        0) {
        json_decref(c);
        return NULL;
    }
    json_t *proc = json_object_get(c, "process"), *lin = json_object_get(c, "linux");
    json_object_set(proc, "args", json_object_get(rec, "Args"));
    const char *aa = json_string_value(json_object_get(hc, "AppArmor"));
    if (aa && strcmp(aa, "unconfined") == 0)
        json_object_del(proc, "apparmorProfile");
    else if (aa)
        json_object_set_new(proc, "apparmorProfile", json_string(aa));
    if (json_is_true(json_object_get(hc, "Init")) && add_init(c, proc, rec, err) < 0) {
        json_decref(c);
        return NULL;
    }
    json_object_set(proc, "env", json_object_get(cc, "Env"));
    json_object_set(proc, "cwd", json_object_get(cc, "WorkingDir"));
    json_object_set_new(proc, "terminal", json_boolean(json_is_true(json_object_get(cc, "Tty"))));
    json_object_set_new(proc, "user",
                        json_pack("{s:I,s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid));
    json_t *rl = json_object_get(proc, "rlimits");
    json_t *ul = json_object_get(hc, "Ulimits");
    for (size_t i = 0; i < json_array_size(ul); i++)
        if (add_ulimit(rl, json_string_value(json_array_get(ul, i)) ?: "", err) < 0) {
            json_decref(c);
            return NULL;
        }
    json_object_set_new(c, "root",
                        json_pack("{s:o,s:b}", "path",
                                  json_sprintf("%s/containers/%s/rootfs", s->root, id), "readonly",
                                  !po.writable_root && !po.privileged));
    json_object_set(c, "hostname", json_object_get(cc, "Hostname"));
    json_int_t base = json_integer_value(json_object_get(rec, "UsernsBase"));
    set_isolation(lin, hc, base, id);
    /* mounts: /etc/hosts and /etc/hostname, volumes, tmpfs */
    json_t *mounts = json_object_get(c, "mounts");
    /* with --network container:ID, that container's hosts and resolv.conf */
    const char *nm = json_string_value(json_object_get(hc, "NetworkMode")) ?: "";
    const char *files = strncmp(nm, "container:", 10) == 0 ? nm + 10 : id;
    cleanup_free char *hosts = xasprintf("%s/containers/%s/hosts", s->root, files);
    cleanup_free char *resolv = xasprintf("%s/containers/%s/resolv.conf", s->root, files);
    cleanup_free char *hn = xasprintf("%s/containers/%s/hostname", s->root, id);
    json_array_append_new(mounts, bind(hosts, "/etc/hosts", false));
    json_array_append_new(mounts, bind(hn, "/etc/hostname", false));
    if (strcmp(nm, "host") == 0)
        json_array_append_new(mounts, bind("/etc/resolv.conf", "/etc/resolv.conf", true));
    else if (faccessat(s->fd, resolv + strlen(s->root) + 1, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        json_array_append_new(mounts, bind(resolv, "/etc/resolv.conf", false));
    /* writable mounts are writable under Landlock too (the profile's third
     * rule lists the read-write places) */
    json_t *rules =
        json_object_get(json_object_get(json_object_get(proc, "landlock"), "rules"), "pathBeneath");
    json_t *rw_paths = json_object_get(json_array_get(rules, 2), "paths");
    struct ctr_ids ids = {(uint64_t)base, uid, gid};
    json_t *legacy = json_object_get(hc, "Binds");
    if (!json_object_get(rec, "Mounts") && json_array_size(legacy)) {
        json_decref(c);
        err_set(err, 0,
                "the container was made by an older moat that did not pin its bind sources; "
                "remove it and create it again");
        return NULL;
    }
    if (ctr_mounts_oci(s, rec, mounts, rw_paths, &ids, fds, nfds, err) < 0) {
        json_decref(c);
        ctr_mounts_close(*fds, *nfds);
        *fds = NULL;
        *nfds = 0;
        return NULL;
    }
    if (add_tmpfs(mounts, rw_paths, json_object_get(hc, "Tmpfs"), err) < 0) {
        json_decref(c);
        ctr_mounts_close(*fds, *nfds);
        *fds = NULL;
        *nfds = 0;
        return NULL;
    }
    if (ctr_extras_oci(c, rec, rootfd, err) < 0 || ctr_res_oci(c, hc, id, err) < 0 ||
        ctr_ns_oci(s, c, hc, err) < 0) {
        json_decref(c);
        ctr_mounts_close(*fds, *nfds);
        *fds = NULL;
        *nfds = 0;
        return NULL;
    }
    json_t *ann = json_object_get(c, "annotations");
    json_object_set_new(ann, "run.moat.engine.name",
                        json_string(json_string_value(json_object_get(rec, "Name")) ?: ""));
    json_object_set_new(ann, "run.moat.engine.image",
                        json_string(json_string_value(json_object_get(rec, "ImageName")) ?: ""));
    return c;
}

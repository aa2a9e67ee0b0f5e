#include "cgroup.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const v1_known[] = {"cpu",     "cpuacct", "cpuset",   "memory", "devices",
                                       "freezer", "net_cls", "net_prio", "blkio",  "perf_event",
                                       "hugetlb", "pids",    "rdma",     "misc"};

const char *cg_mode_name(enum cg_mode m)
{
    switch (m) {
    case CG_V1:
        return "v1";
    case CG_V2:
        return "v2";
    case CG_HYBRID:
        return "hybrid";
    default:
        return "none";
    }
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct" (controllers and name=) */
static char *v1_controllers(const char *superopts)
{
    struct sbuf b = {0};
    cleanup_free char *copy = xstrdup(superopts);
    char *save = NULL;
    for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        bool keep = strncmp(o, "name=", 5) == 0;
        for (size_t i = 0; !keep && i < ARRAY_SIZE(v1_known); i++)
            keep = strcmp(o, v1_known[i]) == 0;
        if (keep) {
            if (b.len)
                sbuf_puts(&b, ",");
            sbuf_puts(&b, o);
        }
    }
    return sbuf_steal(&b);
}

static bool list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        const char *e = p + strcspn(p, ", \n");
        if ((size_t)(e - p) == n && strncmp(p, item, n) == 0)
            return true;
        p = *e ? e + 1 : e;
    }
    return false;
}

/* octal escapes in mountinfo (\040 for space) */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
            *o++ = (char)(((unsigned)(p[1] - '0') << 6) | ((unsigned)(p[2] - '0') << 3) |
                          (unsigned)(p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

static void add_hier(struct cg_host *host, const char *mnt, const char *root, char *ctrls, bool v2)
{
    for (size_t i = 0; i < host->n; i++)
        if (host->h[i].v2 == v2 && strcmp(host->h[i].ctrls, ctrls) == 0) {
            free(ctrls); /* same hierarchy mounted twice: keep the first */
            return;
        }
    host->h = xrealloc(host->h, (host->n + 1) * sizeof(struct cg_hier));
    struct cg_hier *h = &host->h[host->n++];
    h->mnt = xstrdup(mnt);
    h->root = xstrdup(root);
    h->ctrls = ctrls;
    h->own = NULL;
    h->v2 = v2;
}

int cg_detect(struct cg_host *host, merr_t *err)
{
    memset(host, 0, sizeof(*host));
    cleanup_free char *mi = NULL, *self = NULL;
    if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, err) < 0 ||
        read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err) < 0)
        return -1;
    char *save = NULL;
    bool v2_primary = false;
    for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
        char *f[6] = {0};
        char *p = line;
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, ' ');
            if (p)
                *p++ = 0;
        }
        char *dash = p ? strstr(p, " - ") : NULL;
        if (!dash && p && strncmp(p, "- ", 2) == 0)
            dash = p - 1;
        if (!f[4] || !dash)
            continue;
        char *fstype = dash + 3;
        char *src = strchr(fstype, ' ');
        if (!src)
            continue;
        *src++ = 0;
        char *sopts = strchr(src, ' ');
        if (!sopts)
            continue;
        *sopts++ = 0;
        unescape(f[3]);
        unescape(f[4]);
        if (strcmp(fstype, "cgroup2") == 0) {
            char *ctrl = NULL;
            cleanup_free char *cpath = xasprintf("%s/cgroup.controllers", f[4]);
            if (read_file_at(AT_FDCWD, cpath, &ctrl, NULL, NULL) < 0)
                ctrl = xstrdup("");
            for (char *q = ctrl; *q; q++)
                if (*q == '\n')
                    *q = 0;
            add_hier(host, f[4], f[3], ctrl, true);
            if (strcmp(f[4], "/sys/fs/cgroup") == 0)
                v2_primary = true;
        } else if (strcmp(fstype, "cgroup") == 0) {
            char *ctrls = v1_controllers(sopts);
            if (!*ctrls) {
                free(ctrls);
                continue;
            }
            add_hier(host, f[4], f[3], ctrls, false);
        }
    }
    /* our own cgroup in each hierarchy: "id:controllers:path" */
    save = NULL;
    for (char *line = strtok_r(self, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = 0;
        const char *ctrls = c1 + 1, *path = c2 + 1;
        for (size_t i = 0; i < host->n; i++) {
            struct cg_hier *h = &host->h[i];
            bool match = h->v2 ? *ctrls == 0 : strcmp(h->ctrls, ctrls) == 0;
            if (match && !h->own)
                h->own = xstrdup(path);
        }
    }
    size_t nv1 = 0, nv2 = 0;
    for (size_t i = 0; i < host->n; i++) {
        if (!host->h[i].own)
            host->h[i].own = xstrdup("/");
        if (host->h[i].v2)
            nv2++;
        else
            nv1++;
    }
    if (nv1 && nv2)
        host->mode = v2_primary ? CG_V2 : CG_HYBRID;
    else if (nv1)
        host->mode = CG_V1;
    else if (nv2)
        host->mode = CG_V2;
    else
        host->mode = CG_NONE;
    return 0;
}

void cg_host_free(struct cg_host *host)
{
    for (size_t i = 0; i < host->n; i++) {
        free(host->h[i].mnt);
        free(host->h[i].root);
        free(host->h[i].ctrls);
        free(host->h[i].own);
    }
    free(host->h);
    memset(host, 0, sizeof(*host));
}

/* Path of cgroup `cg` (absolute in the hierarchy) on the filesystem. */
static char *hier_path(const struct cg_hier *h, const char *cgpath)
{
    const char *rel = cgpath;
    size_t rl = strlen(h->root);
    /* the mount shows only h->root and below */
    if (strcmp(h->root, "/") != 0 && strncmp(cgpath, h->root, rl) == 0)
        rel = cgpath + rl;
    return xasprintf("%s%s%s", h->mnt, *rel == '/' ? "" : "/", rel);
}

static int copy_cpuset_from_parent(const char *dir)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < 2; i++) {
        cleanup_free char *mine = xasprintf("%s/%s", dir, files[i]);
        cleanup_free char *parent = xasprintf("%s/../%s", dir, files[i]);
        char *v = NULL;
        if (read_file_at(AT_FDCWD, mine, &v, NULL, NULL) == 0 && v[0] && v[0] != '\n') {
            free(v);
            continue;
        }
        free(v);
        v = NULL;
        if (read_file_at(AT_FDCWD, parent, &v, NULL, NULL) < 0)
            return -1;
        int r = write_file_at(AT_FDCWD, mine, v, strlen(v), NULL);
        free(v);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* A new v1 cpuset is empty and cannot take tasks: fill every empty level
 * from its parent, and let the parent pass its cpus and mems on to the
 * children made later (cgroup.clone_children). */
static void init_cpuset(const struct cg_hier *h, const char *dir)
{
    cleanup_free char *lvl = xstrdup(dir);
    size_t base = strlen(h->mnt);
    for (char *q = lvl + base + 1;; q++) {
        if (*q != '/' && *q != 0)
            continue;
        char saved = *q;
        *q = 0;
        if (copy_cpuset_from_parent(lvl) < 0)
            log_debug("cgroup: cannot initialise cpuset of %s", lvl);
        if (saved) {
            cleanup_free char *cc = xasprintf("%s/cgroup.clone_children", lvl);
            (void)write_file_at(AT_FDCWD, cc, "1", 1, NULL);
        }
        *q = saved;
        if (!saved)
            break;
    }
}

/* Enable the v2 controllers available at each level from the hierarchy
 * root down to dir's parent. */
static void v2_enable_controllers(const struct cg_hier *h, const char *dir)
{
    if (!h->ctrls[strspn(h->ctrls, " ")])
        return; /* none at the top, none below: a hybrid host's unified */
    cleanup_free char *copy = xstrdup(dir);
    size_t base = strlen(h->mnt);
    for (char *p = copy + base;; p++) {
        char saved = *p;
        if (*p != '/' && *p != 0)
            continue;
        *p = 0;
        if (strlen(copy) >= base && strcmp(copy, dir) != 0) {
            cleanup_free char *cpath = xasprintf("%s/cgroup.controllers", copy);
            cleanup_free char *spath = xasprintf("%s/cgroup.subtree_control", copy);
            char *avail = NULL, *on = NULL;
            if (read_file_at(AT_FDCWD, cpath, &avail, NULL, NULL) == 0 &&
                avail[strspn(avail, " \n")]) {
                if (read_file_at(AT_FDCWD, spath, &on, NULL, NULL) < 0)
                    on = NULL;
                char *save = NULL;
                for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
                    if (on && list_has(on, c))
                        continue;
                    cleanup_free char *plus = xasprintf("+%s", c);
                    if (write_file_at(AT_FDCWD, spath, plus, strlen(plus), NULL) < 0)
                        log_debug("cgroup: enable %s in %s: %s", c, copy, strerror(errno));
                }
                free(on);
            }
            free(avail);
        }
        *p = saved;
        if (saved == 0)
            break;
    }
}

static bool wanted(const struct cg_host *host, const struct cg_hier *h, const char *const *needed)
{
    if (!needed || h->v2)
        return true;
    if (host->mode == CG_V1 && list_has(h->ctrls, "freezer"))
        return true;
    for (size_t i = 0; needed[i]; i++)
        if (list_has(h->ctrls, needed[i]))
            return true;
    return false;
}

void cg_needed(const struct spec_resources *r, bool has, const char **out, size_t max)
{
    size_t n = 0;
#define NEED(cond, name)                                                                           \
    do {                                                                                           \
        if (has && (cond) && n + 1 < max)                                                          \
            out[n++] = name;                                                                       \
    } while (0)
    NEED(r->has_devices, "devices");
    NEED(r->memory.limit.has || r->memory.reservation.has || r->memory.swap.has ||
             r->memory.kernel.has || r->memory.kernel_tcp.has || r->memory.swappiness.has ||
             r->memory.disable_oom_killer.has || r->memory.use_hierarchy.has,
         "memory");
    NEED(r->cpu.shares.has || r->cpu.quota.has || r->cpu.period.has || r->cpu.burst.has ||
             r->cpu.realtime_period.has || r->cpu.realtime_runtime.has || r->cpu.idle.has,
         "cpu");
    NEED(r->cpu.cpus || r->cpu.mems, "cpuset");
    NEED(r->pids_limit.has, "pids");
    NEED(r->blkio.weight.has || r->blkio.leaf_weight.has || r->blkio.nweight_device ||
             r->blkio.nthrottle[0] || r->blkio.nthrottle[1] || r->blkio.nthrottle[2] ||
             r->blkio.nthrottle[3],
         "blkio");
    NEED(r->nhugepages, "hugetlb");
    NEED(r->network.class_id.has, "net_cls");
    NEED(r->network.npriorities, "net_prio");
    NEED(r->nrdma, "rdma");
#undef NEED
    out[n] = NULL;
}

int cg_resolve(const struct cg_host *host, const char *cgroups_path, const char *id,
               const char *const *needed, struct cg *cg)
{
    memset(cg, 0, sizeof(*cg));
    cg->host = host;
    cg->n = host->n;
    cg->dirs = xzalloc((host->n + 1) * sizeof(char *));
    cg->created = xzalloc((host->n + 1) * sizeof(bool));
    for (size_t i = 0; i < host->n; i++) {
        const struct cg_hier *h = &host->h[i];
        if (!wanted(host, h, needed))
            continue;
        cleanup_free char *cgpath = NULL;
        if (!cgroups_path || !*cgroups_path)
            cgpath = xasprintf("/moat/%s", id);
        else if (cgroups_path[0] == '/')
            cgpath = xstrdup(cgroups_path);
        else
            cgpath = xasprintf("%s/%s", strcmp(h->own, "/") == 0 ? "" : h->own, cgroups_path);
        cg->dirs[i] = hier_path(h, cgpath);
    }
    return 0;
}

int cg_make(struct cg *cg, bool optional, merr_t *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        const struct cg_hier *h = &cg->host->h[i];
        char *dir = cg->dirs[i];
        if (!dir)
            continue;
        /* usually new: mkdir first, and the parents only if it fails */
        bool existed = false;
        merr_t e2 = MERR_INIT;
        if (mkdir(dir, 0755) < 0 && !(existed = errno == EEXIST) && mkdir_p(dir, 0755, &e2) < 0) {
            if (optional && (e2.errnum == EACCES || e2.errnum == EPERM || e2.errnum == EROFS)) {
                log_debug("cgroup %s skipped: %s", dir, e2.msg);
                err_clear(&e2);
                free(dir);
                cg->dirs[i] = NULL;
                continue;
            }
            err_set(err, e2.errnum, "create cgroup %s: %s", dir, e2.msg);
            err_clear(&e2);
            /* what is not made yet is not ours to remove */
            for (size_t k = i; k < cg->n; k++) {
                free(cg->dirs[k]);
                cg->dirs[k] = NULL;
            }
            cg_destroy(cg, NULL);
            cg_free(cg);
            return -1;
        }
        cg->created[i] = !existed;
        if (!existed && !h->v2 && list_has(h->ctrls, "cpuset"))
            init_cpuset(h, dir);
        if (h->v2)
            v2_enable_controllers(h, dir);
    }
    return 0;
}

int cg_create(const struct cg_host *host, const char *cgroups_path, const char *id, bool optional,
              const char *const *needed, struct cg *cg, merr_t *err)
{
    cg_resolve(host, cgroups_path, id, needed, cg);
    return cg_make(cg, optional, err);
}

char **cg_dir_list(const struct cg *cg)
{
    char **v = xzalloc((cg->n + 1) * sizeof(char *));
    for (size_t i = 0, k = 0; i < cg->n; i++)
        if (cg->dirs[i])
            v[k++] = xstrdup(cg->dirs[i]);
    return v;
}

void cg_from_dirs(const struct cg_host *host, char **dirs, size_t n, struct cg *cg)
{
    memset(cg, 0, sizeof(*cg));
    cg->host = host;
    cg->n = host->n;
    cg->dirs = xzalloc((host->n + 1) * sizeof(char *));
    cg->created = xzalloc((host->n + 1) * sizeof(bool));
    for (size_t i = 0; i < host->n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t ml = strlen(host->h[i].mnt);
            if (dirs[j] && strncmp(dirs[j], host->h[i].mnt, ml) == 0 &&
                (dirs[j][ml] == '/' || dirs[j][ml] == 0)) {
                cg->dirs[i] = xstrdup(dirs[j]);
                cg->created[i] = true;
                break;
            }
        }
}

void cg_free(struct cg *cg)
{
    for (size_t i = 0; cg->dirs && i < cg->n; i++)
        free(cg->dirs[i]);
    free(cg->dirs);
    free(cg->created);
    cg->dirs = NULL;
    cg->created = NULL;
    cg->n = 0;
}

const char *cg_dir_for(const struct cg *cg, const char *ctrl, bool *v2)
{
    /* prefer a v1 hierarchy bound to the controller, then v2 */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < cg->n; i++) {
            const struct cg_hier *h = &cg->host->h[i];
            if (!cg->dirs[i] || h->v2 != (pass == 1))
                continue;
            if (list_has(h->ctrls, ctrl)) {
                if (v2)
                    *v2 = h->v2;
                return cg->dirs[i];
            }
        }
    return NULL;
}

/* any v2 directory (membership, cgroup.kill, freeze) */
static const char *v2_dir(const struct cg *cg)
{
    for (size_t i = 0; i < cg->n; i++)
        if (cg->dirs[i] && cg->host->h[i].v2)
            return cg->dirs[i];
    return NULL;
}

int cg_enter(const struct cg *cg, pid_t pid, merr_t *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
    for (size_t i = 0; i < cg->n; i++) {
        if (!cg->dirs[i])
            continue;
        cleanup_free char *p = xasprintf("%s/cgroup.procs", cg->dirs[i]);
        if (write_file_at(AT_FDCWD, p, buf, (size_t)n, err) < 0)
            return err_wrap(err, "join cgroup");
    }
    return 0;
}

int cg_join_open(const struct cg *cg, struct cg_join *j, merr_t *err)
{
    memset(j, 0, sizeof(*j));
    j->v2dir = -1;
    j->fds = xzalloc((cg->n + 1) * sizeof(int));
    j->dirs = xzalloc((cg->n + 1) * sizeof(char *));
    for (size_t i = 0; i < cg->n; i++) {
        if (!cg->dirs[i])
            continue;
        int fd;
        if (cg->host->h[i].v2) {
            fd = j->v2dir = open(cg->dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
        } else {
            char *p = xasprintf("%s/tasks", cg->dirs[i]);
            fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
            free(p);
            if (fd >= 0) {
                j->dirs[j->n] = cg->dirs[i];
                j->fds[j->n++] = fd;
            }
        }
        if (fd < 0) {
            err_sys(err, "join cgroup %s", cg->dirs[i]);
            cg_join_close(j);
            return -1;
        }
    }
    return 0;
}

int cg_join_self(struct cg_join *j, merr_t *err)
{
    for (size_t i = 0; i < j->n; i++) {
        if (write(j->fds[i], "0", 1) != 1)
            return err_sys(err, "join cgroup %s", j->dirs[i]);
        close(j->fds[i]);
        j->fds[i] = -1;
    }
    j->n = 0;
    /* joined by clone (CLONE_INTO_CGROUP): the child needs no handle on
     * the host's cgroup tree */
    if (j->v2dir >= 0)
        close(j->v2dir);
    j->v2dir = -1;
    return 0;
}

void cg_join_close(struct cg_join *j)
{
    for (size_t i = 0; i < j->n; i++)
        if (j->fds[i] >= 0)
            close(j->fds[i]);
    if (j->v2dir >= 0)
        close(j->v2dir);
    free(j->fds);
    free(j->dirs);
    memset(j, 0, sizeof(*j));
    j->v2dir = -1;
}

int cg_read(const struct cg *cg, const char *ctrl, const char *file, char **out)
{
    const char *dir = cg_dir_for(cg, ctrl, NULL);
    if (!dir)
        return -1;
    cleanup_free char *p = xasprintf("%s/%s", dir, file);
    return read_file_at(AT_FDCWD, p, out, NULL, NULL);
}

int cg_pids(const struct cg *cg, pid_t **out, size_t *n, merr_t *err)
{
    /* the unified hierarchy (or, on cgroup v1, freezer) has every process */
    const char *dir = v2_dir(cg);
    if (!dir)
        dir = cg_dir_for(cg, "freezer", NULL);
    if (!dir)
        dir = cg_dir_for(cg, "pids", NULL);
    for (size_t i = 0; !dir && i < cg->n; i++)
        dir = cg->dirs[i];
    *out = NULL;
    *n = 0;
    if (!dir)
        return 0;
    cleanup_free char *path = xasprintf("%s/cgroup.procs", dir);
    cleanup_free char *text = NULL;
    if (read_file_at(AT_FDCWD, path, &text, NULL, err) < 0)
        return -1;
    size_t cap = 16;
    pid_t *v = xmalloc(cap * sizeof(pid_t));
    char *save = NULL;
    for (char *t = strtok_r(text, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
        if (*n == cap)
            v = xrealloc(v, (cap *= 2) * sizeof(pid_t));
        v[(*n)++] = (pid_t)atoi(t);
    }
    *out = v;
    return 0;
}

int cg_freeze(const struct cg *cg, bool freeze, merr_t *err)
{
    const char *dir = cg_dir_for(cg, "freezer", NULL);
    if (dir) {
        cleanup_free char *p = xasprintf("%s/freezer.state", dir);
        const char *want = freeze ? "FROZEN" : "THAWED";
        for (int i = 0; i < 1000; i++) {
            if (write_file_at(AT_FDCWD, p, want, strlen(want), err) < 0)
                return -1;
            char *s = NULL;
            if (read_file_at(AT_FDCWD, p, &s, NULL, err) < 0)
                return -1;
            bool done = strncmp(s, want, strlen(want)) == 0;
            free(s);
            if (done)
                return 0;
            sleep_ms(1);
        }
        return err_set(err, EBUSY, "freezer did not reach %s", want);
    }
    dir = v2_dir(cg);
    cleanup_free char *fz = dir ? xasprintf("%s/cgroup.freeze", dir) : NULL;
    if (!dir || access(fz, F_OK) < 0)
        return err_set(err, ENOTSUP, "no freezer cgroup for this container");
    if (write_file_at(AT_FDCWD, fz, freeze ? "1" : "0", 1, err) < 0)
        return -1;
    cleanup_free char *ev = xasprintf("%s/cgroup.events", dir);
    for (int i = 0; i < 1000; i++) {
        char *s = NULL;
        if (read_file_at(AT_FDCWD, ev, &s, NULL, err) < 0)
            return -1;
        char *f = strstr(s, "frozen ");
        bool done = f && f[7] == (freeze ? '1' : '0');
        free(s);
        if (done)
            return 0;
        sleep_ms(1);
    }
    return err_set(err, EBUSY, "cgroup did not %s", freeze ? "freeze" : "thaw");
}

bool cg_is_frozen(const struct cg *cg)
{
    char *s = NULL;
    bool frozen = false;
    const char *dir = cg_dir_for(cg, "freezer", NULL);
    cleanup_free char *p = NULL;
    if (dir)
        p = xasprintf("%s/freezer.state", dir);
    else if ((dir = v2_dir(cg)))
        p = xasprintf("%s/cgroup.freeze", dir);
    if (p && read_file_at(AT_FDCWD, p, &s, NULL, NULL) == 0) {
        frozen = strncmp(s, "FROZEN", 6) == 0 || strncmp(s, "FREEZING", 8) == 0 || s[0] == '1';
        free(s);
    }
    return frozen;
}

int cg_kill_all(const struct cg *cg, int sig, merr_t *err)
{
    const char *d2 = v2_dir(cg);
    if (sig == SIGKILL && d2) {
        cleanup_free char *k = xasprintf("%s/cgroup.kill", d2);
        if (write_file_at(AT_FDCWD, k, "1", 1, NULL) == 0)
            return 0;
    }
    /* freeze so that nothing forks while we signal */
    bool froze = sig == SIGKILL && cg_freeze(cg, true, NULL) == 0;
    pid_t *pids;
    size_t n;
    int r = cg_pids(cg, &pids, &n, err);
    if (r == 0) {
        for (size_t i = 0; i < n; i++)
            if (kill(pids[i], sig) < 0 && errno != ESRCH)
                log_debug("kill %d: %s", (int)pids[i], strerror(errno));
        free(pids);
    }
    if (froze)
        cg_freeze(cg, false, NULL);
    return r;
}

int cg_destroy(const struct cg *cg, merr_t *err)
{
    int ret = 0;
    for (size_t i = 0; cg->dirs && i < cg->n; i++) {
        if (!cg->dirs[i] || !cg->created[i])
            continue;
        int r = -1;
        for (int tries = 0; tries < 200; tries++) {
            r = rmdir(cg->dirs[i]);
            if (r == 0 || errno == ENOENT) {
                r = 0;
                break;
            }
            if (errno != EBUSY)
                break;
            if (tries == 0)
                cg_kill_all(cg, SIGKILL, NULL);
            sleep_ms(tries < 20 ? 1 : 10);
        }
        if (r < 0 && ret == 0)
            ret = err_sys(err, "remove cgroup %s", cg->dirs[i]);
    }
    return ret;
}

int cg_ensure(struct cg *cg, const char *ctrl, merr_t *err)
{
    if (cg_dir_for(cg, ctrl, NULL))
        return 0;
    /* a sibling directory tells where the container's cgroup is */
    const char *ref = NULL;
    size_t ri = 0;
    for (size_t i = 0; i < cg->n && !ref; i++)
        if (cg->dirs[i])
            ref = cg->dirs[i], ri = i;
    if (!ref)
        return err_set(err, ENOENT, "the container has no cgroup");
    const char *rel = ref + strlen(cg->host->h[ri].mnt);
    for (size_t i = 0; i < cg->n; i++) {
        const struct cg_hier *h = &cg->host->h[i];
        if (h->v2 || cg->dirs[i] || !list_has(h->ctrls, ctrl))
            continue;
        char *dir = xasprintf("%s%s", h->mnt, rel);
        if (mkdir_p(dir, 0755, err) < 0) {
            free(dir);
            return -1;
        }
        if (list_has(h->ctrls, "cpuset"))
            init_cpuset(h, dir);
        /* move the processes in (a member is written again harmlessly)
         * until a round finds no new one */
        cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);
        size_t last = (size_t)-1;
        for (int round = 0; round < 10; round++) {
            pid_t *pids;
            size_t n;
            if (cg_pids(cg, &pids, &n, err) < 0) {
                rmdir(dir);
                free(dir);
                return -1;
            }
            for (size_t k = 0; k < n; k++) {
                char b[24];
                int bl = snprintf(b, sizeof(b), "%d", (int)pids[k]);
                (void)write_file_at(AT_FDCWD, procs, b, (size_t)bl, NULL);
            }
            free(pids);
            if (n == last)
                break;
            last = n;
        }
        cg->dirs[i] = dir;
        cg->created[i] = true;
        return 1;
    }
    return err_set(err, ENOTSUP, "the %s cgroup controller is not available on this host", ctrl);
}

bool cg_host_has_blkio_weight(void)
{
    struct cg_host host = {0};
    merr_t err = MERR_INIT;
    bool yes = true; /* v2: io.weight is a file of every non-root cgroup */
    if (cg_detect(&host, &err) < 0) {
        err_clear(&err);
        return true; /* the runtime will say what is wrong */
    }
    for (size_t i = 0; i < host.n; i++) {
        if (host.h[i].v2 || !strstr(host.h[i].ctrls, "blkio"))
            continue;
        cleanup_free char *w = xasprintf("%s/blkio.weight", host.h[i].mnt);
        cleanup_free char *b = xasprintf("%s/blkio.bfq.weight", host.h[i].mnt);
        yes = access(w, F_OK) == 0 || access(b, F_OK) == 0;
    }
    cg_host_free(&host);
    return yes;
}

#include "ops.h"
#include "container.h"
#include "intent.h"
#include "../kernel/hooks.h"
#include "../kernel/proc.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int handle_open_(int rootfd, const char *id, struct handle *h, bool lock, merr_t *err)
{
    memset(h, 0, sizeof(*h));
    h->dirfd = state_dir_open(rootfd, id, &h->st, lock, err);
    if (h->dirfd < 0)
        return -1;
    h->status = state_status(h->dirfd, &h->st);
    return 0;
}

int handle_open(int rootfd, const char *id, struct handle *h, merr_t *err)
{
    return handle_open_(rootfd, id, h, true, err);
}

int handle_peek(int rootfd, const char *id, struct handle *h, merr_t *err)
{
    return handle_open_(rootfd, id, h, false, err);
}

/* open a container that must not be stopped */
static int handle_open_live(int rootfd, const char *id, struct handle *h, merr_t *err)
{
    if (handle_open(rootfd, id, h, err) < 0)
        return -1;
    if (h->status == CS_STOPPED) {
        handle_close(h);
        return err_set(err, ESRCH, "container \"%s\" is not running", id);
    }
    return 0;
}

int handle_load_spec(struct handle *h, merr_t *err)
{
    if (h->spec)
        return 0;
    if (!h->st.config)
        return err_set(err, ENOENT, "stored config of \"%s\": missing", h->st.id);
    return spec_parse(h->st.config, h->st.config_len, "config.json", &h->spec, err);
}

int handle_cgroup(struct handle *h, merr_t *err)
{
    if (h->have_cg)
        return 0;
    if (cg_detect(&h->host, err) < 0)
        return -1;
    cg_from_dirs(&h->host, h->st.cgroup_dirs, strv_len(h->st.cgroup_dirs), &h->cg);
    h->have_cg = true;
    return 0;
}

void handle_adopt(struct handle *h, struct container *c)
{
    if (!h->spec) {
        h->spec = c->spec;
        h->spec_borrowed = true;
    }
    if (!h->have_cg) {
        /* the saved directories, not c's: update may have added some */
        cg_free(&c->cg);
        c->have_cg = false;
        h->host = c->cghost;
        memset(&c->cghost, 0, sizeof(c->cghost));
        cg_from_dirs(&h->host, h->st.cgroup_dirs, strv_len(h->st.cgroup_dirs), &h->cg);
        h->have_cg = true;
    }
}

void handle_close(struct handle *h)
{
    if (h->dirfd >= 0)
        close(h->dirfd);
    h->dirfd = -1;
    state_free(&h->st);
    if (!h->spec_borrowed)
        spec_free(h->spec);
    h->spec = NULL;
    h->spec_borrowed = false;
    if (h->have_cg) {
        cg_free(&h->cg);
        cg_host_free(&h->host);
        h->have_cg = false;
    }
}

int handle_pidfd(const struct handle *h, merr_t *err)
{
    int fd = (int)syscall(SYS_pidfd_open, h->st.pid, 0);
    uint64_t start;
    if (fd < 0 || proc_stat(h->st.pid, &start, NULL) < 0 || start != h->st.start_time) {
        if (fd >= 0)
            close(fd);
        return err_set(err, ESRCH, "container \"%s\" is not running", h->st.id);
    }
    return fd;
}

static char *handle_state_json(struct handle *h, enum cstatus s)
{
    return state_to_json(&h->st, s, h->st.annotations);
}

/* poststart and poststop hooks: a failure is a warning, the rest run */
static void run_hooks_warn(const struct spec *s, enum hook_kind k, const char *state_json)
{
    for (size_t i = 0; i < s->nhooks[k]; i++) {
        merr_t e = MERR_INIT;
        cleanup_free char *what = xasprintf("hooks.%s[%zu]", hook_kind_name(k), i);
        if (hook_run(&s->hooks[k][i], what, state_json, &e) < 0)
            log_warn("%s", e.msg);
        err_clear(&e);
    }
}

void run_poststart(const struct spec *s, const char *state_json)
{
    run_hooks_warn(s, HOOK_POSTSTART, state_json);
}

/* wait for fd to become readable or the process behind pidfd to exit */
static int wait_readable(int fd, int pidfd)
{
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int n = poll(p, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (p[0].revents)
            return 1;
        if (p[1].revents)
            return 0;
    }
}

int wait_exec(int fd, int pidfd, merr_t *err)
{
    char buf[4097];
    size_t got = 0;
    bool ok_byte = false;
    for (;;) {
        int w = wait_readable(fd, pidfd);
        ssize_t n = w > 0 ? read(fd, buf + got, sizeof(buf) - 1 - got) : 0;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0) {
            /* EOF with no writer: before the first byte the init is not
             * there yet (its probe of the fifo came and went), or it died:
             * then it never will be */
            struct pollfd dead = {pidfd, POLLIN, 0};
            if (!ok_byte && w > 0 && !(pidfd >= 0 && poll(&dead, 1, 0) == 1)) {
                struct timespec ts = {0, 200000};
                nanosleep(&ts, NULL);
                continue;
            }
            break;
        }
        got += (size_t)n;
        if (!ok_byte && buf[0] == '0')
            ok_byte = true;
        if (got >= sizeof(buf) - 1)
            break;
    }
    buf[got] = 0;
    if (!ok_byte)
        return err_set(err, ESRCH, "the container init exited before it started the process");
    if (got > 1) { /* "ERRNO:message" */
        char *end;
        long e = strtol(buf + 1, &end, 10);
        bool num = end > buf + 1 && *end == ':';
        err_set(err, 0, "%s", num ? end + 1 : buf + 1); /* the text says it already */
        err->errnum = num ? (int)e : 0;
        return -1;
    }
    return 0;
}

int op_start(int rootfd, const char *id, merr_t *err)
{
    struct handle h;
    if (handle_open(rootfd, id, &h, err) < 0)
        return -1;
    int ret = -1, fifo = -1, pidfd = -1;
    if (h.status != CS_CREATED) {
        err_set(err, EINVAL, "cannot start container \"%s\": it is %s, not created", id,
                cstatus_name(h.status));
        goto out;
    }
    if ((pidfd = handle_pidfd(&h, err)) < 0)
        goto out;
    fifo = openat(h.dirfd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0) {
        err_sys(err, "open the exec fifo of \"%s\"", id);
        goto out;
    }
    /* from now on the container is started, whatever the outcome */
    unlinkat(h.dirfd, STATE_FIFO, 0);
    if (wait_exec(fifo, pidfd, err) < 0)
        goto out;
    if (h.st.poststart && handle_load_spec(&h, NULL) == 0) {
        char *state = handle_state_json(&h, CS_RUNNING);
        run_poststart(h.spec, state);
        free(state);
    }
    ret = 0;
out:
    if (fifo >= 0)
        close(fifo);
    if (pidfd >= 0)
        close(pidfd);
    handle_close(&h);
    return ret;
}

int op_state(int rootfd, const char *id, char **json, merr_t *err)
{
    struct handle h;
    if (handle_peek(rootfd, id, &h, err) < 0)
        return -1;
    *json = handle_state_json(&h, h.status);
    handle_close(&h);
    return 0;
}

int op_kill(int rootfd, const char *id, int sig, bool all, merr_t *err)
{
    struct handle h;
    if (handle_open_live(rootfd, id, &h, err) < 0)
        return -1;
    int ret = -1;
    if (all) {
        if (handle_cgroup(&h, err) < 0 || cg_kill_all(&h.cg, sig, err) < 0)
            goto out;
        ret = 0;
        goto out;
    }
    int pidfd = handle_pidfd(&h, err);
    if (pidfd < 0)
        goto out;
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        err_sys(err, "send signal %d to container \"%s\"", sig, id);
    else
        ret = 0;
    close(pidfd);
    /* a paused container gets the signal when it is thawed: SIGKILL now */
    if (ret == 0 && sig == SIGKILL && h.status == CS_PAUSED && handle_cgroup(&h, NULL) == 0)
        cg_freeze(&h.cg, false, NULL);
out:
    handle_close(&h);
    return ret;
}

int container_destroy(int rootfd, struct handle *h, merr_t *err)
{
    if (h->status != CS_STOPPED) {
        int pidfd = handle_pidfd(h, NULL);
        if (pidfd >= 0) {
            syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
            if (handle_cgroup(h, NULL) == 0 && h->status == CS_PAUSED)
                cg_freeze(&h->cg, false, NULL);
            struct pollfd p = {pidfd, POLLIN, 0};
            poll(&p, 1, 10000);
            close(pidfd);
        }
    }
    int ret = 0;
    if (handle_cgroup(h, NULL) == 0 && cg_destroy(&h->cg, err) < 0) {
        log_warn("%s", err->msg);
        err_clear(err);
    }
    if (h->st.poststop && handle_load_spec(h, NULL) == 0 && h->spec->nhooks[HOOK_POSTSTOP]) {
        cleanup_free char *state = handle_state_json(h, CS_STOPPED);
        run_hooks_warn(h->spec, HOOK_POSTSTOP, state);
    }
    if (state_remove(rootfd, h->st.id) < 0)
        ret = err_sys(err, "remove the state of \"%s\"", h->st.id);
    return ret;
}

int op_delete(int rootfd, const char *id, bool force, merr_t *err)
{
    struct handle h;
    if (handle_open(rootfd, id, &h, err) < 0) {
        if (err->errnum != ENOENT)
            return -1;
        /* a forced delete of a missing container succeeds (dockerd relies
         * on it); what a killed create left under the id is cleaned up */
        merr_t e2 = MERR_INIT;
        int c = intent_clean(rootfd, id, &e2);
        if (c < 0) {
            err_clear(err);
            *err = e2;
            return -1;
        }
        if (c > 0 || force) {
            err_clear(err);
            return 0;
        }
        return -1;
    }
    int ret = -1;
    if (h.status != CS_STOPPED && !force) {
        err_set(err, EBUSY, "cannot delete container \"%s\": it is %s (stop it, or use --force)",
                id, cstatus_name(h.status));
        goto out;
    }
    ret = container_destroy(rootfd, &h, err);
out:
    handle_close(&h);
    return ret;
}

int op_pause(int rootfd, const char *id, bool pause, merr_t *err)
{
    struct handle h;
    if (handle_open(rootfd, id, &h, err) < 0)
        return -1;
    int ret = -1;
    enum cstatus want = pause ? CS_RUNNING : CS_PAUSED;
    if (h.status != want && !(pause && h.status == CS_CREATED)) {
        err_set(err, EINVAL, "cannot %s container \"%s\": it is %s", pause ? "pause" : "resume", id,
                cstatus_name(h.status));
        goto out;
    }
    if (handle_cgroup(&h, err) < 0 || cg_freeze(&h.cg, pause, err) < 0)
        goto out;
    ret = 0;
out:
    handle_close(&h);
    return ret;
}

int op_pids(int rootfd, const char *id, pid_t **pids, size_t *n, merr_t *err)
{
    struct handle h;
    *pids = NULL;
    *n = 0;
    if (handle_open_live(rootfd, id, &h, err) < 0)
        return -1;
    int ret = -1;
    if (handle_cgroup(&h, err) < 0 || cg_pids(&h.cg, pids, n, err) < 0)
        goto out;
    ret = 0;
out:
    handle_close(&h);
    return ret;
}

/* Merge the update into the stored config so later commands see it. */
static void merge_resources(json_t *config, json_t *update)
{
    json_t *linux_ = json_object_get(config, "linux");
    if (!linux_) {
        linux_ = json_object();
        json_object_set_new(config, "linux", linux_);
    }
    json_t *res = json_object_get(linux_, "resources");
    if (!res) {
        res = json_object();
        json_object_set_new(linux_, "resources", res);
    }
    const char *key;
    json_t *val;
    json_object_foreach(update, key, val)
    {
        json_t *cur = json_object_get(res, key);
        if (json_is_object(cur) && json_is_object(val))
            json_object_update(cur, val);
        else
            json_object_set(res, key, val);
    }
}

int op_update(int rootfd, const char *id, const char *resources_json, size_t len, merr_t *err)
{
    struct handle h;
    if (handle_open_live(rootfd, id, &h, err) < 0)
        return -1;
    int ret = -1;
    struct spec_resources r = {0};
    json_t *keep = NULL, *config = NULL;
    char *text = NULL;
    if (spec_parse_resources_json(resources_json, len, "resources", &r, &keep, err) < 0)
        goto out;
    if (handle_cgroup(&h, err) < 0)
        goto out;
    /* a controller the container was created without: join it now */
    const char *needed[16];
    bool grown = false;
    int e = 0;
    cg_needed(&r, true, needed, ARRAY_SIZE(needed));
    for (size_t i = 0; needed[i] && e >= 0; i++) {
        e = cg_ensure(&h.cg, needed[i], err);
        grown = grown || e > 0;
    }
    if (grown) {
        /* recorded at once, even if what follows fails: delete removes them */
        strv_free(h.st.cgroup_dirs);
        h.st.cgroup_dirs = cg_dir_list(&h.cg);
        if (state_save(h.dirfd, &h.st, e < 0 ? NULL : err) < 0)
            goto out;
    }
    if (e < 0)
        goto out;
    if (cg_apply(&h.cg, &r, err) < 0)
        goto out;
    /* the stored config follows, for later commands */
    json_error_t je;
    config = h.st.config ? json_loadb(h.st.config, h.st.config_len, 0, &je) : NULL;
    if (config) {
        merge_resources(config, keep);
        text = json_dumps(config, JSON_COMPACT);
        if (text) {
            free(h.st.config);
            h.st.config = text;
            h.st.config_len = strlen(text);
            text = NULL;
            if (state_save(h.dirfd, &h.st, err) < 0)
                goto out;
        }
    }
    ret = 0;
out:
    free(text);
    spec_resources_free(&r);
    json_decref(keep);
    json_decref(config);
    handle_close(&h);
    return ret;
}

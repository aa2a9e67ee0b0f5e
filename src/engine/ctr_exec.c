/* ctr_exec.c: a process in a running container (see ctr_exec.h). */
#include "ctr_exec.h"
#include "ctr.h"
#include "ctr_rec.h"
#include "ctr_user.h"
#include "events.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define EXEC_ENGINE_FAILED 125
#define EXEC_CANNOT_RUN 126

/* "uid:gid" for user, looked up in the container's own files as run does
 * (a number too: its group comes from /etc/passwd) */
static char *resolve_user(struct store *s, const char *id, const char *user, merr_t *err)
{
    cleanup_free char *rootfs = xasprintf("%s/containers/%s/rootfs", s->root, id);
    cleanup_close int rfd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    uint64_t uid, gid;
    if (rfd < 0)
        return err_sys(err, "open %s", rootfs), NULL;
    if (ctr_resolve_user(rfd, user, &uid, &gid, err) < 0)
        return NULL;
    return xasprintf("%llu:%llu", (unsigned long long)uid, (unsigned long long)gid);
}

/* Docker's exec events: "exec_create: CMD ARGS" and the like, with the
 * exec's id (and, at its end, its exit code) */
static void exec_event(struct store *s, const char *id, json_t *attrs, const char *what,
                       char *const *args, const char *exec_id, int code)
{
    struct sbuf b = {0};
    sbuf_puts(&b, what);
    if (args && args[0])
        sbuf_puts(&b, ":");
    for (size_t i = 0; args && args[i]; i++)
        sbuf_printf(&b, " %s", args[i]);
    json_t *a = json_copy(attrs);
    json_object_set_new(a, "execID", json_string(exec_id));
    if (code >= 0)
        json_object_set_new(a, "exitCode", json_sprintf("%d", code));
    events_emit(s, "container", code >= 0 ? what : b.buf, id, a);
    free(b.buf);
}

static void exec_id_new(char out[65])
{
    uint8_t b[32];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        memset(b, 0, sizeof(b));
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* o->args in the running container id; attrs: those of its events */
static int exec_in(struct store *s, const char *id, const struct ctr_exec_opts *o, json_t *attrs,
                   int *code, merr_t *err)
{
    cleanup_free char *user = NULL;
    if (o->user && !(user = resolve_user(s, id, o->user, err)))
        return -1;
    char **env = NULL;
    bool term = false;
    for (size_t i = 0; o->env && o->env[i]; i++) {
        strv_push(&env, o->env[i]);
        term = term || strncmp(o->env[i], "TERM=", 5) == 0;
    }
    if (o->tty && !term)
        strv_push(&env, "TERM=xterm");
    struct exec_opts eo = {
        .id = id,
        .args = o->args,
        .env = env,
        .user = user,
        .cwd = o->workdir,
        .tty = o->tty,
        .detach = o->detach,
        .stdin_open = o->interactive,
        .detach_keys = &o->detach_keys,
        .has_resize = o->has_resize,
        .resize_fd = o->resize_fd,
        /* never the caller's own descriptors: pipes (or a pty) relayed */
        .relay_stdio = true,
    };
    int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0) {
        strv_free(env);
        return -1;
    }
    char xid[65];
    exec_id_new(xid);
    exec_event(s, id, attrs, "exec_create", o->args, xid, -1);
    exec_event(s, id, attrs, "exec_start", o->args, xid, -1);
    int st = 0, ret = op_exec(rootfd, &eo, &st, err);
    close(rootfd);
    strv_free(env);
    if (ret == 0 && !o->detach) /* not when the caller detached (1): it runs on */
        exec_event(s, id, attrs, "exec_die", NULL, xid, st);
    if (ret < 0) {
        /* Docker's codes: 126 when the command cannot be run, 127 when it
         * is not there */
        *code = ctr_exec_status(err) ? ctr_exec_status(err) : EXEC_CANNOT_RUN;
        return -1;
    }
    *code = st;
    return ret;
}

int ctr_exec_id(struct store *s, const char *id, const struct ctr_exec_opts *o, int *code,
                merr_t *err)
{
    *code = EXEC_ENGINE_FAILED;
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running, paused = r.state.paused;
    json_t *attrs = events_ctr_attrs(r.json);
    ctr_rec_free(&r);
    int ret;
    if (!running)
        ret = err_set(err, 0, "container %.12s is not running", id);
    else if (paused)
        ret = err_set(err, 0, "container %s is paused, unpause the container before exec", id);
    else
        ret = exec_in(s, id, o, attrs, code, err);
    json_decref(attrs);
    return ret;
}

int ctr_exec(struct store *s, const char *name, const struct ctr_exec_opts *o, int *code,
             merr_t *err)
{
    char id[65];
    *code = EXEC_ENGINE_FAILED;
    if (ctr_find(s, name, id, err) < 0)
        return -1;
    return ctr_exec_id(s, id, o, code, err);
}

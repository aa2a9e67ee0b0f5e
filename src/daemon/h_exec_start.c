/* h_exec_start.c: POST /exec/{id}/start (see h_exec.c). */
#include "api.h"
#include "api_json.h"
#include "exec_rec.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char **strv_of(json_t *a)
{
    char **v = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        strv_push(&v, json_string_value(e) ?: "");
    }
    return v;
}

/* the process, in a child whose 0, 1 and 2 are in, out and errfd */
static pid_t spawn(struct store *s, const char *cid, const struct ctr_exec_opts *o, int in, int out,
                   int errfd)
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
        _exit(125);
    int code = 0;
    merr_t err = MERR_INIT;
    if (ctr_exec_id(s, cid, o, &code, &err) < 0) {
        fprintf(stderr, "moat: %s\n", err.msg);
        fflush(stderr);
    }
    _exit(code & 0xff);
}

/* the pipes' output to fd as Docker's frames (1 stdout, 2 stderr) */
static void relay(int fd, int po, int pe)
{
    struct pollfd p[2] = {{.fd = po, .events = POLLIN}, {.fd = pe, .events = POLLIN}};
    char buf[16384 + 8];
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        if (poll(p, 2, -1) < 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t n = read(p[i].fd, buf + 8, sizeof(buf) - 8);
            if (n <= 0) {
                close(p[i].fd);
                p[i].fd = -1;
                continue;
            }
            uint32_t len = htonl((uint32_t)n);
            buf[0] = (char)(i + 1);
            buf[1] = buf[2] = buf[3] = 0;
            memcpy(buf + 4, &len, 4);
            write_all(fd, buf, (size_t)n + 8);
        }
    }
}

static int run(struct store *s, const char *cid, const struct ctr_exec_opts *o, int fd)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC), st = 0;
    int in = o->interactive ? fd : null;
    pid_t pid;
    if (o->tty) {
        pid = spawn(s, cid, o, in, fd, fd);
    } else {
        int po[2], pe[2];
        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
            return 125;
        pid = spawn(s, cid, o, in, po[1], pe[1]);
        close(po[1]);
        close(pe[1]);
        relay(fd, po[0], pe[0]);
    }
    close(null);
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return 125;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ConsoleSize [rows, cols] of the start body (API 1.42), if given */
static int console_size(json_t *b, unsigned size[2], merr_t *err)
{
    json_t *a = json_object_get(b, "ConsoleSize");
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) != 2)
        return aj_bad(err, "ConsoleSize", "must be [height, width]");
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
            return aj_bad(err, "ConsoleSize", "must be two numbers from 0 to 65535");
        size[i] = (unsigned)json_integer_value(v);
    }
    return 0;
}

int h_exec_start(struct api_ctx *x)
{
    bool detach = false, tty_arg = false;
    merr_t err = MERR_INIT;
    if (x->body && (aj_bool(x->body, "Detach", "Detach", &detach, &err) < 0 ||
                    aj_bool(x->body, "Tty", "Tty", &tty_arg, &err) < 0)) {
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    char cid[65];
    json_t *rec = exec_load(x, cid);
    if (!rec)
        return 0;
    if (json_is_true(json_object_get(rec, "Running")) ||
        !json_is_null(json_object_get(rec, "ExitCode"))) {
        json_decref(rec);
        return api_error(x, 409, "exec %s has already been started", x->param);
    }
    if (!detach && !x->upgrade) {
        json_decref(rec);
        return api_error(x, 400,
                         "exec start needs the headers Connection: Upgrade and Upgrade: "
                         "tcp (or Detach)");
    }
    json_t *cfg = json_object_get(rec, "Config");
    char **args = strv_of(json_object_get(cfg, "Cmd")),
         **env = strv_of(json_object_get(cfg, "Env"));
    struct ctr_exec_opts o = {
        .args = args,
        .env = env,
        .user = json_string_value(json_object_get(cfg, "User")),
        .workdir = json_string_value(json_object_get(cfg, "WorkingDir")),
        .tty = json_is_true(json_object_get(cfg, "Tty")),
        .interactive = json_is_true(json_object_get(cfg, "AttachStdin")),
        .detach = detach,
    };
    unsigned size[2] = {0, 0};
    if (x->body && console_size(x->body, size, &err) < 0) {
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        json_decref(rec);
        strv_free(args);
        strv_free(env);
        return 0;
    }
    const char *id = json_string_value(json_object_get(rec, "ID"));
    if (o.tty && !detach && (o.resize_fd = exec_resize_open(x->s, id)) >= 0) {
        o.has_resize = true;
        if (size[0] && size[1]) /* the first size, queued for the terminal */
            exec_resize_send(x->s, id, size[0], size[1]);
    }
    json_object_set_new(rec, "Running", json_true());
    exec_save(x->s, rec);
    int code;
    if (detach) {
        api_status(x, 200);
        code = run(x->s, cid, &o, -1);
    } else {
        api_head(x, 101,
                 o.tty ? "application/vnd.docker.raw-stream"
                       : "application/vnd.docker.multiplexed-stream",
                 0);
        int fd = api_upgraded_fd(x);
        code = fd < 0 ? 125 : run(x->s, cid, &o, fd);
        if (fd >= 0)
            close(fd);
    }
    exec_resize_close(x->s, id, o.has_resize ? o.resize_fd : -1);
    json_object_set_new(rec, "Running", json_false());
    json_object_set_new(rec, "ExitCode", json_integer(code));
    exec_save(x->s, rec);
    json_decref(rec);
    strv_free(args);
    strv_free(env);
    return 0;
}

/* h_exec.c: Docker's exec instances: POST /containers/{id}/exec records
 * one (store/execs/ID.json, with its caller as owner), POST
 * /exec/{id}/start runs it through the engine's ctr_exec (as confined as
 * its container, never more) with the client's upgraded connection as its
 * stdio, GET /exec/{id}/json reports it. Without a terminal the worker
 * frames stdout and stderr as Docker's multiplexed stream; with one the
 * stream is raw. The connection never enters the container: ctr_exec
 * relays between it and the process' own pipes or terminal. */
#include "api.h"
#include "api_json.h"
#include "exec_rec.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int execs_dir(struct store *s)
{
    if (mkdirat(s->fd, "execs", 0700) < 0 && errno != EEXIST)
        return -1;
    return openat(s->fd, "execs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static bool exec_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return n == 64 && strspn(id, "0123456789abcdef") == n;
}

int exec_save(struct store *s, json_t *rec)
{
    cleanup_close int d = execs_dir(s);
    cleanup_free char *name = xasprintf("%s.json", json_string_value(json_object_get(rec, "ID")));
    cleanup_free char *text = json_dumps(rec, JSON_COMPACT);
    merr_t err = MERR_INIT;
    int r = d >= 0 && text ? atomic_write_at(d, name, text, strlen(text), 0600, &err) : -1;
    err_clear(&err);
    return r;
}

/* store/execs/ID.sock by a name through the directory's descriptor (the
 * store's own path may be longer than sun_path has room for) */
static int resize_addr(struct store *s, const char *id, int *dir, struct sockaddr_un *a)
{
    *dir = execs_dir(s);
    *a = (struct sockaddr_un){.sun_family = AF_UNIX};
    if (*dir < 0 || !exec_id_ok(id))
        return -1;
    int n = snprintf(a->sun_path, sizeof(a->sun_path), "/proc/self/fd/%d/%s.sock", *dir, id);
    return n > 0 && (size_t)n < sizeof(a->sun_path) ? 0 : -1;
}

int exec_resize_open(struct store *s, const char *id)
{
    struct sockaddr_un a;
    cleanup_close int d = -1;
    if (resize_addr(s, id, &d, &a) < 0)
        return -1;
    cleanup_free char *name = xasprintf("%s.sock", id);
    unlinkat(d, name, 0);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void exec_resize_close(struct store *s, const char *id, int fd)
{
    if (fd < 0)
        return;
    close(fd);
    cleanup_close int d = execs_dir(s);
    cleanup_free char *name = xasprintf("%s.sock", id);
    if (d >= 0)
        unlinkat(d, name, 0);
}

int exec_resize_send(struct store *s, const char *id, unsigned rows, unsigned cols)
{
    struct sockaddr_un a;
    cleanup_close int d = -1;
    if (resize_addr(s, id, &d, &a) < 0)
        return -1;
    cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    uint16_t m[2] = {(uint16_t)rows, (uint16_t)cols};
    if (fd < 0 || sendto(fd, m, sizeof(m), MSG_DONTWAIT, (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    return 0;
}

/* the exec instance id if the caller may see it (and its container
 * exists), else NULL and answered 404 */
json_t *exec_load(struct api_ctx *x, char cid[65])
{
    json_t *rec = NULL;
    if (exec_id_ok(x->param)) {
        cleanup_close int d = execs_dir(x->s);
        cleanup_free char *name = xasprintf("%s.json", x->param);
        cleanup_free char *text = NULL;
        merr_t err = MERR_INIT;
        if (d >= 0 && read_file_at(d, name, &text, NULL, &err) == 0)
            rec = json_loads(text, 0, NULL);
        err_clear(&err);
    }
    const char *c = json_string_value(json_object_get(rec, "ContainerID"));
    if (!rec || !c || !api_may_see(x, rec) || api_ctr_quiet(x, c, cid) < 0) {
        json_decref(rec);
        api_error(x, 404, "No such exec instance: %s", x->param ? x->param : "");
        return NULL;
    }
    return rec;
}

/* the body's process, checked as `moat exec` checks its flags */
static json_t *exec_config(json_t *b, merr_t *err)
{
    char **cmd = NULL, **env = NULL;
    const char *user = NULL, *wd = NULL;
    bool tty = false, in = false, out = false, errs = false, priv = false;
    int r = aj_strv(b, "Cmd", "Cmd", false, &cmd, err);
    if (r == 0)
        r = aj_strv(b, "Env", "Env", false, &env, err);
    if (r == 0)
        r = aj_str(b, "User", "User", &user, err);
    if (r == 0)
        r = aj_str(b, "WorkingDir", "WorkingDir", &wd, err);
    if (r == 0)
        r = aj_bool(b, "Tty", "Tty", &tty, err) |
            aj_bool(b, "AttachStdin", "AttachStdin", &in, err) |
            aj_bool(b, "AttachStdout", "AttachStdout", &out, err) |
            aj_bool(b, "AttachStderr", "AttachStderr", &errs, err) |
            aj_bool(b, "Privileged", "Privileged", &priv, err);
    if (r == 0 && !cmd)
        r = aj_bad(err, "Cmd", "a command is required");
    if (r == 0 && priv)
        r = aj_bad(err, "Privileged",
                   "moat refuses a privileged exec: create the container with "
                   "what it needs");
    if (r == 0 && wd && wd[0] != '/')
        r = aj_bad(err, "WorkingDir", "\"%s\" is not an absolute path", wd);
    for (char **e = env; r == 0 && e && *e; e++)
        if (!strchr(*e, '=') || **e == '=')
            r = aj_bad(err, "Env", "\"%s\" is not KEY=VALUE", *e);
    json_t *c = NULL;
    if (r == 0) {
        json_t *ja = json_array(), *je = json_array();
        for (char **p = cmd; *p; p++)
            json_array_append_new(ja, json_string(*p));
        for (char **p = env; p && *p; p++)
            json_array_append_new(je, json_string(*p));
        c = json_pack("{s:o,s:o,s:s?,s:s?,s:b,s:b,s:b,s:b}", "Cmd", ja, "Env", je, "User", user,
                      "WorkingDir", wd, "Tty", tty, "AttachStdin", in, "AttachStdout", out,
                      "AttachStderr", errs);
    }
    strv_free(cmd);
    strv_free(env);
    return c;
}

int h_ctr_exec(struct api_ctx *x)
{
    char cid[65];
    if (api_ctr(x, x->param, cid) < 0)
        return 0;
    if (!json_is_object(x->body))
        return api_error(x, 400, "an exec configuration (a JSON object) is required");
    merr_t err = MERR_INIT;
    json_t *cfg = exec_config(x->body, &err);
    if (!cfg) {
        api_error(x, 400, "%s", err.msg);
        err_clear(&err);
        return 0;
    }
    struct ctr_rec c;
    if (ctr_rec_load(x->s, cid, true, &c, &err) < 0) {
        json_decref(cfg);
        return api_merr(x, &err);
    }
    bool running = c.state.running && !c.state.paused;
    ctr_rec_free(&c);
    if (!running) {
        json_decref(cfg);
        return api_error(x, 409, "Container %s is not running", x->param);
    }
    cleanup_free char *id = volume_random_name();
    json_t *rec = json_pack("{s:s,s:s,s:s?,s:o,s:b,s:n,s:i}", "ID", id, "ContainerID", cid, "Owner",
                            x->who.admin ? NULL : x->who.owner, "Config", cfg, "Running", 0,
                            "ExitCode", "Pid", 0);
    int r = exec_save(x->s, rec);
    json_decref(rec);
    if (r < 0)
        return api_error(x, 500, "cannot record the exec instance");
    return api_json(x, 201, json_pack("{s:s}", "Id", id));
}

int h_exec_inspect(struct api_ctx *x)
{
    char cid[65];
    json_t *rec = exec_load(x, cid);
    if (!rec)
        return 0;
    json_t *cfg = json_object_get(rec, "Config");
    json_t *cmd = json_object_get(cfg, "Cmd");
    json_t *args = json_array();
    for (size_t i = 1; i < json_array_size(cmd); i++)
        json_array_append(args, json_array_get(cmd, i));
    json_t *o = json_pack(
        "{s:s,s:O,s:O,s:{s:O,s:s,s:o,s:b,s:s},s:O,s:O,s:O,s:b,s:s,s:s,s:O}", "ID", x->param,
        "Running", json_object_get(rec, "Running"), "ExitCode", json_object_get(rec, "ExitCode"),
        "ProcessConfig", "tty", json_object_get(cfg, "Tty"), "entrypoint",
        json_string_value(json_array_get(cmd, 0)) ?: "", "arguments", args, "privileged", 0, "user",
        json_string_value(json_object_get(cfg, "User")) ?: "", "OpenStdin",
        json_object_get(cfg, "AttachStdin"), "OpenStdout", json_object_get(cfg, "AttachStdout"),
        "OpenStderr", json_object_get(cfg, "AttachStderr"), "CanRemove", 0, "ContainerID", cid,
        "DetachKeys", "", "Pid", json_object_get(rec, "Pid"));
    json_decref(rec);
    return api_json(x, 200, o);
}

int h_exec_resize(struct api_ctx *x)
{
    int64_t h = 0, w = 0;
    if (api_q_int(x, "h", &h) < 0 || api_q_int(x, "w", &w) < 0)
        return 0;
    if (h < 0 || w < 0 || h > 65535 || w > 65535)
        return api_error(x, 400, "query parameters h and w: 0 to 65535");
    char cid[65];
    json_t *rec = exec_load(x, cid);
    if (!rec)
        return 0;
    bool tty = json_is_true(json_object_get(json_object_get(rec, "Config"), "Tty")),
         running = json_is_true(json_object_get(rec, "Running"));
    json_decref(rec);
    if (!tty)
        return api_error(x, 400, "exec %s has no terminal to resize", x->param);
    if (!running || exec_resize_send(x->s, x->param, (unsigned)h, (unsigned)w) < 0)
        return api_error(x, 409, "exec %s is not running", x->param);
    return api_json(x, 200, NULL);
}

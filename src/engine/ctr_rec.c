/* ctr_rec.c: a container's record as typed fields (see ctr_rec.h). */
#include "ctr_rec.h"
#include "ctr.h"

#include <stdint.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(json_t *o, const char *k, int64_t none)
{
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : none;
}

void ctr_rec_view(json_t *j, struct ctr_rec *r)
{
    memset(r, 0, sizeof(*r));
    r->json = json_incref(j);
    r->id = str(j, "Id");
    r->name = str(j, "Name");
    r->image = str(j, "Image");
    r->image_name = str(j, "ImageName");
    r->created = str(j, "Created");
    r->userns_base = (uint64_t)num(j, "UsernsBase", 0);
    r->restart_count = num(j, "RestartCount", 0);
    json_t *st = json_object_get(j, "State");
    r->state.status = str(st, "Status") ?: "";
    r->state.running = json_is_true(json_object_get(st, "Running"));
    r->state.paused =
        json_is_true(json_object_get(st, "Paused")) || strcmp(r->state.status, "paused") == 0;
    r->state.pid = num(st, "Pid", 0);
    r->state.exit_code = num(st, "ExitCode", 0);
    r->state.started_at = str(st, "StartedAt");
    r->state.finished_at = str(st, "FinishedAt");
    r->state.error = str(st, "Error");
    r->state.health = str(json_object_get(st, "Health"), "Status");
    json_t *c = json_object_get(j, "Config");
    r->config.tty = json_is_true(json_object_get(c, "Tty"));
    r->config.open_stdin = json_is_true(json_object_get(c, "OpenStdin"));
    /* a record from before StdinOnce was kept: a client's end of stdin
     * was always the container's */
    json_t *once = json_object_get(c, "StdinOnce");
    r->config.stdin_once = once ? json_is_true(once) : r->config.open_stdin;
    r->config.stop_signal = str(c, "StopSignal");
    r->config.stop_timeout = num(c, "StopTimeout", INT64_MIN);
    r->config.labels = json_object_get(c, "Labels");
    json_t *hc = json_object_get(j, "HostConfig");
    r->host.json = hc;
    r->host.auto_remove = json_is_true(json_object_get(hc, "AutoRemove"));
    r->host.network_mode = str(hc, "NetworkMode") ?: "none";
    r->host.restart_policy = json_object_get(hc, "RestartPolicy");
    r->host.log_config = json_object_get(hc, "LogConfig");
    r->mounts = json_object_get(j, "Mounts");
}

int ctr_rec_load(struct store *s, const char *id, bool refresh, struct ctr_rec *r, merr_t *err)
{
    memset(r, 0, sizeof(*r));
    json_t *j = refresh ? ctr_refresh(s, id, err) : ctr_load(s, id, err);
    if (!j)
        return -1;
    ctr_rec_view(j, r);
    json_decref(j);
    return 0;
}

void ctr_rec_free(struct ctr_rec *r)
{
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

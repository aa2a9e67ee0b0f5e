/* api_create.c: a container-create body's Config fields into run_opts
 * (see api_create.h); HostConfig and NetworkingConfig: api_create_hc.c. */
#include "api_create.h"
#include "api_create_int.h"
#include "../oci/healthcfg.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <stdlib.h>
#include <string.h>

const char *ac_keep(struct run_opts *o, char *s)
{
    json_t *made = json_object_get(o->keep, "made");
    json_t *j = json_string(s);
    free(s);
    if (!j) /* not UTF-8: the strings it was made of were */
        j = json_string("");
    json_array_append_new(made, j);
    return json_string_value(j);
}

/* Cmd and Entrypoint: a list of strings, or one string (Docker's
 * StrSlice) */
static int command(json_t *b, struct run_opts *o, merr_t *err)
{
    char **entry = NULL;
    if (aj_strv(b, "Cmd", "Cmd", true, &o->cmd, err) < 0 ||
        aj_strv(b, "Entrypoint", "Entrypoint", true, &entry, err) < 0) {
        strv_free(entry);
        return -1;
    }
    size_t n = strv_len(entry);
    if (n == 1) /* --entrypoint X ("" too: none of the image's) */
        o->entrypoint = ac_keep(o, xstrdup(entry[0]));
    if (n > 1)
        o->entry_argv = entry;
    else
        strv_free(entry); /* []: as not given, the image's */
    return 0;
}

/* Env: KEY=VALUE only (see api_create.h) */
static int env(json_t *b, struct run_opts *o, merr_t *err)
{
    char **all = NULL;
    if (aj_strv(b, "Env", "Env", false, &all, err) < 0) {
        strv_free(all);
        return -1;
    }
    for (size_t i = 0; all && all[i]; i++) {
        if (all[i][0] == '=') {
            aj_bad(err, "Env", "\"%.64s\": the name is empty", all[i]);
            strv_free(all);
            return -1;
        }
        if (strchr(all[i], '='))
            strv_push(&o->env, all[i]);
    }
    strv_free(all);
    return 0;
}

/* the strings of Config: WorkingDir, User, Hostname, Domainname, Image,
 * StopSignal, MacAddress (before 1.44) */
static int strings(json_t *b, struct run_opts *o, merr_t *err)
{
    const char *mac = NULL;
    if (aj_str(b, "Image", "Image", &o->image, err) < 0 ||
        aj_str(b, "WorkingDir", "WorkingDir", &o->workdir, err) < 0 ||
        aj_str(b, "User", "User", &o->user, err) < 0 ||
        aj_str(b, "Hostname", "Hostname", &o->hostname, err) < 0 ||
        aj_str(b, "Domainname", "Domainname", &o->domainname, err) < 0 ||
        aj_str(b, "StopSignal", "StopSignal", &o->stop_signal, err) < 0 ||
        aj_str(b, "MacAddress", "MacAddress", &mac, err) < 0)
        return -1;
    if (!o->image)
        return aj_bad(err, "Image", "the image to create the container from is required");
    if (o->workdir && o->workdir[0] != '/')
        return aj_bad(err, "WorkingDir", "\"%.256s\": must be an absolute path", o->workdir);
    if (o->stop_signal && !signal_parse(o->stop_signal))
        return aj_bad(err, "StopSignal", "\"%.64s\": not a signal", o->stop_signal);
    if (mac) {
        if (!o->endpoint)
            o->endpoint = json_object();
        json_object_set_new(o->endpoint, "MacAddress", json_string(mac));
    }
    return 0;
}

/* Tty, OpenStdin, Attach*, StdinOnce, StopTimeout, NetworkDisabled */
static int flags(json_t *b, struct run_opts *o, merr_t *err)
{
    bool in = false, out = false, er = false, once = false, nonet = false;
    int64_t t;
    if (aj_bool(b, "Tty", "Tty", &o->tty, err) < 0 ||
        aj_bool(b, "OpenStdin", "OpenStdin", &o->interactive, err) < 0 ||
        aj_bool(b, "AttachStdin", "AttachStdin", &in, err) < 0 ||
        aj_bool(b, "AttachStdout", "AttachStdout", &out, err) < 0 ||
        aj_bool(b, "AttachStderr", "AttachStderr", &er, err) < 0 ||
        aj_bool(b, "StdinOnce", "StdinOnce", &once, err) < 0 ||
        aj_bool(b, "NetworkDisabled", "NetworkDisabled", &nonet, err) < 0 ||
        aj_int(b, "StopTimeout", "StopTimeout", &t, err) < 0)
        return -1;
    /* what a later attach relays is the attach's to say; kept as -a */
    o->attach.in = in && o->interactive;
    o->stdin_once = once && o->interactive;
    o->attach.out = out;
    o->attach.err = er;
    o->attach.tty = o->tty;
    if (aj_get(b, "StopTimeout")) {
        if (t < -1 || t > 86400)
            return aj_bad(err, "StopTimeout", "must be from -1 to 86400 seconds");
        o->stop_timeout = t;
    }
    if (nonet) {
        if (!o->hc)
            o->hc = json_object();
        json_object_set_new(o->hc, "NetworkMode", json_string("none"));
    }
    return 0;
}

/* Healthcheck: checked as an image's is, then as --health-* */
static int health(json_t *b, struct run_opts *o, merr_t *err)
{
    json_t *j = aj_get(b, "Healthcheck");
    struct health_cfg c = {0};
    if (!j)
        return 0;
    if (health_cfg_from_json(j, "Healthcheck", &c, err) < 0)
        return -1;
    const char *neg = c.interval < 0         ? "Interval"
                      : c.timeout < 0        ? "Timeout"
                      : c.retries < 0        ? "Retries"
                      : c.start_period < 0   ? "StartPeriod"
                      : c.start_interval < 0 ? "StartInterval"
                                             : NULL;
    if (neg) {
        health_cfg_free(&c);
        return aj_bad(err, "Healthcheck", "%s cannot be negative", neg);
    }
    o->health_interval = c.interval;
    o->health_timeout = c.timeout;
    o->health_start_period = c.start_period;
    o->health_start_interval = c.start_interval;
    o->health_retries = c.retries;
    size_t n = strv_len(c.test);
    if (n && !strcmp(c.test[0], "NONE"))
        o->no_healthcheck = true;
    else if (n == 2 && !strcmp(c.test[0], "CMD-SHELL"))
        o->health_cmd = ac_keep(o, xstrdup(c.test[1]));
    else if (n) {
        o->health_test = c.test;
        c.test = NULL;
    }
    health_cfg_free(&c);
    return 0;
}

/* Labels, ExposedPorts */
static int meta(json_t *b, struct run_opts *o, merr_t *err)
{
    json_t *ports = aj_get(b, "ExposedPorts");
    const char *k;
    json_t *v;
    if (aj_kv(b, "Labels", "Labels", '=', &o->labels, err) < 0)
        return -1;
    if (ports && !json_is_object(ports))
        return aj_bad(err, "ExposedPorts", "must be an object of \"PORT/PROTOCOL\": {}");
    json_object_foreach(ports, k, v)
    {
        if (!o->exposed)
            o->exposed = json_object();
        if (ports_expose_parse(k, o->exposed, err) < 0)
            return err_wrap(err, "ExposedPorts");
    }
    return 0;
}

/* Volumes: an anonymous volume at each path no bind, mount or tmpfs
 * takes (as -v PATH) */
static int volumes(json_t *b, struct run_opts *o, merr_t *err)
{
    json_t *vols = aj_get(b, "Volumes"), *v;
    const char *k;
    if (vols && !json_is_object(vols))
        return aj_bad(err, "Volumes", "must be an object of \"PATH\": {}");
    json_object_foreach(vols, k, v)
    {
        bool taken = false;
        for (size_t i = 0; i < o->nmounts && !taken; i++)
            taken = !strcmp(o->mounts[i].dst, k);
        for (size_t i = 0; o->tmpfs && o->tmpfs[i] && !taken; i++) {
            size_t l = strcspn(o->tmpfs[i], ":");
            taken = strlen(k) == l && !strncmp(o->tmpfs[i], k, l);
        }
        if (taken)
            continue;
        struct mount_req m;
        if (k[0] != '/' || strchr(k, ':')) {
            return aj_bad(err, "Volumes", "\"%.256s\": must be an absolute path", k);
        }
        if (ctr_parse_volume(k, &m, err) < 0) {
            mount_req_free(&m);
            return err_wrap(err, "Volumes");
        }
        run_opts_add_mount(o, &m);
    }
    return 0;
}

int api_create_opts(json_t *body, const char *name, const char *api_version, struct run_opts *o,
                    merr_t *err)
{
    (void)api_version; /* 1.24 to 1.44 shapes are read alike */
    if (!json_is_object(body))
        return err_set(err, 0, "the request body must be a JSON object (the container's config)");
    json_t *b = json_deep_copy(body);
    o->keep = json_pack("{s:o,s:[]}", "body", b, "made");
    if (!o->keep)
        return err_set(err, 0, "internal error: cannot copy the request body");
    if (name && *name) {
        const char *n = name[0] == '/' ? name + 1 : name; /* Docker's leading / */
        if (!run_name_ok(n))
            return err_set(
                err, 0, "name \"%.140s\": letters, digits, _ . - (not first), at most 128", name);
        o->name = ac_keep(o, xstrdup(n));
    }
    json_t *hc = aj_get(b, "HostConfig");
    if (hc && !json_is_object(hc))
        return aj_bad(err, "HostConfig", "must be an object");
    if (strings(b, o, err) < 0 || command(b, o, err) < 0 || env(b, o, err) < 0 ||
        flags(b, o, err) < 0 || health(b, o, err) < 0 || meta(b, o, err) < 0 ||
        ac_hostconfig(hc, o, err) < 0 || ac_mounts(hc, o, err) < 0 || volumes(b, o, err) < 0 ||
        ac_networking(b, o, err) < 0)
        return -1;
    return 0;
}

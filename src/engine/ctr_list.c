/* ctr_list.c: the containers to list, and Docker's ps filters (see
 * ctr_list.h). */
#include "ctr_list.h"
#include "ctr.h"
#include "../util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ctr_rec_state(const struct ctr_rec *c)
{
    return *c->state.status ? c->state.status : "created";
}

static bool is_key(const char *f, size_t kl, const char *key)
{
    return kl == strlen(key) && strncmp(f, key, kl) == 0;
}

int ctr_filters_check(char **filters, merr_t *err)
{
    static const char *const keys[] = {"status", "name",   "id",      "ancestor", "exited",
                                       "label",  "health", "network", "publish",  "expose"};
    for (size_t i = 0; filters && filters[i]; i++) {
        const char *f = filters[i], *eq = strchr(f, '=');
        if (!eq)
            return err_set(err, 0, "--filter \"%s\": KEY=VALUE", f);
        size_t kl = (size_t)(eq - f), k = 0;
        while (k < ARRAY_SIZE(keys) && !is_key(f, kl, keys[k]))
            k++;
        if (k == ARRAY_SIZE(keys))
            return err_set(err, 0,
                           "--filter \"%.*s\": not a filter of ps (status, name, id, ancestor, "
                           "exited, label, health, network, publish, expose)",
                           (int)kl, f);
        const char *v = eq + 1;
        if (is_key(f, kl, "health") && strcmp(v, "starting") && strcmp(v, "healthy") &&
            strcmp(v, "unhealthy") && strcmp(v, "none"))
            return err_set(err, 0,
                           "--filter \"%s\": health is starting, healthy, unhealthy or none", f);
    }
    return 0;
}

static bool label_match(const struct ctr_rec *c, const char *v)
{
    cleanup_free char *key = xstrdup(v);
    char *want = strchr(key, '=');
    if (want)
        *want++ = 0;
    json_t *lv = json_object_get(c->config.labels, key);
    return lv && (!want || !strcmp(json_string_value(lv) ?: "", want));
}

/* PORT or PORT/PROTO (tcp when not said) among the keys of ports */
static bool port_key(json_t *ports, const char *v)
{
    cleanup_free char *k = strchr(v, '/') ? xstrdup(v) : xasprintf("%s/tcp", v);
    return json_object_get(ports, k) != NULL;
}

/* publish=PORT[/PROTO]: a host port it is published on */
static bool published(json_t *ports, const char *v)
{
    cleanup_free char *want = xstrdup(v);
    char *slash = strchr(want, '/');
    const char *proto = slash ? slash + 1 : "tcp";
    if (slash)
        *slash = 0;
    const char *k;
    json_t *b;
    json_object_foreach(ports, k, b)
    {
        const char *ks = strchr(k, '/');
        for (size_t i = 0; ks && !strcmp(ks + 1, proto) && i < json_array_size(b); i++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(b, i), "HostPort")) ?: "",
                        want))
                return true;
    }
    return false;
}

/* network=NAME or ID (a prefix of its id) */
static bool on_network(json_t *nets, const char *v)
{
    const char *k;
    json_t *e;
    json_object_foreach(nets, k, e)
    {
        const char *id = json_string_value(json_object_get(e, "NetworkID")) ?: "";
        if (!strcmp(k, v) || (*v && !strncmp(id, v, strlen(v))))
            return true;
    }
    return false;
}

static bool net_match(const struct ctr_rec *c, const char *f, size_t kl, const char *v)
{
    json_t *ns = json_object_get(c->json, "NetworkSettings");
    if (is_key(f, kl, "network"))
        return on_network(json_object_get(ns, "Networks"), v) || !strcmp(c->host.network_mode, v);
    if (is_key(f, kl, "publish"))
        return published(json_object_get(ns, "Ports"), v);
    return port_key(json_object_get(json_object_get(c->json, "Config"), "ExposedPorts"), v);
}

static bool one_match(const struct ctr_rec *c, const char *f, size_t kl, const char *v)
{
    const char *name = c->name ?: "";
    if (name[0] == '/')
        name++;
    if (is_key(f, kl, "status"))
        return !strcmp(ctr_rec_state(c), v);
    if (is_key(f, kl, "name"))
        return strstr(name, v) != NULL;
    if (is_key(f, kl, "id"))
        return !strncmp(c->id ?: "", v, strlen(v));
    if (is_key(f, kl, "ancestor"))
        return !strcmp(c->image_name ?: "", v);
    if (is_key(f, kl, "exited")) {
        char code[24];
        snprintf(code, sizeof(code), "%lld", (long long)c->state.exit_code);
        return !strcmp(c->state.status, "exited") && !strcmp(code, v);
    }
    if (is_key(f, kl, "health"))
        return !strcmp(c->state.health ? c->state.health : "none", v);
    if (is_key(f, kl, "network") || is_key(f, kl, "publish") || is_key(f, kl, "expose"))
        return net_match(c, f, kl, v);
    return is_key(f, kl, "label") && label_match(c, v);
}

bool ctr_filters_match(const struct ctr_rec *c, char **filters)
{
    for (size_t i = 0; filters && filters[i]; i++) {
        const char *eq = strchr(filters[i], '=');
        if (!eq || !one_match(c, filters[i], (size_t)(eq - filters[i]), eq + 1))
            return false;
    }
    return true;
}

static int by_created_desc(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    return strcmp(json_string_value(json_object_get(y, "Created")) ?: "",
                  json_string_value(json_object_get(x, "Created")) ?: "");
}

/* each container's record, refreshed, newest first (*n of them) */
static json_t **records(struct store *s, size_t *n)
{
    merr_t err = MERR_INIT;
    if (store_lock(s, &err) == 0) { /* what a killed `create` left */
        ctr_clean_partial(s);
        store_unlock(s);
    }
    err_clear(&err);
    char **ids = ctr_list(s);
    json_t **recs = xzalloc((strv_len(ids) + 1) * sizeof(json_t *));
    *n = 0;
    for (size_t i = 0; ids[i]; i++) {
        recs[*n] = ctr_refresh(s, ids[i], &err);
        err_clear(&err);
        *n += recs[*n] != NULL;
    }
    strv_free(ids);
    qsort(recs, *n, sizeof(json_t *), by_created_desc);
    return recs;
}

json_t *ctr_list_records(struct store *s, const struct ctr_list_opts *o, merr_t *err)
{
    if (ctr_filters_check(o->filters, err) < 0)
        return NULL;
    size_t n;
    json_t **recs = records(s, &n);
    json_t *out = json_array();
    bool all = o->all || o->last > 0;
    for (size_t i = 0; i < n; i++) {
        struct ctr_rec c;
        ctr_rec_view(recs[i], &c);
        const char *state = ctr_rec_state(&c);
        bool running =
            !strcmp(state, "running") || !strcmp(state, "restarting") || !strcmp(state, "paused");
        bool want = (all || running) && (o->last <= 0 || json_array_size(out) < (size_t)o->last);
        if (want && ctr_filters_match(&c, o->filters))
            json_array_append(out, recs[i]);
        ctr_rec_free(&c);
        json_decref(recs[i]);
    }
    free(recs);
    return out;
}

void ctr_status_text(const struct ctr_rec *c, char *status, size_t n)
{
    const char *state = ctr_rec_state(c);
    char d[48];
    if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0) {
        human_since(c->state.started_at, false, d, sizeof(d));
        /* Docker's suffix: paused, or the health check's */
        const char *h = c->state.health;
        if (state[0] == 'p')
            h = "Paused";
        snprintf(status, n, "Up %s%s%s%s", d, h ? " (" : "",
                 h ? (strcmp(h, "starting") == 0 ? "health: starting" : h) : "", h ? ")" : "");
    } else if (strcmp(state, "restarting") == 0) {
        human_since(c->state.finished_at, true, d, sizeof(d));
        snprintf(status, n, "Restarting (%lld) %s", (long long)c->state.exit_code, d);
    } else if (strcmp(state, "exited") == 0) {
        human_since(c->state.finished_at, true, d, sizeof(d));
        snprintf(status, n, "Exited (%lld) %s", (long long)c->state.exit_code, d);
    } else {
        snprintf(status, n, "Created");
    }
}

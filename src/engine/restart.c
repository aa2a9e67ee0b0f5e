/* restart.c: restart policies (see restart.h). */
#include "restart.h"
#include "ctr.h"
#include "ctr_rec.h"
#include "ctr_verbs.h"
#include "stores.h"
#include "../util/log.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int restart_parse(const char *spec, json_t **policy, merr_t *err)
{
    static const char *const names[] = {"no", "always", "unless-stopped", "on-failure"};
    const char *colon = strchr(spec, ':');
    size_t nl = colon ? (size_t)(colon - spec) : strlen(spec);
    int64_t max = 0;
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strlen(names[i]) != nl || strncmp(spec, names[i], nl) != 0)
            continue;
        if (colon && (i != 3 || parse_i64(colon + 1, &max) < 0 || max < 0 || max > 1000000))
            break;
        *policy = json_pack("{s:s,s:I}", "Name", names[i], "MaximumRetryCount", (json_int_t)max);
        return 0;
    }
    return err_set(
        err, 0, "--restart \"%s\": no, always, unless-stopped or on-failure[:MAX-RETRIES]", spec);
}

bool restart_wanted(json_t *rec, int code, int64_t count, bool manual)
{
    struct ctr_rec r;
    ctr_rec_view(rec, &r);
    json_t *p = r.host.restart_policy;
    const char *name = json_string_value(json_object_get(p, "Name")) ?: "no";
    int64_t max = json_integer_value(json_object_get(p, "MaximumRetryCount"));
    ctr_rec_free(&r); /* p: rec's, which the caller holds */
    if (manual || strcmp(name, "no") == 0)
        return false;
    if (strcmp(name, "on-failure") == 0)
        return code != 0 && (max == 0 || count < max);
    return true; /* always, unless-stopped */
}

unsigned restart_delay_ms(int64_t n)
{
    /* Docker's: 100 ms, doubled each time, at most a minute */
    unsigned d = 100;
    for (int64_t i = 0; i < n && d < 60000; i++)
        d *= 2;
    return d < 60000 ? d : 60000;
}

/* "stopped" in the container's directory: stop, kill or rm said so */
void restart_mark_manual(struct store *s, const char *id, bool on)
{
    cleanup_free char *p = xasprintf("containers/%s/stopped", id);
    if (!on) {
        unlinkat(s->fd, p, 0);
        return;
    }
    int fd = openat(s->fd, p, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
}

bool restart_manual(struct store *s, const char *id)
{
    cleanup_free char *p = xasprintf("containers/%s/stopped", id);
    return faccessat(s->fd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* at boot, in one store: what always and unless-stopped keep running */
static void boot_store(const char *root)
{
    struct store s;
    merr_t err = MERR_INIT;
    if (store_open(&s, root, &err) < 0) {
        log_warn("%s", err.msg);
        err_clear(&err);
        return;
    }
    char **ids = ctr_list(&s);
    for (size_t i = 0; ids[i]; i++) {
        struct ctr_rec r;
        if (ctr_rec_load(&s, ids[i], true, &r, &err) < 0) {
            log_warn("container %.12s: %s", ids[i], err.msg);
            err_clear(&err);
            continue;
        }
        const char *name =
            json_string_value(json_object_get(r.host.restart_policy, "Name")) ?: "no";
        bool running = r.state.running;
        bool want = !strcmp(name, "always") ||
                    (!strcmp(name, "unless-stopped") && !restart_manual(&s, ids[i]));
        ctr_rec_free(&r);
        int code = 0;
        if (want && !running && ctr_start(&s, ids[i], NULL, &code, &err) == 0)
            printf("%s\n", ids[i]);
        if (err.msg)
            log_warn("container %.12s: %s", ids[i], err.msg);
        err_clear(&err);
    }
    strv_free(ids);
    store_close(&s);
}

int restart_at_boot(const char *root)
{
    if (root) {
        boot_store(root);
        return 0;
    }
    boot_store(STORE_DEFAULT_ROOT);
    char **stores = stores_list();
    for (size_t i = 0; stores[i]; i++) {
        int fd = stores_open(stores[i]); /* only a root's store counts */
        if (fd < 0 || strcmp(stores[i], STORE_DEFAULT_ROOT) == 0) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        close(fd);
        boot_store(stores[i]);
    }
    strv_free(stores);
    return 0;
}

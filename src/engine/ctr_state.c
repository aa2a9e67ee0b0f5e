/* ctr_state.c: rename, pause and unpause (see ctr_state.h). */
#include "ctr_state.h"
#include "ctr_rec.h"
#include "ctr.h"
#include "events.h"
#include "../runtime/runtime.h"
#include "../util/util.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

bool ctr_name_ok(const char *n)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t len = strlen(n);
    return len >= 2 && len <= 128 && strchr(alnum, n[0]) &&
           strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

int ctr_rename(struct store *s, const char *id, const char *name, merr_t *err)
{
    if (!ctr_name_ok(name))
        return err_set(err, EINVAL,
                       "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                       name);
    if (store_lock(s, err) < 0)
        return -1;
    int ret = -1;
    json_t *rec = NULL;
    char *was = NULL;
    char other[16];
    /* under the store lock: a create (which checks names under it too)
     * cannot take the name meanwhile */
    int rl = ctr_record_lock(s, id);
    if (rl < 0) {
        err_set(err, 0, "no such container: %.12s", id);
        goto out;
    }
    if (!(rec = ctr_load(s, id, err)))
        goto out;
    const char *old = json_string_value(json_object_get(rec, "Name")) ?: "";
    if (strcmp(old, name) == 0) {
        err_set(err, 0, "Renaming a container with the same name as its current name");
        goto out;
    }
    if (ctr_first(s, ctr_named, name, other, sizeof(other))) {
        char full[65];
        merr_t e = MERR_INIT;
        if (ctr_find(s, other, full, &e) < 0)
            snprintf(full, sizeof(full), "%s", other);
        err_clear(&e);
        err_set(err, 0,
                "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                "You have to remove (or rename) that container to be able to reuse that name.",
                name, full);
        goto out;
    }
    was = xasprintf("/%s", old);
    json_object_set_new(rec, "Name", json_string(name));
    ret = ctr_save(s, id, rec, err);
out:
    if (rl >= 0)
        close(rl);
    store_unlock(s);
    /* after the locks: the record's is held with no other */
    if (ret == 0)
        events_container(s, id, rec, "rename", json_pack("{s:s}", "oldName", was));
    free(was);
    json_decref(rec);
    return ret;
}

bool ctr_paused(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    enum cstatus st;
    cleanup_close int rootfd = ctr_runtime_rootfd(s, &e);
    if (rootfd < 0 || rt_status(rootfd, id, &st, &e) < 0) {
        err_clear(&e);
        return false;
    }
    return st == CS_PAUSED;
}

void ctr_mark_paused(struct store *s, const char *id, json_t *rec)
{
    json_t *st = json_object_get(rec, "State");
    if (json_is_true(json_object_get(st, "Running")) && ctr_paused(s, id))
        json_object_set_new(st, "Status", json_string("paused"));
}

int ctr_pause(struct store *s, const char *id, bool pause, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running, paused = r.state.paused;
    ctr_rec_free(&r);
    /* Docker's words */
    if (!running)
        return err_set(err, 0, "container %s is not running", id);
    if (pause && paused)
        return err_set(err, 0, "container %s is already paused", id);
    if (!pause && !paused)
        return err_set(err, 0, "container %s is not paused", id);
    int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return -1;
    int ret = op_pause(rootfd, id, pause, err);
    close(rootfd);
    if (ret == 0)
        events_container(s, id, NULL, pause ? "pause" : "unpause", NULL);
    return ret;
}

void ctr_thaw(struct store *s, const char *id)
{
    merr_t e = MERR_INIT;
    int rootfd = ctr_paused(s, id) ? ctr_runtime_rootfd(s, &e) : -1;
    if (rootfd >= 0) {
        op_pause(rootfd, id, false, &e);
        close(rootfd);
    }
    err_clear(&e);
}

/* info.c: what the engine and the CLI learn of existing containers
 * without taking their lock (runtime.h): the list, a status, the init's
 * pidfd, the cgroups. */
#include "runtime.h"
#include "intent.h"
#include "ops.h"
#include "state.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rt_info *rt_list(int rootfd, size_t *n)
{
    char **ids = state_list(rootfd);
    struct rt_info *v = xzalloc((strv_len(ids) + 1) * sizeof(*v));
    *n = 0;
    for (size_t i = 0; ids[i]; i++) {
        struct handle h;
        merr_t err = MERR_INIT;
        if (handle_peek(rootfd, ids[i], &h, &err) < 0) {
            /* not a container (runc's list skips these too): a create at
             * work, or what a killed one left, which goes now */
            if (err.errnum == ENOENT)
                intent_clean(rootfd, ids[i], NULL);
            err_clear(&err);
            continue;
        }
        struct rt_info *e = &v[(*n)++];
        e->status = h.status;
        e->pid = h.status == CS_STOPPED ? 0 : h.st.pid;
        e->owner = h.st.owner;
        e->id = h.st.id;
        e->bundle = h.st.bundle;
        e->rootfs = h.st.rootfs;
        e->created = h.st.created;
        h.st.id = h.st.bundle = h.st.rootfs = h.st.created = NULL;
        handle_close(&h);
    }
    strv_free(ids);
    return v;
}

void rt_list_free(struct rt_info *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].id);
        free(v[i].bundle);
        free(v[i].rootfs);
        free(v[i].created);
    }
    free(v);
}

char *rt_info_json(const struct rt_info *i)
{
    struct state st = {.id = i->id,
                       .pid = i->pid,
                       .bundle = i->bundle,
                       .rootfs = i->rootfs,
                       .created = i->created,
                       .owner = i->owner};
    return state_to_json(&st, i->status, NULL);
}

int rt_status(int rootfd, const char *id, enum cstatus *out, merr_t *err)
{
    struct handle h;
    if (handle_peek(rootfd, id, &h, err) < 0)
        return -1;
    *out = h.status;
    handle_close(&h);
    return 0;
}

int rt_pidfd(int rootfd, const char *id, pid_t *pid, merr_t *err)
{
    struct handle h;
    if (handle_peek(rootfd, id, &h, err) < 0)
        return -1;
    int fd = handle_pidfd(&h, err);
    *pid = h.st.pid;
    handle_close(&h);
    return fd;
}

int rt_cgroup(int rootfd, const char *id, struct cg_host *host, struct cg *cg, merr_t *err)
{
    struct handle h;
    if (handle_peek(rootfd, id, &h, err) < 0)
        return -1;
    int r = cg_detect(host, err);
    if (r == 0)
        cg_from_dirs(host, h.st.cgroup_dirs, strv_len(h.st.cgroup_dirs), cg);
    handle_close(&h);
    return r;
}

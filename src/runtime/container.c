/* container.c: the container object of runtime.h, for the callers that
 * create and run containers (the CLI's create and run, the engine's
 * monitor): made from a config, created, waited for, destroyed. */
#include "container.h"
#include "ops.h"
#include "handler/vm.h"
#include "../util/fs.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The vm handler (run.oci.handler=vm): what is created is the sandbox
 * that runs the VM, and its config is what the state keeps. */
static int vm_handler(struct container *c, merr_t *err)
{
    char *text = NULL, *root = NULL;
    const char *h = spec_annotation(c->spec, RT_HANDLER_KEY);
    if (!h || strcmp(h, RT_HANDLER_VM) != 0) /* the start of every other container: nothing */
        return 0;
    if (vm_prepare(c->spec, c->st.config, c->st.config_len, c->rootfs, &text, &root, err) < 0)
        return -1;
    if (!text)
        return 0;
    free(c->st.config);
    c->st.config = text;
    c->st.config_len = strlen(text);
    free(c->rootfs);
    c->rootfs = root;
    spec_free(c->spec);
    c->spec = NULL;
    return spec_parse(c->st.config, c->st.config_len, "config.json (the VM's sandbox)", &c->spec,
                      err);
}

int rt_new(const struct rt_create_opts *o, struct container **out, merr_t *err)
{
    struct container *c = xzalloc(sizeof(*c));
    container_init_fds(c);
    c->o = *o;
    c->st.id = xstrdup(o->id);
    c->o.id = c->st.id;
    c->o.bundle = c->o.rootfs = c->o.config = NULL;
    c->o.config_len = 0;
    c->bundle = xstrdup(o->bundle);
    /* kept as given: it is saved with the state */
    c->st.config = xmalloc(o->config_len + 1);
    if (o->config_len)
        memcpy(c->st.config, o->config, o->config_len);
    c->st.config[o->config_len] = 0;
    c->st.config_len = o->config_len;
    if (spec_parse(c->st.config, c->st.config_len, "config.json", &c->spec, err) < 0) {
        rt_free(c);
        *out = NULL;
        return -1;
    }
    if (o->rootfs)
        c->rootfs = xstrdup(o->rootfs);
    else
        c->rootfs = c->spec->root_path[0] == '/'
                        ? xstrdup(c->spec->root_path)
                        : xasprintf("%s/%s", c->bundle, c->spec->root_path);
    if (vm_handler(c, err) < 0) {
        rt_free(c);
        *out = NULL;
        return -1;
    }
    *out = c;
    return 0;
}

int rt_create(struct container *c, int rootfd, merr_t *err)
{
    c->rootfd = rootfd;
    int r = container_create(c, err);
    /* the caller's: the runtime has mounted them (or failed) */
    c->o.mount_srcs = NULL;
    c->o.n_mount_srcs = 0;
    if (r < 0)
        return -1;
    /* the state is recorded: unlock it, other commands may act now */
    close_fd(&c->statefd);
    if (c->o.mode != RUN_CREATE) {
        cleanup_free char *state = container_state_json(c, CS_RUNNING);
        run_poststart(c->spec, state);
    }
    return 0;
}

pid_t rt_pid(const struct container *c)
{
    return c->host_pid;
}

int rt_console(struct container *c, merr_t *err)
{
    if (c->console_peer < 0)
        return err_set(err, EINVAL, "container \"%s\": no terminal to receive", c->o.id);
    int master = unix_recv_fd(c->console_peer, err);
    close_fd(&c->console_peer); /* once: rt_wait does not wait for another */
    return master;
}

int rt_destroy(struct container *c, merr_t *err)
{
    struct handle h;
    merr_t e = MERR_INIT;
    if (handle_open(c->rootfd, c->o.id, &h, &e) < 0) {
        err_clear(&e); /* deleted meanwhile */
        return 0;
    }
    handle_adopt(&h, c);
    int r = container_destroy(c->rootfd, &h, err);
    handle_close(&h);
    return r;
}

void rt_free(struct container *c)
{
    if (!c)
        return;
    container_release(c);
    free(c);
}

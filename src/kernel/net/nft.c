/* nft.c: libnftables' text interface (nft.h). The text goes in as one
 * buffer, which libnftables sends to the kernel as one netlink batch: the
 * kernel commits all of it or none.
 *
 * libnftables is loaded with dlopen by nft_prepare, not linked: with its
 * own libraries (libnftnl, libxtables, libgmp) and its parser it costs
 * moat-net some 10 ms to load, which the requests that do not apply a
 * whole ruleset (a container's setup and teardown) do not pay. */
#include "nft.h"
#include "../../util/util.h"

#include <dlfcn.h>
#include <nftables/libnftables.h>
#include <string.h>

/* the soname of libnftables 0.9.x to 1.1.x (Debian 12's libnftables1) */
#define NFT_LIB "libnftables.so.1"

static struct {
    void *handle;
    struct nft_ctx *(*ctx_new)(uint32_t flags);
    void (*ctx_free)(struct nft_ctx *ctx);
    int (*buffer_output)(struct nft_ctx *ctx);
    int (*buffer_error)(struct nft_ctx *ctx);
    const char *(*get_error_buffer)(struct nft_ctx *ctx);
    int (*run_cmd_from_buffer)(struct nft_ctx *nft, const char *buf);
} lib;

static void *sym(const char *name, merr_t *err)
{
    void *f = dlsym(lib.handle, name);
    if (!f)
        err_set(err, 0, "%s: no symbol %s", NFT_LIB, name);
    return f;
}

static int load(merr_t *err)
{
    if (lib.handle)
        return 0;
    lib.handle = dlopen(NFT_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!lib.handle)
        return err_set(err, 0, "load %s: %s", NFT_LIB, dlerror());
    if (!(*(void **)&lib.ctx_new = sym("nft_ctx_new", err)) ||
        !(*(void **)&lib.ctx_free = sym("nft_ctx_free", err)) ||
        !(*(void **)&lib.buffer_output = sym("nft_ctx_buffer_output", err)) ||
        !(*(void **)&lib.buffer_error = sym("nft_ctx_buffer_error", err)) ||
        !(*(void **)&lib.get_error_buffer = sym("nft_ctx_get_error_buffer", err)) ||
        !(*(void **)&lib.run_cmd_from_buffer = sym("nft_run_cmd_from_buffer", err))) {
        dlclose(lib.handle);
        lib.handle = NULL;
        return -1;
    }
    return 0;
}

/* Remove both tables whatever their state: `add` of an existing table
 * changes nothing, so the `delete` that follows always finds it. (nft
 * 1.0.6 has no `destroy`.) */
static const char drop_tables[] = "add table inet moat; delete table inet moat; "
                                  "add table bridge moat; delete table bridge moat\n";

/* libnftables' errors on one line: its "Error: ..." lines. The lines under
 * each are left out: for a buffer, libnftables 1.0.6 gives no location
 * and always shows the buffer's first line there, whatever the rule. */
static void error_line(struct sbuf *b, const char *buf)
{
    const char *sep = "";
    while (buf && *buf) {
        const char *nl = strchr(buf, '\n');
        size_t n = nl ? (size_t)(nl - buf) : strlen(buf);
        if (memmem(buf, n, "Error:", 6)) {
            sbuf_puts(b, sep);
            sbuf_add(b, buf, n);
            sep = "; ";
        }
        buf = nl ? nl + 1 : NULL;
    }
    if (!*sep)
        sbuf_puts(b, "no message from libnftables");
}

/* the context nft_prepare made, with its netlink socket */
static struct nft_ctx *ready;

static struct nft_ctx *new_ctx(const char *what, merr_t *err)
{
    if (load(err) < 0)
        return err_wrap(err, "%s", what), NULL;
    struct nft_ctx *ctx = lib.ctx_new(NFT_CTX_DEFAULT);
    if (!ctx)
        return err_set(err, 0, "%s: libnftables could not make a context", what), NULL;
    if (lib.buffer_output(ctx) < 0 || lib.buffer_error(ctx) < 0) {
        lib.ctx_free(ctx);
        return err_set(err, 0, "%s: libnftables could not buffer its output", what), NULL;
    }
    return ctx;
}

int nft_prepare(merr_t *err)
{
    if (!ready)
        ready = new_ctx("nftables", err);
    return ready ? 0 : -1;
}

static int run(const char *text, const char *what, merr_t *err)
{
    struct nft_ctx *ctx = ready ? ready : new_ctx(what, err);
    if (!ctx)
        return -1;
    int r = 0;
    if (lib.run_cmd_from_buffer(ctx, text) != 0) {
        struct sbuf b = {0};
        error_line(&b, lib.get_error_buffer(ctx));
        cleanup_free char *msg = sbuf_steal(&b);
        r = err_set(err, 0, "%s: %s", what, msg);
    }
    if (ctx != ready)
        lib.ctx_free(ctx);
    return r;
}

int nft_apply(const char *tables, merr_t *err)
{
    cleanup_free char *text = xasprintf("%s%s", drop_tables, tables);
    return run(text, "applying moat's nftables tables", err);
}

int nft_remove(merr_t *err)
{
    return run(drop_tables, "removing moat's nftables tables", err);
}

/* cmd_attach.c: moat attach. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"

#include <stdlib.h>

enum { A_KEYS = 1, A_NOSTDIN, A_SIGPROXY };

const struct cmd_flags attach_flags = {
    "attach",
    "[OPTIONS] CONTAINER",
    "Attach local standard input, output, and error streams to a running container",
    (const struct flag[]){
        {"detach-keys", 0, "string", "Override the key sequence for detaching a container", A_KEYS},
        {"no-stdin", 0, NULL, "Do not attach STDIN", A_NOSTDIN},
        {"sig-proxy", 0, NULL, "Proxy all received signals to the process (default true)",
         A_SIGPROXY},
        {0},
    },
    true,
    1,
    1};

struct attach_ctx {
    struct attach_opts ao;
    const char *keys;
};

static int on_attach(struct flags_it *it, int f, void *ctx)
{
    struct attach_ctx *c = ctx;
    if (f == A_KEYS)
        c->keys = it->val;
    else if (f == A_NOSTDIN)
        c->ao.in = !flags_bool(it);
    else if (f == A_SIGPROXY)
        c->ao.sig_proxy = flags_bool(it);
    return 0;
}

int engine_attach(const struct global *g, int argc, char **argv)
{
    struct attach_ctx c = {.ao = {.in = true, .out = true, .err = true, .sig_proxy = true}};
    struct flags_it it;
    flags_begin(&it, &attach_flags, argc, argv);
    int r = flags_parse(&it, on_attach, &c);
    if (r != FLAGS_DONE)
        return r;
    merr_t err = MERR_INIT;
    if (keyseq_parse(c.keys, &c.ao.keys, &err) < 0) {
        flags_error(&it, "%s", err.msg);
        err_clear(&err);
        return EXIT_ENGINE;
    }
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    char id[65];
    int code = EXIT_ENGINE;
    if (ctr_find(&s, it.args[0], id, &err) < 0 ||
        (r = ctr_attach(&s, id, &c.ao, &code, &err)) < 0) {
        cli_fail(&err);
        code = EXIT_ENGINE;
    } else if (r == ATTACH_DETACHED) {
        code = 0;
    }
    store_close(&s);
    return code;
}

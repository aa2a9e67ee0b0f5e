/* cmd_ctrstate.c: the engine's rename, pause, unpause and diff. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"

#include <stdio.h>
#include <string.h>

const struct cmd_flags rename_flags = {
    "rename", "CONTAINER NEW_NAME", "Rename a container", (const struct flag[]){{0}}, true, 2, 2};

int engine_rename(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &rename_flags, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[65];
    r = 0;
    if (ctr_find(&s, it.args[0], id, &err) < 0 || ctr_rename(&s, id, it.args[1], &err) < 0) {
        cli_fail(&err);
        r = EXIT_ENGINE;
    }
    store_close(&s);
    return r;
}

const struct cmd_flags pause_flags = {"pause",
                                      "CONTAINER [CONTAINER...]",
                                      "Pause all processes within one or more containers",
                                      (const struct flag[]){{0}},
                                      true,
                                      1,
                                      -1};
const struct cmd_flags unpause_flags = {"unpause",
                                        "CONTAINER [CONTAINER...]",
                                        "Unpause all processes within one or more containers",
                                        (const struct flag[]){{0}},
                                        true,
                                        1,
                                        -1};

/* each container named, in order; a failure is said and the rest go on */
static int pause_all(const struct global *g, const struct cmd_flags *t, bool pause, int argc,
                     char **argv)
{
    struct flags_it it;
    flags_begin(&it, t, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    r = 0;
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        char id[65];
        if (ctr_find(&s, it.args[i], id, &err) < 0 || ctr_pause(&s, id, pause, &err) < 0) {
            cli_fail(&err);
            r = EXIT_ENGINE;
        } else {
            printf("%s\n", it.args[i]);
        }
    }
    store_close(&s);
    return r;
}

int engine_pause(const struct global *g, int argc, char **argv)
{
    return pause_all(g, &pause_flags, true, argc, argv);
}

int engine_unpause(const struct global *g, int argc, char **argv)
{
    return pause_all(g, &unpause_flags, false, argc, argv);
}

const struct cmd_flags diff_flags = {
    "diff",
    "CONTAINER",
    "Inspect changes to files or directories on a container's filesystem",
    (const struct flag[]){{0}},
    true,
    1,
    1};

static void print_change(int kind, const char *path, void *ctx)
{
    (void)ctx;
    printf("%c %s\n", "CAD"[kind], path);
}

int engine_diff(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &diff_flags, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[65];
    r = 0;
    if (ctr_find(&s, it.args[0], id, &err) < 0 || ctr_diff(&s, id, print_change, NULL, &err) < 0) {
        cli_fail(&err);
        r = EXIT_ENGINE;
    }
    store_close(&s);
    return r;
}

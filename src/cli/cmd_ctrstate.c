/* cmd_ctrstate.c: the engine's rename, pause, unpause and diff. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"

#include <stdio.h>
#include <string.h>

const struct cmd_flags rename_flags = {
    "rename", "CONTAINER NEW_NAME", "Rename a container", (const struct flag[]){{0}}, true, 2, 2};

/* the arguments of a command whose table takes no flags (as parsed:
 * it->args), or FLAGS_DONE's alternative, the exit status */
static int no_flags(struct flags_it *it, const struct cmd_flags *t, int argc, char **argv)
{
    flags_begin(it, t, argc, argv);
    return flags_parse(it, NULL, NULL);
}

static int do_rename(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    (void)arg;
    return ctr_rename(s, id, ctx, err);
}

int engine_rename(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    int r = no_flags(&it, &rename_flags, argc, argv);
    return r != FLAGS_DONE ? r : cli_each_ctr(g, it.args, 1, do_rename, it.args[1], EXIT_ENGINE);
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

static int do_pause(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    if (ctr_pause(s, id, *(bool *)ctx, err) < 0)
        return -1;
    printf("%s\n", arg);
    return 0;
}

/* each container named, in order; a failure is said and the rest go on */
static int pause_all(const struct global *g, const struct cmd_flags *t, bool pause, int argc,
                     char **argv)
{
    struct flags_it it;
    int r = no_flags(&it, t, argc, argv);
    return r != FLAGS_DONE ? r : cli_each_ctr(g, it.args, it.nargs, do_pause, &pause, EXIT_ENGINE);
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

static int do_diff(struct store *s, const char *id, const char *arg, void *ctx, merr_t *err)
{
    (void)arg;
    (void)ctx;
    return ctr_diff(s, id, print_change, NULL, err);
}

int engine_diff(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    int r = no_flags(&it, &diff_flags, argc, argv);
    return r != FLAGS_DONE ? r : cli_each_ctr(g, it.args, 1, do_diff, NULL, EXIT_ENGINE);
}

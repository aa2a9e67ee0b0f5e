/* cmd_tar.c: export and commit: a container's files as a tar or an image. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_OUTPUT = 1, F_AUTHOR, F_CHANGE, F_MESSAGE, F_PAUSE };

const struct cmd_flags export_flags = {
    "export",
    "[OPTIONS] CONTAINER",
    "Export a container's filesystem as a tar archive",
    (const struct flag[]){
        {"output", 'o', "string", "Write to a file, instead of STDOUT", F_OUTPUT},
        {0},
    },
    true,
    1,
    1};

static int on_export(struct flags_it *it, int f, void *ctx)
{
    if (f == F_OUTPUT)
        *(const char **)ctx = it->val;
    return 0;
}

int engine_export(const struct global *g, int argc, char **argv)
{
    const char *output = NULL;
    struct flags_it it;
    flags_begin(&it, &export_flags, argc, argv);
    int r = flags_parse(&it, on_export, &output);
    if (r != FLAGS_DONE)
        return r;
    if (output && !*output)
        return flags_error(&it, "--output: an empty file name"), EXIT_ENGINE;
    if (!output && isatty(1)) {
        merr_t e = MERR_INIT;
        err_set(&e, 0, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        cli_fail(&e);
        return EXIT_ENGINE;
    }
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    /* a reader that goes away is an error of the write, not a kill */
    signal(SIGPIPE, SIG_IGN);
    merr_t err = MERR_INIT;
    char *tmp = NULL;
    int fd = output ? cli_out_open(output, &tmp, &err) : 1;
    int ret = fd < 0 ? -1 : ctr_export(&s, it.args[0], fd, &err);
    if (output && fd >= 0 && cli_out_finish(fd, output, tmp, ret == 0, &err) < 0)
        ret = -1;
    store_close(&s);
    if (ret < 0) {
        cli_fail(&err);
        return EXIT_ENGINE;
    }
    return 0;
}

const struct cmd_flags commit_flags = {
    "commit",
    "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    "Create a new image from a container's changes",
    (const struct flag[]){
        {"author", 'a', "string", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")",
         F_AUTHOR},
        {"change", 'c', "list", "Apply Dockerfile instruction to the created image", F_CHANGE},
        {"message", 'm', "string", "Commit message", F_MESSAGE},
        {"pause", 'p', NULL, "Pause container during commit (default true)", F_PAUSE},
        {0},
    },
    true,
    1,
    2};

struct commit_v {
    struct commit_opts o;
    char **changes;
};

static int on_commit(struct flags_it *it, int f, void *ctx)
{
    struct commit_v *v = ctx;
    if (f == F_AUTHOR)
        v->o.author = it->val;
    else if (f == F_MESSAGE)
        v->o.message = it->val;
    else if (f == F_PAUSE)
        v->o.pause = flags_bool(it);
    else if (f == F_CHANGE) {
        v->changes = xrealloc(v->changes, (v->o.nchanges + 2) * sizeof(char *));
        v->changes[v->o.nchanges++] = xstrdup(it->val);
        v->changes[v->o.nchanges] = NULL;
    }
    return 0;
}

int engine_commit(const struct global *g, int argc, char **argv)
{
    struct commit_v v = {.o = {.pause = true}};
    struct flags_it it;
    flags_begin(&it, &commit_flags, argc, argv);
    int r = flags_parse(&it, on_commit, &v);
    if (r != FLAGS_DONE) {
        strv_free(v.changes);
        return r;
    }
    v.o.changes = v.changes;
    v.o.ref = it.nargs > 1 ? it.args[1] : NULL;
    struct store s;
    if (cli_store(g, &s) < 0) {
        strv_free(v.changes);
        return EXIT_ENGINE;
    }
    merr_t err = MERR_INIT;
    char id[72];
    int ret = 0;
    if (ctr_commit(&s, it.args[0], &v.o, id, &err) < 0) {
        cli_fail(&err);
        ret = EXIT_ENGINE;
    } else {
        printf("%s\n", id);
    }
    store_close(&s);
    strv_free(v.changes);
    return ret;
}

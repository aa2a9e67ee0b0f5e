/* cmd_volume.c: named volumes (the store's volumes/NAME/_data): volume
 * create, ls, inspect, rm, prune. `run -v NAME:/path` creates one too. */
#include "cli.h"
#include "flags.h"
#include "../engine/engine.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_QUIET = 1, F_FORCE, F_ALL, F_FORMAT, F_DRIVER };

struct vflags {
    bool quiet, force, all;
    const char *format;
};

static int on_flag(struct flags_it *it, int f, void *ctx)
{
    struct vflags *v = ctx;
    if (f == F_QUIET)
        v->quiet = flags_bool(it);
    else if (f == F_FORCE)
        v->force = flags_bool(it);
    else if (f == F_ALL)
        v->all = flags_bool(it);
    else if (f == F_FORMAT)
        v->format = it->val;
    else if (f == F_DRIVER && strcmp(it->val, "local") != 0)
        return flags_error(it, "--driver \"%s\": moat has the local driver only", it->val), -1;
    return 0;
}

const struct cmd_flags vol_create_flags = {
    "volume create",
    "[OPTIONS] [VOLUME]",
    "Create a volume",
    (const struct flag[]){
        {"driver", 'd', "string", "Specify volume driver name (local)", F_DRIVER},
        {0},
    },
    true,
    1,
    1};

static int vol_create(struct store *s, struct flags_it *it)
{
    merr_t err = MERR_INIT;
    const char *name = it->args[0];
    if (!volume_name_ok(name))
        return flags_error(it, "\"%s\": letters, digits, _ . - (not first), at most 128", name),
               EXIT_ENGINE;
    bool created;
    int ret = 0;
    if (store_lock(s, &err) < 0 || volume_ensure(s, name, false, &created, &err) < 0)
        ret = cli_fail(&err);
    else
        printf("%s\n", name);
    store_unlock(s);
    return ret;
}

const struct cmd_flags vol_ls_flags = {
    "volume ls",
    "[OPTIONS]",
    "List volumes",
    (const struct flag[]){
        {"format", 0, "string", "Format output using a Go template, or 'json'", F_FORMAT},
        {"quiet", 'q', NULL, "Only display volume names", F_QUIET},
        {0},
    },
    true,
    0,
    0};

static int vol_ls(struct store *s, struct flags_it *it, const struct vflags *v)
{
    (void)it;
    char **names = volume_names(s);
    int ret = 0;
    if (v->format) {
        json_t *all = json_array();
        for (size_t i = 0; names[i]; i++)
            json_array_append_new(all, json_pack("{s:s,s:s}", "Driver", "local", "Name", names[i]));
        ret = cli_print_objects(all, v->format);
        json_decref(all);
    } else {
        if (!v->quiet)
            printf("%-10s %s\n", "DRIVER", "VOLUME NAME");
        for (size_t i = 0; names[i]; i++)
            printf(v->quiet ? "%s%s\n" : "%-10s %s\n", v->quiet ? "" : "local", names[i]);
    }
    strv_free(names);
    return ret;
}

const struct cmd_flags vol_inspect_flags = {
    "volume inspect",
    "[OPTIONS] VOLUME [VOLUME...]",
    "Display detailed information on one or more volumes",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a Go template, or 'json'", F_FORMAT},
        {0},
    },
    true,
    1,
    -1};

static int vol_inspect(struct store *s, struct flags_it *it, const struct vflags *v)
{
    json_t *out = json_array();
    int ret = 0;
    for (size_t i = 0; i < it->nargs; i++) {
        merr_t err = MERR_INIT;
        json_t *o = volume_inspect(s, it->args[i], &err);
        if (!o)
            ret = cli_fail(&err);
        else
            json_array_append_new(out, o);
    }
    int pr = cli_print_objects(out, v->format);
    json_decref(out);
    return pr ? pr : ret;
}

const struct cmd_flags vol_rm_flags = {
    "volume rm",
    "[OPTIONS] VOLUME [VOLUME...]",
    "Remove one or more volumes",
    (const struct flag[]){
        {"force", 'f', NULL, "Force the removal of one or more volumes", F_FORCE},
        {0},
    },
    true,
    1,
    -1};

static int vol_rm(struct store *s, struct flags_it *it, const struct vflags *v)
{
    int ret = 0;
    for (size_t i = 0; i < it->nargs; i++) {
        merr_t err = MERR_INIT;
        if (volume_remove(s, it->args[i], v->force, &err) < 0) {
            if (!err.msg)
                err_set(&err, 0, "no such volume: %s", it->args[i]);
            ret = cli_fail(&err);
        } else {
            printf("%s\n", it->args[i]);
        }
    }
    return ret;
}

const struct cmd_flags vol_prune_flags = {
    "volume prune",
    "[OPTIONS]",
    "Remove unused local volumes",
    (const struct flag[]){
        {"all", 'a', NULL, "Remove all unused volumes, not just anonymous ones", F_ALL},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {0},
    },
    true,
    0,
    0};

/* Docker's: anonymous volumes only (run -v /path, an image's VOLUME),
 * unless --all */
static int vol_prune(struct store *s, struct flags_it *it, const struct vflags *v)
{
    (void)it;
    if (!v->force &&
        !flags_confirm(v->all ? "WARNING! This will remove all local volumes not used by at least "
                                "one container."
                              : "WARNING! This will remove anonymous local volumes not used by at "
                                "least one container."))
        return 0;
    json_t *deleted = json_array();
    uint64_t freed = 0;
    prune_volumes(s, v->all, deleted, &freed);
    printf("Deleted Volumes:\n");
    size_t i;
    json_t *n;
    json_array_foreach(deleted, i, n)
    {
        printf("%s\n", json_string_value(n));
    }
    json_decref(deleted);
    char sz[24];
    human_bytes(freed, false, sz, sizeof(sz));
    printf("\nTotal reclaimed space: %s\n", sz);
    return 0;
}

struct sub {
    const char *name, *alias;
    const struct cmd_flags *flags;
    int (*fn)(struct store *, struct flags_it *, const struct vflags *);
};

static int vol_create_any(struct store *s, struct flags_it *it, const struct vflags *v)
{
    (void)v;
    return vol_create(s, it);
}

static const struct sub subs[] = {
    {"create", NULL, &vol_create_flags, vol_create_any}, {"ls", "list", &vol_ls_flags, vol_ls},
    {"inspect", NULL, &vol_inspect_flags, vol_inspect},  {"rm", "remove", &vol_rm_flags, vol_rm},
    {"prune", NULL, &vol_prune_flags, vol_prune},
};

int engine_volume(const struct global *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("\nUsage:  moat volume COMMAND\n\nManage volumes\n\nCommands:\n");
        for (size_t i = 0; i < ARRAY_SIZE(subs); i++)
            printf("  %-10s %s\n", subs[i].name, subs[i].flags->summary);
        return argc < 2 ? EXIT_ENGINE : 0;
    }
    const struct sub *sc = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(subs) && !sc; i++)
        if (strcmp(argv[1], subs[i].name) == 0 ||
            (subs[i].alias && !strcmp(argv[1], subs[i].alias)))
            sc = &subs[i];
    if (!sc) {
        cli_usage_error("volume", "unknown command \"%s\"", argv[1]);
        return EXIT_ENGINE;
    }
    struct vflags v = {0};
    struct flags_it it;
    flags_begin(&it, sc->flags, argc - 1, argv + 1);
    int r = flags_parse(&it, on_flag, &v);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    int ret = sc->fn(&s, &it, &v);
    store_close(&s);
    return ret;
}

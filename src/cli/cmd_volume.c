/* cmd_volume.c: named volumes (the store's volumes/NAME/_data): volume
 * create, ls, inspect, rm, prune. `run -v NAME:/path` creates one too. */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { F_QUIET = 1, F_FORCE, F_ALL, F_FORMAT, F_DRIVER, F_LABEL, F_OPT, F_FILTER };

struct vflags {
    bool quiet, force, all;
    const char *format;
    char **labels, **opts, **filters;
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
    else if (f == F_LABEL)
        strv_push(&v->labels, it->val);
    else if (f == F_OPT)
        strv_push(&v->opts, it->val);
    else if (f == F_FILTER)
        strv_push(&v->filters, it->val);
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
        {"label", 0, "list", "Set metadata for a volume", F_LABEL},
        {"opt", 'o', "map", "Set driver specific options (the local driver takes none yet)", F_OPT},
        {0},
    },
    true,
    1,
    1};

static int vol_create_check(struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    merr_t err = MERR_INIT;
    if (!volume_name_ok(it->args[0]))
        return flags_error(it, "\"%s\": letters, digits, _ . - (not first), at most 128",
                           it->args[0]),
               EXIT_ENGINE;
    json_t *labels = volume_create_args(v->labels, v->opts, &err);
    if (!labels)
        return cli_fail(&err), EXIT_ENGINE;
    json_decref(labels);
    return FLAGS_DONE;
}

static int vol_create(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    merr_t err = MERR_INIT;
    bool created;
    if (volume_create(s, it->args[0], v->labels, v->opts, &created, &err) < 0)
        return cli_fail(&err);
    printf("%s\n", it->args[0]);
    return 0;
}

const struct cmd_flags vol_ls_flags = {
    "volume ls",
    "[OPTIONS]",
    "List volumes",
    (const struct flag[]){
        {"filter", 'f', "filter",
         "Filter output based on conditions provided (dangling, driver, label, name)", F_FILTER},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"quiet", 'q', NULL, "Only display volume names", F_QUIET},
        {0},
    },
    true,
    0,
    0};

static int vol_ls_check(struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    (void)it;
    merr_t err = MERR_INIT;
    json_t *f = volume_list_filters(v->filters, &err);
    if (!f)
        return cli_fail(&err), EXIT_ENGINE;
    json_decref(f);
    return FLAGS_DONE;
}

/* a row of Docker's `volume ls`: its labels "k=v,k2=v2" */
static json_t *ls_row(json_t *vol)
{
    struct sbuf labels = {0};
    const char *k;
    json_t *val;
    json_object_foreach(json_object_get(vol, "Labels"), k, val)
    {
        sbuf_printf(&labels, "%s%s=%s", labels.len ? "," : "", k, json_string_value(val) ?: "");
    }
    json_t *row =
        json_pack("{s:O,s:O,s:O,s:O,s:s,s:s,s:s}", "Name", json_object_get(vol, "Name"), "Driver",
                  json_object_get(vol, "Driver"), "Scope", json_object_get(vol, "Scope"),
                  "Mountpoint", json_object_get(vol, "Mountpoint"), "Labels",
                  labels.buf ? labels.buf : "", "Links", "N/A", "Size", "N/A");
    free(labels.buf);
    return row;
}

static int vol_ls(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    (void)it;
    merr_t err = MERR_INIT;
    json_t *vols = volume_list(s, v->filters, &err);
    if (!vols)
        return cli_fail(&err), EXIT_ENGINE;
    json_t *rows = json_array(), *vol;
    size_t i;
    json_array_foreach(vols, i, vol)
    {
        json_array_append_new(rows, ls_row(vol));
    }
    json_t *headers = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Name", "VOLUME NAME", "Driver",
                                "DRIVER", "Scope", "SCOPE", "Mountpoint", "MOUNTPOINT", "Labels",
                                "LABELS", "Links", "LINKS", "Size", "SIZE");
    int ret = table_print(rows, v->quiet ? NULL : v->format, headers,
                          v->quiet ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}");
    json_decref(headers);
    json_decref(rows);
    json_decref(vols);
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

static int vol_inspect(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    return cli_inspect_each(s, it->args, it->nargs, volume_inspect, v->format);
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

static int vol_rm(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
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
        {"filter", 0, "filter", "Provide filter values (e.g. \"label=<label>\")", F_FILTER},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {0},
    },
    true,
    0,
    0};

/* Docker's: anonymous volumes only (run -v /path, an image's VOLUME),
 * unless --all */
static int vol_prune_check(struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    (void)it;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    if (prune_filter_parse(v->filters, PRUNE_VOLUMES, v->all, &pf, &err) < 0)
        return cli_fail(&err), EXIT_ENGINE;
    bool all = v->all || pf.all;
    prune_filter_free(&pf);
    /* asked before the store is opened */
    if (!v->force &&
        !flags_confirm(all ? "WARNING! This will remove all local volumes not used by at least "
                             "one container."
                           : "WARNING! This will remove anonymous local volumes not used by at "
                             "least one container."))
        return 0;
    return FLAGS_DONE;
}

static int vol_prune(struct store *s, struct flags_it *it, const void *ctx)
{
    const struct vflags *v = ctx;
    (void)it;
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    if (prune_filter_parse(v->filters, PRUNE_VOLUMES, v->all, &pf, &err) < 0)
        return cli_fail(&err), EXIT_ENGINE;
    json_t *deleted = json_array();
    uint64_t freed = 0;
    prune_volumes(s, v->all, &pf, deleted, &freed);
    prune_filter_free(&pf);
    cli_print_pruned("Deleted Volumes", deleted, "", freed);
    json_decref(deleted);
    return 0;
}

static const struct cli_sub subs[] = {
    {"create", NULL, &vol_create_flags, vol_create, vol_create_check},
    {"ls", "list", &vol_ls_flags, vol_ls, vol_ls_check},
    {"inspect", NULL, &vol_inspect_flags, vol_inspect},
    {"rm", "remove", &vol_rm_flags, vol_rm},
    {"prune", NULL, &vol_prune_flags, vol_prune, vol_prune_check},
};

int engine_volume(const struct global *g, int argc, char **argv)
{
    struct vflags v = {0};
    int r =
        cli_group(g, "volume", "Manage volumes", subs, ARRAY_SIZE(subs), argc, argv, on_flag, &v);
    strv_free(v.labels);
    strv_free(v.opts);
    strv_free(v.filters);
    return r;
}

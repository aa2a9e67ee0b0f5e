/* cmd_sysdf.c: system df and system prune. */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/log.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

enum { F_FORMAT = 1, F_VERBOSE, F_ALL, F_FORCE, F_VOLUMES, F_FILTER };

const struct cmd_flags system_df_flags = {
    "system df",
    "[OPTIONS]",
    "Show moat disk usage",
    (const struct flag[]){
        {"format", 0, "string",
         "Format output using a custom template: 'table', 'json', or a Go "
         "template",
         F_FORMAT},
        {"verbose", 'v', NULL, "Show detailed information on space usage", F_VERBOSE},
        {0},
    },
    true,
    0,
    0};

static json_int_t ival(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* one summary row: sizes as Docker prints them, "1.2MB (50%)" */
static json_t *df_row(const char *type, json_int_t total, json_int_t active, json_int_t size,
                      json_int_t reclaim)
{
    char sz[24], rc[24];
    human_bytes((uint64_t)size, false, sz, sizeof(sz));
    human_bytes((uint64_t)reclaim, false, rc, sizeof(rc));
    json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type", type, "TotalCount", "", "Active", "",
                          "Size", sz, "Reclaimable", rc);
    json_object_set_new(r, "TotalCount", json_sprintf("%lld", (long long)total));
    json_object_set_new(r, "Active", json_sprintf("%lld", (long long)active));
    if (size > 0)
        json_object_set_new(r, "Reclaimable",
                            json_sprintf("%s (%lld%%)", rc, (long long)(reclaim * 100 / size)));
    return r;
}

static json_t *df_rows(json_t *df)
{
    json_t *rows = json_array(), *c;
    size_t i;
    /* images: the bytes of layers no image in use holds are reclaimable */
    json_t *used = json_object();
    json_int_t active = 0;
    json_array_foreach(json_object_get(df, "Images"), i, c)
    {
        if (ival(c, "Containers") <= 0)
            continue;
        active++;
        json_object_update(used, json_object_get(c, "Layers"));
    }
    json_int_t inuse = 0;
    const char *k;
    json_t *v;
    json_object_foreach(used, k, v)
    {
        inuse += json_integer_value(v);
    }
    json_decref(used);
    json_int_t ls = ival(df, "LayersSize");
    json_array_append_new(rows, df_row("Images",
                                       (json_int_t)json_array_size(json_object_get(df, "Images")),
                                       active, ls, ls > inuse ? ls - inuse : 0));
    json_int_t size = 0, reclaim = 0;
    active = 0;
    json_array_foreach(json_object_get(df, "Containers"), i, c)
    {
        bool run = json_is_true(json_object_get(c, "Running"));
        active += run;
        size += ival(c, "SizeRw");
        reclaim += run ? 0 : ival(c, "SizeRw");
    }
    json_array_append_new(
        rows, df_row("Containers", (json_int_t)json_array_size(json_object_get(df, "Containers")),
                     active, size, reclaim));
    size = reclaim = active = 0;
    json_array_foreach(json_object_get(df, "Volumes"), i, c)
    {
        json_t *u = json_object_get(c, "UsageData");
        bool in = ival(u, "RefCount") > 0;
        active += in;
        size += ival(u, "Size");
        reclaim += in ? 0 : ival(u, "Size");
    }
    json_array_append_new(rows, df_row("Local Volumes",
                                       (json_int_t)json_array_size(json_object_get(df, "Volumes")),
                                       active, size, reclaim));
    json_array_append_new(rows, df_row("Build Cache", 0, 0, 0, 0));
    return rows;
}

/* -v: each object */
static int df_verbose(json_t *df)
{
    json_t *rows = json_array(), *c;
    size_t i;
    char a[24], b[24], d[24], age[48];
    json_array_foreach(json_object_get(df, "Images"), i, c)
    {
        human_bytes((uint64_t)ival(c, "Size"), false, a, sizeof(a));
        human_bytes((uint64_t)ival(c, "SharedSize"), false, b, sizeof(b));
        human_bytes((uint64_t)(ival(c, "Size") - ival(c, "SharedSize")), false, d, sizeof(d));
        human_since(json_string_value(json_object_get(c, "Created")), true, age, sizeof(age));
        json_t *tags = json_object_get(c, "RepoTags");
        json_array_append_new(rows,
                              json_pack("{s:s,s:s%,s:s,s:s,s:s,s:s,s:I}", "Name",
                                        json_string_value(json_array_get(tags, 0)) ?: "<none>",
                                        "ID", json_string_value(json_object_get(c, "Id")) + 7,
                                        (size_t)12, "CreatedSince", age, "Size", a, "SharedSize", b,
                                        "UniqueSize", d, "Containers", ival(c, "Containers")));
    }
    printf("Images space usage:\n\n");
    json_t *h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Name", "REPOSITORY:TAG", "ID",
                          "IMAGE ID", "CreatedSince", "CREATED", "Size", "SIZE", "SharedSize",
                          "SHARED SIZE", "UniqueSize", "UNIQUE SIZE", "Containers", "CONTAINERS");
    int r =
        table_print(rows, NULL, h,
                    "table {{.Name}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{."
                    "UniqueSize}}\t{{.Containers}}");
    json_decref(h);
    json_array_clear(rows);
    json_array_foreach(json_object_get(df, "Containers"), i, c)
    {
        human_bytes((uint64_t)ival(c, "SizeRw"), false, a, sizeof(a));
        human_since(json_string_value(json_object_get(c, "Created")), true, age, sizeof(age));
        json_array_append_new(
            rows,
            json_pack(
                "{s:s%,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", json_string_value(json_object_get(c, "Id")),
                (size_t)12, "Image", json_string_value(json_object_get(c, "Image")) ?: "",
                "Command", json_string_value(json_object_get(c, "Command")) ?: "", "Size", a,
                "CreatedSince", age, "State", json_string_value(json_object_get(c, "State")) ?: "",
                "Names",
                (json_string_value(json_array_get(json_object_get(c, "Names"), 0)) ?: "/") + 1));
    }
    printf("\nContainers space usage:\n\n");
    h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", "CONTAINER ID", "Image", "IMAGE",
                  "Command", "COMMAND", "Size", "SIZE", "CreatedSince", "CREATED", "State",
                  "STATUS", "Names", "NAMES");
    r = r ? r
          : table_print(rows, NULL, h,
                        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Size}}\t{{.CreatedSince}}\t{{."
                        "State}}\t{{.Names}}");
    json_decref(h);
    json_array_clear(rows);
    json_array_foreach(json_object_get(df, "Volumes"), i, c)
    {
        json_t *u = json_object_get(c, "UsageData");
        human_bytes((uint64_t)ival(u, "Size"), false, a, sizeof(a));
        json_array_append_new(rows, json_pack("{s:s,s:I,s:s}", "Name",
                                              json_string_value(json_object_get(c, "Name")) ?: "",
                                              "Links", ival(u, "RefCount"), "Size", a));
    }
    printf("\nLocal Volumes space usage:\n\n");
    h = json_pack("{s:s,s:s,s:s}", "Name", "VOLUME NAME", "Links", "LINKS", "Size", "SIZE");
    r = r ? r : table_print(rows, NULL, h, "table {{.Name}}\t{{.Links}}\t{{.Size}}");
    json_decref(h);
    json_decref(rows);
    printf("\nBuild cache usage: 0B\n");
    return r;
}

struct df_v {
    const char *format;
    bool verbose;
};

static int on_df(struct flags_it *it, int f, void *ctx)
{
    struct df_v *v = ctx;
    if (f == F_FORMAT)
        v->format = it->val;
    else if (f == F_VERBOSE)
        v->verbose = flags_bool(it);
    return 0;
}

int engine_system_df(const struct global *g, int argc, char **argv)
{
    struct df_v v = {0};
    struct flags_it it;
    flags_begin(&it, &system_df_flags, argc, argv);
    int r = flags_parse(&it, on_df, &v);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    json_t *df = sys_df(&s);
    store_close(&s);
    if (v.verbose && !v.format) {
        r = df_verbose(df);
    } else {
        json_t *rows = df_rows(df);
        json_t *h = json_pack("{s:s,s:s,s:s,s:s,s:s}", "Type", "TYPE", "TotalCount", "TOTAL",
                              "Active", "ACTIVE", "Size", "SIZE", "Reclaimable", "RECLAIMABLE");
        r = table_print(
            rows, v.format, h,
            "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}");
        json_decref(h);
        json_decref(rows);
    }
    json_decref(df);
    return r;
}

const struct cmd_flags system_prune_flags = {
    "system prune",
    "[OPTIONS]",
    "Remove unused data",
    (const struct flag[]){
        {"all", 'a', NULL, "Remove all unused images not just dangling ones", F_ALL},
        {"filter", 0, "filter", "Provide filter values (e.g. \"label=<key>=<value>\")", F_FILTER},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {"volumes", 0, NULL, "Prune anonymous volumes", F_VOLUMES},
        {0},
    },
    true,
    0,
    0};

struct sysprune {
    bool on[F_FILTER + 1];
    char **filters;
};

static int on_prune(struct flags_it *it, int f, void *ctx)
{
    struct sysprune *p = ctx;
    if (f == F_FILTER)
        strv_push(&p->filters, it->val);
    else
        p->on[f] = flags_bool(it);
    return 0;
}

/* Docker's question, with the filters it will apply */
static bool sysprune_confirm(const bool *on, const struct prune_filter *pf)
{
    struct sbuf w = {0};
    sbuf_printf(
        &w,
        "WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at "
        "least one container\n%s  - all %s\n",
        on[F_VOLUMES] ? "  - all anonymous volumes not used by at least one container\n" : "",
        on[F_ALL] ? "images without at least one container associated to them" : "dangling images");
    char **fl = prune_filter_list(pf);
    for (size_t i = 0; fl && fl[i]; i++)
        sbuf_printf(&w, "%s  - %s\n", i ? "" : "\n  Items to be pruned will be filtered with:\n",
                    fl[i]);
    strv_free(fl);
    bool yes = flags_confirm(w.buf);
    free(w.buf);
    return yes;
}

static void print_list(const char *title, json_t *a, const char *prefix)
{
    if (!json_array_size(a))
        return;
    printf("%s:\n", title);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        printf("%s%s\n", prefix, json_string_value(v));
    }
    printf("\n");
}

int engine_system_prune(const struct global *g, int argc, char **argv)
{
    struct sysprune p = {0};
    bool *on = p.on;
    struct flags_it it;
    flags_begin(&it, &system_prune_flags, argc, argv);
    int r = flags_parse(&it, on_prune, &p);
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    unsigned what =
        PRUNE_CONTAINERS | PRUNE_NETWORKS | PRUNE_IMAGES | (on[F_VOLUMES] ? PRUNE_VOLUMES : 0);
    /* a bad filter is refused before the question */
    if (r == FLAGS_DONE && prune_filter_parse(p.filters, what, false, &pf, &err) < 0)
        r = (cli_fail(&err), EXIT_ENGINE);
    strv_free(p.filters);
    if (r != FLAGS_DONE)
        return r;
    if (!on[F_FORCE] && !sysprune_confirm(on, &pf)) {
        prune_filter_free(&pf);
        return 0;
    }
    struct store s;
    if (cli_store(g, &s) < 0) {
        prune_filter_free(&pf);
        return EXIT_ENGINE;
    }
    json_t *ctrs = json_array(), *nets = json_array(), *vols = json_array(), *imgs = json_array();
    uint64_t freed = 0;
    prune_containers(&s, &pf, ctrs, &freed);
    network_prune(&s, &pf, nets);
    if (on[F_VOLUMES])
        prune_volumes(&s, false, &pf, vols, &freed);
    if (prune_images(&s, on[F_ALL], &pf, imgs, &freed, &err) < 0)
        r = cli_fail(&err), r = EXIT_ENGINE;
    else
        r = 0;
    prune_filter_free(&pf);
    store_close(&s);
    print_list("Deleted Containers", ctrs, "");
    print_list("Deleted Networks", nets, "");
    print_list("Deleted Volumes", vols, "");
    print_list("Deleted Images", imgs, "deleted: ");
    char sz[24];
    human_bytes(freed, false, sz, sizeof(sz));
    printf("Total reclaimed space: %s\n", sz);
    json_decref(ctrs);
    json_decref(nets);
    json_decref(vols);
    json_decref(imgs);
    return r;
}

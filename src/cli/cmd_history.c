/* cmd_history.c: history IMAGE. */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "../engine/engine.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>

enum { F_FORMAT = 1, F_HUMAN, F_NOTRUNC, F_QUIET };

const struct cmd_flags history_flags = {
    "history",
    "[OPTIONS] IMAGE",
    "Show the history of an image",
    (const struct flag[]){
        {"format", 0, "string",
         "Format output using a custom template: 'table', 'json', or a Go "
         "template",
         F_FORMAT},
        {"human", 'H', NULL, "Print sizes and dates in human readable format (default true)",
         F_HUMAN},
        {"no-trunc", 0, NULL, "Don't truncate output", F_NOTRUNC},
        PLATFORM_FLAG,
        {"quiet", 'q', NULL, "Only show image IDs", F_QUIET},
        {0},
    },
    true,
    1,
    1};

struct hist_v {
    const char *format;
    bool human, notrunc, quiet;
};

static int on_hist(struct flags_it *it, int f, void *ctx)
{
    struct hist_v *v = ctx;
    if (f == F_FORMAT)
        v->format = it->val;
    else if (f == F_HUMAN)
        v->human = flags_bool(it);
    else if (f == F_NOTRUNC)
        v->notrunc = flags_bool(it);
    else if (f == F_QUIET)
        v->quiet = flags_bool(it);
    return 0;
}

/* Docker's row: ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment */
static json_t *hist_row(json_t *h, const struct hist_v *v)
{
    const char *id = json_string_value(json_object_get(h, "Id")) ?: "<missing>";
    const char *created = json_string_value(json_object_get(h, "Created")) ?: "";
    const char *by = json_string_value(json_object_get(h, "CreatedBy")) ?: "";
    uint64_t size = (uint64_t)json_integer_value(json_object_get(h, "Size"));
    char ago[48], sz[32];
    const char *since = created; /* -H=false: as the config has it */
    if (v->human) {
        human_since(created, true, ago, sizeof(ago));
        since = ago;
        human_bytes(size, false, sz, sizeof(sz));
    } else {
        snprintf(sz, sizeof(sz), "%llu", (unsigned long long)size);
    }
    cleanup_free char *shortid =
        strncmp(id, "sha256:", 7) == 0 && !v->notrunc ? xstrndup(id + 7, 12) : xstrdup(id);
    cleanup_free char *cut = NULL;
    if (!v->notrunc && strlen(by) > 45) {
        /* 44 bytes, less to end on a whole UTF-8 character, then "…" */
        int n = 44;
        while (n > 0 && ((unsigned char)by[n] & 0xC0) == 0x80)
            n--;
        cut = xasprintf("%.*s…", n, by);
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ID", shortid, "CreatedSince", since, "CreatedAt",
                     created, "CreatedBy", cut ? cut : by, "Size", sz, "Comment",
                     json_string_value(json_object_get(h, "Comment")) ?: "");
}

int engine_history(const struct global *g, int argc, char **argv)
{
    struct hist_v v = {NULL, true, false, false};
    struct flags_it it;
    flags_begin(&it, &history_flags, argc, argv);
    int r = flags_parse(&it, on_hist, &v);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[72];
    json_t *hist = NULL;
    if (store_image_find(&s, it.args[0], id, &err) < 0 || !(hist = image_history(&s, id, &err))) {
        store_close(&s);
        cli_fail(&err);
        return EXIT_ENGINE;
    }
    store_close(&s);
    json_t *rows = json_array(), *h;
    size_t i;
    json_array_foreach(hist, i, h)
    {
        json_array_append_new(rows, hist_row(h, &v));
    }
    json_t *hd = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "ID", "IMAGE", "CreatedSince", "CREATED",
                           "CreatedAt", "CREATED AT", "CreatedBy", "CREATED BY", "Size", "SIZE",
                           "Comment", "COMMENT");
    r = table_print(rows, v.quiet ? "{{.ID}}" : v.format, hd,
                    "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}");
    json_decref(hd);
    json_decref(rows);
    json_decref(hist);
    return r;
}

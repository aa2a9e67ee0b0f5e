/* cmd_image.c: the engine's image commands, shaped like Docker's: images,
 * image inspect|ls|rm|prune, tag, rmi, pull, login, logout (load, save and
 * import: cmd_imgfile.c). */
#include "cli.h"
#include "flags.h"
#include "table.h"
#include "cmd_image.h"
#include "../engine/engine.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* names pointing at id, sorted as in the table */
static void split_name(const char *full, char **repo, char **tag)
{
    cleanup_free char *f = ref_familiar(full);
    char *c = strrchr(f, ':');
    if (c && !strchr(c, '/')) {
        *repo = xstrndup(f, (size_t)(c - f));
        *tag = xstrdup(c + 1);
    } else {
        *repo = xstrdup(f);
        *tag = xstrdup("<none>");
    }
}

int image_keep(struct flags_it *it, int f, void *ctx)
{
    struct vals *v = ctx;
    if (f == F_FILTER) {
        strv_push(&v->filters, it->val);
        return 0;
    }
    if (f < 32) {
        v->on[f] = it->val && strcmp(it->val, "false") != 0;
        v->val[f] = it->val;
    }
    return 0;
}

const struct cmd_flags images_flags = {
    "images",
    "[OPTIONS] [REPOSITORY[:TAG]]",
    "List images",
    (const struct flag[]){
        {"all", 'a', NULL, "Show all images (default hides intermediate images)", F_ALL},
        {"digests", 0, NULL, "Show digests", F_DIGESTS},
        {"filter", 'f', "filter",
         "Filter output based on conditions provided (dangling, label, before, since, "
         "reference)",
         F_FILTER},
        {"format", 0, "string", "Format output using a template ('table', 'json' or a Go template)",
         F_FORMAT},
        {"no-trunc", 0, NULL, "Don't truncate output", F_NOTRUNC},
        {"quiet", 'q', NULL, "Only show image IDs", F_QUIET},
        {0},
    },
    true,
    0,
    1};

/* "registry/path@sha256:..." as Docker shows it: the familiar repository
 * and the digest */
static void split_digest(const char *full, char **repo, char **digest)
{
    cleanup_free char *f = ref_familiar(full);
    char *at = strchr(f, '@');
    *repo = xstrndup(f, at ? (size_t)(at - f) : strlen(f));
    *digest = xstrdup(at ? at + 1 : "");
}

/* how an image's rows are made (Docker's CLI): digests shown (--digests),
 * or needed (shown, or asked for by --format) */
struct rows_ctx {
    bool notrunc, show_digests, need_digest;
};

static void add_row(json_t *rows, const struct rows_ctx *c, json_t *sum, const char *repo,
                    const char *tag, const char *digest)
{
    const char *id = json_string_value(json_object_get(sum, "Id")) ?: "";
    char shortid[80], rfc[40], created[40], age[40], size[24];
    snprintf(shortid, sizeof(shortid), "%.*s", c->notrunc ? 71 : 12,
             c->notrunc || strlen(id) < 7 ? id : id + 7);
    time_t t = (time_t)json_integer_value(json_object_get(sum, "Created"));
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(rfc, sizeof(rfc), "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm); /* Docker's */
    human_since(rfc, true, age, sizeof(age));
    human_bytes((uint64_t)json_integer_value(json_object_get(sum, "Size")), false, size,
                sizeof(size));
    json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Repository", repo,
                                          "Tag", tag, "ID", shortid, "CreatedSince", age,
                                          "CreatedAt", created, "Size", size, "Digest", digest));
}

/* The rows of one image summary, as Docker's CLI makes them: a row a
 * tag, with the digests of the tag's repository when they are needed (a
 * row each); a repository with digest references only gets a row with
 * the tag <none> (one a digest with --digests); an image with neither,
 * one <none> row. */
static void image_rows(json_t *rows, const struct rows_ctx *c, json_t *sum)
{
    json_t *tags = json_object_get(sum, "RepoTags"), *digs = json_object_get(sum, "RepoDigests");
    json_t *tagged = json_object(); /* repositories that have a tag */
    json_t *v, *d;
    size_t k, n;
    json_array_foreach(tags, k, v)
    {
        char *repo, *tag;
        split_name(json_string_value(v) ?: "", &repo, &tag);
        json_object_set_new(tagged, repo, json_true());
        size_t shown = 0;
        json_array_foreach(digs, n, d)
        {
            char *drepo, *digest;
            split_digest(json_string_value(d) ?: "", &drepo, &digest);
            if (c->need_digest && strcmp(drepo, repo) == 0 && ++shown)
                add_row(rows, c, sum, repo, tag, digest);
            free(drepo);
            free(digest);
        }
        if (!shown)
            add_row(rows, c, sum, repo, tag, "<none>");
        free(repo);
        free(tag);
    }
    json_t *done = json_object(); /* digest-only repositories shown once without --digests */
    json_array_foreach(digs, n, d)
    {
        char *repo, *digest;
        split_digest(json_string_value(d) ?: "", &repo, &digest);
        if (!json_object_get(tagged, repo) && (c->show_digests || !json_object_get(done, repo)))
            add_row(rows, c, sum, repo, "<none>", c->show_digests ? digest : "");
        json_object_set_new(done, repo, json_true());
        free(repo);
        free(digest);
    }
    if (!json_array_size(tags) && !json_array_size(digs))
        add_row(rows, c, sum, "<none>", "<none>", "<none>");
    json_decref(tagged);
    json_decref(done);
}

int cmd_images(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &images_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    bool quiet = v.on[F_QUIET];
    if (it.nargs) { /* as Docker's CLI: images REPO[:TAG] is a reference filter */
        cleanup_free char *ref = xasprintf("reference=%s", it.args[0]);
        strv_push(&v.filters, ref);
    }
    struct store s;
    if (cli_store(g, &s) < 0) {
        strv_free(v.filters);
        return EXIT_ENGINE;
    }
    merr_t err = MERR_INIT;
    json_t *list = image_list(&s, v.filters, &err);
    strv_free(v.filters);
    store_close(&s);
    if (!list) {
        cli_fail(&err);
        return EXIT_ENGINE;
    }
    const char *fmt = v.val[F_FORMAT];
    struct rows_ctx rc = {.notrunc = v.on[F_NOTRUNC],
                          .show_digests = v.on[F_DIGESTS],
                          .need_digest = v.on[F_DIGESTS] || (fmt && strstr(fmt, "{{.Digest}}"))};
    json_t *rows = json_array(), *sum;
    size_t i;
    json_array_foreach(list, i, sum)
    {
        size_t before = json_array_size(rows);
        image_rows(rows, &rc, sum);
        /* -q: an image once, whatever its names */
        while (quiet && json_array_size(rows) > before + 1)
            json_array_remove(rows, json_array_size(rows) - 1);
    }
    json_t *headers = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Repository", "REPOSITORY", "Tag",
                                "TAG", "ID", "IMAGE ID", "CreatedSince", "CREATED", "CreatedAt",
                                "CREATED AT", "Size", "SIZE", "Digest", "DIGEST");
    int ret =
        table_print(rows, quiet ? "{{.ID}}" : fmt, headers,
                    v.on[F_DIGESTS] ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                                      "{{.CreatedSince}}\t{{.Size}}"
                                    : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t"
                                      "{{.CreatedSince}}\t{{.Size}}");
    json_decref(headers);
    json_decref(rows);
    json_decref(list);
    return ret;
}

const struct cmd_flags tag_flags = {"tag",
                                    "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                                    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
                                    (const struct flag[]){{0}},
                                    true,
                                    2,
                                    2};

int cmd_tag(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &tag_flags, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[72];
    cleanup_free char *full = NULL;
    int ret = 0;
    if (store_image_find(&s, it.args[0], id, &err) < 0 ||
        !(full = image_name_full(it.args[1], &err)) || store_tag(&s, full, id, &err) < 0) {
        ret = cli_fail(&err);
    } else {
        cleanup_free char *fam = ref_familiar(full);
        events_image(&s, id, fam, "tag");
    }
    store_close(&s);
    return ret;
}

const struct cmd_flags rmi_flags = {
    "rmi",
    "[OPTIONS] IMAGE [IMAGE...]",
    "Remove one or more images",
    (const struct flag[]){
        {"force", 'f', NULL, "Force removal of the image", F_FORCE},
        {"no-prune", 0, NULL, "Do not delete untagged parents (moat has none)", F_NOPRUNE},
        PLATFORM_FLAG,
        {0},
    },
    true,
    1,
    -1};

int cmd_rmi(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &rmi_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    bool force = v.on[F_FORCE];
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    int ret = 0;
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        json_t *done = json_array(), *d;
        size_t k;
        if (image_remove(&s, it.args[i], force, done, &err) < 0)
            ret = cli_fail(&err);
        json_array_foreach(done, k, d)
        {
            const char *u = json_string_value(json_object_get(d, "Untagged"));
            if (u)
                printf("Untagged: %s\n", u);
            else
                printf("Deleted: %s\n", json_string_value(json_object_get(d, "Deleted")) ?: "");
        }
        json_decref(done);
    }
    store_close(&s);
    return ret;
}

const struct cmd_flags image_inspect_flags = {
    "image inspect",
    "[OPTIONS] IMAGE [IMAGE...]",
    "Display detailed information on one or more images",
    (const struct flag[]){
        {"format", 'f', "string", "Format output using a Go template, or 'json'", F_FORMAT},
        PLATFORM_FLAG,
        {0},
    },
    true,
    1,
    -1};

static int image_inspect(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &image_inspect_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    json_t *all = json_array();
    int ret = 0;
    for (size_t i = 0; i < it.nargs; i++) {
        merr_t err = MERR_INIT;
        char id[72];
        json_t *o = store_image_find(&s, it.args[i], id, &err) == 0
                        ? image_inspect_json(&s, id, &err)
                        : NULL;
        if (!o)
            ret = cli_fail(&err);
        else
            json_array_append_new(all, o);
    }
    int pr = cli_print_objects(all, v.val[F_FORMAT]);
    json_decref(all);
    ret = pr ? pr : ret;
    store_close(&s);
    return ret;
}

const struct cmd_flags image_prune_flags = {
    "image prune",
    "[OPTIONS]",
    "Remove unused images",
    (const struct flag[]){
        {"all", 'a', NULL, "Remove all unused images, not just dangling ones", F_ALL},
        {"filter", 0, "filter", "Provide filter values (e.g. \"until=<timestamp>\")", F_FILTER},
        {"force", 'f', NULL, "Do not prompt for confirmation", F_FORCE},
        {0},
    },
    true,
    0,
    0};

static int image_prune(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &image_prune_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    struct prune_filter pf;
    merr_t err = MERR_INIT;
    /* a bad filter is refused before the question */
    if (r == FLAGS_DONE && prune_filter_parse(v.filters, PRUNE_IMAGES, false, &pf, &err) < 0)
        r = (cli_fail(&err), EXIT_ENGINE);
    strv_free(v.filters);
    if (r != FLAGS_DONE)
        return r;
    bool all = v.on[F_ALL];
    struct store s;
    if (!v.on[F_FORCE] &&
        !flags_confirm(all ? "WARNING! This will remove all images without at least one container "
                             "associated to them."
                           : "WARNING! This will remove all dangling images.")) {
        prune_filter_free(&pf);
        return 0;
    }
    if (cli_store(g, &s) < 0) {
        prune_filter_free(&pf);
        return EXIT_ENGINE;
    }
    json_t *deleted = json_array();
    uint64_t freed = 0;
    int ret = prune_images(&s, all, &pf, deleted, &freed, &err) < 0 ? cli_fail(&err) : 0;
    prune_filter_free(&pf);
    store_close(&s);
    if (!ret)
        cli_print_pruned("Deleted Images", deleted, "deleted: ", freed);
    json_decref(deleted);
    return ret;
}

int cmd_image(const struct global *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("\nUsage:  moat image COMMAND\n\nManage images\n\nCommands:\n  history     Show the "
               "history of an image\n  import      Import "
               "the contents from a tarball to create a filesystem image\n  inspect     Display "
               "detailed information on one or more images\n  load        Load an image from a "
               "tar archive or STDIN\n  ls          List images\n  prune       Remove unused "
               "images\n  pull        Download an image from a registry\n  rm          Remove "
               "one or more images\n  save        Save one or more images to a tar archive\n  "
               "tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n");
        return argc < 2 ? EXIT_ENGINE : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "inspect") == 0)
        return image_inspect(g, argc - 1, argv + 1);
    if (strcmp(sub, "prune") == 0)
        return image_prune(g, argc - 1, argv + 1);
    if (strcmp(sub, "pull") == 0)
        return cmd_pull(g, argc - 1, argv + 1);
    if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0)
        return cmd_images(g, argc - 1, argv + 1);
    if (strcmp(sub, "rm") == 0)
        return cmd_rmi(g, argc - 1, argv + 1);
    if (strcmp(sub, "tag") == 0)
        return cmd_tag(g, argc - 1, argv + 1);
    if (strcmp(sub, "load") == 0)
        return cmd_load(g, argc - 1, argv + 1);
    if (strcmp(sub, "save") == 0)
        return cmd_save(g, argc - 1, argv + 1);
    if (strcmp(sub, "import") == 0)
        return cmd_import(g, argc - 1, argv + 1);
    if (strcmp(sub, "history") == 0)
        return engine_history(g, argc - 1, argv + 1);
    cli_usage_error("image", "unknown command \"%s\"", sub);
    return EXIT_ENGINE;
}

#define TLS_FLAG                                                                                   \
    {                                                                                              \
        "tls-verify", 0, NULL,                                                                     \
            "Require HTTPS and verify certificates (--tls-verify=false: plain HTTP)", F_TLS        \
    }

const struct cmd_flags pull_flags = {
    "pull",
    "[OPTIONS] NAME[:TAG|@DIGEST]",
    "Download an image from a registry",
    (const struct flag[]){
        {"all-tags", 'a', NULL, "Download all tagged images in the repository (refused)", F_ALL},
        {"disable-content-trust", 0, NULL,
         "Skip image verification (moat always checks digests; no effect)", F_TRUST},
        PLATFORM_FLAG,
        {"quiet", 'q', NULL, "Suppress verbose output", F_QUIET},
        TLS_FLAG,
        {0},
    },
    true,
    1,
    1};

int cmd_pull(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &pull_flags, argc, argv);
    int fr = flags_parse(&it, image_keep, &v);
    if (fr != FLAGS_DONE)
        return fr;
    if (v.on[F_ALL])
        return flags_error(&it, "--all-tags: moat pulls one image at a time"), EXIT_ENGINE;
    struct pull_opts o = {.out_fd = 1, .quiet = v.on[F_QUIET]};
    o.tls_verify_off = v.val[F_TLS] && !v.on[F_TLS];
    const char *name = it.args[0];
    struct store s;
    if (cli_store(g, &s) < 0)
        return EXIT_ENGINE;
    merr_t err = MERR_INIT;
    char id[72], old[72] = "";
    int ret = 0;
    if (store_image_find(&s, name, old, &err) < 0)
        old[0] = 0;
    err_clear(&err);
    if (image_pull(&s, name, &o, id, &err) < 0) {
        ret = cli_fail(&err);
    } else {
        struct ref r;
        if (ref_parse(name, &r, &err) == 0) {
            /* NAME:TAG@DIGEST as it was given: the digest was pulled */
            cleanup_free char *full =
                r.tag && r.digest ? xasprintf("%s/%s:%s@%s", r.registry, r.path, r.tag, r.digest)
                                  : ref_string(&r);
            cleanup_free char *fam = ref_familiar(full);
            if (!o.quiet)
                printf("Status: %s %s\n",
                       strcmp(old, id) == 0 ? "Image is up to date for"
                                            : "Downloaded newer image for",
                       fam);
            printf("%s\n", full);
            ref_free(&r);
        }
        err_clear(&err);
    }
    store_close(&s);
    return ret;
}

const struct cmd_flags login_flags = {
    "login",
    "[OPTIONS] SERVER",
    "Authenticate to a registry",
    (const struct flag[]){
        {"password", 'p', "string", "Password or Personal Access Token (PAT)", F_PASSWORD},
        {"password-stdin", 0, NULL, "Take the Password or Personal Access Token (PAT) from stdin",
         F_PASSWORD_STDIN},
        {"username", 'u', "string", "Username", F_USER},
        TLS_FLAG,
        {0},
    },
    true,
    1,
    1};

int cmd_login(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &login_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    const char *user = v.val[F_USER], *password = v.val[F_PASSWORD], *registry = it.args[0];
    bool stdin_pw = v.on[F_PASSWORD_STDIN], tls_off = v.val[F_TLS] && !v.on[F_TLS];
    if (!user || (!password && !stdin_pw))
        return flags_error(&it, "needs -u USER and -p PASSWORD or --password-stdin"), EXIT_ENGINE;
    cleanup_free char *pw = NULL;
    if (stdin_pw) {
        if (read_fd(0, &pw, NULL) < 0)
            return cli_usage_error("login", "cannot read the password from stdin");
        size_t l = strlen(pw);
        while (l && (pw[l - 1] == '\n' || pw[l - 1] == '\r'))
            pw[--l] = 0;
        password = pw;
    }
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    int ret = registry_login(&s, registry, user, password, tls_off, &err) < 0 ? cli_fail(&err) : 0;
    store_close(&s);
    return ret;
}

const struct cmd_flags logout_flags = {
    "logout", "[SERVER]", "Log out from a registry", (const struct flag[]){{0}}, true, 1, 1};

int cmd_logout(const struct global *g, int argc, char **argv)
{
    struct flags_it it;
    flags_begin(&it, &logout_flags, argc, argv);
    int r = flags_parse(&it, NULL, NULL);
    if (r != FLAGS_DONE)
        return r;
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    int ret = registry_logout(&s, argv[1], &err) < 0 ? cli_fail(&err) : 0;
    if (!ret)
        printf("Removing login credentials for %s\n", argv[1]);
    store_close(&s);
    return ret;
}

/* cmd_image.c: the engine's image commands, shaped like Docker's: images,
 * image inspect|ls|rm|prune, tag, rmi, load, save, import. */
#include "cli.h"
#include "../engine/image_info.h"
#include "../engine/ctr.h"
#include "../engine/imgio.h"
#include "../engine/pull.h"
#include "../engine/ref.h"
#include "../engine/store.h"
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

int cmd_images(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"no-trunc", no_argument, NULL, 'T'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    bool quiet = false, notrunc = false;
    int c;
    while ((c = getopt_long(argc, argv, "+qah", opts, NULL)) != -1) {
        if (c == 'q')
            quiet = true;
        else if (c == 'T')
            notrunc = true;
        else if (c == 'a')
            continue;
        else if (c == 'h') {
            printf("usage: moat images [-q] [-a] [--no-trunc] [REPOSITORY[:TAG]]\n");
            return 0;
        } else
            return cli_usage_error("images", "unknown flag \"%s\"", argv[optind - 1]);
    }
    const char *filter = optind < argc ? argv[optind] : NULL;
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    json_t *names = store_names(&s);
    char **ids = store_image_ids(&s);
    if (!quiet)
        printf("%-40s %-10s %-14s %-24s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
    for (size_t i = 0; ids[i]; i++) {
        struct image img;
        merr_t err = MERR_INIT;
        if (store_image_load(&s, ids[i], &img, &err) < 0) {
            log_warn("%s", err.msg);
            err_clear(&err);
            continue;
        }
        char shortid[80], age[40], size[24];
        snprintf(shortid, sizeof(shortid), "%.*s", notrunc ? 71 : 12,
                 notrunc ? img.id : img.id + 7);
        human_since(json_string_value(json_object_get(img.config, "created")), true, age,
                    sizeof(age));
        human_bytes(img.size, false, size, sizeof(size));
        char **ns = image_names(names, img.id);
        size_t shown = 0;
        for (size_t k = 0; ns[k] || (!k && !filter); k++) {
            char *repo, *tag;
            if (ns[k]) {
                split_name(ns[k], &repo, &tag);
            } else {
                repo = xstrdup("<none>");
                tag = xstrdup("<none>");
            }
            bool match = true;
            if (filter) {
                cleanup_free char *rt = xasprintf("%s:%s", repo, tag);
                match = strcmp(filter, repo) == 0 || strcmp(filter, rt) == 0;
            }
            if (match && quiet && !shown++)
                printf("%s\n", shortid);
            else if (match && !quiet)
                printf("%-40s %-10s %-14s %-24s %s\n", repo, tag, shortid, age, size);
            free(repo);
            free(tag);
            if (!ns[k])
                break;
        }
        strv_free(ns);
        image_free(&img);
    }
    strv_free(ids);
    json_decref(names);
    store_close(&s);
    return 0;
}

int cmd_tag(const struct global *g, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: moat tag SOURCE_IMAGE TARGET_IMAGE[:TAG]\n");
        return 0;
    }
    if (cli_want_args("tag", argc, argv, 1, 2, "SOURCE_IMAGE and TARGET_IMAGE"))
        return 1;
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    char id[72];
    cleanup_free char *full = NULL;
    int ret = 0;
    if (store_image_find(&s, argv[1], id, &err) < 0 || !(full = image_name_full(argv[2], &err)) ||
        store_tag(&s, full, id, &err) < 0)
        ret = cli_fail(&err);
    store_close(&s);
    return ret;
}

static bool runs_image(json_t *rec, const void *id)
{
    return strcmp(json_string_value(json_object_get(rec, "Image")) ?: "", id) == 0;
}

/* Is image id used by an engine container? Its short id into buf. */
static const char *image_user(struct store *s, const char *id, char *buf, size_t n)
{
    return ctr_first(s, runs_image, id, buf, n);
}

static int remove_one(struct store *s, const char *what, bool force, merr_t *err)
{
    char id[72];
    if (store_image_find(s, what, id, err) < 0)
        return -1;
    if (store_lock(s, err) < 0)
        return -1;
    int ret = -1;
    json_t *names = store_names(s);
    char **ns = image_names(names, id);
    cleanup_free char *full = NULL;
    merr_t e2 = MERR_INIT;
    full = image_name_full(what, &e2);
    err_clear(&e2);
    bool by_name = full && json_object_get(names, full);
    if (by_name && strv_len(ns) > 1) { /* just the name */
        json_object_del(names, full);
        if (store_names_save(s, names, err) == 0) {
            cleanup_free char *f = ref_familiar(full);
            printf("Untagged: %s\n", f);
            ret = 0;
        }
        goto out;
    }
    if (!by_name && strv_len(ns) > 1 && !force) {
        err_set(err, 0,
                "image %.19s is referenced by %zu names; remove them by name or use --force", id,
                strv_len(ns));
        goto out;
    }
    char cid[80];
    if (image_user(s, id, cid, sizeof(cid))) {
        err_set(err, 0, "image %.19s is used by container %s; remove the container first", id, cid);
        goto out;
    }
    for (size_t i = 0; ns[i]; i++)
        json_object_del(names, ns[i]);
    if (store_names_save(s, names, err) < 0 || store_image_remove(s, id, err) < 0)
        goto out;
    for (size_t i = 0; ns[i]; i++) {
        cleanup_free char *f = ref_familiar(ns[i]);
        printf("Untagged: %s\n", f);
    }
    printf("Deleted: %s\n", id);
    ret = 0;
out:
    strv_free(ns);
    json_decref(names);
    store_unlock(s);
    return ret;
}

int cmd_rmi(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    bool force = false;
    int c;
    while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
        if (c == 'f')
            force = true;
        else if (c == 'h') {
            printf("usage: moat rmi [-f] IMAGE...\n");
            return 0;
        } else
            return cli_usage_error("rmi", "unknown flag \"%s\"", argv[optind - 1]);
    }
    if (optind >= argc)
        return cli_usage_error("rmi", "missing IMAGE");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    int ret = 0;
    for (int i = optind; i < argc; i++) {
        merr_t err = MERR_INIT;
        if (remove_one(&s, argv[i], force, &err) < 0)
            ret = cli_fail(&err);
    }
    store_close(&s);
    return ret;
}

static int image_inspect(const struct global *g, int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("image inspect", "missing IMAGE");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    json_t *all = json_array();
    int ret = 0;
    for (int i = 1; i < argc; i++) {
        merr_t err = MERR_INIT;
        char id[72];
        json_t *o =
            store_image_find(&s, argv[i], id, &err) == 0 ? image_inspect_json(&s, id, &err) : NULL;
        if (!o)
            ret = cli_fail(&err);
        else
            json_array_append_new(all, o);
    }
    char *text = json_dumps(all, JSON_INDENT(4));
    printf("%s\n", text);
    free(text);
    json_decref(all);
    store_close(&s);
    return ret;
}

static int image_prune(const struct global *g, int argc, char **argv)
{
    bool all = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
            all = true;
        else if (strcmp(argv[i], "-f") != 0 && strcmp(argv[i], "--force") != 0)
            return cli_usage_error("image prune", "unknown flag \"%s\"", argv[i]);
    }
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    if (store_lock(&s, &err) < 0) {
        store_close(&s);
        return cli_fail(&err);
    }
    json_t *names = store_names(&s);
    char **ids = store_image_ids(&s);
    uint64_t freed = 0;
    int ret = 0;
    printf("Deleted Images:\n");
    for (size_t i = 0; ids[i]; i++) {
        char **ns = image_names(names, ids[i]);
        char cid[80];
        bool keep = (ns[0] && !all) || image_user(&s, ids[i], cid, sizeof(cid));
        struct image img;
        if (!keep && store_image_load(&s, ids[i], &img, &err) == 0) {
            for (size_t k = 0; ns[k]; k++)
                json_object_del(names, ns[k]);
            if (store_names_save(&s, names, &err) < 0 || store_image_remove(&s, ids[i], &err) < 0)
                ret = cli_fail(&err);
            else {
                printf("deleted: %s\n", ids[i]);
                freed += img.size;
            }
            image_free(&img);
        }
        err_clear(&err);
        strv_free(ns);
    }
    /* and what killed imports, loads and pulls of older moats left */
    store_sweep(&s, &freed);
    char sz[24];
    human_bytes(freed, false, sz, sizeof(sz));
    printf("\nTotal reclaimed space: %s\n", sz);
    strv_free(ids);
    json_decref(names);
    store_unlock(&s);
    store_close(&s);
    return ret;
}

int cmd_image(const struct global *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: moat image COMMAND\n\n  ls       list images\n  inspect  show images as "
               "JSON\n  rm       remove images\n  prune    remove unused images\n  tag      name "
               "an image\n  load     load images from a tarball\n  save     write images to a "
               "tarball\n  import   make an image from a root filesystem tarball\n");
        return argc < 2;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "inspect") == 0)
        return image_inspect(g, argc - 1, argv + 1);
    if (strcmp(sub, "prune") == 0)
        return image_prune(g, argc - 1, argv + 1);
    optind = 1;
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
    return cli_usage_error("image", "unknown command \"%s\"", sub);
}

int cmd_load(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {{"input", required_argument, NULL, 'i'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};
    const char *input = NULL;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
        if (c == 'i')
            input = optarg;
        else if (c == 'q')
            quiet = true;
        else if (c == 'h') {
            printf("usage: moat load [-i FILE] [-q]\n");
            return 0;
        } else
            return cli_usage_error("load", "unknown or incomplete flag \"%s\"", argv[optind - 1]);
    }
    if (cli_want_args("load", argc, argv, optind, 0, ""))
        return 1;
    int fd = input ? open(input, O_RDONLY | O_CLOEXEC) : 0;
    if (fd < 0) {
        log_error("load: --input \"%s\": %s", input, strerror(errno));
        return 1;
    }
    if (!input && isatty(0))
        return cli_usage_error("load", "the input is a terminal; use -i FILE or a pipe");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    char *out = NULL;
    int ret = image_load(&s, fd, &out, &err) < 0 ? cli_fail(&err) : 0;
    if (ret)
        store_rollback(&s);
    if (!quiet || ret)
        fputs(out, stdout);
    free(out);
    if (input)
        close(fd);
    store_close(&s);
    return ret;
}

int cmd_save(const struct global *g, int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    const char *output = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
        if (c == 'o')
            output = optarg;
        else if (c == 'h') {
            printf("usage: moat save [-o FILE] IMAGE...\n");
            return 0;
        } else
            return cli_usage_error("save", "unknown or incomplete flag \"%s\"", argv[optind - 1]);
    }
    if (optind >= argc)
        return cli_usage_error("save", "missing IMAGE");
    if (!output && isatty(1))
        return cli_usage_error("save", "refusing to write a tarball to a terminal; use -o FILE");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    int n = argc - optind, ret = 1;
    char **ids = xzalloc(((size_t)n + 1) * sizeof(char *));
    char **names = xzalloc(((size_t)n + 1) * sizeof(char *));
    merr_t err = MERR_INIT;
    cleanup_free char *tmp = output ? xasprintf("%s.tmp", output) : NULL;
    int fd = -1;
    for (int i = 0; i < n; i++) {
        char id[72];
        if (store_image_find(&s, argv[optind + i], id, &err) < 0) {
            cli_fail(&err);
            goto out;
        }
        ids[i] = xstrdup(id);
        merr_t e2 = MERR_INIT;
        char *full = image_name_full(argv[optind + i], &e2);
        err_clear(&e2);
        json_t *nm = store_names(&s);
        if (full && json_object_get(nm, full))
            names[i] = full;
        else
            free(full);
        json_decref(nm);
    }
    fd = output ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : 1;
    if (fd < 0) {
        log_error("save: --output \"%s\": %s", output, strerror(errno));
        goto out;
    }
    if (image_save(&s, ids, names, fd, &err) < 0) {
        cli_fail(&err);
        goto out;
    }
    if (output && rename(tmp, output) < 0) {
        log_error("save: --output \"%s\": %s", output, strerror(errno));
        goto out;
    }
    ret = 0;
out:
    if (output && fd >= 0)
        close(fd);
    if (ret && output)
        unlink(tmp);
    strv_free(ids);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    store_close(&s);
    return ret;
}

int cmd_import(const struct global *g, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: moat import FILE|- [REPOSITORY[:TAG]]\n");
        return 0;
    }
    if (argc < 2)
        return cli_usage_error("import", "missing FILE (or - for stdin)");
    if (argc > 3)
        return cli_usage_error("import", "unexpected argument \"%s\"", argv[3]);
    bool in = strcmp(argv[1], "-") == 0;
    int fd = in ? 0 : open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_error("import: \"%s\": %s", argv[1], strerror(errno));
        return 1;
    }
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    char id[72];
    int ret = 0;
    if (image_import(&s, fd, argc == 3 ? argv[2] : NULL, id, &err) < 0) {
        ret = cli_fail(&err);
        store_rollback(&s);
    } else
        printf("%s\n", id);
    if (!in)
        close(fd);
    store_close(&s);
    return ret;
}

/* --tls-verify=false (podman's flag) */
static int tls_flag(const char *a, bool *off)
{
    if (strcmp(a, "--tls-verify=false") == 0)
        *off = true;
    else if (strcmp(a, "--tls-verify=true") == 0 || strcmp(a, "--tls-verify") == 0)
        *off = false;
    else
        return -1;
    return 0;
}

int cmd_pull(const struct global *g, int argc, char **argv)
{
    struct pull_opts o = {.out_fd = 1};
    const char *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
            o.quiet = true;
        else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: moat pull [-q] [--tls-verify=false] NAME[:TAG|@DIGEST]\n");
            return 0;
        } else if (argv[i][0] == '-' && tls_flag(argv[i], &o.tls_verify_off) < 0)
            return cli_usage_error("pull", "unknown flag \"%s\"", argv[i]);
        else if (argv[i][0] != '-' && name)
            return cli_usage_error("pull", "unexpected argument \"%s\"", argv[i]);
        else if (argv[i][0] != '-')
            name = argv[i];
    }
    if (!name)
        return cli_usage_error("pull", "missing NAME");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
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
            cleanup_free char *full = ref_string(&r);
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

int cmd_login(const struct global *g, int argc, char **argv)
{
    const char *user = NULL, *password = NULL, *registry = NULL;
    bool stdin_pw = false, tls_off = false;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-u") == 0 || strcmp(argv[i], "--username") == 0) && i + 1 < argc)
            user = argv[++i];
        else if ((strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--password") == 0) && i + 1 < argc)
            password = argv[++i];
        else if (strcmp(argv[i], "--password-stdin") == 0)
            stdin_pw = true;
        else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: moat login -u USER (-p PASSWORD | --password-stdin) "
                   "[--tls-verify=false] REGISTRY\n");
            return 0;
        } else if (argv[i][0] == '-' && tls_flag(argv[i], &tls_off) < 0)
            return cli_usage_error("login", "unknown or incomplete flag \"%s\"", argv[i]);
        else if (argv[i][0] != '-')
            registry = argv[i];
    }
    if (!registry || !user || (!password && !stdin_pw))
        return cli_usage_error("login", "needs REGISTRY, -u USER and -p PASSWORD or "
                                        "--password-stdin");
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

int cmd_logout(const struct global *g, int argc, char **argv)
{
    if (cli_want_args("logout", argc, argv, 1, 1, "REGISTRY"))
        return 1;
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

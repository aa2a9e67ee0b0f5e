/* cmd_imgfile.c: images as files: load, save, import. */
#include "cli.h"
#include "cmd_image.h"
#include "../engine/engine.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct cmd_flags load_flags = {
    "load",
    "[OPTIONS]",
    "Load an image from a tar archive or STDIN",
    (const struct flag[]){
        {"input", 'i', "string", "Read from tar archive file, instead of STDIN", F_INPUT},
        PLATFORM_FLAG,
        {"quiet", 'q', NULL, "Suppress the load output", F_QUIET},
        {0},
    },
    true,
    0,
    0};

int cmd_load(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &load_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    const char *input = v.val[F_INPUT];
    bool quiet = v.on[F_QUIET];
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

const struct cmd_flags save_flags = {
    "save",
    "[OPTIONS] IMAGE [IMAGE...]",
    "Save one or more images to a tar archive (streamed to STDOUT by default)",
    (const struct flag[]){
        {"output", 'o', "string", "Write to a file, instead of STDOUT", F_OUTPUT},
        PLATFORM_FLAG,
        {0},
    },
    true,
    1,
    -1};

int cmd_save(const struct global *g, int argc, char **argv)
{
    struct vals v = {0};
    struct flags_it it;
    flags_begin(&it, &save_flags, argc, argv);
    int r = flags_parse(&it, image_keep, &v);
    if (r != FLAGS_DONE)
        return r;
    const char *output = v.val[F_OUTPUT];
    if (!output && isatty(1))
        return cli_usage_error("save", "refusing to write a tarball to a terminal; use -o FILE");
    struct store s;
    if (cli_store(g, &s) < 0)
        return 1;
    merr_t err = MERR_INIT;
    char *tmp = NULL;
    int fd = output ? cli_out_open(output, &tmp, &err) : 1;
    int ret = fd < 0 || image_save(&s, it.args, fd, &err) < 0 ? -1 : 0;
    if (output && fd >= 0 && cli_out_finish(fd, output, tmp, ret == 0, &err) < 0)
        ret = -1;
    store_close(&s);
    return ret < 0 ? cli_fail(&err) : 0;
}

const struct cmd_flags import_flags = {
    "import",
    "[OPTIONS] file|- [REPOSITORY[:TAG]]",
    "Import the contents from a tarball to create a filesystem image",
    (const struct flag[]){
        {"change", 'c', "list", "Apply Dockerfile instruction to the created image", F_CHANGE},
        {"message", 'm', "string", "Set commit message for imported image", F_MESSAGE},
        PLATFORM_FLAG,
        {0},
    },
    true,
    1,
    2};

struct import_v {
    char **changes;
    size_t n;
    const char *message;
};

static int on_import(struct flags_it *it, int f, void *ctx)
{
    struct import_v *v = ctx;
    if (f == F_MESSAGE) {
        v->message = it->val;
    } else if (f == F_CHANGE) {
        v->changes = xrealloc(v->changes, (v->n + 2) * sizeof(char *));
        v->changes[v->n++] = xstrdup(it->val);
        v->changes[v->n] = NULL;
    }
    return 0;
}

int cmd_import(const struct global *g, int argc, char **argv)
{
    struct import_v v = {0};
    struct flags_it it;
    flags_begin(&it, &import_flags, argc, argv);
    int r = flags_parse(&it, on_import, &v);
    if (r != FLAGS_DONE) {
        strv_free(v.changes);
        return r;
    }
    const char *src = it.args[0], *name = it.nargs == 2 ? it.args[1] : NULL;
    bool in = strcmp(src, "-") == 0;
    int fd = in ? 0 : open(src, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_error("import: \"%s\": %s", src, strerror(errno));
        strv_free(v.changes);
        return EXIT_ENGINE;
    }
    struct store s;
    int ret = EXIT_ENGINE;
    if (cli_store(g, &s) == 0) {
        merr_t err = MERR_INIT;
        char id[72];
        if (image_import(&s, fd, name, v.changes, v.n, v.message, id, &err) < 0) {
            cli_fail(&err);
            store_rollback(&s);
        } else {
            printf("%s\n", id);
            ret = 0;
        }
        store_close(&s);
    }
    if (!in)
        close(fd);
    strv_free(v.changes);
    return ret;
}

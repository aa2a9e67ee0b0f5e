/* cmd_volume.c: named volumes (the store's volumes/NAME/_data): volume
 * create, ls, inspect, rm, prune. `run -v NAME:/path` creates one too. */
#include "cli.h"
#include "../engine/ctr.h"
#include "../engine/store.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool name_ok(const char *n)
{
    return n[0] && n[0] != '.' && n[0] != '-' && strlen(n) <= 128 &&
           strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
               strlen(n);
}

static bool binds(json_t *rec, const void *needle)
{
    json_t *b = json_object_get(json_object_get(rec, "HostConfig"), "Binds");
    for (size_t k = 0; k < json_array_size(b); k++)
        if (strncmp(json_string_value(json_array_get(b, k)) ?: "", needle, strlen(needle)) == 0)
            return true;
    return false;
}

/* the container (short id) using volume `name`, or NULL */
static const char *user_of(struct store *s, const char *name, char *buf, size_t n)
{
    cleanup_free char *needle = xasprintf("%s/volumes/%s/_data:", s->root, name);
    return ctr_first(s, binds, needle, buf, n);
}

static char *keep_volume(const char *name, void *ctx)
{
    (void)ctx;
    return name_ok(name) ? xstrdup(name) : NULL;
}

static char **volume_names(struct store *s)
{
    return dir_collect(s->fd, "volumes", keep_volume, NULL);
}

static int remove_volume(struct store *s, const char *name, bool force, merr_t *err)
{
    char c[16];
    if (!force && user_of(s, name, c, sizeof(c)))
        return err_set(err, 0, "volume %s is in use by container %s", name, c);
    cleanup_free char *rel = xasprintf("volumes/%s", name);
    struct stat st;
    if (fstatat(s->fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return err_set(err, 0, "no such volume: %s", name);
    if (store_remove_tree(s, rel) < 0)
        return err_sys(err, "remove volume %s", name);
    return 0;
}

int engine_volume(const struct global *g, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: moat volume create NAME | ls [-q] | inspect NAME... | rm [-f] NAME... | "
               "prune\n");
        return argc < 2;
    }
    const char *sub = argv[1];
    struct store s;
    merr_t err = MERR_INIT;
    if (cli_store(g, &s) < 0)
        return 1;
    int ret = 0;
    if (strcmp(sub, "create") == 0) {
        if (argc != 3 || !name_ok(argv[2])) {
            ret = cli_usage_error("volume create",
                                  "one NAME (letters, digits, _ . -, not first; at most 128)");
        } else {
            cleanup_free char *p = xasprintf("%s/volumes/%s/_data", s.root, argv[2]);
            if (mkdir_p(p, 0755, &err) < 0)
                ret = cli_fail(&err);
            else
                printf("%s\n", argv[2]);
        }
    } else if (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) {
        bool quiet = argc > 2 && (strcmp(argv[2], "-q") == 0 || strcmp(argv[2], "--quiet") == 0);
        char **v = volume_names(&s);
        if (!quiet)
            printf("%-10s %s\n", "DRIVER", "VOLUME NAME");
        for (size_t i = 0; v[i]; i++) {
            if (quiet)
                printf("%s\n", v[i]);
            else
                printf("%-10s %s\n", "local", v[i]);
        }
        strv_free(v);
    } else if (strcmp(sub, "inspect") == 0) {
        json_t *out = json_array();
        for (int i = 2; i < argc; i++) {
            cleanup_free char *rel = xasprintf("volumes/%s", argv[i]);
            if (!name_ok(argv[i]) || faccessat(s.fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                err_set(&err, 0, "no such volume: %s", argv[i]);
                ret = cli_fail(&err);
                continue;
            }
            json_array_append_new(
                out,
                json_pack("{s:s,s:s,s:o,s:s}", "Name", argv[i], "Driver", "local", "Mountpoint",
                          json_sprintf("%s/volumes/%s/_data", s.root, argv[i]), "Scope", "local"));
        }
        char *t = json_dumps(out, JSON_INDENT(4));
        printf("%s\n", t);
        free(t);
        json_decref(out);
    } else if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0) {
        bool force = false;
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
                force = true;
                continue;
            }
            if (!name_ok(argv[i]) || remove_volume(&s, argv[i], force, &err) < 0) {
                if (!err.msg)
                    err_set(&err, 0, "no such volume: %s", argv[i]);
                ret = cli_fail(&err);
            } else {
                printf("%s\n", argv[i]);
            }
        }
    } else if (strcmp(sub, "prune") == 0) {
        char **v = volume_names(&s);
        printf("Deleted Volumes:\n");
        for (size_t i = 0; v[i]; i++) {
            char c[16];
            if (user_of(&s, v[i], c, sizeof(c)))
                continue;
            if (remove_volume(&s, v[i], false, &err) == 0)
                printf("%s\n", v[i]);
            err_clear(&err);
        }
        strv_free(v);
    } else {
        ret = cli_usage_error("volume", "unknown command \"%s\"", sub);
    }
    store_close(&s);
    return ret;
}

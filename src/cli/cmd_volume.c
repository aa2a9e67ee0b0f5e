/* cmd_volume.c: named volumes (the store's volumes/NAME/_data): volume
 * create, ls, inspect, rm, prune. `run -v NAME:/path` creates one too. */
#include "cli.h"
#include "../engine/ctr.h"
#include "../engine/store.h"
#include "../engine/volume.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        if (argc != 3 || !volume_name_ok(argv[2])) {
            ret = cli_usage_error("volume create",
                                  "one NAME (letters, digits, _ . -, not first; at most 128)");
        } else {
            bool created;
            if (store_lock(&s, &err) < 0 || volume_ensure(&s, argv[2], &created, &err) < 0)
                ret = cli_fail(&err);
            else
                printf("%s\n", argv[2]);
            store_unlock(&s);
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
            json_t *v = volume_inspect(&s, argv[i], &err);
            if (!v)
                ret = cli_fail(&err);
            else
                json_array_append_new(out, v);
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
            if (volume_remove(&s, argv[i], force, &err) < 0) {
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
            if (volume_user(&s, v[i], c, sizeof(c)))
                continue;
            if (volume_remove(&s, v[i], false, &err) == 0)
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

/* idrange.c: id ranges of containers and volumes across the host's stores
 * (see idrange.h). */
#include "idrange.h"
#include "ctr.h"
#include "stores.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define RECORD_MAX (16 << 20)

struct used {
    uint64_t *v;
    size_t n, cap;
};

static void add(struct used *u, uint64_t b)
{
    if (!b)
        return;
    if (u->n == u->cap) {
        u->cap = u->cap ? 2 * u->cap : 64;
        u->v = xrealloc(u->v, u->cap * sizeof(uint64_t));
    }
    u->v[u->n++] = b;
}

/* UsernsBase of the JSON file dir/name (a record or volume.json) */
static void add_from(struct used *u, int dir, const char *name)
{
    cleanup_close int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    cleanup_free char *text = NULL;
    if (fd < 0 || read_regular_fd(fd, RECORD_MAX, &text, NULL) < 0)
        return;
    json_t *j = json_loads(text, 0, NULL);
    json_int_t b = json_integer_value(json_object_get(j, "UsernsBase"));
    json_decref(j);
    if (b > 0)
        add(u, (uint64_t)b);
}

static char *any_name(const char *name, void *ctx)
{
    (void)ctx;
    return name[0] != '.' ? xstrdup(name) : NULL;
}

/* the ranges held in the store at storefd */
static void store_ranges(int storefd, struct used *u)
{
    static const char *const kinds[][2] = {{"containers", "container.json"},
                                           {"volumes", "volume.json"}};
    for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
        char **names = dir_collect(storefd, kinds[k][0], any_name, NULL);
        for (size_t i = 0; names[i]; i++) {
            cleanup_free char *rel = xasprintf("%s/%s", kinds[k][0], names[i]);
            cleanup_close int d =
                openat(storefd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (d >= 0)
                add_from(u, d, kinds[k][1]);
        }
        strv_free(names);
    }
}

static void host_ranges(struct store *s, struct used *u)
{
    store_ranges(s->fd, u);
    char self[PATH_MAX];
    if (!realpath(s->root, self))
        self[0] = 0;
    char **stores = stores_list();
    for (size_t i = 0; stores[i]; i++) {
        if (strcmp(stores[i], self) == 0)
            continue;
        cleanup_close int fd = stores_open(stores[i]);
        if (fd >= 0)
            store_ranges(fd, u);
    }
    strv_free(stores);
}

int idrange_alloc(struct store *s, uint64_t *base, merr_t *err)
{
    uint64_t start, count;
    if (subid_range("/etc/subuid", &start, &count) < 0)
        start = count = PROFILE_SUBID_FALLBACK;
    /* ids are 32 bits (and 2^32-1 is no id): a range past that would wrap */
    uint64_t room = start < 0xFFFFFFFFULL ? 0xFFFFFFFFULL - start : 0;
    uint64_t slots = (count < room ? count : room) / CTR_USERNS_SIZE;
    if (!slots)
        return err_set(err, 0, "/etc/subuid: moat has fewer than %d subordinate ids",
                       CTR_USERNS_SIZE);
    if (s->idsfd < 0 && (s->idsfd = stores_lock(err)) < 0)
        return -1;
    struct used u = {0};
    host_ranges(s, &u);
    for (size_t i = 0; i < s->npending; i++) /* taken for a holder not yet written */
        add(&u, s->pending[i]);
    int ret = err_set(err, 0, "no free user namespace range left (%zu in use)", u.n);
    for (uint64_t k = slots; k-- > 0;) {
        uint64_t b = start + k * CTR_USERNS_SIZE;
        bool taken = false;
        /* overlapping, not only equal: a range recorded when /etc/subuid
         * said otherwise may sit across two slots */
        for (size_t i = 0; i < u.n && !taken; i++)
            taken = b < u.v[i] + CTR_USERNS_SIZE && u.v[i] < b + CTR_USERNS_SIZE;
        if (!taken) {
            *base = b;
            s->pending = xrealloc(s->pending, (s->npending + 1) * sizeof(uint64_t));
            s->pending[s->npending++] = b;
            err_clear(err);
            ret = 0;
            break;
        }
    }
    free(u.v);
    return ret;
}

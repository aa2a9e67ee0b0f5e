/* userns_auto.c: a user-namespace id range of its own for every container.
 *
 * With the annotation "run.moat.userns": "auto" (or "auto:size=N"), moat
 * replaces the config's uid/gid mappings by a free range of N ids (65536 by
 * default) taken from the subordinate ids of the user "moat" in /etc/subuid
 * and /etc/subgid (scripts/setup.sh creates them), like podman
 * --userns=auto. Host processes of different containers then never share a
 * uid. Each container records its range in its state directory (file
 * "userns"), so the range is free again when the container is deleted; a
 * lock under --root serialises the choice. */
#include "container.h"
#include "../util/fs.h"
#include "../util/log.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#define AUTO_USER "moat"
#define DEFAULT_SIZE 65536

const char *spec_annotation(const struct spec *s, const char *key)
{
    for (size_t i = 0; i < s->nannotations; i++)
        if (strcmp(s->annotations[i].key, key) == 0)
            return s->annotations[i].value;
    return NULL;
}

int subid_range(const char *file, uint64_t *start, uint64_t *count)
{
    char *text = NULL;
    if (read_file_at(AT_FDCWD, file, &text, NULL, NULL) < 0)
        return -1;
    int found = -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && found < 0;
         line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || (size_t)(c1 - line) != strlen(AUTO_USER) ||
            strncmp(line, AUTO_USER, strlen(AUTO_USER)) != 0)
            continue;
        *c2 = 0;
        if (parse_u64(c1 + 1, start) == 0 && parse_u64(c2 + 1, count) == 0)
            found = 0;
    }
    free(text);
    return found;
}

/* bases of the ranges other containers hold */
static uint64_t *used_bases(int rootfd, size_t *n)
{
    size_t cap = 16;
    uint64_t *v = xmalloc(cap * sizeof(uint64_t));
    *n = 0;
    int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return v;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        cleanup_free char *path = xasprintf("%s/userns", de->d_name);
        char *text = NULL;
        if (read_file_at(rootfd, path, &text, NULL, NULL) < 0)
            continue;
        unsigned long long base = 0;
        if (sscanf(text, "%llu", &base) == 1) {
            if (*n == cap)
                v = xrealloc(v, (cap *= 2) * sizeof(uint64_t));
            v[(*n)++] = base;
        }
        free(text);
    }
    closedir(d);
    return v;
}

static void set_map(struct spec_idmap **m, size_t *n, uint64_t host, uint64_t size)
{
    free(*m);
    *m = xzalloc(sizeof(struct spec_idmap));
    (*m)[0] = (struct spec_idmap){0, (uint32_t)host, (uint32_t)size};
    *n = 1;
}

int userns_auto(struct container *c, merr_t *err)
{
    const char *a = spec_annotation(c->spec, "run.moat.userns");
    if (!a || strncmp(a, "auto", 4) != 0)
        return 0;
    uint64_t size = DEFAULT_SIZE;
    if (a[4] && (strncmp(a + 4, ":size=", 6) != 0 || parse_u64(a + 10, &size) < 0 || size == 0 ||
                 size > 0x7fffffff))
        return err_set(err, EINVAL,
                       "annotations.run.moat.userns: \"%s\" is not auto or auto:size=N", a);
    struct spec_linux *l = &c->spec->linux_;
    if (!l->ns[NS_USER].want || l->ns[NS_USER].path)
        return err_set(err, EINVAL,
                       "annotations.run.moat.userns: auto needs a new user namespace in "
                       "linux.namespaces");
    uint64_t us, uc, gs, gc;
    if (subid_range("/etc/subuid", &us, &uc) < 0 || subid_range("/etc/subgid", &gs, &gc) < 0)
        return err_set(err, ENOENT,
                       "annotations.run.moat.userns: auto needs subordinate ids for the user "
                       "\"" AUTO_USER "\" in /etc/subuid and /etc/subgid (run scripts/setup.sh)");
    uint64_t slots = (uc < gc ? uc : gc) / size;
    int lock = openat(c->rootfd, ".userns.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) < 0) {
        if (lock >= 0)
            close(lock);
        return err_sys(err, "lock the user namespace ranges");
    }
    size_t nused;
    uint64_t *used = used_bases(c->rootfd, &nused);
    uint64_t slot = 0;
    for (; slot < slots; slot++) {
        bool taken = false;
        for (size_t i = 0; i < nused && !taken; i++)
            taken = used[i] == us + slot * size;
        if (!taken)
            break;
    }
    free(used);
    int r = 0;
    if (slot == slots) {
        r = err_set(err, ENOSPC,
                    "annotations.run.moat.userns: all %llu ranges of %llu ids of the user "
                    "\"" AUTO_USER "\" are in use",
                    (unsigned long long)slots, (unsigned long long)size);
    } else {
        uint64_t ub = us + slot * size, gb = gs + slot * size;
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "%llu %llu %llu\n", (unsigned long long)ub,
                         (unsigned long long)gb, (unsigned long long)size);
        r = atomic_write_at(c->statefd, "userns", buf, (size_t)n, 0600, err);
        if (r == 0) {
            set_map(&l->uid_mappings, &l->n_uid_mappings, ub, size);
            set_map(&l->gid_mappings, &l->n_gid_mappings, gb, size);
            log_debug("user namespace: ids %llu-%llu", (unsigned long long)ub,
                      (unsigned long long)(ub + size - 1));
        }
    }
    close(lock);
    return r;
}

/* kit_initrd.c: moat's initramfs, a newc cpio written here (see kit.h). */
#include "kit.h"
#include "kit_int.h"

#include "../util/fs.h"
#include "../util/util.h"

#include <archive.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* what every guest needs: the virtio-mmio transport (microvm), the
 * console port of the control channel, the virtiofs root; with their
 * dependencies (virtio, virtio_ring, fuse). Then what only a guest with
 * a network needs, under lib/modules/net (loading costs milliseconds
 * under TCG). */
static const char *const base_modules[] = {"virtio_mmio", "virtio_console", "virtiofs", NULL};
static const char *const want_modules[] = {"virtio_mmio", "virtio_console", "virtiofs",
                                           "virtio_net", NULL};

/* "kernel/fs/fuse/virtio-fs.ko.xz" -> "virtio_fs" */
static char *mod_name(const char *path, size_t n)
{
    const char *b = path;
    for (size_t i = 0; i < n; i++)
        if (path[i] == '/')
            b = path + i + 1;
    size_t k = (size_t)(path + n - b);
    const char *ko = memmem(b, k, ".ko", 3);
    if (ko)
        k = (size_t)(ko - b);
    char *s = xstrndup(b, k);
    for (char *p = s; *p; p++)
        if (*p == '-')
            *p = '_';
    return s;
}

struct moddep {
    char *name, *path;
    char **deps; /* paths */
};

struct modset {
    struct moddep *m;
    size_t n;
    const char *builtin;
    char **order;
    merr_t *err;
};

static void parse_dep(struct modset *s, const char *text)
{
    for (const char *l = text; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        const char *colon = memchr(l, ':', len);
        if (colon && colon > l) {
            s->m = xrealloc(s->m, (s->n + 1) * sizeof(*s->m));
            struct moddep *d = &s->m[s->n++];
            d->path = xstrndup(l, (size_t)(colon - l));
            d->name = mod_name(l, (size_t)(colon - l));
            d->deps = xzalloc(sizeof(char *));
            char *rest = xstrndup(colon + 1, len - (size_t)(colon + 1 - l)), *save = NULL;
            for (char *t = strtok_r(rest, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
                strv_push(&d->deps, t);
            free(rest);
        }
        l += len + (nl ? 1 : 0);
    }
}

static bool is_builtin(const char *builtin, const char *name)
{
    for (const char *l = builtin; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        char *n = mod_name(l, len);
        bool hit = strcmp(n, name) == 0;
        free(n);
        if (hit)
            return true;
        l += len + (nl ? 1 : 0);
    }
    return false;
}

/* key: a module name, or with by_path its path in modules.dep */
static int visit(struct modset *s, const char *key, bool by_path, int depth)
{
    struct moddep *d = NULL;
    for (size_t i = 0; i < s->n && !d; i++)
        if (strcmp(by_path ? s->m[i].path : s->m[i].name, key) == 0)
            d = &s->m[i];
    if (!d) {
        char *n = by_path ? mod_name(key, strlen(key)) : xstrdup(key);
        bool ok = is_builtin(s->builtin, n);
        if (!ok)
            err_set(s->err, ENOENT, "module %s: not in modules.dep nor built in", n);
        free(n);
        return ok ? 0 : -1;
    }
    if (strv_contains(s->order, d->path))
        return 0;
    if (depth > 16)
        return err_set(s->err, ELOOP, "module %s: dependencies nest too deep", d->name);
    /* modprobe loads the last dependency listed first */
    for (size_t k = strv_len(d->deps); k > 0; k--)
        if (visit(s, d->deps[k - 1], true, depth + 1) < 0)
            return -1;
    strv_push(&s->order, d->path);
    return 0;
}

char **kit_modules_order(const char *dep, const char *builtin, const char *const *want, merr_t *err)
{
    struct modset s = {NULL, 0, builtin, xzalloc(sizeof(char *)), err};
    parse_dep(&s, dep);
    int r = 0;
    for (size_t i = 0; want[i] && r == 0; i++)
        r = visit(&s, want[i], false, 0);
    for (size_t i = 0; i < s.n; i++) {
        free(s.m[i].name);
        free(s.m[i].path);
        strv_free(s.m[i].deps);
    }
    free(s.m);
    if (r < 0) {
        strv_free(s.order);
        return NULL;
    }
    return s.order;
}

struct cpio {
    int fd;
    uint32_t ino;
};

static int cpio_add(struct cpio *c, const char *name, unsigned mode, unsigned rdev_major,
                    unsigned rdev_minor, const void *data, size_t len)
{
    static const char zero[4];
    char hdr[160];
    size_t nlen = strlen(name) + 1;
    if (len > UINT32_MAX || nlen > 4096) {
        errno = EFBIG;
        return -1;
    }
    int h = snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                     ++c->ino, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, (unsigned)len, 0u, 0u,
                     rdev_major, rdev_minor, (unsigned)nlen, 0u);
    if (h != 110 || write_all(c->fd, hdr, 110) < 0 || write_all(c->fd, name, nlen) < 0 ||
        write_all(c->fd, zero, (4 - (110 + nlen) % 4) % 4) < 0)
        return -1;
    if (len && (write_all(c->fd, data, len) < 0 || write_all(c->fd, zero, (4 - len % 4) % 4) < 0))
        return -1;
    return 0;
}

/* a module file's contents, decompressed if it is .ko.xz, .ko.zst, .ko.gz */
static int read_module(const char *path, char **out, size_t *len, merr_t *err)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    struct sbuf b = {0};
    int r = -1;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        err_set(err, archive_errno(a), "module \"%s\": %s", path, archive_error_string(a));
        goto out;
    }
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof(buf))) > 0)
        sbuf_add(&b, buf, (size_t)n);
    if (n < 0) {
        err_set(err, archive_errno(a), "module \"%s\": %s", path, archive_error_string(a));
        goto out;
    }
    *len = b.len;
    *out = sbuf_steal(&b);
    r = 0;
out:
    if (r < 0)
        free(b.buf);
    archive_read_free(a);
    return r;
}

/* The module's length without its signature: the guest does not enforce
 * signatures, and checking one costs tens of milliseconds under TCG. */
static size_t unsigned_len(const char *data, size_t len)
{
    static const char magic[] = "~Module signature appended~\n";
    const size_t ml = sizeof(magic) - 1, info = 12; /* struct module_signature */
    if (len < ml + info || memcmp(data + len - ml, magic, ml) != 0)
        return len;
    const uint8_t *p = (const uint8_t *)data + len - ml - 4;
    size_t sig = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    if (sig > len - ml - info)
        return len;
    return len - ml - info - sig;
}

static int add_modules(struct cpio *c, const char *modroot, char **order, char **base, merr_t *err)
{
    for (size_t i = 0; order[i]; i++) {
        char *p = xasprintf("%s/%s", modroot, order[i]), *data = NULL;
        size_t len = 0;
        int r = read_module(p, &data, &len, err);
        free(p);
        if (r < 0)
            return -1;
        char *mod = mod_name(order[i], strlen(order[i]));
        char *name = xasprintf("lib/modules/%s%02zu-%s.ko",
                               strv_contains(base, order[i]) ? "" : "net/", i, mod);
        r = cpio_add(c, name, S_IFREG | 0644, 0, 0, data, unsigned_len(data, len));
        free(name);
        free(mod);
        free(data);
        if (r < 0)
            return err_sys(err, "write the initramfs");
    }
    return 0;
}

static char **kernel_modules(const char *kernel, char **modroot, char ***base, merr_t *err)
{
    struct kit_map km = {0};
    if (kit_map(kernel, "VM kernel", &km, err) < 0)
        return NULL;
    char *rel = kit_kernel_release(km.data, km.len);
    kit_unmap(&km);
    if (!rel) {
        err_set(err, EINVAL, "VM kernel \"%s\": no Linux version found in it (not a kernel?)",
                kernel);
        return NULL;
    }
    *modroot = xasprintf("/lib/modules/%s", rel);
    free(rel);
    char *dep = NULL, *builtin = NULL;
    char *depf = xasprintf("%s/modules.dep", *modroot);
    char *bif = xasprintf("%s/modules.builtin", *modroot);
    char **order = NULL;
    if (read_file_at(AT_FDCWD, depf, &dep, NULL, err) < 0) {
        err_wrap(err, "VM kernel \"%s\": its modules (install its linux-image package)", kernel);
    } else {
        merr_t ignore = MERR_INIT;
        read_file_at(AT_FDCWD, bif, &builtin, NULL, &ignore);
        err_clear(&ignore);
        order = kit_modules_order(dep, builtin, want_modules, err);
        *base = order ? kit_modules_order(dep, builtin, base_modules, err) : NULL;
        if (!*base) {
            strv_free(order);
            order = NULL;
            err_wrap(err, "VM kernel \"%s\" (%s)", kernel, *modroot);
        }
    }
    free(dep);
    free(builtin);
    free(depf);
    free(bif);
    return order;
}

/* The executable without what only debuggers read: its bytes up to the
 * end of the last segment, without section headers (debug sections are
 * more than half of moat's file, and the kernel unpacks every byte of the
 * initramfs, slowly under TCG). */
static uint8_t *exe_stripped(const struct kit_map *exe, size_t *len)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)exe->data;
    size_t end = eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf64_Phdr);
    for (size_t i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(exe->data + eh->e_phoff + i * sizeof(*ph));
        if (ph->p_offset + ph->p_filesz > end)
            end = ph->p_offset + ph->p_filesz;
    }
    if (end > exe->len)
        end = exe->len;
    uint8_t *c = xmalloc(end);
    memcpy(c, exe->data, end);
    Elf64_Ehdr *h = (Elf64_Ehdr *)c;
    h->e_shoff = 0;
    h->e_shnum = 0;
    h->e_shstrndx = SHN_UNDEF;
    *len = end;
    return c;
}

static int write_all_entries(struct cpio *c, const struct kit_map *exe, const char *modroot,
                             char **order, char **base, merr_t *err)
{
    static const char *const dirs[] = {"dev",         "proc",           "sys", "mnt", "lib",
                                       "lib/modules", "lib/modules/net"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
        if (cpio_add(c, dirs[i], S_IFDIR | 0755, 0, 0, NULL, 0) < 0)
            return err_sys(err, "write the initramfs");
    /* the kernel opens it as init's stdio */
    size_t len = 0;
    uint8_t *init = exe_stripped(exe, &len);
    int r = cpio_add(c, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0) < 0 ||
                    cpio_add(c, KIT_INIT_NAME, S_IFREG | 0755, 0, 0, init, len) < 0
                ? -1
                : 0;
    free(init);
    if (r < 0)
        return err_sys(err, "write the initramfs");
    if (add_modules(c, modroot, order, base, err) < 0)
        return -1;
    if (cpio_add(c, "TRAILER!!!", 0, 0, 0, NULL, 0) < 0)
        return err_sys(err, "write the initramfs");
    return 0;
}

int kit_build_initrd(const char *kernel, const struct kit_map *exe, const char *dir,
                     const char *path, merr_t *err)
{
    char *modroot = NULL;
    char **base = NULL;
    char **order = kernel_modules(kernel, &modroot, &base, err);
    if (!order) {
        free(modroot);
        return -1;
    }
    char *tmp = xasprintf("%s/.initrd-XXXXXX", dir);
    struct cpio c = {mkostemp(tmp, O_CLOEXEC), 0};
    int r = -1;
    if (c.fd < 0) {
        err_sys(err, "initramfs: create a file in %s", dir);
        goto out;
    }
    if (write_all_entries(&c, exe, modroot, order, base, err) < 0)
        goto out;
    if (fchmod(c.fd, 0644) < 0 || fsync(c.fd) < 0 || rename(tmp, path) < 0) {
        err_sys(err, "initramfs: write %s", path);
        goto out;
    }
    r = 0;
out:
    if (c.fd >= 0)
        close(c.fd);
    if (r < 0 && c.fd >= 0)
        unlink(tmp);
    free(tmp);
    free(modroot);
    strv_free(order);
    strv_free(base);
    return r;
}

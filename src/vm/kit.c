/* kit.c: the guest kernel and the cache of initramfs images (see kit.h). */
#include "kit.h"
#include "kit_int.h"

#include "../util/fs.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int check_kernel(const char *path, const char *what, merr_t *err)
{
    struct stat st;
    if (path[0] != '/')
        return err_set(err, EINVAL, "%s \"%s\": must be an absolute path", what, path);
    if (stat(path, &st) < 0)
        return err_sys(err, "%s \"%s\"", what, path);
    if (!S_ISREG(st.st_mode))
        return err_set(err, EINVAL, "%s \"%s\": not a regular file", what, path);
    return 0;
}

static int newest_cloud(const char *a, const char *b)
{
    return strverscmp(a, b);
}

int kit_kernel(const char *want, char **path, merr_t *err)
{
    const char *env = getenv("MOAT_VM_KERNEL");
    if (want && *want) {
        if (check_kernel(want, "VM kernel", err) < 0)
            return -1;
        *path = xstrdup(want);
        return 0;
    }
    if (env && *env) {
        if (check_kernel(env, "MOAT_VM_KERNEL", err) < 0)
            return -1;
        *path = xstrdup(env);
        return 0;
    }
    if (access(KIT_KERNEL, R_OK) == 0) {
        *path = xstrdup(KIT_KERNEL);
        return 0;
    }
    /* a bzImage boots too, only slower */
    DIR *d = opendir("/boot");
    char *best = NULL;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "vmlinuz-", 8) == 0 && n > 20 &&
            strcmp(e->d_name + n - 12, "-cloud-amd64") == 0 &&
            (!best || newest_cloud(e->d_name, best) > 0)) {
            free(best);
            best = xstrdup(e->d_name);
        }
    }
    if (d)
        closedir(d);
    if (!best)
        return err_set(err, ENOENT,
                       "no VM kernel: neither %s nor /boot/vmlinuz-*-cloud-amd64 exists "
                       "(run scripts/setup.sh, or set MOAT_VM_KERNEL)",
                       KIT_KERNEL);
    *path = xasprintf("/boot/%s", best);
    free(best);
    return 0;
}

static bool release_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '+';
}

/* the first word at p (within end), if it is a plain release name */
static char *release_word(const uint8_t *p, const uint8_t *end)
{
    size_t n = 0;
    while (p + n < end && n < 128 && release_char((char)p[n]))
        n++;
    if (n == 0 || n == 128 || (p + n < end && p[n] != ' ' && p[n] != '\0') || p[0] == '.')
        return NULL;
    return xstrndup((const char *)p, n);
}

char *kit_kernel_release(const uint8_t *buf, size_t n)
{
    /* bzImage: "HdrS" at 0x202, the version string's offset - 0x200 at 0x20e */
    if (n > 0x210 && memcmp(buf + 0x202, "HdrS", 4) == 0) {
        size_t off = (size_t)(buf[0x20e] | buf[0x20f] << 8) + 0x200;
        if (off < n)
            return release_word(buf + off, buf + n);
        return NULL;
    }
    if (n < 4 || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return NULL;
    static const char banner[] = "Linux version ";
    const uint8_t *p = buf, *end = buf + n;
    while ((p = memmem(p, (size_t)(end - p), banner, sizeof(banner) - 1))) {
        p += sizeof(banner) - 1;
        char *r = release_word(p, end);
        if (r)
            return r;
    }
    return NULL;
}

/* The GNU build id of the ELF file at fd, as hex; else NULL. */
static char *elf_build_id(const uint8_t *m, size_t n)
{
    if (n < sizeof(Elf64_Ehdr) || memcmp(m, ELFMAG, SELFMAG) != 0 || m[EI_CLASS] != ELFCLASS64)
        return NULL;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        size_t at = eh->e_phoff + i * sizeof(Elf64_Phdr);
        if (eh->e_phoff > n || at + sizeof(Elf64_Phdr) > n)
            return NULL;
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(m + at);
        if (ph->p_type != PT_NOTE || ph->p_offset > n || ph->p_filesz > n - ph->p_offset)
            continue;
        size_t o = ph->p_offset, e = ph->p_offset + ph->p_filesz;
        while (o + sizeof(Elf64_Nhdr) <= e) {
            const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(m + o);
            size_t name = o + sizeof(*nh), desc = name + ((nh->n_namesz + 3) & ~3u);
            if (desc > e || nh->n_descsz > e - desc)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(m + name, "GNU", 4) == 0 && nh->n_descsz > 0 && nh->n_descsz <= 64) {
                struct sbuf b = {0};
                for (size_t k = 0; k < nh->n_descsz; k++)
                    sbuf_printf(&b, "%02x", m[desc + k]);
                return sbuf_steal(&b);
            }
            o = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return NULL;
}

bool kit_elf_dynamic(const uint8_t *m, size_t n)
{
    if (n < sizeof(Elf64_Ehdr) || memcmp(m, ELFMAG, SELFMAG) != 0 || m[EI_CLASS] != ELFCLASS64)
        return true; /* not something the guest can run as its init */
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        size_t at = eh->e_phoff + i * sizeof(Elf64_Phdr);
        if (eh->e_phoff > n || at + sizeof(Elf64_Phdr) > n)
            return true;
        if (((const Elf64_Phdr *)(m + at))->p_type == PT_INTERP)
            return true;
    }
    return false;
}

int kit_map(const char *path, const char *what, struct kit_map *km, merr_t *err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return err_sys(err, "%s \"%s\"", what, path);
    if (!S_ISREG(st.st_mode) || st.st_size == 0)
        return err_set(err, EINVAL, "%s \"%s\": not a regular file with data", what, path);
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED)
        return err_sys(err, "%s \"%s\": mmap", what, path);
    *km = (struct kit_map){m, (size_t)st.st_size, st};
    return 0;
}

void kit_unmap(struct kit_map *km)
{
    if (km->data)
        munmap((void *)km->data, km->len);
    km->data = NULL;
}

#define KIT_FORMAT 4

/* Each build of moat, and each kernel, makes its own initramfs and copy
 * of the binary. When one is made (rarely: a new build), the others of
 * its kind not used for KIT_PRUNE_AGE go: a hit refreshes a file's mtime,
 * a running VM's sandbox holds its binds of the inodes, and a VM started
 * again later makes what it lacks. */
#define KIT_PRUNE_AGE (10 * 60)

static void prune(const char *dir, const char *prefix, const char *keep)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* against the hits' shared lock (hit): a file seen old here is not
     * refreshed for use before it goes */
    if (dfd >= 0 && flock(dfd, LOCK_EX) < 0)
        return;
    DIR *d = dfd < 0 ? NULL : fdopendir(dup(dfd));
    struct dirent *e;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    while (d && (e = readdir(d))) {
        struct stat st;
        const char *n = e->d_name;
        bool tmp = n[0] == '.' && strncmp(n + 1, prefix, strlen(prefix)) == 0;
        if ((strncmp(n, prefix, strlen(prefix)) != 0 && !tmp) || strcmp(n, keep) == 0 ||
            fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
            now.tv_sec - st.st_mtim.tv_sec < KIT_PRUNE_AGE)
            continue;
        unlinkat(dfd, n, 0);
    }
    if (d)
        closedir(d);
}

/* Is the cache's file at path there (mode: access's)? A hit refreshes
 * its mtime, under a shared lock of dir against prune. */
static bool hit(const char *dir, const char *path, int mode)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        flock(dfd, LOCK_SH);
    bool there = access(path, mode) == 0;
    if (there)
        utimensat(AT_FDCWD, path, NULL, 0);
    return there;
}

/* The cache key: the kernel's identity and the binary's build id (its
 * whole content when it has none). */
static char *cache_key(const struct stat *kst, const struct kit_map *exe)
{
    struct sha256 h;
    sha256_init(&h);
    char *id = elf_build_id(exe->data, exe->len);
    /* KIT_FORMAT: what kit_initrd.c puts in it, counted up when that changes */
    char *k = xasprintf("%d:%ju:%ju:%jd:%jd.%09ld", KIT_FORMAT, (uintmax_t)kst->st_dev,
                        (uintmax_t)kst->st_ino, (intmax_t)kst->st_size,
                        (intmax_t)kst->st_mtim.tv_sec, kst->st_mtim.tv_nsec);
    sha256_update(&h, k, strlen(k) + 1);
    if (id)
        sha256_update(&h, id, strlen(id));
    else
        sha256_update(&h, exe->data, exe->len);
    free(k);
    free(id);
    uint8_t d[32];
    sha256_final(&h, d);
    struct sbuf b = {0};
    for (int i = 0; i < 12; i++)
        sbuf_printf(&b, "%02x", d[i]);
    return sbuf_steal(&b);
}

int kit_initrd(const char *kernel, const char *exe, const char *dir, char **out, merr_t *err)
{
    if (!dir)
        dir = KIT_DIR;
    struct stat kst;
    if (stat(kernel, &kst) < 0)
        return err_sys(err, "VM kernel \"%s\"", kernel);
    struct kit_map em = {0};
    if (kit_map(exe, "moat binary", &em, err) < 0)
        return -1;
    if (kit_elf_dynamic(em.data, em.len)) {
        kit_unmap(&em);
        return err_set(err, EINVAL,
                       "moat binary \"%s\": not a static executable, so it cannot be the "
                       "VM's init (a sanitizer build is dynamic: use the release build)",
                       exe);
    }
    char *key = cache_key(&kst, &em);
    char *path = xasprintf("%s/initrd-%s.cpio", dir, key);
    free(key);
    int r = 0;
    if (!hit(dir, path, R_OK)) {
        r = mkdir_p(dir, 0755, err);
        if (r == 0)
            r = kit_build_initrd(kernel, &em, dir, path, err);
        if (r == 0)
            prune(dir, "initrd-", strrchr(path, '/') + 1);
    }
    kit_unmap(&em);
    if (r < 0) {
        free(path);
        return -1;
    }
    *out = path;
    return 0;
}

int kit_exe(const char *exe, const char *dir, char **out, merr_t *err)
{
    if (!dir)
        dir = KIT_DIR;
    struct kit_map em = {0};
    if (kit_map(exe, "moat binary", &em, err) < 0)
        return -1;
    char *id = elf_build_id(em.data, em.len);
    struct sha256 h;
    sha256_init(&h);
    if (id)
        sha256_update(&h, id, strlen(id));
    else
        sha256_update(&h, em.data, em.len);
    free(id);
    uint8_t d[32];
    sha256_final(&h, d);
    struct sbuf b = {0};
    sbuf_printf(&b, "%s/moat-", dir);
    for (int i = 0; i < 12; i++)
        sbuf_printf(&b, "%02x", d[i]);
    char *path = sbuf_steal(&b);
    int r = 0;
    if (!hit(dir, path, X_OK)) {
        r = mkdir_p(dir, 0755, err);
        int dfd = r == 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (r == 0 && dfd < 0)
            r = err_sys(err, "%s", dir);
        if (r == 0)
            r = atomic_write_at(dfd, strrchr(path, '/') + 1, (const char *)em.data, em.len, 0755,
                                err);
        if (dfd >= 0)
            close(dfd);
        if (r == 0)
            prune(dir, "moat-", strrchr(path, '/') + 1);
    }
    kit_unmap(&em);
    if (r < 0) {
        free(path);
        return -1;
    }
    *out = path;
    return 0;
}

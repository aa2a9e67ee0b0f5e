/* vm.c: the vm handler's host side at create (see vm.h). */
#include "vm.h"
#include "vm_config.h"
#include "../../kernel/mount.h"
#include "../../kernel/seccomp.h"
#include "../../oci/spec.h"
#include "../../util/fs.h"
#include "../../util/log.h"
#include "../../util/util.h"
#include "../../vm/kit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SKELETON KIT_DIR "/root-2" /* counted up when vm_skeleton_entries change */

static int make_entries(const char *dir, merr_t *err)
{
    for (const char *const *e = vm_skeleton_entries; *e; e++) {
        cleanup_free char *name = xstrdup(*e);
        size_t n = strlen(name);
        char *arrow = strchr(name, '>');
        int r;
        if (arrow) {
            *arrow = 0;
            cleanup_free char *p = xasprintf("%s/%s", dir, name);
            r = symlink(arrow + 1, p);
        } else if (name[n - 1] == '/') {
            cleanup_free char *p = xasprintf("%s/%s", dir, name);
            r = mkdir(p, 0755);
        } else {
            cleanup_free char *p = xasprintf("%s/%s", dir, name);
            int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
            r = fd < 0 ? -1 : close(fd);
        }
        if (r < 0)
            return err_sys(err, "VM skeleton %s/%s", dir, *e);
    }
    return chmod(dir, 0755) < 0 ? err_sys(err, "VM skeleton %s", dir) : 0;
}

/* the kit's directory; its parent, moat's store, 0700 as the store makes it */
static int vm_kit_dir(merr_t *err)
{
    if (mkdir("/var/lib/moat", 0700) < 0 && errno != EEXIST)
        return err_sys(err, "/var/lib/moat");
    return mkdir_p(KIT_DIR, 0755, err);
}

int vm_skeleton(char **out, merr_t *err)
{
    struct stat st;
    if (lstat(SKELETON, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0) {
        *out = xstrdup(SKELETON);
        return 0;
    }
    if (vm_kit_dir(err) < 0)
        return -1;
    char tmp[] = KIT_DIR "/root.XXXXXX";
    if (!mkdtemp(tmp))
        return err_sys(err, "VM skeleton in %s", KIT_DIR);
    if (make_entries(tmp, err) < 0) {
        rm_rf_at(AT_FDCWD, tmp);
        return -1;
    }
    if (rename(tmp, SKELETON) < 0) {
        int e = errno;
        rm_rf_at(AT_FDCWD, tmp);
        if (e != EEXIST && e != ENOTEMPTY) /* else another made it first */
            return err_set(err, e, "VM skeleton %s: %s", SKELETON, strerror(e));
    }
    *out = xstrdup(SKELETON);
    return 0;
}

/* the part of path under dir (dir a prefix of it, whole components), or NULL */
static const char *under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n && dir[n - 1] == '/')
        n--;
    return !strncmp(path, dir, n) && path[n] == '/' ? path + n : NULL;
}

/* a path of names only: no "", "." or ".." component */
static bool plain_components(const char *d)
{
    if (!*d)
        return false;
    for (const char *p = d; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
        if (*p == '/' && !*++p)
            return false; /* a trailing slash */
    }
    return true;
}

/* dst (relative) in the image: plain directories as far as it exists
 * (what is missing the runtime makes, inside) */
static int plain_path(int root, const char *dst, size_t i, merr_t *err)
{
    cleanup_free char *p = xstrdup(dst);
    for (;;) {
        int fd = mnt_openat_beneath_plain(root, p, O_PATH);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        char *slash = strrchr(p, '/');
        if (errno != ENOENT || !slash) {
            if (errno == ENOENT)
                return 0;
            return err_set(err, 0,
                           "config.json: mounts[%zu].destination: \"/%s\" goes through a "
                           "symlink or another mount in the image (%s): not in a VM, where it "
                           "could lead the mount out of the image",
                           i, dst, strerror(errno));
        }
        *slash = 0;
    }
}

/* Each bind is mounted at /rootfs + its destination, which the runtime
 * resolves in the sandbox's root: a symlink in the image, or in a volume
 * under the image, could lead it out of /rootfs and over QEMU's own
 * files. So a destination must run through plain directories of the
 * image, with no "..", and under no other bind (whose content another
 * container may change). Checked before anything runs (the image does not
 * change while the container is not running). */
static int check_binds(json_t *c, const char *rootfs, merr_t *err)
{
    cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return err_sys(err, "config.json: root.path \"%s\"", rootfs);
    json_t *ms = json_object_get(c, "mounts"), *m, *o;
    size_t i, k;
    json_array_foreach(ms, i, m)
    {
        const char *d = json_string_value(json_object_get(m, "destination"));
        if (!vm_mount_is_bind(m) || !d)
            continue;
        while (*d == '/')
            d++;
        if (!plain_components(d))
            return err_set(err, 0,
                           "config.json: mounts[%zu].destination: \"%s\": not a plain path "
                           "in the image (a VM's binds take one, without \"..\")",
                           i, json_string_value(json_object_get(m, "destination")));
        cleanup_free char *abs = xasprintf("/%s", d);
        json_array_foreach(ms, k, o)
        {
            const char *od = json_string_value(json_object_get(o, "destination"));
            while (od && *od == '/')
                od++;
            cleanup_free char *oabs = od ? xasprintf("/%s", od) : NULL;
            if (k != i && od && vm_mount_is_bind(o) && under(abs, oabs))
                return err_set(err, 0,
                               "config.json: mounts[%zu].destination: /%s is under the bind "
                               "mount at %s: not in a VM",
                               i, d, oabs);
        }
        if (plain_path(root, d, i, err) < 0)
            return -1;
    }
    return 0;
}

/* QEMU and virtiofsd run as the sandbox's root: never the host's. A new
 * user namespace whose root is an unprivileged host uid (given, or
 * made by run.moat.userns auto) is required, whoever drives the runtime. */
static int check_userns(json_t *c, merr_t *err)
{
    json_t *lin = json_object_get(c, "linux"), *n, *m;
    size_t i;
    bool userns = false;
    json_array_foreach(json_object_get(lin, "namespaces"), i, n)
    {
        const char *t = json_string_value(json_object_get(n, "type"));
        userns = userns || (t && !strcmp(t, "user") && !json_object_get(n, "path"));
    }
    const char *autons =
        json_string_value(json_object_get(json_object_get(c, "annotations"), "run.moat.userns"));
    bool root_mapped = autons && !strncmp(autons, "auto", 4);
    json_array_foreach(json_object_get(lin, "uidMappings"), i, m)
    {
        if (json_integer_value(json_object_get(m, "containerID")) == 0)
            root_mapped = json_integer_value(json_object_get(m, "hostID")) != 0;
    }
    if (!userns || !root_mapped)
        return err_set(err, 0,
                       "a VM runs only in a new user namespace whose root is not the host's "
                       "(linux.namespaces: user, linux.uidMappings: 0 to an unprivileged host id)");
    return 0;
}

/* 65536, or the most this process may give (it cannot raise its hard limit) */
static unsigned long nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < 65536)
        return (unsigned long)rl.rlim_max;
    return 65536;
}

static unsigned host_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static bool kvm_works(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* linux.seccomp compiled here, for the guest to load as it is:
 * {"flags": N, "filter": [[code, jt, jf, k], ...]}, or NULL without one.
 * libseccomp's compile is the host's slowest step of a VM's start, so it
 * is cached as the runtime caches its own: in the kit's directory, by
 * the profile's text. */
static int guest_seccomp(const struct spec *s, json_t *config, json_t **out, merr_t *err)
{
    struct seccomp_prog prog = {0};
    *out = NULL;
    const struct spec_seccomp *sc = s->linux_.seccomp;
    if (!sc)
        return 0;
    if (sc->listener_path)
        return err_set(err, EINVAL,
                       "linux.seccomp.listenerPath: the guest's listener cannot be handed to a "
                       "process of the host");
    json_t *j = json_object_get(json_object_get(config, "linux"), "seccomp");
    cleanup_free char *key = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (mkdir(KIT_DIR "/seccomp", 0700) < 0 && errno != EEXIST)
        log_debug("seccomp cache: %s", strerror(errno));
    cleanup_close int cache =
        open(KIT_DIR "/seccomp", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (seccomp_compile_cached(sc, key, cache, &prog, err) < 0)
        return -1;
    json_t *a = json_array();
    for (unsigned short i = 0; i < prog.len; i++) {
        const struct sock_filter *f = &prog.filter[i];
        json_array_append_new(a, json_pack("[i,i,i,I]", f->code, f->jt, f->jf, (json_int_t)f->k));
    }
    *out = json_pack("{s:i,s:o}", "flags", (int)prog.flags, "filter", a);
    seccomp_prog_free(&prog);
    return 0;
}

int vm_prepare(const struct spec *spec, const char *config, size_t len, const char *rootfs,
               char **out, char **root, merr_t *err)
{
    *out = *root = NULL;
    json_t *c = json_loadb(config, len, 0, NULL);
    if (!c || !vm_wanted(c)) {
        json_decref(c);
        return 0;
    }
    cleanup_free char *kernel = NULL, *initrd = NULL, *exe = NULL, *skel = NULL;
    struct vm_paths p = {
        .rootfs = rootfs, .kvm = kvm_works(), .host_cpus = host_cpus(), .nofile = nofile()};
    if (vm_kit_dir(err) < 0) {
        json_decref(c);
        return -1;
    }
    int r = check_userns(c, err);
    if (r == 0)
        r = check_binds(c, rootfs, err);
    if (r == 0)
        r = guest_seccomp(spec, c, &p.seccomp, err);
    if (r == 0)
        r = kit_kernel(NULL, &kernel, err);
    if (r == 0)
        r = kit_initrd(kernel, "/proc/self/exe", NULL, &initrd, err);
    if (r == 0)
        r = kit_exe("/proc/self/exe", NULL, &exe, err);
    if (r == 0)
        r = vm_skeleton(&skel, err);
    json_t *sb = NULL;
    if (r == 0) {
        p.kernel = kernel;
        p.initrd = initrd;
        p.exe = exe;
        p.skeleton = skel;
        p.ld_cache = access("/etc/ld.so.cache", R_OK) == 0 ? "/etc/ld.so.cache" : NULL;
        sb = vm_sandbox_config(c, &p, err);
    }
    json_decref(c);
    json_decref(p.seccomp);
    if (!sb)
        return err_wrap(err, "--isolation vm (%s=%s)", VM_HANDLER_KEY, VM_HANDLER_VALUE);
    *out = json_dumps(sb, JSON_COMPACT);
    json_decref(sb);
    *root = xstrdup(skel);
    return 0;
}

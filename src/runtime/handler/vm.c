/* vm.c: the vm handler's host side at create (see vm.h). */
#include "vm.h"
#include "vm_config.h"
#include "../../util/fs.h"
#include "../../util/util.h"
#include "../../vm/kit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SKELETON KIT_DIR "/root-1" /* counted up when vm_skeleton_entries change */

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

int vm_skeleton(char **out, merr_t *err)
{
    struct stat st;
    if (lstat(SKELETON, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0) {
        *out = xstrdup(SKELETON);
        return 0;
    }
    if (mkdir_p(KIT_DIR, 0755, err) < 0)
        return -1;
    char tmp[] = KIT_DIR "/root.XXXXXX";
    if (!mkdtemp(tmp))
        return err_sys(err, "VM skeleton in %s", KIT_DIR);
    if (make_entries(tmp, err) < 0)
        return -1; /* left for the admin to see; never used */
    if (rename(tmp, SKELETON) < 0) {
        int e = errno;
        rm_rf_at(AT_FDCWD, tmp);
        if (e != EEXIST && e != ENOTEMPTY) /* else another made it first */
            return err_set(err, e, "VM skeleton %s: %s", SKELETON, strerror(e));
    }
    *out = xstrdup(SKELETON);
    return 0;
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

int vm_prepare(const char *config, size_t len, const char *rootfs, char **out, char **root,
               merr_t *err)
{
    *out = *root = NULL;
    json_t *c = json_loadb(config, len, 0, NULL);
    if (!c || !vm_wanted(c)) {
        json_decref(c);
        return 0;
    }
    cleanup_free char *kernel = NULL, *initrd = NULL, *exe = NULL, *skel = NULL;
    struct vm_paths p = {.rootfs = rootfs, .kvm = kvm_works(), .host_cpus = host_cpus()};
    int r = kit_kernel(NULL, &kernel, err);
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
    if (!sb)
        return err_wrap(err, "--isolation vm (%s=%s)", VM_HANDLER_KEY, VM_HANDLER_VALUE);
    *out = json_dumps(sb, JSON_COMPACT);
    json_decref(sb);
    *root = xstrdup(skel);
    return 0;
}

#include "selfexe.h"
#include "../util/log.h"
#include "../util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

extern char **environ;

#define REEXEC_ENV "_MOAT_REEXEC"

bool selfexe_is_protected(void)
{
    return selfexe_path_protected("/proc/self/exe");
}

bool selfexe_path_protected(const char *exe)
{
    struct statvfs sv;
    if (statvfs(exe, &sv) == 0 && (sv.f_flag & ST_RDONLY))
        return true;
    int fd = open(exe, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    int seals = fcntl(fd, F_GET_SEALS);
    close(fd);
    return seals >= 0 && (seals & F_SEAL_WRITE);
}

int64_t selfexe_owner(void)
{
    struct stat st;
    if (stat("/proc/self/exe", &st) < 0)
        return -1;
    return st.st_uid;
}

static char *self_dir;

const char *selfexe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n;
    if (!self_dir && (n = readlink("/proc/self/exe", buf, sizeof(buf) - 1)) > 0 && buf[0] == '/') {
        buf[n] = 0;
        char *slash = strrchr(buf, '/');
        self_dir = slash == buf ? xstrdup("/") : xstrndup(buf, (size_t)(slash - buf));
    }
    return self_dir;
}

static int exec_fd(int fd, char **argv)
{
    /* the re-executed process runs from a view with no path: it is told
     * where its binary was, for the helpers beside it */
    setenv(REEXEC_ENV, selfexe_dir() ?: "/", 1);
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
    int e = errno;
    unsetenv(REEXEC_ENV);
    errno = e;
    return -1;
}

static int memfd_copy(char **argv, merr_t *err)
{
    int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0)
        return err_sys(err, "open /proc/self/exe");
    struct stat st;
    int mfd = memfd_create("moat", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0 || fstat(src, &st) < 0) {
        close(src);
        return err_sys(err, "memfd_create");
    }
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = sendfile(mfd, src, NULL, (size_t)left);
        if (n <= 0) {
            close(src);
            close(mfd);
            return err_sys(err, "copy the moat binary");
        }
        left -= n;
    }
    close(src);
    if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        close(mfd);
        return err_sys(err, "seal the moat binary copy");
    }
    exec_fd(mfd, argv);
    close(mfd);
    return err_sys(err, "re-exec from a sealed copy");
}

int selfexe_protect(char **argv, merr_t *err)
{
    if (getenv(REEXEC_ENV)) {
        const char *dir = getenv(REEXEC_ENV);
        if (!self_dir && dir[0] == '/')
            self_dir = xstrdup(dir);
        unsetenv(REEXEC_ENV);
        if (selfexe_is_protected())
            return 0;
        return err_set(err, 0, "re-exec did not make /proc/self/exe read-only");
    }
    if (selfexe_is_protected())
        return 0;
    int exe = open("/proc/self/exe", O_PATH | O_CLOEXEC);
    if (exe < 0)
        return err_sys(err, "open /proc/self/exe");
    int tree = open_tree(exe, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    close(exe);
    if (tree >= 0) {
        struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV};
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) == 0) {
            exec_fd(tree, argv);
            log_debug("re-exec through a read-only mount failed: %s", strerror(errno));
        }
        close(tree);
    }
    return memfd_copy(argv, err);
}

/* Is pid running our binary, or one called moat, from a writable file? */
static bool unsealed_moat(int pid, const struct stat *self)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    if (stat(path, &st) < 0 || selfexe_path_protected(path))
        return false;
    if (self && st.st_dev == self->st_dev && st.st_ino == self->st_ino)
        return true;
    char comm[32] = "";
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, comm, sizeof(comm) - 1);
    close(fd);
    comm[n > 0 ? n : 0] = 0;
    return strcmp(comm, "moat\n") == 0;
}

int selfexe_unsealed_in_pidns(const char *nspath, merr_t *err)
{
    struct stat ns, self, *selfp = &self;
    if (stat(nspath, &ns) < 0)
        return err_sys(err, "\"%s\"", nspath);
    if (stat("/proc/self/exe", &self) < 0)
        selfp = NULL;
    DIR *d = opendir("/proc");
    if (!d)
        return err_sys(err, "open /proc");
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == getpid())
            continue;
        char path[64];
        struct stat pns;
        snprintf(path, sizeof(path), "/proc/%ld/ns/pid", pid);
        if (stat(path, &pns) == 0 && pns.st_dev == ns.st_dev && pns.st_ino == ns.st_ino &&
            unsealed_moat((int)pid, selfp))
            found = (int)pid;
    }
    closedir(d);
    return found;
}

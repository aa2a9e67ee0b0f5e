/* vminit.c: the guest's pid 1: boot, spec, root, process (see vminit.h). */
#include "vminit.h"
#include "vminit_int.h"

#include "../kernel/process.h"
#include "../util/fs.h"
#include "../util/jpath.h"
#include "../util/util.h"
#include "../util/clock.h"

#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* how long the guest looks for its port before it gives up (the host's
 * boot timeout bounds the whole boot anyway) */
#define PORT_WAIT_MS 20000

/* "moat.debug" on the kernel's command line: the steps and their times
 * on the console */
static bool debug;
/* "moat.net": the guest has a network device; its modules are loaded */
static bool with_net;

static void dbg(const char *what)
{
    if (!debug)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    fprintf(stderr, "moat-vminit: %ld.%06ld %s\n", (long)ts.tv_sec, ts.tv_nsec / 1000, what);
}

static void read_cmdline(void)
{
    char *c = NULL;
    merr_t ignore = MERR_INIT;
    if (read_file_at(AT_FDCWD, "/proc/cmdline", &c, NULL, &ignore) == 0) {
        for (char *save = NULL, *t = strtok_r(c, " \n", &save); t;
             t = strtok_r(NULL, " \n", &save)) {
            if (strcmp(t, "moat.debug") == 0)
                debug = true;
            else if (strcmp(t, "moat.net") == 0)
                with_net = true;
        }
    }
    err_clear(&ignore);
    free(c);
}

static __attribute__((noreturn)) void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    /* reboot only returns on an error: leave anyway, the kernel panics
     * and QEMU (-no-reboot, panic=-1) exits */
    _exit(1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *keep_ko(const char *name, void *ctx)
{
    (void)ctx;
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".ko") == 0 ? xstrdup(name) : NULL;
}

/* the modules in dir, in the order of their names (kit.c numbers them) */
static int load_modules(const char *dir, merr_t *err)
{
    char **names = dir_collect(AT_FDCWD, dir, keep_ko, NULL);
    size_t n = strv_len(names);
    qsort(names, n, sizeof(char *), by_name);
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
            r = err_sys(err, "load module %s", p);
        dbg(p);
        if (fd >= 0)
            close(fd);
        free(p);
    }
    strv_free(names);
    return r;
}

/* the virtio-serial port named VMP_PORT_NAME, opened */
static int open_port(merr_t *err)
{
    int64_t t0 = clock_boot_ms();
    for (;;) {
        if (clock_boot_ms() - t0 > PORT_WAIT_MS)
            break;
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char *p = xasprintf("/sys/class/virtio-ports/%s/name", e->d_name), *name = NULL;
            merr_t ignore = MERR_INIT;
            bool hit = read_file_at(AT_FDCWD, p, &name, NULL, &ignore) == 0 &&
                       strcmp(name, VMP_PORT_NAME "\n") == 0;
            err_clear(&ignore);
            free(p);
            free(name);
            if (!hit)
                continue;
            p = xasprintf("/dev/%s", e->d_name);
            int fd = open(p, O_RDWR | O_CLOEXEC | O_NOCTTY);
            free(p);
            if (fd >= 0) {
                closedir(d);
                return fd;
            }
        }
        if (d)
            closedir(d);
        sleep_ms(1);
    }
    return err_set(err, ETIMEDOUT, "no virtio port named %s", VMP_PORT_NAME);
}

static int boot(merr_t *err)
{
    if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755") < 0 && errno != EBUSY)
        return err_sys(err, "mount /dev");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return err_sys(err, "mount /proc");
    if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return err_sys(err, "mount /sys");
    read_cmdline();
    dbg("mounted /dev /proc /sys");
    if (load_modules("/lib/modules", err) < 0 ||
        (with_net && load_modules("/lib/modules/net", err) < 0))
        return -1;
    int fd = open_port(err);
    dbg("port open");
    return fd;
}

static json_t *read_spec(int ctl, struct vmp_reader *rd, merr_t *err)
{
    struct vmp_frame f;
    int64_t t0 = clock_boot_ms();
    for (;;) {
        int k = vmp_reader_next(rd, VMP_FROM_HOST, &f, err);
        if (k < 0)
            return NULL;
        if (k == 1 && f.type == VMP_SPEC)
            break;
        if (k == 1)
            continue; /* nothing else means anything before the spec */
        ssize_t n = vmp_reader_fill(rd, ctl);
        /* a port reads as ended until QEMU has said the host side is
         * connected, which may come after the guest opened it: before
         * the spec, that is "not yet" (the host's boot timeout bounds it) */
        if (n == 0 && clock_boot_ms() - t0 > PORT_WAIT_MS) {
            err_set(err, EPIPE, "the host closed the channel before the spec");
            return NULL;
        }
        if (n < 0 && errno != EAGAIN) {
            err_sys(err, "read the channel");
            return NULL;
        }
        if (n <= 0)
            sleep_ms(1);
    }
    struct jctx c = {err, "vm spec"};
    return jload(&c, (const char *)f.data, f.len);
}

/* The guest part as an OCI config, parsed (and checked) as one. */
static struct spec *guest_spec(json_t *g, bool *terminal, char **hostname, merr_t *err)
{
    struct jctx c = {err, "vm spec"};
    const struct jp *gp = JP_K(NULL, "guest");
    bool ro = false;
    const char *host = NULL;
    json_t *proc = NULL, *mounts = NULL;
    *terminal = false;
    if (!json_is_object(g) || jget_bool(&c, gp, g, "terminal", terminal) < 0 ||
        jget_bool(&c, gp, g, "readonly_root", &ro) < 0 ||
        jget_str(&c, gp, g, "hostname", &host) < 0 || jget_obj(&c, gp, g, "process", &proc) < 0 ||
        jget_arr(&c, gp, g, "mounts", &mounts) < 0) {
        if (!err->msg)
            err_set(err, EINVAL, "vm spec: guest: not an object");
        return NULL;
    }
    if (!proc) {
        jfail(&c, JP_K(gp, "process"), "is required");
        return NULL;
    }
    json_t *doc = json_pack("{s:s, s:{s:s, s:b}, s:O}", "ociVersion", "1.0.2", "root", "path", "/",
                            "readonly", ro, "process", proc);
    /* the hardening the runtime gives a container (the guest's sysctls
     * need no namespace: the kernel is the container's) */
    json_t *lin = json_object_get(g, "linux");
    if (json_is_object(lin))
        json_object_set(doc, "linux", lin);
    json_t *dp = json_object_get(doc, "process");
    bool pt = json_is_true(json_object_get(dp, "terminal"));
    *terminal = *terminal || pt;
    json_object_set_new(dp, "terminal", json_boolean(*terminal));
    if (mounts)
        json_object_set(doc, "mounts", mounts);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    struct spec *s = NULL;
    /* the hostname is the guest's own: no UTS namespace for the parser to
     * check */
    int r = spec_parse(text, strlen(text), "vm spec: guest", &s, err);
    free(text);
    if (r == 0 && host && *host)
        *hostname = xstrdup(host);
    return r < 0 ? NULL : s;
}

/* The container's seccomp filter as the host compiled it, {"flags": N,
 * "filter": [[code, jt, jf, k], ...]}: the guest does not compile (under
 * TCG that would cost more than the boot's slowest step). Absent: none. */
static int guest_filter(json_t *j, merr_t *err)
{
    if (!j)
        return 0;
    json_t *insns = json_object_get(j, "filter"), *flags = json_object_get(j, "flags");
    size_t n = json_array_size(insns);
    if (!json_is_object(j) || !json_is_integer(flags) || n == 0 || n > BPF_MAXINSNS)
        return err_set(err, EINVAL, "vm spec: guest.seccomp: not a filter");
    struct sock_filter *f = xmalloc(n * sizeof(*f));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(insns, i);
        json_int_t v[4];
        bool ints = true;
        for (size_t k = 0; k < 4; k++) {
            ints = ints && json_is_integer(json_array_get(e, k));
            v[k] = json_integer_value(json_array_get(e, k));
        }
        if (!ints || json_array_size(e) != 4 || v[0] < 0 || v[0] > UINT16_MAX || v[1] < 0 ||
            v[1] > UINT8_MAX || v[2] < 0 || v[2] > UINT8_MAX || v[3] < 0 || v[3] > UINT32_MAX) {
            free(f);
            return err_set(err, EINVAL, "vm spec: guest.seccomp.filter[%zu]: not an instruction",
                           i);
        }
        f[i] = (struct sock_filter){(uint16_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint32_t)v[3]};
    }
    gproc_set_seccomp(f, (unsigned short)n, (unsigned)json_integer_value(flags));
    return 0;
}

/* the share becomes the root (switch_root: the initramfs cannot be
 * pivoted away) */
static int enter_root(bool ro, merr_t *err)
{
    if (mount(VMP_FS_TAG, "/mnt", "virtiofs", ro ? MS_RDONLY : 0, NULL) < 0)
        return err_sys(err, "mount the virtiofs share \"%s\"", VMP_FS_TAG);
    if (chdir("/mnt") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
        chdir("/") < 0)
        return err_sys(err, "make the share the root");
    return 0;
}

static void fail_frame(int ctl, uint32_t chan, const merr_t *err)
{
    const char *m = err->msg ? err->msg : "failed";
    vminit_send(ctl, VMP_ERROR, chan, m, strlen(m) > VMP_MAX ? VMP_MAX : strlen(m));
}

/* in the container's first process, before anything of its own: its
 * /proc (of its PID namespace), then the hardening that covers it */
static int in_container(const void *ctx, merr_t *err)
{
    const struct spec *s = ctx;
    if (vminit_mounts(s, MOUNTS_CONTAINER, err) < 0)
        return -1;
    return vminit_harden(s, err);
}

/* everything from the spec to the running process; -1 with err when the
 * guest cannot run it, exit set when the process could not start */
static int setup(int ctl, struct vmp_reader *rd, struct gproc *g, bool *started, merr_t *err)
{
    json_t *gj = read_spec(ctl, rd, err);
    if (!gj)
        return -1;
    bool terminal = false;
    char *host = NULL;
    struct spec *s = guest_spec(gj, &terminal, &host, err);
    json_t *net = json_incref(json_object_get(gj, "net"));
    if (!s) {
        json_decref(net);
        return -1;
    }
    int f = guest_filter(json_object_get(gj, "seccomp"), err);
    json_decref(gj);
    if (f < 0) {
        json_decref(net);
        spec_free(s);
        return -1;
    }
    int resolv = vminit_resolv_prepare(net);
    dbg("spec read");
    int r = enter_root(s->root_readonly, err);
    dbg("root entered");
    if (r == 0)
        r = vminit_mounts(s, MOUNTS_INIT, err);
    dbg("mounts made");
    if (r == 0 && host)
        r = proc_set_hostname(host, NULL, err);
    free(host);
    if (r == 0)
        r = vminit_net(net, err);
    json_decref(net);
    if (r == 0)
        vminit_resolv_place(resolv);
    else if (resolv >= 0)
        close(resolv);
    /* the container's processes in a PID namespace of their own, as in
     * any container: its process is pid 1 there, and this init (root,
     * every capability, no filter) is out of its sight and of ptrace's */
    if (r == 0 && unshare(CLONE_NEWPID) < 0)
        r = err_sys(err, "a PID namespace for the container");
    if (r == 0) {
        *started = true;
        struct gprep prep = {in_container, s};
        r = gproc_start(&s->process, terminal, 0, &prep, g, err);
    }
    spec_free(s);
    return r;
}

/* everything left is killed and reaped, for at most END_WAIT_MS (a
 * process stuck in the kernel does not keep the status from the host) */
#define END_WAIT_MS 2000
static void end_all(void)
{
    kill(-1, SIGKILL);
    for (int ms = 0; ms < END_WAIT_MS; ms++) {
        pid_t p;
        while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
            ;
        if (p < 0 && errno == ECHILD)
            return;
        sleep_ms(1);
    }
}

int vminit_main(int argc, char **argv)
{
    (void)argc;
    if (getpid() != 1) {
        fprintf(stderr, "%s: the init of moat's VMs; not to be run otherwise\n", argv[0]);
        return 2;
    }
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    merr_t err = MERR_INIT;
    int ctl = boot(&err);
    if (ctl < 0) {
        fprintf(stderr, "moat-vminit: %s\n", err.msg);
        power_off();
    }
    struct vmp_reader rd;
    vmp_reader_init(&rd);
    struct gproc g;
    bool started = false;
    if (setup(ctl, &rd, &g, &started, &err) < 0) {
        fprintf(stderr, "moat-vminit: %s\n", err.msg);
        fail_frame(ctl, 0, &err);
        if (started) /* the process: not found 127, else 126 */
            vminit_send_exit(ctl, 0, err.errnum == ENOENT ? 127 : 126, 0);
        power_off();
    }
    dbg("process started");
    vminit_send(ctl, VMP_READY, 0, NULL, 0);
    int code = 0, signo = 0;
    vminit_relay(ctl, &rd, &g, &code, &signo);
    dbg("process ended");
    end_all();
    sync();
    dbg("synced");
    vminit_send_exit(ctl, 0, code, signo);
    power_off();
}

/* vmm_spec.c: the vm spec and the command lines made from it (see vmm.h).
 * Pure: no system call but the /dev/kvm probe of accel "auto". */
#include "vmm_int.h"

#include "../util/jpath.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int get_path(const struct jctx *c, json_t *o, const char *key, const char *def,
                    const char **out)
{
    int r = jget_str(c, NULL, o, key, out);
    if (r < 0)
        return -1;
    if (r == 0)
        *out = def;
    if (!*out)
        return jfail(c, JP_K(NULL, key), "is required");
    if ((*out)[0] != '/')
        return jfail(c, JP_K(NULL, key), "\"%s\": must be an absolute path", *out);
    if (strchr(*out, ','))
        /* QEMU's option syntax would split it */
        return jfail(c, JP_K(NULL, key), "\"%s\": a comma is not allowed", *out);
    return 0;
}

static int get_num(const struct jctx *c, json_t *o, const char *key, uint32_t def, uint32_t min,
                   uint32_t max, uint32_t *out)
{
    int r = jget_u32(c, NULL, o, key, out);
    if (r < 0)
        return -1;
    if (r == 0)
        *out = def;
    if (*out < min || *out > max)
        return jfail(c, JP_K(NULL, key), "%u: out of range (%u..%u)", *out, min, max);
    return 0;
}

static const char *resolve_accel(const char *a)
{
    if (strcmp(a, "auto") != 0)
        return a;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return "tcg";
    close(fd);
    return "kvm";
}

/* forwards ["tcp:80", "udp:53"]: ports of the sandbox's network
 * namespace forwarded to the same port of the guest (QEMU's hostfwd);
 * each checked whole, since it goes into QEMU's option string */
static int parse_forwards(const struct jctx *c, json_t *root, struct vm_spec *s)
{
    json_t *f = json_object_get(root, "forwards"), *e;
    size_t i;
    struct sbuf b = {0};
    if (f && !json_is_array(f))
        return jfail(c, JP_K(NULL, "forwards"), "must be an array");
    json_array_foreach(f, i, e)
    {
        const char *v = json_string_value(e), *num = v ? strchr(v, ':') : NULL;
        char *end = NULL;
        unsigned long port = num ? strtoul(num + 1, &end, 10) : 0;
        if (!num || (strncmp(v, "tcp:", 4) != 0 && strncmp(v, "udp:", 4) != 0) || end == num + 1 ||
            *end || port < 1 || port > 65535 || i >= 1024) {
            free(b.buf);
            return jfail(c, JP_K(NULL, "forwards"), "[%zu]: want \"tcp:PORT\" or \"udp:PORT\"", i);
        }
        sbuf_printf(&b, ",hostfwd=%.3s::%lu-:%lu", v, port, port);
    }
    s->hostfwd = b.buf ? b.buf : xstrdup("");
    return 0;
}

static int parse_fields(const struct jctx *c, json_t *root, struct vm_spec *s)
{
    if (get_path(c, root, "qemu", "/usr/bin/qemu-system-x86_64", &s->qemu) < 0 ||
        get_path(c, root, "virtiofsd", "/usr/lib/qemu/virtiofsd", &s->virtiofsd) < 0 ||
        get_path(c, root, "kernel", NULL, &s->kernel) < 0 ||
        get_path(c, root, "initrd", NULL, &s->initrd) < 0 ||
        get_path(c, root, "rootfs", "/rootfs", &s->rootfs) < 0 ||
        get_path(c, root, "run_dir", "/run/moat-vm", &s->run_dir) < 0)
        return -1;
    int r = jget_str(c, NULL, root, "exec_socket", &s->exec_socket);
    if (r < 0 || (r == 1 && s->exec_socket[0] != '/'))
        return r < 0 ? -1 : jfail(c, JP_K(NULL, "exec_socket"), "must be an absolute path");
    if (get_num(c, root, "memory_mib", 256, 64, 1u << 20, &s->memory_mib) < 0 ||
        get_num(c, root, "cpus", 1, 1, 64, &s->cpus) < 0 ||
        get_num(c, root, "boot_timeout_ms", 30000, 1, 600000, &s->boot_timeout_ms) < 0)
        return -1;
    const char *a = "auto";
    if (jget_str(c, NULL, root, "accel", &a) < 0)
        return -1;
    if (strcmp(a, "auto") != 0 && strcmp(a, "tcg") != 0 && strcmp(a, "kvm") != 0)
        return jfail(c, JP_K(NULL, "accel"), "\"%s\": want auto, tcg or kvm", a);
    s->accel = resolve_accel(a);
    s->vfs_sandbox = "chroot";
    if (jget_str(c, NULL, root, "virtiofsd_sandbox", &s->vfs_sandbox) < 0)
        return -1;
    if (strcmp(s->vfs_sandbox, "chroot") != 0 && strcmp(s->vfs_sandbox, "namespace") != 0)
        return jfail(c, JP_K(NULL, "virtiofsd_sandbox"), "\"%s\": want chroot or namespace",
                     s->vfs_sandbox);
    s->net = "none";
    if (jget_str(c, NULL, root, "net", &s->net) < 0)
        return -1;
    if (strcmp(s->net, "none") != 0 && strcmp(s->net, "user") != 0)
        return jfail(c, JP_K(NULL, "net"), "\"%s\": want none or user", s->net);
    return parse_forwards(c, root, s);
}

static int parse_guest(const struct jctx *c, json_t *root, struct vm_spec *s)
{
    json_t *g = NULL, *p = NULL;
    const struct jp *gp = JP_K(NULL, "guest");
    if (jget_obj(c, NULL, root, "guest", &g) < 0)
        return -1;
    if (!g)
        return jfail(c, gp, "is required");
    if (jget_bool(c, gp, g, "terminal", &s->terminal) < 0 || jget_obj(c, gp, g, "process", &p) < 0)
        return -1;
    if (!p)
        return jfail(c, JP_K(gp, "process"), "is required");
    bool pt = false;
    if (jget_bool(c, JP_K(gp, "process"), p, "terminal", &pt) < 0)
        return -1;
    s->terminal = s->terminal || pt;
    s->guest = json_dumps(g, JSON_COMPACT);
    s->guest_len = s->guest ? strlen(s->guest) : 0;
    if (s->guest_len < 2 || s->guest_len > VMP_MAX)
        return jfail(c, gp, "%zu bytes as JSON (at most %u)", s->guest_len, VMP_MAX);
    return 0;
}

int vm_spec_parse(const char *text, size_t len, const char *file, struct vm_spec *s, merr_t *err)
{
    struct jctx c = {err, file};
    *s = (struct vm_spec){0};
    s->root = jload(&c, text, len);
    if (!s->root)
        return -1;
    if (!json_is_object(s->root) || parse_fields(&c, s->root, s) < 0 ||
        parse_guest(&c, s->root, s) < 0) {
        if (!err->msg)
            err_set(err, EINVAL, "%s: not a JSON object", file);
        vm_spec_free(s);
        return -1;
    }
    return 0;
}

void vm_spec_free(struct vm_spec *s)
{
    free(s->guest);
    free(s->hostfwd);
    if (s->root)
        json_decref(s->root);
    *s = (struct vm_spec){0};
}

/* What the guest kernel is told. Booting is most of a VM's start under
 * TCG, so it skips what this guest never uses: PCI (microvm's devices
 * are virtio-mmio, found through ACPI: Debian's kernel cannot take them
 * from the command line), the keyboard, crypto self-tests, and the
 * boot-time work of kprobe events, the KDF self-test and the module
 * signing keyring (signatures are not enforced; kit_initrd.c strips
 * them). And the kernel's BTF: the first user parses all of it (0.2 s
 * of a boot under TCG), and every module's after it. Its users are the
 * BPF kfunc sets, of no use to a container without CAP_BPF, and TCP's
 * CUBIC, the first to register: TCP in the guest is Reno. */
static char *kernel_cmdline(const struct vm_spec *s, bool tcg)
{
    struct sbuf b = {0};
    sbuf_printf(&b, "console=ttyS0 rdinit=/moat-vminit panic=-1 quiet loglevel=1 pci=off "
                    "reboot=t random.trust_cpu=on i8042.noaux i8042.nokbd cryptomgr.notests "
                    "initcall_blacklist=init_kprobe_trace,crypto_kdf108_init,"
                    "load_system_certificate_list,btf_module_init,cubictcp_register,"
                    "kfunc_init,bpf_rstat_kfunc_init,bpf_tcp_ca_kfunc_init,"
                    "bpf_key_sig_kfuncs_init,bpf_prog_test_run_init");
    /* under TCG the kernel cannot calibrate its clock on microvm (no HPET,
     * no PM timer) and hangs half the time without a hint. Speculation is
     * not emulated, so the guest's Spectre mitigations (retpolines) only
     * slow it; under KVM they stay. Zeroing each of the kernel's
     * allocations (Debian's default, against leaks of stale memory) costs
     * 0.05-0.1 s of a boot under TCG; the guest kernel's memory holds
     * this container's data only, and the VM, not that kernel, is the
     * boundary. Under KVM it stays. */
    if (tcg)
        sbuf_printf(&b, " tsc_early_khz=2000000 lpj=8000000 tsc=reliable no_timer_check "
                        "mitigations=off init_on_alloc=0");
    if (!strcmp(s->net, "user"))
        sbuf_printf(&b, " moat.net");
    return sbuf_steal(&b);
}

char **vmm_qemu_argv(const struct vm_spec *s)
{
    bool tcg = strcmp(s->accel, "tcg") == 0;
    char **v = xzalloc(sizeof(char *));
    /* -nodefaults: no NIC, no VGA, no monitor; -no-user-config: no
     * /etc/qemu config; nothing else listens. -sandbox: QEMU's own seccomp
     * filter under the container's: no exec or fork, no set*id, no
     * obsolete calls, no scheduler or affinity changes */
    const char *fixed[] = {
        s->qemu,
        "-M",
        "microvm,memory-backend=mem",
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-sandbox",
        "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        "-global",
        "virtio-mmio.force-legacy=false",
        "-accel",
        tcg ? "tcg,tb-size=64" : s->accel, /* TCG's code cache: bounded, in the cgroup's limit */
        "-cpu",
        tcg ? "max" : "host"};
    for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
        strv_push(&v, fixed[i]);
    char *t = xasprintf("memory-backend-memfd,id=mem,size=%uM,share=on", s->memory_mib);
    strv_push(&v, "-object");
    strv_push(&v, t);
    free(t);
    t = xasprintf("%uM", s->memory_mib);
    strv_push(&v, "-m");
    strv_push(&v, t);
    free(t);
    t = xasprintf("%u", s->cpus);
    strv_push(&v, "-smp");
    strv_push(&v, t);
    free(t);
    t = kernel_cmdline(s, tcg);
    const char *rest[] = {"-kernel",  s->kernel,
                          "-initrd",  s->initrd,
                          "-append",  t,
                          "-chardev", "socket,id=con,fd=4",
                          "-serial",  "chardev:con",
                          "-device",  "virtio-serial-device,max_ports=2", /* not 31: 64 queues */
                          "-chardev", "socket,id=ctl,fd=3",
                          "-device",  "virtserialport,chardev=ctl,name=" VMP_PORT_NAME,
                          "-chardev", "socket,id=vfs,fd=5",
                          "-device",  "vhost-user-fs-device,chardev=vfs,tag=" VMP_FS_TAG};
    for (size_t i = 0; i < ARRAY_SIZE(rest); i++)
        strv_push(&v, rest[i]);
    free(t);
    if (!strcmp(s->net, "user")) {
        /* QEMU's user-mode network in the sandbox's network namespace:
         * the guest is 10.0.2.15 behind its NAT, so its traffic leaves
         * from the container's own address, under the container's rules */
        char *nd = xasprintf("user,id=n0,ipv6=off%s", s->hostfwd ? s->hostfwd : "");
        const char *net[] = {"-netdev", nd, "-device", "virtio-net-device,netdev=n0"};
        for (size_t i = 0; i < ARRAY_SIZE(net); i++)
            strv_push(&v, net[i]);
        free(nd);
    }
    return v;
}

char **vmm_virtiofsd_argv(const struct vm_spec *s)
{
    char **v = xzalloc(sizeof(char *));
    char *src = xasprintf("source=%s", s->rootfs);
    char *sb = xasprintf("sandbox=%s", s->vfs_sandbox);
    /* --rlimit-nofile=0: the sandbox's limit stays (raising it needs
     * CAP_SYS_RESOURCE); announce_submounts: the volumes mounted in the
     * root are filesystems of their own in the guest */
    const char *a[] = {s->virtiofsd,
                       "--fd=3",
                       "-o",
                       src,
                       "-o",
                       "cache=auto",
                       "-o",
                       sb,
                       "-o",
                       "announce_submounts",
                       "-o",
                       "log_level=warn",
                       "--rlimit-nofile=0"};
    for (size_t i = 0; i < ARRAY_SIZE(a); i++)
        strv_push(&v, a[i]);
    free(src);
    free(sb);
    return v;
}

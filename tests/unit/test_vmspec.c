/* test_vmspec.c: the VM core's pure parts: the vm spec and QEMU's and
 * virtiofsd's command lines (src/vm/vmm_int.h), the kernel release and the
 * modules' load order of the kit (src/vm/kit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"
#include "vm/kit.h"
#include "vm/vmm_int.h"

#include <string.h>

#define GUEST "\"guest\":{\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"}}"

static void spec_ok(const char *text, struct vm_spec *s)
{
    merr_t err = MERR_INIT;
    if (vm_spec_parse(text, strlen(text), "vm spec", s, &err) < 0)
        fail_msg("%s: refused: %s", text, err.msg);
}

static void spec_bad(const char *text, const char *msg)
{
    merr_t err = MERR_INIT;
    struct vm_spec s;
    if (vm_spec_parse(text, strlen(text), "vm spec", &s, &err) == 0)
        fail_msg("%s: taken", text);
    if (!strstr(err.msg, msg))
        fail_msg("%s: \"%s\" does not say \"%s\"", text, err.msg, msg);
    err_clear(&err);
}

static bool has_arg(char **v, const char *a)
{
    for (size_t i = 0; v[i]; i++)
        if (strcmp(v[i], a) == 0 ||
            (a[strlen(a) - 1] == '*' && strncmp(v[i], a, strlen(a) - 1) == 0))
            return true;
    return false;
}

static void test_spec(void **state)
{
    (void)state;
    struct vm_spec s;
    spec_ok("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"accel\":\"tcg\"," GUEST "}", &s);
    assert_string_equal(s.qemu, "/usr/bin/qemu-system-x86_64");
    assert_string_equal(s.rootfs, "/rootfs");
    assert_int_equal(s.memory_mib, 256);
    assert_int_equal(s.cpus, 1);
    assert_int_equal(s.boot_timeout_ms, 30000);
    assert_false(s.terminal);
    assert_null(s.exec_socket);
    assert_string_equal(s.guest, "{\"process\":{\"args\":[\"true\"],\"cwd\":\"/\"}}");
    char **q = vmm_qemu_argv(&s);
    assert_true(has_arg(q, "-nodefaults"));
    assert_true(has_arg(q, "-no-user-config"));
    assert_true(has_arg(q, "tcg,tb-size=64"));
    assert_true(has_arg(q, "console=ttyS0 *"));
    assert_true(has_arg(q, "-sandbox"));
    assert_false(has_arg(q, "-monitor"));
    assert_false(has_arg(q, "-netdev"));
    assert_false(has_arg(q, "-nic"));
    bool tsc = false;
    for (size_t i = 0; q[i]; i++)
        tsc = tsc || strstr(q[i], "tsc_early_khz=");
    assert_true(tsc); /* without it, TCG boots hang half the time */
    strv_free(q);
    char **v = vmm_virtiofsd_argv(&s);
    assert_true(has_arg(v, "source=/rootfs"));
    assert_true(has_arg(v, "--fd=3"));
    strv_free(v);
    vm_spec_free(&s);
    spec_ok("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"memory_mib\":512,\"cpus\":2,"
            "\"guest\":{\"process\":{\"terminal\":true,\"args\":[\"sh\"]}}}",
            &s);
    assert_true(s.terminal);
    assert_int_equal(s.memory_mib, 512);
    vm_spec_free(&s);
}

static void test_spec_bad(void **state)
{
    (void)state;
    spec_bad("[]", "must be a JSON object");
    spec_bad("{\"initrd\":\"/i\"," GUEST "}", "kernel: is required");
    spec_bad("{\"kernel\":\"k\",\"initrd\":\"/i\"," GUEST "}",
             "kernel: \"k\": must be an absolute");
    spec_bad("{\"kernel\":\"/k,if=x\",\"initrd\":\"/i\"," GUEST "}", "comma");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"rootfs\":\"/r,o\"," GUEST "}", "comma");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"memory_mib\":1," GUEST "}", "memory_mib");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"cpus\":0," GUEST "}", "cpus");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"boot_timeout_ms\":0," GUEST "}",
             "boot_timeout_ms");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"boot_timeout_ms\":9999999," GUEST "}",
             "boot_timeout_ms");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"accel\":\"hvf\"," GUEST "}", "accel");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"exec_socket\":\"x\"," GUEST "}",
             "exec_socket");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\"}", "guest: is required");
    spec_bad("{\"kernel\":\"/k\",\"initrd\":\"/i\",\"guest\":{}}", "guest.process: is required");
    /* the guest part must fit one frame */
    struct sbuf b = {0};
    sbuf_puts(&b, "{\"kernel\":\"/k\",\"initrd\":\"/i\",\"guest\":{\"process\":{\"args\":[\"");
    for (int i = 0; i < 70000; i++)
        sbuf_puts(&b, "a");
    sbuf_puts(&b, "\"]}}}");
    spec_bad(b.buf, "at most 65536");
    free(b.buf);
}

static void test_release(void **state)
{
    (void)state;
    uint8_t bz[0x400] = {0};
    memcpy(bz + 0x202, "HdrS", 4);
    bz[0x20e] = 0x00; /* the string at 0x100 + 0x200 */
    bz[0x20f] = 0x01;
    strcpy((char *)bz + 0x300, "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1");
    char *r = kit_kernel_release(bz, sizeof(bz));
    assert_string_equal(r, "6.1.0-57-cloud-amd64");
    free(r);
    strcpy((char *)bz + 0x300, "../../etc x");
    assert_null(kit_kernel_release(bz, sizeof(bz)));
    strcpy((char *)bz + 0x300, "6.1/evil x");
    assert_null(kit_kernel_release(bz, sizeof(bz)));
    /* an ELF: the banner; a release-like word elsewhere is not taken */
    uint8_t elf[200] = {0x7f, 'E', 'L', 'F'};
    strcpy((char *)elf + 20, "Linux version ../x y");
    strcpy((char *)elf + 80, "Linux version 6.12.3+deb13-amd64 (x)");
    r = kit_kernel_release(elf, sizeof(elf));
    assert_string_equal(r, "6.12.3+deb13-amd64");
    free(r);
    assert_null(kit_kernel_release((const uint8_t *)"not a kernel", 12));
}

static void test_modules(void **state)
{
    (void)state;
    const char *dep = "kernel/fs/fuse/fuse.ko:\n"
                      "kernel/fs/fuse/virtiofs.ko.xz: kernel/drivers/virtio/virtio.ko "
                      "kernel/drivers/virtio/virtio_ring.ko kernel/fs/fuse/fuse.ko\n"
                      "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
                      "kernel/drivers/virtio/virtio_ring.ko:\n"
                      "kernel/drivers/virtio/virtio-mmio.ko: kernel/drivers/virtio/virtio.ko "
                      "kernel/drivers/virtio/virtio_ring.ko\n";
    const char *want[] = {"virtio_mmio", "virtiofs", "virtio_console", NULL};
    merr_t err = MERR_INIT;
    char **o = kit_modules_order(dep, NULL, want, &err);
    assert_null(o); /* virtio_console: nowhere */
    assert_non_null(strstr(err.msg, "virtio_console"));
    err_clear(&err);
    o = kit_modules_order(dep, "kernel/drivers/char/virtio_console.ko\n", want, &err);
    assert_non_null(o);
    const char *order[] = {"kernel/drivers/virtio/virtio_ring.ko",
                           "kernel/drivers/virtio/virtio.ko",
                           "kernel/drivers/virtio/virtio-mmio.ko", "kernel/fs/fuse/fuse.ko",
                           "kernel/fs/fuse/virtiofs.ko.xz"};
    assert_int_equal(strv_len(o), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(o[i], order[i]);
    strv_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_spec_bad),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

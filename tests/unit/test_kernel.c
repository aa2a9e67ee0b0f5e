/* Unit tests for the pure parts of the kernel layer: capability names,
 * id-map arithmetic, CPU lists, cgroup v1->v2 conversions, mount flags,
 * sysctl rules, and the cgroup v2 device eBPF program (run by a small
 * interpreter here, and checked by the kernel's verifier where allowed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/apparmor.h"
#include "kernel/caps.h"
#include "kernel/cgroup_internal.h"
#include "kernel/idmap.h"
#include "kernel/mount.h"
#include "kernel/process.h"
#include "oci/spec.h"
#include "util/jpath.h"
#include "util/sha256.h"
#include "util/util.h"

static void test_caps(void **state)
{
    (void)state;
    assert_int_equal(cap_from_name("CAP_CHOWN", 0), 0);
    assert_int_equal(cap_from_name("CAP_SYS_ADMIN", 0), 21);
    assert_int_equal(cap_from_name("CAP_CHECKPOINT_RESTORE", 0), 40);
    assert_int_equal(cap_from_name("cap_sys_admin", 0), -1);
    assert_int_equal(cap_from_name("SYS_ADMIN", 0), -1);
    assert_int_equal(cap_from_name("cap_sys_admin", 1), 21);
    assert_int_equal(cap_from_name("sys_admin", 1), 21);
    assert_int_equal(cap_from_name("CAP_TEST", 1), -1);
    for (int i = 0; i < CAP_COUNT_KNOWN; i++)
        assert_int_equal(cap_from_name(cap_name(i), 0), i);
    assert_null(cap_name(CAP_COUNT_KNOWN));
}

static void test_idmap(void **state)
{
    (void)state;
    struct spec_idmap m[2] = {{0, 100000, 1000}, {1000, 5000, 1}};
    char *t = idmap_format(m, 2);
    assert_string_equal(t, "0 100000 1000\n1000 5000 1\n");
    free(t);
    assert_int_equal(idmap_to_host(m, 2, 0), 100000);
    assert_int_equal(idmap_to_host(m, 2, 999), 100999);
    assert_int_equal(idmap_to_host(m, 2, 1000), 5000);
    assert_int_equal(idmap_to_host(m, 2, 1001), -1);
    struct spec_idmap self = {0, 1234, 1};
    assert_true(idmap_is_self(&self, 1, 1234));
    assert_false(idmap_is_self(&self, 1, 1000));
    assert_false(idmap_is_self(m, 2, 100000));
}

static void test_cpulist(void **state)
{
    (void)state;
    cpu_set_t s;
    assert_int_equal(cpulist_parse("0-3,7", &s), 0);
    assert_int_equal(CPU_COUNT(&s), 5);
    assert_true(CPU_ISSET(3, &s) && CPU_ISSET(7, &s) && !CPU_ISSET(4, &s));
    assert_int_equal(cpulist_parse("5", &s), 0);
    assert_int_equal(CPU_COUNT(&s), 1);
    assert_int_equal(cpulist_parse("3-1", &s), -1);
    assert_int_equal(cpulist_parse("a", &s), -1);
    assert_int_equal(cpulist_parse("1,,2", &s), -1);
    assert_int_equal(cpulist_parse("99999", &s), -1);
}

static void test_cgroup_conversions(void **state)
{
    (void)state;
    /* the formulas runc and crun use for cgroup v2 */
    assert_int_equal(cg_shares_to_weight(2), 1);
    assert_int_equal(cg_shares_to_weight(1024), 39);
    assert_int_equal(cg_shares_to_weight(262144), 10000);
    assert_int_equal(cg_shares_to_weight(0), 0);
    assert_int_equal(cg_blkio_to_io_weight(10), 1);
    assert_int_equal(cg_blkio_to_io_weight(1000), 10000);
    assert_int_equal(cg_blkio_to_io_weight(500), 4950);
}

static void test_mount_attrs(void **state)
{
    (void)state;
    assert_int_equal(mnt_ms_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC),
                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    assert_int_equal(mnt_ms_to_attr(MS_NOATIME), MOUNT_ATTR_NOATIME);
    assert_int_equal(mnt_ms_to_attr(MS_STRICTATIME), MOUNT_ATTR_STRICTATIME);
    assert_int_equal(mnt_ms_to_attr(MS_RELATIME), MOUNT_ATTR_RELATIME);
}

static void test_sysctl_rules(void **state)
{
    (void)state;
    struct spec_linux l;
    memset(&l, 0, sizeof(l));
    merr_t err = MERR_INIT;
    l.ns[NS_IPC].want = true;
    assert_int_equal(sysctl_check("kernel.msgmax", &l, &err), 0);
    assert_int_equal(sysctl_check("fs.mqueue.msg_max", &l, &err), 0);
    assert_int_equal(sysctl_check("kernel.hostname", &l, &err), -1);
    assert_non_null(strstr(err.msg, "needs a UTS namespace"));
    assert_int_equal(sysctl_check("net.ipv4.ip_forward", &l, &err), -1);
    assert_non_null(strstr(err.msg, "needs a network namespace"));
    l.ns[NS_NET].want = true;
    assert_int_equal(sysctl_check("net.ipv4.ip_forward", &l, &err), 0);
    assert_int_equal(sysctl_check("vm.swappiness", &l, &err), -1);
    assert_non_null(strstr(err.msg, "not namespaced"));
    assert_int_equal(sysctl_check("kernel.core_pattern", &l, &err), -1);
    err_clear(&err);
}

static void test_numbers_and_paths(void **state)
{
    (void)state;
    uint64_t u;
    int64_t i;
    assert_int_equal(parse_u64("42", &u), 0);
    assert_int_equal(u, 42);
    assert_int_equal(parse_u64("-1", &u), -1);
    assert_int_equal(parse_u64("4x", &u), -1);
    assert_int_equal(parse_u64("", &u), -1);
    assert_int_equal(parse_u64("99999999999999999999", &u), -1);
    assert_int_equal(parse_i64("-5", &i), 0);
    assert_int_equal(i, -5);
    char *p = jp_render(JP_K(JP_I(JP_K(JP_K(NULL, "linux"), "seccomp"), 3), "action"));
    assert_string_equal(p, "linux.seccomp[3].action");
    free(p);
}

/* ---- the cgroup v2 device program ---- */

/* Interpret the subset of eBPF the generator emits. */
static int run_bpf(const struct bpf_insn *p, size_t len, uint32_t type, uint32_t access,
                   uint32_t major, uint32_t minor)
{
    uint64_t r[11] = {0};
    uint32_t ctx[3] = {type | (access << 16), major, minor};
    for (size_t pc = 0; pc < len; pc++) {
        const struct bpf_insn *in = &p[pc];
        uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
        if (cls == BPF_LDX) {
            r[in->dst_reg] = ctx[in->off / 4];
        } else if (cls == BPF_ALU64 && op == BPF_MOV) {
            r[in->dst_reg] = BPF_SRC(in->code) == BPF_X ? r[in->src_reg] : (uint64_t)in->imm;
        } else if (cls == BPF_ALU && op == BPF_AND) {
            r[in->dst_reg] = (uint32_t)r[in->dst_reg] & (uint32_t)in->imm;
        } else if (cls == BPF_ALU && op == BPF_RSH) {
            r[in->dst_reg] = (uint32_t)r[in->dst_reg] >> in->imm;
        } else if (cls == BPF_JMP && op == BPF_EXIT) {
            return (int)r[0];
        } else if (cls == BPF_JMP && op == BPF_JNE) {
            if (r[in->dst_reg] != (uint64_t)(int64_t)in->imm)
                pc += (size_t)in->off;
        } else if (cls == BPF_JMP && op == BPF_JEQ) {
            if (r[in->dst_reg] == (uint64_t)(int64_t)in->imm)
                pc += (size_t)in->off;
        } else {
            fail_msg("unexpected instruction %#x at %zu", in->code, pc);
        }
    }
    fail_msg("program ran off its end");
    return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_device_program(void **state)
{
    (void)state;
    /* deny everything, then allow /dev/null rw and mknod of any char dev */
    struct spec_dev_rule rules[] = {
        {false, 'a', -1, -1, "rwm"},
        {true, 'c', 1, 3, "rw"},
        {true, 'c', -1, -1, "m"},
    };
    size_t len;
    struct bpf_insn *prog = cg_bpf_build(rules, 3, &len);
    assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 1);
    assert_int_equal(run_bpf(prog, len, C, R | W, 1, 3), 1);
    assert_int_equal(run_bpf(prog, len, C, M, 1, 3), 1);
    assert_int_equal(run_bpf(prog, len, C, R, 1, 5), 0);
    assert_int_equal(run_bpf(prog, len, C, M, 10, 229), 1);
    assert_int_equal(run_bpf(prog, len, B, M, 8, 0), 0);
    assert_int_equal(run_bpf(prog, len, B, R, 8, 0), 0);
    free(prog);
    /* allow everything, then deny writes to one device: a later deny wins */
    struct spec_dev_rule r2[] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}};
    prog = cg_bpf_build(r2, 2, &len);
    assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 1);
    assert_int_equal(run_bpf(prog, len, C, W, 1, 3), 0);
    assert_int_equal(run_bpf(prog, len, C, R | W, 1, 3), 0);
    assert_int_equal(run_bpf(prog, len, B, W, 8, 0), 1);
    free(prog);
    /* no rules: deny */
    prog = cg_bpf_build(NULL, 0, &len);
    assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 0);
    free(prog);
}

static void test_bpf_verifier_accepts(void **state)
{
    (void)state;
    struct spec_dev_rule rules[] = {
        {false, 'a', -1, -1, "rwm"}, {true, 'c', 1, 3, "rw"},   {true, 'c', -1, -1, "m"},
        {true, 'b', 8, -1, "r"},     {false, 'c', 136, 2, "w"},
    };
    size_t len;
    struct bpf_insn *prog = cg_bpf_build(rules, 5, &len);
    char log[4096] = {0};
    int fd = cg_bpf_load(prog, len, log, sizeof(log));
    free(prog);
    if (fd < 0 && (errno == EPERM || errno == ENOSYS)) {
        skip();
        return;
    }
    if (fd < 0)
        fail_msg("verifier rejected the device program: %s\n%s", strerror(errno), log);
    close(fd);
}

static void test_sha256(void **state)
{
    (void)state;
    char h[65];
    sha256_hex("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(m, strlen(m), h);
    assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* a million 'a's, fed in odd-sized pieces */
    struct sha256 s;
    uint8_t d[32];
    char chunk[997];
    memset(chunk, 'a', sizeof(chunk));
    sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
        sha256_update(&s, chunk, k);
        left -= k;
    }
    sha256_final(&s, d);
    assert_int_equal(d[0], 0xcd);
    assert_int_equal(d[1], 0xc7);
    assert_int_equal(d[31], 0xd0);
}

static void test_apparmor_profile(void **state)
{
    (void)state;
    char *t = apparmor_profile_text("moat-default");
    assert_non_null(
        strstr(t, "profile moat-default flags=(attach_disconnected,mediate_deleted) {"));
    assert_non_null(strstr(t, "deny mount,"));
    assert_non_null(strstr(t, "deny network raw,"));
    assert_non_null(strstr(t, "deny @{PROC}/sysrq-trigger rwklx,"));
    assert_non_null(strstr(t, "signal (send,receive) peer=moat-default,"));
    /* balanced braces, ends with the closing one */
    int depth = 0;
    for (const char *p = t; *p; p++)
        depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
    assert_int_equal(depth, 0);
    assert_string_equal(t + strlen(t) - 2, "}\n");
    free(t);
    /* a profile that is not moat's is never loaded by moat */
    merr_t err = MERR_INIT;
    assert_int_equal(apparmor_ensure_loaded("someone-elses", &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_idmap),
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_cgroup_conversions),
        cmocka_unit_test(test_mount_attrs),
        cmocka_unit_test(test_sysctl_rules),
        cmocka_unit_test(test_numbers_and_paths),
        cmocka_unit_test(test_bpf_device_program),
        cmocka_unit_test(test_bpf_verifier_accepts),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_apparmor_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

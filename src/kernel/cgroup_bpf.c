/* cgroup_bpf.c: device access control on cgroup v2, where the devices
 * controller is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to
 * the cgroup. The program is generated here from the OCI device rules; no
 * libbpf needed. */
#include "cgroup_internal.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i)                                                                        \
    ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) INSN(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) INSN(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JEQ_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_mask(const char *a)
{
    int m = 0;
    for (; *a; a++)
        m |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
    return m;
}

struct bpf_insn *cg_bpf_build(const struct spec_dev_rule *rules, size_t n, size_t *len)
{
    /* 6 to load the context, at most 8 per rule, 2 for the default */
    struct bpf_insn *p = xzalloc((8 + 8 * n) * sizeof(struct bpf_insn));
    size_t k = 0;
    /* r2 = type, r3 = access, r4 = major, r5 = minor */
    p[k++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
    p[k++] = AND_IMM(BPF_REG_2, 0xffff);
    p[k++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
    p[k++] = RSH_IMM(BPF_REG_3, 16);
    p[k++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
    p[k++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
    /* the last matching rule wins: test rules from last to first */
    for (size_t i = n; i-- > 0;) {
        const struct spec_dev_rule *r = &rules[i];
        struct bpf_insn blk[8];
        size_t b = 0;
        if (r->type != 'a')
            blk[b++] =
                JNE_IMM(BPF_REG_2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
        if (r->major >= 0)
            blk[b++] = JNE_IMM(BPF_REG_4, (int32_t)r->major, 0);
        if (r->minor >= 0)
            blk[b++] = JNE_IMM(BPF_REG_5, (int32_t)r->minor, 0);
        int mask = access_mask(r->access);
        blk[b++] = MOV_REG(BPF_REG_6, BPF_REG_3);
        if (r->allow) {
            /* every requested access must be in the rule */
            blk[b++] = AND_IMM(BPF_REG_6, ~mask & 0x7);
            blk[b++] = JNE_IMM(BPF_REG_6, 0, 0);
        } else {
            /* any requested access in the rule denies */
            blk[b++] = AND_IMM(BPF_REG_6, mask);
            blk[b++] = JEQ_IMM(BPF_REG_6, 0, 0);
        }
        blk[b++] = MOV_IMM(BPF_REG_0, r->allow ? 1 : 0);
        blk[b++] = EXIT();
        /* patch the "goto next block" offsets */
        for (size_t j = 0; j < b; j++)
            if (BPF_CLASS(blk[j].code) == BPF_JMP && BPF_OP(blk[j].code) != BPF_EXIT)
                blk[j].off = (int16_t)(b - j - 1);
        memcpy(p + k, blk, b * sizeof(struct bpf_insn));
        k += b;
    }
    p[k++] = MOV_IMM(BPF_REG_0, 0);
    p[k++] = EXIT();
    *len = k;
    return p;
}

static long bpf_(int cmd, union bpf_attr *a)
{
    return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

int cg_bpf_load(const struct bpf_insn *prog, size_t len, char *log, size_t logsize)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)prog;
    a.insn_cnt = (uint32_t)len;
    a.license = (uint64_t)(uintptr_t) "Apache";
    a.log_buf = (uint64_t)(uintptr_t)log;
    a.log_size = (uint32_t)logsize;
    a.log_level = 1;
    return (int)bpf_(BPF_PROG_LOAD, &a);
}

int cg_bpf_devices(const char *dir, const struct spec_dev_rule *rules, size_t n, merr_t *err)
{
    size_t len;
    cleanup_free struct bpf_insn *prog = cg_bpf_build(rules, n, &len);
    char log[4096] = {0};
    union bpf_attr a;
    int pfd = cg_bpf_load(prog, len, log, sizeof(log));
    if (pfd < 0)
        return err_sys(err, "linux.resources.devices: load the device eBPF program%s%s",
                       log[0] ? ": " : "", log);
    cleanup_close int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0) {
        close(pfd);
        return err_sys(err, "linux.resources.devices: open %s", dir);
    }
    /* programs attached before (by an earlier create or update) */
    uint32_t ids[64] = {0};
    memset(&a, 0, sizeof(a));
    a.query.target_fd = (uint32_t)cgfd;
    a.query.attach_type = BPF_CGROUP_DEVICE;
    a.query.prog_ids = (uint64_t)(uintptr_t)ids;
    a.query.prog_cnt = 64;
    uint32_t nold = bpf_(BPF_PROG_QUERY, &a) == 0 ? a.query.prog_cnt : 0;
    memset(&a, 0, sizeof(a));
    a.target_fd = (uint32_t)cgfd;
    a.attach_bpf_fd = (uint32_t)pfd;
    a.attach_type = BPF_CGROUP_DEVICE;
    a.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf_(BPF_PROG_ATTACH, &a) < 0) {
        close(pfd);
        return err_sys(err, "linux.resources.devices: attach the device eBPF program to %s", dir);
    }
    close(pfd);
    for (uint32_t i = 0; i < nold && i < 64; i++) {
        memset(&a, 0, sizeof(a));
        a.prog_id = ids[i];
        int old = (int)bpf_(BPF_PROG_GET_FD_BY_ID, &a);
        if (old < 0)
            continue;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cgfd;
        a.attach_bpf_fd = (uint32_t)old;
        a.attach_type = BPF_CGROUP_DEVICE;
        bpf_(BPF_PROG_DETACH, &a);
        close(old);
    }
    return 0;
}

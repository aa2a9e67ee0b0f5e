/* cgroup_internal.h: shared by the cgroup_*.c files and unit tests. */
#ifndef MOAT_CGROUP_INTERNAL_H
#define MOAT_CGROUP_INTERNAL_H

#include "../oci/spec.h"
#include "../util/err.h"
#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

/* cgroup v1 cpu.shares -> v2 cpu.weight, blkio weight -> io.weight */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t w);

/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program for the rules: the last
 * matching rule decides, no match denies. */
struct bpf_insn *cg_bpf_build(const struct spec_dev_rule *rules, size_t n, size_t *len);
/* Load a device program (BPF_PROG_TYPE_CGROUP_DEVICE): its fd, or -1 with
 * errno set and the verifier's log in log. */
int cg_bpf_load(const struct bpf_insn *prog, size_t len, char *log, size_t logsize);
/* Build, load and attach it to the cgroup v2 directory, replacing programs
 * moat attached before. */
int cg_bpf_devices(const char *dir, const struct spec_dev_rule *rules, size_t n, merr_t *err);

#endif

/* vmm.h: moat-vmm, the supervisor of one VM.
 *
 * The runtime builds the container's sandbox as usual and, for the vm
 * handler, execs the moat binary as "moat-vmm" in it instead of the
 * process: `moat-vmm SPEC.json` (or `moat-vmm --spec-fd N`, or the spec in
 * MOAT_VM_SPEC). It starts
 * virtiofsd (sharing the container's root) and QEMU (microvm, the kernel
 * and initramfs of kit.h, the guest's init moat-vminit), sends the guest
 * part of the spec over the control port (proto.h), waits for READY within
 * boot_timeout_ms, then relays its stdin, stdout and stderr to and from
 * the container's process, forwards the signals it gets (SIGWINCH as a
 * resize when terminal), serves exec requests on exec_socket (vmexec.h),
 * and exits with the process's status (its code, or 128 + the signal).
 * A VM that does not boot in time, a QEMU or virtiofsd that dies, or a
 * guest that breaks the protocol ends with a message (and the console's
 * last lines) on stderr and status 125; nothing it started is left.
 *
 * The vm spec (JSON; defaults in brackets):
 *   qemu [/usr/bin/qemu-system-x86_64], virtiofsd [/usr/lib/qemu/virtiofsd],
 *   kernel, initrd (required), rootfs [/rootfs], run_dir [/run/moat-vm],
 *   exec_socket [none], memory_mib [256], cpus [1], accel ["auto": kvm
 *   when /dev/kvm opens, else tcg], boot_timeout_ms [30000, at most
 *   600000], virtiofsd_sandbox ["chroot" | "namespace"],
 *   guest: { terminal, hostname, readonly_root, process (an OCI process
 *   object), mounts (OCI mounts made in the guest) } */
#ifndef MOAT_VM_VMM_H
#define MOAT_VM_VMM_H

#define VMM_NAME "moat-vmm"
/* the vm spec in the environment, as the runtime's vm handler passes it */
#define VMM_SPEC_ENV "MOAT_VM_SPEC"

/* main() when moat runs as "moat-vmm". */
int vmm_main(int argc, char **argv);

#endif

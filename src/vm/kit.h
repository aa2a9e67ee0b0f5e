/* kit.h: what a VM boots: the guest kernel and moat's initramfs.
 *
 * The kernel is Debian's cloud kernel, best as the uncompressed ELF that
 * scripts/setup.sh extracts to KIT_DIR/vmlinux (QEMU enters it through its
 * PVH note). The initramfs is made here, in C: a newc cpio holding the
 * static moat binary as /moat-vminit (the guest's pid 1, see vminit.h),
 * /dev/console, and the kernel's modules that the guest needs (virtio
 * mmio, console and fs, with what they depend on, from that kernel's
 * /lib/modules/VERSION/modules.dep), numbered in load order; those only a
 * guest with a network loads (virtio_net) under lib/modules/net. It is cached
 * in KIT_DIR under a name made of the kernel file's identity (device,
 * inode, size, mtime) and the moat binary's build id, written to a
 * temporary file and renamed, so readers never see half of one and a
 * cache hit reads neither file. Making one prunes the others that have
 * not been used for ten minutes (kit.c). These run on the host, as root, before
 * the sandbox: the supervisor only gets the two paths. */
#ifndef MOAT_VM_KIT_H
#define MOAT_VM_KIT_H

#include "../util/err.h"

#include <stddef.h>
#include <stdint.h>

#define KIT_DIR "/var/lib/moat/vm"
#define KIT_KERNEL KIT_DIR "/vmlinux"
/* the name of the guest's init in the initramfs (argv[0] dispatch) */
#define KIT_INIT_NAME "moat-vminit"

/* The kernel to boot: `want` when set (an annotation), else
 * $MOAT_VM_KERNEL, else KIT_KERNEL, else the newest
 * /boot/vmlinuz-*-cloud-amd64. It must be an absolute path to a regular
 * file. */
int kit_kernel(const char *want, char **path, merr_t *err);

/* The initramfs for booting `kernel` with the moat binary `exe` (which
 * must be statically linked) as its init, cached in dir (KIT_DIR when
 * NULL; made if missing). *out: its path. */
int kit_initrd(const char *kernel, const char *exe, const char *dir, char **out, merr_t *err);

/* A copy of the moat binary exe in dir (KIT_DIR when NULL), made once
 * per build (atomically): what a VM's sandbox runs as its supervisor
 * (moat-vmm), a host file that it can bind read-only, whatever this
 * process runs from (a sealed memfd, a detached mount). *out: its path. */
int kit_exe(const char *exe, const char *dir, char **out, merr_t *err);

/* The release of the kernel image in buf ("6.1.0-57-cloud-amd64"): from a
 * bzImage's setup header or the "Linux version " banner of an ELF. NULL if
 * none is found or it is not a plain name (letters, digits, ".-_+"). */
char *kit_kernel_release(const uint8_t *buf, size_t n);

/* The modules to load, in order (paths relative to modroot, NULL
 * terminated), resolved from the text of modules.dep; builtin (the text of
 * modules.builtin, may be NULL) names what needs no module. */
char **kit_modules_order(const char *dep, const char *builtin, const char *const *want,
                         merr_t *err);

#endif

/* vm_config.h: the vm handler's config (run.oci.handler=vm, Docker's
 * --isolation vm). The container's config.json is turned into the config
 * of its sandbox, which the runtime builds as it builds any container
 * (user namespace, cgroup, seccomp, no_new_privs, capabilities, Landlock):
 *
 *   root      a read-only skeleton (vm_skeleton), not the image
 *   /usr ...  the host's /usr (and /etc/ld.so.cache), read-only: QEMU's
 *   /kit      the guest kernel and initramfs, read-only
 *   /moat-vmm the moat binary, read-only: the process (moat-vmm, the VM's
 *             supervisor, vm/vmm.h), as the sandbox's root (uid 0 of the
 *             container's user namespace), with the capabilities that
 *             virtiofsd needs to act for the guest's users
 *   /rootfs   the container's root (root.path) and under it its bind mounts
 *             (volumes, binds, /etc/hosts ...), nodev and nosuid: what
 *             virtiofsd shares with the guest
 *   /proc /dev /run /tmp  the sandbox's own
 *
 * The container's process, hostname and its kernel file systems (proc,
 * sysfs, tmpfs, devpts, mqueue, cgroup) go to the guest, in the vm spec
 * (vm/vmm.h) that moat-vmm gets in its environment (MOAT_VM_SPEC; the
 * environment of a process is readable only by its own user). They are
 * never mounted on the host side, so the guest cannot reach the
 * sandbox's /proc through the share. Pure code (no system call). */
#ifndef MOAT_RUNTIME_VM_CONFIG_H
#define MOAT_RUNTIME_VM_CONFIG_H

#include "../runtime.h"
#include "../../util/err.h"

#include <jansson.h>
#include <stdbool.h>

#define VM_HANDLER_KEY RT_HANDLER_KEY
#define VM_HANDLER_VALUE RT_HANDLER_VM
#define VM_NET_KEY RT_VM_NET_KEY
#define VM_PORTS_KEY RT_VM_PORTS_KEY
#define VM_SPEC_ENV "MOAT_VM_SPEC"

struct vm_paths {
    const char *skeleton; /* vm_skeleton's directory */
    const char *kernel;   /* the guest kernel (host path) */
    const char *initrd;   /* moat's initramfs for it (host path) */
    const char *exe;      /* the moat binary (host path) */
    const char *ld_cache; /* /etc/ld.so.cache, or NULL when absent */
    const char *rootfs;   /* root.path, absolute (the bundle's resolved) */
    bool kvm;             /* /dev/kvm works: given to the sandbox */
    unsigned host_cpus;   /* the host's, the most a VM gets */
    unsigned long nofile; /* the sandbox's RLIMIT_NOFILE (virtiofsd's files) */
    json_t *seccomp;      /* linux.seccomp compiled, as the guest loads it, or NULL */
};

/* true for a bind mount of config (what goes under /rootfs) */
bool vm_mount_is_bind(json_t *m);

/* true when config asks for the vm handler */
bool vm_wanted(json_t *config);

/* The sandbox's config for config (not changed), or NULL and err naming
 * what cannot run in a VM ("mounts[3]: a mount of type overlay ..."). */
json_t *vm_sandbox_config(json_t *config, const struct vm_paths *p, merr_t *err);

/* The guest's memory (MiB) and vCPUs for the limits of config: the
 * memory limit less what QEMU itself takes (at least 128 MiB), 256
 * without a limit; the CPU quota rounded up, 1 without one. */
void vm_size(json_t *config, unsigned host_cpus, unsigned *mib, unsigned *cpus);

/* The names the skeleton holds, NULL-terminated: a trailing '/' is a
 * directory, "NAME>TARGET" a symlink, anything else an empty file. */
extern const char *const vm_skeleton_entries[];

#endif

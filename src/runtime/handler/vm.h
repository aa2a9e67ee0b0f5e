/* vm.h: the vm handler's host side (see vm_config.h): at create, the kit
 * (kernel, initramfs, moat's binary), the sandbox's skeleton root, and
 * the config of the sandbox that runs the VM. */
#ifndef MOAT_RUNTIME_VM_H
#define MOAT_RUNTIME_VM_H

#include "../../oci/spec.h"
#include "../../util/err.h"

#include <stddef.h>

/* The read-only root of every VM sandbox, made once (atomically) with
 * vm_skeleton_entries. *out: its path. */
int vm_skeleton(char **out, merr_t *err);

/* config (text; spec, the same parsed) asks for a VM: *out is the
 * sandbox's config (text) and *root its root; rootfs is the container's
 * root.path, absolute. 0 with *out NULL when config does not ask for one. */
int vm_prepare(const struct spec *spec, const char *config, size_t len, const char *rootfs,
               char **out, char **root, merr_t *err);

#endif

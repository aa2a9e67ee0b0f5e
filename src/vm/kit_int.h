/* kit_int.h: shared between kit.c and kit_initrd.c only. */
#ifndef MOAT_VM_KIT_INT_H
#define MOAT_VM_KIT_INT_H

#include "../util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* a file mapped read-only */
struct kit_map {
    const uint8_t *data;
    size_t len;
    struct stat st;
};
int kit_map(const char *path, const char *what, struct kit_map *km, merr_t *err);
void kit_unmap(struct kit_map *km);
/* true if the ELF image needs a dynamic loader (or is no 64-bit ELF) */
bool kit_elf_dynamic(const uint8_t *m, size_t n);
/* write the initramfs for kernel with exe as init to path (atomically) */
int kit_build_initrd(const char *kernel, const struct kit_map *exe, const char *dir,
                     const char *path, merr_t *err);

#endif

/* vmkit MOAT [DIR]: the VM kernel moat would boot and the initramfs made
 * for it with the static binary MOAT as the guest's init (src/vm/kit.h),
 * cached in DIR (default /var/lib/moat/vm): two lines, kernel then
 * initramfs. What the runtime does before it starts moat-vmm, for the
 * tests of the VM core (tests/integration/vm_core.bats). */
#include "util/err.h"
#include "vm/kit.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: vmkit MOAT [DIR]\n");
        return 2;
    }
    merr_t err = MERR_INIT;
    char *kernel = NULL, *initrd = NULL;
    if (kit_kernel(NULL, &kernel, &err) < 0 ||
        kit_initrd(kernel, argv[1], argc > 2 ? argv[2] : NULL, &initrd, &err) < 0) {
        fprintf(stderr, "vmkit: %s\n", err.msg);
        return 1;
    }
    printf("%s\n%s\n", kernel, initrd);
    free(kernel);
    free(initrd);
    return 0;
}

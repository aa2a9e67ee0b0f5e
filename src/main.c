/* main.c: entry point; the CLI layer dispatches the command. */
#include "cli/cli.h"
#include "daemon/daemon.h"
#include "engine/dns_server.h"
#include "engine/tinit.h"
#include "vm/kit.h"
#include "vm/vminit.h"
#include "vm/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <jansson.h>
#include <sys/random.h>

/* 0, 1 and 2 open, on /dev/null where the caller closed them: else the
 * first descriptors moat opens take those numbers, and are written to as
 * its output or handed to a container as its stdio (a directory of the
 * runtime's, in a container started with its stdio closed) */
static void stdio_open(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) < 0)
            return; /* a VM's init before its /dev: the kernel gave it a console */
}

int main(int argc, char **argv)
{
    stdio_open();
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (strcmp(argv[0], TINIT_PATH) == 0 || strcmp(base, "moat-init") == 0)
        return tinit_main(argc, argv);
    if (strcmp(base, KIT_INIT_NAME) == 0) /* a VM's pid 1 (src/vm/vminit.h) */
        return vminit_main(argc, argv);
    if (strcmp(base, VMM_NAME) == 0) /* a VM's supervisor (src/vm/vmm.h) */
        return vmm_main(argc, argv);
    if (strcmp(argv[0], DNS_PROC_NAME) == 0) /* a container's resolver, run by its monitor */
        return dns_server_main(argc, argv);
    /* jansson's hash seed, with one getrandom instead of its own
     * open/read/close of /dev/urandom (0 keeps jansson's default) */
    size_t seed = 0;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed)
        json_object_seed(seed);
    if (argc > 1 && strcmp(argv[1], "daemon") == 0 && strcmp(base, "moat-runtime") != 0)
        return daemon_main(argc - 1, argv + 1);
    /* moat-runtime is always the OCI runtime (what engines are configured
     * with); moat is the engine, and the runtime for runc's command lines */
    return cli_main(argc, argv, strcmp(base, "moat-runtime") == 0);
}

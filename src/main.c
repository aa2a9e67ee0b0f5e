/* main.c: entry point; the CLI layer dispatches the command. */
#include "cli/cli.h"

#include <jansson.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
    /* jansson's hash seed, with one getrandom instead of its own
     * open/read/close of /dev/urandom (0 keeps jansson's default) */
    size_t seed = 0;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed)
        json_object_seed(seed);
    return cli_main(argc, argv);
}

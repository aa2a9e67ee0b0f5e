/* main.c: entry point; the CLI layer dispatches the command. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}

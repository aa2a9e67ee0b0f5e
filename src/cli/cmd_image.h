/* cmd_image.h: what the image commands' files share: their flag ids and
 * the handler that keeps switches and values. */
#ifndef MOAT_CLI_CMD_IMAGE_H
#define MOAT_CLI_CMD_IMAGE_H

#include "flags.h"
#include <stdbool.h>

enum {
    F_QUIET = 1,
    F_ALL,
    F_NOTRUNC,
    F_FORCE,
    F_INPUT,
    F_OUTPUT,
    F_TLS,
    F_USER,
    F_PASSWORD,
    F_PASSWORD_STDIN,
    F_FORMAT,
    F_NOPRUNE,
    F_DIGESTS,
    F_FILTER,
    F_TRUST,
    F_CHANGE,
    F_MESSAGE,
};

/* each flag that only sets a switch or keeps a value: ctx is an array
 * indexed by the flag's id */
struct vals {
    bool on[32];
    const char *val[32];
    char **filters; /* --filter, each */
};

/* keeps each flag's switch and value in the struct vals at ctx */
int image_keep(struct flags_it *it, int f, void *ctx);

#endif

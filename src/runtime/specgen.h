/* specgen.h: configs written by `moat spec`. */
#ifndef MOAT_SPECGEN_H
#define MOAT_SPECGEN_H

#include <stdbool.h>

/* config.json text; rootless maps the caller to root in a user namespace. */
char *specgen_default(bool rootless);

#endif

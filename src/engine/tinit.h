/* tinit.h: `moat run --init`: a tiny init as the container's pid 1.
 *
 * The moat binary itself (static) is bind-mounted read-only at /dev/init
 * and started as pid 1 with the command after "--". It starts the command,
 * passes every signal it gets on to it, reaps every orphan that ends up as
 * its child, and exits with the command's status (128+N when a signal
 * ended it), as tini and docker-init do. */
#ifndef MOAT_TINIT_H
#define MOAT_TINIT_H

#define TINIT_PATH "/dev/init"

/* main() when moat is started as "/dev/init" (or "moat-init"). */
int tinit_main(int argc, char **argv);

#endif

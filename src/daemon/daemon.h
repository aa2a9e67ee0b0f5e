/* daemon.h: `moat daemon`, the Docker Engine API's server (the back,
 * root). It makes the listeners, starts moat-api (the front: HTTP and TLS,
 * unprivileged, src/api/) with them, and serves each typed request the
 * front hands over in a worker process of its own (worker.h). It never
 * parses HTTP. */
#ifndef MOAT_DAEMON_H
#define MOAT_DAEMON_H

int daemon_main(int argc, char **argv);

#endif

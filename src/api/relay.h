/* relay.h: a hijacked stream over TLS. libmicrohttpd decrypts into a
 * socketpair it owns and must be told when the stream is over; so the
 * front hands the back (and the container's monitor) a socketpair of its
 * own and copies between the two in a thread, half-closes included, and
 * ends the upgraded connection once both directions have ended. Over a
 * UNIX socket none of this is needed: the client's own connection goes to
 * the monitor. */
#ifndef MOAT_API_RELAY_H
#define MOAT_API_RELAY_H

#include <microhttpd.h>

/* Start the relay for libmicrohttpd's sock; the other end to hand over,
 * or -1 (then the connection is closed). */
int relay_start(MHD_socket sock, struct MHD_UpgradeResponseHandle *urh);

#endif

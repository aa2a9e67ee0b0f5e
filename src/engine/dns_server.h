/* dns_server.h: the embedded DNS resolver of a container on a user-defined
 * network (issue 12, Names), a process of its own: moat's executable run
 * as "moat-dns" by the container's monitor (dns_run.h), as the user
 * moat-dns, with no capability, no_new_privs, no file system (Landlock)
 * and its own seccomp allow-list (dns_sandbox.h).
 *
 * It gets, made by the monitor in the container's network namespace:
 *   fd 3  a UDP socket bound to 127.0.0.11:53
 *   fd 4  a TCP socket listening on 127.0.0.11:53
 *   fd 5  a SOCK_SEQPACKET socket to the monitor (dns_ctl.h)
 * and as arguments the addresses of the upstream servers (none on an
 * --internal network: names it does not know are REFUSED). It runs in
 * the monitor's network namespace (the host's): its forwarded queries
 * leave from there, so a host's resolver on 127.0.0.53 works.
 *
 * A query for a name of letters, digits, '-', '_' and dots, of class IN,
 * is asked of the monitor first: a name of a running container on one of
 * this container's networks is answered here (A: its addresses, TTL 600;
 * another type: no data); any other name is forwarded. It exits when the
 * monitor's socket closes (and is killed with the monitor). */
#ifndef MOAT_DNS_SERVER_H
#define MOAT_DNS_SERVER_H

#define DNS_FD_UDP 3
#define DNS_FD_TCP 4
#define DNS_FD_CTL 5
#define DNS_PROC_NAME "moat-dns"

int dns_server_main(int argc, char **argv);

#endif

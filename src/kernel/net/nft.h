/* nft.h: moat's nftables tables applied through libnftables, one atomic
 * transaction each time. Only `table inet moat` and `table bridge moat`
 * are ever named: the admin's tables, Docker's, firewalld's and iptables'
 * are not touched. */
#ifndef MOAT_KERNEL_NET_NFT_H
#define MOAT_KERNEL_NET_NFT_H

#include "../../util/err.h"

/* Replace both of moat's tables by those in `tables` (the text of `table
 * inet moat {...}` and `table bridge moat {...}`, src/net/fw.h): one
 * transaction that adds each table (so the delete cannot fail), deletes
 * it and creates it again from the text. Either all of it is applied or
 * nothing is (the old tables stay); an admin's `nft flush ruleset` is
 * repaired by applying again. The error carries libnftables' message. */
/* libnftables loaded (dlopen: a program that does not call these does
 * not load it) and a context, with its netlink socket, made now (before a
 * process drops its privileges) for the calls below to use. */
int nft_prepare(merr_t *err);
int nft_apply(const char *tables, merr_t *err);
/* Delete moat's two tables if they exist (one transaction). */
int nft_remove(merr_t *err);

#endif

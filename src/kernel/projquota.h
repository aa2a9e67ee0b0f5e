/* projquota.h: project quotas (xfs mounted with pquota, ext4 with the
 * project and quota features mounted with prjquota): a project id on a
 * directory, inherited by everything made below it, and a limit on the
 * blocks charged to that id. Only the init user namespace can change an
 * inode's project id, so a user-namespaced container cannot move its files
 * out of the project. */
#ifndef MOAT_PROJQUOTA_H
#define MOAT_PROJQUOTA_H

#include "../util/err.h"
#include <stdint.h>

/* Are project quota limits enforced on the filesystem of fd? 0 if they
 * are; -1 with err saying why not. */
int pq_enforced(int fd, merr_t *err);
/* A project id in [first, first + count) that nothing on the filesystem
 * of fd is charged to (no blocks, no inodes), tried from a random point. */
int pq_free_id(int fd, uint32_t first, uint32_t count, uint32_t *id, merr_t *err);
/* Give the directory fd project id `id`, inherited by what is made in it. */
int pq_set_dir(int fd, uint32_t id, merr_t *err);
/* The project id of fd; -1 if the filesystem has none. */
int pq_get(int fd, uint32_t *id);
/* Limit the blocks of project `id` on the filesystem of fd to `bytes`
 * (rounded up to KiB) and its inodes to one per 4 KiB of that; 0 removes
 * the limits. */
int pq_limit(int fd, uint32_t id, uint64_t bytes, merr_t *err);

#endif

/* sysdf.h: the store's disk use (Docker's GET /system/df). */
#ifndef MOAT_ENGINE_SYSDF_H
#define MOAT_ENGINE_SYSDF_H

#include "store.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* {LayersSize, Images: [{Id, RepoTags, Created, Size, SharedSize,
 * Containers}], Containers: [{Id, Names, Image, ImageID, Command, SizeRw,
 * State, Created}], Volumes: [{Name, UsageData: {Size, RefCount}}],
 * BuildCache: []}; sizes in bytes (images: their layer blobs; containers:
 * their writable layer; volumes: their files) */
json_t *sys_df(struct store *s);

/* The bytes of a container's writable layer (rec: its record) */
uint64_t ctr_size_rw(struct store *s, const char *id, json_t *rec);
/* ... and of its image's layers: Docker's SizeRw and SizeRootFs into o
 * (inspect --size), "RW (virtual TOTAL)" as ps -s shows it into ps */
void ctr_sizes(struct store *s, const char *id, json_t *rec, json_t *o, char **ps);

#endif

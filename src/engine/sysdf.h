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

#endif

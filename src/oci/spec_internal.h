/* spec_internal.h: shared between the spec_*.c parser files only. */
#ifndef MOAT_SPEC_INTERNAL_H
#define MOAT_SPEC_INTERNAL_H

#include "../util/jpath.h"
#include "spec.h"

int parse_process(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_process *out);
int parse_mounts(const struct jctx *c, const struct jp *p, json_t *arr, struct spec *s);
int parse_idmaps(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                 struct spec_idmap **out, size_t *n);
int parse_linux(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_linux *l);
int parse_resources(const struct jctx *c, const struct jp *p, json_t *obj,
                    struct spec_resources *r);
int parse_seccomp(const struct jctx *c, const struct jp *p, json_t *obj, struct spec_seccomp **out);
int parse_landlock(const struct jctx *c, const struct jp *p, json_t *obj,
                   struct spec_landlock **out);
void free_landlock(struct spec_landlock *l);
void free_mount(struct spec_mount *m);
void free_linux(struct spec_linux *l);
void free_seccomp(struct spec_seccomp *s);

/* "a", "c", "b", "u", "p" device types etc. */
int parse_device_number(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
                        int64_t *out, bool required);

#endif

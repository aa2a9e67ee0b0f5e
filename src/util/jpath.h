/* jpath.h: typed getters over jansson values that report errors with the
 * JSON path of the offending field ("linux.uidMappings[0].size: ...").
 *
 * The path is a linked list of stack frames built while descending, and is
 * rendered to text only when an error is reported. */
#ifndef MOAT_JPATH_H
#define MOAT_JPATH_H

#include "err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct jp {
    const struct jp *up;
    const char *key; /* object member, or NULL for an array index */
    long idx;
};
#define JP_K(up_, k) (&(const struct jp){(up_), (k), -1})
#define JP_I(up_, i) (&(const struct jp){(up_), NULL, (long)(i)})

struct jctx {
    merr_t *err;
    const char *file; /* "config.json", "process.json", ... */
};

/* What of a value or key quoted from the input an error message shows
 * (the rest is cut, "..." marks it). */
#define JCUT_MAX 64
/* "a.b[2].c" (caller frees); keys are cut to JCUT_MAX bytes */
char *jp_render(const struct jp *p);
/* Sets "file: path: message" and returns -1. Every %s argument is cut to
 * JCUT_MAX bytes; the conversions are those of the parsers (%c %d %i %u
 * %o %x %s with l, ll or z, no flags or width). */
int jfail(const struct jctx *c, const struct jp *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Getters: return 1 if the member is present and valid, 0 if absent or
 * null, -1 (error set) if present with a wrong type or value. `p` is the
 * path of obj; the member's path is p + key. */
int jget_obj(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, json_t **out);
int jget_arr(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, json_t **out);
int jget_str(const struct jctx *c, const struct jp *p, json_t *obj, const char *key,
             const char **out);
int jget_bool(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, bool *out);
int jget_i64(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, int64_t *out);
int jget_u64(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, uint64_t *out);
int jget_u32(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, uint32_t *out);
int jget_int(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, int *out);
/* Array of strings -> NULL-terminated vector of pointers into the tree
 * (the vector itself is malloc'ed). */
int jget_strv(const struct jctx *c, const struct jp *p, json_t *obj, const char *key, char ***out);

/* Value checks on an already fetched element. */
int jval_str(const struct jctx *c, const struct jp *p, json_t *v, const char **out);
int jval_obj(const struct jctx *c, const struct jp *p, json_t *v);

/* Load JSON text; a syntax error is reported with line and column. */
json_t *jload(const struct jctx *c, const char *text, size_t len);
/* Load the JSON of a regular file of at most JLOAD_MAX bytes in large
 * reads (jansson's json_loadfd reads one byte per syscall). Anything else
 * (a FIFO, a device, a larger file, bad JSON) is an error naming `what`. */
#define JLOAD_MAX (16 << 20)
json_t *jload_fd(int fd, const char *what, merr_t *err);

#endif

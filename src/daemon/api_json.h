/* api_json.h: typed reads of a Docker API request body, each error naming
 * the field as the API spells it ("HostConfig.Memory: must be ..."). Used
 * by api_create*.c. */
#ifndef MOAT_DAEMON_API_JSON_H
#define MOAT_DAEMON_API_JSON_H

#include "../util/err.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* obj's key, NULL when absent or null (or obj is not an object) */
json_t *aj_get(json_t *obj, const char *key);
/* "FIELD: message"; returns -1 */
int aj_bad(merr_t *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* field "PARENT.KEY" in a new string (PARENT NULL: KEY) */
char *aj_field(const char *parent, const char *key);
/* a string; *out NULL when absent, null or "" */
int aj_str(json_t *obj, const char *key, const char *field, const char **out, merr_t *err);
/* a boolean; *out left alone when absent or null */
int aj_bool(json_t *obj, const char *key, const char *field, bool *out, merr_t *err);
/* an integer; *out 0 when absent or null */
int aj_int(json_t *obj, const char *key, const char *field, int64_t *out, merr_t *err);
/* an array of strings (or, with one_string, a single string) pushed onto
 * *v; nothing when absent or null */
int aj_strv(json_t *obj, const char *key, const char *field, bool one_string, char ***v,
            merr_t *err);
/* an object whose values are strings: "KEY=VALUE" (KEY:VALUE with sep ':')
 * each pushed onto *v */
int aj_kv(json_t *obj, const char *key, const char *field, char sep, char ***v, merr_t *err);

#endif

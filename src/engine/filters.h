/* filters.h: Docker's filter arguments (`--filter KEY=VALUE`, the API's
 * filters={"key":["value",...]}): a set of values per key, held as a JSON
 * object of arrays, and the ways Docker matches them. Used by events,
 * volume ls and the prunes; each says which keys it takes. */
#ifndef MOAT_ENGINE_FILTERS_H
#define MOAT_ENGINE_FILTERS_H

#include "../util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* "KEY=VALUE" into filters (an object) when KEY is one of keys (NULL
 * ends them), read as Docker's CLI reads it: the key trimmed and in lower
 * case, the value trimmed, each value once; "label!=k" is key "label!".
 * Errors: no "=" (bad format of filter), a key not in keys (invalid
 * filter 'KEY'). */
int filters_add(json_t *filters, const char *kv, const char *const *keys, merr_t *err);
/* All of args (NULL-ended, may be NULL) as a new object; NULL and err on
 * the first bad one. */
json_t *filters_parse(char *const *args, const char *const *keys, merr_t *err);
bool filters_has(json_t *filters, const char *key);

/* Docker's MatchKVList: every value of key ("k" or "k=v") is a label of
 * labels (an object of strings); true when key has no values. */
bool filters_match_kv(json_t *filters, const char *key, json_t *labels);
/* The prunes' labels: every "label" value holds, and not every "label!"
 * one does (Docker's: with two label! values, only an object that has
 * both is kept). */
bool filters_match_labels(json_t *filters, json_t *labels);
/* Docker's ExactMatch: some value of key is s; true when key has none */
bool filters_match_exact(json_t *filters, const char *key, const char *s);
/* Docker's Match: some value of key is s, or as a regular expression
 * (POSIX extended here, RE2 in Docker) matches somewhere in s; a value
 * that is not a valid expression matches only itself. True when key has
 * no values. */
bool filters_match_re(json_t *filters, const char *key, const char *s);

/* key's one boolean value (true, false, 1, 0) into *out; dflt when key is
 * absent. -1 with "invalid filter 'KEY=VALUE'" on anything else, or two
 * values that disagree. */
int filters_bool(json_t *filters, const char *key, bool dflt, bool *out, merr_t *err);
/* The "until" value (a timestamp or a duration before now_ns, as
 * timearg.h reads them) in ns since the epoch; INT64_MAX when there is
 * none. -1 on a bad value or more than one. */
int filters_until(json_t *filters, int64_t now_ns, int64_t *until, merr_t *err);

#endif

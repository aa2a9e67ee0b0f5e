/* network_rec.h: what the network files share inside the engine (the
 * records' making and writing, the option checks); not for cli/. */
#ifndef MOAT_ENGINE_NETWORK_REC_H
#define MOAT_ENGINE_NETWORK_REC_H

#include "network.h"

/* the devices moat1 .. moatN: an index past this is refused */
#define NETWORK_INDEX_MAX 4095

/* an option of a network (--opt KEY=VALUE): known and its value good; its
 * effect into n when n is not NULL */
int network_option_check(const char *k, const char *v, struct network *n, merr_t *err);
/* A record in Docker's shape; opts and labels are taken. */
json_t *network_make_record(const char *name, const char *id, const char *subnet, const char *gw,
                            bool internal, bool attachable, json_t *opts, json_t *labels,
                            unsigned index);
/* networks/ID.json, atomically (under the lock) */
int network_write_record(struct store *s, const char *id, json_t *rec, merr_t *err);
/* The default network's record, made if missing (under the lock). */
int network_ensure_default(struct store *s, merr_t *err);
/* Every network, sorted by name; locked: the caller holds the store lock
 * (the default network is then not made here). */
struct network *network_list_all(struct store *s, bool locked, size_t *n);
/* network_find; locked as above */
int network_find_in(struct store *s, bool locked, const char *what, struct network *out,
                    merr_t *err);
/* 64 lower-case hex digits */
bool network_hex64(const char *s);

#endif

/* ctr_list.h: the containers `ps` lists (and GET /containers/json will):
 * which, in what order, and Docker's filters on them. How a row looks is
 * the front end's. */
#ifndef MOAT_ENGINE_CTR_LIST_H
#define MOAT_ENGINE_CTR_LIST_H

#include "ctr_rec.h"
#include "store.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctr_list_opts {
    bool all;       /* stopped ones too (else running, restarting, paused) */
    int64_t last;   /* > 0: the newest `last` only (of all, as Docker's -n) */
    char **filters; /* "KEY=VALUE", each must match: status, name, id,
                       ancestor, exited, label (KEY or KEY=VALUE), health */
};

/* Are these filters ps's, with values it knows? */
int ctr_filters_check(char **filters, merr_t *err);
/* Does container c match every filter (checked by ctr_filters_check)? */
bool ctr_filters_match(const struct ctr_rec *c, char **filters);
/* The records (as ctr_load's) of the containers to list, newest first,
 * each with its state refreshed; NULL and err on a bad filter. What a
 * killed create left is cleaned up first. */
json_t *ctr_list_records(struct store *s, const struct ctr_list_opts *o, merr_t *err);
/* Docker's State of a record's container: "created" until it ran */
const char *ctr_rec_state(const struct ctr_rec *c);
/* Docker's Status of a container: "Up 5 minutes", "Exited (0) 2 hours ago" */
void ctr_status_text(const struct ctr_rec *c, char *out, size_t n);

#endif

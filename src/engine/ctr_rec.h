/* ctr_rec.h: a container's record as typed fields.
 *
 * The record on disk (containers/ID/container.json) is Docker's inspect
 * shape, and stays the one truth; this is the view the engine's verbs
 * read instead of walking the JSON by key at every use. The strings and
 * objects point into the record, which the view holds until
 * ctr_rec_free. */
#ifndef MOAT_ENGINE_CTR_REC_H
#define MOAT_ENGINE_CTR_REC_H

#include "store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ctr_rec {
    json_t *json;          /* the record */
    const char *id, *name; /* name: "/NAME" as Docker has it */
    const char *image;     /* the image's id */
    const char *image_name;
    const char *created;
    uint64_t userns_base; /* 0: no user namespace of its own */
    int64_t restart_count;
    struct {
        const char *status; /* created, running, paused, restarting, exited, ... */
        bool running, paused;
        int64_t pid, exit_code;
        const char *started_at, *finished_at, *error;
        const char *health; /* starting, healthy, unhealthy; NULL without a check */
    } state;
    struct {
        bool tty, open_stdin, stdin_once;
        const char *stop_signal; /* NULL: SIGTERM */
        int64_t stop_timeout;    /* seconds (-1: wait for ever); INT64_MIN: not set */
        json_t *labels;
    } config;
    struct {
        bool auto_remove;
        const char *network_mode;
        json_t *restart_policy, *log_config;
        json_t *json; /* all of HostConfig */
    } host;
    json_t *mounts;
};

/* The view of the record j (a reference is taken). */
void ctr_rec_view(json_t *j, struct ctr_rec *r);
/* Load container id's record (refresh: brought in line with its monitor
 * first, ctr_refresh) and view it. */
int ctr_rec_load(struct store *s, const char *id, bool refresh, struct ctr_rec *r, merr_t *err);
void ctr_rec_free(struct ctr_rec *r);

#endif

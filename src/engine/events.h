/* events.h: the engine's event log (`moat events`, later GET /events).
 *
 *   events.log    one event a line, Docker's message as JSON:
 *                 {"status","id","from","Type","Action","Actor":{"ID",
 *                 "Attributes":{...}},"scope":"local","time","timeNano"}
 *   events.log.1  the older half: events.log is renamed to it once it
 *                 passes EVENTS_MAX_BYTES, so the two together stay
 *                 near twice that, keeping the newest
 *   events.lock   flock taken to rotate
 *
 * Each event is appended with one write(2) to an O_APPEND descriptor, so
 * concurrent writers never interleave. Emitting never fails the verb
 * that emits: a log that cannot be written is a warning. Readers treat
 * the log as untrusted: a damaged line is skipped. */
#ifndef MOAT_ENGINE_EVENTS_H
#define MOAT_ENGINE_EVENTS_H

#include "store.h"

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#define EVENTS_MAX_BYTES (512 * 1024)
/* a longer line is written without its attributes, and skipped by readers */
#define EVENTS_MAX_LINE (64 * 1024)

/* Append an event: type "container", "image", "volume"; action "start",
 * "health_status: healthy", ...; attrs (taken; may be NULL) are strings. */
void events_emit(struct store *s, const char *type, const char *action, const char *id,
                 json_t *attrs);
/* The same for an object that has an owner (its record's "Owner": the
 * API's restricted caller that made it; NULL: none), kept in the event's
 * "Owner" so that the API shows such a caller only its own objects'
 * events. events_emit finds a container's in its record. */
void events_emit_owned(struct store *s, const char *owner, const char *type, const char *action,
                       const char *id, json_t *attrs);
/* A container's event: name, image and its labels from its record (rec,
 * or loaded when NULL), plus extra (taken; may be NULL). */
void events_container(struct store *s, const char *id, json_t *rec, const char *action,
                      json_t *extra);
/* The attributes of a container's events from its record: name, image
 * and its labels */
json_t *events_ctr_attrs(json_t *rec);
/* An image's event: id is its id (or the name deleted), name its name
 * (may be NULL). */
void events_image(struct store *s, const char *id, const char *name, const char *action);

/* Filters as Docker's: key -> array of values. Keys: container, event,
 * image, label, type, volume. One key's values are alternatives; all
 * keys must match (label: every one). */
int events_filter_add(json_t *filters, const char *kv, merr_t *err);
/* One line of the log (without its newline) as an event; NULL when it is
 * not one. */
json_t *events_parse_line(const char *line, size_t len);
bool events_match(json_t *ev, json_t *filters);
/* Docker's text line: "TIME TYPE ACTION ID (k=v, ...)" */
char *events_text(json_t *ev);

struct events_query {
    int64_t since, until; /* ns since the epoch, when has_* */
    bool has_since, has_until;
    json_t *filters; /* may be NULL */
    /* the caller's flag (a signal handler's): stop following once set */
    volatile sig_atomic_t *stop;
};

/* Events in the log matching q, oldest first, to cb (which returns
 * nonzero to stop). With a since or until, the events already logged;
 * without an until (or one still to come), then the new ones as they are
 * logged, until it passes or *stop is set. */
int events_read(struct store *s, const struct events_query *q, int (*cb)(json_t *ev, void *ctx),
                void *ctx, merr_t *err);

#endif

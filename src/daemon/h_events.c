/* h_events.c: GET /events: the engine's event log as Docker's stream of
 * JSON messages (since, until, filters), followed until until passes or
 * the client goes away.
 *
 * A restricted caller is shown only the events of its own objects: those
 * the engine recorded with its owner when it emitted them (the event's
 * "Owner", taken from the object's record, see events.h). An event
 * without one (an admin's or the CLI's object, an image: images are
 * shared) is not shown to it. The owner is not looked up when the event
 * is read: a name used again (a volume's) would give one caller's past
 * events to the next. "Owner" itself is not sent. */
#include "api.h"
#include "../util/fs.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

/* Without an event for a while the front would not learn that the client
 * went away (it reads from the channel only to send): a newline then,
 * which Docker's clients' JSON decoders skip; when it cannot be written
 * the client is gone. */
#define HEARTBEAT_SECONDS 2

static volatile sig_atomic_t stop, writing;
static int chan_fd = -1;

static void on_alarm(int sig)
{
    (void)sig;
    if (writing)
        return;
    int e = errno;
    if (send(chan_fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
        errno != EWOULDBLOCK && errno != EINTR)
        stop = 1;
    errno = e;
}

static int send_event(json_t *ev, void *ctx)
{
    struct api_ctx *x = ctx;
    if (!x->who.admin) {
        const char *o = json_string_value(json_object_get(ev, "Owner"));
        if (!o || strcmp(o, x->who.owner) != 0)
            return stop;
    }
    json_object_del(ev, "Owner");
    cleanup_free char *text = json_dumps(ev, JSON_COMPACT);
    if (!text)
        return stop;
    writing = 1;
    int r = write_all(x->chan, text, strlen(text)) < 0 || write_all(x->chan, "\n", 1) < 0;
    writing = 0;
    if (r)
        stop = 1;
    return stop;
}

static int time_q(struct api_ctx *x, const char *key, int64_t now, int64_t *ns, bool *has)
{
    const char *s = api_q(x, key);
    *has = false;
    if (!s || !*s)
        return 0;
    if (timearg_parse(s, now, ns) < 0) {
        api_error(x, 400, "query parameter %s: failed to parse value as time or duration: \"%s\"",
                  key, s);
        return -1;
    }
    *has = true;
    return 0;
}

static int query_of(struct api_ctx *x, struct events_query *q)
{
    int64_t now = timearg_now();
    if (time_q(x, "since", now, &q->since, &q->has_since) < 0 ||
        time_q(x, "until", now, &q->until, &q->has_until) < 0)
        return -1;
    if (q->has_since && q->has_until && q->since > q->until) {
        api_error(x, 400, "query parameters since and until: since must not be after until");
        return -1;
    }
    char **filters = NULL;
    if (api_q_filters(x, &filters) < 0)
        return -1;
    q->filters = json_object();
    merr_t err = MERR_INIT;
    for (size_t i = 0; filters && filters[i]; i++)
        if (events_filter_add(q->filters, filters[i], &err) < 0) {
            api_error(x, 400, "query parameter filters: %s", err.msg);
            err_clear(&err);
            strv_free(filters);
            return -1;
        }
    strv_free(filters);
    return 0;
}

int h_events(struct api_ctx *x)
{
    struct events_query q = {0};
    if (query_of(x, &q) < 0) {
        json_decref(q.filters);
        return 0;
    }
    close_fd(&x->s->usefd); /* a long reader: not a user of tmp/ */
    signal(SIGPIPE, SIG_IGN);
    chan_fd = x->chan;
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval tv = {{HEARTBEAT_SECONDS, 0}, {HEARTBEAT_SECONDS, 0}};
    q.stop = &stop;
    if (api_head(x, 200, "application/json", -1) == 0) {
        setitimer(ITIMER_REAL, &tv, NULL);
        merr_t err = MERR_INIT;
        events_read(x->s, &q, send_event, x, &err);
        err_clear(&err); /* the header is out: the stream just ends */
        setitimer(ITIMER_REAL, &(struct itimerval){0}, NULL);
    }
    json_decref(q.filters);
    return 0;
}

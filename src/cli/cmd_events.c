/* cmd_events.c: events [--since T] [--until T] [--filter k=v]... [--format]. */
#include "cli.h"
#include "flags.h"
#include "tmpl.h"
#include "../engine/engine.h"
#include "../util/log.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

enum { F_FILTER = 1, F_FORMAT, F_SINCE, F_UNTIL };

const struct cmd_flags events_flags = {
    "events",
    "[OPTIONS]",
    "Get real time events from the server",
    (const struct flag[]){
        {"filter", 'f', "filter",
         "Filter output based on conditions provided (container, event, image, label, type, "
         "volume)",
         F_FILTER},
        {"format", 0, "string", "Format output using a custom template: 'json', or a Go template",
         F_FORMAT},
        {"since", 0, "string",
         "Show all events created since timestamp (RFC 3339, Unix seconds, or a duration "
         "before now: 10m)",
         F_SINCE},
        {"until", 0, "string", "Stream events until this timestamp", F_UNTIL},
        {0},
    },
    true,
    0,
    0};

struct ev_v {
    struct events_query q;
    const char *format;
    int64_t now;
};

static int on_events(struct flags_it *it, int f, void *ctx)
{
    struct ev_v *v = ctx;
    merr_t err = MERR_INIT;
    if (f == F_FILTER) {
        if (events_filter_add(v->q.filters, it->val, &err) < 0) {
            flags_error(it, "%s", err.msg);
            err_clear(&err);
            return -1;
        }
    } else if (f == F_FORMAT) {
        v->format = it->val;
    } else if (f == F_SINCE || f == F_UNTIL) {
        int64_t t;
        if (timearg_parse(it->val, v->now, &t) < 0)
            return flags_error(it, "--%s: failed to parse value as time or duration: \"%s\"",
                               f == F_SINCE ? "since" : "until", it->val);
        if (f == F_SINCE) {
            v->q.since = t;
            v->q.has_since = true;
        } else {
            v->q.until = t;
            v->q.has_until = true;
        }
    }
    return 0;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* one event as --format says (json: on one line), or Docker's text line */
static int print_event(json_t *ev, void *ctx)
{
    const char *format = ctx;
    char *out;
    if (!format) {
        out = events_text(ev);
    } else {
        merr_t err = MERR_INIT;
        out = tmpl_render(format, ev, &err);
        err_clear(&err); /* the template was checked before */
    }
    if (out) {
        printf("%s\n", out);
        fflush(stdout);
        free(out);
    }
    return ferror(stdout) ? 1 : 0; /* a closed pipe: the reader has gone */
}

int engine_events(const struct global *g, int argc, char **argv)
{
    struct ev_v v = {.now = timearg_now()};
    v.q.filters = json_object();
    struct flags_it it;
    flags_begin(&it, &events_flags, argc, argv);
    int r = flags_parse(&it, on_events, &v);
    if (r != FLAGS_DONE) {
        json_decref(v.q.filters);
        return r;
    }
    if (v.q.has_since && v.q.has_until && v.q.since > v.q.until) {
        log_error("events: --since must not be after --until");
        json_decref(v.q.filters);
        return EXIT_ENGINE;
    }
    if (v.format && strcmp(v.format, "json") == 0)
        v.format = "{{json .}}";
    if (v.format) { /* a bad template is an error before any event */
        merr_t err = MERR_INIT;
        json_t *probe = json_object();
        char *out = tmpl_render(v.format, probe, &err);
        json_decref(probe);
        free(out);
        if (err.msg) {
            log_error("template parsing error: %s", err.msg);
            err_clear(&err);
            json_decref(v.q.filters);
            return EXIT_ENGINE;
        }
    }
    struct store s;
    if (cli_store(g, &s) < 0) {
        json_decref(v.q.filters);
        return EXIT_ENGINE;
    }
    close_fd(&s.usefd); /* a long reader: not a user of tmp/ */
    /* Ctrl-C (or a TERM) ends the stream, with status 0 as Docker's */
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    v.q.stop = &interrupted;
    merr_t err = MERR_INIT;
    r = events_read(&s, &v.q, print_event, (void *)v.format, &err);
    store_close(&s);
    json_decref(v.q.filters);
    if (r < 0)
        return cli_fail(&err), EXIT_ENGINE;
    return 0;
}

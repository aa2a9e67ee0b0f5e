/* events.c: the engine's event log (see events.h). */
#include "events.h"
#include "filters.h"
#include "ctr.h"
#include "../util/log.h"
#include "../util/timearg.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOG_NAME "events.log"
#define OLD_NAME "events.log.1"
#define LOCK_NAME "events.lock"

/* events.log past its size: renamed to events.log.1 (under the lock, and
 * only if fd is still the file named events.log) */
static void rotate(struct store *s, int fd)
{
    struct stat st, cur;
    if (fstat(fd, &st) < 0 || st.st_size <= EVENTS_MAX_BYTES)
        return;
    cleanup_close int lk =
        openat(s->fd, LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lk < 0 || flock(lk, LOCK_EX) < 0)
        return;
    if (fstatat(s->fd, LOG_NAME, &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_ino == st.st_ino &&
        cur.st_dev == st.st_dev && renameat(s->fd, LOG_NAME, s->fd, OLD_NAME) < 0)
        log_warn("events: rotate %s/%s: %s", s->root, LOG_NAME, strerror(errno));
}

static void append(struct store *s, const char *line, size_t len)
{
    cleanup_close int fd =
        openat(s->fd, LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        log_warn("events: open %s/%s: %s", s->root, LOG_NAME, strerror(errno));
        return;
    }
    /* one write: O_APPEND writers never interleave within it */
    ssize_t n = write(fd, line, len);
    if (n != (ssize_t)len)
        log_warn("events: write %s/%s: %s", s->root, LOG_NAME,
                 n < 0 ? strerror(errno) : "short write");
    rotate(s, fd);
}

void events_emit(struct store *s, const char *type, const char *action, const char *id,
                 json_t *attrs)
{
    json_t *rec = NULL;
    if (strcmp(type, "container") == 0) { /* exec events: its owner from its record */
        merr_t e = MERR_INIT;
        rec = ctr_load(s, id, &e);
        err_clear(&e);
    }
    events_emit_owned(s, json_string_value(json_object_get(rec, "Owner")), type, action, id, attrs);
    json_decref(rec);
}

void events_emit_owned(struct store *s, const char *owner, const char *type, const char *action,
                       const char *id, json_t *attrs)
{
    if (!attrs)
        attrs = json_object();
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    json_int_t ns = (json_int_t)t.tv_sec * 1000000000 + t.tv_nsec;
    json_t *ev = json_object();
    bool legacy = strcmp(type, "container") == 0 || strcmp(type, "image") == 0;
    if (legacy) { /* the fields of API 1.21's messages, still sent */
        json_object_set_new(ev, "status", json_string(action));
        json_object_set_new(ev, "id", json_string(id));
        json_t *from = json_object_get(attrs, "image");
        if (strcmp(type, "container") == 0 && json_is_string(from))
            json_object_set(ev, "from", from);
    }
    json_object_set_new(ev, "Type", json_string(type));
    json_object_set_new(ev, "Action", json_string(action));
    json_object_set_new(ev, "Actor", json_pack("{s:s,s:o}", "ID", id, "Attributes", attrs));
    json_object_set_new(ev, "scope", json_string("local"));
    json_object_set_new(ev, "time", json_integer((json_int_t)t.tv_sec));
    json_object_set_new(ev, "timeNano", json_integer(ns));
    if (owner)
        json_object_set_new(ev, "Owner", json_string(owner));
    char *text = json_dumps(ev, JSON_COMPACT);
    if (text && strlen(text) >= EVENTS_MAX_LINE) { /* labels too long: without them */
        free(text);
        json_object_set_new(json_object_get(ev, "Actor"), "Attributes", json_object());
        text = json_dumps(ev, JSON_COMPACT);
    }
    json_decref(ev);
    if (!text)
        return;
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len] = '\n';
    text[len + 1] = 0;
    append(s, text, len + 1);
    free(text);
}

void events_container(struct store *s, const char *id, json_t *rec, const char *action,
                      json_t *extra)
{
    json_t *loaded = NULL;
    if (!rec) {
        merr_t e = MERR_INIT;
        rec = loaded = ctr_load(s, id, &e);
        err_clear(&e);
    }
    json_t *attrs = events_ctr_attrs(rec);
    if (extra)
        json_object_update(attrs, extra);
    json_decref(extra);
    events_emit_owned(s, json_string_value(json_object_get(rec, "Owner")), "container", action, id,
                      attrs);
    json_decref(loaded);
}

json_t *events_ctr_attrs(json_t *rec)
{
    json_t *attrs = json_object();
    json_t *cfg = json_object_get(rec, "Config");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(cfg, "Labels"), k, v)
    {
        if (json_is_string(v))
            json_object_set(attrs, k, v);
    }
    const char *image = json_string_value(json_object_get(cfg, "Image"));
    const char *name = json_string_value(json_object_get(rec, "Name"));
    if (image)
        json_object_set_new(attrs, "image", json_string(image));
    if (name)
        json_object_set_new(attrs, "name", json_string(name[0] == '/' ? name + 1 : name));
    return attrs;
}

void events_image(struct store *s, const char *id, const char *name, const char *action)
{
    json_t *attrs = json_object();
    if (name)
        json_object_set_new(attrs, "name", json_string(name));
    events_emit(s, "image", action, id, attrs);
}

/* --- reading ---------------------------------------------------------- */

static const char *const filter_keys[] = {"container", "event",  "image", "label",
                                          "type",      "volume", NULL};

int events_filter_add(json_t *filters, const char *kv, merr_t *err)
{
    return filters_add(filters, kv, filter_keys, err);
}

static bool is_str_object(json_t *o)
{
    const char *k;
    json_t *v;
    if (!json_is_object(o))
        return false;
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v))
            return false;
    }
    return true;
}

json_t *events_parse_line(const char *line, size_t len)
{
    if (len == 0 || len >= EVENTS_MAX_LINE)
        return NULL;
    json_t *ev = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *actor = json_object_get(ev, "Actor");
    if (!json_is_object(ev) || !json_is_string(json_object_get(ev, "Type")) ||
        !json_is_string(json_object_get(ev, "Action")) || !json_is_object(actor) ||
        !json_is_string(json_object_get(actor, "ID")) ||
        !is_str_object(json_object_get(actor, "Attributes")) ||
        !json_is_integer(json_object_get(ev, "timeNano")) ||
        !json_is_integer(json_object_get(ev, "time"))) {
        json_decref(ev);
        return NULL;
    }
    return ev;
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k)) ?: "";
}

/* no values for key, or one equal to v (prefix: or v starts with it) */
static bool match_any(json_t *filters, const char *key, const char *v, bool prefix)
{
    json_t *vals = json_object_get(filters, key);
    if (!json_array_size(vals))
        return true;
    if (!v)
        return false;
    size_t i;
    json_t *f;
    json_array_foreach(vals, i, f)
    {
        const char *want = json_string_value(f);
        if (strcmp(v, want) == 0 || (prefix && *want && strncmp(v, want, strlen(want)) == 0))
            return true;
    }
    return false;
}

/* "name:tag" without its tag ("host:5000/name" keeps its port) */
static char *strip_tag(const char *ref)
{
    if (strncmp(ref, "sha256:", 7) == 0) /* an id: no tag to strip */
        return xstrdup(ref);
    const char *at = strchr(ref, '@');
    if (at)
        return xstrndup(ref, (size_t)(at - ref));
    const char *colon = strrchr(ref, ':');
    if (colon && !strchr(colon, '/'))
        return xstrndup(ref, (size_t)(colon - ref));
    return xstrdup(ref);
}

static bool match_image(json_t *filters, json_t *ev, json_t *attrs)
{
    if (!json_array_size(json_object_get(filters, "image")))
        return true;
    const char *id = str(json_object_get(ev, "Actor"), "ID");
    const char *name = json_string_value(
        json_object_get(attrs, strcmp(str(ev, "Type"), "image") == 0 ? "name" : "image"));
    cleanup_free char *sid = strip_tag(id);
    cleanup_free char *sname = name ? strip_tag(name) : NULL;
    return match_any(filters, "image", id, false) || match_any(filters, "image", sid, false) ||
           (name && (match_any(filters, "image", name, false) ||
                     match_any(filters, "image", sname, false)));
}

bool events_match(json_t *ev, json_t *filters)
{
    if (!filters)
        return true;
    json_t *actor = json_object_get(ev, "Actor"), *attrs = json_object_get(actor, "Attributes");
    const char *type = str(ev, "Type"), *action = str(ev, "Action"), *id = str(actor, "ID");
    const char *name = json_string_value(json_object_get(attrs, "name"));
    /* "health_status: healthy" is matched by "health_status" too */
    const char *colon = strchr(action, ':');
    cleanup_free char *verb = colon ? xstrndup(action, (size_t)(colon - action)) : NULL;
    if (!match_any(filters, "event", action, false) &&
        !(verb && match_any(filters, "event", verb, false)))
        return false;
    if (!match_any(filters, "type", type, false))
        return false;
    bool ctr = strcmp(type, "container") == 0, vol = strcmp(type, "volume") == 0;
    if (!match_any(filters, "container", ctr ? id : NULL, true) &&
        !match_any(filters, "container", ctr ? name : NULL, true))
        return false;
    if (!match_any(filters, "volume", vol ? id : NULL, true) &&
        !match_any(filters, "volume", vol ? name : NULL, true))
        return false;
    return match_image(filters, ev, attrs) && filters_match_kv(filters, "label", attrs);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *events_text(json_t *ev)
{
    struct sbuf b = {0};
    json_int_t ns = json_integer_value(json_object_get(ev, "timeNano"));
    if (ns) {
        time_t sec = (time_t)(ns / 1000000000);
        long frac = (long)(ns % 1000000000);
        if (frac < 0) {
            frac += 1000000000;
            sec--;
        }
        struct tm tm;
        char when[64];
        if (gmtime_r(&sec, &tm) && strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm))
            sbuf_printf(&b, "%s.%09ldZ ", when, frac);
    }
    json_t *actor = json_object_get(ev, "Actor"), *attrs = json_object_get(actor, "Attributes");
    sbuf_printf(&b, "%s %s %s", str(ev, "Type"), str(ev, "Action"), str(actor, "ID"));
    if (json_object_size(attrs)) {
        /* Docker sorts them by key */
        size_t n = json_object_size(attrs), i = 0;
        const char **keys = xmalloc(n * sizeof(*keys));
        const char *k;
        json_t *v;
        json_object_foreach(attrs, k, v)
        {
            keys[i++] = k;
        }
        qsort(keys, n, sizeof(*keys), cmp_str);
        sbuf_puts(&b, " (");
        for (i = 0; i < n; i++)
            sbuf_printf(&b, "%s%s=%s", i ? ", " : "", keys[i], str(attrs, keys[i]));
        sbuf_puts(&b, ")");
        free(keys);
    }
    return sbuf_steal(&b);
}

struct reader {
    const struct events_query *q;
    int (*cb)(json_t *ev, void *ctx);
    void *ctx;
    struct sbuf part; /* a line not ended yet */
    bool skip;        /* in a line too long to be an event */
};

/* one complete line: 1 when the callback says stop */
static int one_line(struct reader *r, const char *line, size_t len)
{
    json_t *ev = events_parse_line(line, len);
    if (!ev)
        return 0; /* damaged: skipped */
    int64_t t = (int64_t)json_integer_value(json_object_get(ev, "timeNano"));
    int ret = 0;
    if ((!r->q->has_since || t >= r->q->since) && (!r->q->has_until || t <= r->q->until) &&
        events_match(ev, r->q->filters))
        ret = r->cb(ev, r->ctx) ? 1 : 0;
    json_decref(ev);
    return ret;
}

/* bytes read from the log: its complete lines; 1 when told to stop */
static int feed(struct reader *r, const char *buf, size_t n)
{
    while (n) {
        const char *nl = memchr(buf, '\n', n);
        size_t take = nl ? (size_t)(nl - buf) : n;
        if (!r->skip)
            sbuf_add(&r->part, buf, take);
        if (r->part.len >= EVENTS_MAX_LINE) { /* not an event: to its end */
            r->skip = true;
            r->part.len = 0;
        }
        buf += take;
        n -= take;
        if (!nl)
            break;
        buf++;
        n--;
        int stop = r->skip ? 0 : one_line(r, r->part.buf ? r->part.buf : "", r->part.len);
        r->skip = false;
        r->part.len = 0;
        if (stop)
            return 1;
    }
    return 0;
}

/* what fd has now; 1 when told to stop, 0 at its end */
static int drain(struct reader *r, int fd)
{
    char buf[16384];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        if (feed(r, buf, (size_t)n))
            return 1;
    }
}

static int open_log(struct store *s, const char *name)
{
    return openat(s->fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
}

/* Has the log been rotated (or made) since fd was opened? */
static bool log_replaced(struct store *s, int fd)
{
    struct stat cur, st;
    if (fstatat(s->fd, LOG_NAME, &cur, AT_SYMLINK_NOFOLLOW) < 0)
        return false;
    return fd < 0 || fstat(fd, &st) < 0 || st.st_ino != cur.st_ino || st.st_dev != cur.st_dev;
}

static bool following(const struct events_query *q)
{
    if (q->stop && *q->stop)
        return false;
    return !q->has_until || timearg_now() <= q->until;
}

/* new events as they are logged, from fd (the log, or -1: none yet) */
static int follow(struct store *s, struct reader *r, int fd)
{
    while (following(r->q)) {
        if (fd >= 0 && drain(r, fd))
            break;
        if (log_replaced(s, fd)) {
            /* the last lines written to the old one, then the new one */
            if (fd >= 0 && drain(r, fd))
                break;
            close_fd(&fd);
            fd = open_log(s, LOG_NAME);
            r->part.len = 0;
            r->skip = false;
            continue;
        }
        poll(NULL, 0, 100);
    }
    close_fd(&fd);
    return 0;
}

int events_read(struct store *s, const struct events_query *q, int (*cb)(json_t *ev, void *ctx),
                void *ctx, merr_t *err)
{
    (void)err;
    struct reader r = {.q = q, .cb = cb, .ctx = ctx};
    bool past = q->has_since || q->has_until;
    int oldfd = -1, fd;
    {
        /* both at once: no rotation in between */
        cleanup_close int lk =
            openat(s->fd, LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lk >= 0)
            flock(lk, LOCK_SH);
        if (past)
            oldfd = open_log(s, OLD_NAME);
        fd = open_log(s, LOG_NAME);
    }
    int stop = 0;
    if (oldfd >= 0) {
        stop = drain(&r, oldfd);
        close(oldfd);
        r.part.len = 0; /* an unended line is damaged */
        r.skip = false;
    }
    if (!stop && fd >= 0) {
        if (past)
            stop = drain(&r, fd);
        else
            lseek(fd, 0, SEEK_END);
    }
    if (!stop)
        follow(s, &r, fd);
    else
        close_fd(&fd);
    free(r.part.buf);
    return 0;
}

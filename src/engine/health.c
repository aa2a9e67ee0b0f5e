/* health.c: the health checks a monitor runs (see health.h). */
#include "health.h"
#include "ctr.h"
#include "ctr_exec.h"
#include "events.h"
#include "../oci/healthcfg.h"
#include "../util/duration.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct health {
    struct store *s;
    char *id;
    struct health_cfg cfg;
    int64_t started; /* monotonic ns: the container's start */
    int64_t next;    /* when the next check is due */
    /* the running check: its child (leader of its process group) */
    pid_t pid;
    int out;
    int64_t begun, deadline;
    char *begun_at; /* RFC 3339 */
    bool timed_out, truncated;
    struct sbuf buf; /* at most HEALTH_MAX_OUTPUT bytes */
    json_t *state;   /* State.Health */
};

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    return b > INT64_MAX - a ? INT64_MAX : a + b;
}

/* State.Health into the record, under its lock (rename writes it too) */
static void save(struct health *h)
{
    merr_t e = MERR_INIT;
    cleanup_close_held int rl = ctr_record_lock(h->s, h->id);
    json_t *r = ctr_load(h->s, h->id, &e);
    if (r) {
        json_t *st = json_object_get(r, "State");
        if (json_is_object(st)) {
            json_object_set_new(st, "Health", json_deep_copy(h->state));
            ctr_save(h->s, h->id, r, &e);
        }
        json_decref(r);
    }
    err_clear(&e);
}

/* the record's earlier log, kept across starts as Docker keeps it */
static json_t *old_log(json_t *rec)
{
    json_t *log = json_object_get(json_object_get(json_object_get(rec, "State"), "Health"), "Log");
    json_t *keep = json_array();
    size_t n = json_array_size(log);
    for (size_t i = n > HEALTH_MAX_LOG ? n - HEALTH_MAX_LOG : 0; i < n; i++)
        if (json_is_object(json_array_get(log, i)))
            json_array_append(keep, json_array_get(log, i));
    return keep;
}

struct health *health_new(struct store *s, const char *id, json_t *rec)
{
    struct health_cfg cfg;
    merr_t e = MERR_INIT;
    json_t *j = json_object_get(json_object_get(rec, "Config"), "Healthcheck");
    if (health_cfg_from_json(j, "Config.Healthcheck", &cfg, &e) < 0 ||
        health_cfg_check(&cfg, &e) < 0 || !health_cfg_enabled(&cfg)) {
        err_clear(&e);
        health_cfg_free(&cfg);
        return NULL;
    }
    struct health *h = xzalloc(sizeof(*h));
    h->s = s;
    h->id = xstrdup(id);
    h->cfg = cfg;
    h->pid = -1;
    h->out = -1;
    h->state =
        json_pack("{s:s,s:i,s:o}", "Status", "starting", "FailingStreak", 0, "Log", old_log(rec));
    return h;
}

static const char *status(const struct health *h)
{
    return json_string_value(json_object_get(h->state, "Status")) ?: "starting";
}

/* Docker's: the start interval while in the start period and starting */
static int64_t interval(const struct health *h, int64_t now)
{
    if (now - h->started < h->cfg.start_period && strcmp(status(h), "starting") == 0)
        return health_cfg_start_interval(&h->cfg);
    return health_cfg_interval(&h->cfg);
}

void health_start(struct health *h)
{
    if (!h)
        return;
    h->started = now_ns();
    json_object_set_new(h->state, "Status", json_string("starting"));
    json_object_set_new(h->state, "FailingStreak", json_integer(0));
    h->next = add_sat(h->started, interval(h, h->started));
    save(h);
}

int health_fd(const struct health *h)
{
    return h ? h->out : -1;
}

int health_poll_ms(const struct health *h)
{
    if (!h)
        return -1;
    if (h->pid > 0 && h->timed_out)
        return -1; /* killed: its reaping comes as SIGCHLD */
    int64_t left = (h->pid > 0 ? h->deadline : h->next) - now_ns();
    if (left <= 0)
        return 0;
    int64_t ms = left / 1000000 + 1;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* every descriptor of the monitor but the store's goes (all are
 * close-on-exec, but the check's child runs moat code for a while) */
static void close_all_but(int keep)
{
    if (keep > 3)
        syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U);
    syscall(SYS_close_range, (unsigned)(keep >= 3 ? keep + 1 : 3), ~0U, 0U);
}

/* the check's child: the check as `moat exec` runs it, its output to
 * pipe w; exits with its status */
static void check_main(struct health *h, int w)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    prctl(PR_SET_NAME, "moat-health", 0, 0, 0);
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(w, 1) < 0 || dup2(w, 2) < 0)
        _exit(125);
    close_all_but(h->s->fd);
    h->s->lockfd = h->s->idsfd = h->s->usefd = h->s->journalfd = -1;
    char **t = h->cfg.test;
    char **args = NULL;
    if (strcmp(t[0], "CMD-SHELL") == 0) {
        strv_push(&args, "/bin/sh");
        strv_push(&args, "-c");
    }
    for (size_t i = 1; t[i]; i++)
        strv_push(&args, t[i]);
    struct ctr_exec_opts o = {.args = args};
    int code;
    merr_t err = MERR_INIT;
    if (ctr_exec_id(h->s, h->id, &o, &code, &err) < 0 && err.msg) {
        (void)write_all(1, err.msg, strlen(err.msg));
        (void)write_all(1, "\n", 1);
    }
    _exit(code & 0xff);
}

static void begin(struct health *h, int64_t now)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        h->next = add_sat(now, interval(h, now));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        check_main(h, p[1]);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        h->next = add_sat(now, interval(h, now));
        return;
    }
    setpgid(pid, pid); /* as the child does: whichever comes first */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    h->pid = pid;
    h->out = p[0];
    h->begun = now;
    h->deadline = add_sat(now, health_cfg_timeout(&h->cfg));
    h->timed_out = h->truncated = false;
    h->buf.len = 0;
    free(h->begun_at);
    h->begun_at = ctr_now();
}

/* what the check wrote: the first HEALTH_MAX_OUTPUT bytes kept, the rest
 * read and dropped (a check that prints gigabytes costs time, never
 * memory); at most `rounds` reads */
static void take_output(struct health *h, int rounds)
{
    char b[16384];
    while (h->out >= 0 && rounds-- > 0) {
        ssize_t n = read(h->out, b, sizeof(b));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close_fd(&h->out);
            return;
        }
        size_t room = HEALTH_MAX_OUTPUT - h->buf.len, keep = (size_t)n < room ? (size_t)n : room;
        if (keep)
            sbuf_add(&h->buf, b, keep);
        if (keep < (size_t)n)
            h->truncated = true;
    }
}

void health_tick(struct health *h, bool readable)
{
    if (!h)
        return;
    if (readable)
        take_output(h, 1);
    int64_t now = now_ns();
    if (h->pid > 0 && !h->timed_out && now >= h->deadline) {
        /* the child and the check with it: its process group */
        kill(-h->pid, SIGKILL);
        h->timed_out = true;
    } else if (h->pid < 0 && now >= h->next) {
        begin(h, now);
    }
}

/* one UTF-8 sequence at s (n bytes left): its length, 0 if invalid */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xC2 && s[0] <= 0xDF   ? 2
                 : (s[0] & 0xF0) == 0xE0        ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, a surrogate, past U+10FFFF */
    return len;
}

/* bytes as a JSON string, what is not UTF-8 as U+FFFD (as Go's JSON);
 * NUL too, which the record may not hold (ctr_load refuses it) */
static json_t *json_text(const char *s, size_t n)
{
    struct sbuf b = {0};
    sbuf_add(&b, "", 0);
    for (size_t i = 0; i < n;) {
        size_t l = s[i] ? utf8_seq((const unsigned char *)s + i, n - i) : 0;
        if (l) {
            sbuf_add(&b, s + i, l);
            i += l;
        } else {
            sbuf_add(&b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    json_t *j = json_stringn(b.buf ? b.buf : "", b.len);
    free(b.buf);
    return j ? j : json_string("");
}

/* Docker's handleProbeResult */
static void judge(struct health *h, int code)
{
    if (code == 0) {
        json_object_set_new(h->state, "FailingStreak", json_integer(0));
        json_object_set_new(h->state, "Status", json_string("healthy"));
        return;
    }
    /* while it starts, a failure in the start period does not count */
    if (strcmp(status(h), "starting") == 0 && h->begun - h->started < h->cfg.start_period)
        return;
    json_int_t streak = json_integer_value(json_object_get(h->state, "FailingStreak")) + 1;
    json_object_set_new(h->state, "FailingStreak", json_integer(streak));
    if (streak >= health_cfg_retries(&h->cfg))
        json_object_set_new(h->state, "Status", json_string("unhealthy"));
}

static void result(struct health *h, int st)
{
    take_output(h, 64); /* what is left in the pipe: its writers are gone */
    close_fd(&h->out);
    cleanup_free char *end = ctr_now();
    struct sbuf out = {0};
    int code;
    if (h->timed_out) {
        char d[32];
        duration_format(health_cfg_timeout(&h->cfg), d, sizeof(d));
        sbuf_printf(&out, "Health check exceeded timeout (%s)%s", d, h->buf.len ? ": " : "");
        code = -1;
    } else {
        code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    sbuf_add(&out, h->buf.buf ? h->buf.buf : "", h->buf.len);
    if (h->truncated)
        sbuf_puts(&out, "...");
    json_t *entry = json_pack("{s:s,s:s,s:i,s:o}", "Start", h->begun_at ? h->begun_at : end, "End",
                              end, "ExitCode", code, "Output", json_text(out.buf, out.len));
    free(out.buf);
    json_t *log = json_object_get(h->state, "Log");
    if (entry)
        json_array_append_new(log, entry);
    while (json_array_size(log) > HEALTH_MAX_LOG)
        json_array_remove(log, 0);
    cleanup_free char *was = xstrdup(status(h));
    judge(h, code);
    save(h);
    if (strcmp(was, status(h)) != 0) { /* Docker's event: on a change */
        cleanup_free char *action = xasprintf("health_status: %s", status(h));
        events_container(h->s, h->id, NULL, action, NULL);
    }
    int64_t now = now_ns();
    h->next = add_sat(now, interval(h, now));
}

bool health_reaped(struct health *h, pid_t pid, int st)
{
    if (!h || h->pid <= 0 || pid != h->pid)
        return false;
    h->pid = -1;
    result(h, st);
    return true;
}

void health_stop(struct health *h)
{
    if (!h)
        return;
    if (h->pid > 0) {
        kill(-h->pid, SIGKILL);
        while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        h->pid = -1;
    }
    close_fd(&h->out);
    /* Docker: unhealthy once the monitor of a container has stopped */
    json_object_set_new(h->state, "Status", json_string("unhealthy"));
    save(h);
}

void health_free(struct health *h)
{
    if (!h)
        return;
    if (h->pid > 0) {
        kill(-h->pid, SIGKILL);
        while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    close_fd(&h->out);
    health_cfg_free(&h->cfg);
    free(h->buf.buf);
    free(h->begun_at);
    json_decref(h->state);
    free(h->id);
    free(h);
}

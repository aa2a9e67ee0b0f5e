/* ctr_verbs.c: the container verbs (see ctr_verbs.h). */
#include "ctr_verbs.h"
#include "attach_fd.h"
#include "ctr_ns.h"
#include "ctr_net.h"
#include "ctr_rec.h"
#include "ctr_ns.h"
#include "ctr_res.h"
#include "ctr.h"
#include "ctr_state.h"
#include "events.h"
#include "restart.h"
#include "monitor.h"
#include "pull.h"
#include "../oci/ref.h"
#include "rwlayer.h"
#include "store.h"
#include "volume.h"
#include "../runtime/runtime.h"
#include "../util/log.h"
#include "../util/signame.h"
#include "../util/util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

static char *new_id(void)
{
    return volume_random_name();
}

/* Create the record and directories of a new container; its id in id. */
static int ctr_rm_record(struct store *s, const char *id, bool force, bool running, merr_t *err);

int ctr_create(struct store *s, struct run_opts *o, char id[65], merr_t *err)
{
    bool userns = !o->userns_host && !o->privileged;
    if (ctr_res_check(o->hc, userns, o->cpus > 0, err) < 0 ||
        ctr_ns_check(o->hc, userns, o->hostname != NULL, err) < 0 || ctr_net_check(o, err) < 0)
        return -1;
    /* its init will be in the host's pid namespace, as host root: this
     * process must run from a read-only view of moat before it makes
     * anything (a re-exec runs the command again) */
    if (ctr_ns_needs_seal(o->hc, userns) && seal_protect_now(err) < 0)
        return -1;
    struct rwl_plan lp;
    if (rwl_plan(s, o->storage_size, &lp, err) < 0)
        return -1;
    char img_id[72];
    bool always = o->pull && strcmp(o->pull, "always") == 0;
    if (o->pull && !always && strcmp(o->pull, "missing") != 0 && strcmp(o->pull, "never") != 0) {
        rwl_plan_free(&lp);
        return err_set(err, 0, "--pull \"%s\": missing, always or never", o->pull);
    }
    if (always || store_image_find(s, o->image, img_id, err) < 0) {
        if (o->pull && strcmp(o->pull, "never") == 0) {
            rwl_plan_free(&lp);
            return err_wrap(err, "--pull never");
        }
        /* not in the store: pull it, as Docker does */
        merr_t e2 = MERR_INIT;
        struct ref r;
        if (ref_parse(o->image, &r, &e2) < 0) {
            if (!err->msg)
                err_set(err, 0, "%s", e2.msg);
            err_clear(&e2);
            rwl_plan_free(&lp);
            return -1;
        }
        ref_free(&r);
        err_clear(err);
        if (!always && !o->quiet)
            fprintf(stderr, "Unable to find image '%s' locally\n", o->image);
        struct pull_opts po = {.out_fd = 2, .quiet = o->quiet};
        if (image_pull(s, o->image, &po, img_id, err) < 0) {
            rwl_plan_free(&lp);
            return -1;
        }
    }
    struct image img;
    if (store_image_load(s, img_id, &img, err) < 0) {
        rwl_plan_free(&lp);
        return -1;
    }
    cleanup_free char *nid = new_id();
    snprintf(id, 65, "%s", nid);
    json_t *layers = json_array();
    for (size_t i = 0; i < img.nlayers; i++)
        json_array_append_new(layers, json_string(img.diff_ids[i]));
    int ret = -1;
    cleanup_free char *name = NULL;
    if (store_lock(s, err) < 0)
        goto out;
    ctr_clean_partial(s);
    char other[65];
    /* by name only: a name may be the start of another container's id */
    if (o->name && ctr_first(s, ctr_named, o->name, other, sizeof(other))) {
        err_set(err, 0, "the name \"%s\" is in use by container %.12s; remove or rename it",
                o->name, other);
        goto unlock;
    }
    err_clear(err);
    name = o->name ? xstrdup(o->name) : ctr_make_name(s);
    uint64_t base = 0;
    bool joined = false;
    if (o->hc && ctr_ns_join(s, o->hc, userns, &joined, &base, err) < 0)
        goto unlock;
    if (!joined && userns && ctr_alloc_userns(s, &base, err) < 0)
        goto unlock;
    json_t *rec = ctr_record(s, o, id, name, img_id, img.config, layers, base, err);
    if (!rec)
        goto unlock;
    if (ctr_net_record(s, rec, img.config, o, err) < 0) {
        json_decref(rec);
        goto unlock;
    }
    ret = ctr_make(s, id, rec, &lp, err);
    if (ret < 0)
        ctr_net_release(s, rec);
    json_decref(rec);
unlock:
    store_unlock(s);
out:
    if (ret == 0 && lp.warning)
        log_warn("%s", lp.warning);
    if (ret == 0)
        events_container(s, id, NULL, "create", NULL);
    rwl_plan_free(&lp);
    json_decref(layers);
    image_free(&img);
    return ret;
}

static volatile sig_atomic_t wait_expired;

static void on_wait_alarm(int sig)
{
    (void)sig;
    wait_expired = 1;
}

/* wait up to `secs` (negative: for ever) for the monitor to finish: it
 * holds its lock until then, so block on the lock, with SIGALRM (no
 * SA_RESTART) to end the wait at the deadline */
bool ctr_wait_monitor(struct store *s, const char *id, int secs)
{
    cleanup_close int fd = ctr_lock_open(s, id, false);
    if (fd < 0 || flock(fd, LOCK_SH | LOCK_NB) == 0)
        return true;
    if (secs == 0)
        return false;
    struct sigaction sa = {.sa_handler = on_wait_alarm}, old;
    sigemptyset(&sa.sa_mask);
    struct itimerval it = {.it_value = {.tv_sec = secs}}, off = {0};
    sigset_t alrm, oldmask;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    wait_expired = 0;
    if (secs > 0) {
        sigaction(SIGALRM, &sa, &old);
        sigprocmask(SIG_UNBLOCK, &alrm, &oldmask);
        setitimer(ITIMER_REAL, &it, NULL);
    }
    int r;
    while ((r = flock(fd, LOCK_SH)) < 0 && errno == EINTR && !wait_expired)
        ;
    if (secs > 0) {
        setitimer(ITIMER_REAL, &off, NULL);
        sigprocmask(SIG_SETMASK, &oldmask, NULL);
        sigaction(SIGALRM, &old, NULL);
    }
    return r == 0;
}

int ctr_start_attach(struct store *s, const char *id, const struct attach_opts *ao, bool rm,
                     int *code, merr_t *err)
{
    int status = -1;
    if (ao) /* Docker's order: attach, then start */
        events_container(s, id, NULL, "attach", NULL);
    /* the attaches waiting for the start (attach_fd.h) get the output
     * from its first byte */
    struct attach_pending pend;
    attach_pending_take(s, id, &pend);
    int spawned = monitor_spawn(s, id, ao != NULL, pend.h, pend.n, &status, err);
    attach_pending_done(&pend, spawned == 0);
    if (spawned < 0)
        return -1;
    if (!ao)
        return 0;
    int sock = monitor_connect(s, id, err);
    if (sock >= 0 && ao->tty)
        monitor_send_winsize(sock);
    if (monitor_started(status, err) < 0) {
        if (sock >= 0)
            close(sock);
        return -1;
    }
    if (sock < 0)
        return -1;
    int r = attach_relay(s, id, sock, ao, code, err);
    close(sock);
    /* --rm: the monitor removes the container after it reports the exit
     * code; like docker run --rm, return only when it is gone (a lock
     * file already renamed away counts as gone) */
    if (r == ATTACH_EXITED && rm)
        ctr_wait_monitor(s, id, -1);
    return r;
}

/* ao with the stdin and terminal of the record r */
static struct attach_opts *attach_as(const struct ctr_rec *r, const struct attach_opts *ao,
                                     struct attach_opts *buf)
{
    if (!ao)
        return NULL;
    *buf = *ao;
    buf->tty = r->config.tty;
    buf->in = ao->in && r->config.open_stdin;
    return buf;
}

int ctr_attach(struct store *s, const char *id, const struct attach_opts *ao, int *code,
               merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    struct attach_opts a;
    attach_as(&r, ao, &a);
    bool running = r.state.running, paused = r.state.paused;
    ctr_rec_free(&r);
    if (!running)
        return err_set(err, 0, "you cannot attach to a stopped container, start it first");
    if (paused)
        return err_set(err, 0, "you cannot attach to a paused container, unpause it first");
    int sock = monitor_connect(s, id, err);
    if (sock < 0)
        return -1;
    if (a.tty)
        monitor_send_winsize(sock);
    events_container(s, id, NULL, "attach", NULL);
    int ret = attach_relay(s, id, sock, &a, code, err);
    close(sock);
    return ret;
}

int ctr_start(struct store *s, const char *id, const struct attach_opts *ao, int *code, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running, rm = r.host.auto_remove;
    struct attach_opts a;
    const struct attach_opts *as = attach_as(&r, ao, &a);
    bool seal = ctr_ns_needs_seal(r.host.json, r.userns_base > 0);
    ctr_rec_free(&r);
    if (seal && seal_protect_now(err) < 0)
        return -1;
    if (running)
        return 0;
    restart_mark_manual(s, id, false); /* its restart policy holds again */
    return ctr_start_attach(s, id, as, rm, code, err);
}

int ctr_signal(struct store *s, const char *id, int sig, merr_t *err)
{
    int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return -1;
    int r = op_kill(rootfd, id, sig, false, err);
    close(rootfd);
    return r;
}

/* Docker's kill event: the signal as its number */
static void kill_event(struct store *s, const char *id, int sig)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", sig);
    events_container(s, id, NULL, "kill", json_pack("{s:s}", "signal", num));
}

int ctr_stop(struct store *s, const char *id, int secs, int sig, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running;
    if (secs == CTR_STOP_DEFAULT) /* the container's own, or Docker's 10 */
        secs = r.config.stop_timeout != INT64_MIN ? (int)r.config.stop_timeout : 10;
    if (!sig)
        sig = signal_parse(r.config.stop_signal ?: "TERM");
    ctr_rec_free(&r);
    restart_mark_manual(s, id, true); /* not brought back by its policy */
    if (running) {
        merr_t e = MERR_INIT;
        sig = sig ? sig : SIGTERM;
        if (ctr_signal(s, id, sig, &e) == 0)
            kill_event(s, id, sig);
        err_clear(&e);
        ctr_thaw(s, id); /* a paused one gets it now, as in Docker */
        if (!ctr_wait_monitor(s, id, secs)) {
            if (ctr_signal(s, id, SIGKILL, &e) == 0)
                kill_event(s, id, SIGKILL);
            err_clear(&e);
            ctr_wait_monitor(s, id, -1);
        }
        events_container(s, id, NULL, "stop", NULL);
    } else if (ctr_monitor_alive(s, id)) {
        /* waiting to restart it, or starting it: it sees the mark and
         * goes (a start in progress ends in a SIGKILL) */
        ctr_wait_monitor(s, id, secs < 0 ? -1 : secs + 10);
    }
    return 0;
}

int ctr_rm(struct store *s, const char *id, bool force, bool volumes, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running;
    json_t *mounts = json_incref(r.mounts);
    ctr_rec_free(&r);
    int ret = ctr_rm_record(s, id, force, running, err);
    if (ret == 0 && volumes)
        volume_remove_anonymous(s, mounts);
    json_decref(mounts);
    return ret;
}

static int ctr_rm_record(struct store *s, const char *id, bool force, bool running, merr_t *err)
{
    if (running && !force)
        return err_set(err, 0, "container %.12s is running: stop it first, or use rm --force", id);
    if (running)
        restart_mark_manual(s, id, true); /* not brought back meanwhile */
    if (running) {
        merr_t e = MERR_INIT;
        ctr_signal(s, id, SIGKILL, &e);
        err_clear(&e);
        ctr_wait_monitor(s, id, -1);
    }
    if (ctr_monitor_alive(s, id)) {
        /* a monitor still starting the container (or stuck at it, or
         * finishing): --force stops it, and the removal cleans up */
        bool killed = force && ctr_monitor_kill(s, id) == 0;
        if (!killed && ctr_monitor_alive(s, id))
            return err_set(err, 0, "container %.12s is starting; try again", id);
        ctr_wait_monitor(s, id, -1);
    }
    return ctr_remove(s, id, err);
}

int ctr_wait(struct store *s, const char *id, int64_t *code, merr_t *err)
{
    struct ctr_rec r;
    /* a container that has not run yet: wait for it to run and end, as
     * Docker does */
    for (;;) {
        ctr_wait_monitor(s, id, -1);
        if (ctr_rec_load(s, id, true, &r, err) < 0)
            return -1;
        if (strcmp(r.state.status, "created") != 0)
            break;
        ctr_rec_free(&r);
        poll(NULL, 0, 100);
    }
    *code = r.state.exit_code;
    ctr_rec_free(&r);
    return 0;
}

int ctr_kill(struct store *s, const char *id, int sig, merr_t *err)
{
    struct ctr_rec r;
    if (ctr_rec_load(s, id, true, &r, err) < 0)
        return -1;
    bool running = r.state.running;
    int stopsig = signal_parse(r.config.stop_signal ?: "TERM");
    ctr_rec_free(&r);
    if (!running)
        return err_set(err, 0, "container %.12s is not running", id);
    /* a signal that ends it holds its restart policy off, as a stop does;
     * HUP, USR1 and the like do not */
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGQUIT)
        restart_mark_manual(s, id, true);
    if (ctr_signal(s, id, sig, err) < 0)
        return -1;
    kill_event(s, id, sig);
    /* its stop signal (KILL: the runtime) thaws a paused one, as Docker */
    if (sig == stopsig)
        ctr_thaw(s, id);
    return 0;
}

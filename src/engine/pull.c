/* pull.c: registry pulls and logins through moat-fetch (see pull.h). */
#include "pull.h"
#include "fetch_run.h"
#include "imgio.h"
#include "events.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool pull_insecure_default(const char *host)
{
    static const char *const local[] = {"localhost", "127.", "[::1]", "::1"};
    for (size_t i = 0; i < ARRAY_SIZE(local); i++) {
        size_t n = strlen(local[i]);
        if (strncmp(host, local[i], n) == 0 &&
            (local[i][n - 1] == '.' || host[n] == 0 || host[n] == ':'))
            return true;
    }
    return false;
}

static char *b64(const char *in)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in);
    struct sbuf b = {0};
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)in[i + 2];
        char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=',
                     i + 2 < n ? t[v & 63] : '='};
        sbuf_add(&b, q, 4);
    }
    return b.buf ? sbuf_steal(&b) : xstrdup("");
}

static json_t *auth_load(struct store *s)
{
    json_t *j = store_json_object(s, "auth.json");
    if (!json_is_object(json_object_get(j, "auths")))
        json_object_set_new(j, "auths", json_object());
    return j;
}

/* /etc/moat/certs.d/REGISTRY/ca.crt (Docker's certs.d), copied into the
 * helper's directory; true if there is one */
static bool registry_ca(const char *registry, int tfd)
{
    if (strchr(registry, '/') || registry[0] == '.')
        return false;
    cleanup_free char *p = xasprintf("%s/%s/ca.crt", PULL_CERTS_DIR, registry);
    cleanup_free char *pem = NULL;
    size_t len = 0;
    if (read_file_at(AT_FDCWD, p, &pem, &len, NULL) < 0)
        return false;
    merr_t e = MERR_INIT;
    if (atomic_write_at(tfd, "ca.crt", pem, len, 0644, &e) < 0) {
        err_clear(&e);
        return false;
    }
    return true;
}

/* A fresh directory in the store's staging area for the helper: root's,
 * 0711 (it may open what it is told to, not list it), opened into *dfd;
 * with `layout`, a directory of the helper's own in it. Its name into *rel. */
static int helper_dir(struct store *s, bool layout, char **rel, int *dfd, merr_t *err)
{
    uid_t uid;
    gid_t gid;
    *dfd = -1;
    if (fetch_user(&uid, &gid, err) < 0 || store_tmpdir(s, rel, err) < 0)
        return -1;
    *dfd = openat(s->fd, *rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (*dfd < 0 || fchmod(*dfd, 0711) < 0 ||
        (layout && (mkdirat(*dfd, "layout", 0700) < 0 ||
                    fchownat(*dfd, "layout", uid, gid, AT_SYMLINK_NOFOLLOW) < 0))) {
        err_sys(err, "store: %s", *rel);
        close_fd(dfd);
        rm_rf_at(s->fd, *rel);
        return -1;
    }
    return 0;
}

static char *keep_blob(const char *name, void *ctx)
{
    (void)ctx;
    return strlen(name) == 64 ? xasprintf("sha256:%s", name) : NULL;
}

/* the digests of the store's blobs, a line each */
static char *have_list(struct store *s)
{
    char **v = dir_collect(s->fd, "blobs/sha256", keep_blob, NULL);
    struct sbuf b = {0};
    for (size_t i = 0; v[i]; i++)
        sbuf_printf(&b, "%s\n", v[i]);
    strv_free(v);
    return b.buf ? sbuf_steal(&b) : xstrdup("");
}

/* the image id: the config of the manifest the helper fetched */
/* the credentials for registry only, as the helper reads them (or NULL) */
static char *auth_for(struct store *s, const char *registry)
{
    json_t *auth = auth_load(s);
    json_t *entry = json_object_get(json_object_get(auth, "auths"), registry);
    json_t *mine = entry ? json_pack("{s:{s:O}}", "auths", registry, entry) : NULL;
    char *text = mine ? json_dumps(mine, JSON_COMPACT) : NULL;
    json_decref(mine);
    json_decref(auth);
    return text;
}

static void push_size(char ***args, const char *flag, uint64_t v)
{
    if (v == UINT64_MAX)
        return;
    cleanup_free char *n = xasprintf("%llu", (unsigned long long)v);
    strv_push(args, flag);
    strv_push(args, n);
}

int image_pull(struct store *s, const char *name, const struct pull_opts *o, char id[72],
               merr_t *err)
{
    struct ref r;
    struct fetch_limits lim;
    if (fetch_limits(&lim, err) < 0 || ref_parse(name, &r, err) < 0)
        return -1;
    cleanup_free char *full = ref_string(&r);
    /* by digest when one is given (a tag beside it is only a label) */
    cleanup_free char *fetch_ref =
        r.digest ? xasprintf("%s/%s@%s", r.registry, r.path, r.digest) : xstrdup(full);
    cleanup_free char *rel = NULL;
    cleanup_close int tfd = -1;
    cleanup_close int lfd = -1;
    cleanup_free char *authtext = o->no_auth ? NULL : auth_for(s, r.registry);
    cleanup_free char *have = have_list(s);
    char **args = NULL;
    int ret = -1;
    if (helper_dir(s, true, &rel, &tfd, err) < 0 ||
        atomic_write_at(tfd, "have", have, strlen(have), 0644, err) < 0)
        goto out;
    if (o->tls_verify_off || pull_insecure_default(r.registry))
        strv_push(&args, "--insecure");
    if (registry_ca(r.registry, tfd)) {
        strv_push(&args, "--ca");
        strv_push(&args, "ca.crt");
    }
    if (authtext) {
        strv_push(&args, "--auth-fd");
        strv_push(&args, "3");
    }
    push_size(&args, "--max-blob", lim.max_blob);
    push_size(&args, "--max-total", lim.max_total);
    strv_push(&args, "--have");
    strv_push(&args, "have");
    strv_push(&args, fetch_ref);
    strv_push(&args, "layout");
    struct fetch_run fr = {.dirfd = tfd,
                           .args = args,
                           .secret = authtext,
                           .out_fd = o->quiet ? -1 : o->out_fd,
                           .max_blob = lim.max_blob};
    if (fetch_run(&fr, err) < 0)
        goto out;
    lfd = openat(tfd, "layout", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (lfd < 0) {
        err_sys(err, "pull: the helper left no layout");
        goto out;
    }
    /* the names are ours, not the helper's: it parses what the network
     * sent; a pull by digest records the digest reference only */
    ret = image_load_pulled(s, lfd, r.digest ? NULL : full, &r, id, err);
    if (ret == 0) { /* Docker's event: the reference pulled, its name */
        cleanup_free char *fam = ref_familiar(fetch_ref);
        cleanup_free char *repo = ref_repo(fam);
        events_image(s, fam, repo, "pull");
    }
out:
    strv_free(args);
    if (rel)
        rm_rf_at(s->fd, rel);
    ref_free(&r);
    if (ret < 0)
        store_rollback(s);
    else
        store_commit(s);
    return ret;
}

int registry_login(struct store *s, const char *registry, const char *user, const char *password,
                   bool tls_verify_off, merr_t *err)
{
    if (strchr(user, ':'))
        return err_set(err, 0, "login: the user name may not contain \":\"");
    cleanup_free char *rel = NULL;
    cleanup_close int tfd = -1;
    if (helper_dir(s, false, &rel, &tfd, err) < 0)
        return -1;
    cleanup_free char *creds = xasprintf("%s:%s", user, password);
    char *args[6];
    int n = 0;
    if (tls_verify_off || pull_insecure_default(registry))
        args[n++] = "--insecure";
    if (registry_ca(registry, tfd)) {
        args[n++] = "--ca";
        args[n++] = "ca.crt";
    }
    args[n++] = "--login";
    args[n++] = (char *)registry;
    args[n] = NULL;
    struct fetch_run fr = {.dirfd = tfd, .args = args, .input = creds, .out_fd = 1};
    int ret = fetch_run(&fr, err);
    rm_rf_at(s->fd, rel);
    if (ret < 0)
        return -1;
    if (store_lock(s, err) < 0)
        return -1;
    json_t *auth = auth_load(s);
    cleanup_free char *enc = b64(creds);
    json_object_set_new(json_object_get(auth, "auths"), registry, json_pack("{s:s}", "auth", enc));
    cleanup_free char *text = json_dumps(auth, JSON_INDENT(2));
    ret = store_write_file(s, "auth.json", text, strlen(text), err);
    json_decref(auth);
    store_unlock(s);
    return ret;
}

int registry_logout(struct store *s, const char *registry, merr_t *err)
{
    if (store_lock(s, err) < 0)
        return -1;
    json_t *auth = auth_load(s);
    int ret = 0;
    if (json_object_del(json_object_get(auth, "auths"), registry) < 0) {
        ret = err_set(err, 0, "logout: not logged in to %s", registry);
    } else {
        cleanup_free char *text = json_dumps(auth, JSON_INDENT(2));
        ret = store_write_file(s, "auth.json", text, strlen(text), err);
    }
    json_decref(auth);
    store_unlock(s);
    return ret;
}

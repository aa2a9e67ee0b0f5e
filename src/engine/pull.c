/* pull.c: registry pulls and logins through moat-fetch (see pull.h). */
#include "pull.h"
#include "imgio.h"
#include "ref.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

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

/* moat-fetch: $MOAT_FETCH, beside moat, or the installed one */
static char *helper_path(void)
{
    const char *env = getenv("MOAT_FETCH");
    if (env && *env)
        return xstrdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        char *p = xasprintf("%s/moat-fetch", dirname(self));
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    return xstrdup("/usr/local/libexec/moat/moat-fetch");
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

/* Run the helper as nobody in tmp (owned by nobody while it runs); its
 * stdin from `input` (may be NULL), its stdout to out_fd. */
static int run_helper(const char *tmp, char **args, const char *input, int out_fd, merr_t *err)
{
    cleanup_free char *helper = helper_path();
    int in[2] = {-1, -1};
    if (input && pipe2(in, O_CLOEXEC) < 0)
        return err_sys(err, "pipe");
    size_t n = strv_len(args);
    char **argv = xzalloc((n + 2) * sizeof(char *));
    argv[0] = helper;
    memcpy(argv + 1, args, n * sizeof(char *));
    /* opened as root: nobody may not be able to reach its directory */
    int exe = open(helper, O_PATH | O_CLOEXEC);
    if (exe < 0) {
        free(argv);
        return err_sys(err, "%s (build it, or set MOAT_FETCH)", helper);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        free(argv);
        close(exe);
        return err_sys(err, "fork");
    }
    if (pid == 0) {
        if (input) {
            dup2(in[0], 0);
        } else {
            int null = open("/dev/null", O_RDONLY);
            dup2(null, 0);
        }
        if (out_fd < 0)
            out_fd = open("/dev/null", O_WRONLY);
        if (out_fd != 1)
            dup2(out_fd, 1);
        if (chdir(tmp) < 0 || setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0 ||
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
            fprintf(stderr, "moat: cannot become nobody for moat-fetch: %s\n", strerror(errno));
            _exit(126);
        }
        extern char **environ;
        syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
        fprintf(stderr, "moat: %s: %s (build it, or set MOAT_FETCH)\n", helper, strerror(errno));
        _exit(127);
    }
    free(argv);
    close(exe);
    if (input) {
        close(in[0]);
        (void)write_all(in[1], input, strlen(input));
        close(in[1]);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return err_sys(err, "wait for moat-fetch");
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return err_set(err, 0, "the registry client failed (its message is above)");
    return 0;
}

/* /etc/moat/certs.d/REGISTRY/ca.crt (Docker's certs.d), copied into the
 * helper's directory where nobody can read it; true if there is one */
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

/* a fresh tmp/ directory owned by nobody; its absolute path */
static char *helper_dir(struct store *s, char **rel, merr_t *err)
{
    if (store_tmpdir(s, rel, err) < 0)
        return NULL;
    if (fchownat(s->fd, *rel, NOBODY, NOBODY, AT_SYMLINK_NOFOLLOW) < 0) {
        err_sys(err, "chown %s", *rel);
        rm_rf_at(s->fd, *rel);
        return NULL;
    }
    /* the helper is started in it as root, then becomes nobody: it needs
     * no way through the store's 0700 directories */
    return xasprintf("%s/%s", s->root, *rel);
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

int image_pull(struct store *s, const char *name, const struct pull_opts *o, char id[72],
               merr_t *err)
{
    struct ref r;
    if (ref_parse(name, &r, err) < 0)
        return -1;
    cleanup_free char *full = ref_string(&r);
    bool insecure = o->tls_verify_off || pull_insecure_default(r.registry);
    cleanup_free char *rel = NULL;
    cleanup_free char *abs = helper_dir(s, &rel, err);
    if (!abs) {
        ref_free(&r);
        return -1;
    }
    int ret = -1;
    cleanup_close int lfd = -1;
    cleanup_close int tfd = openat(s->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    json_t *auth = auth_load(s);
    json_t *entry = json_object_get(json_object_get(auth, "auths"), r.registry);
    cleanup_free char *have = have_list(s);
    json_t *mine = entry ? json_pack("{s:{s:O}}", "auths", r.registry, entry) : NULL;
    cleanup_free char *authtext = mine ? json_dumps(mine, JSON_COMPACT) : NULL;
    json_decref(mine);
    if (tfd < 0 || atomic_write_at(tfd, "have", have, strlen(have), 0644, err) < 0)
        goto out;
    if (authtext && (atomic_write_at(tfd, "auth.json", authtext, strlen(authtext), 0600, err) < 0 ||
                     fchownat(tfd, "auth.json", NOBODY, NOBODY, 0) < 0))
        goto out;
    char *args[10];
    int n = 0;
    if (insecure)
        args[n++] = "--insecure";
    if (registry_ca(r.registry, tfd)) {
        args[n++] = "--ca";
        args[n++] = "ca.crt";
    }
    if (authtext) {
        args[n++] = "--auth";
        args[n++] = "auth.json";
    }
    args[n++] = "--have";
    args[n++] = "have";
    args[n++] = full;
    args[n++] = "layout";
    args[n] = NULL;
    if (run_helper(abs, args, NULL, o->quiet ? -1 : o->out_fd, err) < 0)
        goto out;
    lfd = openat(tfd, "layout", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lfd < 0) {
        err_sys(err, "pull: the helper left no layout");
        goto out;
    }
    /* the name is ours, not the helper's: it parses what the network sent */
    ret = image_load_pulled(s, lfd, r.tag ? full : NULL, err);
    if (ret == 0) { /* the id: the config of the manifest fetched */
        json_t *ix = NULL, *man = NULL;
        cleanup_free char *text = NULL;
        if (read_file_at(lfd, "index.json", &text, NULL, NULL) == 0)
            ix = json_loads(text, 0, NULL);
        const char *md = json_string_value(
            json_object_get(json_array_get(json_object_get(ix, "manifests"), 0), "digest"));
        man = md ? store_blob_json(s, md, err) : NULL;
        const char *cd =
            json_string_value(json_object_get(json_object_get(man, "config"), "digest"));
        if (cd && digest_valid(cd))
            snprintf(id, 72, "%s", cd);
        else
            ret = err_set(err, 0, "pull: the fetched layout has no manifest");
        json_decref(ix);
        json_decref(man);
    }
out:
    json_decref(auth);
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
    cleanup_free char *abs = helper_dir(s, &rel, err);
    if (!abs)
        return -1;
    cleanup_free char *creds = xasprintf("%s:%s", user, password);
    char *args[6];
    int n = 0;
    if (tls_verify_off || pull_insecure_default(registry))
        args[n++] = "--insecure";
    cleanup_close int tfd = openat(s->fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (tfd >= 0 && registry_ca(registry, tfd)) {
        args[n++] = "--ca";
        args[n++] = "ca.crt";
    }
    args[n++] = "--login";
    args[n++] = (char *)registry;
    args[n] = NULL;
    int ret = run_helper(abs, args, creds, 1, err);
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

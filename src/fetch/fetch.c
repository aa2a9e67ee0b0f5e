/* moat-fetch: the registry client (OCI distribution, registry API v2).
 *
 *   moat-fetch [--insecure] [--ca FILE] [--auth-fd N] [--have FILE]
 *              [--max-blob BYTES] [--max-total BYTES] REF OUTDIR
 *   moat-fetch --login [--insecure] [--ca FILE] REGISTRY   (user:password on stdin)
 *
 * Fetches the manifest of REF (choosing linux/amd64 from an index), its
 * config and its layers, in parallel, into OUTDIR as an OCI image layout
 * that moat then loads into its store. The digest of the first document
 * the registry served for REF (the index, or the manifest) is REF's repo
 * digest, as Docker's: it is printed ("Digest: ...") and recorded in the
 * layout, as the annotation IMG_REPO_DIGEST ("run.moat.repo-digest") of
 * index.json's descriptor. Every blob is checked against its digest and
 * size while it streams, and renamed into place only when it matches.
 * Blobs listed in --have (digests moat's store has, one a line)
 * are not fetched.
 *
 * A separate, dynamically linked program: libcurl cannot be linked
 * statically on Debian, and network and TLS parsing stay out of the
 * process that holds the store. moat runs it as the user moat-fetch with
 * a clean environment and limits (engine/fetch_run.c); it refuses to run
 * as root, makes itself undumpable (no other process of its uid can read
 * its memory, environment or descriptors), reads its inputs, and enters
 * its sandbox (sandbox.c) before it speaks to a registry.
 *
 * A blob whose descriptor declares more than --max-blob bytes, or blobs
 * that declare more than --max-total together, are refused before they
 * are fetched; no blob is written past its declared size.
 *
 * Auth: anonymous, Basic, and Bearer tokens (the WWW-Authenticate
 * challenge's realm, service and scope), with credentials read from the
 * descriptor --auth-fd (Docker's config.json shape:
 * {"auths": {"host": {"auth": base64}}}).
 * HTTPS with the system CAs (and --ca FILE, a registry's own CA); plain
 * HTTP only with --insecure (moat passes it for localhost and the
 * registries the user names insecure). */
#include "sandbox.h"
#include "../oci/imgjson.h"
#include "../oci/ref.h"
#include "../util/fs.h"
#include "../util/sha256.h"
#include "../util/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ACCEPT                                                                                     \
    "Accept: application/vnd.oci.image.index.v1+json, "                                            \
    "application/vnd.oci.image.manifest.v1+json, "                                                 \
    "application/vnd.docker.distribution.manifest.list.v2+json, "                                  \
    "application/vnd.docker.distribution.manifest.v2+json"
#define MAX_DOC (4 << 20)

static const char *prog = "moat-fetch";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stdout);
    _exit(1); /* a fatal error: nothing to release, nothing to flush */
}

struct reg {
    char *host;  /* as in the reference */
    char *base;  /* "https://registry-1.docker.io" */
    char *repo;  /* "library/busybox" */
    char *basic; /* "user:password", or NULL */
    char *token; /* bearer token, or NULL */
    bool insecure;
    bool tried_http;
    const char *ca; /* an extra CA certificate for this registry (certs.d) */
};

/* ---- HTTP ---- */

struct resp {
    long code;
    struct sbuf body;
    char *www_auth;
    char *digest; /* Docker-Content-Digest */
    char *ctype;
};

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
    struct resp *r = u;
    if (r->body.len + sz * n > MAX_DOC)
        return 0;
    sbuf_add(&r->body, p, sz * n);
    return sz * n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0)
        return NULL;
    const char *v = line + nl;
    while (*v == ' ')
        v++;
    size_t vl = len - (size_t)(v - line);
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    return xstrndup(v, vl);
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
    struct resp *r = u;
    char *v;
    if ((v = header_value(p, sz * n, "www-authenticate:"))) {
        free(r->www_auth);
        r->www_auth = v;
    } else if ((v = header_value(p, sz * n, "docker-content-digest:"))) {
        free(r->digest);
        r->digest = v;
    } else if ((v = header_value(p, sz * n, "content-type:"))) {
        free(r->ctype);
        r->ctype = v;
    }
    return sz * n;
}

static void resp_free(struct resp *r)
{
    free(r->body.buf);
    free(r->www_auth);
    free(r->digest);
    free(r->ctype);
    memset(r, 0, sizeof(*r));
}

static struct curl_slist *auth_headers(struct reg *g, struct curl_slist *h)
{
    if (g->token) {
        cleanup_free char *a = xasprintf("Authorization: Bearer %s", g->token);
        h = curl_slist_append(h, a);
    }
    return h;
}

static void common(CURL *c, struct reg *g)
{
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, g->insecure ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, g->insecure ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "moat/" MOAT_VERSION);
    if (g->ca) { /* this registry's CA, and the system's */
        curl_easy_setopt(c, CURLOPT_CAINFO, g->ca);
        curl_easy_setopt(c, CURLOPT_CAPATH, "/etc/ssl/certs");
    }
    if (g->basic && !g->token) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, g->basic);
        /* credentials only to the registry itself, not where it redirects */
        curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
    }
}

static long get(struct reg *g, const char *url, struct curl_slist *extra, struct resp *r)
{
    memset(r, 0, sizeof(*r));
    CURL *c = curl_easy_init();
    struct curl_slist *h = auth_headers(g, NULL);
    for (struct curl_slist *e = extra; e; e = e->next)
        h = curl_slist_append(h, e->data);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    common(c, g);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        /* an insecure registry may speak plain HTTP only */
        if (g->insecure && !g->tried_http && strncmp(url, "https://", 8) == 0 &&
            (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_COULDNT_CONNECT ||
             rc == CURLE_RECV_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
             rc == CURLE_GOT_NOTHING)) {
            g->tried_http = true;
            cleanup_free char *base = xasprintf("http://%s", g->base + 8);
            cleanup_free char *u2 = xasprintf("http://%s", url + 8);
            free(g->base);
            g->base = xstrdup(base);
            resp_free(r);
            return get(g, u2, extra, r);
        }
        die("%s: %s", url, curl_easy_strerror(rc));
    }
    return r->code;
}

/* key="value" from a challenge */
static char *param(const char *ch, const char *key)
{
    cleanup_free char *pat = xasprintf("%s=\"", key);
    const char *p = strcasestr(ch, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *e = strchr(p, '"');
    return e ? xstrndup(p, (size_t)(e - p)) : NULL;
}

/* Answer a 401's challenge: a bearer token from the realm, or Basic. */
static void authenticate(struct reg *g, const char *challenge)
{
    if (!challenge)
        die("%s: 401 without a WWW-Authenticate challenge", g->host);
    if (strncasecmp(challenge, "Basic", 5) == 0) {
        if (!g->basic)
            die("%s: authentication required (moat login %s)", g->host, g->host);
        return; /* common() sends it */
    }
    if (strncasecmp(challenge, "Bearer", 6) != 0)
        die("%s: unsupported authentication \"%s\"", g->host, challenge);
    cleanup_free char *realm = param(challenge, "realm");
    cleanup_free char *service = param(challenge, "service");
    cleanup_free char *scope = param(challenge, "scope");
    if (!realm || (strncmp(realm, "https://", 8) != 0 && !g->insecure))
        die("%s: token realm \"%s\" is not https", g->host, realm ? realm : "");
    CURL *c = curl_easy_init();
    char *es = service ? curl_easy_escape(c, service, 0) : NULL;
    char *sc = scope ? curl_easy_escape(c, scope, 0) : NULL;
    cleanup_free char *url = xasprintf("%s%sservice=%s&scope=%s", realm,
                                       strchr(realm, '?') ? "&" : "?", es ? es : "", sc ? sc : "");
    curl_free(es);
    curl_free(sc);
    curl_easy_cleanup(c);
    free(g->token);
    g->token = NULL;
    struct resp r;
    bool tls_realm = strncmp(realm, "https://", 8) == 0;
    struct reg tg = *g;
    tg.token = NULL;
    tg.insecure = g->insecure || !tls_realm;
    if (get(&tg, url, NULL, &r) != 200)
        die("%s: token request to %s: HTTP %ld%s", g->host, realm, r.code,
            r.code == 401 ? " (wrong credentials? moat login)" : "");
    json_t *j = json_loadb(r.body.buf ? r.body.buf : "", r.body.len, 0, NULL);
    const char *t = json_string_value(json_object_get(j, "token"));
    if (!t)
        t = json_string_value(json_object_get(j, "access_token"));
    if (!t)
        die("%s: token response without a token", g->host);
    g->token = xstrdup(t);
    json_decref(j);
    resp_free(&r);
}

/* GET with one round of authentication */
static long get_auth(struct reg *g, const char *path, struct curl_slist *extra, struct resp *r)
{
    cleanup_free char *url = xasprintf("%s%s", g->base, path);
    long code = get(g, url, extra, r);
    if (code == 401) {
        cleanup_free char *ch = r->www_auth ? xstrdup(r->www_auth) : NULL;
        resp_free(r);
        authenticate(g, ch);
        free(url);
        url = xasprintf("%s%s", g->base, path);
        code = get(g, url, extra, r);
    }
    return code;
}

static char *sha256_of(const void *p, size_t n)
{
    char hex[65];
    sha256_hex(p, n, hex);
    return xasprintf("sha256:%s", hex);
}

/* ---- blobs ---- */

struct blob {
    char *digest;
    int64_t size;
    int fd;
    char *tmp, *dst;
    struct sha256 h;
    int64_t got;
    CURL *c;
    struct curl_slist *hdr;
    bool done, have;
    int line;
};

static size_t on_blob(char *p, size_t sz, size_t n, void *u)
{
    struct blob *b = u;
    size_t len = sz * n;
    if (b->got + (int64_t)len > b->size)
        return 0; /* more than the manifest says: refused */
    if (write(b->fd, p, len) != (ssize_t)len)
        return 0;
    sha256_update(&b->h, p, len);
    b->got += (int64_t)len;
    return len;
}

static bool tty;

static void show(struct blob *bs, size_t n, bool final)
{
    if (!tty) {
        for (size_t i = 0; i < n; i++)
            if (bs[i].done && bs[i].line == 0) {
                printf("%.12s: %s\n", bs[i].digest + 7,
                       bs[i].have ? "Already exists" : "Pull complete");
                bs[i].line = 1;
            }
        fflush(stdout);
        return;
    }
    static bool drawn;
    if (drawn)
        printf("\033[%zuA", n);
    drawn = true;
    for (size_t i = 0; i < n; i++) {
        struct blob *b = &bs[i];
        if (b->have)
            printf("\033[2K%.12s: Already exists\n", b->digest + 7);
        else if (b->done)
            printf("\033[2K%.12s: Pull complete\n", b->digest + 7);
        else {
            int w = b->size ? (int)(b->got * 30 / b->size) : 0;
            printf("\033[2K%.12s: Downloading [%.*s>%*s] %.1fMB/%.1fMB\n", b->digest + 7, w,
                   "==============================", 30 - w, "", (double)b->got / 1e6,
                   (double)b->size / 1e6);
        }
    }
    (void) final;
    fflush(stdout);
}

static void fetch_blobs(struct reg *g, struct blob *bs, size_t n, const char *out)
{
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 3L);
    for (size_t i = 0; i < n; i++) {
        struct blob *b = &bs[i];
        b->dst = xasprintf("%s/blobs/sha256/%s", out, b->digest + 7);
        if (b->have)
            continue;
        b->tmp = xasprintf("%s.part", b->dst);
        b->fd = open(b->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (b->fd < 0)
            die("%s: %s", b->tmp, strerror(errno));
        sha256_init(&b->h);
        b->c = curl_easy_init();
        cleanup_free char *url = xasprintf("%s/v2/%s/blobs/%s", g->base, g->repo, b->digest);
        curl_easy_setopt(b->c, CURLOPT_URL, url);
        b->hdr = auth_headers(g, NULL);
        curl_easy_setopt(b->c, CURLOPT_HTTPHEADER, b->hdr);
        curl_easy_setopt(b->c, CURLOPT_WRITEFUNCTION, on_blob);
        curl_easy_setopt(b->c, CURLOPT_WRITEDATA, b);
        curl_easy_setopt(b->c, CURLOPT_PRIVATE, b);
        curl_easy_setopt(b->c, CURLOPT_FAILONERROR, 1L);
        common(b->c, g);
        /* blob redirects (to a CDN) carry no registry credentials */
        curl_multi_add_handle(m, b->c);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            struct blob *b;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&b);
            if (msg->data.result != CURLE_OK)
                die("blob %s: %s", b->digest, curl_easy_strerror(msg->data.result));
            char got[72];
            sha256_digest(&b->h, got);
            if (b->got != b->size)
                die("blob %s: %lld bytes, the manifest says %lld", b->digest, (long long)b->got,
                    (long long)b->size);
            if (strcmp(got, b->digest) != 0)
                die("blob %s: its content has digest %s", b->digest, got);
            if (fsync(b->fd) < 0 || close(b->fd) < 0 || rename(b->tmp, b->dst) < 0)
                die("%s: %s", b->dst, strerror(errno));
            b->fd = -1;
            b->done = true;
        }
        show(bs, n, false);
        if (running)
            curl_multi_poll(m, NULL, 0, 200, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (bs[i].c) {
            curl_multi_remove_handle(m, bs[i].c);
            curl_easy_cleanup(bs[i].c);
            curl_slist_free_all(bs[i].hdr);
        }
        if (!bs[i].done && !bs[i].have)
            die("blob %s: not fetched", bs[i].digest);
    }
    curl_multi_cleanup(m);
}

/* ---- main ---- */

static char *base64_decode_creds(const char *in)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(in);
    char *out = xzalloc(n + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && in[i] != '='; i++) {
        const char *p = strchr(tbl, in[i]);
        if (!p || !in[i])
            break;
        acc = acc << 6 | (uint32_t)(p - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)(acc >> bits & 0xff);
        }
    }
    return out;
}

static void load_creds(struct reg *g, int fd)
{
    if (fd < 0)
        return;
    json_t *j = json_loadfd(fd, 0, NULL);
    close(fd);
    const char *a = json_string_value(
        json_object_get(json_object_get(json_object_get(j, "auths"), g->host), "auth"));
    if (a)
        g->basic = base64_decode_creds(a);
    json_decref(j);
}

static void set_base(struct reg *g)
{
    const char *h = strcmp(g->host, REF_DEFAULT_REGISTRY) == 0 ? "registry-1.docker.io" : g->host;
    g->base = xasprintf("https://%s", h);
}

static json_t *parse_doc(struct resp *r, const char *what)
{
    json_t *j = json_loadb(r->body.buf ? r->body.buf : "", r->body.len, 0, NULL);
    if (!json_is_object(j))
        die("%s: not a JSON document", what);
    return j;
}

struct opts {
    bool insecure, login;
    int auth_fd;
    const char *have, *ca;
    uint64_t max_blob, max_total; /* bytes; UINT64_MAX: no limit */
    const char *arg, *out;        /* REF (REGISTRY) and OUTDIR */
};

static uint64_t size_flag(const char *flag, const char *v)
{
    uint64_t n;
    if (parse_u64(v, &n) < 0)
        die("%s \"%.40s\": not a number of bytes", flag, v);
    return n;
}

static void parse_flags(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.auth_fd = -1, .max_blob = UINT64_MAX, .max_total = UINT64_MAX};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--insecure") == 0)
            o->insecure = true;
        else if (strcmp(argv[i], "--login") == 0)
            o->login = true;
        else if (strcmp(argv[i], "--auth-fd") == 0 && v)
            o->auth_fd = (int)size_flag(f, argv[++i]);
        else if (strcmp(argv[i], "--have") == 0 && v)
            o->have = argv[++i];
        else if (strcmp(argv[i], "--ca") == 0 && v)
            o->ca = argv[++i];
        else if (strcmp(argv[i], "--max-blob") == 0 && v)
            o->max_blob = size_flag(f, argv[++i]);
        else if (strcmp(argv[i], "--max-total") == 0 && v)
            o->max_total = size_flag(f, argv[++i]);
        else
            die("unknown flag \"%.40s\"", argv[i]);
    }
    if (argc - i != (o->login ? 1 : 2))
        die("usage: moat-fetch [--insecure] [--ca FILE] [--auth-fd N] [--have FILE] [--max-blob "
            "BYTES] [--max-total BYTES] REF OUTDIR | --login [--insecure] [--ca FILE] REGISTRY");
    o->arg = argv[i];
    o->out = o->login ? NULL : argv[i + 1];
}

static void sandbox(int outdir, const char *ca)
{
    merr_t err = MERR_INIT;
    if (sandbox_enter(outdir, ca, &err) < 0)
        die("%s", err.msg);
}

static int login(struct opts *o)
{
    struct reg g = {.insecure = o->insecure, .ca = o->ca, .host = (char *)o->arg};
    set_base(&g);
    struct sbuf in = {0};
    char buf[512];
    ssize_t n;
    while ((n = read(0, buf, sizeof(buf))) > 0 && in.len < 65536)
        sbuf_add(&in, buf, (size_t)n);
    while (in.len && (in.buf[in.len - 1] == '\n' || in.buf[in.len - 1] == '\r'))
        in.buf[--in.len] = 0;
    g.basic = in.buf;
    sandbox(-1, o->ca);
    struct resp r;
    long code = get_auth(&g, "/v2/", NULL, &r);
    if (code != 200)
        die("%s: login failed: HTTP %ld", g.host, code);
    printf("Login Succeeded\n");
    resp_free(&r);
    free(in.buf);
    free(g.base);
    free(g.token);
    return 0;
}

/* The manifest of `want`, or the linux/amd64 one of an index; its digest
 * into *mdigest, and that of the first document fetched (what the registry
 * serves for `want`: the manifest, or an index) into *rdigest. Every
 * document fetched is written to blobs. */
static json_t *fetch_manifest(struct reg *g, const char *ref, char **wantp, const char *blobs,
                              char **mdigest, char **rdigest)
{
    struct curl_slist *acc = curl_slist_append(NULL, ACCEPT);
    json_t *m = NULL;
    for (int depth = 0; depth < 3 && !m; depth++) {
        const char *want = *wantp;
        cleanup_free char *path = xasprintf("/v2/%s/manifests/%s", g->repo, want);
        struct resp r;
        long code = get_auth(g, path, acc, &r);
        if (code == 404)
            die("%s: manifest unknown: %s/%s:%s not found", g->host, g->host, g->repo, want);
        if (code != 200)
            die("%s: manifest %s: HTTP %ld", g->host, want, code);
        char *d = sha256_of(r.body.buf ? r.body.buf : "", r.body.len);
        if (strncmp(want, "sha256:", 7) == 0 && strcmp(d, want) != 0)
            die("manifest %s: its content has digest %s", want, d);
        if (r.digest && strncmp(r.digest, "sha256:", 7) == 0 && strcmp(r.digest, d) != 0)
            die("manifest %s: its content has digest %s, the registry says %s", want, d, r.digest);
        json_t *j = parse_doc(&r, "manifest");
        cleanup_free char *mpath = xasprintf("%s/%s", blobs, d + 7);
        FILE *f = fopen(mpath, "we");
        if (!f || fwrite(r.body.buf, 1, r.body.len, f) != r.body.len || fclose(f) != 0)
            die("%s: %s", mpath, strerror(errno));
        resp_free(&r);
        if (depth == 0)
            *rdigest = xstrdup(d);
        /* the same checks as moat's own when it loads the result */
        struct img_manifest man;
        merr_t err = MERR_INIT;
        cleanup_free char *what = xasprintf("manifest %s", d);
        if (img_manifest_check(j, what, &man, &err) < 0)
            die("%s", err.msg);
        if (!man.index) {
            img_manifest_free(&man);
            m = j;
            *mdigest = d;
            break;
        }
        const struct img_desc *pick = img_index_pick(&man);
        if (!pick)
            die("%s: no image for linux/amd64 in the index", ref);
        free(*wantp);
        *wantp = xstrdup(pick->digest);
        img_manifest_free(&man);
        free(d);
        json_decref(j);
    }
    curl_slist_free_all(acc);
    if (!m)
        die("%s: indexes nested too deep", ref);
    return m;
}

/* The config and layers to fetch, checked against the limits before a
 * byte of them is asked for. */
static struct blob *plan_blobs(json_t *m, const char *mdigest, const char *have,
                               const struct opts *o, size_t *count)
{
    json_t *layers = json_object_get(m, "layers");
    json_t *cfg = json_object_get(m, "config");
    size_t n = json_array_size(layers) + 1;
    if (!json_is_array(layers) || !json_is_object(cfg))
        die("manifest %s: no config or layers (schema 1 manifests are not supported)", mdigest);
    struct blob *bs = xzalloc(n * sizeof(*bs));
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        json_t *d = k == 0 ? cfg : json_array_get(layers, k - 1);
        const char *dg = json_string_value(json_object_get(d, "digest"));
        json_int_t sz = json_integer_value(json_object_get(d, "size"));
        if (!digest_valid(dg) || sz < 0)
            die("manifest %s: a descriptor without a valid digest and size", mdigest);
        bs[k].digest = xstrdup(dg);
        bs[k].size = sz;
        bs[k].fd = -1;
        bs[k].have = have && strstr(have, dg);
        bs[k].done = bs[k].have;
        if (bs[k].have)
            continue;
        if ((uint64_t)sz > o->max_blob)
            die("blob %s: the manifest declares %lld bytes, more than the limit of %llu "
                "(MOAT_PULL_MAX_BLOB_BYTES)",
                dg, (long long)sz, (unsigned long long)o->max_blob);
        total += (uint64_t)sz;
        if (total > o->max_total)
            die("manifest %s: its blobs declare more than the limit of %llu bytes for a pull "
                "(MOAT_PULL_MAX_BYTES)",
                mdigest, (unsigned long long)o->max_total);
    }
    *count = n;
    return bs;
}

static void write_layout(json_t *m, const char *mdigest, const char *rdigest, const char *out)
{
    json_t *desc = json_pack("{s:s,s:s,s:I,s:{s:s}}", "mediaType",
                             json_string_value(json_object_get(m, "mediaType"))
                                 ?: "application/vnd.oci.image.manifest.v1+json",
                             "digest", mdigest, "size", (json_int_t)0, "annotations",
                             IMG_REPO_DIGEST, rdigest);
    json_t *index = json_pack("{s:i,s:[o]}", "schemaVersion", 2, "manifests", desc);
    cleanup_free char *ip = xasprintf("%s/index.json", out);
    cleanup_free char *lp = xasprintf("%s/oci-layout", out);
    if (json_dump_file(index, ip, 0) < 0)
        die("%s: cannot write", ip);
    FILE *f = fopen(lp, "we");
    if (!f || fputs("{\"imageLayoutVersion\":\"1.0.0\"}", f) < 0 || fclose(f) != 0)
        die("%s: cannot write", lp);
    json_decref(index);
}

static char *read_have(const char *path)
{
    cleanup_close int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1;
    char *text = NULL;
    if (fd >= 0 && read_regular_fd(fd, 64 << 20, &text, NULL) < 0)
        die("%s: %s", path, strerror(errno));
    return text;
}

static int pull(struct opts *o)
{
    struct ref ref;
    merr_t err = MERR_INIT;
    if (ref_parse(o->arg, &ref, &err) < 0)
        die("%s", err.msg);
    cleanup_free char *have = read_have(o->have);
    struct reg g = {.insecure = o->insecure, .ca = o->ca, .host = ref.registry, .repo = ref.path};
    set_base(&g);
    load_creds(&g, o->auth_fd);
    tty = isatty(1);
    cleanup_free char *blobs = xasprintf("%s/blobs/sha256", o->out);
    cleanup_free char *b1 = xasprintf("%s/blobs", o->out);
    if ((mkdir(o->out, 0700) < 0 && errno != EEXIST) || (mkdir(b1, 0700) < 0 && errno != EEXIST) ||
        (mkdir(blobs, 0700) < 0 && errno != EEXIST))
        die("%s: %s", o->out, strerror(errno));
    int outfd = open(o->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (outfd < 0)
        die("%s: %s", o->out, strerror(errno));
    sandbox(outfd, o->ca);
    close(outfd); /* the rule is on the directory, not the descriptor */
    cleanup_free char *want = xstrdup(ref.digest ? ref.digest : ref.tag);
    printf("%s: Pulling from %s\n", want, ref.path);
    char *mdigest = NULL, *rdigest = NULL;
    json_t *m = fetch_manifest(&g, o->arg, &want, blobs, &mdigest, &rdigest);
    size_t n;
    struct blob *bs = plan_blobs(m, mdigest, have, o, &n);
    fetch_blobs(&g, bs, n, o->out);
    /* the layout moat loads (and names itself) */
    write_layout(m, mdigest, rdigest, o->out);
    printf("Digest: %s\n", rdigest); /* Docker's: the index's, for an index */
    json_decref(m);
    for (size_t k = 0; k < n; k++) {
        free(bs[k].digest);
        free(bs[k].tmp);
        free(bs[k].dst);
    }
    free(bs);
    free(mdigest);
    free(rdigest);
    free(g.base);
    free(g.token);
    free(g.basic);
    ref_free(&ref);
    return 0;
}

int main(int argc, char **argv)
{
    /* no process of our uid may read our memory, environment or fds */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (geteuid() == 0 || getuid() == 0)
        die("refusing to run as root (moat runs it as the user moat-fetch)");
    struct opts o;
    parse_flags(argc, argv, &o);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int r = o.login ? login(&o) : pull(&o);
    curl_global_cleanup();
    return r;
}

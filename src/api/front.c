/* front.c: one request, from libmicrohttpd to the back and back (see
 * front.h). libmicrohttpd runs a thread per connection, so each step here
 * may block on the back. */
#include "front.h"
#include "route.h"
#include "tlsterm.h"
#include "../util/fs.h"
#include "../util/unixsock.h"
#include "../util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADER_MAX (64 * 1024) /* the back's header line */
/* a raw body (a tarball) larger than this is refused; the back sees no
 * end marker, so it never takes a cut one for whole */
#define RAW_MAX (16ULL << 30)

struct req {
    struct api_route r;
    int status; /* an answer decided before the body is read, 0: none */
    char *msg;
    struct sbuf body;
    bool too_big;
    int chan;        /* the channel to the back (for an upgrade), -1 */
    char *cn;        /* TLS: the client certificate's CN, verified */
    int tcp;         /* TLS: its TCP connection (tlsterm.h), -1 */
    uint64_t raw;    /* a raw body: the bytes forwarded so far */
    bool raw_failed; /* the back took no more of it (it answered early) */
};

/* what a streamed body reads from: the channel and what came with its
 * header line */
struct stream {
    int chan;
    char *pending;
    size_t npending, off;
};

static void std_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Api-Version", API_VERSION);
    MHD_add_response_header(resp, "Ostype", "linux");
    MHD_add_response_header(resp, "Docker-Experimental", "false");
    MHD_add_response_header(resp, "Server", "moat/" MOAT_VERSION " (linux)");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
                             const char *body)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    std_headers(resp);
    MHD_add_response_header(resp, "Content-Type", ctype);
    enum MHD_Result r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    json_t *o = json_pack("{s:s}", "message", msg);
    cleanup_free char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return reply(c, status, "application/json", text ? text : "{}");
}

static bool is_ping(const char *url)
{
    if (!strcmp(url, "/_ping"))
        return true;
    const char *s = strchr(url + 1, '/');
    return url[0] == '/' && url[1] == 'v' && s && !strcmp(s, "/_ping");
}

static enum MHD_Result ping(struct MHD_Connection *c)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(2, "OK", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    std_headers(resp);
    MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
    MHD_add_response_header(resp, "Pragma", "no-cache");
    enum MHD_Result r = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Over TCP: no browser (an Origin header) and only the daemon's own names
 * as Host (DNS rebinding) */
static const char *web_check(struct MHD_Connection *c, const struct front_listener *l)
{
    if (!l->tls)
        return NULL;
    if (header(c, "Origin"))
        return "requests from web pages (an Origin header) are refused";
    const char *host = header(c, "Host");
    if (!host)
        return "a Host header is required";
    for (char **h = l->hosts; h && *h; h++)
        if (!strcasecmp(host, *h))
            return NULL;
    return "Host is not one of this daemon's names";
}

static enum MHD_Result query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    json_t *q = cls, *had = json_object_get(q, key);
    /* GET /images/get?names=a&names=b, POST /images/create?changes=..&changes=.. */
    if (had && (!strcmp(key, "names") || !strcmp(key, "changes"))) {
        if (json_is_string(had)) {
            json_object_set_new(q, key, json_pack("[O]", had));
            had = json_object_get(q, key);
        }
        json_array_append_new(had, json_string(value ? value : ""));
        return MHD_YES;
    }
    if (had) {
        json_object_set_new(q, "\001dup", json_string(key));
        return MHD_NO;
    }
    json_object_set_new(q, key, json_string(value ? value : ""));
    return MHD_YES;
}

static bool wants_upgrade(struct MHD_Connection *c)
{
    const char *u = header(c, "Upgrade"), *conn = header(c, "Connection");
    return u && conn && !strcasecmp(u, "tcp") && strcasestr(conn, "upgrade");
}

/* the typed request: op, path parameter, query, body; NULL and *err if
 * the query is not acceptable */
static json_t *request_json(struct MHD_Connection *c, const struct front_listener *l, struct req *q,
                            json_t *body, char **err)
{
    json_t *query = json_object();
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_arg, query);
    json_t *dup = json_object_get(query, "\001dup");
    (void)l;
    if (dup) {
        *err = xasprintf("query parameter \"%s\" is given more than once", json_string_value(dup));
        json_decref(query);
        json_decref(body);
        return NULL;
    }
    json_t *path = json_object();
    if (q->r.pkey)
        json_object_set_new(path, q->r.pkey, json_string(q->r.pval));
    return json_pack("{s:s,s:o,s:o,s:o?,s:s,s:b,s:s?,s:b}", "op", q->r.op, "path", path, "query",
                     query, "body", body, "api", q->r.version, "upgrade", wants_upgrade(c), "cn",
                     q->cn, "raw", (q->r.flags & API_BODY_RAW) != 0);
}

/* Hand the request to the back: the channel's end and the client's
 * connection over the control socket, then the request as a line on the
 * channel. Our end of the channel, or -1. */
static int forward(struct MHD_Connection *c, const struct front_listener *l, const struct req *q,
                   json_t *rq)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return -1;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    /* over TLS, libmicrohttpd's is our socketpair: the back is shown the
     * client's TCP connection, the listener it came on */
    int fds[2] = {sp[1], l->tls ? q->tcp : ci ? ci->connect_fd : -1};
    merr_t err = MERR_INIT;
    int r = fds[1] >= 0 ? unix_send_fds(l->ctl, fds, 2, "r", 1, &err) : -1;
    err_clear(&err);
    close(sp[1]);
    cleanup_free char *line = r == 0 ? json_dumps(rq, JSON_COMPACT) : NULL;
    if (!line || write_all(sp[0], line, strlen(line)) < 0 || write_all(sp[0], "\n", 1) < 0) {
        close(sp[0]);
        return -1;
    }
    return sp[0];
}

/* the back's header line; the bytes read past it to *rest */
static json_t *read_header(int chan, struct sbuf *rest)
{
    char buf[4096];
    for (;;) {
        char *nl = rest->len ? memchr(rest->buf, '\n', rest->len) : NULL;
        if (nl) {
            *nl = 0;
            json_t *h = json_loads(rest->buf, 0, NULL);
            size_t used = (size_t)(nl - rest->buf) + 1;
            memmove(rest->buf, nl + 1, rest->len - used);
            rest->len -= used;
            return json_is_object(h) ? h : (json_decref(h), NULL);
        }
        if (rest->len > HEADER_MAX)
            return NULL;
        ssize_t n = read(chan, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        sbuf_add(rest, buf, (size_t)n);
    }
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *st = cls;
    if (st->off < st->npending) {
        size_t n = st->npending - st->off < max ? st->npending - st->off : max;
        memcpy(buf, st->pending + st->off, n);
        st->off += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do
        n = read(st->chan, buf, max);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
}

static void stream_free(void *cls)
{
    struct stream *st = cls;
    close(st->chan);
    free(st->pending);
    free(st);
}

static void add_headers(struct MHD_Response *resp, json_t *hdr)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(hdr, "headers"), k, v)
    {
        const char *s = json_string_value(v);
        if (s && !strpbrk(k, "\r\n:") && !strpbrk(s, "\r\n"))
            MHD_add_response_header(resp, k, s);
    }
    const char *ct = json_string_value(json_object_get(hdr, "ctype"));
    if (ct && !strpbrk(ct, "\r\n"))
        MHD_add_response_header(resp, "Content-Type", ct);
}

/* The upgraded connection goes to the back, which hands it to the
 * container's monitor; ours is closed (without a shutdown: the daemon
 * runs with MHD_USE_TURBO). Over TLS it is a plain socket too: tlsterm.c
 * copies it to the client's TLS session. What the client sent after its
 * request comes along as the message's payload. */
static void upgraded(void *cls, struct MHD_Connection *c, void *req_cls, const char *extra,
                     size_t nextra, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
    (void)c, (void)cls;
    struct req *q = req_cls;
    cleanup_free char *msg = xmalloc(nextra + 1);
    msg[0] = 'u';
    if (nextra)
        memcpy(msg + 1, extra, nextra);
    merr_t err = MERR_INIT;
    int fds[1] = {sock};
    if (unix_send_fds(q->chan, fds, 1, msg, nextra + 1, &err) < 0)
        fprintf(stderr, "moat-api: %s\n", err.msg);
    err_clear(&err);
    close(q->chan);
    q->chan = -1;
    MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

static enum MHD_Result respond(struct MHD_Connection *c, const struct front_listener *l,
                               struct req *q, int chan)
{
    struct sbuf rest = {0};
    json_t *hdr = read_header(chan, &rest);
    json_int_t status = json_integer_value(json_object_get(hdr, "status"));
    if (!hdr || status < 100 || status > 599) {
        close(chan);
        free(rest.buf);
        json_decref(hdr);
        return reply_error(c, 500, "the daemon did not answer");
    }
    struct MHD_Response *resp;
    if (status == 101) {
        q->chan = chan;
        resp = MHD_create_response_for_upgrade(upgraded, (void *)l);
        free(rest.buf);
        if (resp) {
            MHD_add_response_header(resp, "Upgrade", "tcp");
            MHD_add_response_header(resp, "Connection", "Upgrade");
        }
    } else {
        struct stream *st = xmalloc(sizeof(*st));
        *st = (struct stream){chan, rest.buf, rest.len, 0};
        json_int_t len = json_integer_value(json_object_get(hdr, "length"));
        bool known = json_object_get(hdr, "length") && len >= 0;
        resp = MHD_create_response_from_callback(known ? (uint64_t)len : MHD_SIZE_UNKNOWN, 65536,
                                                 stream_read, st, stream_free);
        if (!resp)
            stream_free(st);
    }
    if (!resp) {
        json_decref(hdr);
        return MHD_NO;
    }
    std_headers(resp);
    add_headers(resp, hdr);
    json_decref(hdr);
    enum MHD_Result r = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* A raw body goes to the back as it comes, in frames: a 32-bit big-endian
 * length and the bytes; a frame of length 0 ends it (whole). The request
 * goes first, with the first bytes. */
static void raw_frame(struct req *q, const char *data, size_t n)
{
    uint32_t len = htonl((uint32_t)n);
    if (q->raw_failed || write_all(q->chan, &len, 4) < 0 || (n && write_all(q->chan, data, n) < 0))
        q->raw_failed = true;
}

static enum MHD_Result raw_start(struct MHD_Connection *c, const struct front_listener *l,
                                 struct req *q)
{
    cleanup_free char *err = NULL;
    json_t *rq = request_json(c, l, q, NULL, &err);
    if (!rq) {
        q->status = 400;
        q->msg = err ? xstrdup(err) : xstrdup("bad request");
        return MHD_YES;
    }
    q->chan = forward(c, l, q, rq);
    json_decref(rq);
    if (q->chan < 0) {
        q->status = 500;
        q->msg = xstrdup("the daemon is not reachable");
    }
    return MHD_YES;
}

static enum MHD_Result raw_upload(struct MHD_Connection *c, const struct front_listener *l,
                                  struct req *q, const char *data, size_t n)
{
    if (!q->status && q->chan < 0)
        raw_start(c, l, q);
    if (q->status || q->too_big)
        return MHD_YES;
    if (q->raw + n > RAW_MAX) {
        q->too_big = true;
        close(q->chan); /* no end marker: the back drops what it has */
        q->chan = -1;
        return MHD_YES;
    }
    q->raw += n;
    for (size_t off = 0; off < n; off += 1 << 20)
        raw_frame(q, data + off, n - off < (1u << 20) ? n - off : 1u << 20);
    return MHD_YES;
}

static enum MHD_Result raw_end(struct MHD_Connection *c, const struct front_listener *l,
                               struct req *q)
{
    if (q->too_big)
        return reply_error(c, 413, "the request body is larger than 16 GiB: refused");
    if (!q->status && q->chan < 0)
        raw_start(c, l, q);
    if (q->status)
        return reply_error(c, (unsigned)q->status, q->msg ? q->msg : q->r.msg);
    raw_frame(q, NULL, 0);
    int chan = q->chan;
    q->chan = -1;
    return respond(c, l, q, chan);
}

static enum MHD_Result first_call(struct MHD_Connection *c, const struct front_listener *l,
                                  const char *url, const char *method, void **req_cls)
{
    struct req *q = calloc(1, sizeof(*q));
    if (!q)
        return MHD_NO;
    q->chan = q->tcp = -1;
    *req_cls = q;
    char *bad = NULL;
    const union MHD_ConnectionInfo *ci =
        l->tls ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD) : NULL;
    if (l->tls && tlsterm_peer(ci ? ci->connect_fd : -1, &q->cn, &q->tcp, &bad) < 0) {
        q->status = 403;
        q->msg = bad;
        return MHD_YES;
    }
    const char *web = web_check(c, l);
    if (web) {
        q->status = 403;
        q->msg = xstrdup(web);
        return MHD_YES;
    }
    if (is_ping(url) && (!strcmp(method, "GET") || !strcmp(method, "HEAD")))
        q->status = -1; /* answered by ping() */
    else
        q->status = api_route(method, url, &q->r);
    return MHD_YES;
}

enum MHD_Result front_handler(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req_cls)
{
    (void)version;
    const struct front_listener *l = cls;
    if (!*req_cls)
        return first_call(c, l, url, method, req_cls);
    struct req *q = *req_cls;
    bool raw = !q->status && (q->r.flags & API_BODY_RAW);
    if (raw && *upload_size) {
        enum MHD_Result r = raw_upload(c, l, q, upload, *upload_size);
        *upload_size = 0;
        return r;
    }
    if (raw)
        return raw_end(c, l, q);
    if (*upload_size) {
        /* over the cap: read on, keep nothing, refuse it at the end */
        if (!q->status && !q->too_big && q->body.len + *upload_size <= FRONT_BODY_MAX)
            sbuf_add(&q->body, upload, *upload_size);
        else if (!q->status && !q->too_big) {
            q->too_big = true;
            free(q->body.buf);
            q->body = (struct sbuf){0};
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->status == -1)
        return ping(c);
    if (q->status)
        return reply_error(c, (unsigned)q->status, q->msg ? q->msg : q->r.msg);
    if (q->too_big)
        return reply_error(c, 413, "the request body is larger than 1 MiB: refused");
    if (q->body.len && !(q->r.flags & API_BODY_JSON))
        return reply_error(c, 400, "this endpoint takes no request body");
    json_t *body = NULL;
    if (q->body.len) {
        json_error_t je;
        body = json_loadb(q->body.buf, q->body.len, JSON_REJECT_DUPLICATES, &je);
        if (!body) {
            cleanup_free char *m = xasprintf("invalid JSON in the request body: %s", je.text);
            return reply_error(c, 400, m);
        }
    }
    cleanup_free char *err = NULL;
    json_t *rq = request_json(c, l, q, body, &err);
    if (!rq)
        return reply_error(c, 400, err ? err : "bad request");
    int chan = forward(c, l, q, rq);
    json_decref(rq);
    if (chan < 0)
        return reply_error(c, 500, "the daemon is not reachable");
    return respond(c, l, q, chan);
}

void front_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                     enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    struct req *q = *req_cls;
    if (!q)
        return;
    api_route_free(&q->r);
    free(q->msg);
    free(q->cn);
    free(q->body.buf);
    if (q->chan >= 0)
        close(q->chan);
    if (q->tcp >= 0)
        close(q->tcp);
    free(q);
    *req_cls = NULL;
}

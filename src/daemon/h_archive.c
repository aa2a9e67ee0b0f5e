/* h_archive.c: docker cp over the API. HEAD and GET
 * /containers/{id}/archive?path= (a path's stat in the header
 * X-Docker-Container-Path-Stat; GET: the path as a tarball), PUT (a
 * tarball extracted into the directory path). The engine's cp does the
 * work: every name resolved inside the container's root, nothing followed
 * out of it, files made as the container's root. */
#include "api.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Go's os.FileMode of a stat: the permission bits and the type bits */
static json_int_t go_mode(mode_t m)
{
    json_int_t g = m & 07777 & ~(S_ISUID | S_ISGID | S_ISVTX);
    if (S_ISDIR(m))
        g |= 1LL << 31;
    else if (S_ISLNK(m))
        g |= 1LL << 27;
    else if (S_ISFIFO(m))
        g |= 1LL << 25;
    else if (S_ISSOCK(m))
        g |= 1LL << 24;
    else if (S_ISCHR(m))
        g |= (1LL << 26) | (1LL << 21);
    else if (S_ISBLK(m))
        g |= 1LL << 26;
    if (m & S_ISUID)
        g |= 1LL << 23;
    if (m & S_ISGID)
        g |= 1LL << 22;
    if (m & S_ISVTX)
        g |= 1LL << 20;
    return g;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const char *s)
{
    size_t n = strlen(s);
    char *o = xmalloc(4 * ((n + 2) / 3) + 1), *p = o;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)s[i] << 16 | (i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)s[i + 2] : 0);
        *p++ = b64[v >> 18 & 63];
        *p++ = b64[v >> 12 & 63];
        *p++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
        *p++ = i + 2 < n ? b64[v & 63] : '=';
    }
    *p = 0;
    return o;
}

/* the header of path in the container: the stat Docker's CLI reads */
static char *path_stat(struct api_ctx *x, const char *id, const char *path, merr_t *err)
{
    struct stat st;
    char *link = NULL;
    if (ctr_path_stat(x->s, id, path, &st, &link, err) < 0)
        return NULL;
    char mt[64];
    struct tm tm;
    gmtime_r(&st.st_mtime, &tm);
    strftime(mt, sizeof(mt), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *slash = strrchr(path, '/');
    json_t *o = json_pack("{s:s,s:I,s:I,s:s,s:s}", "name", slash && slash[1] ? slash + 1 : path,
                          "size", (json_int_t)st.st_size, "mode", go_mode(st.st_mode), "mtime", mt,
                          "linkTarget", link ? link : "");
    free(link);
    cleanup_free char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return base64(text);
}

int h_ctr_archive(struct api_ctx *x)
{
    const char *path = api_q(x, "path");
    if (!path || !*path)
        return api_error(x, 400, "query parameter path: a path in the container is required");
    char id[65];
    if (api_ctr(x, x->param, id) < 0)
        return 0;
    merr_t err = MERR_INIT;
    if (!strcmp(x->op, "container.archive.put")) {
        bool ids = false;
        if (api_q_bool(x, "copyUIDGID", &ids) < 0)
            return 0;
        int fd = api_body_spool(x, &err);
        struct cp_req q = {.ctr = id,
                           .ctr_path = path,
                           .host_path = "-",
                           .to_ctr = true,
                           .archive = ids,
                           .tar_fd = fd};
        if (fd < 0 || ctr_cp(x->s, &q, &err) < 0)
            api_error(x, 400, "%s", err.msg);
        else
            api_status(x, 200);
        if (fd >= 0)
            close(fd);
        err_clear(&err);
        return 0;
    }
    cleanup_free char *st = path_stat(x, id, path, &err);
    if (!st)
        return api_error(x, 404, "%s", err.msg), err_clear(&err), 0;
    bool head = !strcmp(x->op, "container.archive.head");
    json_t *h =
        json_pack("{s:i,s:s,s:I,s:{s:s}}", "status", 200, "ctype", "application/x-tar", "length",
                  (json_int_t)(head ? 0 : -1), "headers", "X-Docker-Container-Path-Stat", st);
    cleanup_free char *line = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    write_all(x->chan, line, strlen(line));
    write_all(x->chan, "\n", 1);
    struct cp_req q = {.ctr = id, .ctr_path = path, .host_path = "-", .tar_fd = x->chan};
    if (!head && ctr_cp(x->s, &q, &err) < 0)
        err_clear(&err); /* the header is out: the tarball ends short */
    return 0;
}

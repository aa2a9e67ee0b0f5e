/* logfile.c: a container's output on disk (see logfile.h). */
#include "logfile.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "MOATLOG1"
#define HDR 8         /* the file header */
#define HEAD 13       /* a record's head: stream, time, length */
#define OVER 17       /* head and the length at the end */
#define REC_MAX 65536 /* a record's data, at most (the monitor's are at most 32 KiB) */

/* ---- options ---- */

void log_limits_init(struct log_limits *l)
{
    l->none = false;
    l->max_size = LOG_DEFAULT_MAX_SIZE;
    l->max_file = LOG_DEFAULT_MAX_FILE;
}

int log_parse_driver(const char *driver, struct log_limits *l, merr_t *err)
{
    if (strcmp(driver, "local") == 0 || strcmp(driver, "json-file") == 0)
        l->none = false;
    else if (strcmp(driver, "none") == 0)
        l->none = true;
    else
        return err_set(err, 0,
                       "--log-driver \"%s\": moat keeps the logs itself: local (the default; "
                       "json-file is taken to mean the same) or none",
                       driver);
    return 0;
}

static bool parse_max_size(const char *v, int64_t *out)
{
    int64_t n;
    if (parse_size(v, &n) < 0 || (n != -1 && n < LOG_MIN_MAX_SIZE))
        return false;
    *out = n;
    return true;
}

static bool parse_max_file(const char *v, int *out)
{
    int64_t n;
    if (parse_i64(v, &n) < 0 || n < 1 || n > LOG_MAX_MAX_FILE)
        return false;
    *out = (int)n;
    return true;
}

int log_parse_opt(const char *kv, struct log_limits *l, merr_t *err)
{
    const char *eq = strchr(kv, '=');
    size_t kl = eq ? (size_t)(eq - kv) : 0;
    if (eq && kl == 8 && strncmp(kv, "max-size", 8) == 0) {
        if (!parse_max_size(eq + 1, &l->max_size))
            return err_set(err, 0,
                           "--log-opt %s: not a size of at least 1k (like 10m), or -1 for "
                           "no limit",
                           kv);
        return 0;
    }
    if (eq && kl == 8 && strncmp(kv, "max-file", 8) == 0) {
        if (!parse_max_file(eq + 1, &l->max_file))
            return err_set(err, 0, "--log-opt %s: not a number from 1 to %d", kv, LOG_MAX_MAX_FILE);
        return 0;
    }
    return err_set(err, 0, "--log-opt \"%s\": expected max-size=SIZE or max-file=N", kv);
}

json_t *log_config_json(const struct log_limits *l)
{
    if (l->none)
        return json_pack("{s:s,s:{}}", "Type", "none", "Config");
    char size[32], files[16];
    long long v = (long long)l->max_size;
    if (v > 0 && v % (1LL << 30) == 0)
        snprintf(size, sizeof(size), "%lldg", v >> 30);
    else if (v > 0 && v % (1LL << 20) == 0)
        snprintf(size, sizeof(size), "%lldm", v >> 20);
    else if (v > 0 && v % 1024 == 0)
        snprintf(size, sizeof(size), "%lldk", v >> 10);
    else
        snprintf(size, sizeof(size), "%lld", v);
    snprintf(files, sizeof(files), "%d", l->max_file);
    return json_pack("{s:s,s:{s:s,s:s}}", "Type", "local", "Config", "max-size", size, "max-file",
                     files);
}

void log_limits_from_json(json_t *log_config, struct log_limits *l)
{
    log_limits_init(l);
    if (!json_is_object(log_config))
        return;
    l->none = strcmp(json_string_value(json_object_get(log_config, "Type")) ?: "", "none") == 0;
    json_t *c = json_object_get(log_config, "Config");
    const char *v = json_string_value(json_object_get(c, "max-size"));
    int64_t size;
    if (v && parse_max_size(v, &size))
        l->max_size = size;
    v = json_string_value(json_object_get(c, "max-file"));
    int files;
    if (v && parse_max_file(v, &files))
        l->max_file = files;
}

/* ---- the format ---- */

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* the file header: 1 present, 0 not (yet) whole, -1 not moat's */
static int header_ok(int fd)
{
    char h[HDR];
    ssize_t n = pread_all(fd, h, HDR, 0);
    if (n < 0)
        return -1;
    if (n < HDR)
        return memcmp(h, MAGIC, (size_t)n) == 0 ? 0 : -1;
    return memcmp(h, MAGIC, HDR) == 0 ? 1 : -1;
}

/* The record at off, its data into *buf: 1; 0 when the file ends before
 * it does (not written yet); -1 when what is there is not a record. */
static int rec_at(int fd, off_t off, unsigned char head[HEAD], char **buf, size_t *cap,
                  uint32_t *len)
{
    ssize_t n = pread_all(fd, head, HEAD, off);
    if (n < 0)
        return -1;
    if (n < HEAD)
        return 0;
    uint32_t l = get32(head + 9);
    if ((head[0] != 1 && head[0] != 2) || l > REC_MAX)
        return -1;
    if (*cap < (size_t)l + 4) {
        *cap = (size_t)l + 4;
        *buf = xrealloc(*buf, *cap);
    }
    n = pread_all(fd, *buf, (size_t)l + 4, off + HEAD);
    if (n < 0)
        return -1;
    if ((size_t)n < (size_t)l + 4)
        return 0;
    if (get32((unsigned char *)*buf + l) != l)
        return -1;
    *len = l;
    return 1;
}

/* Does the file's last record check out (head and end agree)? Reads 17
 * bytes, none of the data. */
static bool last_ok(int fd, off_t size)
{
    unsigned char t[4], head[HEAD];
    if (size == HDR)
        return true;
    if (size < HDR + OVER || pread_all(fd, t, 4, size - 4) != 4)
        return false;
    uint32_t l = get32(t);
    off_t at = size - OVER - (off_t)l;
    return l <= REC_MAX && at >= HDR && pread_all(fd, head, HEAD, at) == HEAD &&
           (head[0] == 1 || head[0] == 2) && get32(head + 9) == l;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static char *keep_log(const char *name, void *ctx)
{
    (void)ctx;
    uint64_t n;
    if (strncmp(name, "log.", 4) != 0 || name[4] < '1' || name[4] > '9' ||
        strspn(name + 4, "0123456789") != strlen(name + 4) || parse_u64(name + 4, &n) < 0)
        return NULL;
    return xstrdup(name);
}

/* the numbers of the log.N files, ascending */
static size_t list_seqs(int dirfd, uint64_t **out)
{
    char **names = dir_collect(dirfd, ".", keep_log, NULL);
    size_t n = strv_len(names);
    uint64_t *v = xmalloc((n + 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        parse_u64(names[i] + 4, &v[i]);
    strv_free(names);
    qsort(v, n, sizeof(*v), cmp_u64);
    *out = v;
    return n;
}

static int open_seq(int dirfd, uint64_t seq, int flags)
{
    char name[32];
    snprintf(name, sizeof(name), "log.%" PRIu64, seq);
    return openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static void unlink_seq(int dirfd, uint64_t seq)
{
    char name[32];
    snprintf(name, sizeof(name), "log.%" PRIu64, seq);
    unlinkat(dirfd, name, 0);
}

/* ---- the writer ---- */

static int create_file(struct log_writer *w, uint64_t seq)
{
    int fd = open_seq(w->dirfd, seq, O_RDWR | O_CREAT | O_TRUNC | O_APPEND);
    if (fd < 0)
        return -1;
    if (write_all(fd, MAGIC, HDR) < 0) {
        close(fd);
        unlink_seq(w->dirfd, seq);
        return -1;
    }
    w->fd = fd;
    w->seq = seq;
    w->size = HDR;
    return 0;
}

/* the next file; the oldest beyond max-file goes first */
static int rotate(struct log_writer *w)
{
    uint64_t next = w->seq + 1;
    if (next > (uint64_t)w->lim.max_file)
        unlink_seq(w->dirfd, next - (uint64_t)w->lim.max_file);
    close_fd(&w->fd);
    return create_file(w, next);
}

int logw_open(int dirfd, const struct log_limits *l, struct log_writer *w, merr_t *err)
{
    *w = (struct log_writer){.dirfd = dirfd, .fd = -1, .lim = *l};
    if (l->none)
        return 0;
    uint64_t *seqs;
    size_t n = list_seqs(dirfd, &seqs);
    uint64_t top = n ? seqs[n - 1] : 0;
    for (size_t i = 0; i < n; i++) /* more than max-file (an older moat's, say) */
        if (seqs[i] + (uint64_t)l->max_file <= top)
            unlink_seq(dirfd, seqs[i]);
    free(seqs);
    if (!top) {
        if (create_file(w, 1) < 0)
            return err_sys(err, "create log.1");
        return 0;
    }
    int fd = open_seq(dirfd, top, O_RDWR | O_APPEND);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && header_ok(fd) == 1 &&
        last_ok(fd, st.st_size) && (l->max_size < 0 || st.st_size < l->max_size)) {
        w->fd = fd;
        w->seq = top;
        w->size = st.st_size;
        return 0;
    }
    /* full, or a monitor was killed while it wrote: a new file (the old
     * one keeps what it has; a reader stops at its half record) */
    if (fd >= 0)
        close(fd);
    w->seq = top;
    if (rotate(w) < 0)
        return err_sys(err, "create log.%" PRIu64, top + 1);
    return 0;
}

static int write_rec(struct log_writer *w, int stream, const char *data, size_t n)
{
    if (w->lim.max_size > 0 && w->size > HDR && w->size + OVER + (int64_t)n > w->lim.max_size &&
        rotate(w) < 0)
        return -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned char head[HEAD], tail[4];
    head[0] = (unsigned char)stream;
    put64(head + 1, (uint64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec));
    put32(head + 9, (uint32_t)n);
    put32(tail, (uint32_t)n);
    struct iovec iov[3] = {{head, HEAD}, {(void *)data, n}, {tail, 4}};
    ssize_t k;
    do
        k = writev(w->fd, iov, 3);
    while (k < 0 && errno == EINTR);
    if (k != (ssize_t)(n + OVER)) {
        /* a disk full, say: no half record stays behind */
        if (ftruncate(w->fd, w->size) < 0)
            close_fd(&w->fd);
        return -1;
    }
    w->size += k;
    return 0;
}

int logw_write(struct log_writer *w, int stream, const char *data, size_t len)
{
    size_t room = REC_MAX;
    if (w->lim.max_size > 0 && w->lim.max_size - HDR - OVER < REC_MAX)
        room = (size_t)(w->lim.max_size - HDR - OVER);
    while (len > 0 && w->fd >= 0) {
        size_t n = len;
        if (n > room) { /* at a line's end if one is in reach */
            const char *nl = memrchr(data, '\n', room);
            n = nl ? (size_t)(nl - data) + 1 : room;
        }
        if (write_rec(w, stream, data, n) < 0)
            return -1;
        data += n;
        len -= n;
    }
    return w->fd >= 0 || w->lim.none ? 0 : -1;
}

void logw_close(struct log_writer *w)
{
    close_fd(&w->fd);
}

/* ---- the reader ---- */

/* Walk back from end over whole records, counting lines, until *need
 * more are found: then 1, with the record where they start in *start and
 * what to skip of it in *skip. 0 when the file has fewer (*need is what
 * is still wanted). -1 when a record is damaged: *start is the record
 * after it. */
static int tail_in(int fd, off_t end, int64_t *need, off_t *start, size_t *skip, char **buf,
                   size_t *cap)
{
    off_t pos = end;
    *skip = 0;
    while (pos > HDR) {
        unsigned char t[4], head[HEAD];
        uint32_t l, got;
        *start = pos;
        if (pread_all(fd, t, 4, pos - 4) != 4)
            return -1;
        l = get32(t);
        off_t at = pos - OVER - (off_t)l;
        if (l > REC_MAX || at < HDR || rec_at(fd, at, head, buf, cap, &got) != 1 || got != l)
            return -1;
        int64_t lines = 0;
        for (const char *p = *buf; (p = memchr(p, '\n', (size_t)(*buf + l - p))); p++)
            lines++;
        if (l && (*buf)[l - 1] != '\n')
            lines++;
        if (lines >= *need) {
            int64_t drop = lines - *need;
            size_t i = 0;
            while (drop > 0)
                if ((*buf)[i++] == '\n')
                    drop--;
            *start = at;
            *skip = i;
            *need = 0;
            return 1;
        }
        *need -= lines;
        pos = at;
    }
    *start = HDR;
    return 0;
}

static char *damage_msg(uint64_t seq, off_t off)
{
    return xasprintf("log.%" PRIu64 ": not a log record at byte %lld; the rest of that file "
                     "is left out",
                     seq, (long long)off);
}

/* where the records of a file end: its size when the last record checks
 * out; else (a monitor killed while it wrote) read from the start */
static off_t valid_end(int fd, off_t size, bool *damaged)
{
    if (last_ok(fd, size))
        return size;
    char *buf = NULL;
    size_t cap = 0;
    unsigned char head[HEAD];
    uint32_t l;
    off_t off = HDR;
    int r;
    while ((r = rec_at(fd, off, head, &buf, &cap, &l)) == 1)
        off += OVER + (off_t)l;
    free(buf);
    *damaged = r < 0;
    return off;
}

/* the last `tail` lines; files[i] (0 oldest) */
static int tail_start(struct log_reader *r, const uint64_t *seqs, size_t n, int64_t tail)
{
    int64_t need = tail;
    for (size_t i = n; i-- > 0;) {
        int fd = open_seq(r->dirfd, seqs[i], O_RDONLY | O_NONBLOCK);
        struct stat st;
        bool damaged = false;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || header_ok(fd) < 0) {
            /* gone (rotated away as we looked), or damaged: what follows it */
            if (fd >= 0) {
                free(r->damage);
                r->damage = damage_msg(seqs[i], 0);
                close(fd);
            }
            r->seq = seqs[i];
            return 0;
        }
        if (st.st_size < HDR) { /* just made */
            close(fd);
            continue;
        }
        off_t end = valid_end(fd, st.st_size, &damaged), start;
        size_t skip = 0;
        int res =
            need == 0 ? (start = end, 1) : tail_in(fd, end, &need, &start, &skip, &r->buf, &r->cap);
        if (damaged || res < 0) {
            /* the oldest one looked at is where reading starts; a newer
             * one is met (and said) again when reading reaches it */
            free(r->damage);
            r->damage = damage_msg(seqs[i], res < 0 ? start : end);
        }
        if (res != 0) {
            r->fd = fd;
            r->seq = seqs[i];
            r->off = start;
            r->skip = skip;
            return 0;
        }
        close(fd);
    }
    r->seq = n ? seqs[0] - 1 : 0; /* all of it */
    return 0;
}

int logr_open(int dirfd, int64_t tail, struct log_reader *r, merr_t *err)
{
    (void)err;
    *r = (struct log_reader){.dirfd = dirfd, .fd = -1};
    if (tail < 0)
        return 0; /* from the oldest file */
    uint64_t *seqs;
    size_t n = list_seqs(dirfd, &seqs);
    int ret = tail_start(r, seqs, n, tail);
    free(seqs);
    return ret;
}

/* open the oldest file after r->seq: true; false when there is none */
static bool open_next(struct log_reader *r)
{
    uint64_t *seqs;
    size_t n = list_seqs(r->dirfd, &seqs);
    bool ok = false;
    for (size_t i = 0; i < n && !ok; i++) {
        if (seqs[i] <= r->seq)
            continue;
        struct stat st;
        r->fd = open_seq(r->dirfd, seqs[i], O_RDONLY | O_NONBLOCK);
        if (r->fd >= 0 && (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode)))
            close_fd(&r->fd); /* not ours */
        if (r->fd < 0)
            continue; /* rotated away */
        r->seq = seqs[i];
        r->off = 0;
        r->skip = 0;
        ok = true;
    }
    free(seqs);
    return ok;
}

static bool has_next(struct log_reader *r)
{
    uint64_t *seqs;
    size_t n = list_seqs(r->dirfd, &seqs);
    bool yes = n && seqs[n - 1] > r->seq;
    free(seqs);
    return yes;
}

/* the record at r->off: 1, 0 (not yet), -1 (damaged) */
static int read_one(struct log_reader *r, struct log_rec *rec)
{
    if (r->off == 0) {
        int h = header_ok(r->fd);
        if (h <= 0)
            return h;
        r->off = HDR;
    }
    unsigned char head[HEAD];
    uint32_t l;
    int got = rec_at(r->fd, r->off, head, &r->buf, &r->cap, &l);
    if (got != 1)
        return got;
    rec->stream = head[0];
    rec->ns = (int64_t)get64(head + 1);
    rec->data = r->buf + r->skip;
    rec->len = l - r->skip;
    r->off += OVER + (off_t)l;
    r->skip = 0;
    return 1;
}

int logr_next(struct log_reader *r, struct log_rec *rec, merr_t *err)
{
    if (r->damage) {
        err_set(err, 0, "%s", r->damage);
        free(r->damage);
        r->damage = NULL;
        return -1;
    }
    for (;;) {
        if (r->fd < 0 && !open_next(r))
            return 0;
        int got = read_one(r, rec);
        if (got == 0 && has_next(r))
            got = read_one(r, rec); /* it has a successor: it is whole now */
        else if (got == 0)
            return 0;
        if (got == 1)
            return 1;
        close_fd(&r->fd); /* on with the next file */
        if (got < 0) {
            cleanup_free char *m = damage_msg(r->seq, r->off);
            return err_set(err, 0, "%s", m);
        }
    }
}

void logr_close(struct log_reader *r)
{
    close_fd(&r->fd);
    free(r->buf);
    free(r->damage);
    r->buf = r->damage = NULL;
}

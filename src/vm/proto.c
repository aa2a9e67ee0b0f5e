/* proto.c: frames of the host <-> guest channel (see proto.h). */
#include "proto.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char *const type_names[VMP_TYPE_END] = {
    [VMP_SPEC] = "SPEC",           [VMP_READY] = "READY",     [VMP_STDIN] = "STDIN",
    [VMP_STDIN_EOF] = "STDIN_EOF", [VMP_STDOUT] = "STDOUT",   [VMP_STDERR] = "STDERR",
    [VMP_SIGNAL] = "SIGNAL",       [VMP_RESIZE] = "RESIZE",   [VMP_EXEC] = "EXEC",
    [VMP_EXIT] = "EXIT",           [VMP_ERROR] = "ERROR",     [VMP_HOLD] = "HOLD",
    [VMP_RELEASE] = "RELEASE",     [VMP_OUTGONE] = "OUTGONE", [VMP_INHOLD] = "INHOLD",
    [VMP_INRELEASE] = "INRELEASE",
};

const char *vmp_type_name(unsigned type)
{
    return type > 0 && type < VMP_TYPE_END ? type_names[type] : "?";
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* What each type may carry: who sends it, the payload size (exact, or a
 * range), and the channels. */
struct rule {
    enum vmp_from from;
    uint32_t min, max;
    int chan; /* 0: chan 0 only, 1: >= 1 only, 2: any */
};
static const struct rule rules[VMP_TYPE_END] = {
    [VMP_SPEC] = {VMP_FROM_HOST, 2, VMP_MAX, 0},    [VMP_READY] = {VMP_FROM_GUEST, 0, 0, 0},
    [VMP_STDIN] = {VMP_FROM_HOST, 1, VMP_MAX, 2},   [VMP_STDIN_EOF] = {VMP_FROM_HOST, 0, 0, 2},
    [VMP_STDOUT] = {VMP_FROM_GUEST, 1, VMP_MAX, 2}, [VMP_STDERR] = {VMP_FROM_GUEST, 1, VMP_MAX, 2},
    [VMP_SIGNAL] = {VMP_FROM_HOST, 4, 4, 2},        [VMP_RESIZE] = {VMP_FROM_HOST, 4, 4, 2},
    [VMP_EXEC] = {VMP_FROM_HOST, 2, VMP_MAX, 1},    [VMP_EXIT] = {VMP_FROM_GUEST, 8, 8, 2},
    [VMP_ERROR] = {VMP_FROM_GUEST, 1, VMP_MAX, 2},  [VMP_HOLD] = {VMP_FROM_HOST, 0, 0, 2},
    [VMP_RELEASE] = {VMP_FROM_HOST, 0, 0, 2},       [VMP_OUTGONE] = {VMP_FROM_HOST, 1, 1, 2},
    [VMP_INHOLD] = {VMP_FROM_GUEST, 0, 0, 2},       [VMP_INRELEASE] = {VMP_FROM_GUEST, 0, 0, 2},
};

static int check_values(const struct vmp_frame *f, merr_t *err)
{
    if (f->type == VMP_SIGNAL) {
        uint32_t s = get_u32(f->data);
        if (s < 1 || s > 64)
            return err_set(err, 0, "SIGNAL frame with signal %u (want 1..64)", s);
    } else if (f->type == VMP_OUTGONE) {
        if (f->data[0] != 1 && f->data[0] != 2)
            return err_set(err, 0, "OUTGONE frame for stream %u (want 1 or 2)", f->data[0]);
    } else if (f->type == VMP_EXIT) {
        int32_t code = (int32_t)get_u32(f->data), sig = (int32_t)get_u32(f->data + 4);
        if (code < 0 || code > 255 || sig < 0 || sig > 64 || (sig && code))
            return err_set(err, 0, "EXIT frame with code %d and signal %d", code, sig);
    }
    return 0;
}

int vmp_parse(const uint8_t *buf, size_t n, enum vmp_from from, struct vmp_frame *f, size_t *used,
              merr_t *err)
{
    const char *who = from == VMP_FROM_GUEST ? "guest" : "host";
    if (n < VMP_HDR)
        return 0;
    uint32_t len = get_u32(buf);
    uint8_t type = buf[4];
    uint32_t chan = get_u32(buf + 5);
    if (len > VMP_MAX)
        return err_set(err, 0, "the %s sent a frame of %u bytes (at most %u)", who, len, VMP_MAX);
    if (type == 0 || type >= VMP_TYPE_END)
        return err_set(err, 0, "the %s sent a frame of unknown type %u", who, type);
    const struct rule *r = &rules[type];
    if (r->from != from)
        return err_set(err, 0, "the %s sent a %s frame, which only the %s sends", who,
                       type_names[type], from == VMP_FROM_GUEST ? "host" : "guest");
    if (len < r->min || len > r->max)
        return err_set(err, 0, "the %s sent a %s frame of %u bytes", who, type_names[type], len);
    if (chan > VMP_CHAN_MAX || (r->chan == 0 && chan != 0) || (r->chan == 1 && chan == 0))
        return err_set(err, 0, "the %s sent a %s frame on channel %u", who, type_names[type], chan);
    if (n - VMP_HDR < len)
        return 0;
    *f = (struct vmp_frame){type, chan, len, buf + VMP_HDR};
    if (check_values(f, err) < 0)
        return err_wrap(err, "the %s sent a bad frame", who);
    *used = VMP_HDR + len;
    return 1;
}

uint32_t vmp_signal_of(const struct vmp_frame *f)
{
    return get_u32(f->data);
}

void vmp_resize_of(const struct vmp_frame *f, unsigned *rows, unsigned *cols)
{
    *rows = (unsigned)f->data[0] | (unsigned)f->data[1] << 8;
    *cols = (unsigned)f->data[2] | (unsigned)f->data[3] << 8;
}

void vmp_exit_of(const struct vmp_frame *f, int *code, int *signo)
{
    *code = (int32_t)get_u32(f->data);
    *signo = (int32_t)get_u32(f->data + 4);
}

int vmp_exit_status(const struct vmp_frame *f)
{
    int code, sig;
    vmp_exit_of(f, &code, &sig);
    return sig ? 128 + sig : code;
}

void vmp_reader_init(struct vmp_reader *r)
{
    r->buf = xmalloc(VMP_HDR + VMP_MAX);
    r->len = r->off = 0;
}

void vmp_reader_free(struct vmp_reader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->off = 0;
}

/* drop the frames already handed out, so the free space is at the end */
static void compact(struct vmp_reader *r)
{
    if (r->off) {
        memmove(r->buf, r->buf + r->off, r->len - r->off);
        r->len -= r->off;
        r->off = 0;
    }
}

ssize_t vmp_reader_fill(struct vmp_reader *r, int fd)
{
    compact(r);
    size_t room = VMP_HDR + VMP_MAX - r->len;
    if (!room) {
        errno = EAGAIN;
        return -1;
    }
    ssize_t n;
    do
        n = read(fd, r->buf + r->len, room);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        r->len += (size_t)n;
    return n;
}

size_t vmp_reader_feed(struct vmp_reader *r, const uint8_t *data, size_t n)
{
    compact(r);
    size_t room = VMP_HDR + VMP_MAX - r->len;
    if (n > room)
        n = room;
    memcpy(r->buf + r->len, data, n);
    r->len += n;
    return n;
}

int vmp_reader_next(struct vmp_reader *r, enum vmp_from from, struct vmp_frame *f, merr_t *err)
{
    size_t used = 0;
    int k = vmp_parse(r->buf + r->off, r->len - r->off, from, f, &used, err);
    if (k == 1)
        r->off += used;
    return k;
}

void vmp_out_free(struct vmp_out *o)
{
    free(o->buf);
    *o = (struct vmp_out){0};
}

static void out_add(struct vmp_out *o, const void *p, size_t n)
{
    if (o->off && o->off == o->len)
        o->off = o->len = 0;
    if (o->len + n > o->cap) {
        if (o->off) {
            memmove(o->buf, o->buf + o->off, o->len - o->off);
            o->len -= o->off;
            o->off = 0;
        }
        if (o->len + n > o->cap) {
            size_t cap = o->cap ? o->cap : 4096;
            while (cap < o->len + n)
                cap *= 2;
            o->buf = xrealloc(o->buf, cap);
            o->cap = cap;
        }
    }
    if (n)
        memcpy(o->buf + o->len, p, n);
    o->len += n;
}

void vmp_out_raw(struct vmp_out *o, const void *data, size_t len)
{
    out_add(o, data, len);
}

int vmp_put(struct vmp_out *o, uint8_t type, uint32_t chan, const void *data, size_t len)
{
    if (len > VMP_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    uint8_t hdr[VMP_HDR];
    put_u32(hdr, (uint32_t)len);
    hdr[4] = type;
    put_u32(hdr + 5, chan);
    out_add(o, hdr, sizeof(hdr));
    out_add(o, data, len);
    return 0;
}

int vmp_put_signal(struct vmp_out *o, uint32_t chan, int signo)
{
    uint8_t p[4];
    put_u32(p, (uint32_t)signo);
    return vmp_put(o, VMP_SIGNAL, chan, p, sizeof(p));
}

int vmp_put_resize(struct vmp_out *o, uint32_t chan, unsigned rows, unsigned cols)
{
    uint8_t p[4] = {(uint8_t)rows, (uint8_t)(rows >> 8), (uint8_t)cols, (uint8_t)(cols >> 8)};
    return vmp_put(o, VMP_RESIZE, chan, p, sizeof(p));
}

int vmp_put_exit(struct vmp_out *o, uint32_t chan, int code, int signo)
{
    uint8_t p[8];
    put_u32(p, (uint32_t)code);
    put_u32(p + 4, (uint32_t)signo);
    return vmp_put(o, VMP_EXIT, chan, p, sizeof(p));
}

int vmp_out_flush(struct vmp_out *o, int fd)
{
    while (o->off < o->len) {
        ssize_t w = write(fd, o->buf + o->off, o->len - o->off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return 0;
        if (w < 0)
            return -1;
        o->off += (size_t)w;
    }
    o->off = o->len = 0;
    return 0;
}

void vmp_text_clean(struct sbuf *b, const uint8_t *s, size_t n, size_t max)
{
    size_t k = n < max ? n : max;
    for (size_t i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c == '\r')
            continue; /* the serial console's line ends; and no overwriting a line */
        if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f)
            sbuf_printf(b, "\\x%02x", c);
        else
            sbuf_add(b, (const char *)&s[i], 1);
    }
    if (k < n)
        sbuf_puts(b, "...");
}

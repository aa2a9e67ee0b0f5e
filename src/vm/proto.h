/* proto.h: the framed channel between moat-vmm (the supervisor, on the
 * host) and moat-vminit (the guest's pid 1) over one virtio-serial port
 * named "moat.ctl".
 *
 *   frame = u32 len (little-endian, payload bytes) | u8 type | u32 chan | payload
 *
 * The payload is at most VMP_MAX bytes. Channel 0 is the container's
 * process, channels 1.. the processes started by EXEC. Once the guest has
 * booted it runs code the container controls, so the host's decoder
 * treats every byte from it as hostile: a frame longer than VMP_MAX, of an
 * unknown type, of a type the guest may not send, with a payload of the
 * wrong size or values out of range is an error, and nothing is allocated
 * beyond one frame's buffer. */
#ifndef MOAT_VM_PROTO_H
#define MOAT_VM_PROTO_H

#include "../util/err.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VMP_HDR 9u
#define VMP_MAX 65536u
/* channel numbers above this are refused (exec channels are counted up
 * from 1 by the host) */
#define VMP_CHAN_MAX 0x7fffffffu
/* the guest's port name and the virtiofs tag of the container's root */
#define VMP_PORT_NAME "moat.ctl"
#define VMP_FS_TAG "rootfs"

enum vmp_type {
    VMP_SPEC = 1,  /* host->guest, chan 0: the guest spec (JSON) */
    VMP_READY,     /* guest->host, chan 0: booted, spec read; empty */
    VMP_STDIN,     /* host->guest: bytes for the process's stdin */
    VMP_STDIN_EOF, /* host->guest: close its stdin; empty */
    VMP_STDOUT,    /* guest->host */
    VMP_STDERR,    /* guest->host */
    VMP_SIGNAL,    /* host->guest: u32 signal number (1..64) */
    VMP_RESIZE,    /* host->guest: u16 rows, u16 cols */
    VMP_EXEC,      /* host->guest, chan >= 1: a process (JSON) to start */
    VMP_EXIT,      /* guest->host: i32 code (0..255), i32 signal (0..64) */
    VMP_ERROR,     /* guest->host: text (chan 0: the guest failed) */
    VMP_HOLD,      /* host->guest: stop reading the process's output (the host's
                      reader is behind); empty */
    VMP_RELEASE,   /* host->guest: read it again; empty */
    VMP_OUTGONE,   /* host->guest: u8 1 (stdout) or 2 (stderr): its reader is gone */
    VMP_INHOLD,    /* guest->host: stop sending the process's stdin (it is behind); empty */
    VMP_INRELEASE, /* guest->host: send it again; empty */
    VMP_TYPE_END
};

/* which side sent the bytes being decoded */
enum vmp_from { VMP_FROM_HOST, VMP_FROM_GUEST };

struct vmp_frame {
    uint8_t type;
    uint32_t chan;
    uint32_t len;
    const uint8_t *data; /* points into the buffer decoded */
};

/* The type's name ("STDOUT"), "?" if unknown. */
const char *vmp_type_name(unsigned type);

/* Decode one frame from buf[0..n). 1: a frame (*f, *used bytes); 0: more
 * bytes needed; -1: the bytes are not a frame `from` may send (err says
 * why). */
int vmp_parse(const uint8_t *buf, size_t n, enum vmp_from from, struct vmp_frame *f, size_t *used,
              merr_t *err);

/* Typed payloads of frames vmp_parse accepted. */
uint32_t vmp_signal_of(const struct vmp_frame *f);
void vmp_resize_of(const struct vmp_frame *f, unsigned *rows, unsigned *cols);
void vmp_exit_of(const struct vmp_frame *f, int *code, int *signo);
/* exit status as a shell reports it: code, or 128 + signal */
int vmp_exit_status(const struct vmp_frame *f);

/* A stream reader: one buffer of VMP_HDR + VMP_MAX bytes. */
struct vmp_reader {
    uint8_t *buf;
    size_t len; /* bytes held */
    size_t off; /* bytes of buf already handed out as frames */
};
void vmp_reader_init(struct vmp_reader *r);
void vmp_reader_free(struct vmp_reader *r);
/* One read(2) from fd into the free space: bytes read, 0 at EOF, -1 with
 * errno (EAGAIN when nothing is there). */
ssize_t vmp_reader_fill(struct vmp_reader *r, int fd);
/* Feed bytes (tests, the fuzzer): how many were taken. */
size_t vmp_reader_feed(struct vmp_reader *r, const uint8_t *data, size_t n);
/* The next whole frame: 1 (*f valid until the next fill or feed), 0 none
 * yet, -1 hostile (err). */
int vmp_reader_next(struct vmp_reader *r, enum vmp_from from, struct vmp_frame *f, merr_t *err);

/* An output queue of encoded frames. */
struct vmp_out {
    uint8_t *buf;
    size_t len, off, cap;
};
void vmp_out_free(struct vmp_out *o);
/* Bytes waiting. */
static inline size_t vmp_out_pending(const struct vmp_out *o)
{
    return o->len - o->off;
}
/* Append bytes as they are (the queue as a plain buffer). */
void vmp_out_raw(struct vmp_out *o, const void *data, size_t len);
/* Append a frame; -1 (EMSGSIZE) if len > VMP_MAX. */
int vmp_put(struct vmp_out *o, uint8_t type, uint32_t chan, const void *data, size_t len);
int vmp_put_signal(struct vmp_out *o, uint32_t chan, int signo);
int vmp_put_resize(struct vmp_out *o, uint32_t chan, unsigned rows, unsigned cols);
int vmp_put_exit(struct vmp_out *o, uint32_t chan, int code, int signo);
/* Write what is queued to fd. Non-blocking fd: writes what it can. 0 (all
 * or part written), -1 with errno on an error other than EAGAIN. */
int vmp_out_flush(struct vmp_out *o, int fd);

/* Text from the guest (an ERROR frame, the console) made safe for a
 * terminal: \r is dropped, bytes other than printable ASCII, \n and \t
 * become \xNN; at most max
 * bytes of input are shown. */
void vmp_text_clean(struct sbuf *b, const uint8_t *s, size_t n, size_t max);

#endif

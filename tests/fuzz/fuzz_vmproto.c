/* fuzz_vmproto: what a hostile guest writes to the VM's control port, as
 * moat-vmm decodes it (src/vm/proto.h). The input is the byte stream; its
 * first byte picks the sizes of the reads it arrives in. Every frame taken
 * must be within the limits and encode back to the same bytes. */
#include "util/util.h"
#include "vm/proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const struct vmp_frame *f)
{
    if (f->len > VMP_MAX || f->type == 0 || f->type >= VMP_TYPE_END || f->chan > VMP_CHAN_MAX)
        __builtin_trap();
    if (f->type == VMP_EXIT) {
        int st = vmp_exit_status(f);
        if (st < 0 || st > 255) /* a code, or 128 + a signal of 1..64 */
            __builtin_trap();
    }
    if (f->type == VMP_ERROR) {
        struct sbuf b = {0};
        vmp_text_clean(&b, f->data, f->len, 1024);
        for (size_t i = 0; i < b.len; i++)
            if ((b.buf[i] < 0x20 && b.buf[i] != '\n' && b.buf[i] != '\t') ||
                (unsigned char)b.buf[i] >= 0x7f)
                __builtin_trap();
        free(b.buf);
    }
    struct vmp_out o = {0};
    if (vmp_put(&o, f->type, f->chan, f->data, f->len) < 0)
        __builtin_trap();
    struct vmp_frame g;
    size_t used = 0;
    merr_t err = MERR_INIT;
    if (vmp_parse(o.buf, o.len, VMP_FROM_GUEST, &g, &used, &err) != 1 || used != o.len ||
        g.type != f->type || g.chan != f->chan || g.len != f->len ||
        memcmp(g.data, f->data, f->len) != 0)
        __builtin_trap();
    vmp_out_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)data[0] * 37 + 1;
    data++;
    size--;
    struct vmp_reader r;
    vmp_reader_init(&r);
    merr_t err = MERR_INIT;
    size_t at = 0;
    int k = 0;
    while (at < size && k >= 0) {
        size_t n = size - at < chunk ? size - at : chunk;
        at += vmp_reader_feed(&r, data + at, n);
        struct vmp_frame f;
        while ((k = vmp_reader_next(&r, VMP_FROM_GUEST, &f, &err)) == 1)
            check(&f);
        if (k == 0 && r.len - r.off == VMP_HDR + VMP_MAX)
            __builtin_trap(); /* a full buffer must hold a frame */
    }
    err_clear(&err);
    vmp_reader_free(&r);
    return 0;
}

/* test_vmproto.c: the frames between moat-vmm and moat-vminit
 * (src/vm/proto.h), most of all what the host refuses from a guest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/util.h"
#include "vm/proto.h"

#include <string.h>

/* a raw frame: header fields as given, payload p[0..n) */
static size_t raw(uint8_t *buf, uint32_t len, uint8_t type, uint32_t chan, const void *p, size_t n)
{
    buf[0] = (uint8_t)len;
    buf[1] = (uint8_t)(len >> 8);
    buf[2] = (uint8_t)(len >> 16);
    buf[3] = (uint8_t)(len >> 24);
    buf[4] = type;
    buf[5] = (uint8_t)chan;
    buf[6] = (uint8_t)(chan >> 8);
    buf[7] = (uint8_t)(chan >> 16);
    buf[8] = (uint8_t)(chan >> 24);
    if (n)
        memcpy(buf + VMP_HDR, p, n);
    return VMP_HDR + n;
}

static void refused(const uint8_t *buf, size_t n, enum vmp_from from, const char *why)
{
    struct vmp_frame f;
    size_t used = 0;
    merr_t err = MERR_INIT;
    int k = vmp_parse(buf, n, from, &f, &used, &err);
    if (k != -1)
        fail_msg("%s: taken (%d)", why, k);
    assert_non_null(err.msg);
    assert_int_equal(used, 0);
    err_clear(&err);
}

static void test_roundtrip(void **state)
{
    (void)state;
    struct vmp_out o = {0};
    assert_int_equal(vmp_put(&o, VMP_READY, 0, NULL, 0), 0);
    assert_int_equal(vmp_put(&o, VMP_STDOUT, 3, "hello", 5), 0);
    assert_int_equal(vmp_put_exit(&o, 3, 0, 9), 0);
    assert_int_equal(vmp_put_exit(&o, 0, 42, 0), 0);
    assert_int_equal(vmp_put(&o, VMP_ERROR, 0, "no", 2), 0);
    /* fed one byte at a time: frames appear only when whole */
    struct vmp_reader r;
    vmp_reader_init(&r);
    struct vmp_frame f;
    merr_t err = MERR_INIT;
    int seen = 0;
    for (size_t i = 0; i < o.len; i++) {
        assert_int_equal(vmp_reader_feed(&r, o.buf + i, 1), 1);
        int k;
        while ((k = vmp_reader_next(&r, VMP_FROM_GUEST, &f, &err)) == 1) {
            switch (seen++) {
            case 0:
                assert_int_equal(f.type, VMP_READY);
                assert_int_equal(f.len, 0);
                break;
            case 1:
                assert_int_equal(f.type, VMP_STDOUT);
                assert_int_equal(f.chan, 3);
                assert_memory_equal(f.data, "hello", 5);
                break;
            case 2:
                assert_int_equal(f.type, VMP_EXIT);
                assert_int_equal(vmp_exit_status(&f), 137);
                break;
            case 3:
                assert_int_equal(vmp_exit_status(&f), 42);
                break;
            case 4:
                assert_int_equal(f.type, VMP_ERROR);
                break;
            }
        }
        assert_int_equal(k, 0);
    }
    assert_int_equal(seen, 5);
    vmp_reader_free(&r);
    vmp_out_free(&o);
}

static void test_host_frames(void **state)
{
    (void)state;
    struct vmp_out o = {0};
    vmp_put(&o, VMP_SPEC, 0, "{}", 2);
    vmp_put_signal(&o, 0, 15);
    vmp_put_resize(&o, 2, 50, 300);
    vmp_put(&o, VMP_EXEC, 2, "{}", 2);
    vmp_put(&o, VMP_STDIN_EOF, 2, NULL, 0);
    struct vmp_frame f;
    size_t used = 0, at = 0;
    merr_t err = MERR_INIT;
    unsigned rows, cols;
    assert_int_equal(vmp_parse(o.buf, o.len, VMP_FROM_HOST, &f, &used, &err), 1);
    assert_int_equal(f.type, VMP_SPEC);
    at += used;
    assert_int_equal(vmp_parse(o.buf + at, o.len - at, VMP_FROM_HOST, &f, &used, &err), 1);
    assert_int_equal(vmp_signal_of(&f), 15);
    at += used;
    assert_int_equal(vmp_parse(o.buf + at, o.len - at, VMP_FROM_HOST, &f, &used, &err), 1);
    vmp_resize_of(&f, &rows, &cols);
    assert_int_equal(rows, 50);
    assert_int_equal(cols, 300);
    at += used;
    assert_int_equal(vmp_parse(o.buf + at, o.len - at, VMP_FROM_HOST, &f, &used, &err), 1);
    assert_int_equal(f.chan, 2);
    at += used;
    assert_int_equal(vmp_parse(o.buf + at, o.len - at, VMP_FROM_HOST, &f, &used, &err), 1);
    assert_int_equal(f.type, VMP_STDIN_EOF);
    at += used;
    assert_int_equal(at, o.len);
    /* the host's frames, read as the guest's, are refused */
    refused(o.buf, o.len, VMP_FROM_GUEST, "SPEC from the guest");
    vmp_out_free(&o);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t b[VMP_HDR + 64];
    uint8_t exitp[8] = {0};
    /* lengths beyond the cap are refused from the header alone, before any
     * payload has arrived: nothing waits for 4 GiB */
    refused(b, raw(b, VMP_MAX + 1, VMP_STDOUT, 0, NULL, 0), VMP_FROM_GUEST, "65537 bytes");
    refused(b, raw(b, UINT32_MAX, VMP_STDOUT, 0, NULL, 0), VMP_FROM_GUEST, "4 GiB");
    refused(b, raw(b, 0, 0, 0, NULL, 0), VMP_FROM_GUEST, "type 0");
    refused(b, raw(b, 0, VMP_TYPE_END, 0, NULL, 0), VMP_FROM_GUEST, "type END");
    refused(b, raw(b, 0, 255, 0, NULL, 0), VMP_FROM_GUEST, "type 255");
    refused(b, raw(b, 1, VMP_STDIN, 0, "x", 1), VMP_FROM_GUEST, "STDIN from the guest");
    refused(b, raw(b, 2, VMP_EXEC, 1, "{}", 2), VMP_FROM_GUEST, "EXEC from the guest");
    refused(b, raw(b, 1, VMP_READY, 0, "x", 1), VMP_FROM_GUEST, "READY with a payload");
    refused(b, raw(b, 0, VMP_READY, 4, NULL, 0), VMP_FROM_GUEST, "READY on chan 4");
    refused(b, raw(b, 0, VMP_STDOUT, 0, NULL, 0), VMP_FROM_GUEST, "empty STDOUT");
    refused(b, raw(b, 1, VMP_STDOUT, 0x80000000u, "x", 1), VMP_FROM_GUEST, "chan 2^31");
    refused(b, raw(b, 7, VMP_EXIT, 0, exitp, 7), VMP_FROM_GUEST, "EXIT of 7 bytes");
    refused(b, raw(b, 9, VMP_EXIT, 0, "123456789", 9), VMP_FROM_GUEST, "EXIT of 9 bytes");
    exitp[0] = 0;
    exitp[1] = 1; /* code 256 */
    refused(b, raw(b, 8, VMP_EXIT, 0, exitp, 8), VMP_FROM_GUEST, "EXIT code 256");
    memset(exitp, 0xff, 4); /* code -1 */
    refused(b, raw(b, 8, VMP_EXIT, 0, exitp, 8), VMP_FROM_GUEST, "EXIT code -1");
    memset(exitp, 0, 8);
    exitp[4] = 65;
    refused(b, raw(b, 8, VMP_EXIT, 0, exitp, 8), VMP_FROM_GUEST, "EXIT signal 65");
    exitp[0] = 1;
    exitp[4] = 9;
    refused(b, raw(b, 8, VMP_EXIT, 0, exitp, 8), VMP_FROM_GUEST, "EXIT code and signal");
    uint8_t sig[4] = {0};
    refused(b, raw(b, 4, VMP_SIGNAL, 0, sig, 4), VMP_FROM_HOST, "SIGNAL 0");
    sig[0] = 65;
    refused(b, raw(b, 4, VMP_SIGNAL, 0, sig, 4), VMP_FROM_HOST, "SIGNAL 65");
    refused(b, raw(b, 3, VMP_RESIZE, 0, "abc", 3), VMP_FROM_HOST, "RESIZE of 3 bytes");
    refused(b, raw(b, 2, VMP_EXEC, 0, "{}", 2), VMP_FROM_HOST, "EXEC on chan 0");
    refused(b, raw(b, 2, VMP_SPEC, 1, "{}", 2), VMP_FROM_HOST, "SPEC on chan 1");
    /* flow control: the host's, empty, on any channel */
    refused(b, raw(b, 0, VMP_HOLD, 0, NULL, 0), VMP_FROM_GUEST, "HOLD from the guest");
    refused(b, raw(b, 1, VMP_RELEASE, 3, "x", 1), VMP_FROM_HOST, "RELEASE with a payload");
    struct vmp_frame f;
    size_t used = 0;
    merr_t err = MERR_INIT;
    size_t n = raw(b, 0, VMP_HOLD, 3, NULL, 0);
    assert_int_equal(vmp_parse(b, n, VMP_FROM_HOST, &f, &used, &err), 1);
    assert_int_equal(f.type, VMP_HOLD);
    assert_int_equal(f.chan, 3);
    assert_string_equal(vmp_type_name(VMP_RELEASE), "RELEASE");
}

static void test_partial(void **state)
{
    (void)state;
    uint8_t b[VMP_HDR + 8];
    struct vmp_frame f;
    size_t used = 0;
    merr_t err = MERR_INIT;
    size_t n = raw(b, 5, VMP_STDERR, 1, "hello", 5);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(vmp_parse(b, i, VMP_FROM_GUEST, &f, &used, &err), 0);
    assert_int_equal(vmp_parse(b, n, VMP_FROM_GUEST, &f, &used, &err), 1);
    assert_int_equal(used, n);
    /* a frame of the largest size fits the reader whole */
    struct vmp_out o = {0};
    uint8_t *big = xzalloc(VMP_MAX);
    big[0] = 'x';
    assert_int_equal(vmp_put(&o, VMP_STDOUT, 0, big, VMP_MAX), 0);
    assert_int_equal(vmp_put(&o, VMP_STDOUT, 0, big, VMP_MAX + 1), -1);
    struct vmp_reader r;
    vmp_reader_init(&r);
    assert_int_equal(vmp_reader_feed(&r, o.buf, o.len), o.len);
    assert_int_equal(vmp_reader_next(&r, VMP_FROM_GUEST, &f, &err), 1);
    assert_int_equal(f.len, VMP_MAX);
    /* the reader never holds more than one frame's worth */
    assert_int_equal(vmp_reader_feed(&r, o.buf, o.len), o.len);
    assert_int_equal(vmp_reader_feed(&r, o.buf, 10), 0);
    vmp_reader_free(&r);
    vmp_out_free(&o);
    free(big);
}

static void test_text_clean(void **state)
{
    (void)state;
    struct sbuf b = {0};
    const char *in = "ok\r\n\x1b]0;owned\x07 \xc2\x9b"
                     "2J\ttab";
    vmp_text_clean(&b, (const uint8_t *)in, strlen(in), 100);
    assert_string_equal(b.buf, "ok\n\\x1b]0;owned\\x07 \\xc2\\x9b2J\ttab");
    free(b.buf);
    b = (struct sbuf){0};
    vmp_text_clean(&b, (const uint8_t *)"abcdef", 6, 3);
    assert_string_equal(b.buf, "abc...");
    free(b.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),  cmocka_unit_test(test_host_frames),
        cmocka_unit_test(test_hostile),    cmocka_unit_test(test_partial),
        cmocka_unit_test(test_text_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

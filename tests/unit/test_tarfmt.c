/* test_tarfmt.c: the tar headers moat writes (src/engine/tarfmt.h), read
 * back by libarchive: ustar fields, and pax records for what does not fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/tarfmt.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

/* h then its data (size bytes of 'd', padded) then the end, read back */
static void roundtrip(const struct tar_hdr *h, const char *want_name)
{
    unsigned char *b;
    size_t n;
    tar_header(h, &b, &n);
    assert_int_equal(n % 512, 0);
    size_t data = (size_t)((h->size + 511) / 512 * 512);
    unsigned char *all = xzalloc(n + data + TAR_END_LEN);
    memcpy(all, b, n);
    memset(all + n, 'd', (size_t)h->size);
    free(b);
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_memory(a, all, n + data + TAR_END_LEN), ARCHIVE_OK);
    struct archive_entry *e;
    assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
    assert_string_equal(archive_entry_pathname(e), want_name);
    assert_int_equal(archive_entry_uid(e), h->uid);
    assert_int_equal(archive_entry_gid(e), h->gid);
    assert_int_equal(archive_entry_perm(e), h->mode);
    assert_int_equal(archive_entry_mtime(e), h->mtime);
    if (h->link)
        assert_string_equal(archive_entry_symlink(e), h->link);
    if (h->type == TAR_REG)
        assert_int_equal(archive_entry_size(e), h->size);
    if (h->type == TAR_CHR) {
        assert_int_equal(archive_entry_rdevmajor(e), h->devmajor);
        assert_int_equal(archive_entry_rdevminor(e), h->devminor);
    }
    assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
    archive_read_free(a);
    free(all);
}

static void test_fields(void **state)
{
    (void)state;
    struct tar_hdr f = {"etc/passwd", NULL, TAR_REG, 0644, 0, 0, 13, 1700000000, 0, 0};
    roundtrip(&f, "etc/passwd");
    struct tar_hdr d = {"a/b", NULL, TAR_DIR, 01777, 1000, 1001, 0, 1, 0, 0};
    roundtrip(&d, "a/b/");
    struct tar_hdr l = {"l", "/etc/passwd", TAR_SYMLINK, 0777, 0, 0, 0, 0, 0, 0};
    roundtrip(&l, "l");
    struct tar_hdr c = {"dev/null", NULL, TAR_CHR, 0666, 0, 0, 0, 0, 1, 3};
    roundtrip(&c, "dev/null");
    struct tar_hdr s = {"bin/su", NULL, TAR_REG, 04755, 0, 0, 0, 0, 0, 0};
    roundtrip(&s, "bin/su");
}

static void test_pax(void **state)
{
    (void)state;
    /* a name and a link target past 100 bytes, ids past ustar's 2^21 */
    char name[400], target[300];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    name[50] = name[150] = '/';
    memset(target, 't', sizeof(target) - 1);
    target[sizeof(target) - 1] = 0;
    struct tar_hdr h = {name, NULL, TAR_REG, 0600, 3000000, 4000000, 5, 1700000000, 0, 0};
    roundtrip(&h, name);
    struct tar_hdr l = {name, target, TAR_SYMLINK, 0777, 0, 0, 0, 0, 0, 0};
    roundtrip(&l, name);
    /* pax records whose length changes the count of its digits */
    for (size_t len = 90; len < 120; len++) {
        char *nm = xzalloc(len + 1);
        memset(nm, 'x', len);
        struct tar_hdr v = {nm, NULL, TAR_REG, 0644, 0, 0, 0, 0, 0, 0};
        roundtrip(&v, nm);
        free(nm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_pax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

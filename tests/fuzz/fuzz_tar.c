/* fuzz_tar: a layer tarball (plain, gzip or zstd) unpacked into a fresh
 * directory, as `moat load`, `import` and `pull` do, and its diff_id
 * computed; and the same bytes read as a list of members that are
 * written into a valid tar first. Every entry must land inside that directory: after each
 * input the fuzzer checks that nothing appeared beside it. Run as root
 * (whiteouts, owners) in a scratch $TMPDIR. */
#include "engine/unpack.h"
#include "util/fs.h"
#include "util/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int top = -1; /* a private directory holding "layer" and "canary" */
static char *top_path;

static void cleanup(void)
{
    rm_rf_at(AT_FDCWD, top_path);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    top_path = xasprintf("%s/moat-fuzz-tar.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(top_path))
        abort();
    top = open(top_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0 || mkdirat(top, "canary", 0700) < 0)
        abort();
    atexit(cleanup);
}

static char *keep_all(const char *name, void *ctx)
{
    (void)ctx;
    return xstrdup(name);
}

/* nothing but "canary" (empty) and "layer" in top */
static void check_contained(void)
{
    char **names = dir_collect(top, ".", keep_all, NULL);
    for (size_t i = 0; names && names[i]; i++)
        if (strcmp(names[i], "canary") != 0 && strcmp(names[i], "layer") != 0)
            __builtin_trap();
    strv_free(names);
    names = dir_collect(top, "canary", keep_all, NULL);
    if (names && names[0])
        __builtin_trap();
    strv_free(names);
}

/* Unpack the archive of size bytes into a fresh "layer" and check that
 * nothing got out. */
static void unpack_bytes(const void *data, size_t size)
{
    int fd = memfd_create("layer", MFD_CLOEXEC);
    if (fd < 0 || write_all(fd, data, size) < 0)
        abort();
    struct unpack_opts o;
    unpack_defaults(&o);
    o.max_bytes = 4 << 20;
    o.max_entries = 1000;
    merr_t err = MERR_INIT;
    char diff[72];
    lseek(fd, 0, SEEK_SET);
    unpack_stream_digest(fd, o.max_bytes, diff, &err);
    err_clear(&err);
    rm_rf_at(top, "layer");
    if (mkdirat(top, "layer", 0755) < 0)
        abort();
    int dfd = openat(top, "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        abort();
    lseek(fd, 0, SEEK_SET);
    unpack_tar(fd, dfd, &o, NULL, &err);
    err_clear(&err);
    close(dfd);
    close(fd);
    check_contained();
    rm_rf_at(top, "layer");
}

static la_ssize_t sbuf_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
    (void)a;
    sbuf_add(ctx, buf, n);
    return (la_ssize_t)n;
}

/* a NUL-terminated string of the input (at most 200 bytes) */
static char *take_str(const uint8_t *d, size_t n, size_t *i)
{
    size_t start = *i;
    while (*i < n && d[*i] && *i - start < 200)
        (*i)++;
    char *s = xstrndup((const char *)d + start, *i - start);
    if (*i < n)
        (*i)++;
    return s;
}

/* The input as a list of members, written as a valid tar: the checksums
 * and headers libarchive checks would stop most mutated bytes before they
 * reach the unpacker. Each member: type, 2 bytes of mode, uid and gid
 * bytes, a data length byte, the name, for links the target (both
 * NUL-terminated), the data. */
static void unpack_members(const uint8_t *d, size_t n)
{
    static const mode_t types[] = {AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFREG,
                                   AE_IFIFO, AE_IFCHR, AE_IFBLK};
    struct sbuf out = {0};
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open(a, &out, NULL, sbuf_write, NULL) != ARCHIVE_OK)
        abort();
    for (size_t i = 0; i + 6 <= n;) {
        unsigned t = d[i] % 7, mode = d[i + 1] | (unsigned)d[i + 2] << 8;
        unsigned uid = d[i + 3], gid = d[i + 4], len = d[i + 5];
        i += 6;
        cleanup_free char *name = take_str(d, n, &i);
        cleanup_free char *link = t == 2 || t == 3 ? take_str(d, n, &i) : NULL;
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, types[t]);
        archive_entry_set_perm(e, mode & 07777);
        archive_entry_set_uid(e, uid);
        archive_entry_set_gid(e, gid);
        if (t == 2)
            archive_entry_set_symlink(e, link);
        if (t == 3)
            archive_entry_set_hardlink(e, link);
        if (t == 5 || t == 6)
            archive_entry_set_rdev(e, makedev(mode >> 8, mode & 0xff));
        size_t dl = t == 0 ? (len < n - i ? len : n - i) : 0;
        archive_entry_set_size(e, (la_int64_t)dl);
        if (archive_write_header(a, e) == ARCHIVE_OK && dl)
            archive_write_data(a, d + i, dl);
        i += dl;
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    unpack_bytes(out.buf ? out.buf : "", out.len);
    free(out.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (top < 0)
        setup();
    unpack_bytes(data, size);
    unpack_members(data, size);
    return 0;
}

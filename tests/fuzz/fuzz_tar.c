/* fuzz_tar: a layer tarball (plain, gzip or zstd) unpacked into a fresh
 * directory, as `moat load`, `import` and `pull` do, and its diff_id
 * computed. Every entry must land inside that directory: after each
 * input the fuzzer checks that nothing appeared beside it. Run as root
 * (whiteouts, owners) in a scratch $TMPDIR. */
#include "engine/unpack.h"
#include "util/fs.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (top < 0)
        setup();
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
    return 0;
}

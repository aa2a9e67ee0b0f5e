/* ctr_top.c: a container's processes (see ctr_top.h). */
#include "ctr_top.h"
#include "ctr.h"
#include "../runtime/runtime.h"
#include "../util/fs.h"
#include "../util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long boot_time(void)
{
    cleanup_free char *t = NULL;
    if (read_file_at(AT_FDCWD, "/proc/stat", &t, NULL, NULL) < 0)
        return 0;
    const char *p = strstr(t, "\nbtime ");
    return p ? atoll(p + 7) : 0;
}

#define CMDLINE_MAX 4096 /* what top shows of a command line */

/* the length of the valid UTF-8 sequence at p (at most n bytes), or 0 */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80             ? 1
                 : (p[0] & 0xE0) == 0xC0 ? 2
                 : (p[0] & 0xF0) == 0xE0 ? 3
                 : (p[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || len > n || (len == 2 && p[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* The command line in dirfd (a /proc/PID), its first CMDLINE_MAX bytes:
 * arguments apart by spaces, and what the container's process put there
 * that is not printable UTF-8 (a terminal's escapes, stray bytes) as "?" */
static char *cmdline(int dirfd)
{
    unsigned char raw[CMDLINE_MAX];
    ssize_t n = 0;
    int fd = openat(dirfd, "cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, raw, sizeof(raw));
        close(fd);
    }
    struct sbuf b = {0};
    for (size_t i = 0; n > 0 && i < (size_t)n;) {
        size_t len = utf8_len(raw + i, (size_t)n - i);
        if (len == 1 && raw[i] == 0)
            sbuf_puts(&b, i + 1 < (size_t)n ? " " : "");
        else if (len == 0 || (len == 1 && (raw[i] < 0x20 || raw[i] == 0x7f)))
            sbuf_puts(&b, "?");
        else
            sbuf_add(&b, (const char *)raw + i, len);
        i += len ? len : 1;
    }
    return b.buf ? sbuf_steal(&b) : xstrdup("");
}

/* one process' row, or NULL when it is gone */
static json_t *top_row(pid_t pid, long long btime, long hz)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    /* one look at the process: a pid used again meanwhile gives nothing */
    cleanup_close int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *st = NULL;
    if (dfd < 0 || read_file_at(dfd, "stat", &st, NULL, NULL) < 0)
        return NULL;
    char *rp = strrchr(st, ')');
    if (!rp)
        return NULL;
    /* fields after the command: state ppid ... utime(14) stime(15) ...
     * starttime(22), numbered from 1 with pid */
    long long f[24] = {0};
    char state;
    int n = sscanf(rp + 2,
                   "%c %lld %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld %*d %*d %*d %*d %*d %*d "
                   "%lld",
                   &state, &f[4], &f[14], &f[15], &f[22]);
    if (n != 5)
        return NULL;
    struct stat sb;
    uid_t uid = fstat(dfd, &sb) == 0 ? sb.st_uid : 0;
    time_t start = (time_t)(btime + f[22] / hz);
    struct tm tm;
    localtime_r(&start, &tm);
    char stime[16];
    strftime(stime, sizeof(stime), "%H:%M", &tm);
    long long cpu = (f[14] + f[15]) / hz;
    cleanup_free char *cmd = cmdline(dfd);
    return json_pack("[o,o,o,s,s,o,s]", json_sprintf("%u", (unsigned)uid),
                     json_sprintf("%d", (int)pid), json_sprintf("%lld", f[4]), stime, "?",
                     json_sprintf("%02lld:%02lld:%02lld", cpu / 3600, cpu / 60 % 60, cpu % 60),
                     cmd);
}

json_t *ctr_top(struct store *s, const char *name, merr_t *err)
{
    char id[65];
    pid_t *pids = NULL;
    size_t n = 0;
    if (ctr_find(s, name, id, err) < 0)
        return NULL;
    int rootfd = ctr_runtime_rootfd(s, err);
    if (rootfd < 0)
        return NULL;
    int r = op_pids(rootfd, id, &pids, &n, err);
    close(rootfd);
    if (r < 0)
        return NULL;
    long long bt = boot_time();
    long hz = sysconf(_SC_CLK_TCK);
    json_t *procs = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *row = top_row(pids[i], bt, hz > 0 ? hz : 100);
        if (row)
            json_array_append_new(procs, row);
    }
    free(pids);
    return json_pack("{s:[s,s,s,s,s,s,s],s:o}", "Titles", "UID", "PID", "PPID", "STIME", "TTY",
                     "TIME", "CMD", "Processes", procs);
}

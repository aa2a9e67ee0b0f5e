/* signame.c: signal names as users and images write them. */
#include "signame.h"
#include "util.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int sig;
} signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int signal_parse(const char *s)
{
    uint64_t n;
    if (parse_u64(s, &n) == 0)
        return n >= 1 && n <= 64 ? (int)n : 0;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < ARRAY_SIZE(signals); i++)
        if (strcasecmp(signals[i].name, s) == 0)
            return signals[i].sig;
    if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
        int64_t off = 0;
        if (s[5] && parse_i64(s + 5, &off) < 0)
            return 0;
        int v = (strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX) + (int)off;
        return v >= SIGRTMIN && v <= SIGRTMAX ? v : 0;
    }
    return 0;
}

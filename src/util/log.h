/* log.h: diagnostics. Errors and warnings go to stderr and, with --log, to
 * a log file as text or JSON lines ({"level","msg","time"}, the format the
 * containerd shim and dockerd read). Debug lines only with --debug. */
#ifndef MOAT_LOG_H
#define MOAT_LOG_H

#include <stdbool.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* path may be NULL (stderr only). json selects JSON lines. Returns -1 and
 * sets errno if the log file cannot be opened. */
int log_open(const char *path, bool json, bool debug);
void log_close(void);
bool log_debug_enabled(void);
/* fd of the log file or -1 (kept open with O_CLOEXEC). */
int log_fd(void);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_debug_enabled())                                                                   \
            log_msg(LOG_DEBUG, __VA_ARGS__);                                                       \
    } while (0)

#endif

/* err.h: the error object. Functions that can fail return a negative value
 * and fill a merr_t with an errno and a message that says what, where and
 * why. Only main() prints it. */
#ifndef MOAT_ERR_H
#define MOAT_ERR_H

typedef struct merr {
    int errnum; /* errno, 0 if the cause is not a system call */
    char *msg;  /* full message, NULL if no error */
} merr_t;

#define MERR_INIT                                                                                  \
    {                                                                                              \
        0, NULL                                                                                    \
    }

/* Set the error (replacing any earlier one). If errnum != 0, ": strerror"
 * is appended. Always returns -1. */
int err_set(merr_t *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same as err_set with errno as errnum. */
int err_sys(merr_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend context: "context: old message". Returns -1. */
int err_wrap(merr_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(merr_t *e);

#endif

/* timearg.h: the time arguments of Docker's --since and --until (events,
 * logs): what Docker's GetTimestamp accepts, as nanoseconds since the
 * epoch. */
#ifndef MOAT_TIMEARG_H
#define MOAT_TIMEARG_H

#include <stdint.h>

/* s as one of:
 *   a Go duration ("10m", "1h30m", "-5s"): that long before now_ns
 *   Unix seconds, with an optional fraction ("1700000000", "1700000000.5")
 *   RFC 3339 and its shorter forms: "2024-01-02", "2024-01-02T15",
 *   "2024-01-02T15:04", "2024-01-02T15:04:05", each with an optional
 *   fraction of seconds (after :05) and zone ("Z", "+02:00", "-0700");
 *   without a zone it is local time, as Docker reads it
 * into *ns; -1 when s is none of them (or out of range). */
int timearg_parse(const char *s, int64_t now_ns, int64_t *ns);

/* Now, in nanoseconds since the epoch. */
int64_t timearg_now(void);

#endif

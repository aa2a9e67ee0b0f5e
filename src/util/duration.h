/* duration.h: Go's time.Duration text ("1m30s", "500ms", "2h45m",
 * "1.5s", "-3us"), as Docker's flags take and print durations. */
#ifndef MOAT_DURATION_H
#define MOAT_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DUR_US INT64_C(1000)
#define DUR_MS INT64_C(1000000)
#define DUR_S INT64_C(1000000000)

/* s as Go's time.ParseDuration reads it: an optional sign, then one or
 * more decimal numbers (a fraction allowed) each with a unit: ns, us (µs,
 * μs), ms, s, m, h; "0" alone is zero. Nanoseconds in *ns; -1 when s is
 * not a duration or does not fit in 64 bits. */
int duration_parse(const char *s, int64_t *ns);

/* ns as Go's Duration.String prints it ("1m30s", "500ms", "1.5µs", "0s")
 * into buf; 32 bytes always suffice. */
void duration_format(int64_t ns, char *buf, size_t size);

#endif

/* clock.h: milliseconds of the monotonic and boot clocks, and sleeping
 * for some. */
#ifndef MOAT_UTIL_CLOCK_H
#define MOAT_UTIL_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC, in ms: for timeouts of the host's */
int64_t clock_mono_ms(void);
/* CLOCK_BOOTTIME, in ms: as monotonic, and counting a suspend */
int64_t clock_boot_ms(void);
/* sleep ms milliseconds (a signal may end it sooner) */
void sleep_ms(long ms);

#endif

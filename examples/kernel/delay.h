/* delay.h: busy-wait delays in microseconds, measured with the TSC after
 * calibrating it against the PIT once at boot. */
#ifndef DEMO_DELAY_H
#define DEMO_DELAY_H

#include <stdbool.h>
#include <stdint.h>

/* Measures the TSC against 10 ms PIT intervals (the lowest of three).
 * Returns false (and delays fall back to a conservative estimate) if
 * there is no PIT or it gave an implausible interval. */
bool delay_init(void);
/* TSC ticks per microsecond, as calibrated (or the fallback). */
uint32_t delay_tsc_per_us(void);
void udelay(uint32_t us);
/* A deadline `us` microseconds from now, and whether it has passed. */
uint64_t delay_deadline(uint32_t us);
bool delay_passed(uint64_t deadline);

#endif

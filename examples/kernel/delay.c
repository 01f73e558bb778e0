/* delay.c: microsecond delays for the SMP start-up sequence (INIT, 10 ms,
 * SIPI, 200 us, then a bounded wait for the AP).  Counting port reads or
 * loop iterations gives a "microsecond" that depends on the machine, and
 * under qemu each port read also takes qemu's global lock, which the AP
 * being started needs; the TSC costs neither.  The TSC rate is measured
 * once against the PIT, whose input clock is fixed at 1.193182 MHz:
 * channel 2 counts down 10 ms in mode 0 (gated by port 0x61 bit 0, its
 * output read back at port 0x61 bit 5). */
#include "delay.h"
#include "io.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 out */
#define CAL_MS 10u
#define CAL_TRIES 3u
/* If the PIT does not answer, assume a 4 GHz TSC: on any slower one the
 * delays come out longer than asked, which is the safe side. */
#define FALLBACK_TSC_PER_US 4000u

/* No CPU with a local APIC has a TSC slower than this (MHz). */
#define MIN_TSC_PER_US 50u

static uint32_t tsc_per_us = FALLBACK_TSC_PER_US;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* One 10 ms measurement: TSC ticks per microsecond, or 0 if the PIT did
 * not give a plausible interval. */
static uint32_t measure_once(void)
{
	const uint32_t count = PIT_HZ / (1000u / CAL_MS);
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02u) | 0x01u)); /* gate on, speaker off */
	outb(PIT_CMD, 0xB0); /* channel 2, low then high byte, mode 0, binary */
	outb(PIT_CH2, (uint8_t)count);
	/* The count starts with its high byte: reading the TSC first means a
	 * pause in between can only make the measured rate too high (and
	 * the delays longer), never too low. */
	uint64_t start = rdtsc();
	outb(PIT_CH2, (uint8_t)(count >> 8));
	/* Bounded: a PIT that never counts down must not hang the boot. */
	for (uint32_t polls = 0; polls < 100000000u; polls++) {
		if (inb(PORT_B) & 0x20) {
			uint64_t per_us = (rdtsc() - start) / (CAL_MS * 1000u);
			/* Below MIN_TSC_PER_US the interval did not really last
			 * 10 ms (without a PIT, qemu -machine pit=off, the output
			 * reads high at once); a rate that low would make every
			 * delay short. */
			if (per_us < MIN_TSC_PER_US || per_us > UINT32_MAX)
				return 0;
			return (uint32_t)per_us;
		}
	}
	return 0;
}

/* A measurement can only err high (the poll that sees the count run out
 * comes late when the CPU, or qemu's thread, was paused), so the lowest
 * of a few is the closest. */
bool delay_init(void)
{
	uint32_t best = 0;
	for (unsigned i = 0; i < CAL_TRIES; i++) {
		uint32_t r = measure_once();
		if (!r)
			return false;
		if (!best || r < best)
			best = r;
	}
	tsc_per_us = best;
	return true;
}

uint32_t delay_tsc_per_us(void) { return tsc_per_us; }

uint64_t delay_deadline(uint32_t us)
{
	return rdtsc() + (uint64_t)us * tsc_per_us;
}

bool delay_passed(uint64_t deadline)
{
	return rdtsc() >= deadline;
}

void udelay(uint32_t us)
{
	uint64_t end = delay_deadline(us);
	while (!delay_passed(end))
		cpu_relax();
}

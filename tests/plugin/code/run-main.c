/* tests/plugin/code/run-main.c: a hosted VM-mode program over the per-CPU
 * API.  It sets up its own window (the test link, run-window.lds, puts
 * .data.percpu and .bss.percpu at a fixed address with room for NR_CPUS
 * strides above it; expected addresses are computed as integers so the
 * checks themselves raise no -Warray-bounds),
 * checks every access against the address it must have, and prints what
 * it computed.  `poison` overwrites __per_cpu_offset with garbage first:
 * only a build whose every table load the plugin replaced survives it.
 * It names constant CPUs up to 7: runs.sh builds it against a config.h
 * with NR_CPUS >= 8 (tests/plugin/plugin-lib.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "run.h"

DEFINE_PER_CPU(long, counter);
DEFINE_PER_CPU(struct stats, stats);
DEFINE_PER_CPU(int[32], slots);
DEFINE_PER_CPU(int, initialised) = 1234;

unsigned long __per_cpu_offset[NR_CPUS];
unsigned test_cpu;
unsigned pcpu_hosted_this_cpu(void) { return test_cpu; }
/* The API's dynamic allocator is not used here. */
void *__alloc_percpu(size_t size, size_t align) { (void)size; (void)align; return NULL; }
void free_percpu(void *ptr) { (void)ptr; }

extern char __percpu_window_start[], __percpu_window_end[];

static int failures;
#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static void setup_window(void)
{
	char *base = __percpu_window_start;
	size_t len = (size_t)(__percpu_window_end - __percpu_window_start);
	void *rest = mmap(base + PERCPU_STRIDE, (NR_CPUS - 1) * PERCPU_STRIDE,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);
	if (rest != base + PERCPU_STRIDE) {
		perror("mmap per-CPU window");
		exit(2);
	}
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		__per_cpu_offset[cpu] = (unsigned long)cpu << PERCPU_SHIFT;
		if (cpu)
			memcpy(base + cpu * PERCPU_STRIDE, base, len);
	}
}

static unsigned calls;
static unsigned next_cpu(void) { return calls++ % NR_CPUS; }

int main(int argc, char **argv)
{
	setup_window();
	if (argc > 1 && !strcmp(argv[1], "poison"))
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
			__per_cpu_offset[cpu] = 0xdead0000UL + cpu;

	/* Addresses: CPU n's copy is exactly n strides above CPU 0's. */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		CHECK((unsigned long)&per_cpu(counter, cpu) == (unsigned long)&counter + cpu * PERCPU_STRIDE);
		CHECK((unsigned long)per_cpu_ptr(&stats, cpu) == (unsigned long)&stats + cpu * PERCPU_STRIDE);
	}
	CHECK((unsigned long)&per_cpu(slots, 3)[5] == (unsigned long)&slots + 3 * PERCPU_STRIDE + 5 * sizeof(int));
	CHECK(!same_object(per_cpu_ptr(&counter, 1), &initialised));
	CHECK(per_cpu_ptr(&counter, 0) == &counter);

	/* Initialised data was copied to every CPU. */
	CHECK(per_cpu(initialised, NR_CPUS - 1) == 1234);

	/* Writes to each CPU's copy, through every route. */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		per_cpu(counter, cpu) = cpu * 10;
		add_to(&counter, cpu, 1);
		per_cpu(stats, cpu).packets = cpu;
		per_cpu_ptr(&stats, cpu)->bytes = 100 * cpu;
		snprintf(per_cpu(stats, cpu).name, sizeof per_cpu(stats, cpu).name, "cpu%u", cpu);
		fill_slots(cpu, cpu * 1000);
	}
	/* A memset of another CPU's copy (fortify must see the whole object). */
	memset(per_cpu_ptr(&slots, 2), 0, sizeof slots);
	memset(&per_cpu(stats, 7), 0, sizeof(struct stats));

	/* Constant CPUs. */
	per_cpu(counter, 5) += 1000;
	per_cpu(slots, 1)[31] = -1;

	/* this_cpu on a few CPUs. */
	for (test_cpu = 0; test_cpu < NR_CPUS; test_cpu += 3) {
		this_cpu_add(counter, 7);
		this_cpu_inc(counter);
		this_cpu_dec(counter);
		this_cpu_inc(counter);
		__get_cpu_var(stats).packets += 2;
	}
	test_cpu = 6;   /* counter = 6 * 10 + 1, then +7 +1 -1 +1 above */
	CHECK(this_cpu_read(counter) == 6 * 10 + 1 + 8);

	/* A CPU argument with side effects is evaluated once. */
	calls = 0;
	per_cpu(counter, next_cpu()) += 1;
	per_cpu(stats, next_cpu()).bytes++;
	CHECK(calls == 2);

	long packets = 0, bytes = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		packets += per_cpu(stats, cpu).packets;
		bytes += per_cpu(stats, cpu).bytes;
	}
	printf("counters %ld\n", sum_over_cpus(&counter));
	printf("cpu5 %ld cpu%d %ld\n", per_cpu(counter, 5), NR_CPUS - 1, per_cpu(counter, NR_CPUS - 1));
	printf("packets %ld bytes %ld\n", packets, bytes);
	printf("names %s %s [%s]\n", per_cpu(stats, 0).name, per_cpu(stats, NR_CPUS - 1).name,
	       per_cpu(stats, 7).name);
	printf("slots %ld\n", checksum_slots());
	printf("failures %d\n", failures);
	return failures != 0;
}

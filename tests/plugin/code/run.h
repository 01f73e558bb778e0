/* tests/plugin/code/run.h: shared by the run-*.c program runs.sh builds
 * at every optimisation level, with -flto, with and without the plugin. */
#include <percpu-vm/percpu.h>

struct stats {
	long packets;
	long bytes;
	char name[12];
};

DECLARE_PER_CPU(long, counter);
DECLARE_PER_CPU(struct stats, stats);
DECLARE_PER_CPU(int[32], slots);
DECLARE_PER_CPU(int, initialised);

extern unsigned test_cpu;   /* what pcpu_hosted_this_cpu() returns */

/* run-work.c: per-CPU work reached through pointers and other units. */
void add_to(long *per_cpu_counter, unsigned cpu, long by);
long sum_over_cpus(const long *per_cpu_counter);
void fill_slots(unsigned cpu, int base);
long checksum_slots(void);
int same_object(const void *a, const void *b);

/* tests/plugin/code/run-work.c: the second unit of the run program. */
#include "run.h"

void add_to(long *per_cpu_counter, unsigned cpu, long by)
{
	*per_cpu_ptr(per_cpu_counter, cpu) += by;
}

long sum_over_cpus(const long *per_cpu_counter)
{
	long s = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		s += *per_cpu_ptr(per_cpu_counter, cpu);
	return s;
}

void fill_slots(unsigned cpu, int base)
{
	for (int i = 0; i < 32; i++)
		per_cpu(slots, cpu)[i] = base + i;
}

long checksum_slots(void)
{
	long s = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		for (int i = 0; i < 32; i++)
			s = s * 31 + per_cpu(slots, cpu)[i];
	return s;
}

/* Out of line so the compiler cannot decide the answer from the types. */
int same_object(const void *a, const void *b)
{
	return a == b;
}

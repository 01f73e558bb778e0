/* The second unit of the hosted run test: per-CPU data defined in
 * run-main.c, reached here by name and through per-CPU pointers passed in. */
#include "run-common.h"

DEFINE_PER_CPU(int, run_zero);

int other_sum_counters(void)
{
	int cpu, sum = 0;

	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		sum += per_cpu(run_counter, cpu);
	return sum;
}

/* Write every CPU's copy of a per-CPU int given by its (CPU 0) pointer. */
void other_fill(int *pcpu_int, int first)
{
	int cpu;

	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		*per_cpu_ptr(pcpu_int, cpu) = first + cpu;
}

long other_hits(struct run_stats *pcpu_stats)
{
	long total = 0;
	int cpu;

	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		total += per_cpu_ptr(pcpu_stats, cpu)->hits;
	return total;
}

/* The current CPU's copy, through this_cpu_ptr on a passed pointer. */
void other_bump(struct run_stats *pcpu_stats)
{
	struct run_stats *mine = this_cpu_ptr(pcpu_stats);

	mine->hits += 1000;
	mine->hist[smp_processor_id() % 8]++;
}

int *other_pick(int *pcpu_array, unsigned cpu, unsigned idx)
{
	return per_cpu_ptr(pcpu_array, cpu) + idx;
}

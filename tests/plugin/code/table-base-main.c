/* tests/plugin/code/table-base-main.c: compiled without the plugin, so its
 * reads of __per_cpu_offset are real loads.  It fills the table as a
 * zero-based kernel would (entry n = TEST_BASE + (n << TEST_SHIFT), in
 * the entries' width: the sum wraps), checks each accessor of
 * table-base-work.c (compiled with the plugin) against what the table
 * gives, then overwrites the table with garbage and checks again: only
 * code that never reads the table still agrees. */
#include <stdio.h>
#include "table-base.h"

unsigned long __per_cpu_offset[TEST_NR_CPUS];

static int failures;

static void expect(const char *what, unsigned int cpu, unsigned long got,
		   unsigned long want)
{
	if (got != want) {
		printf("%s(%u): %#lx, the table says %#lx\n", what, cpu, got, want);
		failures++;
	}
}

/* What each accessor must return, from the table as it is now. */
struct wanted {
	unsigned long remote[TEST_NR_CPUS], remote_elem[TEST_NR_CPUS];
	unsigned long remote_ptr[TEST_NR_CPUS];
	unsigned long remote_next[TEST_NR_CPUS - 1];
	unsigned long first, third, last, entry3;
};

static void from_table(struct wanted *w)
{
	for (unsigned int cpu = 0; cpu < TEST_NR_CPUS; cpu++) {
		w->remote[cpu] = (unsigned long)&counter + __per_cpu_offset[cpu];
		w->remote_elem[cpu] = (unsigned long)&slots[2] + __per_cpu_offset[cpu];
		w->remote_ptr[cpu] = (unsigned long)&slots[1] + __per_cpu_offset[cpu];
		if (cpu + 1 < TEST_NR_CPUS)
			w->remote_next[cpu] = (unsigned long)&counter + __per_cpu_offset[cpu + 1];
	}
	w->first = w->remote[0];
	w->third = w->remote[3];
	w->last = w->remote[TEST_NR_CPUS - 1];
	w->entry3 = __per_cpu_offset[3];
}

static void check(const struct wanted *w)
{
	for (unsigned int cpu = 0; cpu < TEST_NR_CPUS; cpu++) {
		expect("remote", cpu, remote(cpu), w->remote[cpu]);
		expect("remote_int", cpu, remote_int((int)cpu), w->remote[cpu]);
		expect("remote_elem", cpu, remote_elem(cpu, 2), w->remote_elem[cpu]);
		expect("remote_ptr", cpu, remote_ptr(&slots[1], cpu), w->remote_ptr[cpu]);
		expect("ptr_entry", cpu, ptr_entry(cpu), w->remote[cpu] - (unsigned long)&counter);
		if (cpu + 1 < TEST_NR_CPUS) {
			expect("remote_next", cpu, remote_next(cpu), w->remote_next[cpu]);
			expect("ptr_next_entry", cpu, ptr_next_entry(cpu),
			       w->remote_next[cpu] - (unsigned long)&counter);
		}
	}
	expect("const_first", 0, const_first(), w->first);
	expect("const_third", 3, const_third(), w->third);
	expect("const_last", TEST_NR_CPUS - 1, const_last(), w->last);
	expect("const_ptr_entry", 3, const_ptr_entry(), w->entry3);
}

int main(void)
{
	struct wanted w;

	for (unsigned int cpu = 0; cpu < TEST_NR_CPUS; cpu++)
		__per_cpu_offset[cpu] = (unsigned long)TEST_BASE + ((unsigned long)cpu << TEST_SHIFT);
	from_table(&w);
	printf("entry 1 %#lx entry %u %#lx\n", __per_cpu_offset[1], TEST_NR_CPUS - 1,
	       __per_cpu_offset[TEST_NR_CPUS - 1]);
	check(&w);
	for (unsigned int cpu = 0; cpu < TEST_NR_CPUS; cpu++)
		__per_cpu_offset[cpu] = 0xdead0000UL + cpu;
	check(&w);
	printf("failures %d\n", failures);
	return failures != 0;
}

/* tests/plugin/code/table-base-work.c: per_cpu_ptr() through an offset
 * table with a base, in the shapes the plugin lowers; table-base.sh
 * compiles it with the plugin and checks that no function reads the
 * table, and table-base-main.c that each computes what the table says. */
#include "table-base.h"

DEFINE_PCPU(int, counter) = 1;
DEFINE_PCPU(int[4], slots) = { 1 };

/* A variable CPU, unsigned and signed (its own type extends it). */
unsigned long remote(unsigned int cpu) { return (unsigned long)per_cpu_ptr(&counter, cpu); }
unsigned long remote_int(int cpu) { return (unsigned long)per_cpu_ptr(&counter, cpu); }
unsigned long remote_elem(unsigned int cpu, unsigned int i)
{
	return (unsigned long)&per_cpu_ptr(&slots, cpu)[0][i];
}
unsigned long remote_ptr(int *p, unsigned int cpu) { return (unsigned long)per_cpu_ptr(p, cpu); }
unsigned long remote_next(unsigned int cpu) { return (unsigned long)per_cpu_ptr(&counter, cpu + 1); }

/* Pointer arithmetic on the table: an entry, the one after it. */
unsigned long ptr_entry(unsigned int cpu) { return *(__per_cpu_offset + cpu); }
unsigned long ptr_next_entry(unsigned int cpu) { return *(&__per_cpu_offset[1] + cpu); }

/* Constant CPUs: one constant, base + (cpu << shift), added to &var. */
unsigned long const_first(void) { return (unsigned long)per_cpu_ptr(&counter, 0); }
unsigned long const_third(void) { return (unsigned long)per_cpu_ptr(&counter, 3); }
unsigned long const_last(void) { return (unsigned long)per_cpu_ptr(&counter, TEST_NR_CPUS - 1); }
unsigned long const_ptr_entry(void) { return *(__per_cpu_offset + 3); }

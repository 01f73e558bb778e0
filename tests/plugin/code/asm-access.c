/* tests/plugin/code/asm-access.c: compiled to i386 -O2 assembly by
 * asm-i386.sh, which checks each function's instructions.  Its constant
 * CPUs need NR_CPUS >= 6: it is built against the test programs' config.h
 * (tests/plugin/plugin-lib.sh). */
#include <percpu-vm/percpu.h>
#include "hidden-accessor.h"

DEFINE_PER_CPU(unsigned int, counter);
DEFINE_PER_CPU(unsigned short, half);
DEFINE_PER_CPU(unsigned char, byte);
DEFINE_PER_CPU(unsigned int[16], table);

/* Remote reads: the offset comes from the shift, not from the table. */
unsigned int remote_read(unsigned int cpu) { return per_cpu(counter, cpu); }
void remote_write(unsigned int cpu, unsigned int v) { per_cpu(counter, cpu) = v; }
unsigned int remote_elem(unsigned int cpu, unsigned int i) { return per_cpu(table, cpu)[i]; }
unsigned int *remote_ptr(unsigned int cpu) { return per_cpu_ptr(&counter, cpu); }

unsigned int sum_all(void)
{
	unsigned int s = 0;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		s += per_cpu(counter, cpu);
	return s;
}

/* Pointer arithmetic on the table, and Linux's accessor shape (the
 * address through an empty asm): the same code as per_cpu(). */
unsigned int ptr_read(unsigned int cpu)
{
	return *(unsigned int *)((unsigned long)&counter + *(__per_cpu_offset + cpu));
}
unsigned int ptr_next_read(unsigned int cpu)
{
	return *(unsigned int *)((unsigned long)&counter + *(&__per_cpu_offset[1] + cpu));
}
unsigned int remote_next_read(unsigned int cpu) { return per_cpu(counter, cpu + 1); }
unsigned int ptr_const_read(void)
{
	return *(unsigned int *)((unsigned long)&counter + *(__per_cpu_offset + 3));
}
unsigned int hidden_read(unsigned int cpu) { return hidden_per_cpu(counter, cpu); }

/* A constant CPU: one absolute operand. */
unsigned int const_read(void) { return per_cpu(counter, 3); }
void const_write(void) { per_cpu(counter, 5) = 7; }
unsigned int const_elem(void) { return per_cpu(table, 2)[4]; }

/* this_cpu ops: one %fs instruction each. */
unsigned int tc_read(void) { return this_cpu_read(counter); }
void tc_write(void) { this_cpu_write(counter, 5); }
void tc_add(void) { this_cpu_add(counter, 9); }
void tc_inc(void) { this_cpu_inc(counter); }
void tc_dec(void) { this_cpu_dec(counter); }
unsigned short tc_read16(void) { return this_cpu_read(half); }
void tc_inc8(void) { this_cpu_inc(byte); }

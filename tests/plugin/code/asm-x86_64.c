/* tests/plugin/code/asm-x86_64.c: compiled to x86-64 kernel-model assembly
 * (-m64 -mcmodel=kernel -mno-red-zone -fno-pie) by asm-x86_64.sh, which
 * checks each function's instructions, at two shifts (TEST_SHIFT). */
#include "x86_64-accessors.h"

DEFINE_PCPU(unsigned int, counter);
DEFINE_PCPU(unsigned long, wide);
DEFINE_PCPU(unsigned int[16], table);
DEFINE_PCPU(unsigned int, initialised) = 42;

/* A variable CPU: cpu << shift in 64 bits, no table load.  The CPU's own
 * type decides its extension to 64 bits, as the table index would. */
unsigned int remote_read(unsigned int cpu) { return per_cpu(counter, cpu); }
unsigned int remote_read_int(int cpu) { return per_cpu(counter, cpu); }
unsigned int remote_read_long(unsigned long cpu) { return per_cpu(counter, cpu); }
unsigned int remote_read_char(unsigned char cpu) { return per_cpu(counter, cpu); }
void remote_write(unsigned int cpu, unsigned long v) { per_cpu(wide, cpu) = v; }
unsigned int remote_elem(unsigned int cpu, unsigned int i) { return per_cpu(table, cpu)[i]; }
unsigned int *remote_ptr(unsigned int cpu) { return per_cpu_ptr(&counter, cpu); }
unsigned int remote_next_read(unsigned int cpu) { return per_cpu(counter, cpu + 1); }
/* The entry after `cpu`, counted in 64 bits as pointer arithmetic on the
 * table counts it (ptr_next_read). */
unsigned int remote_next_read_long(unsigned int cpu)
{
	return per_cpu(counter, (unsigned long)cpu + 1);
}

unsigned int sum_all(void)
{
	unsigned int s = 0;
	for (unsigned int cpu = 0; cpu < TEST_NR_CPUS; cpu++)
		s += per_cpu(counter, cpu);
	return s;
}

/* Pointer arithmetic on the table (entries of 8 bytes here). */
unsigned int ptr_read(unsigned int cpu)
{
	return *(unsigned int *)((unsigned long)&counter + *(__per_cpu_offset + cpu));
}
unsigned int ptr_next_read(unsigned int cpu)
{
	return *(unsigned int *)((unsigned long)&counter + *(&__per_cpu_offset[1] + cpu));
}
unsigned int ptr_const_read(void)
{
	return *(unsigned int *)((unsigned long)&counter + *(__per_cpu_offset + 3));
}

/* A constant CPU: one operand, var + cpu * stride as a 32-bit
 * displacement (the kernel code model's addresses are in the top 2 GiB). */
unsigned int const_read(void) { return per_cpu(counter, 3); }
void const_write(void) { per_cpu(counter, 5) = 7; }
unsigned int const_elem(void) { return per_cpu(table, 2)[4]; }
unsigned long const_wide(void) { return per_cpu(wide, 7); }

/* bench/access-ops.c: the per-CPU accesses bench-access measures, built
 * four ways (classic scheme, Linux's 2006 classic scheme, VM mode without
 * the plugin, VM mode with it) for i386 and for x86-64 user space, like
 * kernel code: -O2, the kernel's calling convention (access-ops.h).  noipa
 * keeps each function a function of its own, called for real, so
 * callgrind counts exactly its instructions. */
#include <percpu-vm/percpu.h>
#include "access-ops.h"

#ifdef BENCH_RELOC_HIDE
/* The classic scheme as Linux had it in 2006 (asm-generic/percpu.h with
 * compiler-gcc.h's RELOC_HIDE): the empty asm hides the address from the
 * optimiser, so it is materialised in a register for every access.  The
 * x86-64 builds use the same table form; Linux's x86-64 of 2006 took the
 * offset from the CPU's PDA instead (cpu_pda(cpu)->data_offset), one load
 * more, so its real cost was higher than this column's. */
#undef per_cpu
#define RELOC_HIDE(ptr, off) (__extension__({ unsigned long __ptr; \
	__asm__ ("" : "=r"(__ptr) : "0"(ptr)); \
	(__typeof__(ptr)) (__ptr + (off)); }))
#define per_cpu(var, cpu) (*RELOC_HIDE(&(var), __per_cpu_offset[(cpu)]))
#endif

#define OP BENCH_CC __attribute__((noipa))

DEFINE_PER_CPU(unsigned long, counter);

/* Sum a per-CPU counter over all CPUs. */
OP unsigned long sum_all(void)
{
	unsigned long s = 0;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		s += per_cpu(counter, cpu);
	return s;
}

/* The same loop unrolled by 4, as -funroll-loops or a hand-unrolled
 * loop would be: the loop's own overhead no longer dominates. */
OP unsigned long sum_all_unrolled(void)
{
	unsigned long s = 0;
#pragma GCC unroll 4
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		s += per_cpu(counter, cpu);
	return s;
}

/* Read a given CPU's counter. */
OP unsigned long read_remote(unsigned int cpu)
{
	return per_cpu(counter, cpu);
}

/* Add to a given CPU's counter. */
OP void add_remote(unsigned int cpu, unsigned long v)
{
	per_cpu(counter, cpu) += v;
}

/* Add to this CPU's counter. */
OP void add_this(unsigned long v)
{
	this_cpu_add(counter, v);
}

/* The call overhead of each shape, subtracted from the figures. */
OP unsigned long empty0(void) { return 0; }
OP void empty1(unsigned long v) { (void)v; }
OP unsigned long empty1r(unsigned int cpu) { (void)cpu; return 0; }
OP void empty2(unsigned int cpu, unsigned long v) { (void)cpu; (void)v; }

/* x86-64 per-CPU glue: the per-CPU identity variables this_cpu_*() rely on
 * and the GS base that makes `%gs:var` this CPU's copy.
 *
 * Boot order on each CPU n (see docs/api.md):
 *   1. __per_cpu_offset[] is filled (VM mode: the runtime, n << shift;
 *      classic: pcpu_classic_setup()), and CPU n's copy exists;
 *   2. pcpu_x86_64_init_cpu(n) writes CPU n's pcpu_cpu_number and
 *      pcpu_this_cpu_off through per_cpu() (any CPU may do this);
 *   3. CPU n sets its own GS base with pcpu_x86_64_set_gs_base_msr(n) or,
 *      once CR4.FSGSBASE is on, pcpu_x86_64_set_gs_base_fsgsbase(n).  From
 *      then on this_cpu_*() work. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(unsigned int, pcpu_cpu_number);
DEFINE_PER_CPU(unsigned long, pcpu_this_cpu_off);

void pcpu_x86_64_init_cpu(unsigned int cpu)
{
	per_cpu(pcpu_cpu_number, cpu) = cpu;
	per_cpu(pcpu_this_cpu_off, cpu) = __per_cpu_offset[cpu];
}

unsigned long pcpu_x86_64_gs_base(unsigned int cpu)
{
	return __per_cpu_offset[cpu];
}

void pcpu_x86_64_set_gs_base_msr(unsigned int cpu)
{
	unsigned long base = pcpu_x86_64_gs_base(cpu);

	/* wrmsr takes the value in %edx:%eax; "memory": per-CPU accesses
	 * after this must not be moved before it */
	__asm__ __volatile__("wrmsr"
		: : "c"(PCPU_X86_64_MSR_GS_BASE), "a"((unsigned int)base),
		    "d"((unsigned int)(base >> 32))
		: "memory");
}

void pcpu_x86_64_set_gs_base_fsgsbase(unsigned int cpu)
{
	__asm__ __volatile__("wrgsbase %0" : : "r"(pcpu_x86_64_gs_base(cpu)) : "memory");
}

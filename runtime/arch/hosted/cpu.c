/* runtime/arch/hosted/cpu.c: the "current CPU" of hosted code.  A thread
 * plays one CPU at a time; tests switch it to exercise per-CPU accessors. */
#include <percpu-vm/hosted.h>

_Thread_local unsigned pcpu_hosted_cpu;

void pcpu_hosted_set_cpu(unsigned cpu)
{
	pcpu_hosted_cpu = cpu;
}

unsigned pcpu_hosted_this_cpu(void)
{
	return pcpu_hosted_cpu;
}

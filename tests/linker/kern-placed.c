/* Linker-test kernel, part 3: the placed definitions of percpu.h
 * (DEFINE_PER_CPU_PAGE_ALIGNED, _READ_MOSTLY, _ALIGNED, _SHARED_ALIGNED),
 * interleaved with plain ones in one unit that comes after kern-main.c's
 * page-aligned object, so the scripts must gather them by section. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(char, pl_plain1) = 1;
DEFINE_PER_CPU_READ_MOSTLY(int, pl_mostly1) = 2;
DEFINE_PER_CPU_PAGE_ALIGNED(char[100], pl_page1) = { 3 };
DEFINE_PER_CPU(short, pl_plain2) = 4;
DEFINE_PER_CPU_ALIGNED(int, pl_aligned) = 5;
DEFINE_PER_CPU_PAGE_ALIGNED(char[4100], pl_page2) = { 6 };
DEFINE_PER_CPU_READ_MOSTLY(long, pl_mostly2) = 7;
DEFINE_PER_CPU_SHARED_ALIGNED(char[10], pl_shared) = { 8 };
DEFINE_PER_CPU(int, pl_plain3) = 9;

int pl_sum(unsigned cpu);
int pl_sum(unsigned cpu)
{
	return per_cpu(pl_plain1, cpu) + per_cpu(pl_mostly1, cpu) + per_cpu(pl_page1, cpu)[0] +
	       per_cpu(pl_plain2, cpu) + per_cpu(pl_aligned, cpu) + per_cpu(pl_page2, cpu)[0] +
	       (int)per_cpu(pl_mostly2, cpu) + per_cpu(pl_shared, cpu)[0] + per_cpu(pl_plain3, cpu);
}

/* Linker-test kernel, part 2: ordinary data next to per-CPU data with a
 * subsection suffix (.data.percpu.read_mostly), so the scripts must tell
 * .data.* from .data.percpu.* by order, and one more .bss.percpu object. */
#include <percpu-vm/percpu.h>

int lt_data = 3;
int lt_bss[64];
const char lt_rodata[] = "read-only";
__attribute__((section(".data.percpu.read_mostly"))) int lt_mostly = 4;
__attribute__((section(".bss.percpu"))) long long lt_zero2;

int lt_data_sum(void);
int lt_data_sum(void)
{
	return lt_data + lt_bss[3] + lt_rodata[0] + per_cpu(lt_mostly, NR_CPUS - 1) + (int)per_cpu(lt_zero2, NR_CPUS - 1);
}

/* Linker-test module, object 1: per-CPU data in every input naming
 * module.lds merges, and code that references it (relocations the loader
 * must see). */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(int, mod_hits) = 5;
DEFINE_PER_CPU(int[8], mod_table) = { 1, 2 };
__attribute__((section(".bss.percpu"))) long mod_zero[32];
__attribute__((section(".data..percpu"))) short mod_linux = 2;
__attribute__((section(".data.percpu.read_mostly"))) int mod_mostly = 3;
DECLARE_PER_CPU(int, kernel_counter);   /* the kernel's export */
int mod_ordinary = 11;

int mod_a_init(unsigned cpu);
int mod_a_init(unsigned cpu)
{
	per_cpu(mod_hits, cpu) += per_cpu(mod_table, cpu)[1] + (int)per_cpu(mod_zero, cpu)[2];
	this_cpu_inc(kernel_counter);
	return per_cpu(mod_linux, cpu) + per_cpu(mod_mostly, cpu) + mod_ordinary;
}

/* Linker-test module, object 2: more per-CPU data of both kinds. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(long, mod_b_total) = 100;
__attribute__((section(".bss.percpu"))) int mod_b_zero;
int mod_b_get(unsigned cpu);
int mod_b_get(unsigned cpu) { return (int)per_cpu(mod_b_total, cpu) + per_cpu(mod_b_zero, cpu); }

/* A per-CPU object aligned beyond a page cannot be aligned on every CPU
 * (each copy is only page aligned): refused. */
#include <percpu-vm/percpu.h>
__attribute__((aligned(8192))) DEFINE_PER_CPU(int, lt_overaligned) = 1;
void _start(void);
void _start(void) { per_cpu(lt_overaligned, NR_CPUS - 1) = 2; }

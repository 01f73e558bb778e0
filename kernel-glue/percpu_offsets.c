/* The per-CPU offset table every per_cpu() access adds to &var.
 *
 * Defined here, once, for both modes.  VM mode: the runtime fills it with
 * n << PERCPU_SHIFT (pcpu_fill_offsets) before any CPU uses per-CPU data,
 * and the plugin, knowing that, replaces loads from it by a shift.  Classic
 * mode: pcpu_classic_setup() fills it with area_n - __per_cpu_start.
 *
 * Not itself per-CPU data: it must be readable at the same address from
 * every CPU. */
#include <percpu-vm/percpu.h>

unsigned long __per_cpu_offset[NR_CPUS];

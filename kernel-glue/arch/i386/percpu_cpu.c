/* i386 per-CPU glue: the per-CPU identity variables this_cpu_*() rely on
 * and the %fs descriptor that makes `%fs:var` this CPU's copy.
 *
 * Boot order on each CPU n (see docs/api.md):
 *   1. __per_cpu_offset[] is filled (VM mode: the runtime, n << shift;
 *      classic: pcpu_classic_setup()), and CPU n's copy exists;
 *   2. pcpu_i386_init_cpu(n) writes CPU n's pcpu_cpu_number and
 *      pcpu_this_cpu_off through per_cpu() (any CPU may do this);
 *   3. CPU n installs pcpu_i386_fs_descriptor(n) in its GDT slot and loads
 *      %fs with it (pcpu_i386_load_fs).  From then on this_cpu_*() work. */
#include <percpu-vm/percpu.h>

DEFINE_PER_CPU(unsigned int, pcpu_cpu_number);
DEFINE_PER_CPU(unsigned long, pcpu_this_cpu_off);

void pcpu_i386_init_cpu(unsigned int cpu)
{
	per_cpu(pcpu_cpu_number, cpu) = cpu;
	per_cpu(pcpu_this_cpu_off, cpu) = __per_cpu_offset[cpu];
}

__pcpu_u64 pcpu_i386_fs_descriptor(unsigned int cpu)
{
	__pcpu_u64 base = (unsigned int)__per_cpu_offset[cpu];
	__pcpu_u64 limit = 0xfffff;  /* 4 GiB in 4 KiB units */
	__pcpu_u64 d = 0;

	d |= limit & 0xffff;                 /* limit 15:0 */
	d |= (base & 0xffffff) << 16;        /* base 23:0 */
	d |= (__pcpu_u64)0x92 << 40;                    /* present, ring 0, data, read/write */
	d |= ((limit >> 16) & 0xf) << 48;    /* limit 19:16 */
	d |= (__pcpu_u64)0xc << 52;                     /* 4 KiB granularity, 32-bit */
	d |= ((base >> 24) & 0xff) << 56;    /* base 31:24 */
	return d;
}

/* tests/install/kernel.c: a kernel built from the installed percpu-vm
 * alone (tests/install/installcheck.sh): the API, the plugin, the linker
 * scripts and the i386 glue and runtime archives, as pkg-config names them. */
#include <percpu-vm/percpu.h>

#define MB_MAGIC 0x1BADB002u
#define MB_FLAGS 0x00000003u
__attribute__((section(".multiboot"), used, aligned(4)))
static const unsigned int multiboot_header[3] = { MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS) };

DEFINE_PER_CPU(unsigned long, ic_hits);
DEFINE_PER_CPU(int[4], ic_slots) = { 1, 2, 3, 4 };

void _start(void);
void _start(void)
{
	int *dyn = alloc_percpu(int);

	this_cpu_inc(ic_hits);
	per_cpu(ic_slots, NR_CPUS - 1)[2] += dyn ? *per_cpu_ptr(dyn, 0) : 0;
	free_percpu(dyn);
	for (;;)
		__asm__ __volatile__("hlt");
}

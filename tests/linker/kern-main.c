/* Linker-test kernel, part 1: a multiboot header, an entry point and
 * per-CPU data of every kind the scripts must place: initialised and
 * zero-initialised (the plugin's .bss.percpu, spelled out here since these
 * tests run without it), Linux's .data..percpu naming, a page-aligned
 * object, an array, and an exported per-CPU symbol. */
#include <percpu-vm/percpu.h>

#define MB_MAGIC 0x1BADB002u
#define MB_FLAGS 0x00000003u
__attribute__((section(".multiboot"), used, aligned(4)))
static const unsigned int multiboot_header[3] = { MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS) };

DEFINE_PER_CPU(int, lt_counter) = 1;
DEFINE_PER_CPU(int[16], lt_array) = { 1, 2, 3 };
DEFINE_PER_CPU(struct { int a; char b[6]; }, lt_struct) = { 5, "abc" };
__attribute__((section(".bss.percpu"))) int lt_zero[100];
__attribute__((section(".data..percpu"))) long lt_linux = 9;
__attribute__((section(".data.percpu.page_aligned"), aligned(4096))) char lt_page[64] = { 1 };
EXPORT_PER_CPU_SYMBOL(lt_counter);

extern int lt_data_sum(void);
void _start(void);
void _start(void)
{
	per_cpu(lt_counter, NR_CPUS - 1) += lt_data_sum() + per_cpu(lt_array, NR_CPUS - 1)[1] + per_cpu(lt_zero, 0)[0];
	this_cpu_inc(lt_linux);
	for (;;)
		__asm__ __volatile__("hlt");
}

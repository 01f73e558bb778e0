/* main.c: the boot CPU's path through the demo. */
#include <percpu-vm/config.h>

#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "multiboot.h"
#include "paging.h"
#include "pmem.h"
#include "traps.h"
#include "smp.h"
#include "acpi.h"

void kernel_main(uint32_t magic, const struct multiboot_info *mbi);
void kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	console_init();
	kprintf("percpu-vm demo kernel (%s paging)\n", PAGING_MODE_NAME);
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (magic 0x%08x)", magic);
	gdt_init(PERCPU_SHIFT, PERCPU_NR_CPUS);
	gdt_load(0);
	idt_init();
	idt_load();
	pmem_init(mbi);
	paging_init(pmem_map_top());
	struct cpu_topology topo;
	if (acpi_find_cpus(&topo))
		panic("no CPUs found");
	lapic_init_bsp(topo.lapic_addr);
	unsigned n = smp_boot(&topo, 64, NULL, NULL);
	kprintf("CPUs found %u, started %u\n", topo.nr_cpus, n);
	kprintf("RAM top 0x%08x, %zu free pages\n", pmem_ram_top(), pmem_free_count());
	int f = probe_write32((volatile uint32_t *)0xC0000000u, 1);
	check(f == 1 && last_fault.addr == 0xC0000000u, "write to unmapped 0x%08x faults (fault at 0x%08x)", 0xC0000000u, last_fault.addr);
	kprintf("RESULT: %s (%u checks passed, %u failed)\n", checks_failed() ? "FAIL" : "PASS", checks_passed(), checks_failed());
	demo_exit(checks_failed() ? DEMO_EXIT_FAIL : DEMO_EXIT_PASS);
}

/* main.c: the boot CPU's path through the demo: hardware set-up, the
 * per-CPU window, the other CPUs, then each demonstration in turn, and a
 * pass/fail exit code for qemu. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>

#include "acpi.h"
#include "delay.h"
#include "demo.h"
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "ksyms.h"
#include "mptable.h"
#include "multiboot.h"
#include "paging.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"
#include "traps.h"
#include "usermode.h"

unsigned demo_nr_cpus(void) { return smp_online_count(); }
bool demo_cpu_online(unsigned cpu) { return smp_cpu_online(cpu); }

/* The firmware's tables are read through the identity map: what points
 * beyond it (or at page 0) is refused rather than read. */
static const void *identity_mapped(uint32_t addr, uint32_t len)
{
	uint32_t top = pmem_map_top();
	if (addr == 0 || addr > top || len > top - addr)
		return NULL;
	return phys_to_ptr(addr);
}

void kernel_main(uint32_t magic, const struct multiboot_info *mbi);
void kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	console_init();
	kprintf("percpu-vm demo kernel: %s paging, per-CPU window at 0x%08lx, stride 0x%lx "
		"(shift %u), NR_CPUS %u\n",
		PAGING_MODE_NAME, PERCPU_BASE, PERCPU_STRIDE, PERCPU_SHIFT, PERCPU_NR_CPUS);
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (magic 0x%08x)", magic);
	const char *cmdline = (mbi->flags & MBI_CMDLINE) ? (const char *)(uintptr_t)mbi->cmdline : "";
	unsigned long iterations = cmdline_ulong(cmdline, "iters", 100000);
	unsigned long rounds = cmdline_ulong(cmdline, "rounds", 1000);
	unsigned long loops = cmdline_ulong(cmdline, "loops", 1000);
	unsigned long max_cpus = cmdline_ulong(cmdline, "maxcpus", PERCPU_NR_CPUS);
	/* The boot CPU always runs, and no more than NR_CPUS can: the window
	 * has room for that many (the started-count check below relies on it). */
	if (max_cpus < 1)
		max_cpus = 1;
	if (max_cpus > PERCPU_NR_CPUS)
		max_cpus = PERCPU_NR_CPUS;

	gdt_init();
	gdt_load(0);
	idt_init();
	idt_load();
	pmem_init(mbi);
	paging_init(pmem_map_top());
	kprintf("memory: %zu free pages below 0x%08x; paging on (%s%s)\n", pmem_free_count(),
		pmem_ram_top(), PAGING_MODE_NAME, paging_nx_enabled() ? ", NX" : "");

	/* Nothing is mapped in the window before the runtime maps it. */
	int faulted = probe_write32((volatile uint32_t *)PERCPU_BASE, 1);
	check(faulted && last_fault()->addr == PERCPU_BASE,
	      "before set-up the window is unmapped: a write at 0x%08lx faults", PERCPU_BASE);

	percpu_boot();
	const size_t static_size = percpu_static_init_size() + percpu_static_zero_size();
	kprintf("static area: %zu bytes (.data.percpu %zu from the template at 0x%08x, "
		".bss.percpu %zu) at 0x%08x on CPU 0\n",
		static_size, percpu_static_init_size(),
		(uint32_t)(uintptr_t)__per_cpu_load, percpu_static_zero_size(),
		(uint32_t)(uintptr_t)__per_cpu_start);
	check(this_cpu_read(pcpu_cpu_number) == 0 && this_cpu_read(pcpu_this_cpu_off) == 0,
	      "CPU 0 reaches its copy through %%fs (this_cpu_read(pcpu_cpu_number) == 0)");

	/* The CPUs: from ACPI, or from the MP tables the firmware still
	 * writes without it (qemu -no-acpi). */
	struct cpu_topology topo;
	if (acpi_find_cpus(&topo) && mptable_find_cpus(identity_mapped, &topo))
		panic("cannot find the CPUs (no usable ACPI MADT or MP table)");
	if (topo.lapic_addr < 0xFEC00000u || topo.lapic_addr >= 0xFF000000u)
		panic("the %s puts the local APIC at 0x%08x, outside the APIC pages the kernel "
		      "maps (0xfec00000..0xff000000)", topo.source, topo.lapic_addr);
	uint8_t bsp_apic_id = lapic_init_bsp(topo.lapic_addr);
	if (topo.bsp_apic_id >= 0)
		check(topo.bsp_apic_id == bsp_apic_id,
		      "the %s's boot processor (local APIC ID %d) is this CPU (local APIC ID %u)",
		      topo.source, topo.bsp_apic_id, bsp_apic_id);
	/* The start-up sequence's delays are in microseconds of the TSC. */
	if (delay_init())
		kprintf("timer: the TSC counts %u ticks per microsecond (measured against the PIT)\n",
			delay_tsc_per_us());
	else
		kprintf("timer: no usable PIT to measure the TSC against; delays assume %u TSC "
			"ticks per microsecond\n", delay_tsc_per_us());
	unsigned started = smp_boot(&topo, (unsigned)max_cpus, percpu_prepare_cpu, NULL);
	kprintf("CPUs found %u (%s), started %u\n", topo.nr_cpus, topo.source, started);
	bool fs_ok = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (smp_cpu_online(cpu) &&
		    (gdt_percpu_base(cpu) != __per_cpu_offset[cpu] ||
		     __per_cpu_offset[cpu] != (unsigned long)cpu << PERCPU_SHIFT ||
		     per_cpu(pcpu_cpu_number, cpu) != cpu))
			fs_ok = false;
	check(started == topo.nr_cpus || started == max_cpus, "%u of %u CPUs started", started,
	      topo.nr_cpus);
	check(fs_ok, "each CPU's %%fs base = __per_cpu_offset[cpu] = cpu << %u", PERCPU_SHIFT);

	demo_run(mbi, iterations, rounds, loops, static_size);
}

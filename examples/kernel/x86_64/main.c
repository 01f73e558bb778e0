/* x86_64/main.c: the boot CPU's path through the x86-64 demo: hardware
 * set-up, the per-CPU window on CPU 0 and what it promises there, the
 * other CPUs and their GS bases, the concurrent counters, and a pass/fail
 * exit code for qemu.  The i386 kernel's path is ../main.c; the parts
 * that do not depend on the mode (console, checks, page allocator, ACPI
 * and MP table parsers, SMP start-up, counters) are its files. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>
#include <percpu-vm/x86_64_pgtable.h>

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

/* CPU 0's checks: an initialised variable (its template value must reach
 * every copy) and a zero one. */
DEFINE_PER_CPU(unsigned long, demo64_word) = 0x5EC0FFEE12345678ul;
DEFINE_PER_CPU(unsigned int, demo64_zero);

unsigned demo_nr_cpus(void) { return smp_online_count(); }
bool demo_cpu_online(unsigned cpu) { return smp_cpu_online(cpu); }

static const void *identity_mapped(uint32_t addr, uint32_t len)
{
	uint32_t top = pmem_map_top();
	if (addr == 0 || addr > top || len > top - addr)
		return NULL;
	return phys_to_ptr(addr);
}

/* this_cpu ops on CPU 0 reach CPU 0's copy, which is the variable's own
 * link address in the window (GS base 0). */
static void check_this_cpu_on_cpu0(void)
{
	check(this_cpu_read(pcpu_cpu_number) == 0 && this_cpu_read(pcpu_this_cpu_off) == 0,
	      "CPU 0 reaches its copy through %%gs (this_cpu_read(pcpu_cpu_number) == 0)");
	check(rdmsr(PCPU_X86_64_MSR_GS_BASE) == 0 && __per_cpu_offset[0] == 0,
	      "CPU 0's GS base (IA32_GS_BASE) = __per_cpu_offset[0] = 0");
	bool template_ok = this_cpu_read(demo64_word) == 0x5EC0FFEE12345678ul &&
			   this_cpu_read(demo64_zero) == 0;
	this_cpu_write(demo64_word, 1);
	this_cpu_add(demo64_word, 0x100000000ul);
	this_cpu_inc(demo64_zero);
	volatile unsigned long *own = &demo64_word;
	volatile unsigned int *own_zero = &demo64_zero;
	check(template_ok && *own == 0x100000001ul && *own_zero == 1 &&
		      per_cpu_ptr(&demo64_word, 0) == &demo64_word,
	      "this_cpu_write/add/inc on CPU 0 change the copy at the link address %p "
	      "(template value read first)", (void *)&demo64_word);
}

/* per_cpu(var, n) is &var + n * stride, a constant CPU and a variable one
 * alike (the plugin lowers both without the offset table). */
static void check_per_cpu_addresses(void)
{
	unsigned bad = 0;
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		volatile unsigned n = cpu;
		uintptr_t want = (uintptr_t)&demo64_word + ((uintptr_t)cpu << PERCPU_SHIFT);
		if ((uintptr_t)&per_cpu(demo64_word, n) != want ||
		    (uintptr_t)per_cpu_ptr(&demo64_word, n) != want)
			bad++;
	}
	/* The last CPU as a constant: the plugin folds it into one operand
	 * (and refuses a constant past the table, so not a fixed number). */
	bool const_ok = (uintptr_t)&per_cpu(demo64_word, PERCPU_NR_CPUS - 1) ==
			(uintptr_t)&demo64_word + ((uintptr_t)(PERCPU_NR_CPUS - 1) << PERCPU_SHIFT);
	check(bad == 0 && const_ok,
	      "per_cpu(var, n) == &var + n * 0x%lx for all %u CPUs (and a constant CPU %u)",
	      PERCPU_STRIDE, (unsigned)PERCPU_NR_CPUS, (unsigned)PERCPU_NR_CPUS - 1);
}

/* The window as the page tables have it: CPU 0's pages present, writable,
 * supervisor-only and NX, by an independent walk (paging.c) and by the
 * runtime's translate; nothing else of the window mapped; the stride's
 * last page (the guard) and CPU 1's slot fault.  demo_security.c checks
 * every CPU's pages, NX on the fetch and ring 3 later, as on i386. */
static void check_window_cpu0(void)
{
	const struct pcpu_x86_64_mmu *mmu = percpu_mmu();
	unsigned pages = 0, bad = 0;
	for (uintptr_t off = 0; off < PERCPU_STRIDE; off += PAGE_SIZE) {
		uintptr_t va = DEMO_PERCPU_BASE + off;
		uint64_t pte = paging_lookup(va), flags = 0;
		int rc = pcpu_x86_64_translate(mmu, va, NULL, &flags);
		if (!pte && rc == 0)
			bad++;
		if (!pte)
			continue;
		pages++;
		if ((pte & (PTE_P | PTE_RW | PTE_US | PTE_NX)) != (PTE_P | PTE_RW | PTE_NX) ||
		    rc != 0 || (flags & PCPU_X86_64_PTE_US) || !(flags & PCPU_X86_64_PTE_NX))
			bad++;
	}
	size_t static_pages = ALIGN_UP(percpu_static_init_size() + percpu_static_zero_size(),
				       (size_t)PAGE_SIZE) / PAGE_SIZE;
	check(pages == static_pages && bad == 0,
	      "CPU 0's %u per-CPU pages (the static area's %zu) are present, writable, "
	      "supervisor-only and NX in the page tables", pages, static_pages);
	unsigned elsewhere = 0;
	for (unsigned cpu = 1; cpu < PERCPU_NR_CPUS; cpu++)
		elsewhere += paging_count_mapped(DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT),
						 (uint32_t)PERCPU_STRIDE);
	check(elsewhere == 0, "no other CPU's slot has a page mapped before it starts (%u found)",
	      elsewhere);

	uintptr_t guard = DEMO_PERCPU_BASE + PERCPU_STRIDE - PAGE_SIZE;
	unsigned faults = last_fault()->count;
	int faulted = probe_write8((volatile uint8_t *)guard, 1);
	check(faulted && last_fault()->count == faults + 1 && last_fault()->addr == guard &&
		      (last_fault()->error & (PF_PRESENT | PF_WRITE)) == PF_WRITE,
	      "guard: a write to CPU 0's guard page at 0x%lx (the stride's last page) faults "
	      "as not present", (unsigned long)guard);
	uintptr_t cpu1 = (uintptr_t)&demo64_word + PERCPU_STRIDE;
	uint32_t sink;
	faulted = probe_read32((const volatile uint32_t *)cpu1, &sink);
	check(faulted && last_fault()->addr == cpu1,
	      "CPU 1's copy of demo64_word at 0x%lx faults before CPU 1 is started",
	      (unsigned long)cpu1);

}

/* Every CPU at once: its %gs reaches its own copy. */
static void whoami_on_this_cpu(void *arg)
{
	volatile unsigned *wrong = arg;
	if (this_cpu_read(pcpu_cpu_number) != smp_cpu_id_slow() ||
	    rdmsr(PCPU_X86_64_MSR_GS_BASE) != (uint64_t)smp_cpu_id_slow() << PERCPU_SHIFT)
		__atomic_fetch_add(wrong, 1, __ATOMIC_RELAXED);
}

void kernel_main(uint32_t magic, uint32_t mbi_phys);
void kernel_main(uint32_t magic, uint32_t mbi_phys)
{
	console_init();
	kprintf("percpu-vm demo kernel (x86-64): %s paging, per-CPU window at 0x%016lx, stride "
		"0x%lx (shift %u), NR_CPUS %u\n",
		PAGING_MODE_NAME, DEMO_PERCPU_BASE, PERCPU_STRIDE, PERCPU_SHIFT, PERCPU_NR_CPUS);
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot loader (magic 0x%08x)", magic);
	const struct multiboot_info *mbi = phys_to_ptr(mbi_phys);
	const char *cmdline = (mbi->flags & MBI_CMDLINE) ? phys_to_ptr(mbi->cmdline) : "";
	unsigned long iterations = cmdline_ulong(cmdline, "iters", 100000);
	unsigned long rounds = cmdline_ulong(cmdline, "rounds", 1000);
	unsigned long loops = cmdline_ulong(cmdline, "loops", 1000);
	unsigned long max_cpus = cmdline_ulong(cmdline, "maxcpus", PERCPU_NR_CPUS);
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
	kprintf("memory: %zu free pages below 0x%08x; long mode, paging on (%s%s)\n",
		pmem_free_count(), pmem_ram_top(), PAGING_MODE_NAME,
		paging_nx_enabled() ? ", NX" : "");

	int faulted = probe_write32((volatile uint32_t *)DEMO_PERCPU_BASE, 1);
	check(faulted && last_fault()->addr == DEMO_PERCPU_BASE,
	      "before set-up the window is unmapped: a write at 0x%016lx faults", DEMO_PERCPU_BASE);

	percpu_boot();
	const size_t static_size = percpu_static_init_size() + percpu_static_zero_size();
	kprintf("static area: %zu bytes (.data.percpu %zu from the template at %p, "
		".bss.percpu %zu) at %p on CPU 0\n",
		static_size, percpu_static_init_size(), (void *)__per_cpu_load,
		percpu_static_zero_size(), (void *)__per_cpu_start);
	check_this_cpu_on_cpu0();
	check_per_cpu_addresses();
	check_window_cpu0();

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
	if (delay_init())
		kprintf("timer: the TSC counts %u ticks per microsecond (measured against the PIT)\n",
			delay_tsc_per_us());
	else
		kprintf("timer: no usable PIT to measure the TSC against; delays assume %u TSC "
			"ticks per microsecond\n", delay_tsc_per_us());
	unsigned started = smp_boot(&topo, (unsigned)max_cpus, percpu_prepare_cpu, NULL);
	kprintf("CPUs found %u (%s), started %u\n", topo.nr_cpus, topo.source, started);
	bool gs_ok = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (smp_cpu_online(cpu) &&
		    (gdt_gs_base_seen(cpu) != __per_cpu_offset[cpu] ||
		     __per_cpu_offset[cpu] != (unsigned long)cpu << PERCPU_SHIFT ||
		     per_cpu(pcpu_cpu_number, cpu) != cpu || per_cpu(demo64_word, cpu) != (cpu ? 0x5EC0FFEE12345678ul : 0x100000001ul)))
			gs_ok = false;
	check(started == topo.nr_cpus || started == max_cpus, "%u of %u CPUs started", started,
	      topo.nr_cpus);
	check(gs_ok, "each CPU's GS base = __per_cpu_offset[cpu] = cpu << %u", PERCPU_SHIFT);
	volatile unsigned wrong = 0;
	smp_call_all(whoami_on_this_cpu, (void *)&wrong);
	check(wrong == 0, "every CPU's %%gs reaches its own copy (%u of %u wrong)", wrong,
	      smp_online_count());

	demo_run(mbi, iterations, rounds, loops, static_size);
}

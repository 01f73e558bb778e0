/*
 * demo_run.c: the part of the demo both kernels run the same way once
 * their CPUs are up (i386 main.c and x86_64/main.c): the ring-3 probe's
 * set-up, the demos, the window compared with its state after boot, the
 * summary line and the result.
 */
#include <stddef.h>

#include <percpu-vm/runtime.h>
#include "demo.h"
#include "kernel.h"
#include "ksyms.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"
#include "usermode.h"

void demo_run(const struct multiboot_info *mbi, unsigned long iterations, unsigned long rounds,
	      unsigned long loops, size_t static_size)
{
	kprintf("kernel exports for modules: %u symbols, %u of them per-CPU\n", ksym_count(),
		ksym_percpu_count());

	/* The ring-3 probe's TSS and user pages, before the baseline below. */
	check(usermode_init(), "ring-3 probe set up (TSS, user pages at 0x%08lx)",
	      (unsigned long)usermode_page());

	struct pcpu_stats boot_stats;
	pcpu_get_stats(demo_rt, &boot_stats);
	size_t boot_free = pmem_free_count();
	report_window("after boot");

	demo_counters(iterations);
	demo_dynamic();
	demo_security();
	demo_modules(mbi, rounds, loops);

	struct pcpu_stats end_stats;
	pcpu_get_stats(demo_rt, &end_stats);
	report_window("at the end");
	check(end_stats.mapped_pages == boot_stats.mapped_pages &&
		      end_stats.live_areas == boot_stats.live_areas && pmem_free_count() == boot_free,
	      "at the end the window is as after boot: %zu pages mapped, %zu areas, %zu free pages",
	      end_stats.mapped_pages, end_stats.live_areas, pmem_free_count());
	size_t pt_boot, pt_normal;
	unsigned mods_loaded, mods_refused;
	unsigned long cycles;
	percpu_pt_pages(&pt_boot, &pt_normal);
	demo_modules_counts(&mods_loaded, &mods_refused, &cycles);
	kprintf("summary: %u CPUs; window %lu MiB of address space (%u CPUs x %lu KiB), "
		"%zu pages mapped now (%zu per CPU) + %zu page-table pages; static area %zu bytes; "
		"modules: %u loaded, run and unloaded, %u refused; %lu load/unload cycles; "
		"%lu TLB shootdowns\n",
		smp_online_count(), (PERCPU_NR_CPUS * PERCPU_STRIDE) >> 20, PERCPU_NR_CPUS,
		PERCPU_STRIDE >> 10, end_stats.mapped_pages, end_stats.mapped_offsets,
		pt_boot + pt_normal, static_size, mods_loaded, mods_refused, cycles,
		percpu_shootdowns());
	kprintf("RESULT: %s (%u checks passed, %u failed)\n", checks_failed() ? "FAIL" : "PASS",
		checks_passed(), checks_failed());
	demo_exit(checks_failed() ? DEMO_EXIT_FAIL : DEMO_EXIT_PASS);
}

/* demo_security.c: what the window promises beyond correctness.
 *  - every per-CPU page is present, writable and supervisor-only (U/S
 *    clear), and with PAE not executable (NX), read back from the leaf
 *    page-table entries;
 *  - nothing but per-CPU pages is mapped: a write just past a CPU's used
 *    part of its slot faults (the handler reports the address and the demo
 *    goes on), as does a write to an offline CPU's slot;
 *  - with PAE, jumping into per-CPU data faults on the instruction fetch. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/i386_pgtable.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "kernel.h"
#include "paging.h"
#include "percpu_setup.h"
#include "smp.h"
#include "traps.h"
#include "usermode.h"

#define PF_PRESENT 0x1u
#define PF_WRITE 0x2u
#define PF_USER 0x4u
#define PF_FETCH 0x10u

extern volatile uint32_t probe_exec_target;

static void check_page_flags(void)
{
	const struct pcpu_i386_mmu *mmu = percpu_mmu();
	unsigned pages = 0, bad_user = 0, bad_rw = 0, bad_nx = 0;
	bool want_nx = paging_nx_enabled();
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		uintptr_t slot = PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT);
		for (uint32_t off = 0; off < PERCPU_STRIDE; off += PAGE_SIZE) {
			uint64_t flags;
			if (pcpu_i386_translate(mmu, (uint32_t)(slot + off), NULL, &flags))
				continue;
			pages++;
			if (flags & PCPU_I386_PTE_US)
				bad_user++;
			if (!(flags & PCPU_I386_PTE_RW))
				bad_rw++;
			if (want_nx && !(flags & PCPU_I386_PTE_NX))
				bad_nx++;
		}
	}
	check(pages > 0 && bad_user == 0,
	      "security: all %u per-CPU pages are supervisor-only (U/S clear)", pages);
	check(bad_rw == 0, "security: all %u per-CPU pages are present and writable", pages);
	if (want_nx)
		check(bad_nx == 0, "security: all %u per-CPU pages are non-executable (NX set)", pages);
	else
		kprintf("security: NX: %s\n",
			PAGING_MODE_NAME[0] == 'P' ? "this CPU has no NX bit"
						   : "2-level paging has no NX bit; not checked");
}

static void check_guards(void)
{
	size_t used_end = window_used_end();
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		uintptr_t slot = PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT);
		uintptr_t past = slot + used_end;
		uint32_t last;
		int read_ok = probe_read32((const volatile uint32_t *)(past - 4), &last) == 0;
		unsigned faults = last_fault()->count;
		int faulted = probe_write32((volatile uint32_t *)past, 0xBADC0DEu);
		bool ok = read_ok && faulted && last_fault()->count == faults + 1 && last_fault()->addr == past &&
			  (last_fault()->error & (PF_PRESENT | PF_WRITE)) == PF_WRITE;
		kprintf("guard: CPU %u: used part ends at 0x%08x; write at 0x%08x -> %s at 0x%08x "
			"(error 0x%x), demo goes on\n",
			cpu, (uint32_t)past, (uint32_t)past, faulted ? "page fault" : "NO FAULT",
			last_fault()->addr, last_fault()->error);
		check(ok, "guard: a write just past CPU %u's used area (0x%08x) faults and is reported",
		      cpu, (uint32_t)past);
	}
	if (smp_online_count() < PERCPU_NR_CPUS) {
		unsigned cpu = PERCPU_NR_CPUS - 1;
		volatile uint32_t *p = (volatile uint32_t *)per_cpu_ptr(&pcpu_cpu_number, cpu);
		int faulted = probe_write32(p, 1);
		check(faulted && last_fault()->addr == (uint32_t)(uintptr_t)p,
		      "guard: writing offline CPU %u's copy of pcpu_cpu_number (0x%08x) faults", cpu,
		      (uint32_t)(uintptr_t)p);
	}
}

static void check_nx(void)
{
	if (!paging_nx_enabled())
		return;
	unsigned char *code = __alloc_percpu(16, 16);
	if (!code) {
		check(false, "security: NX test: no per-CPU memory");
		return;
	}
	code[0] = 0xC3; /* ret */
	probe_exec_target = (uint32_t)(uintptr_t)code;
	unsigned faults = last_fault()->count;
	int faulted = probe_exec(code);
	probe_exec_target = 0;
	check(faulted && last_fault()->count == faults + 1 &&
		      last_fault()->addr == (uint32_t)(uintptr_t)code && (last_fault()->error & PF_FETCH),
	      "security: executing per-CPU data at %p faults on the fetch (error 0x%x)", (void *)code,
	      last_fault()->error);
	free_percpu(code);
}

/* Supervisor-only, shown from ring 3: the probe reads its own user page
 * (so ring 3 really runs and reads), then a per-CPU page, which must fault
 * as a protection violation (present, user mode). */
static void check_user_mode(void)
{
	uint32_t fa, fe;
	bool own = usermode_read(usermode_page(), &fa, &fe);
	check(own, "security: ring 3 reads its own user page at 0x%08x", usermode_page());
	unsigned cpus_tried = 0, cpus_ok = 0;
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		uint32_t target = (uint32_t)(uintptr_t)per_cpu_ptr(&pcpu_cpu_number, cpu);
		bool read = usermode_read(target, &fa, &fe);
		cpus_tried++;
		if (!read && fa == target && (fe & (PF_PRESENT | PF_USER)) == (PF_PRESENT | PF_USER))
			cpus_ok++;
		if (cpu == 0)
			kprintf("security: ring 3 reads CPU 0's copy of pcpu_cpu_number at 0x%08x -> %s "
				"at 0x%08x (error 0x%x: %s, %s mode)\n",
				target, read ? "NO FAULT" : "page fault", fa, fe,
				fe & PF_PRESENT ? "protection" : "not present", fe & PF_USER ? "user" : "kernel");
	}
	check(cpus_ok == cpus_tried,
	      "security: reading any CPU's per-CPU page from ring 3 faults as a protection violation "
	      "(%u of %u CPUs)", cpus_ok, cpus_tried);
}

void demo_security(void)
{
	check_page_flags();
	check_user_mode();
	check_guards();
	check_nx();
}

/* demo_security.c: what the window promises beyond correctness, the same
 * checks and report lines on i386 and x86-64.
 *  - every per-CPU page is present, writable and supervisor-only (U/S
 *    clear), and where the paging mode has it, not executable (NX), read
 *    back from the leaf page-table entries (percpu_page_flags(), each
 *    mode's percpu_setup.c);
 *  - ring 3 cannot read any CPU's copy (usermode.c; the ring-3 entry is
 *    each mode's boot.S, gdt.c and traps.c);
 *  - nothing but per-CPU pages is mapped: a write just past a CPU's used
 *    part of its slot faults (the handler reports the address and the demo
 *    goes on), as does a write to an offline CPU's slot;
 *  - the last page of every slot is a guard the runtime never maps: with
 *    the usable part full to its last byte, a one-byte write past it, just
 *    below CPU n+1's copy, faults;
 *  - with NX, jumping into per-CPU data faults on the instruction fetch.
 * Addresses are printed as unsigned long: 8 hex digits on i386, 16 on
 * x86-64. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "kernel.h"
#include "paging.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"
#include "traps.h"
#include "usermode.h"

static void check_page_flags(void)
{
	unsigned pages = 0, bad_user = 0, bad_rw = 0, bad_nx = 0;
	bool want_nx = paging_nx_enabled();
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		uintptr_t slot = DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT);
		for (uintptr_t off = 0; off < PERCPU_STRIDE; off += PAGE_SIZE) {
			struct demo_page_flags f;
			if (!percpu_page_flags(slot + off, &f))
				continue;
			pages++;
			if (f.user)
				bad_user++;
			if (!f.writable)
				bad_rw++;
			if (want_nx && !f.nx)
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
			PAGING_MODE_NAME[0] == '2' ? "2-level paging has no NX bit; not checked"
						   : "this CPU has no NX bit");
}

static void check_guards(void)
{
	size_t used_end = window_used_end();
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		uintptr_t slot = DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT);
		uintptr_t past = slot + used_end;
		uint32_t last;
		int read_ok = probe_read32((const volatile uint32_t *)(past - 4), &last) == 0;
		unsigned faults = last_fault()->count;
		int faulted = probe_write32((volatile uint32_t *)past, 0xBADC0DEu);
		bool ok = read_ok && faulted && last_fault()->count == faults + 1 && last_fault()->addr == past &&
			  (last_fault()->error & (PF_PRESENT | PF_WRITE)) == PF_WRITE;
		kprintf("guard: CPU %u: used part ends at 0x%08lx; write at 0x%08lx -> %s at 0x%08lx "
			"(error 0x%x), demo goes on\n",
			cpu, (unsigned long)past, (unsigned long)past, faulted ? "page fault" : "NO FAULT",
			(unsigned long)last_fault()->addr, last_fault()->error);
		check(ok, "guard: a write just past CPU %u's used area (0x%08lx) faults and is reported",
		      cpu, (unsigned long)past);
	}
	if (smp_online_count() < PERCPU_NR_CPUS) {
		unsigned cpu = PERCPU_NR_CPUS - 1;
		volatile uint32_t *p = (volatile uint32_t *)per_cpu_ptr(&pcpu_cpu_number, cpu);
		int faulted = probe_write32(p, 1);
		check(faulted && last_fault()->addr == (uintptr_t)p,
		      "guard: writing offline CPU %u's copy of pcpu_cpu_number (0x%08lx) faults", cpu,
		      (unsigned long)(uintptr_t)p);
	}
}

/* One byte past the usable part of CPU `cpu`'s slot (`last` is its last
 * usable byte, mapped), into the guard page: the write must fault there. */
static void probe_guard_page(unsigned cpu, volatile uint8_t *last, bool full)
{
	volatile uint8_t *past = last + 1;
	uintptr_t next_copy = DEMO_PERCPU_BASE + ((uintptr_t)(cpu + 1) << PERCPU_SHIFT);
	int last_faulted = probe_write8(last, 0x5A);
	unsigned faults = last_fault()->count;
	int faulted = probe_write8(past, 0xA5);
	bool ok = (!full || !last_faulted) && faulted && last_fault()->count == faults + 1 &&
		  last_fault()->addr == (uintptr_t)past &&
		  (last_fault()->error & (PF_PRESENT | PF_WRITE)) == PF_WRITE;
	kprintf("guard: CPU %u: usable part %s up to 0x%08lx; one byte at 0x%08lx, %u bytes below "
		"CPU %u's copy -> %s at 0x%08lx (error 0x%x)\n",
		cpu, full ? "full" : "probed", (unsigned long)(uintptr_t)last,
		(unsigned long)(uintptr_t)past, (unsigned)(next_copy - (uintptr_t)past), cpu + 1,
		faulted ? "page fault" : "NO FAULT", (unsigned long)last_fault()->addr,
		last_fault()->error);
	check(ok, "guard: a byte written past CPU %u's %s usable part (0x%08lx, the guard page at "
	      "the end of its stride) faults", cpu, full ? "full" : "empty",
	      (unsigned long)(uintptr_t)past);
}

/* The stride's last page is the runtime's guard page.  To show it guards
 * even a stride in use to its very end, one dynamic area takes the whole
 * free tail (the largest free extent, first fit), which must then end just
 * below the guard page, at the stride less 4096 bytes; its last byte is
 * written on every online CPU, then the byte after it, which must fault.
 * The area maps the tail on every online CPU for a moment; if the page
 * allocator has not that many pages to spare (a big stride), the guard
 * page is probed alone. */
static void check_stride_guard(void)
{
	struct pcpu_stats st;
	pcpu_get_stats(demo_rt, &st);
	size_t tail = st.largest_free;
	size_t pages = (tail / PAGE_SIZE + 2) * smp_online_count();
	unsigned char *fill = NULL;
	if (tail && pages <= pmem_free_count() / 2) {
		fill = __alloc_percpu(tail, 1);
		size_t end = fill ? (uintptr_t)fill - DEMO_PERCPU_BASE + tail : 0;
		check(fill && end == PERCPU_STRIDE - PAGE_SIZE,
		      "guard: a %zu-byte dynamic area fills the stride's free tail up to offset 0x%zx "
		      "(the stride less its 4096-byte guard page: 0x%x)",
		      tail, end, (unsigned)(PERCPU_STRIDE - PAGE_SIZE));
	} else {
		kprintf("guard: filling the stride's free tail would take %zu pages, %zu are free: "
			"probing the guard page alone\n", pages, pmem_free_count());
	}
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		/* The area's last byte: if the runtime let it reach the stride's
		 * end, the byte after it is CPU cpu+1's and the write does not
		 * fault, which the check reports. */
		uintptr_t slot = DEMO_PERCPU_BASE + ((uintptr_t)cpu << PERCPU_SHIFT);
		uintptr_t last = fill ? (uintptr_t)per_cpu_ptr(fill, cpu) + tail - 1
				      : slot + PERCPU_STRIDE - PAGE_SIZE - 1;
		probe_guard_page(cpu, (volatile uint8_t *)last, fill != NULL);
	}
	if (fill)
		free_percpu(fill);
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
	probe_exec_target = (uintptr_t)code;
	unsigned faults = last_fault()->count;
	int faulted = probe_exec(code);
	probe_exec_target = 0;
	check(faulted && last_fault()->count == faults + 1 &&
		      last_fault()->addr == (uintptr_t)code && (last_fault()->error & PF_FETCH),
	      "security: executing per-CPU data at %p faults on the fetch (error 0x%x)", (void *)code,
	      last_fault()->error);
	free_percpu(code);
}

/* Supervisor-only, shown from ring 3: the probe reads its own user page
 * (so ring 3 really runs and reads), then a per-CPU page, which must fault
 * as a protection violation (present, user mode). */
static void check_user_mode(void)
{
	uintptr_t fa;
	uint32_t fe;
	bool own = usermode_read(usermode_page(), &fa, &fe);
	check(own, "security: ring 3 reads its own user page at 0x%08lx",
	      (unsigned long)usermode_page());
	unsigned cpus_tried = 0, cpus_ok = 0;
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		uintptr_t target = (uintptr_t)per_cpu_ptr(&pcpu_cpu_number, cpu);
		bool read = usermode_read(target, &fa, &fe);
		cpus_tried++;
		if (!read && fa == target && (fe & (PF_PRESENT | PF_USER)) == (PF_PRESENT | PF_USER))
			cpus_ok++;
		if (cpu == 0)
			kprintf("security: ring 3 reads CPU 0's copy of pcpu_cpu_number at 0x%08lx -> %s "
				"at 0x%08lx (error 0x%x: %s, %s mode)\n",
				(unsigned long)target, read ? "NO FAULT" : "page fault",
				(unsigned long)fa, fe, fe & PF_PRESENT ? "protection" : "not present",
				fe & PF_USER ? "user" : "kernel");
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
	check_stride_guard();
	check_nx();
}

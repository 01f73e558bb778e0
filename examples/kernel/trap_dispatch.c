/* trap_dispatch.c: what a trap does, the same on both demo kernels.  A page
 * fault inside one of the probe helpers of boot.S is recorded in the
 * faulting CPU's fault record and resumed at the helper's fixup; the TLB
 * shootdown and wake IPIs are handled; a trap from ring 3 goes to the
 * usermode probe; anything else is reported with its frame (trap_panic(),
 * the arch's register dump) and fails the run.  The IDT itself, the frame's
 * layout and the return to ring 0 are the arch's (traps.c, x86_64/traps.c,
 * traps.h). */
#include "io.h"
#include "kernel.h"
#include "smp.h"
#include "traps.h"

static volatile struct fault_record fault_records[PERCPU_NR_CPUS];

/* By APIC ID rather than the per-CPU segment: the first probe runs before
 * the per-CPU window exists. */
const volatile struct fault_record *last_fault(void)
{
	return &fault_records[smp_cpu_id_slow()];
}

extern char probe_write32_insn[], probe_write32_fixup[];
extern char probe_write8_insn[], probe_write8_fixup[];
extern char probe_read32_insn[], probe_read32_fixup[];
extern char probe_exec_fixup[];
/* The address probe_exec is about to call (its fault has IP == target). */
volatile uintptr_t probe_exec_target;

/* Where a fault at `ip` resumes: the fixup of the probe it is in, or 0. */
static uintptr_t probe_fixup(uintptr_t ip)
{
	if (ip == (uintptr_t)probe_write32_insn)
		return (uintptr_t)probe_write32_fixup;
	if (ip == (uintptr_t)probe_write8_insn)
		return (uintptr_t)probe_write8_fixup;
	if (ip == (uintptr_t)probe_read32_insn)
		return (uintptr_t)probe_read32_fixup;
	if (probe_exec_target && ip == probe_exec_target)
		return (uintptr_t)probe_exec_fixup;
	return 0;
}

static bool fixup(struct trap_frame *f)
{
	uintptr_t ip = trap_ip(f), fix = probe_fixup(ip);
	if (!fix)
		return false;
	volatile struct fault_record *r = &fault_records[smp_cpu_id_slow()];
	r->addr = read_cr2();
	r->error = (uint32_t)f->error;
	r->ip = ip;
	r->count++;
	trap_set_ip(f, fix);
	return true;
}

static const char *const trap_names[20] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
	"no FPU", "double fault", "coprocessor overrun", "invalid TSS", "segment not present",
	"stack fault", "general protection", "page fault", "reserved", "FPU error",
	"alignment check", "machine check", "SIMD error",
};

void trap_dispatch(struct trap_frame *f);
void trap_dispatch(struct trap_frame *f)
{
	if ((f->cs & 3) == 3) {
		/* From ring 3: only the usermode probe runs there. */
		usermode_trap(f);
		return;
	}
	switch (f->vector) {
	case VEC_TLB_SHOOTDOWN:
		smp_handle_shootdown();
		lapic_eoi();
		return;
	case VEC_WAKE:
		lapic_eoi();
		return;
	case VEC_SPURIOUS:
		return;
	case VEC_PAGE_FAULT:
		if (fixup(f))
			return;
		break;
	}
	trap_panic(f, f->vector < 20 ? trap_names[f->vector] : "interrupt");
}

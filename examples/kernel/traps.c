/* traps.c: the IDT, and what each trap does.  A page fault inside one of
 * the probe helpers is recorded and resumed at the helper's fixup; any
 * other exception is reported with its frame and fails the run. */
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "smp.h"
#include "traps.h"

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(8)));

static volatile struct fault_record fault_records[PERCPU_NR_CPUS];

/* By APIC ID rather than %fs: the first probe runs before the per-CPU
 * window exists. */
const volatile struct fault_record *last_fault(void)
{
	return &fault_records[smp_cpu_id_slow()];
}

#define STUB(n) extern char trap_stub_##n[]
STUB(0); STUB(1); STUB(2); STUB(3); STUB(4); STUB(5); STUB(6); STUB(7);
STUB(8); STUB(9); STUB(10); STUB(11); STUB(12); STUB(13); STUB(14); STUB(15);
STUB(16); STUB(17); STUB(18); STUB(19); STUB(129); STUB(240); STUB(241); STUB(255);

extern char probe_write32_insn[], probe_write32_fixup[];
extern char probe_write8_insn[], probe_write8_fixup[];
extern char probe_read32_insn[], probe_read32_fixup[];
extern char probe_exec_fixup[];
/* The address probe_exec is about to call (its fault has EIP == target). */
volatile uintptr_t probe_exec_target;

static void set_gate_dpl(unsigned vec, void *handler, unsigned dpl)
{
	uint32_t a = (uint32_t)(uintptr_t)handler;
	idt[vec].off_lo = (uint16_t)a;
	idt[vec].sel = GDT_KERNEL_CS;
	idt[vec].zero = 0;
	idt[vec].type = (uint8_t)(0x8E | (dpl << 5)); /* present, 32-bit interrupt gate */
	idt[vec].off_hi = (uint16_t)(a >> 16);
}

static void set_gate(unsigned vec, void *handler)
{
	set_gate_dpl(vec, handler, 0);
}

void idt_init(void)
{
	void *stubs[20] = { trap_stub_0, trap_stub_1, trap_stub_2, trap_stub_3, trap_stub_4,
			    trap_stub_5, trap_stub_6, trap_stub_7, trap_stub_8, trap_stub_9,
			    trap_stub_10, trap_stub_11, trap_stub_12, trap_stub_13, trap_stub_14,
			    trap_stub_15, trap_stub_16, trap_stub_17, trap_stub_18, trap_stub_19 };
	for (unsigned v = 0; v < 20; v++)
		set_gate(v, stubs[v]);
	set_gate_dpl(VEC_USER_RETURN, trap_stub_129, 3); /* ring 3 may call it */
	set_gate(VEC_TLB_SHOOTDOWN, trap_stub_240);
	set_gate(VEC_WAKE, trap_stub_241);
	set_gate(VEC_SPURIOUS, trap_stub_255);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static bool fixup(struct trap_frame *f)
{
	uint32_t eip = f->eip;
	uint32_t fix = 0;
	if (eip == (uint32_t)(uintptr_t)probe_write32_insn)
		fix = (uint32_t)(uintptr_t)probe_write32_fixup;
	else if (eip == (uint32_t)(uintptr_t)probe_write8_insn)
		fix = (uint32_t)(uintptr_t)probe_write8_fixup;
	else if (eip == (uint32_t)(uintptr_t)probe_read32_insn)
		fix = (uint32_t)(uintptr_t)probe_read32_fixup;
	else if (probe_exec_target && eip == probe_exec_target)
		fix = (uint32_t)(uintptr_t)probe_exec_fixup;
	if (!fix)
		return false;
	volatile struct fault_record *r = &fault_records[smp_cpu_id_slow()];
	r->addr = read_cr2();
	r->error = f->error;
	r->eip = eip;
	r->count++;
	f->eip = fix;
	return true;
}

void trap_resume_kernel(struct trap_frame *f, uintptr_t ip, uintptr_t sp)
{
	/* An iret to the same privilege pops only eip, cs and eflags; the
	 * code at `ip` reloads the stack. */
	(void)sp;
	f->eip = (uint32_t)ip;
	f->cs = GDT_KERNEL_CS;
	f->eflags = 0x2;
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
	panic("unexpected %s (vector %u) error 0x%x at eip 0x%08x, cr2 0x%08x, eax %08x ebx %08x "
	      "ecx %08x edx %08x esi %08x edi %08x",
	      f->vector < 20 ? trap_names[f->vector] : "interrupt", f->vector, f->error, f->eip,
	      read_cr2(), f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi);
}

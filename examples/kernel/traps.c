/* traps.c: the i386 IDT, the return to ring 0 and the report of an
 * unexpected trap's frame.  What each trap does is trap_dispatch.c's,
 * shared with the x86-64 kernel. */
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

#define STUB(n) extern char trap_stub_##n[]
STUB(0); STUB(1); STUB(2); STUB(3); STUB(4); STUB(5); STUB(6); STUB(7);
STUB(8); STUB(9); STUB(10); STUB(11); STUB(12); STUB(13); STUB(14); STUB(15);
STUB(16); STUB(17); STUB(18); STUB(19); STUB(129); STUB(240); STUB(241); STUB(255);

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

void trap_resume_kernel(struct trap_frame *f, uintptr_t ip, uintptr_t sp)
{
	/* An iret to the same privilege pops only eip, cs and eflags; the
	 * code at `ip` reloads the stack. */
	(void)sp;
	f->eip = (uint32_t)ip;
	f->cs = GDT_KERNEL_CS;
	f->eflags = 0x2;
}

void trap_panic(const struct trap_frame *f, const char *name)
{
	panic("unexpected %s (vector %u) error 0x%x at eip 0x%08x, cr2 0x%08x, eax %08x ebx %08x "
	      "ecx %08x edx %08x esi %08x edi %08x",
	      name, f->vector, f->error, f->eip,
	      read_cr2(), f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi);
}

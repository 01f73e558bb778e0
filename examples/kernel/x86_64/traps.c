/* x86_64/traps.c: the long-mode IDT (16-byte gates), the return to ring 0
 * and the report of an unexpected trap's frame.  What each trap does is
 * ../trap_dispatch.c's, as on i386 (../traps.c). */
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "smp.h"
#include "traps.h"

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "a long-mode gate is 16 bytes");

static struct idt_gate idt[256] __attribute__((aligned(16)));

#define STUB(n) extern char trap_stub_##n[]
STUB(0); STUB(1); STUB(2); STUB(3); STUB(4); STUB(5); STUB(6); STUB(7);
STUB(8); STUB(9); STUB(10); STUB(11); STUB(12); STUB(13); STUB(14); STUB(15);
STUB(16); STUB(17); STUB(18); STUB(19); STUB(129); STUB(240); STUB(241); STUB(255);

static void set_gate_dpl(unsigned vec, void *handler, unsigned dpl)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;
	idt[vec].off_lo = (uint16_t)a;
	idt[vec].sel = GDT_KERNEL_CS;
	idt[vec].ist = 0;
	idt[vec].type = (uint8_t)(0x8E | (dpl << 5)); /* present, 64-bit interrupt gate */
	idt[vec].off_mid = (uint16_t)(a >> 16);
	idt[vec].off_hi = (uint32_t)(a >> 32);
	idt[vec].reserved = 0;
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
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_resume_kernel(struct trap_frame *f, uintptr_t ip, uintptr_t sp)
{
	f->rip = ip;
	f->cs = GDT_KERNEL_CS;
	f->rflags = 0x2;
	f->rsp = sp;
	f->ss = GDT_KERNEL_DS;
}

void trap_panic(const struct trap_frame *f, const char *name)
{
	panic("unexpected %s (vector %lu) error 0x%lx at rip 0x%016lx, cr2 0x%016lx, rsp 0x%016lx, "
	      "rax %lx rbx %lx rcx %lx rdx %lx rsi %lx rdi %lx",
	      name, f->vector, f->error, f->rip,
	      read_cr2(), f->rsp, f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi);
}

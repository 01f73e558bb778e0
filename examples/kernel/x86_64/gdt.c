/* x86_64/gdt.c: the long-mode segments and each CPU's GS base.  The GDT
 * itself is static, in boot.S (the boot path needs it before any C runs):
 * long mode ignores the bases of %cs, %ds, %es and %ss, and takes those of
 * %fs and %gs from MSRs, so there is no per-CPU descriptor as on i386
 * (../gdt.c) and the per-CPU window is reached through IA32_GS_BASE =
 * __per_cpu_offset[cpu] (pcpu_x86_64_set_gs_base_msr(), kernel-glue). */
#include <percpu-vm/percpu.h>

#include "gdt.h"
#include "io.h"
#include "kernel.h"

#define KERNEL_VIRT_BASE 0xffffffff80000000ul
/* boot.S's GDT: user data (0x20), 64-bit user code (0x28), the TSS (0x30,
 * two slots). */
#define GDT_USER_DATA 4
#define GDT_USER_CODE 5
#define GDT_TSS 6

extern uint64_t demo_gdt[], demo_gdt_end[];
static volatile uint64_t gs_base_seen[PERCPU_NR_CPUS];

void gdt_init(void) {}

void gdt_describe(uint32_t *base, uint16_t *limit)
{
	/* For the AP trampoline, which loads it before paging is on: the
	 * physical address (the image is loaded at its link address less
	 * KERNEL_VIRT_BASE). */
	*base = (uint32_t)((uintptr_t)demo_gdt - KERNEL_VIRT_BASE);
	*limit = (uint16_t)(SYM_DISTANCE(demo_gdt_end, demo_gdt) - 1);
}

void gdt_load(unsigned cpu)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { (uint16_t)(SYM_DISTANCE(demo_gdt_end, demo_gdt) - 1),
					   (uint64_t)(uintptr_t)demo_gdt };
	uint64_t scratch;

	/* %cs through a far return; a null %fs and %gs (loading a selector
	 * would clear the GS base's low half: the MSR is written after). */
	__asm__ volatile("lgdt %1\n\t"
			 "leaq 1f(%%rip), %0\n\t"
			 "pushq %2\n\t"
			 "pushq %0\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %3, %k0\n\t"
			 "movw %w0, %%ds\n\t"
			 "movw %w0, %%es\n\t"
			 "movw %w0, %%ss\n\t"
			 "xorl %k0, %k0\n\t"
			 "movw %w0, %%fs\n\t"
			 "movw %w0, %%gs"
			 : "=&r"(scratch)
			 : "m"(gdtr), "i"((uint64_t)GDT_KERNEL_CS), "i"(GDT_KERNEL_DS)
			 : "memory");
	pcpu_x86_64_set_gs_base_msr(cpu);
	gs_base_seen[cpu] = rdmsr(PCPU_X86_64_MSR_GS_BASE);
}

uint64_t gdt_gs_base_seen(unsigned cpu) { return gs_base_seen[cpu]; }

uint16_t gdt_user_cs(void) { return (uint16_t)(GDT_USER_CODE * 8 + 3); }
uint16_t gdt_user_ds(void) { return (uint16_t)(GDT_USER_DATA * 8 + 3); }

/* The long-mode TSS holds no registers, only stacks: RSP0 is where a trap
 * from ring 3 puts its frame (the IST slots are unused). */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2;
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "the 64-bit TSS is 104 bytes");

static struct tss64 tss __attribute__((aligned(16)));

void gdt_load_tss(uintptr_t stack_top)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	tss.rsp0 = stack_top;
	tss.iomap = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
	/* A 16-byte system descriptor: type 0x89 (available 64-bit TSS),
	 * byte granularity, base bits 0..31 in the usual places, 32..63 in
	 * the second slot. */
	demo_gdt[GDT_TSS] = (limit & 0xFFFFu) | (base & 0xFFFFFFu) << 16 | (uint64_t)0x89 << 40 |
			    ((limit >> 16) & 0xFu) << 48 | ((base >> 24) & 0xFFu) << 56;
	demo_gdt[GDT_TSS + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)(GDT_TSS * 8)) : "memory");
}

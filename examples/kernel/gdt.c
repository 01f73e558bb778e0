/* gdt.c: the global descriptor table with a per-CPU %fs segment each. */
#include <percpu-vm/config.h>

#include "gdt.h"
#include "kernel.h"

/* null, kernel code, kernel data, one %fs slot per possible CPU, then user
 * code, user data and the TSS. */
#define GDT_USER_CODE (GDT_FIRST_PERCPU + PERCPU_NR_CPUS)
#define GDT_USER_DATA (GDT_USER_CODE + 1)
#define GDT_TSS (GDT_USER_CODE + 2)
static uint64_t gdt[GDT_TSS + 1] __attribute__((aligned(8)));

static uint64_t descriptor(uint32_t base, uint32_t limit_pages, uint8_t access)
{
	uint64_t d = 0;
	d |= limit_pages & 0xFFFFu;
	d |= (uint64_t)(base & 0xFFFFFFu) << 16;
	d |= (uint64_t)access << 40;
	d |= (uint64_t)((limit_pages >> 16) & 0xFu) << 48;
	d |= (uint64_t)0xC << 52; /* 4 KiB granularity, 32-bit */
	d |= (uint64_t)(base >> 24) << 56;
	return d;
}

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = descriptor(0, 0xFFFFF, 0x9A); /* ring 0 code */
	gdt[2] = descriptor(0, 0xFFFFF, 0x92); /* ring 0 data */
	gdt[GDT_USER_CODE] = descriptor(0, 0xFFFFF, 0xFA); /* ring 3 code */
	gdt[GDT_USER_DATA] = descriptor(0, 0xFFFFF, 0xF2); /* ring 3 data */
	/* Until its copy exists, a CPU's %fs is a segment based at 0: a stray
	 * this_cpu access before then faults in the unmapped window. */
	for (unsigned cpu = 0; cpu < PERCPU_NR_CPUS; cpu++)
		gdt[GDT_FIRST_PERCPU + cpu] = descriptor(0, 0xFFFFF, 0x92);
}

uint16_t gdt_user_cs(void) { return (uint16_t)(GDT_USER_CODE * 8 + 3); }
uint16_t gdt_user_ds(void) { return (uint16_t)(GDT_USER_DATA * 8 + 3); }

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

static struct tss tss __attribute__((aligned(16)));

void gdt_load_tss(uintptr_t stack_top)
{
	tss.ss0 = GDT_KERNEL_DS;
	tss.esp0 = (uint32_t)stack_top;
	tss.iomap = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
	uint64_t d = descriptor((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1, 0x89); /* 32-bit TSS */
	d &= ~((uint64_t)0xC << 52); /* byte granularity */
	gdt[GDT_TSS] = d;
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)(GDT_TSS * 8)) : "memory");
}

void gdt_set_percpu(unsigned cpu, uint64_t d)
{
	gdt[GDT_FIRST_PERCPU + cpu] = d;
}

void gdt_describe(uint32_t *base, uint16_t *limit)
{
	*base = (uint32_t)(uintptr_t)gdt;
	*limit = (uint16_t)(sizeof(gdt) - 1);
}

uint32_t gdt_percpu_base(unsigned cpu)
{
	uint64_t d = gdt[GDT_FIRST_PERCPU + cpu];
	return (uint32_t)(((d >> 16) & 0xFFFFFFu) | ((d >> 56) << 24));
}

void gdt_load(unsigned cpu)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) gdtr = { (uint16_t)(sizeof(gdt) - 1), (uint32_t)(uintptr_t)gdt };

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "mov %2, %%gs\n\t"
			 "mov %3, %%fs"
			 :
			 : "m"(gdtr), "i"(GDT_KERNEL_CS), "r"((uint32_t)GDT_KERNEL_DS),
			   "r"((uint32_t)gdt_percpu_selector(cpu))
			 : "memory");
}

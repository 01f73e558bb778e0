/* gdt.h: the demo kernel's segments: flat code and data, and one data
 * segment per possible CPU whose base is that CPU's offset in the per-CPU
 * window, loaded into %fs so `this_cpu_read(x)` is one `mov %fs:x`. */
#ifndef DEMO_GDT_H
#define DEMO_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_FIRST_PERCPU 3

static inline uint16_t gdt_percpu_selector(unsigned cpu)
{
	return (uint16_t)((GDT_FIRST_PERCPU + cpu) * 8);
}

#ifdef __x86_64__
/* x86_64/gdt.c: the static long-mode GDT of x86_64/boot.S. */
void gdt_init(void);
/* Load the GDT on the calling CPU and make its GS base `cpu`'s
 * __per_cpu_offset (wrmsr IA32_GS_BASE), recording what it reads back. */
void gdt_load(unsigned cpu);
/* The GDT's physical address and limit, for the AP trampoline. */
void gdt_describe(uint32_t *base, uint16_t *limit);
/* IA32_GS_BASE as `cpu` read it back after setting it in gdt_load(). */
uint64_t gdt_gs_base_seen(unsigned cpu);
#else
/* The flat code and data segments; every %fs slot starts empty. */
void gdt_init(void);
/* Install CPU `cpu`'s %fs descriptor (pcpu_i386_fs_descriptor(cpu)). */
void gdt_set_percpu(unsigned cpu, uint64_t descriptor);
/* Load the GDT on the calling CPU and point its %fs at `cpu`'s copy. */
void gdt_load(unsigned cpu);
/* The GDT's linear address and limit, for the AP trampoline. */
void gdt_describe(uint32_t *base, uint16_t *limit);
/* The %fs base the GDT holds for `cpu` (read back from the descriptor). */
uint32_t gdt_percpu_base(unsigned cpu);
#endif

/* For the ring-3 probe (usermode.c), in each mode's gdt.c: the ring-3 code
 * and data selectors (RPL 3), and the TSS (32-bit or 64-bit) whose ring-0
 * stack, `stack_top`, a trap from ring 3 switches to; installed in the GDT
 * and loaded into TR on the calling CPU. */
uint16_t gdt_user_cs(void);
uint16_t gdt_user_ds(void);
void gdt_load_tss(uintptr_t stack_top);

#endif

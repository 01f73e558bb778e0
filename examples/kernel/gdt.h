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
/* Ring-3 code and data selectors (RPL 3), for the user-mode probe. */
uint16_t gdt_user_cs(void);
uint16_t gdt_user_ds(void);
/* Install a 32-bit TSS at `tss` (`size` bytes) and load TR on this CPU. */
void gdt_load_tss(const void *tss, uint32_t size);

/* The GDT's linear address and limit, for the AP trampoline. */
void gdt_describe(uint32_t *base, uint16_t *limit);
/* The %fs base the GDT holds for `cpu` (read back from the descriptor). */
uint32_t gdt_percpu_base(unsigned cpu);
#endif

#endif

/* percpu_setup.h: the demo kernel's use of the percpu-vm runtime: the arch
 * hooks (i386 page tables through runtime/arch/i386, pages from pmem, TLB
 * shootdown IPIs), the static area at boot, each CPU's %fs. */
#ifndef DEMO_PERCPU_SETUP_H
#define DEMO_PERCPU_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcpu_runtime;
struct pcpu_i386_mmu;
struct pcpu_x86_64_mmu;

extern struct pcpu_runtime *demo_rt;

/* Boot CPU, paging on: build the runtime, populate the static area for CPU
 * 0 from the image's template with the boot-time page-table allocator,
 * fill __per_cpu_offset, switch page tables to the page allocator and
 * point CPU 0's %fs at its copy. */
void percpu_boot(void);
/* smp_boot's hooks: map and initialise CPU n's copy before it starts;
 * load its %fs once it runs. */
int percpu_prepare_cpu(unsigned cpu);

/* Page-table pages allocated so far, boot-time and normal. */
void percpu_pt_pages(size_t *boot, size_t *normal);
/* Data pages the runtime holds (allocated and not given back). */
size_t percpu_data_pages(void);
#ifdef __x86_64__
const struct pcpu_x86_64_mmu *percpu_mmu(void); /* x86_64/percpu_setup.c */
#else
const struct pcpu_i386_mmu *percpu_mmu(void);
#endif
/* A window page's flags as the runtime's translate reads them from the
 * leaf entry (each mode's percpu_setup.c, over its own mmu): false when
 * `va` is not mapped. */
struct demo_page_flags {
	bool writable, user, nx;
};
bool percpu_page_flags(uintptr_t va, struct demo_page_flags *f);
/* How many TLB shootdowns were sent. */
unsigned long percpu_shootdowns(void);

#endif

/* percpu-vm/hosted.h: the hosted (user-space, x86-64) arch backend.
 *
 * It lets user-space programs and tests run the real runtime:
 *  - the window is reserved with mmap(PROT_NONE) at a fixed base
 *    (PERCPU_HOSTED_BASE unless the caller picks one), with
 *    MAP_FIXED_NOREPLACE so it never lands on something already mapped;
 *  - "physical" memory is a memfd: phys = file offset, and a "direct map"
 *    (pcpu_hosted_phys_to_virt) is a second, shared mapping of it;
 *  - map_page maps the memfd page at va (MAP_SHARED|MAP_FIXED), unmap_page
 *    puts a PROT_NONE anonymous page back, so touching any page the runtime
 *    has not mapped faults, exactly like an unmapped kernel page;
 *  - unmap_page reports the physical page it took out from a table of its
 *    own (one uint32_t per window page), the stand-in for the page tables a
 *    process cannot read.  That table is test infrastructure: a kernel's
 *    arch reads the page-table entry, and the runtime keeps no such table.
 * Page counts (for leak checks) and fault injection come with it.
 *
 * Also the "current CPU" of hosted code: a thread-local number a test sets.
 * The kernel glue's hosted arch header (percpu-vm/arch/hosted.h) builds
 * smp_processor_id() and this_cpu_*() on pcpu_hosted_this_cpu().
 */
#ifndef PERCPU_VM_HOSTED_H
#define PERCPU_VM_HOSTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The calling thread's simulated CPU (0 until set). */
#ifdef __cplusplus
extern thread_local unsigned pcpu_hosted_cpu;
#else
extern _Thread_local unsigned pcpu_hosted_cpu;
#endif
void pcpu_hosted_set_cpu(unsigned cpu);
unsigned pcpu_hosted_this_cpu(void);

struct pcpu_hosted_params {
	uintptr_t base;     /* page aligned; 0 means PERCPU_HOSTED_BASE */
	unsigned shift;     /* stride = 1 << shift, PCPU_MIN_SHIFT..PCPU_MAX_SHIFT (13..31) */
	unsigned nr_cpus;   /* 1..PCPU_MAX_CPUS; the window is nr_cpus << shift */
	size_t max_pages;   /* "physical" pages in the memfd; 0: one per window page */
	/* Leave mappings already inside the window in place instead of failing
	 * (at most PCPU_HOSTED_MAX_ADOPTED ranges): for a program whose link
	 * put its own .data.percpu/.bss.percpu at the base, CPU 0's static copy.
	 * The backend reserves only the gaps; map_page replaces an adopted page
	 * like any other, and destroy leaves the adopted ranges mapped. */
	bool adopt_existing;
};
#define PCPU_HOSTED_MAX_ADOPTED 8

struct pcpu_hosted; /* heap allocated; one per window */

/* Reserve the window and set up the physical memory.  Returns 0, or
 * PCPU_ERR_INVAL (bad parameters), PCPU_ERR_MAPPED (the address range is
 * taken), PCPU_ERR_NOMEM (memfd/mmap/malloc failed); in every error case a
 * one-line explanation naming the range goes to err (if err_len > 0) and
 * nothing is left mapped or open. */
int pcpu_hosted_create(const struct pcpu_hosted_params *p, struct pcpu_hosted **out,
		       char *err, size_t err_len);
/* Unmap the window and the physical memory, close the memfd, free `h`. */
void pcpu_hosted_destroy(struct pcpu_hosted *h);

/* The runtime's hooks for this window (ctx = h; lock/unlock a mutex). */
const struct pcpu_arch_ops *pcpu_hosted_ops(struct pcpu_hosted *h);

uintptr_t pcpu_hosted_base(const struct pcpu_hosted *h);
size_t pcpu_hosted_window_size(const struct pcpu_hosted *h);
unsigned pcpu_hosted_shift(const struct pcpu_hosted *h);
unsigned pcpu_hosted_nr_cpus(const struct pcpu_hosted *h);

/* Where the "physical" page `phys` can be read and written whether it is
 * mapped in the window or not (NULL past the end of the memory). */
void *pcpu_hosted_phys_to_virt(const struct pcpu_hosted *h, uint64_t phys);

/* Whether the page holding `va` is mapped (by this backend's bookkeeping). */
bool pcpu_hosted_is_mapped(const struct pcpu_hosted *h, uintptr_t va);
/* Pages mapped in `cpu`'s part of the window. */
size_t pcpu_hosted_cpu_mapped_pages(const struct pcpu_hosted *h, unsigned cpu);

struct pcpu_hosted_stats {
	size_t data_pages;       /* data pages handed out and not freed */
	size_t data_pages_peak;  /* most at once */
	size_t mapped_pages;     /* pages mapped in the window now */
	size_t mapped_pages_peak;
	size_t allocs, frees, maps, unmaps, flushes; /* calls that succeeded */
	size_t failed_allocs, failed_maps;            /* injected or real failures */
	size_t misuse;           /* bad or double frees, frees of mapped pages, unmaps
				  * of holes, maps outside the window or of pages not
				  * handed out or already mapped */
};
void pcpu_hosted_get_stats(const struct pcpu_hosted *h, struct pcpu_hosted_stats *st);

/* Fault injection: the nth alloc_data_page (resp. map_page) call from now
 * on fails with PCPU_ERR_NOMEM, counting from 1; 0 turns it off.  A failing
 * map_page stands for a page-table page that could not be had. */
void pcpu_hosted_fail_nth_page(struct pcpu_hosted *h, size_t n);
void pcpu_hosted_fail_nth_map(struct pcpu_hosted *h, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_HOSTED_H */

/* fake_arch.h: a test arch backend for the runtime (tests/runtime only).
 *
 * The window is one anonymous mapping of nr_cpus << shift bytes, so every
 * address the runtime writes through is real memory; which window pages
 * count as "mapped", and to which page, is kept in a table (`map`, the
 * fake's page tables: unmap_page reports the page from it).  Why not mprotect: the churn test
 * maps and unmaps hundreds of thousands of pages and checks the mapped set
 * after every operation, which is a table lookup here and would be a
 * syscall per page there (the hosted backend, tested elsewhere, is the
 * mprotect/mmap one).  To still catch the runtime touching what it should
 * not, the fake:
 *  - fills every fresh "physical" page (malloc'd) with garbage, and copies a
 *    page's contents into the window when it is mapped and back out when it
 *    is unmapped, so data lives in the page as on real hardware and a
 *    runtime that forgot to zero a fresh page shows garbage;
 *  - poisons a window page with PCPU_FAKE_POISON when it is unmapped;
 *  - counts contract violations: mapping a mapped address, unmapping an
 *    unmapped one, mapping outside the window or another CPU's page into a
 *    CPU's copy, freeing a page still mapped or not yet flushed from the
 *    TLB, freeing an unknown page, nested or unbalanced locking;
 *  - can make the Nth alloc_data_page or the Nth map_page (standing for a
 *    page-table page allocation) fail with PCPU_ERR_NOMEM.
 */
#ifndef PERCPU_VM_TEST_FAKE_ARCH_H
#define PERCPU_VM_TEST_FAKE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/runtime.h>

#define PCPU_FAKE_POISON 0xa5
#define PCPU_FAKE_GARBAGE 0x5a

struct fake_page {
	unsigned char *mem;  /* the page's bytes while not mapped */
	unsigned cpu;
	int32_t mapped_at;   /* window page index, or -1 */
	bool in_use;
	bool stale_tlb;      /* unmapped, not yet flushed */
	int32_t last_va_page;
};

struct fake_arch {
	unsigned char *window;
	uintptr_t base;
	unsigned shift, nr_cpus;
	size_t window_pages;
	int32_t *map;            /* per window page: fake_page index or -1 */
	struct fake_page *pg;
	size_t nr_pg, cap_pg;
	long live_pages;         /* data pages handed out and not given back */
	long mapped;             /* window pages mapped */
	long page_allocs, frees, map_calls, unmap_calls, flushes;
	long fail_page_at;       /* the Nth next alloc_data_page fails; 0: never */
	long fail_map_at;        /* the Nth next map_page fails; 0: never */
	long violations;
	char last_violation[160];
	int lock_depth;
	long locks;
	bool with_flush;
	bool bad_phys;           /* hand out misaligned "physical" addresses */
	struct pcpu_arch_ops ops;
};

/* Set up a window of nr_cpus << shift bytes at a page-aligned address. */
void fake_arch_init(struct fake_arch *f, unsigned shift, unsigned nr_cpus, bool with_flush);
void fake_arch_destroy(struct fake_arch *f);
bool fake_arch_is_mapped(const struct fake_arch *f, unsigned cpu, size_t page);

#endif

/* percpu-vm/pt_alloc.h: where an architecture's page-table pages come from.
 *
 * Freestanding C, shared by every page-table backend (runtime/arch/i386,
 * runtime/arch/x86_64): the source of page-table pages is the same idea on
 * every architecture with radix page tables, so it is written once
 * (runtime/arch/common/bootmem.c).
 *
 * Per-CPU data is used before the kernel's page allocator exists, so the
 * first page tables of the window come from a boot-time allocator and later
 * ones from the normal allocator; each arch's mmu holds one of each and a
 * switch between them (the 2006 proposal's "three functions to allow for
 * allocating page tables at bootup").
 *
 * Error codes are those of percpu-vm/runtime.h.
 */
#ifndef PERCPU_VM_PT_ALLOC_H
#define PERCPU_VM_PT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A source of 4 KiB page-table pages (the mmu zeroes them). */
struct pcpu_pt_alloc {
	void *ctx;
	/* One page; its physical address in *phys.  0 or PCPU_ERR_NOMEM. */
	int (*alloc)(void *ctx, uint64_t *phys);
	/* Give back a page this allocator handed out.  Used to roll back a
	 * failed map; the bump allocator can undo only its latest page, which
	 * is always the case in a rollback (tables go back latest first).
	 * May be NULL (then a rollback leaks, so give every allocator a
	 * free). */
	void (*free)(void *ctx, uint64_t phys);
};

/* The boot-time allocator: hands out pages from [next, end) in order and
 * takes back only the latest one.  Pages it handed out are never reused,
 * exactly like bootmem memory that is never freed. */
struct pcpu_bootmem {
	uint64_t start, next, end;
	size_t allocated; /* pages handed out and not given back */
};
/* [start, end) page aligned, start < end.  0 or PCPU_ERR_INVAL. */
int pcpu_bootmem_init(struct pcpu_bootmem *bm, uint64_t start, uint64_t end);
/* The allocator interface over `bm`. */
void pcpu_bootmem_alloc_ops(struct pcpu_bootmem *bm, struct pcpu_pt_alloc *out);

/* One page from `a` for a table whose address must fit `addr_mask` (the
 * bits a directory entry can hold) and be page aligned.  A page outside
 * that is the allocator's bug: it is given back and the call fails rather
 * than write a wrong address into the tables.  The page is not zeroed
 * (entry width is the arch's business).  0 or PCPU_ERR_NOMEM. */
int pcpu_pt_alloc_table(const struct pcpu_pt_alloc *a, uint64_t addr_mask, uint64_t *phys);

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_PT_ALLOC_H */
